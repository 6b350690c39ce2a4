"""The survey pages on the demo data: the latest round of each agency by default, said in words; pooling
is a choice with a warning; the overview's deltas are the change since the previous round; the coverage page
can show the change heatmap (as a table)."""

from __future__ import annotations

import pytest

from tests.fixtures.analysis import pages


def metrics(at) -> dict:
    return {m.label: m for m in at.metric}


@pytest.fixture
def demo(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))


def test_overview_opens_on_the_latest_round_with_the_change_since_the_previous(demo):
    at = pages.run_page("overview.py", lang="en", ov_agencies=[])  # both agencies (one by default)
    assert not at.exception
    assert at.selectbox(key="ov_round").value == "latest"
    assert any("Latest round of 30 Jun 2025" in c.value for c in at.caption)
    m = metrics(at)
    assert m["Respondents"].value == "2,216"
    ready = m["Readiness · Developing"]
    assert ready.value == "65%" and ready.delta.endswith("pts since 30 Jun 2024")
    assert ready.delta.startswith("+")


def test_thai_dates_are_buddhist_era(demo):
    at = pages.run_page("overview.py")
    assert not at.exception
    assert any("รอบสำรวจล่าสุด 30 มิ.ย. 2568" in c.value for c in at.caption)
    assert any("จากรอบ 30 มิ.ย. 2567" in (m.delta or "") for m in at.metric)


def test_pooling_every_round_is_explicit_and_warned(demo):
    at = pages.run_page("overview.py", lang="en", ov_round="all", ov_agencies=[])  # both agencies
    assert not at.exception
    m = metrics(at)
    assert m["Respondents"].value == "4,616" and m["Readiness · Developing"].value == "58%"
    assert any("All rounds pooled" in w.value for w in at.warning)
    assert "since" not in (m["Readiness · Developing"].delta or "")  # no change when pooled


def test_one_round_by_date(demo):
    at = pages.run_page("readiness.py", lang="en", rdy_round="2024-06-30")
    assert not at.exception
    assert any("Round of 30 Jun 2024" in c.value for c in at.caption)


@pytest.mark.parametrize("page", ["coverage.py", "readiness.py", "training.py"])
def test_every_survey_page_says_the_round(demo, page):
    at = pages.run_page(page, lang="en")
    assert not at.exception
    assert any("Latest round of 30 Jun 2025" in c.value for c in at.caption)


def test_coverage_change_table(demo):
    at = pages.run_page("coverage.py", lang="en", cov_change=True)
    assert not at.exception
    assert any("Change in coverage since 30 Jun 2024" in md.value for md in at.markdown)
    change = at.dataframe[0].value  # the change table comes before the coverage table
    cells = change.drop(columns=["Unit"]).to_numpy().ravel()
    assert all(c == "hidden" or c[0] in "+-" for c in cells) and any(c != "hidden" for c in cells)


def test_trends_keep_every_round(demo):
    at = pages.run_page("trends.py", lang="en")
    assert not at.exception
    assert [s.key for s in at.selectbox if s.key == "trd_round"] == []  # no single-round choice
    assert any(m.key == "trd_rounds" for m in at.multiselect)
