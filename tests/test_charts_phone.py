"""Survey charts on a phone's width: legends below the plot, titles clear of legends, labels not cut."""

from __future__ import annotations

import math

import pytest

from framework import analysis
from framework.analysis import Filters
from framework.outputs import analysis_charts, readiness_charts
from tests.fixtures.analysis import seed


@pytest.fixture
def con(store_con):
    seed.two_rounds(store_con)
    return store_con


def _below(legend) -> bool:
    """Horizontal, under the plot: paper y < 0, or the bottom of the figure (container y = 0)."""
    return legend.orientation == "h" and (
        legend.y < 0 or (legend.yref == "container" and legend.y == 0 and legend.yanchor == "bottom")
    )


def test_trend_legend_is_horizontal_below_the_plot(con):
    t = analysis.trends(con, Filters(), stage="Early", unit="DLit100")
    for value in ("readiness", "coverage"):
        fig = analysis_charts.trend_lines(t[value], value, "th")
        assert _below(fig.layout.legend), fig.layout.legend


def test_training_title_clear_of_legend_and_value_labels_have_room(con):
    needs = analysis.training_needs(con, Filters(batches=("B1",)), "Early")
    fig = analysis_charts.training_needs_bar(needs, "en", top=3, title="Top 3", subtitle="Early")
    assert _below(fig.layout.legend)  # not in the title's band above the plot
    assert fig.layout.title.text == "Top 3" and fig.layout.title.subtitle.text == "Early"
    labelled = fig.data[1]
    assert labelled.textposition == "outside" and labelled.cliponaxis is False
    assert fig.layout.margin.r >= 5 * fig.layout.font.size  # "1,234 (45%)" past the range still shows
    # The unit names sit above the bars, not in a tick column that takes half a phone's width.
    assert fig.layout.yaxis.showticklabels is False
    assert [a.text.split(" · ")[0] for a in fig.layout.annotations] == list(fig.data[0].y)


def test_readiness_dot_labels_clear_of_the_target_and_panel_titles_apart(con):
    ready = analysis.readiness(con, Filters(min_cell=1), by="group")
    ready = ready[ready["n"] > 0].reset_index(drop=True)
    # Values on both sides of the target and near 0 (the seed's own are few).
    ready["readiness"] = [(0.1, 0.62, 0.79, 0.8, 0.95)[i % 5] for i in range(len(ready))]
    fig = readiness_charts.readiness_dots(ready, None, 0.8, "th")
    dots = [t for t in fig.data if t.type == "scatter" and t.mode == "markers+text"]
    placed = [(v, p) for t in dots for v, p in zip(t.x, t.textposition) if not math.isnan(v)]
    assert {p for _, p in placed} == {"middle left", "middle right"}
    for v, p in placed:  # never printed rightwards from just below the dashed line onto it
        assert p == ("middle left" if readiness_charts.LEFT_LABEL_FROM <= v < 0.8 else "middle right"), (v, p)
    titles = [a.text for a in fig.layout.annotations]
    assert all("<br>" in t for t in titles), titles  # "ระยะ" / "กำลังพัฒนา" on two lines when side by side
    assert fig.layout.xaxis.tickangle == 0
    stacked = readiness_charts.readiness_dots(ready, None, 0.8, "th", stacked=True)
    assert not any("<br>" in a.text for a in stacked.layout.annotations)
