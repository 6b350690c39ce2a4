"""Commands of the analysis area: `coverage` and `readiness`, suppressed exactly as on screen."""

from __future__ import annotations

import pandas as pd

from framework.analysis.filters import DEFAULT_THRESHOLD
from framework.cli import (
    UsageError,
    add_format,
    add_passphrase,
    open_store,
    survey_access,
)
from framework.cli.text import echo, escape_frame
from framework.targets import DEFAULT_LEVEL

COVERAGE_COLUMNS = ["stage", "by", "round", "key", "code", "n", "met", "coverage", "required"]
READINESS_COLUMNS = ["by", "round", "key", "stage", "n", "readiness", "fully_ready", "required_units"]
ROUND_HELP = (
    "which round of each agency: latest (default: each agency's latest round), all (every round "
    "pooled) or a round date YYYY-MM-DD; rows carry a `round` column"
)


def add_round(p) -> None:
    """The --round flag of every survey command (coverage, readiness, export of aggregates)."""
    p.add_argument("--round", default="latest", help=ROUND_HELP)


def register(sub) -> None:
    """Add this area's sub-commands to the parser."""
    p = sub.add_parser("coverage", help="coverage of each unit per staff group / agency / org unit (suppressed)")
    p.add_argument(
        "--stage",
        default=None,
        help="Early, Developing or Mature (Thai names accepted); default: the "
        "stage the agency declared for its round, when the rounds chosen hold one agency",
    )
    _common(p)
    p.set_defaults(func=_coverage)
    p = sub.add_parser("readiness", help="readiness at each stage per staff group / agency / org unit (suppressed)")
    _common(p)
    p.set_defaults(func=_readiness)


def _common(p) -> None:
    p.add_argument("--by", default="group", help="group (default), agency or unit")
    add_round(p)
    p.add_argument(
        "--threshold",
        type=int,
        default=DEFAULT_THRESHOLD,
        help=f"what counts as met: 0 = the agency's target level per profile and unit (default {DEFAULT_THRESHOLD}; "
        f"{DEFAULT_LEVEL} where the agency set none), or one level 1-4 for every unit",
    )
    p.add_argument(
        "--min-cell",
        type=int,
        default=None,
        dest="min_cell",
        help="smallest number of respondents shown (default 5; below the floor, 5 unless "
        "$SKILLS_MIN_CELL_FLOOR says otherwise, only with the HR passphrase)",
    )
    add_passphrase(p, "a --min-cell below the floor")
    p.add_argument("--db", default=None, help="survey store file (default: $SKILLS_DB or var/skills.duckdb)")
    add_format(p, ("csv", "json"), "csv")


def _open(args):
    """A read-only store connection (cli.open_store) and the Filters of the flags, or a UsageError."""
    from framework import analysis

    if args.by not in analysis.BY:
        raise UsageError(
            f"ไม่รู้จัก --by {args.by!r}: ใช้ group, agency หรือ unit", f"unknown --by {args.by!r}: use group, agency or unit"
        )
    # k checked against the floor, and exact figures only in local mode or with the HR passphrase
    k, exact = survey_access(args.min_cell, args.passphrase)
    filters = analysis.Filters(
        threshold=args.threshold,  # AnalysisError: one line from cli.main
        min_cell=k,
        authorised=exact,
        round=args.round,
    )
    return open_store(args.db), filters


def _write(df: pd.DataFrame, fmt: str) -> None:
    """CSV or JSON on stdout in UTF-8 (Thai keys), hidden values empty / null; control characters escaped."""
    if fmt == "json":
        echo(df.to_json(orient="records", force_ascii=False, indent=1), json=True, end="")
    else:
        echo(escape_frame(df).to_csv(index=False), end="")


def _coverage(args) -> int:
    from framework import analysis
    from framework.catalog import STAGES, Catalog

    con, filters = _open(args)
    with con:
        if args.stage is None:
            stage = _declared_stage(con, filters)
        else:
            stage = args.stage if args.stage in STAGES else Catalog(con).resolve_stage(args.stage)
        if stage is None:
            raise UsageError(
                f"ไม่รู้จักระยะ --stage {args.stage!r}: ใช้ Early, Developing หรือ Mature",
                f"unknown --stage {args.stage!r}: use Early, Developing or Mature",
            )
        df = analysis.with_round(con, filters, analysis.coverage(con, filters, stage=stage, by=args.by), args.by)
    df = df[COVERAGE_COLUMNS].copy()
    df["met"] = df["met"].astype("Int64")
    _write(df, args.format)
    return 0


def _declared_stage(con, filters) -> str:
    """The default --stage: the stage the one agency declared for its round (analysis.rounds.declared);
    several agencies at their own stages: a UsageError naming them (a pool needs the stage said)."""
    from framework import analysis

    d = analysis.rounds.declared(con, filters)
    if len(d) == 1 and d["stage"].iloc[0]:
        return d["stage"].iloc[0]
    each = "; ".join(f"{a}: {s or '-'}" for a, s in zip(d["agency"], d["stage"]))
    raise UsageError(
        f"ระบุ --stage: รอบที่เลือกมีหลายหน่วยงานซึ่งระบุระยะของตนเอง ({each})",
        f"give --stage: the rounds chosen hold several agencies, each at its declared stage ({each})",
    )


def _readiness(args) -> int:
    from framework import analysis

    con, filters = _open(args)
    with con:
        df = analysis.with_round(con, filters, analysis.readiness(con, filters, by=args.by), args.by)
    _write(df[READINESS_COLUMNS], args.format)
    return 0
