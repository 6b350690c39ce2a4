"""Issue 11 item 2: only the HR passphrase (or local mode) may set k below the floor, in framework and on the pages."""

from __future__ import annotations

import json

import pytest

from framework import access, analysis
from framework.analysis import Filters
from tests.fixtures.analysis import pages, seed


def test_filters_refuse_k_below_floor_without_passphrase(monkeypatch):
    monkeypatch.setenv(access.ENV, "s3cret")
    with pytest.raises(analysis.AnalysisError) as exc:
        Filters(min_cell=3)
    assert "passphrase" in exc.value.en and "รหัสผ่าน" in exc.value.th
    with pytest.raises(analysis.AnalysisError):
        Filters.coerce({"min_cell": 2})
    assert Filters(min_cell=3, authorised=True).min_cell == 3
    assert Filters(min_cell=7).min_cell == 7 and Filters().min_cell == 5
    monkeypatch.setenv(access.MIN_CELL_ENV, "8")
    assert Filters().min_cell == 8  # the default k is the configured floor
    with pytest.raises(analysis.AnalysisError):
        Filters(min_cell=5)


def test_local_mode_allows_any_k(monkeypatch):
    monkeypatch.delenv(access.ENV, raising=False)
    monkeypatch.setattr(access, "secrets_file_passphrase", lambda: None)
    assert Filters(min_cell=2).min_cell == 2


def test_views_refuse_a_plain_dict_with_small_k(store_con, monkeypatch):
    seed.basic(store_con)
    monkeypatch.setenv(access.ENV, "s3cret")
    for view in (analysis.coverage, analysis.readiness, analysis.training_needs, analysis.overview):
        with pytest.raises(analysis.AnalysisError):
            view(store_con, {"min_cell": 2})


def _others_column(at):
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    z = pages.values(spec["z"])[spec["y"].index("DLit100")]
    return z[spec["x"].index("Others")]


def test_coverage_page_holds_k_at_floor_without_passphrase(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    monkeypatch.setenv(access.ENV, "s3cret")
    at = pages.run_page("coverage.py", lang="en", cov_stage="Early", cov_min_cell=3)
    assert not at.exception
    k = at.slider(key="cov_min_cell")
    assert k.value == 5 and k.min == 5
    assert _others_column(at) != _others_column(at)  # NaN: 2 Others, hidden
    assert any("fewer than 5 respondents" in c.value for c in at.caption)
    # A wrong passphrase changes nothing; the right one lets k go down and shows the column.
    at.text_input(key="cov_hr").input("guess").run()
    assert at.slider(key="cov_min_cell").min == 5 and any("Wrong passphrase" in e.value for e in at.error)
    at.text_input(key="cov_hr").input("s3cret").run()
    at.slider(key="cov_min_cell").set_value(3).run()
    assert not at.exception
    assert at.slider(key="cov_min_cell").value == 3 and at.slider(key="cov_min_cell").min == 3
    assert any("fewer than 3 respondents" in c.value for c in at.caption)


def test_coverage_page_local_mode_allows_small_k(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    monkeypatch.delenv(access.ENV, raising=False)
    at = pages.run_page("coverage.py", lang="en", cov_stage="Early", cov_min_cell=3)
    assert not at.exception
    assert at.slider(key="cov_min_cell").value == 3 and at.slider(key="cov_min_cell").min == 3
    assert any("fewer than 3 respondents" in c.value for c in at.caption)
    assert not at.text_input  # no passphrase box in local mode
