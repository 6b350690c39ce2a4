"""What the faster ingest must keep: the same levels on the fast and the parsing path, the original file kept
byte for byte whatever its name, the same line count / overlong-line refusal and the same hash on any chunking."""

from __future__ import annotations

import hashlib
import importlib
import random

import pytest

from framework import survey
from framework.store import SurveyStore

decode_mod = importlib.import_module("framework.survey.decode")  # the package re-exports the function


@pytest.fixture
def store(store_con, catalog):
    return SurveyStore(store_con, catalog)


def levels(store, rid):
    return store.con.execute(
        "SELECT DLit100, DLit200, DLit300, DG100 FROM store.responses WHERE respondent_id = ?", [rid]
    ).fetchone()


def test_plain_rows_and_rows_needing_the_full_parse_store_the_same_levels(store, tmp_path):
    # P rows hold only "0".."4" and blanks (the cast); T rows hold Thai digits, labels, spaces (the full parse).
    rows = [
        "P1,Service,3,,0,4",
        "T1,Service,๓,2 - ทำได้เมื่อมีผู้แนะนำ, 1 ,Can teach others",
        "P2,Others,,1,2,",
        "T2,Others,ทำได้ด้วยตนเอง,3.0,๐,",
        'T3,Others,"",03,"2",4',
    ]
    path = tmp_path / "mixed.csv"
    path.write_text("respondent_id,group,DLit100,DLit200,DLit300,DG100\n" + "\n".join(rows) + "\n", encoding="utf-8")
    res = store.ingest(path, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    assert (res.accepted, res.rejected) == (5, 0)
    assert levels(store, "P1") == (3, None, 0, 4)
    assert levels(store, "T1") == (3, 2, 1, 4)
    assert levels(store, "P2") == (None, 1, 2, None)
    assert levels(store, "T2") == (3, 3, 0, None)
    assert levels(store, "T3") == (None, 3, 2, 4)


def test_element_columns_give_the_unit_minimum_on_both_paths(store, tmp_path):
    path = tmp_path / "elements.csv"
    path.write_text(
        "respondent_id,group,DLit101,DLit102,DLit103\n"
        "P1,Service,3,2,4\nT1,Service,๓,2 - ทำได้เมื่อมีผู้แนะนำ,4\nP2,Service,3,,4\n",
        encoding="utf-8",
    )
    store.ingest(path, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    got = dict(store.con.execute("SELECT respondent_id, DLit100 FROM store.responses").fetchall())
    assert got == {"P1": 2, "T1": 2, "P2": None}


@pytest.mark.parametrize("name", ["plain.csv", "รอบ 1 (ฉบับแก้).csv", "a[12].csv", "what?.csv", "all*.csv", "{x,y}.csv"])
def test_the_kept_original_is_the_uploaded_file_byte_for_byte_whatever_its_name(store, tmp_path, name):
    # A sibling that a glob pattern made of the name would match: it must never be stored instead.
    for decoy in ("a1.csv", "what1.csv", "all_decoy.csv", "x.csv"):
        (tmp_path / decoy).write_text("respondent_id,group,DLit100\nDECOY,Service,1\n", encoding="utf-8")
    path = tmp_path / name
    path.write_bytes(
        ("respondent_id,group,DLit100\nR1,ผู้ทำงานด้านบริการ,3\n" + f"R2,Others,{len(name) % 5}\n").encode("utf-8")
    )
    res = store.ingest(path, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    got = store.con.execute(
        "SELECT file_name, size, data FROM store.batch_files WHERE batch_id = ?", [res.batch_id]
    ).fetchone()
    assert got == (name, path.stat().st_size, path.read_bytes())


def reference(content: bytes, limit: int):
    """Line by line on the whole content: the overlong line's number, or the line count Excel would show."""
    for n, line in enumerate(content.split(b"\n"), start=1):
        if len(line) > limit:
            return ("too long", n)
    stripped = content.rstrip(b"\r\n \t")
    return ("lines", content.count(b"\n") - content[len(stripped) :].count(b"\n") + 1)


def counted(content: bytes, sizes: list[int]):
    counter = decode_mod.LineCounter()
    at = 0
    try:
        for size in sizes:
            counter.feed(content[at : at + size])
            at += size
        counter.feed(content[at:])
    except survey.SurveyFileError as exc:
        return ("too long", int(exc.en.split()[1].replace(",", "")))
    return ("lines", counter.lines())


@pytest.mark.parametrize("seed", range(40))
def test_line_counter_agrees_with_a_line_by_line_reading_on_any_chunking(monkeypatch, seed):
    limit = 40
    monkeypatch.setattr(decode_mod, "MAX_LINE_BYTES", limit)
    rng = random.Random(seed)
    lines = [b"x" * rng.choice([0, 1, 5, 39, 40, 40, 41, 90]) for _ in range(rng.randint(1, 30))]
    content = b"\n".join(lines) + rng.choice([b"", b"\n", b"\r\n\n  \n"])
    sizes = [rng.choice([1, 3, 17, 39, 40, 41, 100]) for _ in range(rng.randint(0, 12))]  # below and above limit
    assert counted(content, sizes) == reference(content, limit)


def test_the_hash_is_the_files_sha256_when_read_in_many_chunks(monkeypatch, tmp_path):
    monkeypatch.setattr(decode_mod, "CHUNK", 7)
    path = tmp_path / "many.csv"
    body = "".join(f"R{i},ผู้ทำงานด้านบริการ,{i % 5}\n" for i in range(300))
    path.write_bytes(("respondent_id,group,DLit100\n" + body).encode("utf-8"))
    dec = survey.decode(path)
    assert dec.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (dec.encoding, dec.lines) == ("utf-8", 301)


def test_validation_leaves_no_temp_table_or_view_behind(store, catalog, tmp_path):
    path = tmp_path / "some.csv"
    path.write_text("respondent_id,group,DLit100\nR1,Service,3\nR2,Nobody,2\n", encoding="utf-8")
    dec = survey.decode(path)
    cur = store.con.cursor()
    val = survey.Validator(cur, catalog)
    delim, header, skip = survey.read_header(dec.path)
    checked = val.check(dec, survey.plan_columns(header, delim, catalog, skip))
    assert cur.execute(f"SELECT count(*) FROM temp.{checked.staging}").fetchone()[0] == checked.accepted == 1
    val.drop()
    left = (
        "SELECT (SELECT count(*) FROM duckdb_tables() WHERE temporary) "
        "+ (SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal)"
    )
    assert cur.execute(left).fetchone()[0] == 0


def test_a_clean_file_gets_empty_problem_lists_shaped_like_those_of_a_file_with_problems(store, tmp_path):
    head = "respondent_id,group,agency,DLit100\n"
    clean, dirty = tmp_path / "clean.csv", tmp_path / "dirty.csv"
    clean.write_text(head + "R1,Service,A,3\nR2,Others,A,\n", encoding="utf-8")
    dirty.write_text(head + "R1,Service,A,9\nR2,Nobody,A,1\n", encoding="utf-8")
    ok = store.ingest(clean, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    bad = store.ingest(dirty, agency="กรมทดสอบ", stage="Early", round_date="2025-07-30")
    assert ok.problems.empty and ok.rejected_rows.empty and len(bad.problems) == len(bad.rejected_rows) == 2
    assert list(ok.problems.columns) == list(bad.problems.columns) == survey.PROBLEM_COLUMNS
    assert list(ok.rejected_rows.columns) == list(bad.rejected_rows.columns)
    assert ok.problems["row"].dtype == bad.problems["row"].dtype == ok.rejected_rows["row"].dtype == "int64"


class Logged:
    """A cursor that keeps the SQL it runs."""

    def __init__(self, cur):
        self.cur, self.sql = cur, []

    def execute(self, sql, *args):
        self.sql.append(sql)
        return self.cur.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.cur, name)


def checked_with_log(path, catalog, con):
    dec = survey.decode(path)
    delim, header, skip = survey.read_header(dec.path)
    cur = Logged(con.cursor())
    val = survey.Validator(cur, catalog)
    try:
        return val.check(dec, survey.plan_columns(header, delim, catalog, skip)), [
            s for s in cur.sql if "read_csv(" in s
        ]
    finally:
        val.drop()


@pytest.mark.parametrize(
    "body, reads, accepted, rejected",
    [
        ("R1,Service,3\nR2,Others,4\n", 1, 2, 0),  # clean: the two-thread read is kept
        ("R1,Service,3\nR2,Others,4,5,6\nR3,Service,1\n", 2, 2, 1),  # a reject: read again the usual way
        ("R1,Service,3\n\nR2,Others,4\n", 2, 2, 0),  # a blank line: a line without a record
        ('R1,Service,"3\n"\nR2,Others,4\n', 2, 2, 0),  # a quoted line break: two lines, one record
    ],
)
def test_only_a_perfectly_clean_parallel_read_is_kept(tmp_path, catalog, store_con, body, reads, accepted, rejected):
    path = tmp_path / "f.csv"
    path.write_text("respondent_id,group,DLit100\n" + body, encoding="utf-8")
    res, sql = checked_with_log(path, catalog, store_con)
    assert len(sql) == reads and "buffer_size" in sql[0] and "buffer_size" not in sql[-1] * (reads > 1)
    assert (res.accepted, res.rejected) == (accepted, rejected)
