"""Scaling of the survey analysis: one table, one column per store size (respondents), one line per measure.

Run:  .venv/bin/python bench/bench_analysis.py [--rows 100000,1000000,3000000] [--repeat 3] [--stores DIR]
      [--views-only]
      (default rows: $BENCH_RESPONDENTS if set, else 100000,1000000; `make bench` runs it via bench/run.py;
      --stores DIR keeps each generated store as DIR/store-N.duckdb and reuses it on the next run;
      --views-only measures the views alone: no page, no ingest)

For each size a store is generated with SQL (4 rounds x 2 agencies = 8 batches, 300 org units, 6 staff groups,
random levels with 10% not assessed, seeded) and, each in a fresh process:
- every view's CPU time (median of --repeat; each call reads the store's inputs itself, as a view called alone
  does; one more line: the overview with them shared, as pages call it, ui/cache.py), and every survey page's full AppTest rerun after a changed
  threshold (median of 3 reruns; the home page: its first load) - the page process's peak RSS is the
  "serving" memory;
- the ingest of a CSV of the same size (SurveyStore.ingest into a new store file) against a bare DuckDB
  `CREATE TABLE AS SELECT * FROM read_csv(...)` of the same file into a database file;
- the store file's size after CHECKPOINT.
Targets (issue 12, at 3,000,000): view <= 0.2 s (issue 22: <= 0.1 s), page rerun <= 1 s, serving RSS <= 1.5 GB;
ingest <= 3x bare at 1,000,000. The store is generated with SQL and its write-time cells rebuilt (aggregates.rebuild).
The machine's load average is printed with the figures: on a shared machine they are only comparable within a run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUNDS = ("2022-06-30", "2023-06-30", "2024-06-30", "2025-06-30")
AGENCIES = ("กรมหนึ่ง", "กรมสอง")
ORG_UNITS = 300
# page -> (the threshold widget's key: reruns after changing it miss every cache; None: the first load, cold),
# session state to seed. sql.py is measured as a user without the HR passphrase sees it (suppressed tables; the
# row-level copy an HR user gets is exempt, as issue 12 says of row-level pages).
PAGES = {
    "app.py": (None, {}),
    "overview.py": ("ov_threshold", {}),
    "coverage.py": ("cov_threshold", {"cov_stage": "Developing"}),
    "readiness.py": ("rdy_threshold", {}),
    "trends.py": ("trd_threshold", {}),
    "training.py": ("trn_threshold", {}),
    "respondent.py": ("resp_t", {}),
    "sql.py": ("sql_threshold", {}),
}
TARGET = {"view": 0.1, "page": 1.0, "rss_mb": 1536, "ingest_ratio": 3.0}


def generate(path: Path, n: int) -> None:
    """n respondents in 8 batches (2 agencies x 4 rounds), 300 org units, random levels; all in SQL."""
    from framework import db
    from framework.catalog import Catalog
    from framework.store import aggregates, ensure_schema

    con = db.connect(path)
    codes = Catalog(con).unit_codes()
    ensure_schema(con, codes)
    batches = [
        (f"b{1 + a * len(ROUNDS) + r}", agency, rnd)
        for a, agency in enumerate(AGENCIES)
        for r, rnd in enumerate(ROUNDS)
    ]
    for bid, agency, rnd in batches:
        con.execute(
            "INSERT INTO store.batches (batch_id, file_name, content_hash, agency, stage, round_date, "
            "uploaded_at, rows_read, accepted, rejected) VALUES (?, ?, ?, ?, 'Developing', ?, now(), 0, 0, 0)",
            [bid, f"{bid}.csv", f"h{bid}", agency, rnd],
        )
    levels = ", ".join(
        f"CASE WHEN hash(i, {j}) % 10 = 0 THEN NULL ELSE (hash(i, {j}) % 5)::UTINYINT END AS {db.ident(c)}"
        for j, c in enumerate(codes)
    )
    con.execute(f"""
        INSERT INTO store.responses
        SELECT 'b' || (1 + i % {len(batches)}) AS batch_id, 'r' || i AS respondent_id,
               ['Executive','Management','Academic','Service','Technologist','Others'][1 + (hash(i) % 6)::INT],
               NULL AS agency, 'สำนัก ' || (hash(i, 'u') % {ORG_UNITS}) AS org_unit, NULL AS position, {levels}
        FROM range({int(n)}) t(i)""")
    con.execute(
        "UPDATE store.batches SET accepted = (SELECT count(*) FROM store.responses r "
        "WHERE r.batch_id = store.batches.batch_id), rows_read = accepted"
    )
    with db.transaction(con) as cur:  # the cells every write keeps (the rows above bypassed the store)
        aggregates.rebuild(cur)
    con.execute("CHECKPOINT store")
    con.close()


def write_csv(path: Path, n: int) -> None:
    """A survey CSV of n respondents (the ingest benchmark's file; see bench_ingest.csv_sql)."""
    import duckdb
    from bench_ingest import csv_sql

    con = duckdb.connect()
    con.execute(f"COPY ({csv_sql(n)}) TO '{path}' (HEADER, DELIMITER ',')")
    con.close()


def median_time(fn, repeat: int) -> float:
    """The median CPU time of `fn` (every thread of the process: DuckDB's too), after one call to warm up."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def serve(path: Path, repeat: int, pages: bool = True) -> dict:
    """In this process: each view's CPU time, then (pages) each survey page's full rerun (AppTest)."""
    from framework import analysis, analyst, db
    from framework.analysis import Filters, memo

    con = db.connect(path, read_only=True)
    f = Filters()
    filtered = Filters(agencies=(AGENCIES[0],), staff_groups=("Executive", "Service"), rounds=(ROUNDS[-1],))
    views = {
        "coverage by group": lambda: analysis.coverage(con, f, stage="Developing", by="group"),
        "coverage by org unit": lambda: analysis.coverage(con, f, stage="Developing", by="unit"),
        "coverage filtered": lambda: analysis.coverage(con, filtered, stage="Early", by="group"),
        "readiness by group": lambda: analysis.readiness(con, f, by="group"),
        "readiness by agency": lambda: analysis.readiness(con, f, by="agency"),
        "blockers": lambda: analysis.blockers(con, f, stage="Developing"),
        "overview (counts, readiness now+before, blockers)": lambda: analysis.overview(con, f),
        "trends": lambda: analysis.trends(con, f, stage="Early", unit="DLit100"),
        "training needs (+ coverage and blockers)": lambda: analysis.training_needs(con, f, "Developing"),
        "analyst tables, per view (12 suppressed views at once)": lambda: (
            analyst.survey_aggregates(con, min_cell=5, threshold=3) and None
        ),
        "filter options": lambda: analysis.filter_options(con),
    }
    inputs: dict = {}  # the store's inputs, shared by every call as a page's are (ui/cache.py)

    def shared_overview():
        with memo.shared(inputs):
            analysis.overview(con, f)

    views["overview, store inputs shared (as pages call it)"] = shared_overview
    out = {
        "view": {
            name: median_time(fn, repeat) / (12 if "12 suppressed views" in name else 1) for name, fn in views.items()
        },
        "page": {},
    }
    con.close()
    if not pages:
        return out

    os.environ["SKILLS_DB"] = str(path)
    from streamlit.testing.v1 import AppTest

    for page, (key, state) in PAGES.items():
        if page == "sql.py":
            os.environ["SKILLS_HR_PASSPHRASE"] = "bench-only"  # not given on the page: no row-level table
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        if page != "app.py":
            at.switch_page(f"pages/{page}")
        for k, v in state.items():
            at.session_state[k] = v
        t = time.perf_counter()
        at.run()
        first = time.perf_counter() - t
        assert not at.exception, [e.value for e in at.exception]
        reruns = []
        for threshold in (2, 4, 3) if key else ():  # a changed setting misses the page cache: the honest number
            at.session_state[key] = threshold
            t = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - t)
        out["page"][page] = statistics.median(reruns) if reruns else first
        os.environ.pop("SKILLS_HR_PASSPHRASE", None)
    return out


def ingest(csv: Path, kind: str) -> dict:
    """In this process: SurveyStore.ingest of the CSV, or the bare CREATE TABLE AS read_csv, into a new file."""
    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "ingest.duckdb"
        t = time.perf_counter()
        if kind == "bare":
            con = duckdb.connect(str(target))
            con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header=true)", [str(csv)])
            rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
            con.execute("CHECKPOINT")
        else:
            from framework import db
            from framework.store import SurveyStore

            con = db.connect(target)
            rows = SurveyStore(con).ingest(csv, agency="bench", stage="Developing", round_date="2025-06-30").accepted
        seconds = time.perf_counter() - t
        con.close()
    return {"rows": rows, "seconds": seconds}


def child(argv: list[str]) -> None:
    """`--child KIND ARG [N]`: one measurement in a fresh process, printed as one JSON line (with peak RSS)."""
    kind, arg, *rest = argv
    if kind == "generate":
        generate(Path(arg), int(rest[0]))
        out = {}
    elif kind == "serve":
        out = serve(Path(arg), int(rest[0]), bool(int(rest[1])) if len(rest) > 1 else True)
    else:
        out = ingest(Path(arg), kind)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run_child(*args) -> dict:
    res = subprocess.run(
        [sys.executable, __file__, "--child", *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if res.returncode:
        raise SystemExit(f"benchmark step {args[0]} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def measure(n: int, repeat: int, stores: Path | None = None, views_only: bool = False) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-analysis-"))
    try:
        store, csv = (stores or tmp) / (f"store-{n}.duckdb" if stores else "store.duckdb"), tmp / "survey.csv"
        t = time.perf_counter()
        if not store.exists():  # --stores: a store generated by an earlier run is reused (read only)
            part = store.with_name(store.name + ".part")
            part.unlink(missing_ok=True)
            run_child("generate", part, n)
            part.replace(store)
        gen = time.perf_counter() - t
        served = run_child("serve", store, repeat, int(not views_only))
        if views_only:
            return {"view": served["view"], "load": os.getloadavg()[0]}
        write_csv(csv, n)
        bare = run_child("bare", csv)
        ing = run_child("ingest", csv)
        return {
            "generate": gen,
            "view": served["view"],
            "page": served["page"],
            "serve_rss_mb": served["peak_rss_mb"],
            "store_mb": store.stat().st_size / 1e6,
            "csv_mb": csv.stat().st_size / 1e6,
            "bare": bare["seconds"],
            "ingest": ing["seconds"],
            "ingest_rows": ing["rows"],
            "ingest_rss_mb": ing["peak_rss_mb"],
            "load": os.getloadavg()[0],
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def table(sizes: list[int], results: list[dict]) -> str:
    """The scaling table: one line per measure, one column per size; a flag when the 3M target is missed."""
    head = f"{'respondents':60s}" + "".join(f"{n:>12,}" for n in sizes) + "   target"
    lines = [head, "-" * len(head)]

    def row(label: str, values, fmt: str, target: str = "", limit: float | None = None, at: int = -1):
        cells = "".join(format(v, fmt).rjust(12) for v in values)
        flag = "" if limit is None else ("  ok" if values[at] <= limit else "  MISSED")
        lines.append(f"{label:60s}{cells}   {target}{flag}")

    for name in results[0]["view"]:
        row(f"view: {name} (CPU s)", [r["view"][name] for r in results], ".3f", "<= 0.1", TARGET["view"])
    if "page" not in results[0]:  # --views-only
        row("load average (1 min) after", [r["load"] for r in results], ".1f")
        return "\n".join(lines)
    for page in results[0]["page"]:
        label = "first load" if PAGES[page][0] is None else "rerun"
        row(f"page {label}: {page} (s)", [r["page"][page] for r in results], ".2f", "<= 1.0", TARGET["page"])
    row("serving peak RSS (MB)", [r["serve_rss_mb"] for r in results], ".0f", "<= 1536", TARGET["rss_mb"])
    row("store file (MB)", [r["store_mb"] for r in results], ".0f")
    row("CSV file (MB)", [r["csv_mb"] for r in results], ".0f")
    row("bare CREATE TABLE AS read_csv (s)", [r["bare"] for r in results], ".2f")
    row("ingest (s)", [r["ingest"] for r in results], ".2f")
    at_1m = sizes.index(1_000_000) if 1_000_000 in sizes else -1  # the ingest target is set at 1M rows
    row(
        "ingest / bare (x)",
        [r["ingest"] / r["bare"] for r in results],
        ".1f",
        "<= 3 at 1M",
        TARGET["ingest_ratio"],
        at_1m,
    )
    row("ingest peak RSS (MB)", [r["ingest_rss_mb"] for r in results], ".0f")
    row("generate store (s)", [r["generate"] for r in results], ".1f")
    row("load average (1 min) after", [r["load"] for r in results], ".1f")
    return "\n".join(lines)


def parse_rows(text: str) -> list[int]:
    try:
        sizes = [int(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError:
        raise SystemExit(f"--rows: comma-separated whole numbers, e.g. 100000,1000000 (got {text!r})") from None
    if not sizes or min(sizes) < 100:
        raise SystemExit("--rows: each size must be at least 100")
    return sizes


def main() -> int:
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1 :])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--rows",
        default=os.environ.get("BENCH_RESPONDENTS", "100000,1000000"),
        help="comma-separated store sizes (respondents), default 100000,1000000",
    )
    ap.add_argument("--repeat", type=int, default=3, help="view timings: median of this many runs")
    ap.add_argument(
        "--stores",
        type=Path,
        help="keep the generated stores in this folder (store-N.duckdb) and reuse them on the next run",
    )
    ap.add_argument("--views-only", action="store_true", help="measure the views alone (no page, no ingest)")
    args, _ = ap.parse_known_args()  # bench/run.py passes the same arguments to every bench script
    sizes = parse_rows(args.rows)
    print(
        f"scaling: {len(ROUNDS)} rounds x {len(AGENCIES)} agencies, {ORG_UNITS} org units, "
        f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results = []
    for n in sizes:
        t = time.perf_counter()
        results.append(measure(n, args.repeat, args.stores, args.views_only))
        print(f"  {n:,} respondents measured in {time.perf_counter() - t:.0f} s", flush=True)
    print(table(sizes, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
