"""Ingest speed and peak memory for 1,000,000 respondents x 39 units (UTF-8 and Windows-874) vs a bare read_csv.

Run: .venv/bin/python bench/bench_ingest.py [--rows N]   (files are generated once under bench/out/;
a list N1,N2 as bench/run.py passes it: 1M if listed, else the largest)
Targets (issue 4): ingest <= 10 s, Windows-874 within 1.5x of UTF-8; (issue 22) peak memory <= 1 GB at any size
(the largest size of a list is ingested too, for its peak), ingest <= 3x the bare read_csv at 1M.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

GROUPS_TH = [
    "ผู้บริหารระดับสูง",
    "ผู้บริหารกอง",
    "ผู้ทำงานด้านนโยบายและวิชาการ",
    "ผู้ทำงานด้านบริการ",
    "ผู้ปฏิบัติงานด้านเทคโนโลยี",
    "ผู้ปฏิบัติงานอื่น",
]


def csv_sql(rows: int) -> str:
    """The SELECT of a survey file with `rows` respondents (Thai group names and agency), for a COPY TO."""
    from framework.catalog import Catalog

    codes = Catalog().unit_codes()
    groups = "[" + ", ".join(f"'{g}'" for g in GROUPS_TH) + "]"
    cols = ", ".join(
        f"CASE WHEN hash(i, {n}) % 10 = 0 THEN NULL ELSE hash(i, {n} + 100) % 5 END AS \"{c}\""
        for n, c in enumerate(codes)
    )
    return f"""SELECT 'R' || lpad(i::VARCHAR, 7, '0') AS respondent_id,
                      {groups}[1 + (i % 6)::INT] AS "group", 'กรมทดสอบ' AS agency,
                      'กอง ' || (i % 40)::VARCHAR AS unit, {cols}
               FROM range({int(rows)}) t(i)"""


def make_files(rows: int) -> tuple[Path, Path]:
    """A UTF-8 file (Thai group names and agency) and the same content in Windows-874."""
    import duckdb

    OUT.mkdir(parents=True, exist_ok=True)
    utf8, cp874 = OUT / f"survey_{rows}_utf8.csv", OUT / f"survey_{rows}_cp874.csv"
    if not utf8.exists():
        con = duckdb.connect()
        con.execute(f"COPY ({csv_sql(rows)}) TO '{utf8}' (HEADER, DELIMITER ',')")
    if not cp874.exists():
        with (
            open(utf8, "r", encoding="utf-8", newline="") as src,
            open(cp874, "w", encoding="cp874", newline="") as dst,
        ):
            while chunk := src.read(1 << 22):
                dst.write(chunk)
    return utf8, cp874


def child(kind: str, path: str) -> None:
    """Run one measurement in this (fresh) process and print JSON."""
    import duckdb

    t = time.perf_counter()
    if kind == "bare":
        con = duckdb.connect()
        con.execute(
            "CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar=true, header=true, delim=',', quote='\"')", [path]
        )
        n = con.execute("SELECT count(*) FROM t").fetchone()[0]
        out = {"rows": n}
    else:
        from framework import db
        from framework.store import SurveyStore

        with tempfile.TemporaryDirectory() as tmp:
            con = db.connect(Path(tmp) / "bench.duckdb")
            store = SurveyStore(con)
            t = time.perf_counter()
            r = store.ingest(path, agency="bench", stage="Developing", round_date="2025-06-30")
            out = {"rows": r.rows_read, "accepted": r.accepted, "rejected": r.rejected, "encoding": r.encoding}
    out["seconds"] = round(time.perf_counter() - t, 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


def measure(kind: str, path: Path) -> dict:
    res = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    # --rows: one size, or the scaling list bench/run.py passes to every script (the largest is used here)
    ap.add_argument("--rows", default="1000000")
    ap.add_argument("--child", nargs=2)
    args, _ = ap.parse_known_args()
    if args.child:
        return child(*args.child)
    sizes = [int(x) for x in args.rows.split(",") if x.strip()]
    # A scaling list (bench/run.py passes the same one to every script): 1M if in it (the size the ingest
    # targets are set at), else the largest.
    utf8, cp874 = make_files(1_000_000 if 1_000_000 in sizes else max(sizes))
    largest = None
    if max(sizes) > 1_000_000 and 1_000_000 in sizes:
        big, _ = make_files(max(sizes))
        largest = measure("ingest", big)
    print(f"file: {utf8.name} {utf8.stat().st_size / 1e6:.0f} MB, {cp874.name} {cp874.stat().st_size / 1e6:.0f} MB")
    bare = measure("bare", utf8)
    u = measure("ingest", utf8)
    w = measure("ingest", cp874)
    print(f"bare DuckDB read_csv (all_varchar):   {bare['seconds']:6.2f} s   peak {bare['peak_rss_mb']} MB")
    print(
        f"ingest UTF-8:                         {u['seconds']:6.2f} s   peak {u['peak_rss_mb']} MB   "
        f"accepted {u['accepted']:,} rejected {u['rejected']:,}   ratio vs bare {u['seconds'] / bare['seconds']:.1f}x"
    )
    print(
        f"ingest Windows-874:                   {w['seconds']:6.2f} s   peak {w['peak_rss_mb']} MB   "
        f"accepted {w['accepted']:,}   ratio vs UTF-8 {w['seconds'] / u['seconds']:.2f}x"
    )
    peaks = [u["peak_rss_mb"], w["peak_rss_mb"]]
    if largest:
        print(f"ingest UTF-8 {largest['rows']:,} rows:  {largest['seconds']:6.2f} s   peak {largest['peak_rss_mb']} MB")
        peaks.append(largest["peak_rss_mb"])
    ok = u["seconds"] <= 10 and w["seconds"] <= 10 and max(peaks) <= 1024
    print(
        "targets (<= 10 s, <= 1 GB, cp874 <= 1.5x):", "met" if ok and w["seconds"] <= 1.5 * u["seconds"] else "NOT met"
    )


if __name__ == "__main__":
    main()
