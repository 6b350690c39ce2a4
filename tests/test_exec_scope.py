"""Issue 21, points 3 and 4: the headline is one agency's (the first, a remembered choice or ?agency=…), against
the stage that agency declared for its round, said in words; a pool of agencies says so. Figures checked
against plain pandas over the store's responses and batches."""

from __future__ import annotations

import pandas as pd
import pytest

from framework import analysis, db
from tests.fixtures.analysis import pages, seed, truth


def demo_truth(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each agency's latest round (its responses with the batch's stage and date), and the batches, in pandas."""
    con = db.connect(path, read_only=True)
    try:
        resp = con.execute(
            "SELECT r.*, b.stage AS batch_stage, CAST(b.round_date AS VARCHAR) AS round_key "
            "FROM store.responses r JOIN store.batches b USING (batch_id)"
        ).df()
        batches = con.execute("SELECT agency, stage, CAST(round_date AS VARCHAR) AS round_key FROM store.batches").df()
    finally:
        con.close()
    latest = resp[resp["round_key"] == resp.groupby("agency")["round_key"].transform("max")]
    return latest, batches


@pytest.fixture
def demo(tmp_path, monkeypatch):
    path = pages.demo_store(tmp_path / "demo.duckdb")
    latest, batches = demo_truth(path)
    pages.use_store(monkeypatch, path)
    return path, latest, batches


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_declared_stage_per_agency_against_pandas(tmp_path, catalog):
    path = pages.demo_store(tmp_path / "demo.duckdb")
    latest, batches = demo_truth(path)
    con = db.connect(path)
    try:
        d = analysis.rounds.declared(con, {}).set_index("agency")
        assert sorted(d.index) == sorted(latest["agency"].unique())
        for agency, part in latest.groupby("agency"):
            want = batches[(batches["agency"] == agency) & (batches["round_key"] == part["round_key"].iloc[0])]
            assert d.loc[agency, "stage"] == want["stage"].iloc[0]
            assert d.loc[agency, "round"] == part["round_key"].iloc[0] and d.loc[agency, "n"] == len(part)
            assert analysis.rounds.default_stage(con, {"agencies": [agency]}) == want["stage"].iloc[0]
        # the two agencies declare different stages: the demo is the case the issue names
        assert set(d["stage"]) == {"Developing", "Early"}
        a, b = sorted(d.index)
        assert analysis.rounds.stage_text(con, {"agencies": [a]}, "Developing", "en") == (
            f"Against Developing: the stage {a} declared for its 30 Jun 2025 round."
        )
        assert analysis.rounds.stage_text(con, {"agencies": [b]}, "Developing", "en").startswith(
            "Against Developing, the next stage after Early, the stage"
        )
        assert "not the stage" in analysis.rounds.stage_text(con, {"agencies": [a]}, "Early", "en")
        pooled = analysis.rounds.stage_text(con, {}, "Developing", "en")
        assert pooled.startswith("Pooled: 2 agencies, each at its own stage (stages Early and Developing")
        th = analysis.rounds.stage_text(con, {"agencies": [a]}, "Developing", "th")
        assert th.startswith("เทียบกับระยะกำลังพัฒนา") and "30 มิ.ย. 2568" in th
        # an earlier round: the stage of that round, said with its date
        assert analysis.rounds.declared(con, {"agencies": [a], "round": "2024-06-30"})["round"].iloc[0] == "2024-06-30"
    finally:
        con.close()


def test_overview_defaults_to_one_agency_at_its_declared_stage(demo, catalog):
    _, latest, _ = demo
    first = min(latest["agency"].unique())
    part = latest[latest["agency"] == first]
    at = pages.run_page("overview.py", lang="en")
    assert not at.exception
    assert at.multiselect(key="ov_agencies").value == [first]
    assert at.selectbox(key="ov_stage").value == "Developing"
    m = metrics(at)
    assert m["Respondents"] == f"{len(part):,}" and m["Agencies"] == "1"
    codes = list(catalog.unit_codes())
    expected = truth.readiness(
        part[["staff_group", *codes]].astype({c: "float64" for c in codes}), truth.required(catalog, "Developing")
    )
    assert m["Readiness · Developing"] == f"{expected:.0%}"  # local mode: exact, as computed here
    assert f"Against Developing: the stage {first} declared for its 30 Jun 2025 round." in captions(at)


def test_agency_from_the_url_and_remembered_across_pages(demo, catalog):
    _, latest, _ = demo
    second = sorted(latest["agency"].unique())[1]
    part = latest[latest["agency"] == second]
    from conftest import run_page

    at = run_page("overview.py", query={"agency": second, "lang": "en"})
    assert not at.exception
    assert at.selectbox(key="ov_stage").value == "Early"  # its own declared stage
    assert metrics(at)["Respondents"] == f"{len(part):,}"
    at.switch_page("pages/coverage.py").run()
    assert not at.exception
    assert at.multiselect(key="cov_agencies").value == [second]
    assert at.selectbox(key="cov_stage").value == "Early"
    assert f"Against Early: the stage {second} declared" in captions(at)


def test_stage_follows_the_agency_and_the_next_stage_is_one_click(demo):
    _, latest, _ = demo
    _first, second = sorted(latest["agency"].unique())
    at = pages.run_page("overview.py", lang="en")
    at.selectbox(key="ov_stage").set_value("Mature").run()  # the next stage after Developing
    assert not at.exception
    assert "Against Mature, the next stage after Developing" in captions(at)
    at.multiselect(key="ov_agencies").set_value([second]).run()  # another agency: its own stage again
    assert not at.exception
    assert at.selectbox(key="ov_stage").value == "Early"
    at.switch_page("pages/training.py").run()
    assert at.selectbox(key="trn_stage").value == "Early"
    assert f"Against Early: the stage {second} declared" in captions(at)


def test_pooled_view_says_so(demo):
    _, latest, _ = demo
    at = pages.run_page("overview.py", lang="en", ov_agencies=[])
    assert not at.exception
    assert metrics(at)["Respondents"] == f"{len(latest):,}" and metrics(at)["Agencies"] == "2"
    text = captions(at)
    assert "Scope: all agencies pooled" in text
    assert "Pooled: 2 agencies, each at its own stage (stages Early and Developing" in text


def test_home_names_the_agency_and_uses_the_remembered_choice(demo, catalog):
    _, latest, _ = demo
    first, second = sorted(latest["agency"].unique())
    from conftest import run_page

    at = run_page(query={"lang": "en"})
    assert not at.exception
    assert any(f"The latest survey of {first}" in m.value for m in at.markdown)
    assert metrics(at)["Respondents"] == f"{(latest['agency'] == first).sum():,}"
    assert f"Against Developing: the stage {first} declared" in captions(at)
    at = run_page(query={"lang": "en"}, state={"flt_agencies": [second]})
    assert any(f"The latest survey of {second}" in m.value for m in at.markdown)
    part = latest[latest["agency"] == second]
    m = metrics(at)
    assert m["Respondents"] == f"{len(part):,}"
    codes = list(catalog.unit_codes())
    expected = truth.readiness(
        part[["staff_group", *codes]].astype({c: "float64" for c in codes}), truth.required(catalog, "Early")
    )
    assert m["Readiness · Early"] == f"{expected:.0%}"
    at = run_page(query={"lang": "en"}, state={"flt_agencies": []})
    assert any("agencies pooled" in m.value for m in at.markdown)
    assert "Pooled: 2 agencies" in captions(at)


def test_one_agency_store_is_named_without_a_filter(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    from conftest import run_page

    at = run_page(query={"lang": "en"})
    assert not at.exception
    assert any(f"The latest survey of {seed.AGENCY}" in m.value for m in at.markdown)
    at = pages.run_page("readiness.py", lang="en")
    assert not at.exception
    assert at.multiselect(key="rdy_agencies").value == []
    assert f"Against Early: the stage {seed.AGENCY} declared for its 15 Jan 2024 round." in captions(at)
