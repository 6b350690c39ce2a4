"""Catalogue commands: build the Parquet from the YAML source, check it, print counts."""

from __future__ import annotations

import json

from framework.catalog.build import build, stale_tables
from framework.cli import add_format
from framework.cli.text import echo


def register(sub) -> None:
    p = sub.add_parser("build", help="compile data/source/*.yaml into data/parquet/*.parquet")
    add_format(p, ("json", "text"), "json")
    p.set_defaults(func=_build)
    p = sub.add_parser("check", help="verify the committed Parquet equals a fresh build of the source")
    add_format(p)
    p.set_defaults(func=_check)


def _build(args) -> int:
    counts = build()
    if args.format == "json":
        echo(json.dumps(counts, indent=1), json=True)
    else:
        echo("\n".join(f"{name}: {n} rows" for name, n in counts.items()))
    return 0


def _check(args) -> int:
    stale = stale_tables()
    if args.format == "json":
        echo(json.dumps({"up_to_date": not stale, "stale": stale}), json=True)
    elif stale:
        echo("out of date: " + ", ".join(stale) + " (run `python -m framework build`)")
    else:
        echo("Parquet matches the source")
    return 1 if stale else 0
