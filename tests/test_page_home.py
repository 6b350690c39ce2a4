"""AppTest of the home page: title, the 7 groups with unit counts, the 18 profile counts, language switch."""

from __future__ import annotations

from conftest import run_page
from streamlit.testing.v1 import AppTest


def run(**state) -> AppTest:
    return run_page(state=state)


def test_home_in_thai():
    at = run()
    assert not at.exception
    assert at.title[0].value == "ภาพรวมกรอบทักษะด้านดิจิทัล"
    assert "ทักษะด้านดิจิทัลของข้าราชการ" in at.subheader[0].value
    assert [m.value for m in at.metric][-5:] == ["7", "39", "115", "400", "18"]
    groups = at.dataframe[0].value
    assert groups.iloc[:, 0].tolist() == ["DLit", "DG", "DT", "DS", "SPM", "DL", "DTr"]
    assert groups.iloc[:, 2].tolist() == [7, 6, 7, 7, 6, 3, 3]
    counts = at.dataframe[1].value
    assert counts.loc["ผู้ปฏิบัติงานเฉพาะด้านเทคโนโลยี", "ระยะเริ่มแรก"] == 16
    assert counts.loc["ผู้บริหารกอง", "ระยะสมบูรณ์"] == 25
    assert int(counts.to_numpy().sum()) == 286


def test_home_in_english_via_switch():
    at = run()
    at.radio(key="_lang_widget").set_value("English").run()
    assert not at.exception
    assert at.title[0].value == "The digital-skills framework at a glance"
    counts = at.dataframe[1].value
    assert list(counts.index) == ["Executive", "Management", "Academic", "Service", "Technologist", "Others"]
    assert list(counts.columns) == ["Early", "Developing", "Mature"]
    assert counts.loc["Technologist", "Developing"] == 27


def test_home_language_from_url():
    at = run_page(query={"lang": "en"})
    assert at.title[0].value == "The digital-skills framework at a glance"
    assert at.session_state["lang"] == "en"


def test_menu_lists_pages_with_readable_labels():
    at = run(lang="en")
    labels = [link.label for link in at.get("page_link")]
    assert "Framework at a glance" in labels
    assert all(not label.endswith(".py") for label in labels)


def test_errata_are_shown():
    at = run(lang="en")
    assert any("Corrections made to the source document" in e.label for e in at.expander)
    errata = at.dataframe[2].value
    assert len(errata) >= 50 and "DS102" in set(errata["row_key"])


def test_fresh_store_gets_the_demo_survey_once(tmp_path, monkeypatch):
    from framework.store import SurveyStore

    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "fresh.duckdb"))
    assert not run().exception
    from ui import shell

    batches = SurveyStore(shell.connection()).batches()
    assert len(batches) >= 1 and batches["is_demo"].all()


def test_demo_can_be_turned_off(tmp_path, monkeypatch):
    from framework.store import SurveyStore

    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "prod.duckdb"))
    monkeypatch.setenv("SKILLS_DEMO", "0")
    assert not run().exception
    from ui import shell

    assert SurveyStore(shell.connection()).batches().empty


def test_links_to_each_of_the_18_profiles():
    at = run(lang="en")
    links = [link.proto for link in at.get("page_link") if link.proto.query_string]
    assert len(links) == 18 and {p.page for p in links} == {"profiles"}
    by_query = {p.query_string: p.label for p in links}
    assert by_query["stage=Early&group=Technologist&lang=en"] == "Technologist · 16 units"
    assert by_query["stage=Mature&group=Management&lang=en"] == "Management · 25 units"


def test_a_locked_store_keeps_framework_pages_and_explains_on_survey_pages(tmp_path, monkeypatch):
    import subprocess
    import sys

    path = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(60)"),
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        monkeypatch.setenv("SKILLS_DB", str(path))
        at = run(lang="en")  # the framework pages do not need the store
        assert not at.exception
        assert [m.value for m in at.metric] == ["7", "39", "115", "400", "18"]
        assert len(at.dataframe) >= 2  # the whole framework part is drawn before the survey box stops
        assert [e.value for e in at.error if "Cannot open the survey store" in e.value]  # said in the survey box
        at = run_page("overview.py", state={"lang": "en"})
        assert not at.exception
        assert any("Cannot open the survey store" in e.value for e in at.error)
    finally:
        holder.kill()
        holder.wait()


