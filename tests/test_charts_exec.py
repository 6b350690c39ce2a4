"""Charts an executive reads at a glance: numbers in the heatmap cells, unit names beside codes, a colour-blind-safe
scale, no empty band above the column labels."""

from __future__ import annotations

import json
import math

import plotly.colors
import pytest

from framework import analysis
from framework.analysis import Filters
from framework.outputs import analysis_charts, readiness_charts
from tests.fixtures.analysis import seed


@pytest.fixture
def cov(store_con):
    seed.two_rounds(store_con)
    return analysis.coverage(store_con, Filters(batches=("B1",)), stage="Early", by="group")


def test_heatmap_cells_print_their_percentage_and_a_dash_when_hidden(store_con):
    seed.two_rounds(store_con)
    # k = 6: Service (5 people) is hidden as well as Others (2)
    cov = analysis.coverage(store_con, Filters(batches=("B1",), min_cell=6), stage="Early", by="group")
    fig = analysis_charts.coverage_heatmap(cov, "en")
    main, grey = fig.data[:2]
    assert main.texttemplate == grey.texttemplate == "%{text}"
    codes, keys = list(main.y), list(dict.fromkeys(cov["key"]))
    hidden_seen = 0
    for row in cov.itertuples():
        i, j = codes.index(row.code), keys.index(row.key)
        mark = " ●" if row.required else ""
        if row.hidden is None or row.hidden != row.hidden:
            assert main.text[i][j] == f"{row.coverage:.0%}{mark}" and grey.text[i][j] == ""
        else:
            hidden_seen += 1
            assert main.text[i][j] == ""  # no value for a hidden cell
            assert grey.text[i][j] == "—" + mark
    assert hidden_seen > 0
    # Hidden values reach no label: the Service cell of DLit100 is 3/5 = 60% in truth.
    assert "60%" not in json.dumps(json.loads(fig.to_json()), ensure_ascii=False)


def test_heatmap_labels_can_be_turned_off_and_are_off_for_many_columns(cov):
    assert analysis_charts.coverage_heatmap(cov, "en", cell_labels=False).data[0].texttemplate is None
    many = cov.copy()
    keys = list(dict.fromkeys(cov["key"]))
    extra = [
        many.assign(key=many["key"] + f"#{n}") for n in range(analysis_charts.MAX_LABELLED_COLUMNS // len(keys) + 1)
    ]
    import pandas as pd

    wide = analysis_charts.coverage_heatmap(pd.concat([many, *extra]), "en")
    assert len(set(wide.data[0].x)) > analysis_charts.MAX_LABELLED_COLUMNS and wide.data[0].texttemplate is None
    assert len(wide.data[2].x) == int(pd.concat([many, *extra])["required"].sum())  # dots drawn instead


def test_heatmap_rows_show_code_and_short_name(cov):
    names = {"DLit100": "Digital access and awareness of the digital world and its uses in government work"}
    fig = analysis_charts.coverage_heatmap(cov, "en", unit_names=names)
    ticks = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))
    assert ticks["DLit100"].startswith("DLit100 · Digital access") and ticks["DLit100"].endswith("…")
    assert len(ticks["DLit100"]) <= len("DLit100 · ") + 31
    assert not ticks["DLit100"].endswith(" …")  # cut at a word boundary, not after a space
    assert list(fig.data[0].y) == list(dict.fromkeys(cov["code"]))  # rows stay codes (hover, framework order)
    codes_only = analysis_charts.coverage_heatmap(cov, "en", unit_names=names, names_on_axis=False)
    assert list(codes_only.layout.yaxis.ticktext) == list(codes_only.data[0].y)


def test_heatmap_scale_is_sequential_and_colour_blind_safe(cov):
    fig = analysis_charts.coverage_heatmap(cov, "en")
    scale = [c for _, c in fig.data[0].colorscale]
    assert scale == [c for _, c in plotly.colors.get_colorscale("Viridis")]
    rgb = [plotly.colors.hex_to_rgb(c) for c in scale]
    # No red-to-green: monotone lightness (a sequential scale) and never a red-dominant colour.
    light = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b in rgb]
    assert light == sorted(light)
    assert not any(r > g + 40 and r > b + 40 for r, g, b in rgb)


def test_heatmap_has_no_fixed_band_above_the_column_labels(cov):
    fig = analysis_charts.coverage_heatmap(cov, "th", {"Executive": "ผู้บริหารระดับสูงของหน่วยงาน"})
    assert fig.layout.xaxis.automargin and fig.layout.xaxis.side == "top"
    assert (fig.layout.margin.t or 0) <= 80  # the labels' room comes from automargin, not a fixed 200 px


