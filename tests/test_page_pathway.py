"""AppTest of /pathway: one staff group across the three stages, added and dropped units, chart and table."""

from __future__ import annotations

import json

from conftest import run_page
from streamlit.testing.v1 import AppTest


def page(**query) -> AppTest:
    return run_page("pathway.py", query=query)


def html(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_technologist_path_shows_personas_and_dropped_units(catalog):
    at = page(group="Technologist")
    assert not at.exception
    text = html(at)
    for stage in ("Early", "Developing", "Mature"):
        assert catalog.profile(stage, "Technologist").persona_th in text
    assert 'chip chip-drop"><b>DT300</b> กำกับการใช้งานสถาปัตยกรรมองค์กร (Enterprise Architecture)<' in text
    assert 'chip-drop"><b>DT400</b> บริการเทคโนโลยีดิจิทัล<' in text
    assert "−2 ไม่ต้องมีแล้ว" in text and "+13 เพิ่มใหม่" in text
    assert dict(at.query_params) == {"group": "Technologist", "lang": "th"}


def test_chart_and_table_match_the_diff(catalog):
    at = page(group="Technologist", lang="en")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    dropped = next(t for t in spec["data"] if t.get("name") == "Dropped")
    assert sorted(dropped["y"]) == ["DT300", "DT400"]
    assert "Technologist" in spec["layout"]["xaxis"]["title"]["text"]  # above the stage names, not on them
    assert not spec["layout"]["title"].get("text") and spec["layout"]["xaxis"]["side"] == "top"
    table = at.dataframe[0].value
    units = table[(table["Kind"] == "Unit") & (table["Step"] == "Early → Developing")]
    d = catalog.profile_diff("Technologist", "Early", "Developing")
    assert units[units["Change"] == "Added"]["Code"].tolist() == d.units_added["code"].tolist()
    assert units[units["Change"] == "Dropped"]["Code"].tolist() == ["DT300", "DT400"]


def test_switching_group_changes_the_board_and_url(catalog):
    at = page(group="Technologist")
    at.segmented_control(key="path_group").set_value("Executive").run()
    assert not at.exception
    assert catalog.profile("Mature", "Executive").persona_th in html(at)
    assert at.query_params["group"] == "Executive"


def test_knowledge_experience_competency_changes_are_listed(catalog):
    at = page(group="Management", lang="en")
    text = html(at)
    d = catalog.profile_diff("Management", "Early", "Developing")
    for t in d.knowledge_added["text_en"]:
        assert t.replace("'", "&#x27;") in text
    assert "path-item-add" in text


def test_unknown_group_in_link_warns():
    at = page(group="Wizards")
    assert not at.exception
    assert any("Wizards" in w.value for w in at.warning)
    assert at.query_params["group"] == "Executive"


def test_each_stage_links_to_its_role_profile():
    at = page(group="Service", lang="en")
    links = [l.proto for l in at.get("page_link") if l.proto.label == "Open this profile"]
    assert [l.page for l in links] == ["profiles"] * 3
    assert [l.query_string for l in links] == [
        f"stage={s}&group=Service&lang=en" for s in ("Early", "Developing", "Mature")
    ]


def test_presentation_mode_enlarges_the_chart():
    spec = json.loads(page(group="Service", present="1").get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["font"]["size"] == 20


def test_chips_name_every_unit_and_no_drop_line_when_nothing_is_dropped(catalog):
    at = page(group="Executive", lang="en")
    text = html(at)
    for stage in ("Early", "Developing", "Mature"):
        for code, name in zip(
            catalog.profile(stage, "Executive").units["code"], catalog.profile(stage, "Executive").units["name_en"]
        ):
            if f"<b>{code}</b>" in text:
                assert f"<b>{code}</b> {name}" in text
    assert "<b>DLit100</b> " in text
    steps = [catalog.profile_diff("Executive", a, b) for a, b in (("Early", "Developing"), ("Developing", "Mature"))]
    assert all(s.units_dropped.empty for s in steps)
    assert "dropped" not in text and "−0" not in text
