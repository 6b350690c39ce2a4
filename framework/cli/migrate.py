"""`python -m framework migrate --from SRC --to DST`: the survey store between a file and PostgreSQL (pgstore)."""

from __future__ import annotations

import json

from framework.cli import UsageError, add_format
from framework.cli.text import echo


def _migrate(args) -> int:
    from framework.pgstore.migrate import MigrateError, migrate

    try:
        report = migrate(args.source, args.dest)
    except MigrateError as exc:
        raise UsageError(exc.th, exc.en) from None
    if args.format == "json":
        echo(json.dumps(report, ensure_ascii=False, indent=2), json=True)
        return 0
    echo(f"copied {report['from']} -> {report['to']} / คัดลอกแล้ว (data version {report['data_version']})")
    for name, n in sorted(report["tables"].items()):
        echo(f"  {name}: {n:,} rows / แถว")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "migrate",
        help="copy the survey store between a .duckdb file and PostgreSQL (either way) into an empty store, "
        "checked by equal row counts",
    )
    p.add_argument("--from", dest="source", required=True, help="the store to copy: a .duckdb file or postgresql://…")
    p.add_argument("--to", dest="dest", required=True, help="an empty store: a .duckdb file or postgresql://…")
    add_format(p)
    p.set_defaults(func=_migrate)
