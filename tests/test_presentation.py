"""Presentation mode (?present=1): a labelled way out, a full-screen switch, keyboard steps on /profiles."""

from __future__ import annotations

from conftest import run_page

from framework.catalog import STAFF_GROUPS, STAGES


def test_exit_control_is_labelled_and_leaves_presentation_mode():
    at = run_page("profiles.py", query={"stage": "Mature", "group": "Service", "present": "1"})
    assert not at.exception
    exit_button = at.button(key="present_exit")
    assert exit_button.label == "ออกจากโหมดนำเสนอ"
    assert any('id="skills-fullscreen"' in h.proto.body and "requestFullscreen" in h.proto.body for h in at.html)
    exit_button.click().run()
    assert not at.exception
    assert "present" not in at.query_params
    assert at.session_state["present"] is False and at.session_state["_present_widget"] is False
    assert not any(b.key == "present_exit" for b in at.button)
    assert not any("skills-fullscreen" in h.proto.body for h in at.html)
    # the page keeps its view after leaving
    assert at.query_params["stage"] == "Mature" and at.query_params["group"] == "Service"


def test_exit_control_in_english_and_absent_outside_presentation():
    at = run_page("requirements.py", query={"present": "1", "lang": "en"})
    assert at.button(key="present_exit").label == "Exit presentation"
    normal = run_page("requirements.py")
    assert not any(b.key == "present_exit" for b in normal.button)


def test_keyboard_steps_target_staff_groups_and_stages():
    at = run_page("profiles.py", query={"stage": "Early", "group": "Others", "present": "1"})
    keys = {b.key: b.proto.shortcut for b in at.button if b.proto.shortcut}
    assert keys == {
        "prof_prev_group": "left",
        "prof_next_group": "right",
        "prof_prev_stage": "up",
        "prof_next_stage": "down",
    }
    at.button(key="prof_next_group").click().run()  # wraps round to the first group
    assert at.query_params["group"] == STAFF_GROUPS[0] and at.query_params["present"] == "1"
    at.button(key="prof_prev_stage").click().run()  # wraps round to the last stage
    assert at.query_params["stage"] == STAGES[-1]
    at.button(key="prof_next_stage").click().run()
    assert at.query_params["stage"] == STAGES[0]
    at.button(key="prof_prev_group").click().run()
    assert at.query_params["group"] == STAFF_GROUPS[-1]
    assert at.segmented_control(key="prof_group").value == STAFF_GROUPS[-1]


def test_no_arrow_key_buttons_outside_presentation_mode():
    at = run_page("profiles.py", query={"stage": "Early", "group": "Others"})
    assert not any(b.key.startswith("prof_next") for b in at.button)
