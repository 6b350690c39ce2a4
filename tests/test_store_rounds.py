"""A person counts once per round (agency, round date), whatever the file's encoding or layout."""

from __future__ import annotations

import datetime as dt

import pytest

from framework import db
from framework.store import SurveyStore
from framework.survey import SurveyFileError

AGENCY, ROUND = "กรมทดสอบรอบ", "2025-06-30"
GROUPS = [
    "ผู้บริหารระดับสูง",
    "ผู้อำนวยการกอง",
    "ผู้ทำงานด้านบริการ",
    "ผู้ปฏิบัติงานด้านเทคโนโลยี",
    "ผู้ทำงานด้านนโยบายและวิชาการ",
    "ผู้ทำงานด้านบริการ",
    "ผู้ปฏิบัติงานด้านเทคโนโลยี",
    "ผู้ทำงานด้านบริการ",
]
PEOPLE = [(f"R{i + 1}", g, i % 5, (i + 2) % 5) for i, g in enumerate(GROUPS)]  # 8 people, Thai group names


def wide(people=PEOPLE) -> str:
    return "respondent_id,group,DLit100,DG100\r\n" + "".join(f"{p},{g},{a},{b}\r\n" for p, g, a, b in people)


def long(people=PEOPLE) -> str:
    return "respondent_id,group,code,level\n" + "".join(
        f"{p},{g},DLit100,{a}\n{p},{g},DG100,{b}\n" for p, g, a, b in people
    )


@pytest.fixture
def store(store_con, catalog):
    return SurveyStore(store_con, catalog)


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, text, enc in (
        ("utf8.csv", wide(), "utf-8"),
        ("cp874.csv", wide(), "cp874"),
        ("long.csv", long(), "utf-8"),
        ("more.csv", wide(PEOPLE[5:] + [("R9", "Others", 1, 1), ("R10", "Others", 2, 2)]), "utf-8"),
    ):
        (tmp_path / name).write_bytes(text.encode(enc))
        out[name] = tmp_path / name
    return out


def people_in_round(store) -> tuple[int, int]:
    """(rows, distinct people) stored for the test agency's round."""
    return tuple(
        store.con.execute(
            "SELECT count(*), count(DISTINCT respondent_id) FROM store.responses r JOIN store.batches b USING (batch_id) "
            "WHERE r.agency = ? AND b.round_date = ?",
            [AGENCY, ROUND],
        ).fetchone()
    )


def ingest(store, path, **kw):
    return store.ingest(path, agency=AGENCY, stage="Developing", round_date=ROUND, **kw)


@pytest.mark.parametrize("second", ["cp874.csv", "long.csv"])
def test_same_people_other_encoding_or_layout_is_refused_by_default(store, files, second):
    first = ingest(store, files["utf8.csv"])
    assert first.accepted == 8 and not first.conflicts and people_in_round(store) == (8, 8)
    again = ingest(store, files[second])
    assert not again.duplicate  # different bytes: not caught by the file hash ...
    assert again.refused and again.conflicts == sorted(p for p, *_ in PEOPLE)  # ... but by who is in it
    assert (again.batch_id, again.accepted, again.respondents) == (None, 0, 0)
    out = again.to_json()
    assert (out["conflicts"], out["accepted"], out["refused"]) == (8, 0, True) and "rows_read" in out
    th, en = again.conflict_message()
    assert "R1" in en and "Nothing was stored" in en and "ไม่มีข้อมูลใดถูกบันทึก" in th
    assert people_in_round(store) == (8, 8) and len(store.batches()) == 1


def test_replace_uses_the_new_answers_and_the_earlier_batch_keeps_the_rest(store, files):
    first = ingest(store, files["utf8.csv"])
    res = ingest(store, files["more.csv"], on_conflict="replace")  # R6-R8 again, R9-R10 new
    assert res.conflicts == ["R6", "R7", "R8"] and res.replaced == 3 and res.respondents == 5
    assert people_in_round(store) == (10, 10)
    b = store.batches().set_index("batch_id")
    assert b.loc[first.batch_id, "respondents"] == 5 and b.loc[first.batch_id, "replaced"] == 3
    assert b.loc[res.batch_id, "respondents"] == 5
    owner = dict(store.con.execute("SELECT respondent_id, batch_id FROM store.responses").fetchall())
    assert owner["R6"] == res.batch_id and owner["R1"] == first.batch_id
    assert res.to_json()["conflicts"] == 3


def test_skip_imports_only_the_new_people(store, files):
    first = ingest(store, files["utf8.csv"])
    before = store.con.execute("SELECT * FROM store.responses WHERE respondent_id = 'R6'").fetchall()
    res = ingest(store, files["more.csv"], on_conflict="skip")
    assert res.conflicts == ["R6", "R7", "R8"] and res.skipped == 3
    assert (res.respondents, res.accepted) == (2, 2) and people_in_round(store) == (10, 10)
    assert store.con.execute("SELECT * FROM store.responses WHERE respondent_id = 'R6'").fetchall() == before
    assert store.batches().set_index("batch_id").loc[res.batch_id, "accepted"] == 2
    assert res.to_json()["accepted"] == 2 and first.batch_id != res.batch_id


def test_skip_with_a_long_file_counts_people(store, files):
    ingest(store, files["utf8.csv"])
    res = ingest(store, files["long.csv"], on_conflict="skip")
    assert res.skipped == 8 and res.respondents == 0 and people_in_round(store) == (8, 8)


