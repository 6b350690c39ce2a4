"""Issue 21 (7): the plain-language summary of /training and /trends states the threshold chosen, not the default."""

from __future__ import annotations

import inspect

import pytest

from tests.fixtures.analysis import pages


@pytest.mark.parametrize("script, prefix", [("training.py", "trn"), ("trends.py", "trd")])
def test_summary_says_the_chosen_threshold(tmp_path, monkeypatch, script, prefix):
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    at = pages.run_page(script, lang="en", **{f"{prefix}_threshold": 2, f"{prefix}_min_cell": 7})
    assert not at.exception
    summary = " ".join(m.value for m in at.markdown if "In short" in m.value)
    assert "2 or higher" in summary and "3 or higher" not in summary
    assert "fewer than 7 people" in summary
    th = pages.run_page(script, **{f"{prefix}_threshold": 2})
    assert any("ตั้งแต่ 2 ขึ้นไป" in m.value for m in th.markdown)


def test_definitions_has_no_default_filters():
    from ui import filters

    assert inspect.signature(filters.definitions).parameters["f"].default is inspect.Parameter.empty