def _dots(fig):
    return [t for t in fig.data if t.type == "scatter" and t.mode == "markers+text"]


def test_readiness_dots_one_panel_per_stage_values_printed_and_target(store_con):
    seed.two_rounds(store_con)
    ready = analysis.readiness(store_con, Filters(min_cell=2), by="agency")
    reached = analysis.stage_reached(ready, 0.8)
    fig = readiness_charts.readiness_dots(ready, reached, 0.8, "en")
    panels = _dots(fig)
    assert [t.name for t in panels] == ["Early", "Developing", "Mature"]
    assert {t.xaxis for t in panels} == {"x", "x2", "x3"}  # three panels (small multiples)
    for t, stage in zip(panels, analysis.STAGES):
        frame = ready[ready["stage"] == stage].set_index("key")
        assert list(t.y) == [seed.AGENCY, seed.AGENCY2, "All"]
        assert list(t.x) == pytest.approx(frame["readiness"].tolist())
        assert list(t.text) == [f"{v:.0%}" for v in frame["readiness"]]  # labelled directly
    # The target is a dashed line in every panel; the stage reached is the one star (AGENCY2 at Early).
    lines = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert len(lines) == 3 and all(s.x0 == s.x1 == 0.8 for s in lines)
    stars = [(t.name, y) for t in panels for y, sym in zip(t.y, t.marker.symbol) if sym == "star"]
    assert stars == [("Early", seed.AGENCY2)]
    assert "80% target" in fig.layout.title.subtitle.text
    stacked = readiness_charts.readiness_dots(ready, reached, 0.8, "en", stacked=True)
    assert {t.yaxis for t in _dots(stacked)} == {"y", "y2", "y3"} and stacked.layout.height > fig.layout.height


def test_readiness_dots_hidden_points_print_a_dash_and_no_value(store_con):
    seed.two_rounds(store_con)
    ready = analysis.readiness(store_con, Filters(batches=("B1",)), by="group")
    ready = ready[ready["n_all"] > 0]  # Others: 2 selected, in no block (n = 0), hidden
    fig = readiness_charts.readiness_dots(ready, None, 0.8, "en")
    early = _dots(fig)[0]
    i = list(early.y).index("Others")
    assert math.isnan(early.x[i]) and early.text[i] == "" and early.customdata[i][1] == ""
    dashes = [t for t in fig.data if t.type == "scatter" and t.mode == "text" and t.xaxis == "x"]
    assert len(dashes) == 1 and "Others" in dashes[0].y and set(dashes[0].text) == {"—"}


def test_blockers_bar_labels_sit_above_the_bars_and_leave_them_the_width(store_con):
    seed.two_rounds(store_con)
    bl = analysis.blockers(store_con, Filters(), stage="Developing")
    fig = readiness_charts.blockers_bar(bl, "th")
    bars = fig.data[0]
    assert fig.layout.yaxis.showticklabels is False  # no label column eating the width
    notes = fig.layout.annotations
    assert [a.y for a in notes] == list(bars.y) == bl["code"].tolist()
    assert all(a.x == 0 and a.xanchor == "left" and a.yanchor == "bottom" and a.yshift > 0 for a in notes)
    assert all(a.text.startswith(f"{c} · ") for a, c in zip(notes, bl["code"]))
    # The label's bottom (bar centre + yshift) is at or above the bar's top edge (half its width of a row).
    row = (fig.layout.height - 130) / len(bl)
    assert all(a.yshift >= row * bars.width / 2 for a in notes)
    assert (
        bars.width < 0.5 and bars.textposition == "outside" and list(bars.text) == [f"{v:.0%}" for v in bl["coverage"]]
    )
    assert fig.layout.xaxis.automargin and fig.layout.xaxis.title.text  # the axis title gets its room


def test_short_names_are_cut_at_a_word_boundary():
    short = analysis_charts._short
    assert short("ประยุกต์ใช้เครื่องมือดิจิทัลเพื่อการทำงาน", 30) == "ประยุกต์ใช้เครื่องมือดิจิทัล…"  # not "…เพื่…"
    assert short("วิเคราะห์ข้อมูล (Data Analytics) เพื่อตีความ", 30) == "วิเคราะห์ข้อมูล (Data…"
    assert short("Use basic digital tools or applications for work", 30) == "Use basic digital tools or…"
    assert short("ก" * 40, 30) == "ก" * 30 + "…"  # no boundary at all: cut at the limit
