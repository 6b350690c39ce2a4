"""Issue 10 item 2's last sentence: no view ever counts a person twice in a round.

Decision: identity = (agency, respondent id) within a round, and the STORE guarantees it (ingest refuses,
replaces or skips the same people in a round, whatever the encoding or layout; a restore does too), so the
views count rows. These tests (1) drive every ingest path with the same people twice in a round and in two
rounds and assert the guarantee holds (no person twice in a round in what the views read), and (2) assert
that every view's n equals the number of distinct people of the round(s) it is about.
"""

from __future__ import annotations

import pytest

from framework import analysis, db
from framework.analysis import TOTAL_KEY, Filters
from framework.analysis.base import params
from framework.analysis.source import RESPONSES, Source
from framework.errors import BilingualError
from framework.store import SurveyStore

AGENCY = "กรมคนเดียว"
D1, D2 = "2024-06-30", "2025-06-30"
GROUPS = ["ผู้ทำงานด้านบริการ", "ผู้ทำงานด้านนโยบายและวิชาการ", "ผู้ปฏิบัติงานด้านเทคโนโลยี"]


def people(ids, shift=0):
    return [(f"R{i}", GROUPS[i % 3], (i + shift) % 5, (i + 2 + shift) % 5) for i in ids]


def wide(rows) -> str:
    return "respondent_id,group,DLit100,DG100\r\n" + "".join(f"{p},{g},{a},{b}\r\n" for p, g, a, b in rows)


def long(rows) -> str:
    return "respondent_id,group,code,level\n" + "".join(
        f"{p},{g},DLit100,{a}\n{p},{g},DG100,{b}\n" for p, g, a, b in rows
    )


@pytest.fixture
def store(store_con, catalog):
    return SurveyStore(store_con, catalog)


def put(store, tmp_path, name, text, enc="utf-8", round_date=D1, **kw):
    path = tmp_path / name
    path.write_bytes(text.encode(enc))
    return store.ingest(path, agency=AGENCY, stage="Early", round_date=round_date, **kw)


def read_all(con) -> db.pd.DataFrame:
    """What every survey view reads (filtered.sql), every round."""
    return db.query(con, Source(RESPONSES).filtered(), params(con, Filters(round="all")))


def distinct_people(con, f: Filters) -> int:
    """Distinct (agency, round, respondent id) among what the views read under the filters."""
    df = db.query(con, Source(RESPONSES).filtered(), params(con, f))
    return len(df[["agency", "round_key", "respondent_id"]].drop_duplicates())


def view_counts(con, f: Filters) -> dict:
    """The head count each view reports for the whole selection."""
    cov = analysis.coverage(con, f, stage="Early", by="group")
    ready = analysis.readiness(con, f, by="agency")
    tr = analysis.trends(
        con, f.with_(rounds=(f.round,)) if f.round not in ("all", "latest") else f, stage="Early", unit="DLit100"
    )
    trend_n = tr["readiness"]
    trend_n = trend_n[trend_n["is_total"]].groupby("round")["n"].first()
    needs = analysis.training_needs(con, f, stage="Early", by="group")
    dl = cov[(cov["code"] == "DLit100") & ~cov["is_total"]]
    required_dl = int(dl[dl["required"]]["n"].sum())  # the people whose profile requires DLit100
    return {
        "coverage": int(cov[cov["is_total"] & (cov["code"] == "DLit100")]["n"].iloc[0]),
        "readiness": int(ready[ready["key"] == TOTAL_KEY]["n"].iloc[0]),
        "overview": analysis.overview(con, f, stage="Early")["counts"]["respondents"],
        "survey_counts": analysis.survey_counts(con, f)["respondents"],
        "blockers": int(analysis.blockers(con, f, stage="Early", top=None)["n"].max()),
        "training": int(needs[needs["is_total"] & (needs["code"] == "DLit100")]["required_n"].iloc[0])
        + (int(dl["n"].sum()) - required_dl),  # + the people it does not apply to = everyone
        "trends": trend_n.to_dict(),
    }


def assert_once_per_round(con):
    seen = read_all(con)
    dup = seen.duplicated(["agency", "round_key", "respondent_id"])
    assert not dup.any(), seen[dup]


def test_every_ingest_path_keeps_one_answer_per_person_and_round(store, tmp_path):
    first = put(store, tmp_path, "a.csv", wide(people(range(12))))
    assert first.respondents == 12
    # The same people again in the same round, every way a file can come: refused, nothing stored.
    for name, text, enc in (
        ("a874.csv", wide(people(range(12))), "cp874"),
        ("along.csv", long(people(range(12))), "utf-8"),
        ("a16.csv", wide(people(range(12))).replace(",", "\t"), "utf-16"),
    ):
        res = put(store, tmp_path, name, text, enc)
        assert res.batch_id is None and len(res.conflicts) == 12, name
        assert_once_per_round(store.con)
    # replace: the new answers replace those people's; skip: only the new people.
    put(store, tmp_path, "b.csv", wide(people(range(6), shift=1)), on_conflict="replace")
    assert_once_per_round(store.con)
    put(store, tmp_path, "c.csv", long(people(range(8, 16), shift=2)), on_conflict="skip")
    assert_once_per_round(store.con)
    assert distinct_people(store.con, Filters(round="all")) == 16
    # The same people in the next round: counted once in each round.
    put(store, tmp_path, "d.csv", wide(people(range(14), shift=3)), round_date=D2)
    assert_once_per_round(store.con)
    # A deleted batch restored after its people were uploaded again is refused, not doubled.
    batches = store.batches()
    b_id = batches[batches["file_name"] == "d.csv"]["batch_id"].iloc[0]
    store.delete(b_id)
    put(store, tmp_path, "e.csv", wide(people(range(14), shift=4)), round_date=D2)
    try:
        store.restore(b_id)
    except BilingualError:  # refused (bilingual) is the guarantee; the store decides how
        pass
    assert_once_per_round(store.con)
    assert distinct_people(store.con, Filters(round=D2)) == 14


@pytest.mark.parametrize("round_", ["latest", "all", D1, D2])
def test_each_view_counts_the_distinct_people_of_its_rounds(store, tmp_path, round_):
    put(store, tmp_path, "a.csv", wide(people(range(12))))
    put(store, tmp_path, "b.csv", long(people(range(4, 16), shift=1)), on_conflict="replace")
    put(store, tmp_path, "c.csv", wide(people(range(10), shift=2)), round_date=D2)  # same people, next round
    f = Filters(round=round_, min_cell=1, authorised=True)  # exact: every person counts (no disclosure blocks)
    expected = {"latest": 10, "all": 16 + 10, D1: 16, D2: 10}[round_]
    assert distinct_people(store.con, f) == expected
    counts = view_counts(store.con, f)
    trends = counts.pop("trends")
    assert counts == dict.fromkeys(counts, expected), counts
    assert sum(trends.values()) == (16 + 10 if round_ in ("latest", "all") else expected)  # one row per round