def test_other_round_or_other_agency_is_not_a_clash(store, files):
    ingest(store, files["utf8.csv"])
    later = store.ingest(files["cp874.csv"], agency=AGENCY, stage="Developing", round_date="2026-06-30")
    other = store.ingest(files["long.csv"], agency="กรมอื่น", stage="Early", round_date=ROUND)
    assert not later.conflicts and not other.conflicts and later.respondents == other.respondents == 8


def test_agency_from_the_rows_counts_and_blank_spaces_do_not_hide_a_clash(store, tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("respondent_id,group,agency,DLit100\nX1,Service,กรมก,3\nX2,Service,กรมข,3\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("respondent_id,group,DLit100\n X1 ,Service,2\nX2,Service,2\n", encoding="utf-8")
    store.ingest(a, round_date=ROUND)
    res = store.ingest(b, agency="  กรมก ", round_date=ROUND)
    assert res.conflicts == ["X1"]  # X2 belongs to another agency: a different person


def test_duplicate_ids_within_one_file_count_once(store, tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("respondent_id,group,DLit100\nD1,Service,3\nD2,Service,1\nD1,Others,4\n", encoding="utf-8")
    res = ingest(store, p)
    assert (res.rows_read, res.accepted, res.rejected) == (3, 2, 1)
    assert "duplicate respondent id" in " ".join(res.problems["reason_en"])
    assert store.con.execute("SELECT count(*) FROM store.responses WHERE respondent_id = 'D1'").fetchone() == (1,)


def test_demo_never_counts_a_person_twice_in_a_round(store):
    store.ensure_demo()
    dup = db.scalar(
        store.con,
        """
        SELECT count(*) FROM (SELECT 1 FROM store.responses r JOIN store.batches b USING (batch_id)
                              GROUP BY r.agency, b.round_date, r.respondent_id HAVING count(*) > 1)""",
    )
    assert dup == 0


def test_unknown_on_conflict_choice_is_refused(store, files):
    with pytest.raises(SurveyFileError) as exc:
        ingest(store, files["utf8.csv"], on_conflict="merge")
    assert "refuse, replace or skip" in exc.value.en and store.batches().empty


def test_a_failed_replace_leaves_the_earlier_answers(store, files, monkeypatch):
    ingest(store, files["utf8.csv"])
    before = store.con.execute("SELECT * FROM store.responses ORDER BY respondent_id").fetchall()
    monkeypatch.setattr(SurveyStore, "_insert_responses", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        ingest(store, files["more.csv"], on_conflict="replace")
    assert store.con.execute("SELECT * FROM store.responses ORDER BY respondent_id").fetchall() == before
    assert db.scalar(store.con, "SELECT count(*) FROM store.replacements") == 0


def test_metadata_rules(store, files):
    today = dt.date(2025, 7, 1)
    check = store.check_metadata("", None, None, today)
    assert len(check.missing) == 3 and not check.ready()
    ingest(store, files["utf8.csv"])
    assert store.last_round(AGENCY) == {"round_date": dt.date(2025, 6, 30), "stage": "Developing"}
    same = store.check_metadata(AGENCY, "Developing", dt.date(2026, 6, 30), dt.date(2026, 7, 1))
    assert same.ready() and same.last["stage"] == "Developing"
    changed = store.check_metadata(AGENCY, "Mature", dt.date(2026, 6, 30), dt.date(2026, 7, 1))
    assert [k for k, _, _ in changed.confirm] == ["stage"] and not changed.ready()
    assert changed.ready({"stage"}) and "Developing" in changed.confirm[0][2]
    future = store.check_metadata("กรมใหม่", "Early", dt.date(2025, 8, 1), today)
    assert [k for k, _, _ in future.confirm] == ["future"] and future.last is None
    assert store.agencies() == [AGENCY]


def test_round_dates_out_of_range_are_refused_for_every_writer(store, files):
    """Issue 20 point 6: one rule (rounds.round_date_problem) for the page, the CLI, ingest and campaigns."""
    from framework import survey
    from framework.store.rounds import EARLIEST_ROUND, FUTURE_MARGIN_DAYS

    today = dt.date(2025, 7, 1)
    for bad in (
        dt.date(9999, 12, 31),
        dt.date(1, 1, 1),
        dt.date(2018, 5, 17),
        today + dt.timedelta(days=FUTURE_MARGIN_DAYS + 1),
    ):
        check = store.check_metadata("กรมใหม่", "Early", bad, today)
        assert check.refused and not check.ready({"future", "stage"}) and not check.confirm
        th, en = check.refused[0]
        assert bad.isoformat() in en and bad.isoformat() in th and "Common Era" in en
    assert store.check_metadata("กรมใหม่", "Early", EARLIEST_ROUND, today).ready()
    edge = store.check_metadata("กรมใหม่", "Early", today + dt.timedelta(days=FUTURE_MARGIN_DAYS), today)
    assert not edge.refused and [k for k, _, _ in edge.confirm] == ["future"]
    for bad in ("9999-12-31", "0001-01-01"):
        with pytest.raises(survey.SurveyFileError, match="Nothing was stored"):
            store.ingest(files["utf8.csv"], agency=AGENCY, stage="Early", round_date=bad)
    assert store.batches().empty and store.last_round(AGENCY) is None
