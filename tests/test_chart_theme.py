"""One chart theme: every chart (framework and survey views) has the Thai font stack and grows in presentation mode."""

from __future__ import annotations

import json

import pytest

from framework import analysis, db
from framework.analysis import Filters
from framework.catalog import profiles as pv
from framework.outputs import analysis_charts, chart_theme, charts, readiness_charts
from tests.fixtures.analysis import pages, seed


@pytest.fixture(scope="module")
def figures(tmp_path_factory, catalog) -> dict:
    """Every chart builder of the app, each drawn at the screen and the presentation size (built once)."""
    con = db.connect(tmp_path_factory.mktemp("theme") / "s.duckdb")
    try:
        seed.two_rounds(con)
        f = Filters()
        cov = analysis.coverage(con, f, stage="Early", by="group")
        ready = analysis.readiness(con, f, by="agency")
        reached = analysis.stage_reached(ready, 0.8)
        bl = analysis.blockers(con, f, stage="Developing")
        trend = analysis.trends(con, f, stage="Early", unit="DLit100")["readiness"]
        needs = analysis.training_needs(con, f, "Early")
    finally:
        con.close()
    matrix, counts = catalog.requirement_matrix(), catalog.profile_unit_counts()
    path = pv.pathway(catalog, "Service").units
    build = {
        "coverage_heatmap": lambda fs: analysis_charts.coverage_heatmap(cov, "th", font_size=fs),
        "readiness_path": lambda fs: readiness_charts.readiness_path(ready, reached, 0.8, "th", font_size=fs),
        "readiness_dots": lambda fs: readiness_charts.readiness_dots(ready, reached, 0.8, "th", font_size=fs),
        "blockers_bar": lambda fs: readiness_charts.blockers_bar(bl, "th", font_size=fs),
        "trend_lines": lambda fs: analysis_charts.trend_lines(trend, "readiness", "th", font_size=fs),
        "training_needs_bar": lambda fs: analysis_charts.training_needs_bar(needs, "th", font_size=fs),
        "requirement_heatmap": lambda fs: charts.requirement_heatmap(matrix, "Early", "th", font_size=fs),
        "profile_count_matrix": lambda fs: charts.profile_count_matrix(counts, "th", font_size=fs),
        "pathway_chart": lambda fs: charts.pathway_chart(path, "th", font_size=fs),
    }
    sizes = (chart_theme.font_size(False), chart_theme.font_size(True))
    return {name: {fs: b(fs) for fs in sizes} for name, b in build.items()}


def test_every_chart_has_the_one_thai_font_stack_and_template(figures):
    assert len(figures) == 9
    for name, fig in figures.items():
        spec = json.loads(fig[chart_theme.BASE_SIZE].to_json())["layout"]
        assert spec["font"]["family"] == chart_theme.FONT_FAMILY, name
        assert spec["hoverlabel"]["font"]["family"] == chart_theme.FONT_FAMILY, name
        assert spec["paper_bgcolor"] == "white" and spec["plot_bgcolor"] == "white", name
        assert spec["template"]["layout"]["paper_bgcolor"] == "white", name  # plotly_white everywhere
    assert "Noto Sans Thai" in chart_theme.FONT_FAMILY and "Loma" in chart_theme.FONT_FAMILY


def test_presentation_mode_grows_every_chart(figures):
    small_size, large_size = chart_theme.font_size(False), chart_theme.font_size(True)
    assert large_size > small_size
    for name, fig in figures.items():
        small, large = fig[small_size].layout, fig[large_size].layout
        assert (small.font.size, large.font.size) == (small_size, large_size), name
        assert large.hoverlabel.font.size == large_size, name
        title = lambda lay: lay.title.font.size if lay.title.text else lay.xaxis.title.font.size
        assert title(large) > title(small), name
        assert (large.height or 0) >= (small.height or 0), name


def test_survey_page_chart_follows_presentation_mode(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    sizes = {}
    for present in (False, True):
        at = pages.run_page("coverage.py", lang="en", cov_stage="Early", present=present)
        assert not at.exception
        sizes[present] = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["font"]["size"]
    assert sizes == {False: chart_theme.BASE_SIZE, True: chart_theme.PRESENT_SIZE}


def test_fit_narrow_wraps_the_title_and_lays_the_colour_scale_across_the_top_left():
    """Issue 21: on a phone the wide coverage heatmap scrolls sideways; its title and scale stay in the window."""
    import plotly.graph_objects as go

    fig = chart_theme.apply(go.Figure(go.Heatmap(z=[[0.1, 0.9]])), "Coverage · Early · level ≥ 3", height=900)
    chart_theme.fit_narrow(fig, visible_px=340)
    assert fig.layout.title.text == "Coverage · Early<br>level ≥ 3"
    bar = fig.data[0].colorbar
    assert bar.orientation == "h" and bar.x == 0 and bar.xanchor == "left" and bar.xref == "container"
    assert bar.lenmode == "pixels" and bar.len <= 320
    assert fig.layout.margin.t > chart_theme.MARGIN["t"]
