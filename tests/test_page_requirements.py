"""AppTest of /requirements: heatmap per stage equal to the requirement matrix, counts matrix beside it."""

from __future__ import annotations

import json

from conftest import run_page
from streamlit.testing.v1 import AppTest

from framework.catalog import STAFF_GROUPS, STAGES


def page(**query) -> AppTest:
    return run_page("requirements.py", query=query)


def specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_default_mature_heatmap_equals_matrix(catalog):
    at = page()
    assert not at.exception
    heat, counts = specs(at)
    m = catalog.requirement_matrix("Mature")
    expected = m.pivot(index="unit_code", columns="staff_group", values="required").astype(int)
    expected = expected.loc[catalog.unit_codes(), list(STAFF_GROUPS)]
    assert heat["data"][0]["z"] == expected.to_numpy().tolist()
    assert heat["data"][0]["x"][0] == "ผู้บริหารระดับสูง"
    assert "Loma" in heat["layout"]["font"]["family"]
    assert counts["data"][0]["z"][1][2] == 25  # Management (row) at Mature (column)
    assert counts["data"][0]["y"][4] == "ผู้ปฏิบัติงานเฉพาะด้านเทคโนโลยี" and counts["data"][0]["x"][0] == "ระยะเริ่มแรก"
    assert dict(at.query_params) == {"stage": "Mature", "lang": "th"}
    table = at.dataframe[0].value
    assert list(table.columns) == ["ระยะเริ่มแรก", "ระยะกำลังพัฒนา", "ระยะสมบูรณ์"]
    assert table.loc["ผู้ปฏิบัติงานเฉพาะด้านเทคโนโลยี", "ระยะเริ่มแรก"] == 16
    assert table.loc["ผู้บริหารกอง", "ระยะสมบูรณ์"] == 25


def test_all_three_stages_in_english(catalog):
    at = page(stage="all", lang="en")
    assert not at.exception
    got = specs(at)
    assert len(got) == 4
    for spec, stage in zip(got[:3], STAGES):
        assert stage in spec["layout"]["xaxis"]["title"]["text"]
        assert sum(map(sum, spec["data"][0]["z"])) == int(
            catalog.profile_unit_counts().query("stage == @stage")["units"].sum()
        )
    assert got[0]["data"][0]["x"] == list(STAFF_GROUPS)
    # Three side-by-side panels stand their column labels upright so they cannot overlap.
    assert all(spec["layout"]["xaxis"]["tickangle"] == -90 for spec in got[:3])
    assert "enterprise architecture" in " ".join(got[0]["data"][0]["text"][catalog.unit_codes().index("DT300")])


def test_stage_selector_switches_panel():
    at = page(stage="Early")
    at.segmented_control(key="req_stage").set_value("Developing").run()
    assert not at.exception
    assert "ระยะกำลังพัฒนา" in specs(at)[0]["layout"]["xaxis"]["title"]["text"]
    assert at.query_params["stage"] == "Developing"


def test_presentation_mode_enlarges_chart_type():
    normal, present = specs(page(stage="Early")), specs(page(stage="Early", present="1"))
    assert normal[0]["layout"]["font"]["size"] == 14 and present[0]["layout"]["font"]["size"] == 20
    assert present[1]["layout"]["font"]["size"] == 20


def test_unknown_stage_warns():
    at = page(stage="Later")
    assert not at.exception
    assert any("Later" in w.value for w in at.warning)


def test_single_stage_heatmap_takes_the_full_width_with_level_wrapped_labels():
    at = page(stage="Developing")
    assert not at.exception
    in_columns = [c.proto.spec for col in at.columns for c in col.get("plotly_chart")]
    heat, counts = at.get("plotly_chart")
    assert heat.proto.spec not in in_columns  # not squeezed into half the page any more
    assert counts.proto.spec in in_columns
    axis = json.loads(heat.proto.spec)["layout"]["xaxis"]
    assert axis["tickangle"] == 0
    assert axis["tickvals"] == [n for n in json.loads(heat.proto.spec)["data"][0]["x"]]
    long_label = axis["ticktext"][axis["tickvals"].index("ผู้ทำงานด้านนโยบายและงานวิชาการ")]
    assert long_label.replace("<br>", "") == "ผู้ทำงานด้านนโยบายและงานวิชาการ" and "<br>" in long_label


def test_three_panels_keep_upright_labels():
    heats = specs(page(stage="all"))[:3]
    assert all(h["layout"]["xaxis"]["tickangle"] == -90 for h in heats)
