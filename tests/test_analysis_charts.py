"""Chart builders: figure data equals the suppressed frame; hidden cells are NaN/grey and never show a value."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from framework import analysis
from framework.analysis import Filters
from framework.outputs import analysis_charts, readiness_charts
from tests.fixtures.analysis import seed


@pytest.fixture
def con(store_con):
    seed.two_rounds(store_con)
    return store_con


def test_coverage_heatmap_equals_frame(con):
    cov = analysis.coverage(con, Filters(batches=("B1",)), stage="Early", by="group")
    fig = analysis_charts.coverage_heatmap(cov, "en", {"Executive": "Executive"})
    main, grey, req = fig.data[:3]
    legend = {t.name: t for t in fig.data[3:]}
    assert list(main.y) == list(dict.fromkeys(cov["code"]))
    assert list(main.x)[-1] == "All"
    z = np.array(main.z, dtype=float)
    codes, keys = list(main.y), list(dict.fromkeys(cov["key"]))
    for row in cov.itertuples():
        v = z[codes.index(row.code), keys.index(row.key)]
        if row.hidden is None or row.hidden != row.hidden:
            assert v == pytest.approx(row.coverage)
        else:
            assert math.isnan(v)
            # Hidden for privacy: dark grey (1); no respondents: light grey (0).
            assert grey.z[codes.index(row.code)][keys.index(row.key)] == (0 if row.hidden == "empty" else 1)
    # Required marks: one "●" per required cell in the cell labels (a dot per cell without labels); both
    # marks and grey cells have a legend entry.
    marks = sum(t.count("●") for trace in (main, grey) for row in trace.text for t in row)
    assert marks == int(cov["required"].sum()) and list(req.x) == [None]
    bare = analysis_charts.coverage_heatmap(cov, "en", cell_labels=False).data[2]
    assert len(bare.x) == int(cov["required"].sum())
    assert fig.layout.showlegend and req.showlegend and "required" in req.name
    hidden = next(t for n, t in legend.items() if n.startswith("hidden"))
    empty = legend["no respondents"]
    assert hidden.marker.color == grey.colorscale[1][1] and empty.marker.color == grey.colorscale[0][1]
    assert hidden.marker.color != empty.marker.color
    assert list(hidden.x) == [None] and hidden.showlegend  # a legend entry only, drawn nowhere


def test_heatmap_without_hidden_cells_has_no_grey_legend(con):
    cov = analysis.coverage(con, Filters(min_cell=1, staff_groups=("Executive",)), stage="Early", by="group")
    fig = analysis_charts.coverage_heatmap(cov, "th")
    assert len(fig.data) == 3 and "ต้องมี" not in fig.data[2].name and "บทบาท" in fig.data[2].name


def test_hidden_cells_never_show_value_in_hover(con):
    # k = 6: Service (5 people, a block of its own at the floor 5) is hidden as "small" on this page
    cov = analysis.coverage(con, Filters(batches=("B1",), min_cell=6), stage="Early", by="group")
    assert cov.loc[cov["key"] == "Service", "hidden"].eq(analysis.HIDDEN_SMALL).all()
    fig = analysis_charts.coverage_heatmap(cov, "th", k=6)
    spec = json.loads(fig.to_json())
    main, grey = spec["data"][0], spec["data"][1]
    i, j = list(main["y"]).index("DLit100"), [k for k in dict.fromkeys(cov["key"])].index("Service")
    assert main["customdata"][i][j][1] == ""  # coverage text of the hidden Service cell is blank
    assert "60%" not in json.dumps(spec, ensure_ascii=False)  # Service's true 3/5 appears nowhere
    assert grey["customdata"][i][j][1] == "ซ่อน: " + analysis.reason_label(analysis.HIDDEN_SMALL, "th", 6)
    assert main["hoverongaps"] is False


def test_readiness_path_and_stage_reached(con):
    f = Filters(min_cell=2)
    ready = analysis.readiness(con, f, by="agency")
    reached = analysis.stage_reached(ready, 0.8)
    fig = readiness_charts.readiness_path(ready, reached, 0.8, "en")
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.name for t in lines] == [seed.AGENCY, seed.AGENCY2, "All"]
    a2 = ready[ready["key"] == seed.AGENCY2]["readiness"].tolist()
    assert list(lines[1].y) == pytest.approx(a2)
    stars = [t for t in fig.data if t.mode == "markers"]
    assert len(stars) == 1 and list(stars[0].x) == ["Early"] and stars[0].y[0] == 1.0


def test_readiness_path_hidden_points_are_gaps(con):
    ready = analysis.readiness(con, Filters(batches=("B1",)), by="group")
    # Others: 2 people selected (n_all), in no block of >= k: hidden ("small"), covering nobody (n = 0)
    assert ready.loc[ready["key"] == "Others", "hidden"].eq(analysis.HIDDEN_SMALL).all()
    fig = readiness_charts.readiness_path(ready[ready["n_all"] > 0], None, 0.8, "th", {"Others": "อื่น"})
    others = next(t for t in fig.data if t.name == "อื่น")
    assert all(math.isnan(v) for v in others.y)
    assert all(c[1] == "" for c in others.customdata)


def test_blockers_bar_and_trend_lines(con):
    bl = analysis.blockers(con, Filters(), stage="Developing")
    fig = readiness_charts.blockers_bar(bl, "th")
    assert list(fig.data[0].y) == bl["code"].tolist()
    # The labels (above the bars) carry the (Thai) unit name after the code, shortened.
    ticks = [a.text for a in fig.layout.annotations]
    assert [t.split(" · ")[0] for t in ticks] == bl["code"].tolist()
    assert all(len(t.split(" · ")[1]) <= 40 and t.split(" · ")[1] for t in ticks)
    assert analysis_charts._short("ก" * 50).endswith("…")
    assert analysis_charts._short("ข" + "กิ" * 30)[-2:] == "ิ…"  # the vowel mark stays with its consonant
    assert list(fig.data[0].x) == pytest.approx(bl["coverage"].tolist())
    t = analysis.trends(con, Filters(), stage="Early", unit="DLit100")
    tf = analysis_charts.trend_lines(t["readiness"], "readiness", "en")
    names = [tr.name for tr in tf.data]
    assert "All" in names and "Management" not in names  # groups with no respondents are left out
    ex = next(tr for tr in tf.data if tr.name == "Executive")
    assert list(ex.x) == t["rounds"] and ex.y[1] == 1.0


def test_training_needs_bar_equals_frame_and_hides_hidden_units(con):
    # Exact figures (hand-computed in seed.py), k = 12: units required of fewer than 12 people are hidden
    needs = analysis.training_needs(con, Filters(batches=("B1",), min_cell=12, authorised=True), "Early")
    fig = analysis_charts.training_needs_bar(needs, "en", top=3)
    below, unassessed = fig.data
    shown = needs[needs["is_total"] & needs["hidden"].isna()].head(3)
    assert list(below.y) == list(shown["code"]) == ["DLit400", "DG100", "DLit100"]
    total = [int(b + u) for b, u in zip(below.x, unassessed.x)]
    assert total == shown["not_met_n"].astype(int).tolist() == [10, 10, 6]
    assert [int(u) for u in unassessed.x] == shown["not_assessed_n"].astype(int).tolist()
    assert list(fig.layout.yaxis.ticktext)[2] == "DLit100 · Digital access and awareness"
    assert fig.layout.barmode == "stack" and "Sarabun" in fig.layout.font.family
    # Hidden units (e.g. DLit300, DTr100) never reach the figure, whatever N.
    every = analysis_charts.training_needs_bar(needs, "th", top=None)
    text = json.dumps(json.loads(every.to_json()), ensure_ascii=False)
    hidden = needs[needs["is_total"] & needs["hidden"].notna()]["code"]
    assert len(hidden) == 10 and not any(f'"{c}"' in text for c in hidden)
    assert list(every.data[0].y) == ["DLit400", "DG100", "DLit100"]
    assert "ต้องพัฒนา" in every.layout.title.text and "DLit100 · " in every.layout.yaxis.ticktext[2]
