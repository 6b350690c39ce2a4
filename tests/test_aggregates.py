"""store/aggregates.py: every write keeps store.agg_cells equal to a fresh count of store.responses
(ingest, replace, skip, delete, restore, purge, archive drop and restore, upgrade), and the views fall back
to the responses whenever the cells cannot be trusted."""

from __future__ import annotations

import random

import pytest

from framework import analysis, db
from framework.analysis import Filters, source
from framework.catalog import STAFF_GROUPS
from framework.store import SurveyStore, aggregates, archive

CODES = ("DLit100", "DLit400", "DG100", "DS100", "DTr300")


def survey_text(ids, seed: int, units=("กองหนึ่ง", " กองสอง ", "")) -> str:
    rng = random.Random(seed)
    lines = ["respondent_id,group,unit," + ",".join(CODES)]
    for i, p in enumerate(ids):
        levels = ",".join(rng.choice(["", "0", "1", "2", "3", "4"]) for _ in CODES)
        lines.append(f"{p},{STAFF_GROUPS[i % len(STAFF_GROUPS)]},{units[i % len(units)]},{levels}")
    return "\n".join(lines) + "\n"


def put(store, tmp_path, ids, seed, agency="กรมหนึ่ง", round_date="2025-06-30", **kw):
    path = tmp_path / f"s{seed}.csv"
    path.write_text(survey_text(ids, seed), encoding="utf-8")
    return store.ingest(path, agency=agency, stage="Developing", round_date=round_date, **kw)


def consistent(con) -> bool:
    return aggregates.fresh(con) and aggregates.check(con).empty


@pytest.fixture
def store(tmp_path):
    con = db.connect(tmp_path / "store.duckdb")
    yield SurveyStore(con)
    con.close()


def test_every_write_keeps_the_cells_equal_to_the_responses(store, tmp_path):
    con = store.con
    a = put(store, tmp_path, [f"P{i}" for i in range(40)], 1)
    assert consistent(con) and db.scalar(con, "SELECT sum(n) FROM store.agg_cells WHERE t = 3") == 40
    put(store, tmp_path, [f"P{i}" for i in range(30)], 2, round_date="2024-06-30")  # another round
    assert consistent(con)
    r = put(store, tmp_path, [f"P{i}" for i in range(10)], 3, on_conflict="replace")  # replaces a's 10
    assert r.replaced == 10 and consistent(con)
    before = aggregates.check(con)
    cells_a = db.scalar(con, "SELECT sum(n) FROM store.agg_cells WHERE t = 1 AND batch_id = $b", {"b": a.batch_id})
    assert cells_a == 30 and before.empty  # a lost 10 people
    s = put(store, tmp_path, [f"P{i}" for i in range(35, 45)], 4, on_conflict="skip")  # 5 new people
    assert s.respondents == 5 and consistent(con)
    assert store.delete(r.batch_id, "hr") and consistent(con)  # a's 10 come back
    assert db.scalar(con, "SELECT sum(n) FROM store.agg_cells WHERE t = 1 AND batch_id = $b", {"b": a.batch_id}) == 40
    assert store.restore(r.batch_id) and consistent(con)  # and go again
    assert store.delete(s.batch_id) and store.purge(s.batch_id) and consistent(con)
    manifests = archive.archive_round(con, tmp_path / "arch", "2025-06-30", drop=True)
    assert (
        consistent(con)
        and db.scalar(
            con,
            "SELECT count(*) FROM store.agg_cells WHERE batch_id IN (SELECT unnest($b::VARCHAR[]))",
            {"b": manifests[0]["batches"]},
        )
        == 0
    )
    archive.restore_archive(con, manifests[0]["path"])
    assert (
        consistent(con)
        and db.scalar(con, "SELECT sum(n) FROM store.agg_cells WHERE t = 1")
        == db.scalar(con, "SELECT count(*) FROM store.responses")
        == 70
    )


def test_a_refused_or_failed_write_leaves_the_cells_as_they_were(store, tmp_path):
    put(store, tmp_path, [f"P{i}" for i in range(20)], 1)
    cells = db.query(store.con, "SELECT * FROM store.agg_cells ORDER BY ALL")
    res = put(store, tmp_path, [f"P{i}" for i in range(5)], 2)  # same people: refused
    assert res.refused
    assert db.query(store.con, "SELECT * FROM store.agg_cells ORDER BY ALL").equals(cells)


def test_rows_written_around_the_store_are_noticed_and_the_views_read_the_responses(store, tmp_path):
    put(store, tmp_path, [f"P{i}" for i in range(20)], 1)
    con = store.con
    assert source.pick(con).name == source.CELLS
    db.execute(
        con,
        "INSERT INTO store.responses (batch_id, respondent_id, staff_group, \"DLit100\") "
        "SELECT batch_id, 'X' || i, 'Service', 4 FROM store.batches, range(7) t(i)",
    )
    assert not aggregates.fresh(con) and source.pick(con).name == source.RESPONSES
    assert analysis.survey_counts(con, Filters())["respondents"] == 27  # the new rows count at once
    SurveyStore(con)  # the next store open rebuilds
    assert consistent(con) and source.pick(con).name == source.CELLS
    assert analysis.survey_counts(con, Filters())["respondents"] == 27


def test_cells_built_for_other_profiles_are_not_read_then_rebuilt(store, tmp_path):
    put(store, tmp_path, [f"P{i}" for i in range(20)], 1)
    con = store.con
    # A corrected catalogue: a profile requires one unit fewer (the fully-ready counts depend on it).
    db.execute(
        con, "DELETE FROM profile_units WHERE stage = 'Early' AND staff_group = 'Service' AND unit_code = 'DLit100'"
    )
    assert not aggregates.fresh(con) and source.pick(con).name == source.RESPONSES
    SurveyStore(con)
    assert consistent(con)


def test_cells_are_counted_right_when_the_combined_key_must_be_made_dense(store, tmp_path, monkeypatch):
    """Many distinct agencies x org units could overflow the combined 64-bit cell id: it is densified first."""
    monkeypatch.setattr(aggregates, "COMBINED_LIMIT", 4)
    put(store, tmp_path, [f"P{i}" for i in range(30)], 1)
    put(store, tmp_path, [f"Q{i}" for i in range(30)], 2, agency="กรมสอง")
    assert consistent(store.con)
    assert db.scalar(store.con, "SELECT count(DISTINCT (batch_id, unit_key, staff_group)) FROM store.agg_cells") > 4


def test_forced_source_is_scoped_and_checked():
    with source.forced(source.RESPONSES):
        assert source.pick(None).name == source.RESPONSES
        with source.forced(source.CELLS):
            assert source.pick(None).name == source.CELLS
        assert source.pick(None).name == source.RESPONSES
    with pytest.raises(ValueError), source.forced("elsewhere"):
        pass
