"""Commands of the survey area (registered by framework.cli): ingest, batches, delete."""
from __future__ import annotations

import json
import sys

import pandas as pd

from framework import db
from framework.paths import store_path
from framework.survey import SurveyFileError


class _StoreUnavailable(Exception):
    """The store file cannot be opened (most often: the running app holds its lock)."""


def _store(path):
    import duckdb

    from framework.store import SurveyStore
    target = path or store_path()
    try:
        return SurveyStore(db.connect(target))
    except duckdb.IOException as exc:
        first = str(exc).splitlines()[0]
        if "lock" in first.lower():
            raise _StoreUnavailable(
                f"the survey store {target} is in use by another program (probably the running app) - stop it, "
                f"or use --db with another file; nothing was changed / ไฟล์คลังแบบสำรวจ {target} ถูกโปรแกรมอื่นใช้อยู่ "
                "(น่าจะเป็นแอปที่เปิดอยู่) — ปิดโปรแกรมนั้นก่อน หรือใช้ --db กับไฟล์อื่น ไม่มีข้อมูลใดถูกเปลี่ยน") from None
        raise _StoreUnavailable(f"the survey store {target} cannot be opened ({first}); nothing was changed / "
                                f"เปิดไฟล์คลังแบบสำรวจ {target} ไม่ได้ ({first}) ไม่มีข้อมูลใดถูกเปลี่ยน") from None


def _guard(func):
    """Print an unavailable store as one line (English / Thai), exit status 2."""
    def run(args) -> int:
        try:
            return func(args)
        except _StoreUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return run


def _ingest(args) -> int:
    from pathlib import Path
    if not Path(args.file).is_file():
        print(f"error: no such file: {args.file} / ไม่พบไฟล์: {args.file}", file=sys.stderr)
        return 2
    try:
        res = _store(args.db).ingest(args.file, agency=args.agency, stage=args.stage, round_date=args.round)
    except SurveyFileError as exc:
        print(f"error: {exc.en} / {exc.th}", file=sys.stderr)  # one line, English then Thai
        return 2
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
    df = _store(args.db).batches()
    df["round_date"] = [None if pd.isna(x) else pd.Timestamp(x).date().isoformat() for x in df["round_date"]]
    if args.json:
        print(df.to_json(orient="records", date_format="iso", force_ascii=False))
    else:
        print(df.drop(columns=["content_hash"]).to_string(index=False) if len(df) else "no batches")
    return 0


def _delete(args) -> int:
    if _store(args.db).delete(args.batch_id):
        print(f"deleted batch {args.batch_id} / ลบชุด {args.batch_id} แล้ว")
        return 0
    print(f"error: no batch {args.batch_id} (see `python -m framework batches`) / ไม่พบชุด {args.batch_id}",
          file=sys.stderr)
    return 1


def register(sub) -> None:
    """Add this area's sub-commands to the parser."""
    p = sub.add_parser("ingest", help="validate a survey CSV and store its accepted rows as one batch")
    p.add_argument("file")
    p.add_argument("--db", help="survey store file (default $SKILLS_DB or var/skills.duckdb)")
    p.add_argument("--agency")
    p.add_argument("--stage", help="Early, Developing or Mature (Thai names accepted)")
    p.add_argument("--round", help="survey round date YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_guard(_ingest))
    p = sub.add_parser("batches", help="list stored survey batches")
    p.add_argument("--db")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_guard(_batches))
    p = sub.add_parser("delete", help="delete one survey batch and its responses")
    p.add_argument("batch_id")
    p.add_argument("--db")
    p.set_defaults(func=_guard(_delete))
