"""The PostgreSQL store's costs (framework/pgstore) against the embedded file: a write (the demo's first batch
ingested, one campaign submission), the replica's load (a process starting) for the demo; then for stores of
100,000 and 1,000,000 responses: the replica's load, a submission (a new person; the same person again) and an
audit line, on PostgreSQL and on the file.

Run: .venv/bin/python bench/bench_pg.py [--sizes 100000,1000000] [--repeat 5]   (a private PostgreSQL server is
started and stopped; needs Debian's postgresql package: make test-pg installs it). Times: wall and this process's CPU (the server's
own CPU is not counted); the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def timed(fn, repeat: int = 3) -> dict:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return {"wall_s": round(statistics.median(walls), 3), "cpu_s": round(statistics.median(cpus), 3)}


def big_store(rows: int, tmp: Path, dbs, repeat: int) -> dict:
    """A store of `rows` responses (bench_analysis.generate) in a file and in PostgreSQL: a process starting (the
    replica's load), one campaign submission of a new person and of the same person again, one audit line."""
    from bench_analysis import generate

    from framework import audit, campaign, db, pgstore
    from framework.catalog import Catalog
    from framework.pgstore.migrate import migrate
    from framework.store import SurveyStore

    out: dict = {}
    big = tmp / f"big{rows}.duckdb"
    generate(big, rows)
    url = dbs.new(empty=True)
    out[f"migrate file -> pg, {rows:,} responses"] = timed(lambda: migrate(big, url), 1)

    def start() -> None:
        con = db.connect(url)
        pgstore.detach(con)
        con.close()

    out[f"pg: replica load (a process starting), {rows:,} responses"] = timed(start, repeat)
    for kind, target in (("pg", url), ("file", big)):
        con = db.connect(target)
        catalog = Catalog(con)
        SurveyStore(con, catalog)
        c = campaign.open_campaign(con, catalog, agency="กรมวัด", stage="Early", round_date="2025-06-30")
        req = catalog.profile_units("Early", "Service")["code"].tolist()
        people = iter(range(10_000))
        free = campaign.Limits(*(campaign.RateLimiter(10**6) for _ in range(3)))  # the write measured, not limits

        def submit(rid=None, con=con, catalog=catalog, c=c, req=req, people=people, free=free):
            rid = rid or f"y{next(people)}"
            campaign.submit(con, catalog, c, rid, "Service", None, {u: 2 for u in req}, client=None, limits=free)

        submit("again")  # the person answering again below
        out[f"{kind}: one campaign submission (a new person), {rows:,} responses"] = timed(submit, repeat)
        out[f"{kind}: one campaign submission (the same person again), {rows:,} responses"] = timed(
            lambda submit=submit: submit("again"), repeat
        )
        out[f"{kind}: one audit line, {rows:,} responses"] = timed(
            lambda con=con: audit.record(con, "hr", "sign-in"), repeat
        )
        pgstore.detach(con)
        con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000", help="responses in the big stores (comma-separated)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    args.sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    from framework import campaign, db, pgstore
    from framework.catalog import Catalog
    from framework.paths import DEMO_DIR
    from framework.store import SurveyStore
    from tests.pg_server import Databases, PgServer

    manifest = json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))["batches"]
    server = PgServer()
    out: dict = {}
    try:
        dbs = Databases(server.start(), server.url)
        tmp = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        for kind in ("file", "pg"):
            stores = iter(range(100))

            def target(kind=kind, stores=stores):
                return str(tmp / f"s{next(stores)}.duckdb") if kind == "file" else dbs.new()

            def ingest(target=target):
                con = db.connect(target())
                store = SurveyStore(con)
                b = manifest[0]
                t = (time.perf_counter(), time.process_time())
                store.ingest(DEMO_DIR / b["file"], agency=b["agency"], stage=b["stage"], round_date=b["round_date"])
                ingest.last.append((time.perf_counter() - t[0], time.process_time() - t[1]))
                pgstore.detach(con)
                con.close()

            ingest.last = []
            for _ in range(args.repeat):
                ingest()
            out[f"{kind}: ingest of the demo's first batch (900 rows)"] = {
                "wall_s": round(statistics.median(w for w, _ in ingest.last), 3),
                "cpu_s": round(statistics.median(c for _, c in ingest.last), 3),
            }
            con = db.connect(target())
            catalog = Catalog(con)
            SurveyStore(con, catalog).load_demo(DEMO_DIR)
            c = campaign.open_campaign(con, catalog, agency="กรมวัด", stage="Early", round_date="2025-06-30")
            req = catalog.profile_units("Early", "Service")["code"].tolist()
            people = iter(range(1000))
            out[f"{kind}: one campaign submission (demo store)"] = timed(
                lambda c=c, req=req, con=con, catalog=catalog, people=people: campaign.submit(
                    con, catalog, c, f"x{next(people)}", "Service", None, {u: 2 for u in req}, client=None
                ),
                args.repeat,
            )
            if kind == "pg":
                url = pgstore.link_of(con).url
                out["pg: replica load, demo store (a process starting)"] = timed(
                    lambda url=url: db.connect(url).close(), args.repeat
                )
            pgstore.detach(con)
            con.close()
        for rows in args.sizes:
            out.update(big_store(rows, tmp, dbs, args.repeat))
    finally:
        server.stop()
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
