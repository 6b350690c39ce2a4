"""Chart builders: the figures show exactly the catalogue's requirement matrix, counts and path, in Thai fonts."""

from __future__ import annotations

import json

import pytest

from framework.catalog import STAFF_GROUPS, STAGES
from framework.catalog import profiles as pv
from framework.outputs import charts


@pytest.fixture(scope="module")
def matrix(catalog):
    return catalog.requirement_matrix()


@pytest.mark.parametrize("stage", STAGES)
def test_heatmap_z_equals_requirement_matrix_pivot(catalog, matrix, stage):
    fig = charts.requirement_heatmap(matrix, stage, "th", pv.names(catalog, "th"))
    heat = fig.data[0]
    m = matrix[matrix["stage"] == stage]
    expected = m.pivot(index="unit_code", columns="staff_group", values="required").astype(int)
    expected = expected.loc[catalog.unit_codes(), list(STAFF_GROUPS)]
    assert list(heat.y) == catalog.unit_codes()
    assert [list(r) for r in heat.z] == expected.to_numpy().tolist()
    assert sum(map(sum, heat.z)) == int(catalog.profile_unit_counts().query("stage == @stage")["units"].sum())


def test_heatmap_labels_and_hover_follow_language(catalog, matrix):
    th = charts.requirement_heatmap(matrix, "Mature", "th", pv.names(catalog, "th"))
    en = charts.requirement_heatmap(matrix, "Mature", "en", pv.names(catalog, "en"))
    assert list(en.data[0].x) == list(STAFF_GROUPS)
    assert next(iter(th.data[0].x)) == "ผู้บริหารระดับสูง"
    row = catalog.unit_codes().index("DT300")
    assert "DT300" in th.data[0].text[row][0] and "สถาปัตยกรรมองค์กร" in th.data[0].text[row][0]
    assert "enterprise architecture" in en.data[0].text[row][0] and "Required" in en.data[0].text[row][0]
    assert "ระยะสมบูรณ์" in th.layout.xaxis.title.text


def test_heatmap_draws_a_line_between_capability_groups(catalog, matrix):
    fig = charts.requirement_heatmap(matrix, "Early", "en")
    assert len(fig.layout.shapes) == len(catalog.groups()) - 1


def test_heatmap_names_each_capability_group_beside_its_band(catalog, matrix):
    fig = charts.requirement_heatmap(matrix, "Mature", "th", pv.names(catalog, "th"))
    notes = [(a.text, a.y) for a in fig.layout.annotations]
    units = catalog.units()
    assert [t for t, _ in notes] == [f"<b>{k}</b>" for k in catalog.groups()["key"]]
    codes = catalog.unit_codes()
    for (text, y), key in zip(notes, catalog.groups()["key"]):
        rows = [codes.index(c) for c in units.loc[units["group_key"] == key, "code"]]
        assert min(rows) <= y <= max(rows)
    assert fig.layout.annotations[0].x == 1 and fig.layout.annotations[0].xanchor == "left"


def test_heatmap_labels_never_clip_or_overlap(matrix):
    wide = charts.requirement_heatmap(matrix, "Early", "th")
    compact = charts.requirement_heatmap(matrix, "Early", "th", compact=True)
    assert wide.layout.xaxis.automargin and compact.layout.xaxis.automargin
    assert wide.layout.xaxis.tickangle == -90 and compact.layout.xaxis.tickangle == -90
    assert wide.layout.margin.r >= 60  # room for the group keys on the right
    # The title is the top axis's title, so automargin stacks it above the labels instead of over them.
    assert compact.layout.xaxis.title.text == "<b>Early</b>" and not wide.layout.title.text
    assert "Required units" in charts.requirement_heatmap(matrix, "Early", "en").layout.xaxis.title.text


def test_presentation_font_size_grows_every_chart(catalog, matrix):
    counts = catalog.profile_unit_counts()
    units = pv.pathway(catalog, "Service").units
    for build in (
        lambda fs: charts.requirement_heatmap(matrix, "Early", "th", font_size=fs),
        lambda fs: charts.profile_count_matrix(counts, "th", font_size=fs),
        lambda fs: charts.pathway_chart(units, "th", font_size=fs),
    ):
        small, large = build(14), build(20)
        assert small.layout.font.size == 14 and large.layout.font.size == 20
        title_font = lambda f: f.layout.xaxis.title.font.size or f.layout.title.font.size
        assert title_font(large) > title_font(small)


def test_count_matrix_equals_profile_unit_counts(catalog):
    counts = catalog.profile_unit_counts()
    fig = charts.profile_count_matrix(counts, "en", pv.names(catalog, "en"))
    expected = counts.pivot(index="staff_group", columns="stage", values="units").loc[list(STAFF_GROUPS), list(STAGES)]
    assert [list(r) for r in fig.data[0].z] == expected.to_numpy().tolist()
    assert list(fig.data[0].y) == list(STAFF_GROUPS) and list(fig.data[0].x) == list(STAGES)
    assert fig.data[0].z[4][0] == 16 and fig.data[0].z[1][2] == 25
    assert "Early · Technologist: 16 units" in fig.data[0].customdata[4][0]


def test_pathway_chart_marks_dropped_units(catalog):
    path = pv.pathway(catalog, "Technologist")
    fig = charts.pathway_chart(path.units, "en", pv.names(catalog, "en"))
    by_name = {t.name: t for t in fig.data if t.mode == "markers"}
    dropped = by_name["Dropped"]
    assert sorted(zip(dropped.y, dropped.x)) == [("DT300", "Developing"), ("DT400", "Developing")]
    added_mature = [y for y, x in zip(by_name["Added"].y, by_name["Added"].x) if x == "Mature"]
    assert added_mature == path.steps[1].units_added["code"].tolist()
    required_early = [y for y, x in zip(by_name["Required"].y, by_name["Required"].x) if x == "Early"]
    assert required_early == path.profiles["Early"].units["code"].tolist()
    # One legend entry for the blue circle (required / still required), one each for added and dropped.
    legend = [t.name for t in fig.data if t.mode == "markers" and t.showlegend is not False]
    assert legend == ["Required", "Added", "Dropped"]
    assert by_name["Still required"].legendgroup == by_name["Required"].legendgroup


def test_every_figure_uses_a_thai_font_and_serialises(catalog, matrix):
    counts = catalog.profile_unit_counts()
    figs = [
        charts.requirement_heatmap(matrix, "Early", "th"),
        charts.profile_count_matrix(counts, "th"),
        charts.pathway_chart(pv.pathway(catalog, "Service").units, "th"),
    ]
    for fig in figs:
        family = fig.layout.font.family
        assert "Loma" in family and "Garuda" in family
        spec = json.loads(fig.to_json())
        assert spec["layout"]["font"]["family"] == family
