"""The coverage change heatmap: its cells are the framework's change frame (points), hidden cells print "—"
and carry no value, the scale diverges around 0; the coverage page draws it when the change toggle is on."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framework import analysis, db
from framework.outputs import analysis_charts
from tests.fixtures.analysis import pages


@pytest.fixture(scope="module")
def change(tmp_path_factory):
    """The demo's change frame (two rounds per agency); k = 70 hides the Executives (68 this round), so shown
    and hidden cells both occur."""
    from conftest import demo_copy

    con = db.connect(demo_copy(tmp_path_factory.mktemp("change") / "demo.duckdb"), read_only=True)
    try:
        return analysis.coverage_change(con, {"min_cell": 70}, stage="Developing", by="group")
    finally:
        con.close()


def test_change_heatmap_equals_the_frame(change):
    assert change["change"].notna().any() and change["change"].isna().any()  # both kinds of cell
    fig = analysis_charts.coverage_change_heatmap(change, "en", {"Executive": "Executive"})
    main, grey = fig.data[:2]
    assert main.zmid == 0 and main.colorscale is not None
    codes, keys = list(main.y), list(dict.fromkeys(change["key"]))
    assert codes == list(dict.fromkeys(change.sort_values("unit_ord", kind="stable")["code"]))
    for row in change.itertuples():
        i, j = codes.index(row.code), keys.index(row.key)
        v, text = main.z[i][j], main.text[i][j]
        if pd.isna(row.change):
            assert v is None and text == "—" and grey.z[i][j] == 1 and grey.text[i][j] == "—"
        else:
            assert v == pytest.approx(row.change) and grey.z[i][j] is None
            r = round(row.change)
            assert text == (f"+{r}" if r > 0 else f"\u2212{-r}" if r < 0 else "0")


def test_change_heatmap_hover_gives_both_rounds(change):
    fig = analysis_charts.coverage_change_heatmap(change, "en")
    main = fig.data[0]
    shown = change[change["change"].notna()].iloc[0]
    i, j = list(main.y).index(shown["code"]), list(dict.fromkeys(change["key"])).index(shown["key"])
    custom = main.customdata[i][j]
    from framework.analysis.rounds import date_text

    assert date_text(str(shown["round"]).split("+")[0], "en") in custom[2]
    assert date_text(str(shown["round_prev"]).split("+")[0], "en") in custom[3]
    assert "previous round" in main.hovertemplate


def test_points_text_uses_a_true_minus_and_rounds():
    assert [analysis_charts._points(v) for v in (7.4, -3.2, 0.2, -0.4)] == ["+7", "\u22123", "0", "0"]


def test_coverage_page_change_toggle_draws_the_heatmap(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    at = pages.run_page("coverage.py", lang="en", cov_stage="Developing")
    assert not at.exception and len(at.get("plotly_chart")) == 1  # off: the coverage heatmap only
    at = pages.run_page("coverage.py", lang="en", cov_stage="Developing", cov_change=True)
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    change = [s for s in charts if s["data"][0].get("zmid") == 0]
    assert len(change) == 1 and change[0]["data"][0]["type"] == "heatmap"
    assert len(change[0]["data"][0]["y"]) == 39
    assert "Change in coverage" in change[0]["layout"]["title"]["text"]
    table = at.dataframe[0].value  # the same figures as a table below
    assert list(table.index) == change[0]["data"][0]["y"]
