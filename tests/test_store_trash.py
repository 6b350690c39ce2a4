"""Nothing lost by a slip: delete moves a batch to the trash, restore brings it back whole, purge ends it."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from framework import db
from framework.analysis.source import RESPONSES, Source
from framework.store import RoundConflict, SurveyStore
from framework.survey import SurveyFileError

F = FIXTURES / "surveys"


@pytest.fixture
def store(store_con, catalog):
    return SurveyStore(store_con, catalog)


def live(store):
    return (
        db.scalar(store.con, "SELECT count(*) FROM store.batches"),
        db.scalar(store.con, "SELECT count(*) FROM store.responses"),
    )


def test_delete_hides_the_batch_from_every_reader_and_restore_brings_it_back_whole(store):
    a = store.ingest(F / "wide_utf8_comma.csv", agency="กรมทดสอบ", round_date="2025-06-30")
    b = store.ingest(F / "long_utf8.csv", agency="กรมทดสอบ", round_date="2025-06-30")
    rows = store.con.execute(
        "SELECT * FROM store.responses WHERE batch_id = ? ORDER BY respondent_id", [a.batch_id]
    ).fetchall()
    version = db.data_version(store.con)
    assert store.delete(a.batch_id, deleted_by="สมชาย") is True
    assert store.delete(a.batch_id) is False  # no longer live
    assert live(store) == (1, 2) and store.batches()["batch_id"].tolist() == [b.batch_id]
    assert db.data_version(store.con) != version  # caches see the change
    views = db.query(
        store.con,
        Source(RESPONSES).filtered(),
        dict.fromkeys(["batches", "agencies", "org_units", "staff_groups", "rounds", "round", "round_ids"]),
    )  # every view reads
    assert set(views["batch_id"]) == {b.batch_id} and len(views) == 2
    trash = store.batches(deleted=True)
    assert trash["batch_id"].tolist() == [a.batch_id] and trash["deleted_by"].tolist() == ["สมชาย"]
    assert trash["deleted_at"].notna().all() and trash["respondents"].tolist() == [3]
    assert store.restore(a.batch_id) is True and store.restore(a.batch_id) is False
    assert live(store) == (2, 5) and store.batches(deleted=True).empty
    assert (
        store.con.execute(
            "SELECT * FROM store.responses WHERE batch_id = ? ORDER BY respondent_id", [a.batch_id]
        ).fetchall()
        == rows
    )


def test_restore_is_refused_when_its_people_are_back_in_the_round(store, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("respondent_id,group,DLit100\nE1,Service,1\nE2,Service,1\nE3,Others,1\n", encoding="utf-8")
    first = store.ingest(mine, agency="กรมทดสอบ", round_date="2025-06-30")
    people = store.con.execute("SELECT respondent_id FROM store.responses ORDER BY 1").fetchall()
    store.delete(first.batch_id, "hr")
    again = tmp_path / "again.csv"
    again.write_text(
        "respondent_id,group,DLit100\n" + "".join(f"{p},Service,2\n" for (p,) in people[:2]), encoding="utf-8"
    )
    assert not store.ingest(again, agency="กรมทดสอบ", round_date="2025-06-30").conflicts  # trash does not clash
    with pytest.raises(RoundConflict) as exc:
        store.restore(first.batch_id)
    assert exc.value.ids == sorted(p for (p,) in people[:2]) and people[0][0] in exc.value.en
    assert "กู้คืน" in exc.value.th and len(store.batches(deleted=True)) == 1 and live(store) == (1, 2)


def test_purge_is_separate_and_final(store):
    a = store.ingest(F / "wide_utf8_comma.csv")
    assert store.purge(a.batch_id) is False  # a live batch is not purged
    assert store.original(a.batch_id) is not None
    store.delete(a.batch_id)
    assert store.purge(a.batch_id) is True
    assert store.batches(deleted=True).empty and store.restore(a.batch_id) is False
    assert store.original(a.batch_id) is None
    assert db.scalar(store.con, "SELECT count(*) FROM store.trash_responses") == 0
    assert store.ingest(F / "wide_utf8_comma.csv").accepted == 3  # after a purge the file can come back


def test_the_same_file_while_its_batch_is_in_the_trash_says_restore(store):
    a = store.ingest(F / "wide_utf8_comma.csv")
    store.delete(a.batch_id)
    with pytest.raises(SurveyFileError) as exc:
        store.ingest(F / "wide_utf8_comma.csv")
    assert "in the trash" in exc.value.en and a.batch_id in exc.value.en and "ถังขยะ" in exc.value.th


@pytest.mark.parametrize("name", ["wide_cp874_comma_th.csv", "wide_th.xlsx"])
def test_the_original_file_is_kept_byte_for_byte(store, name):
    res = store.ingest(F / name, file_name=f"upload-{name}")
    assert store.original(res.batch_id) == (f"upload-{name}", (F / name).read_bytes())
    store.delete(res.batch_id)
    assert store.original(res.batch_id) is not None  # still there while in the trash


def test_a_failing_delete_moves_nothing(store, monkeypatch):
    a = store.ingest(F / "wide_utf8_comma.csv")
    before = live(store)
    real = db.transaction

    class Boom:
        def __init__(self, con):
            self.cm = real(con)

        def __enter__(self):
            cur = self.cm.__enter__()
            orig = cur.execute

            def execute(sql, *args):
                if sql.startswith("DELETE FROM store.batches"):
                    raise OSError("disk full")
                return orig(sql, *args)

            return type("C", (), {"execute": staticmethod(execute)})()

        def __exit__(self, *exc):
            return self.cm.__exit__(*exc)

    monkeypatch.setattr(db, "transaction", Boom)
    with pytest.raises(OSError):
        store.delete(a.batch_id)
    monkeypatch.undo()
    assert live(store) == before and store.batches(deleted=True).empty


def _corrected(store, tmp_path, first_rows: str, fix_rows: str):
    """An upload, then a correction of some of its people in the same round (replace): the two results."""
    first, fix = tmp_path / "first.csv", tmp_path / "fix.csv"
    first.write_text("respondent_id,group,DLit100\n" + first_rows, encoding="utf-8")
    fix.write_text("respondent_id,group,DLit100\n" + fix_rows, encoding="utf-8")
    a = store.ingest(first, agency="A", stage="Early", round_date="2025-06-30")
    return a, store.ingest(fix, agency="A", stage="Early", round_date="2025-06-30", on_conflict="replace")


def test_replace_keeps_the_earlier_answers_superseded(store_con, catalog, tmp_path):
    store = SurveyStore(store_con, catalog)
    a, b = _corrected(store, tmp_path, "P1,Service,1\nP2,Service,2\n", "P1,Service,4\n")
    assert b.replaced == 1
    assert store_con.execute(
        "SELECT batch_id, respondent_id, \"DLit100\", replaced_by FROM store.superseded_responses"
    ).fetchall() == [(a.batch_id, "P1", 1, b.batch_id)]
    assert store.delete(a.batch_id, "hr") and store.purge(a.batch_id)  # purge ends the superseded rows too
    assert store_con.execute("SELECT count(*) FROM store.superseded_responses").fetchone() == (0,)


def test_deleting_a_correction_brings_the_earlier_answers_back_and_restore_replaces_them_again(
    store_con, catalog, tmp_path
):
    """QA: a batch that replaced people, once deleted, made them vanish from every view."""
    store = SurveyStore(store_con, catalog)
    a, b = _corrected(store, tmp_path, "Q1,Service,1\nQ2,Service,1\nQ3,Service,2\n", "Q1,Service,4\nQ2,Service,4\n")

    def live():
        return store_con.execute('SELECT respondent_id, "DLit100" FROM store.responses ORDER BY 1').fetchall()

    assert live() == [("Q1", 4), ("Q2", 4), ("Q3", 2)]
    assert store.batches().set_index("batch_id").loc[a.batch_id, "replaced"] == 2
    assert store.delete(b.batch_id, "hr")
    assert live() == [("Q1", 1), ("Q2", 1), ("Q3", 2)]  # nobody vanishes
    assert store.batches().set_index("batch_id").loc[a.batch_id, "replaced"] == 0
    assert store.restore(b.batch_id)  # not a conflict: its own replacements
    assert live() == [("Q1", 4), ("Q2", 4), ("Q3", 2)]
    assert store_con.execute("SELECT count(*) FROM store.superseded_responses").fetchone() == (2,)