def test_home_headline_is_the_latest_round_of_each_agency():
    from framework import analysis

    at = run()
    assert not at.exception
    con = shell_connection()
    first = min(analysis.filter_options(con)["agencies"])  # two agencies: one, the first, by default
    assert at.markdown and any(f"ผลสำรวจล่าสุดของ {first}" in m.value for m in at.markdown)
    assert analysis.rounds.has_previous(con, {})  # the demo has earlier rounds: the headline is not all of them
    ov = analysis.overview(con, {"agencies": [first]})  # the latest round of that agency
    pooled = analysis.overview(con, {"agencies": [first], "round": "all"})
    assert ov["counts"]["respondents"] < pooled["counts"]["respondents"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["ผู้ตอบ"] == f"{ov['counts']['respondents']:,}"
    stage_th = dict(zip(*[analysis_stage_names()[k] for k in ("key", "name_th")]))[ov["stage"]]
    assert metrics[f"ความพร้อม · {stage_th}"] == f"{ov['readiness']:.0%}"
    assert any(analysis.rounds.describe(con, {"agencies": [first]}, "th") in c.value for c in at.caption)
    assert any(link.proto.page.endswith("overview") or "overview" in link.proto.page for link in at.get("page_link"))


def test_home_headline_equals_the_overview_on_the_demo(tmp_path, monkeypatch):
    from tests.fixtures.analysis import pages

    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    home = {m.label: m for m in run(lang="en").metric}
    overview = {m.label: m for m in pages.run_page("overview.py", lang="en").metric}
    # one agency by default (the first of two: กรมตัวอย่างดิจิทัล, Developing, 1,394 in its latest round)
    assert home["Respondents"].value == overview["Respondents"].value == "1,394"
    assert home["Readiness · Developing"].value == overview["Readiness · Developing"].value == "78%"
    assert home["Readiness · Developing"].delta == overview["Readiness · Developing"].delta
    assert home["Readiness · Developing"].delta.endswith("pts since 30 Jun 2024")
    at = run(lang="en")
    assert any("Latest round of 30 Jun 2025" in c.value and "demo data" in c.value for c in at.caption)
    # Local mode: both exact (the hand-computed fixture: the Others' 2, in no disclosure block, count too)
    from tests.fixtures.analysis import seed

    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    home = {m.label: m.value for m in run(lang="en").metric}
    overview = {m.label: m.value for m in pages.run_page("overview.py", lang="en").metric}
    assert home["Readiness · Early"] == overview["Readiness · Early"] == f"{(13 / 9 + 10 / 8 + 1 / 5) / 13:.0%}"


def test_home_without_a_survey_says_so_and_links_to_upload(monkeypatch, tmp_path):
    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("SKILLS_DEMO", "0")
    at = run_page(query={"lang": "en"})
    assert not at.exception
    assert any("No survey is loaded yet" in i.value for i in at.info)
    assert any("upload" in link.proto.page for link in at.get("page_link"))
    assert [m.value for m in at.metric] == ["7", "39", "115", "400", "18"]  # the framework still shows


def test_profile_links_are_allowed_to_wrap():
    at = run()
    css = next(m.value for m in at.markdown if "home_profiles" in m.value)
    assert "white-space: normal" in css
    labels = [link.proto.label for link in at.get("page_link") if "·" in link.proto.label]
    assert len(labels) == 18 and all(label.endswith("หน่วย") for label in labels)


def shell_connection():
    from ui import shell

    return shell.connection()  # the app's own cached connection (one process cannot attach the file twice)


def analysis_stage_names():
    from framework import db
    from framework.catalog import Catalog

    return Catalog(db.connect()).stages()
