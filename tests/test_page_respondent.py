"""AppTest of pages/respondent.py on the demo store: local mode shows the plan; a set passphrase hides every row first."""

from __future__ import annotations

import pytest
from conftest import demo_copy

from framework import db
from framework import respondents as rsp
from framework.catalog import Catalog
from tests.fixtures.analysis import pages

SECRET = "รหัสลับ-HR"


@pytest.fixture
def demo(demo_store, tmp_path, monkeypatch):
    """The demo store (the session's, copied), local mode; returns a function giving the plan the page should show."""
    path = demo_store
    twin = demo_copy(tmp_path / "expected.duckdb")  # the app holds the store file open; expected plans read a copy
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    con = db.connect(twin, read_only=True)
    batches = rsp.batches(con)
    first = {b: rsp.find(con, b)["respondent_id"].iloc[0] for b in batches["batch_id"]}
    stages = dict(zip(batches["batch_id"], batches["stage"]))
    con.close()
    pages.use_store(monkeypatch, path)

    def expected(batch, rid, stage, t=3):
        c = db.connect(twin, read_only=True)
        try:
            return rsp.plan(c, Catalog(c), batch, rid, stage, t)
        finally:
            c.close()

    return {"batches": batches, "first": first, "stages": stages, "plan": expected}


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def shown_text(at) -> str:
    """Everything a user can read on the page (texts, options, values, tables)."""
    parts = [e.value for kind in ("markdown", "caption", "text", "title", "subheader") for e in at.get(kind)]
    parts += [e.body for kind in ("info", "warning", "error", "success") for e in at.get(kind)]
    parts += [str(getattr(e, "options", "")) + str(getattr(e, "value", "")) for e in at.selectbox]
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_local_mode_shows_the_plan_of_the_first_respondent(demo):
    at = pages.run_page("respondent.py", lang="en")
    assert not at.exception
    assert any("local single-user mode" in i.body for i in at.info)
    batch = at.selectbox(key="resp_batch").value
    assert batch == demo["batches"]["batch_id"].iloc[0]  # newest round first
    assert at.selectbox(key="resp_stage").value == demo["stages"][batch]  # the batch's agency stage
    assert at.select_slider(key="resp_t").value == 0
    rid = at.selectbox(key="resp_id").value
    assert rid == demo["first"][batch]
    p = demo["plan"](batch, rid, demo["stages"][batch])
    m = metrics(at)
    c = p.counts()
    assert (m["Required units"], m["Met"], m["To develop"], m["Not assessed"]) == (
        str(c["required"]),
        str(c["met"]),
        str(c["develop"]),
        str(c["not_assessed"]),
    )
    assert m["Readiness"] == f"{p.readiness:.0%}"
    table = at.dataframe[0].value
    assert table["Code"].tolist() == p.units["code"].tolist()
    assert table["Status"].tolist() == [rsp.status_label(s, "en") for s in p.units["status"]]
    assert p.persona("en") in shown_text(at)
    nxt = at.dataframe[1].value
    assert (
        nxt.loc[nxt["Scope"] == "next stage", "Code"].tolist()
        == p.next_units.loc[p.next_units["scope"] == rsp.NEXT, "code"].tolist()
    )
    downloads = at.get("download_button")
    assert "Download the IDP (printable HTML)" in [b.proto.label for b in downloads]
    csv = next(b for b in downloads if b.proto.label == "Download CSV (ZIP file)")
    assert "access-row-level" in csv.proto.help and f"respondent-{rid}" in csv.proto.help


def test_choices_threshold_and_stage_change_the_plan(demo):
    batches = demo["batches"]["batch_id"].tolist()
    batch = next(b for b in batches if demo["stages"][b] == "Developing")
    rid = demo["first"][batch]
    at = pages.run_page("respondent.py", lang="en", resp_batch=batch, resp_id=rid, resp_t=1)
    assert not at.exception
    assert at.selectbox(key="resp_stage").value == "Developing"
    p1 = demo["plan"](batch, rid, "Developing", 1)
    assert metrics(at)["Readiness"] == f"{p1.readiness:.0%}" and metrics(at)["Met"] == str(p1.counts()["met"])
    at.selectbox(key="resp_stage").set_value("Mature").run()
    assert not at.exception
    pm = demo["plan"](batch, rid, "Mature", 1)
    assert metrics(at)["Required units"] == str(pm.counts()["required"])
    assert any("highest stage" in c.value for c in at.caption)


def test_search_narrows_and_says_when_nothing_matches(demo):
    batch = demo["batches"]["batch_id"].iloc[0]
    rid = demo["first"][batch]
    at = pages.run_page("respondent.py", lang="en", resp_query=rid[-3:].lower())
    assert not at.exception
    assert rid in at.selectbox(key="resp_id").options[0]
    assert all(rid[-3:] in o for o in at.selectbox(key="resp_id").options)
    at.text_input(key="resp_query").input("' OR '1'='1").run()
    assert not at.exception
    assert any("No respondent id contains" in i.body for i in at.info) and not at.dataframe


def test_passphrase_gate_hides_every_row_until_verified(demo, monkeypatch):
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", SECRET)
    at = pages.run_page("respondent.py", lang="en")
    assert not at.exception
    assert any("needs the HR passphrase" in w.body for w in at.warning)
    assert not at.dataframe and not at.metric and not at.get("download_button")
    assert not [s for s in at.selectbox if s.key and s.key.startswith("resp_")]
    assert "DEMO-A0" not in shown_text(at) and "DEMO-B0" not in shown_text(at)

    at.text_input(key="resp_pass").input("wrong").run()
    assert at.error[0].body == "Wrong passphrase."
    assert not at.dataframe and not at.metric and "DEMO-A0" not in shown_text(at)

    at.text_input(key="resp_pass").input(SECRET).run()
    assert not at.exception and not at.error
    assert at.dataframe and metrics(at)["Required units"].isdigit()
    assert at.selectbox(key="resp_id").value.startswith("DEMO-")
    assert not any("local single-user mode" in i.body for i in at.info)


def test_thai_by_default_after_the_right_passphrase(demo, monkeypatch):
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", SECRET)
    at = pages.run_page("respondent.py", resp_pass=SECRET)
    assert not at.exception
    assert at.title[0].value == "แผนพัฒนารายบุคคล"
    assert {"หน่วยที่ต้องมี", "ผ่านเกณฑ์", "ต้องพัฒนา", "ยังไม่ได้ประเมิน", "ความพร้อม"} <= set(metrics(at))
    assert "สถานะ" in at.dataframe[0].value.columns
    assert set(at.dataframe[0].value["สถานะ"]) <= {"ผ่านเกณฑ์", "ต้องพัฒนา", "ยังไม่ได้ประเมิน"}


def test_empty_store_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    monkeypatch.setenv("SKILLS_DEMO", "0")
    pages.use_store(monkeypatch, tmp_path / "empty.duckdb")
    at = pages.run_page("respondent.py", lang="en")
    assert not at.exception
    assert any("No survey data yet" in i.body for i in at.info) and not at.metric
