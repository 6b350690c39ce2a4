"""Every hostile file of issue 11 (built at test time by make_hostile.py) against the intake: the survey functions
and SurveyStore.ingest. Each is refused with one bilingual message, or its bad row rejected with a reason, within
a bounded time and memory, leaving no temporary file and, when refused, the store exactly as it was.

Margins are generous (2 shared cores, other jobs running): measured times are printed with -s for the record.
"""

from __future__ import annotations

import re
import resource
import tempfile
import time
import tracemalloc

import make_hostile
import pytest

from framework import survey
from framework.store import SurveyStore

THAI = re.compile("[\u0e01-\u0e5b]")
SECONDS = 10
PY_PEAK_MB = 200  # Python allocations (tracemalloc): openpyxl, decoding, the report frames
RSS_GROWTH_MB = 1024  # the whole process (DuckDB's native memory included); the 50 MB row needs ~300

# name -> ("refused", English words, Thai words) | ("rejected", rows_read, accepted, English reason words)
CASES = {
    "xfd1048576.xlsx": ("refused", "column 16,384, beyond 400 columns", "คอลัมน์ที่ 16,384"),
    "no_dimension_wide.xlsx": ("refused", "column 1,000, beyond 400 columns", "คอลัมน์ที่ 1,000"),
    "no_dimension_long.xlsx": ("refused", "more than 200,000 rows", "เกิน 200,000 แถว"),
    "cell_400mb.xlsx": ("refused", "expands to 400 MB (more than 256 MB)", "เกิน 256 MB"),
    "inline_cell_40k.xlsx": ("rejected", 1, 0, "cell of 40,000 characters, over the limit of 32,767"),
    "columns_100k.csv": ("refused", "longer than 128 KB", "ยาวเกิน 128 KB"),
    "columns_1000.csv": ("refused", "The header has 1,000 columns", "หัวตารางมี 1,000 คอลัมน์"),
    "header_200kb.csv": ("refused", "longer than 128 KB", "ยาวเกิน 128 KB"),
    "row_50mb.csv": ("rejected", 11, 10, "cell of 52,428,800 characters, over the limit of 32,767"),
    "line_70mb.csv": ("refused", "Line 3 of the file is longer than 64 MB", "บรรทัดที่ 3"),
    "mixed_utf8_cp874.csv": (
        "refused",
        "mixes two character encodings (from line 2 UTF-8, from line 5 not UTF-8",
        "ตั้งแต่บรรทัด 5",
    ),
    "utf16_nul.csv": ("refused", "not a CSV text file", "ไม่ใช่ไฟล์ข้อความ CSV"),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture
def clean_tmp(tmp_path, monkeypatch):
    """A private temp folder for the intake's temporary files: it must be empty again after each case."""
    d = tmp_path / "intake-tmp"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


def counts(store):
    return tuple(store.con.execute(f"SELECT count(*) FROM store.{t}").fetchone()[0] for t in ("batches", "responses"))


def through_functions(path, catalog, con):
    """The intake step by step, as store.ingest runs it."""
    dec = survey.decode(path)
    try:
        delim, header, skip = survey.read_header(dec.path)
        layout = survey.plan_columns(header, delim, catalog, skip)
        cur = con.cursor()
        val = survey.Validator(cur, catalog)
        try:
            return val.check(dec, layout)
        finally:
            val.drop()
            cur.close()
    finally:
        dec.cleanup()


def measured(fn, traced: bool):
    """(result or the SurveyFileError raised, seconds, Python peak MB or None, process RSS growth MB).
    tracemalloc slows allocation-heavy code several times, so time is bounded on the untraced run."""
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        out = fn()
    except survey.SurveyFileError as exc:
        out = exc
    seconds = time.perf_counter() - started
    peak = None
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    return out, seconds, peak, grown


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_is_refused_or_its_row_rejected_in_bounded_time_and_memory(
    name, files, clean_tmp, catalog, store_con
):
    path = make_hostile.build(name, files)
    store = SurveyStore(store_con, catalog)
    ok = files / "ok.csv"
    ok.write_text(make_hostile.HEADER + "\nOK1,Service,Dept,3,2\n", encoding="utf-8")
    store.ingest(ok)  # a store with one batch in it
    before = counts(store)
    expected = CASES[name]
    for label, run, traced in (
        ("functions", lambda: through_functions(path, catalog, store_con), False),
        ("functions, traced", lambda: through_functions(path, catalog, store_con), True),
        ("ingest", lambda: store.ingest(path), False),
    ):
        out, seconds, peak, grown = measured(run, traced)
        print(
            f"{name} via {label}: {seconds:.2f} s, RSS growth {grown:.0f} MB"
            + (f", Python peak {peak:.0f} MB" if traced else "")
        )
        assert (seconds < SECONDS or traced) and grown < RSS_GROWTH_MB, (seconds, grown)
        assert peak is None or peak < PY_PEAK_MB, peak
        assert list(clean_tmp.iterdir()) == []  # no temporary file left behind
        if expected[0] == "refused":
            assert isinstance(out, survey.SurveyFileError), out
            assert expected[1] in out.en and expected[2] in out.th, (out.en, out.th)
            assert THAI.search(out.th) and "Nothing was stored" in out.en and "ไม่มีข้อมูลใดถูกบันทึก" in out.th
            assert str(files) not in out.en + out.th and "Error" not in out.en  # no server path, no raw error
            assert counts(store) == before  # the store is exactly as it was
        else:
            _, rows_read, accepted, reason = expected
            assert not isinstance(out, Exception), out
            assert (out.rows_read, out.accepted, out.rejected) == (rows_read, accepted, rows_read - accepted)
            assert any(reason in r for r in out.problems["reason_en"]), out.problems["reason_en"].tolist()
            assert out.problems["reason_th"].map(THAI.search).all()
            # the report never holds the huge cell whole
            assert out.problems["value"].map(lambda v: len(str(v))).max() <= 1001
            assert out.rejected_rows.map(lambda v: len(str(v))).max().max() < 40_000


def test_every_file_the_script_makes_is_tested():
    assert sorted(make_hostile.BUILDERS) == sorted(CASES)
