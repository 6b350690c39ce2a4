"""Where an ingest spends its time: every SQL statement SurveyStore.ingest runs, timed, next to the phases its
progress callback reports and a bare DuckDB CREATE TABLE AS SELECT * FROM read_csv(...) of the same file into a
database file (the issue 12 yardstick). A diagnostic, not a target check: the figures vary with the machine's load,
so the load average is printed with them.

Run: .venv/bin/python bench/profile_ingest.py [--rows N] [--top K]   (the file is made once under bench/out/)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class Timed:
    """A cursor (or connection) whose execute() calls are timed into a shared log; the rest passes through."""

    def __init__(self, inner, log: list):
        self._inner, self._log = inner, log

    def cursor(self):
        return Timed(self._inner.cursor(), self._log)

    def execute(self, sql, *args):
        started = time.perf_counter()
        out = self._inner.execute(sql, *args)
        self._log.append((time.perf_counter() - started, " ".join(str(sql).split())))
        return out

    def __getattr__(self, name):
        return getattr(self._inner, name)


def bare(csv: Path, tmp: str) -> float:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(f"{tmp}/bare.duckdb")
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header=true)", [str(csv)])
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--top", type=int, default=12, help="how many of the slowest statements to list")
    args = ap.parse_args()
    import duckdb
    from bench_ingest import OUT, csv_sql

    from framework import db
    from framework.store import SurveyStore

    csv = OUT / f"survey_{args.rows}_utf8.csv"  # the same file bench_ingest.py makes
    if not csv.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        duckdb.connect().execute(f"COPY ({csv_sql(args.rows)}) TO '{csv}' (HEADER, DELIMITER ',')")
    print(f"file {csv.name}: {csv.stat().st_size / 1e6:.0f} MB; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"bare CTAS into a file: {bare(csv, tmp):.2f} s")
        con = db.connect(Path(tmp) / "store.duckdb")
        store = SurveyStore(con)
        log: list = []
        store.con = Timed(con, log)
        phases: list = []
        started = time.perf_counter()
        res = store.ingest(
            csv,
            agency="bench",
            stage="Developing",
            round_date="2025-06-30",
            progress=lambda f, th, en: phases.append((time.perf_counter() - started, en)),
        )
        total = time.perf_counter() - started
    print(f"ingest: {total:.2f} s ({res.accepted:,} accepted, {res.rejected:,} rejected)")
    for (t0, name), (t1, _) in zip(phases, phases[1:] + [(total, "")]):
        print(f"  {t1 - t0:6.2f} s  {name}")
    print(f"slowest statements ({sum(t for t, _ in log):.2f} s in {len(log)} statements):")
    for seconds, sql in sorted(log, reverse=True)[: args.top]:
        print(f"  {seconds:6.2f} s  {sql[:110]}")
    print(f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
