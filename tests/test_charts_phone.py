"""Survey charts on a phone's width: legends below the plot, titles clear of legends, labels not cut."""
from __future__ import annotations

import pytest

from framework import analysis, analysis_charts
from framework.analysis import Filters
from tests.fixtures.analysis import seed


@pytest.fixture
def con(store_con):
    seed.two_rounds(store_con)
    return store_con


def _below(legend) -> bool:
    """Horizontal, under the plot: paper y < 0, or the bottom of the figure (container y = 0)."""
    return legend.orientation == "h" and (legend.y < 0 or (legend.yref == "container" and legend.y == 0
                                                           and legend.yanchor == "bottom"))


def test_trend_legend_is_horizontal_below_the_plot(con):
    t = analysis.trends(con, Filters(), stage="Early", unit="DLit100")
    for value in ("readiness", "coverage"):
        fig = analysis_charts.trend_lines(t[value], value, "th")
        assert _below(fig.layout.legend), fig.layout.legend


def test_training_title_clear_of_legend_and_value_labels_have_room(con):
    needs = analysis.training_needs(con, Filters(batches=("B1",)), "Early")
    fig = analysis_charts.training_needs_bar(needs, "en", top=3, title="Top 3", subtitle="Early")
    assert _below(fig.layout.legend)                              # not in the title's band above the plot
    assert fig.layout.title.text == "Top 3" and fig.layout.title.subtitle.text == "Early"
    labelled = fig.data[1]
    assert labelled.textposition == "outside" and labelled.cliponaxis is False
    assert fig.layout.margin.r >= 5 * fig.layout.font.size       # "1,234 (45%)" past the range still shows
    # The unit names sit above the bars, not in a tick column that takes half a phone's width.
    assert fig.layout.yaxis.showticklabels is False
    assert [a.text.split(" · ")[0] for a in fig.layout.annotations] == list(fig.data[0].y)
