"""Catalogue commands: build the Parquet from the YAML source, check it, print counts."""
from __future__ import annotations

import json

from framework.build import build, stale_tables
from framework.cli.text import echo


def register(sub) -> None:
    p = sub.add_parser("build", help="compile data/source/*.yaml into data/parquet/*.parquet")
    p.set_defaults(func=_build)
    p = sub.add_parser("check", help="verify the committed Parquet equals a fresh build of the source")
    p.set_defaults(func=_check)


def _build(args) -> int:
    counts = build()
    echo(json.dumps(counts, indent=1), json=True)
    return 0


def _check(args) -> int:
    stale = stale_tables()
    if stale:
        echo("out of date: " + ", ".join(stale) + " (run `python -m framework build`)")
        return 1
    echo("Parquet matches the source")
    return 0
