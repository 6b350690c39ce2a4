"""The survey store: atomic ingest, duplicate files, batches, delete, demo loading."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import FIXTURES

from framework.store import RESPONSE_KEYS, SurveyStore
from framework.survey import SurveyFileError

F = FIXTURES / "surveys"


@pytest.fixture
def store(store_con, catalog):
    return SurveyStore(store_con, catalog)


def counts(store):
    c = store.con.cursor()
    return (
        c.execute("SELECT count(*) FROM store.batches").fetchone()[0],
        c.execute("SELECT count(*) FROM store.responses").fetchone()[0],
    )


def test_schema_matches_the_contract(store, catalog):
    cols = store.con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'store' AND table_name = 'responses'"
    ).fetchall()
    names = [c for c, _ in cols]
    assert tuple(names[: len(RESPONSE_KEYS)]) == RESPONSE_KEYS
    assert names[len(RESPONSE_KEYS) :] == catalog.unit_codes()
    assert {t for c, t in cols if c in catalog.unit_codes()} == {"UTINYINT"}


def test_batch_metadata(store):
    res = store.ingest(F / "wide_utf8_comma.csv", agency="กรมทดสอบ", stage="ระยะกำลังพัฒนา", round_date="2025-06-30")
    b = store.batches().iloc[0]
    assert b["batch_id"] == res.batch_id and b["file_name"] == "wide_utf8_comma.csv"
    assert b["agency"] == "กรมทดสอบ" and b["stage"] == "Developing"
    assert b["round_date"].date() == dt.date(2025, 6, 30) and len(b["content_hash"]) == 64
    assert (b["rows_read"], b["accepted"], b["rejected"], bool(b["is_demo"])) == (3, 3, 0, False)
    assert b["encoding"] == "utf-8" and b["source_format"] == "wide"


def test_same_file_twice_is_not_double_counted(store, tmp_path):
    first = store.ingest(F / "wide_utf8_comma.csv")
    copy = tmp_path / "renamed.csv"
    copy.write_bytes((F / "wide_utf8_comma.csv").read_bytes())
    again = store.ingest(copy)
    assert again.duplicate and not first.duplicate and again.batch_id == first.batch_id
    assert counts(store) == (1, 3)
    # Nothing stored this time: the counts are this upload's (0), the earlier batch's are kept apart.
    assert (again.accepted, again.rejected, again.respondents) == (0, 0, 0)
    assert (again.earlier["accepted"], again.earlier["rejected"]) == (first.accepted, first.rejected)
    assert "nothing counted again: 0 rows accepted" in again.duplicate_message()[1]


def test_failure_midway_leaves_store_exactly_as_it_was(store, monkeypatch):
    store.ingest(F / "wide_utf8_comma.csv")
    before = store.con.execute("SELECT * FROM store.responses ORDER BY respondent_id").fetchall()
    real = SurveyStore._insert_responses

    def half_then_fail(self, cur, *args, **kwargs):
        real(self, cur, *args, **kwargs)  # the batch row and its responses are written ...
        assert cur.execute("SELECT count(*) FROM store.responses").fetchone()[0] > 3
        raise OSError("disk full")  # ... then the import fails

    monkeypatch.setattr(SurveyStore, "_insert_responses", half_then_fail)
    with pytest.raises(OSError):
        store.ingest(F / "wide_utf8bom_semicolon_th.csv")
    assert counts(store) == (1, 3)
    assert store.con.execute("SELECT * FROM store.responses ORDER BY respondent_id").fetchall() == before
    monkeypatch.undo()
    res = store.ingest(F / "wide_utf8bom_semicolon_th.csv")  # and the file can be imported afterwards
    assert res.accepted == 6 and counts(store) == (2, 9)


def test_delete_removes_batch_and_responses(store):
    a = store.ingest(F / "wide_utf8_comma.csv")
    b = store.ingest(F / "long_utf8.csv")
    assert store.delete(a.batch_id) is True
    assert store.delete(a.batch_id) is False
    assert store.batches()["batch_id"].tolist() == [b.batch_id]
    assert counts(store) == (1, 2)


@pytest.mark.parametrize(
    "kwargs,word", [({"stage": "Adolescent"}, "stage"), ({"round_date": "30/06/2025"}, "YYYY-MM-DD")]
)
def test_bad_batch_metadata_is_refused(store, kwargs, word):
    with pytest.raises(SurveyFileError) as exc:
        store.ingest(F / "wide_utf8_comma.csv", **kwargs)
    assert word in exc.value.en and counts(store) == (0, 0)


def test_ensure_demo_loads_once_and_never_after_a_batch(store):
    assert store.ensure_demo() is True
    b = store.batches()
    assert len(b) == 4 and b["is_demo"].all() and b["agency"].nunique() == 2 and b["round_date"].nunique() == 2
    n = counts(store)
    assert 2000 <= n[1] <= 6000
    assert store.ensure_demo() is False and counts(store) == n
    for batch_id in b["batch_id"]:
        store.delete(batch_id)
    assert store.ensure_demo() is False and counts(store) == (0, 0)  # deleting the demo keeps it gone


def test_demo_is_varied(store):
    store.ensure_demo()
    con = store.con
    assert con.execute("SELECT count(DISTINCT staff_group) FROM store.responses").fetchone()[0] == 6
    # agency B's first round did not assess the DL / DTr units
    first_b = con.execute(
        "SELECT batch_id FROM store.batches WHERE agency LIKE 'สำนักงาน%' ORDER BY round_date"
    ).fetchone()[0]
    assert con.execute('SELECT count("DTr100") FROM store.responses WHERE batch_id = ?', [first_b]).fetchone()[0] == 0
    assert con.execute('SELECT count("DLit100") FROM store.responses WHERE batch_id = ?', [first_b]).fetchone()[0] > 0


def test_demo_generator_is_deterministic_and_matches_committed_files(catalog):
    from framework import demo
    from framework.paths import DEMO_DIR

    files = demo.generate(catalog)
    assert files == demo.generate(catalog)
    for name, data in files.items():
        assert (DEMO_DIR / name).read_bytes() == data, name


def test_progress_callback_reaches_one(store):
    seen = []
    store.ingest(F / "wide_utf8_comma.csv", progress=lambda f, th, en: seen.append((f, th, en)))
    assert seen[-1][0] == 1.0 and all(0 <= f <= 1 for f, _, _ in seen) and seen[0][1]


def test_validator_drops_its_temp_tables(store, catalog):
    from framework import survey

    dec = survey.decode(F / "bad_rows.csv")
    cur = store.con.cursor()
    val = survey.Validator(cur, catalog)
    delim, header, skip = survey.read_header(dec.path)
    val.check(dec, survey.plan_columns(header, delim, catalog, skip))
    temps = "SELECT count(*) FROM duckdb_tables() WHERE temporary"
    assert cur.execute(temps).fetchone()[0] >= 3
    val.drop()
    assert cur.execute(temps).fetchone()[0] == 0


def test_xlsx_batch_is_recorded_honestly_and_a_failing_import_leaves_nothing(store, monkeypatch, tmp_path):
    import openpyxl

    from framework import survey

    res = store.ingest(F / "wide_th.xlsx", agency="กรมทดสอบ", stage="Early")
    b = store.batches().iloc[0]
    assert (b["file_name"], b["encoding"], b["source_format"]) == ("wide_th.xlsx", "xlsx", "wide")
    assert (b["rows_read"], b["accepted"], b["rejected"]) == (5, 3, 2) and b["batch_id"] == res.batch_id
    assert counts(store) == (1, 3)

    wb = openpyxl.Workbook()
    for row in (["respondent_id", "group", "DLit100"], ["Y1", "Service", 2], ["Y2", "Others", 4]):
        wb.active.append(row)
    other = tmp_path / "other.xlsx"
    wb.save(other)
    temps = []
    real = survey.read_workbook
    monkeypatch.setattr(survey, "read_workbook", lambda *a, **k: temps.append(real(*a, **k)) or temps[-1])
    monkeypatch.setattr(SurveyStore, "_insert_responses", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        store.ingest(other)
    assert counts(store) == (1, 3)  # all or nothing, as for a CSV
    assert len(temps) == 1 and not temps[0].path.exists()  # the workbook's temp CSV is removed
    monkeypatch.undo()
    assert store.ingest(other).accepted == 2 and counts(store) == (2, 5)
