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


@pytest.mark.parametrize("script", ["overview.py", "training.py", "coverage.py"])
def test_the_default_reads_as_the_agencys_target(tmp_path, monkeypatch, script):
    """Issue 21 point 5: t = 0 (the default) is said in words on every caption and title, never "level ≥ 0"."""
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    for lang, words in (("en", "the agency's target level (default 3)"), ("th", "ระดับเป้าหมายของหน่วยงาน (ค่าตั้งต้น 3)")):
        at = pages.run_page(script, lang=lang)
        assert not at.exception
        text = " ".join(
            [m.value for m in at.markdown]
            + [c.value for c in at.caption]
            + [p.proto.spec for p in at.get("plotly_chart")]  # chart titles
        )
        assert words in text.replace("\\u2019", "'")
        assert "≥ 0" not in text and "\\u2265 0" not in text and "level 0" not in text
