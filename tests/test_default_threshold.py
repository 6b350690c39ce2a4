"""The level that counts as met has one default (framework.analysis.filters.DEFAULT_THRESHOLD), used by the
survey filters, the command line and the individual development plan page (issue 23, point 1)."""

from __future__ import annotations

from conftest import run_page

from framework import analysis
from framework.cli import parser
from tests.fixtures.analysis import pages


def test_the_command_line_default_is_the_analysis_default(monkeypatch):
    import framework.cli.analysis as cli_analysis

    assert parser().parse_args(["readiness"]).threshold == analysis.DEFAULT_THRESHOLD
    monkeypatch.setattr(cli_analysis, "DEFAULT_THRESHOLD", 2)  # the one name, not a literal 3
    assert parser().parse_args(["coverage", "--stage", "Early"]).threshold == 2
    assert parser().parse_args(["readiness", "--threshold", "4"]).threshold == 4


def test_the_respondent_page_starts_at_the_analysis_default(demo_store, monkeypatch):
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    pages.use_store(monkeypatch, demo_store)
    monkeypatch.setattr(analysis, "DEFAULT_THRESHOLD", 2)
    at = run_page("respondent.py")
    assert not at.exception
    assert at.select_slider(key="resp_t").value == 2
