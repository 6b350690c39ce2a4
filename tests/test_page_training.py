"""AppTest of pages/training.py: the numbers shown equal framework.analysis.training_needs, in both languages."""

from __future__ import annotations

import json

import pandas as pd

from framework import analysis, db
from framework.analysis import Filters
from tests.fixtures.analysis import pages, seed


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def expected(path, stage: str, **kw) -> pd.DataFrame:
    """The unit totals the page shows: no passphrase is configured in these tests (local mode), so the page's
    figures are exact (authorised)."""
    kw.setdefault("authorised", True)
    con = db.connect(path, read_only=True)
    try:
        df = analysis.training_needs(con, Filters(**kw), stage)
    finally:
        con.close()
    return df[df["is_total"]].reset_index(drop=True)


def test_demo_numbers_equal_training_needs_in_english(tmp_path, monkeypatch):
    path = pages.demo_store(tmp_path / "demo.duckdb")
    stage = "Developing"  # the demo batches' most common stage
    tot = expected(path, stage)  # before the app holds the store file
    pages.use_store(monkeypatch, path)
    at = pages.run_page("training.py", lang="en", trn_top=5, trn_agencies=[])  # every agency (one by default)
    assert not at.exception
    assert at.selectbox(key="trn_stage").value == stage
    shown = tot[tot["hidden"].isna()]
    m = metrics(at)
    assert m["Units with needs"] == f"{int((shown['not_met_n'] > 0).sum())} / {len(tot)}"
    assert m["Person-units to develop"] == f"{int(shown['not_met_n'].sum()):,}"
    assert m["Share not assessed"] == f"{shown['not_assessed_n'].sum() / shown['required_n'].sum():.0%}"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    below, unassessed = spec["data"]
    top5 = shown.head(5)
    assert below["y"] == list(top5["code"])
    got = [int(b + u) for b, u in zip(pages.values(below["x"]), pages.values(unassessed["x"]))]
    assert got == top5["not_met_n"].astype(int).tolist()
    title = spec["layout"]["title"]  # the stage on its own line: the title fits a phone's width
    assert (title["text"], title["subtitle"]["text"]) == ("Top 5 units by staff to develop", "Developing")
    assert spec["layout"]["yaxis"]["ticktext"][0].startswith(f"{top5['code'].iloc[0]} · ")
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "Code",
        "Unit",
        "Capability group",
        "Required",
        "To develop",
        "Share to develop",
        "Not assessed",
        "Hidden",
    ]
    assert list(table["Code"]) == list(tot["code"])
    assert table["To develop"].tolist() == tot["not_met_n"].tolist()
    assert table["Required"].tolist() == tot["required_n"].tolist()
    assert table["Unit"].iloc[0] == tot["name_en"].iloc[0]
    assert any("**To develop** = respondents whose role profile" in c.value for c in at.caption)
    assert any("How these figures are computed" in e.label for e in at.expander)


def test_stage_threshold_and_hidden_units_in_thai(tmp_path, monkeypatch):
    path = pages.fixture_store(tmp_path / "s.duckdb", seed.basic)
    tot = expected(path, "Early", threshold=2, min_cell=6)
    pages.use_store(monkeypatch, path)
    at = pages.run_page("training.py", trn_stage="Early", trn_threshold=2, trn_min_cell=6)
    assert not at.exception
    m = metrics(at)
    assert m["หน่วยที่มีผู้ต้องพัฒนา"] == "11 / 13"
    # Exact figures (local mode) at t = 2, k = 6: DLit400 9 (E3 at level 2 now meets it), DG100 10, DLit100 5,
    # DS100 9, DLit200 6, DG400 6, SPM100, DL100, DL300, DTr100, DTr200 5 each; DLit300 and DLit700 (required
    # of the 5 Service staff only, 4 to develop each) are hidden at k = 6 and left out of the sum.
    assert m["จำนวนคน-หน่วยที่ต้องพัฒนา"] == "70" == str(int(tot["not_met_n"].sum()))  # hidden: NaN, not summed
    table = at.dataframe[0].value
    hidden = table[table["รหัส"] == "DLit300"].iloc[0]
    assert pd.isna(hidden["ต้องพัฒนา"]) and hidden["ผู้ที่บทบาทกำหนด"] == 5
    assert hidden["ซ่อน"] == analysis.reason_label(analysis.HIDDEN_SMALL, "th", 6) == "ผู้ตอบน้อยกว่า 6 คน"
    assert any("ไม่นับ 2 หน่วยที่ซ่อนไว้" in c.value for c in at.caption)
    assert any("2 ช่องมีผู้ตอบน้อยกว่า 6 คน" in c.value for c in at.caption)  # filters.hidden_note
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "DLit300" not in json.dumps(spec)


def test_small_selection_says_nothing_can_be_shown(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("training.py", lang="en", trn_staff_groups=["Others"], trn_stage="Early")
    assert not at.exception
    assert metrics(at)["Units with needs"] == "0 / 5"
    assert any("No shown unit has staff to develop" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_empty_store_says_so(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, tmp_path / "empty.duckdb")
    monkeypatch.setenv("SKILLS_DEMO", "0")
    at = pages.run_page("training.py", lang="en")
    assert not at.exception
    assert any("No survey data yet" in i.value for i in at.info)
