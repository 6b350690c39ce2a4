"""Issue 23 (2): one typed, immutable Filters from the page to the view; an unknown filter key raises."""

from __future__ import annotations

import dataclasses

import pytest

from framework import analysis
from framework.analysis import AnalysisError, Filters
from tests.fixtures.analysis import pages, seed


@pytest.mark.parametrize("key", ["groups", "threshhold", "agency", "min_cells"])
def test_an_unknown_filter_key_raises_naming_it(key):
    with pytest.raises(AnalysisError) as exc:
        Filters.coerce({key: 2})
    assert key in exc.value.en and key in exc.value.th  # bilingual, naming the key
    assert "Unknown filter" in exc.value.en and "ไม่รู้จักตัวกรอง" in exc.value.th
    assert "staff_groups" in exc.value.en  # says which names exist


def test_a_misspelt_key_beside_good_ones_is_not_dropped():
    with pytest.raises(AnalysisError, match="thresold"):
        Filters.coerce({"agencies": ["X"], "thresold": 2})


def test_known_keys_coerce_without_loss():
    f = Filters(agencies=("X",), staff_groups=("Service",), threshold=2, min_cell=7, target=0.9, round="all")
    assert Filters.coerce({**f.as_dict(), "authorised": f.authorised}) == f
    assert Filters.coerce(f) is f and Filters.coerce(None) == Filters()


def test_filters_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Filters().threshold = 2


def test_every_view_refuses_an_unknown_key():
    """The views coerce what they are given: a dict with a misspelt key fails before any query."""
    for view in (analysis.coverage, analysis.readiness, analysis.survey_counts):
        with pytest.raises(AnalysisError, match="groups"):
            view(None, {"groups": ["Service"]}, *(("Early",) if view is analysis.coverage else ()))


def test_the_page_passes_one_typed_filters_to_the_view(tmp_path, monkeypatch):
    """ui/filters.survey_filters returns a Filters (staff groups under their one name), and the cached wrapper
    hands it to the view as it is."""
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    seen = []
    real = analysis.coverage

    def spy(con, filters, *args, **kwargs):
        seen.append(filters)
        return real(con, filters, *args, **kwargs)

    monkeypatch.setattr(analysis, "coverage", spy)
    at = pages.run_page("coverage.py", lang="en", cov_threshold=2, cov_staff_groups=["Executive"])
    assert not at.exception
    assert seen and all(isinstance(f, Filters) for f in seen)
    assert seen[0].staff_groups == ("Executive",) and seen[0].threshold == 2
    assert at.session_state["flt_staff_groups"] == ["Executive"]  # shared under the same one name
