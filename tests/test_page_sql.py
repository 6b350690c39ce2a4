"""AppTest of /sql: tables listed, a query runs with row count and time, refusals shown in both languages."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import FIXTURES, run_page
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(FIXTURES / "export"))
from export_seed import seed


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A seeded store of its own (the page's cached connection is keyed by the store path)."""
    path = tmp_path / "sql-store.duckdb"
    seed(path)
    monkeypatch.setenv("SKILLS_DB", str(path))
    return path


def page(lang: str = "th", **state) -> AppTest:
    return run_page("sql.py", state={"lang": lang, **state})


def run_query(at: AppTest, query: str) -> AppTest:
    at.text_area(key="sql_query").input(query).run()
    return at.button(key="sql_run").click().run()


def test_lists_tables_and_runs_the_default_example(store):
    at = page("en")
    assert not at.exception
    assert at.title[0].value == "Analyst SQL"
    tables = at.selectbox(key="sql_table").options
    assert {"units", "criteria", "requirement_matrix", "coverage", "readiness"} <= set(tables)
    at = at.button(key="sql_run").click().run()
    assert not at.exception and not at.error
    rows, took = (m.value for m in at.metric)
    assert rows == "7" and took.endswith("ms")
    result = at.dataframe[-1].value
    assert result["units"].sum() == 39
    buttons = [b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")]
    assert buttons == ["sql_dl_csv", "sql_dl_xlsx", "sql_dl_parquet"]


def test_example_picker_fills_the_editor(store):
    at = page("en")
    titles = at.selectbox(key="sql_example").options
    at.selectbox(key="sql_example").set_value(titles[3]).run()
    at.button(key="sql_use_example").click().run()
    assert "FROM criteria" in at.text_area(key="sql_query").value
    at.button(key="sql_run").click().run()
    assert "ข้อมูล" in "".join(at.dataframe[-1].value["text_th"])


@pytest.mark.parametrize(
    "query, th_word, en_word",
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "ไฟล์", "files"),
        ("COPY units TO '/tmp/x.csv'", "SELECT", "COPY"),
        ("ATTACH '/tmp/x.duckdb' AS x", "SELECT", "ATTACH"),
        ("DROP TABLE units", "SELECT", "DROP"),
        ("SELECT 1; SELECT 2", "หนึ่งคำสั่ง", "one SELECT"),
    ],
)
def test_refusals_are_bilingual(store, query, th_word, en_word):
    at = run_query(page("th"), query)
    assert not at.exception
    assert th_word in at.error[0].value
    at.session_state["lang"] = "en"
    at.run()
    assert en_word in at.error[0].value
    assert not at.metric  # no stale result next to the error


def test_truncation_warning_and_row_limit(store):
    at = page("en", sql_limit=10)
    at = run_query(at, "SELECT * FROM criteria")
    assert len(at.dataframe[-1].value) == 10
    assert at.metric[0].value == "10+"
    assert "first 10 rows" in at.warning[0].value


def test_row_level_tables_need_the_passphrase(store, monkeypatch):
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "ลับ")
    at = page("en")
    assert "responses" not in at.selectbox(key="sql_table").options
    at = run_query(at, "SELECT * FROM responses")
    assert "failed" in at.error[0].value
    at.text_input(key="sql_passphrase").input("wrong").run()
    assert any("Wrong HR passphrase" in e.value for e in at.error)
    at.text_input(key="sql_passphrase").input("ลับ").run()
    assert "responses" in at.selectbox(key="sql_table").options
    at = run_query(at, "SELECT count(*) AS n FROM responses")
    assert at.dataframe[-1].value["n"].iloc[0] == 7


def test_k_cannot_be_lowered_without_passphrase(store, monkeypatch):
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "ลับ")
    at = page("en", sql_min_cell=2)
    assert at.number_input(key="sql_min_cell").value == 5


def test_k_floor_is_the_configured_one(store, monkeypatch):
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "ลับ")
    monkeypatch.setenv("SKILLS_MIN_CELL_FLOOR", "7")
    at = page("en", sql_min_cell=5)
    assert not at.exception and at.number_input(key="sql_min_cell").value == 7
    at = page("en", sql_min_cell=2, sql_passphrase="ลับ")  # HR's lowest k: min(3, floor), as everywhere
    assert not at.exception and at.number_input(key="sql_min_cell").value == 3


def test_result_cleared_when_access_or_settings_change(store, monkeypatch):
    """A row-level result must not stay on screen (or exportable) after the passphrase is removed."""
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "ลับ")
    at = page("en", sql_passphrase="ลับ")
    at = run_query(at, "SELECT respondent_id FROM responses")
    assert len(at.dataframe[-1].value) == 7 and at.get("download_button")
    at.button(key="sql_passphrase_lock").click().run()  # HR locks the page again
    assert not at.metric and not at.get("download_button")
    assert any("press 'Run' again" in i.value for i in at.info)
    at = run_query(at, "SELECT count(*) AS n FROM units")
    at.select_slider(key="sql_threshold").set_value(2).run()
    assert not at.metric


def test_export_names_and_states_row_level_access(store, monkeypatch):
    from streamlit.runtime.media_file_manager import MediaFileManager

    names = []
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        names.append(file_name)
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "ลับ")
    run_query(page("en"), "SELECT 1 AS x")
    assert names and all(re.fullmatch(r"sql_data_[0-9a-f]{8}\.[a-z.]+", n) for n in names)  # aggregates only
    names.clear()
    run_query(page("en", sql_passphrase="ลับ"), "SELECT 1 AS x")
    assert names and all(n.startswith("sql_row-level_data_") for n in names)


def test_units_is_the_first_table_shown(store):
    at = page("en")
    assert at.selectbox(key="sql_table").value == "units"
    assert "code" in at.dataframe[0].value.iloc[:, 0].tolist()
