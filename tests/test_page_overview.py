"""AppTest of pages/overview.py: big numbers with the demo data and the hand-computed fixture, hiding small groups."""

from __future__ import annotations

import json

from tests.fixtures.analysis import pages, seed


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_demo_data_in_thai(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    at = pages.run_page("overview.py")
    assert not at.exception
    m = metrics(at)
    # one agency by default (the first of the two), its latest round: not both agencies (2,216), not 4,616 pooled
    assert m["ผู้ตอบ"] == "1,394" and m["หน่วยงาน"] == "1"
    assert any(label.startswith("ความพร้อม · ") for label in m)
    assert len(at.get("plotly_chart")) == 1
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(spec["data"][0]["y"]) == 5
    assert any("วิธีคำนวณ" in e.label for e in at.expander)


def test_fixture_figures_in_english(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("overview.py", lang="en")
    assert not at.exception
    m = metrics(at)
    assert m["Respondents"] == "13"
    assert m["Readiness · Early"] == f"{(13 / 9 + 10 / 8 + 1 / 5) / 13:.0%}"
    assert m["Stage reached (target 80%)"] == "none yet"
    assert at.selectbox(key="ov_stage").value == "Early"
    # Local mode (no passphrase configured): exact figures; every required unit has 5 or more people, so
    # none is hidden from the blocker ranking.
    assert not any("hidden and not ranked" in c.value for c in at.caption)
    # At k = 6, DLit300 and DLit700 (required of the 5 Service staff only) are hidden and counted on screen.
    at = pages.run_page("overview.py", lang="en", ov_min_cell=6)
    assert not at.exception
    assert any("2 units are hidden and not ranked: fewer than 6" in c.value for c in at.caption)


def test_small_group_is_hidden_not_zero(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("overview.py", lang="en", ov_staff_groups=["Others"])
    assert not at.exception
    m = metrics(at)
    assert m["Respondents"] == "2"
    assert m["Readiness · Early"] == "hidden" and m["Stage reached (target 80%)"] == "hidden"
    assert any("Fewer than 5 respondents" in w.value for w in at.warning)


def test_empty_store_says_so(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, tmp_path / "empty.duckdb")
    monkeypatch.setenv("SKILLS_DEMO", "0")  # otherwise the shell loads the demo into a never-used store
    at = pages.run_page("overview.py", lang="en")
    assert not at.exception
    assert any("No survey data yet" in i.value for i in at.info)


def test_next_step_and_gap_to_target(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("overview.py", lang="en")
    assert not at.exception
    ready = (13 / 9 + 10 / 8 + 1 / 5) / 13  # 25%: 55 points under the 80% target
    box = " ".join(i.value for i in at.info)
    assert f"raise readiness at Early from {ready:.0%} to the 80% target" in box
    assert f"{round((0.8 - ready) * 100)} points to go" in box and "start with " in box
    first = next(m for m in at.metric if m.label == "Readiness · Early")
    assert first.delta == f"{round((ready - 0.8) * 100):+d} pp vs 80% target"
    th = pages.run_page("overview.py")
    assert any("ขั้นต่อไป" in i.value for i in th.info)


def test_stage_choice_and_filters_carry_to_other_pages(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.two_rounds))
    at = pages.run_page("overview.py", lang="en", ov_stage="Mature", ov_agencies=[seed.AGENCY2], ov_threshold=2)
    assert not at.exception
    assert metrics(at)["Respondents"] == "5"
    at.switch_page("pages/coverage.py")
    at.run()
    assert not at.exception
    assert at.selectbox(key="cov_stage").value == "Mature"
    assert at.multiselect(key="cov_agencies").value == [seed.AGENCY2]
    assert at.select_slider(key="cov_threshold").value == 2
    # No "default value but also set via the Session State API" warning from seeding the widgets.
    assert not any("Session State" in w.value for w in at.warning)
