"""Commands of the survey area (registered by framework.cli): ingest, batches, delete."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from framework.cli import UsageError, open_store


def _store(con):
    """The SurveyStore on an open_store() connection (imported on use, so `--help` stays quick)."""
    from framework.store import SurveyStore

    return SurveyStore(con)


def _ingest(args) -> int:
    if not Path(args.file).is_file():
        raise UsageError(f"ไม่พบไฟล์: {args.file}", f"no such file: {args.file}")
    with open_store(args.db, write=True) as con:  # a refused file: SurveyFileError, one line from cli.main
        res = _store(con).ingest(args.file, agency=args.agency, stage=args.stage, round_date=args.round)
    if args.json:
        print(json.dumps(res.to_json(), ensure_ascii=False))
    else:
        state = "already stored (same content), not counted again" if res.duplicate else "stored"
        print(f"batch {res.batch_id}: {state}; rows read {res.rows_read}, accepted {res.accepted}, "
              f"rejected {res.rejected}")
        for n in res.notices:
            print(f"{n.level}: {n.en}")
        for p in res.problems.itertuples(index=False):
            print(f"row {p.row} [{p.column}] {p.value!r}: {p.reason_en} - {p.fix_en}")
    return 0


def _batches(args) -> int:
    with open_store(args.db, write=True) as con:
        df = _store(con).batches()
    df["round_date"] = [None if pd.isna(x) else pd.Timestamp(x).date().isoformat() for x in df["round_date"]]
    if args.json:
        print(df.to_json(orient="records", date_format="iso", force_ascii=False))
    else:
        print(df.drop(columns=["content_hash"]).to_string(index=False) if len(df) else "no batches")
    return 0


def _delete(args) -> int:
    with open_store(args.db, write=True) as con:
        deleted = _store(con).delete(args.batch_id)
    if not deleted:
        raise UsageError(f"ไม่พบชุด {args.batch_id} (ดูรายการด้วย `python -m framework batches`)",
                         f"no batch {args.batch_id} (see `python -m framework batches`)")
    print(f"deleted batch {args.batch_id} / ลบชุด {args.batch_id} แล้ว")
    return 0


def register(sub) -> None:
    """Add this area's sub-commands to the parser."""
    p = sub.add_parser("ingest", help="validate a survey CSV and store its accepted rows as one batch")
    p.add_argument("file")
    p.add_argument("--db", help="survey store file (default $SKILLS_DB or var/skills.duckdb)")
    p.add_argument("--agency")
    p.add_argument("--stage", help="Early, Developing or Mature (Thai names accepted)")
    p.add_argument("--round", help="survey round date YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_ingest)
    p = sub.add_parser("batches", help="list stored survey batches")
    p.add_argument("--db")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_batches)
    p = sub.add_parser("delete", help="delete one survey batch and its responses")
    p.add_argument("batch_id")
    p.add_argument("--db")
    p.set_defaults(func=_delete)
