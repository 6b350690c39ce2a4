"""The PostgreSQL store's costs (framework/pgstore) against the embedded file: a write (the demo's first batch
ingested, one campaign submission), the replica's load (a process starting) for the demo and for N rows.

Run: .venv/bin/python bench/bench_pg.py [--rows 1000000]   (a private PostgreSQL server is started and stopped;
needs Debian's postgresql package: make test-pg installs it). Times: wall and this process's CPU (the server's
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from framework import campaign, db, pgstore
    from framework.catalog import Catalog
    from framework.paths import DEMO_DIR
    from framework.pgstore.migrate import migrate
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
        if args.rows:
            from bench_analysis import generate

            big = tmp / "big.duckdb"
            generate(big, args.rows)
            url = dbs.new(empty=True)
            out[f"migrate file -> pg, {args.rows:,} responses"] = timed(lambda: migrate(big, url), 1)
            out[f"pg: replica load, {args.rows:,} responses"] = timed(lambda: db.connect(url).close(), args.repeat)
            con = db.connect(url)
            catalog = Catalog(con)
            SurveyStore(con, catalog)
            c = campaign.open_campaign(con, catalog, agency="กรมวัด", stage="Early", round_date="2025-06-30")
            req = catalog.profile_units("Early", "Service")["code"].tolist()
            people = iter(range(1000))
            out[f"pg: one campaign submission, {args.rows:,} responses"] = timed(
                lambda: campaign.submit(
                    con, catalog, c, f"y{next(people)}", "Service", None, {u: 2 for u in req}, client=None
                ),
                args.repeat,
            )
            fcon = db.connect(big)
            fcat = Catalog(fcon)
            SurveyStore(fcon, fcat)
            fc = campaign.open_campaign(fcon, fcat, agency="กรมวัด", stage="Early", round_date="2025-06-30")
            out[f"file: one campaign submission, {args.rows:,} responses"] = timed(
                lambda: campaign.submit(
                    fcon, fcat, fc, f"y{next(people)}", "Service", None, {u: 2 for u in req}, client=None
                ),
                args.repeat,
            )
    finally:
        server.stop()
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
