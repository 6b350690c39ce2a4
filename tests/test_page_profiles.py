"""AppTest of /profiles: deep links, persona and units of the chosen profile, one-click switching, URL kept in step."""

from __future__ import annotations

from conftest import run_page
from streamlit.testing.v1 import AppTest

from framework.catalog import Catalog


def page(**query) -> AppTest:
    return run_page("profiles.py", query=query)


def persona_block(at) -> str:
    return next(m.value for m in at.markdown if 'class="prof-persona"' in m.value)


def test_deep_link_opens_mature_service_in_english(catalog: Catalog):
    at = page(stage="Mature", group="Service", lang="en")
    assert not at.exception
    p = catalog.profile("Mature", "Service")
    assert "A leader in government services" in persona_block(at)
    assert p.persona_th in persona_block(at)
    assert at.title[0].value == "Role profile"
    labels = [e.label for e in at.expander]
    for code in p.units["code"]:
        assert any(label.startswith(f"**{code}**") for label in labels), code
    assert at.metric[0].value == str(len(p.units)) == "20"
    assert dict(at.query_params) == {"stage": "Mature", "group": "Service", "lang": "en"}
    assert at.segmented_control(key="prof_stage").value == "Mature"


def test_default_view_is_thai_early_executive_and_written_to_url(catalog: Catalog):
    at = page()
    assert not at.exception
    p = catalog.profile("Early", "Executive")
    assert p.persona_th in persona_block(at)
    assert dict(at.query_params) == {"stage": "Early", "group": "Executive", "lang": "th"}
    assert at.title[0].value == "บทบาทตามกลุ่มบุคลากร"


def test_one_click_switch_updates_view_and_url(catalog: Catalog):
    at = page(stage="Early", group="Technologist")
    assert "DT300" in " ".join(e.label for e in at.expander)
    at.segmented_control(key="prof_stage").set_value("Developing").run()
    assert not at.exception
    p = catalog.profile("Developing", "Technologist")
    assert p.persona_th in persona_block(at)
    labels = " ".join(e.label for e in at.expander)
    assert "DT300" not in labels and "DS700" in labels
    assert at.query_params["stage"] == "Developing" and at.query_params["group"] == "Technologist"


def test_language_switch_keeps_lang_in_url(catalog: Catalog):
    at = page(stage="Mature", group="Academic")
    at.radio(key="_lang_widget").set_value("English").run()
    assert not at.exception
    assert at.query_params["lang"] == "en"
    assert catalog.profile("Mature", "Academic").persona_en in persona_block(at)
    assert "Knowledge" in [s.value for s in at.subheader]


def test_unit_expander_lists_elements_and_criteria():
    at = page(stage="Early", group="Others")
    first = at.expander[0]
    text = " ".join(m.value for m in first.markdown)
    assert "DLit101" in text and "`DLit101.1`" in text and "ใช้งานฮาร์ดแวร์" in text


def test_knowledge_marks_basic_and_specific():
    at = page(stage="Developing", group="Academic")
    text = " ".join(m.value for m in at.markdown)
    assert "skills-basic" in text and "พื้นฐาน" in text and "เฉพาะ" in text


def test_bad_link_warns_in_both_languages_and_keeps_a_view():
    at = page(stage="Nonsense", group="service")
    assert not at.exception
    assert any("Nonsense" in w.value and "Early, Developing, Mature" in w.value for w in at.warning)
    assert at.query_params["group"] == "Service" and at.query_params["stage"] == "Early"


def test_handout_and_table_downloads_are_offered():
    at = page(stage="Mature", group="Service")
    buttons = {b.key: b.proto for b in at.get("download_button")}
    assert "เอกสารแจก" in buttons["prof_handout"].label
    assert buttons["prof_handout"].url.endswith(".html")
    assert "prof_units_dl_csv" in buttons


def test_presentation_mode_keeps_present_in_url():
    at = page(stage="Mature", group="Service", present="1")
    assert not at.exception
    assert at.query_params["present"] == "1"
    assert any(".prof-persona { font-size: 2.6rem" in m.value for m in at.markdown)


def test_presentation_mode_folds_the_controls_and_gives_the_profile_the_screen():
    """Issue 21: selectors, step buttons, key hint and downloads in one collapsed expander; no counts row."""
    at = page(stage="Mature", group="Service", present="1")
    panel = [e for e in at.expander if e.label == "ตัวเลือกและปุ่มควบคุม"]
    assert len(panel) == 1 and not panel[0].proto.expanded
    inside = {w.key for w in panel[0].button} | {w.key for w in panel[0].get("download_button")}
    assert {"prof_next_group", "prof_prev_stage", "prof_handout"} <= inside
    assert len(panel[0].get("button_group")) == 2  # the stage and staff-group selectors
    assert not at.metric
    normal = page(stage="Mature", group="Service")
    assert not [e for e in normal.expander if e.label == "ตัวเลือกและปุ่มควบคุม"] and len(normal.metric) == 5


def test_thai_view_has_no_english_stage_names_in_the_path_link():
    at = page(stage="Early", group="Service")
    link = next(l for l in at.get("page_link") if "pathway" in l.proto.page)
    assert link.proto.label == "ดูเส้นทางพัฒนา ระยะเริ่มแรก → ระยะสมบูรณ์ ของกลุ่มนี้"
    assert "Early" not in link.proto.label


def test_english_view_says_competency_definitions_are_thai_only(catalog):
    at = page(stage="Early", group="Technologist", lang="en")
    captions = [c.value for c in at.caption]
    assert "Competency definitions are printed in Thai only in the document." in captions
    th = page(stage="Early", group="Technologist")
    assert not any("Thai only" in c.value for c in th.caption)


def test_section2_flag_tooltip_is_translated():
    at = page(stage="Mature", group="Service")
    text = " ".join(m.value for m in at.markdown)
    assert 'title="ไม่อยู่ในหมวดที่ ๒">†' in text and "not in section 2" not in text


def test_target_levels_shown_and_set_by_hr():
    """Issue 21: each required unit's target level on the unit (the default, 3, where none is set), and the HR
    editor (local mode here: no passphrase configured) changes one: the label and the store follow."""
    from framework import db, targets
    from ui import shell

    at = page(stage="Developing", group="Executive", lang="en")
    assert not at.exception
    dt600 = next(e.label for e in at.expander if e.label.startswith("**DT600**"))
    assert dt600.endswith("target level 3")
    assert at.selectbox(key="prof_target_round").value is not None
    agency, day = at.selectbox(key="prof_target_round").value
    at.selectbox(key="prof_target_unit").set_value("DT600")
    at.segmented_control(key="prof_target_level").set_value(2)
    at.button[[b.label for b in at.button].index("Save")].click().run()
    assert not at.exception
    dt600 = next(e.label for e in at.expander if e.label.startswith("**DT600**"))
    assert dt600.endswith("target level 2")
    con = shell._connection(str(__import__("framework.paths", fromlist=["store_path"]).store_path()))
    assert targets.get(con, agency, day)[("Developing", "Executive", "DT600")] == 2
    assert db.scalar(con, "SELECT count(*) FROM store.audit_log WHERE action = 'targets'") >= 1
