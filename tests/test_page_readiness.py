"""AppTest of pages/readiness.py: path per key, stage reached, blockers of the next stage."""

from __future__ import annotations

import json

from framework.catalog import Catalog
from tests.fixtures.analysis import pages, seed, truth


def test_demo_paths(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    at = pages.run_page("readiness.py", rdy_form="lines")
    assert not at.exception
    s = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t.get("name") for t in s["data"] if t.get("mode") == "lines+markers"]
    assert names[-1] == "ทั้งหมด" and len(names) >= 2
    assert any("วิธีคำนวณ" in e.label for e in at.expander)


def test_fixture_agency_stage_reached_and_blockers(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.two_rounds))
    at = pages.run_page(
        "readiness.py",
        lang="en",
        rdy_by="agency",
        rdy_min_cell=3,
        rdy_key=seed.AGENCY2,
        rdy_form="lines",
        rdy_agencies=[],
    )  # every agency (one by default)
    assert not at.exception
    s = json.loads(at.get("plotly_chart")[0].proto.spec)
    stars = [t for t in s["data"] if t.get("mode") == "markers"]
    assert [t["x"] for t in stars] == [["Early"]]  # only กรมทดสอบ reaches Early (100%)
    table = at.dataframe[0].value
    assert table.set_index("Agency").loc[seed.AGENCY2, "Stage reached"] == "Early"
    blockers = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]
    assert blockers["type"] == "bar" and len(blockers["y"]) == 5
    # The five lowest Developing units of กรมทดสอบ's 5 executives (all at level 3 on the Early units only),
    # from the raw fixture rows in pandas: every Developing unit they lack has coverage 0.
    cat = Catalog()
    raw = truth.frame(seed._b2_rows(), list(cat.unit_codes()))
    want = truth.unit_coverage(raw, truth.required(cat, "Developing"))
    shown = [str(y).split(" · ")[0] for y in blockers["y"]]
    assert set(shown) <= set(want.index[want["coverage"] == 0]) and len(set(shown)) == 5
    assert any("Next stage: Developing" in c.value for c in at.caption)


def test_fixture_table_readiness_per_stage_and_hidden(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("readiness.py", lang="en")
    assert not at.exception
    table = at.dataframe[0].value.set_index("Staff group")
    assert table.loc["Executive", "Readiness · Early"] == f"{13 / 54:.0%}"
    assert table.loc["Others", "Readiness · Early"] == "hidden"  # 2 respondents
    # local mode (no passphrase configured): exact, so Service (5 = k) is shown: 0.25 (seed.py)
    assert table.loc["Service", "Readiness · Early"] == f"{0.25:.0%}"
    assert table.loc["Service", "Stage reached"] == "none yet"
    assert "Management" not in table.index  # no respondents: no row
    assert table.loc["All", "Respondents"] == 13
