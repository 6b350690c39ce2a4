"""Training needs: how many staff need development in each unit their role profile requires at a stage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from framework import db, sql
from framework.analysis import source, sums
from framework.analysis import suppression as sup
from framework.analysis.base import frame, has_store, head_counts, order_keys, run
from framework.analysis.disclosure import POOLED
from framework.analysis.filters import (
    KEY_EXPR,
    TOTAL_KEY,
    AnalysisError,
    Filters,
    check_stage,
)
from framework.analysis.memo import view
from framework.catalog import STAFF_GROUPS

TRAINING_BY = ("group", "total")
TRAINING_COLUMNS = [
    "stage",
    "by",
    "key",
    "code",
    "group_key",
    "unit_ord",
    "name_th",
    "name_en",
    "group_name_th",
    "group_name_en",
    "required_n",
    "n_all",
    "not_met_n",
    "not_assessed_n",
    "share_not_met",
    "is_total",
    "hidden",
]


@view
def training_needs(con, filters: Filters | dict | None = None, stage: str = "Early", by: str = "group") -> pd.DataFrame:
    """How many staff need development in each unit their role profile requires at the stage (courses, budgets).

    Per unit required at `stage` by the profile of at least one selected respondent: required_n (respondents
    whose profile requires it), not_met_n (of them, level unknown or below t), not_assessed_n (level unknown),
    share_not_met. by="group" adds one row per staff group that has such respondents; by="total" gives the
    unit totals alone. Units are sorted by the total's not_met_n, largest first (hidden last, framework
    order breaks ties). Figures over the disclosure blocks inside each selection, hidden as suppression.py
    says, like the coverage heatmap (group rows) and the blocking units (totals): the same counts.
    required_n is the people the figure covers, n_all the people selected.
    Columns: TRAINING_COLUMNS.
    """
    f = Filters.coerce(filters).with_(required_only=False)
    check_stage(stage)
    if by not in TRAINING_BY:
        raise AnalysisError(
            f"มุมมอง {by!r} ไม่ถูกต้อง — ใช้ group หรือ total", f"Unknown breakdown {by!r} — use group or total"
        )
    fr = frame(con)
    groups_of = {c: [g for g in STAFF_GROUPS if c in fr.required[(stage, g)]] for c in fr.codes}
    groups_of = {c: gs for c, gs in groups_of.items() if gs}
    if not groups_of or not has_store(con):
        return pd.DataFrame(columns=TRAINING_COLUMNS)
    src = source.pick(con)
    df = needs_sums(con, f, src, groups_of) if sums.here(src) else needs_sql(con, f, src, groups_of)
    df["key"] = np.where(df["is_total"], TOTAL_KEY, df["key"])
    # Every (unit, staff group requiring it) with people selected gets a row, also where no block covers it.
    selected = set(f.staff_groups) or set(STAFF_GROUPS)
    full = pd.DataFrame(
        [(c, g, False) for c, gs in groups_of.items() for g in gs if g in selected]
        + [(c, TOTAL_KEY, True) for c in groups_of],
        columns=["code", "key", "is_total"],
    )
    full["n_all"] = head_counts(con, full, f, "group", groups_of=groups_of.get)
    full = full[full["n_all"] > 0]
    if full.empty:
        return pd.DataFrame(columns=TRAINING_COLUMNS)
    df = full.merge(df, on=["code", "key", "is_total"], how="left")
    for c in ("required_n", "not_met_n", "not_assessed_n"):
        df[c] = df[c].fillna(0).astype("int64")
    df["share_not_met"] = np.where(
        df["required_n"] > 0, df["not_met_n"] / df["required_n"].where(df["required_n"] > 0, 1), np.nan
    )
    df = sup.hide(df, f.min_cell, ["not_met_n", "not_assessed_n", "share_not_met"], n="required_n")
    df = df.merge(fr.units, on="code", how="left")
    rank = df[df["is_total"]].set_index("code")["not_met_n"]
    df["_rank"] = -df["code"].map(rank)
    df = order_keys(df, "group")
    if by == "total":
        df = df[df["is_total"]]
    df["stage"], df["by"] = stage, by
    df = df.sort_values(["_rank", "unit_ord", "_key_ord"], na_position="last", kind="stable")
    return df[TRAINING_COLUMNS].reset_index(drop=True)


def needs_sql(con, f: Filters, src: source.Source, groups_of: dict) -> pd.DataFrame:
    """training_needs.sql's counts per staff group (and total) and unit: over the responses, and the reference
    of needs_sums (analysis/sums.py)."""
    # Per set of staff groups requiring a unit (few distinct sets): whether a row's block lies within it, once
    # per row (DuckDB plans ~100 such list tests far slower than it runs them; CASE, not FILTER: ~80 FILTER
    # clauses plan three times slower still).
    spans = {}
    for gs in groups_of.values():
        spans.setdefault(tuple(gs), f"w{len(spans)}")
    who = ", ".join(
        f"list_has_all([{', '.join(db.literal(g) for g in gs)}], string_split(blk_groups, ',')) AS {name}"
        for gs, name in spans.items()
    )
    counts = []
    for c, gs in groups_of.items():
        w, inside = src.weight, spans[tuple(gs)]
        counts.append(
            f"struct_pack(required_n := sum(CASE WHEN {inside} THEN {w} END)::BIGINT, "
            f"not_met_n := sum(CASE WHEN {inside} THEN {w} - {src.met(c)} END)::BIGINT, "
            f"not_assessed_n := sum(CASE WHEN {inside} THEN {w} - {src.assessed(c)} END)::BIGINT) "
            f"AS {db.ident(c)}"
        )
    return run(con, sql.load("training_needs"), f, src, who=who, need_counts=", ".join(counts), key=KEY_EXPR["group"])


def needs_sums(con, f: Filters, src: source.Source, groups_of: dict) -> pd.DataFrame:
    """needs_sql's result from the cells summed here (analysis/sums.py): per part of the rows (staff-group key,
    the staff groups of its block) the people and each unit's met and assessed counts; a part counts for a unit
    when all its block's staff groups require the unit (training_needs.sql's list_has_all), per key and in total;
    rows with nobody required are left out."""
    exact, codes = f.authorised, list(groups_of)
    values = {"n": src.weight}
    for c in codes:
        values |= {f"m:{c}": src.met(c), f"a:{c}": src.assessed(c)}
    parts, counts = sums.grouped(con, f, src, exact, {"key": KEY_EXPR["group"], "span": "blk_groups"}, values)
    spans = [None if pd.isna(s) else frozenset(str(s).split(",")) for s in parts["span"].tolist()]
    wanted = [frozenset(groups_of[c]) for c in codes]
    inside = np.array([[s is not None and s <= g for g in wanted] for s in spans], dtype=np.int64)
    inside = inside.reshape(len(parts), len(codes))
    n = counts[:, :1]
    required, met, assessed = inside * n, inside * counts[:, 1::2], inside * counts[:, 2::2]
    keys = parts["key"].tolist()
    own = [k for k in dict.fromkeys(keys) if exact or str(k) != POOLED]
    rows = [(k, False, np.array([x == k for x in keys])) for k in own] + [(None, True, np.ones(len(keys), bool))]
    out = []
    for key, total, mask in rows:
        r, m, a = required[mask].sum(axis=0), met[mask].sum(axis=0), assessed[mask].sum(axis=0)
        out += [(key, total, c, r[i], r[i] - m[i], r[i] - a[i]) for i, c in enumerate(codes) if r[i] > 0]
    cols = ["key", "is_total", "code", "required_n", "not_met_n", "not_assessed_n"]
    df = pd.DataFrame(out, columns=cols).astype({"is_total": bool})
    return df.astype({c: "int64" for c in cols[3:]})
