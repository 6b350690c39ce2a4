"""The plain-language summary (three lines, Thai and English) before the formulas on the survey pages."""

from __future__ import annotations

import re

import pytest

from framework import summary
from tests.fixtures.analysis import pages, seed


@pytest.mark.parametrize("lang", ["th", "en"])
def test_three_lines_without_formula_symbols_and_with_the_settings(lang):
    lines = summary.lines(lang, threshold=2, target=0.75, min_cell=7)
    assert len(lines) == 3
    text = " ".join(lines)
    assert "2" in lines[0] and "75%" in lines[1] and "7" in lines[2]
    assert not re.search(r"\*[ustk]\*", text)  # no u, s, t, k
    default = " ".join(summary.lines(lang))
    assert "3" in default and "80%" in default and "5" in default
    assert summary.markdown(lang).count("\n- ") == 3


def test_thai_and_english_differ_and_each_is_in_its_language():
    th, en = " ".join(summary.lines("th")), " ".join(summary.lines("en"))
    assert re.search("[\u0e00-\u0e7f]", th) and not re.search("[\u0e00-\u0e7f]", en)


def _position(at, predicate):
    for i, node in enumerate(at.main.children.values()):
        if predicate(node):
            return i
    return None


def test_survey_page_shows_the_summary_before_the_formulas(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("coverage.py", lang="en", cov_stage="Early", cov_threshold=2)
    assert not at.exception
    md = [m.value for m in at.markdown if m.value.startswith("**In short**")]
    assert len(md) == 1 and "level in it is 2 or higher" in md[0]
    first = _position(at, lambda n: getattr(n, "type", "") == "markdown" and n.value.startswith("**In short**"))
    formulas = _position(at, lambda n: getattr(n, "type", "") == "expander")
    assert first is not None and formulas is not None and first < formulas
    th = pages.run_page("readiness.py", rdy_form="dots")
    assert any(m.value.startswith("**โดยสรุป**") for m in th.markdown)
