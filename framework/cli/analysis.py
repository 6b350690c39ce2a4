"""Commands of the analysis area: `coverage` and `readiness`, suppressed exactly as on screen."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

COVERAGE_COLUMNS = ["stage", "by", "key", "code", "n", "met", "coverage", "required"]
READINESS_COLUMNS = ["by", "key", "stage", "n", "readiness", "fully_ready", "required_units"]


def register(sub) -> None:
    """Add this area's sub-commands to the parser."""
    p = sub.add_parser("coverage", help="coverage of each unit per staff group / agency / org unit (suppressed)")
    p.add_argument("--stage", required=True, help="Early, Developing or Mature (Thai names accepted)")
    _common(p)
    p.set_defaults(func=_coverage)
    p = sub.add_parser("readiness", help="readiness at each stage per staff group / agency / org unit (suppressed)")
    _common(p)
    p.set_defaults(func=_readiness)


def _common(p) -> None:
    p.add_argument("--by", default="group", help="group (default), agency or unit")
    p.add_argument("--threshold", type=int, default=3, help="level that counts as met, 1-4 (default 3)")
    p.add_argument("--min-cell", type=int, default=5, dest="min_cell",
                   help="smallest number of respondents shown (default 5)")
    p.add_argument("--db", default=None, help="survey store file (default: $SKILLS_DB or var/skills.duckdb)")
    p.add_argument("--format", default="csv", help="csv (default) or json")


def _open(args):
    """A read-only connection to the store, or a UsageError saying what is wrong and how to fix it."""
    from framework import analysis, db
    from framework.cli import UsageError
    from framework.paths import store_path

    if args.format not in ("csv", "json"):
        raise UsageError(f"unknown --format {args.format!r}: use csv or json")
    if args.by not in analysis.BY:
        raise UsageError(f"unknown --by {args.by!r}: use group, agency or unit")
    path = Path(args.db) if args.db else store_path()
    if not path.is_file():
        raise UsageError(f"no survey store at {path}: upload a survey first or give --db PATH")
    con = db.connect(path, read_only=True)
    if not analysis.has_store(con):
        con.close()
        raise UsageError(f"{path} holds no survey tables: upload a survey first")
    try:
        filters = analysis.Filters(threshold=args.threshold, min_cell=args.min_cell)
    except analysis.AnalysisError as exc:
        con.close()
        raise UsageError(exc.en) from None
    return con, filters


def _write(df: pd.DataFrame, fmt: str) -> None:
    """CSV or JSON on stdout in UTF-8 (Thai keys), hidden values empty / null."""
    if fmt == "json":
        data = df.to_json(orient="records", force_ascii=False, indent=1)
    else:
        data = df.to_csv(index=False)
    sys.stdout.flush()
    sys.stdout.buffer.write(data.encode("utf-8"))
    sys.stdout.buffer.flush()


def _coverage(args) -> int:
    from framework import analysis
    from framework.catalog import Catalog
    from framework.cli import UsageError

    con, filters = _open(args)
    try:
        stage = args.stage if args.stage in analysis.STAGES else Catalog(con).resolve_stage(args.stage)
        if stage is None:
            raise UsageError(f"unknown --stage {args.stage!r}: use Early, Developing or Mature")
        df = analysis.coverage(con, filters, stage=stage, by=args.by)
    finally:
        con.close()
    df = df[COVERAGE_COLUMNS].copy()
    df["met"] = df["met"].astype("Int64")
    _write(df, args.format)
    return 0


def _readiness(args) -> int:
    from framework import analysis

    con, filters = _open(args)
    try:
        df = analysis.readiness(con, filters, by=args.by)
    finally:
        con.close()
    _write(df[READINESS_COLUMNS], args.format)
    return 0
