"""Coverage of each unit per staff group / agency / org unit (the heatmap) and the blocking units of a stage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from framework import db, sql
from framework.analysis import source, sums
from framework.analysis import suppression as sup
from framework.analysis.base import (
    frame,
    head_counts,
    key_parts,
    order_keys,
    reindex_groups,
    run,
    weighted_n,
)
from framework.analysis.disclosure import POOLED, groups_of_span
from framework.analysis.filters import (
    KEY_EXPR,
    ROUND_LATEST,
    ROUND_PREVIOUS,
    TOTAL_KEY,
    AnalysisError,
    Filters,
    check_by,
    check_stage,
)
from framework.analysis.memo import view
from framework.analysis.rounds import with_round
from framework.catalog import STAFF_GROUPS


def coverage_raw(con, f: Filters, stage: str, dims: list[str], codes: list[str] | None = None) -> pd.DataFrame:
    """coverage.sql's counts per key and unit: every unit, or only `codes` (a view that reads a few units need
    not have DuckDB plan the sums of all of them: planning, not the rows, is most of a query's cost here)."""
    fr = frame(con)
    src = source.pick(con)
    codes = fr.codes if codes is None else [c for c in fr.codes if c in set(codes)]
    if sums.here(src):
        df = coverage_sums(con, f, src, dims, codes)
        df["key"] = np.where(df["is_total"], TOTAL_KEY, df["key"])
        return df
    met = ", ".join(
        f"coalesce(sum({src.met(c)}), 0)::BIGINT AS {db.ident('m:' + c)}, "
        f"coalesce(sum({src.assessed(c)}), 0)::BIGINT AS {db.ident('a:' + c)}"
        for c in codes
    )
    pairs = ", ".join(f"({db.ident('m:' + c)}, {db.ident('a:' + c)}) AS {db.ident(c)}" for c in codes)
    keys = key_parts(dims, "keys", "last_key", "group_keys", "outer_keys")
    df = run(con, sql.load("coverage"), f, src, n=weighted_n(src), met_counts=met, unpivot_on=pairs, **keys)
    df["key"] = np.where(df["is_total"], TOTAL_KEY, df["key"])
    return df


def coverage_sums(con, f: Filters, src: source.Source, dims: list[str], codes: list[str]) -> pd.DataFrame:
    """coverage.sql's result (before the total key is named) from the cells summed here (analysis/sums.py): per
    key the people and each unit's met and assessed counts, the grouping set without the last key as the
    total (over no row at all, one total of zeros when there is no outer key), one row per key and unit."""
    exact = f.authorised
    names = ["outer_key", "key"][-len(dims) :]
    values = {"n": src.weight}
    for c in codes:
        values |= {f"m:{c}": src.met(c), f"a:{c}": src.assessed(c)}
    keys, counts = sums.grouped(con, f, src, exact, {n: KEY_EXPR[d] for n, d in zip(names, dims)}, values)
    if len(dims) > 1:  # each outer key's total, over every row of it (a pooled key's included)
        outer = pd.Series(keys["outer_key"].to_numpy(), dtype=object)
        codes_, uniq = pd.factorize(outer, use_na_sentinel=False)
        total = np.zeros((len(uniq), counts.shape[1]), dtype=np.int64)
        np.add.at(total, codes_, counts)
        totals = pd.DataFrame({"outer_key": uniq, "key": None})
    else:
        total, totals = counts.sum(axis=0, dtype=np.int64).reshape(1, -1), pd.DataFrame({"key": [None]})
    if not exact:  # a key spanning several values (disclosure.POOLED) has no row of its own
        kept = keys["key"].astype(str).to_numpy() != POOLED
        keys, counts = keys[kept], counts[kept]
    rows = pd.concat([keys.assign(is_total=False), totals.assign(is_total=True)], ignore_index=True)
    counts = np.vstack([counts, total])
    width = len(codes)
    out = {n: pd.Series(np.repeat(rows[n].to_numpy(dtype=object), width), dtype="str") for n in names}
    out |= {
        "is_total": np.repeat(rows["is_total"].to_numpy(dtype=bool), width),
        "n": np.repeat(counts[:, 0], width),
        "code": pd.Series(np.tile(np.array(codes, dtype=object), len(rows)), dtype="str"),
        "met": counts[:, 1::2].reshape(-1),
        "assessed": counts[:, 2::2].reshape(-1),
    }
    return pd.DataFrame(out)


@view
def coverage(con, filters: Filters | dict | None = None, stage: str = "Early", by: str = "group") -> pd.DataFrame:
    """Coverage of each unit (rows, framework order) per staff group / agency / org unit plus the total.

    Columns: stage, by, key, code, group_key, unit_ord, n, n_all, met, coverage, not_assessed,
    not_assessed_share, required, is_total, hidden.
    n: the people the figure covers (suppression.py rule 1); n_all: the people selected. not_assessed: of the
    n, those with no level for the unit (counted as not met in coverage), not_assessed_share = not_assessed / n,
    so a short form does not read as low skill. Hidden cells have met, coverage and both not-assessed
    figures NaN. `rounds.with_round` adds each row's round.
    """
    f = Filters.coerce(filters)
    check_by(by)
    check_stage(stage)
    return finish_coverage(con, coverage_raw(con, f, stage, [by]), f, stage, by)


# The figures of a coverage cell or blocking unit, hidden together (suppression.hide) where the cell is hidden.
HIDDEN_VALUES = ["met", "coverage", "not_assessed", "not_assessed_share"]


def not_assessed(df: pd.DataFrame) -> None:
    """Of each row's n people, those with no level for the unit (n - assessed, over the same rows) and their
    share of n; the `assessed` sums are dropped (a figure of its own only as not_assessed)."""
    n = df["n"].astype("int64")
    df["not_assessed"] = (n - df.pop("assessed").fillna(0).astype("int64")).astype("int64")
    df["not_assessed_share"] = np.where(n > 0, df["not_assessed"] / n.where(n > 0, 1), np.nan)


def finish_coverage(con, df: pd.DataFrame, f: Filters, stage: str, by: str) -> pd.DataFrame:
    fr = frame(con)
    id_cols = [c for c in ("outer_key", "key") if c in df.columns]
    if by == "group":
        df = reindex_groups(df, f, id_cols, {"n": 0, "met": 0, "assessed": 0})
    groups = list(f.staff_groups) or list(STAFF_GROUPS)
    any_req = {c for g in groups for c in fr.required[(stage, g)]}
    req_pairs = {(g, c) for g in STAFF_GROUPS for c in fr.required[(stage, g)]}
    if by == "group":
        df["required"] = [
            (k, c) in req_pairs if not t else c in any_req for k, c, t in zip(df["key"], df["code"], df["is_total"])
        ]
    else:
        df["required"] = df["code"].isin(any_req)
    df = df.merge(fr.units[["code", "group_key", "unit_ord"]], on="code", how="left")
    df["n"] = df["n"].astype("int64")
    df["met"] = df["met"].astype("int64")
    df["coverage"] = np.where(df["n"] > 0, df["met"] / df["n"].where(df["n"] > 0, 1), np.nan)
    not_assessed(df)
    df["n_all"] = head_counts(con, df, f, by)
    df = sup.hide(df, f.min_cell, HIDDEN_VALUES)
    if f.required_only:
        df = df[df["code"].isin(any_req)]
    df["stage"], df["by"] = stage, by
    df = order_keys(df, by)
    cols = (
        ["stage", "by"]
        + id_cols
        + [
            "code",
            "group_key",
            "unit_ord",
            "n",
            "n_all",
            "met",
            "coverage",
            "not_assessed",
            "not_assessed_share",
            "required",
            "is_total",
            "hidden",
        ]
    )
    sort = [c for c in id_cols if c != "key"] + ["unit_ord", "_key_ord"]
    return df.sort_values(sort, kind="stable")[cols].reset_index(drop=True)


BLOCKER_COLUMNS = [
    "code",
    "group_key",
    "unit_ord",
    "name_th",
    "name_en",
    "n",
    "n_all",
    "met",
    "coverage",
    "not_assessed",
    "not_assessed_share",
    "hidden",
]


@view
def blockers(
    con, filters: Filters | dict | None = None, stage: str = "Developing", top: int | None = 5
) -> pd.DataFrame:
    """Units the stage requires, lowest coverage first, among the respondents whose profile requires each.

    Each unit's figure is over the staff groups whose profile requires it (within the filters): exact with
    the HR passphrase, else the disclosure blocks inside that selection (suppression.py). Hidden units are
    not ranked (`top`); with top=None every unit is returned, hidden ones last, so a page can say how many.
    Columns: BLOCKER_COLUMNS.
    """
    f = Filters.coerce(filters)
    check_stage(stage)
    fr = frame(con)
    groups = list(f.staff_groups) or list(STAFF_GROUPS)
    req = {c: {g for g in groups if c in fr.required[(stage, g)]} for c in fr.codes}
    req = {c: gs for c, gs in req.items() if gs}
    if not req:
        return pd.DataFrame(columns=BLOCKER_COLUMNS)
    src = source.pick(con)
    if sums.here(src):  # the parts (blocks' staff groups) summed here, then per unit the parts inside
        df = blocker_sums(con, f, src, req)
    else:
        raw = coverage_raw(con, f, stage, ["span"], codes=list(req))
        parts = raw[~raw["is_total"]]
        # A part counts for a unit when all of its block's staff groups require the unit (one pass, one sum).
        spans = {k: groups_of_span(k) for k in set(parts["key"])}
        inside = [spans[k] <= req.get(c, frozenset()) for k, c in zip(parts["key"], parts["code"])]
        counts = parts.loc[inside, ["code", "n", "met", "assessed"]].groupby("code", sort=False).sum()
        counts = counts.reindex(list(req), fill_value=0).astype("int64")
        df = counts.rename_axis("code").reset_index()
    df = df.merge(fr.units[["code", "group_key", "unit_ord", "name_th", "name_en"]], on="code")
    df["key"] = TOTAL_KEY
    df["n_all"] = head_counts(con, df, f, "group", groups_of=req.get)
    n = df["n"].astype("int64")
    df["coverage"] = np.where(n > 0, df["met"] / n.where(n > 0, 1), np.nan)
    not_assessed(df)
    df = sup.hide(df, f.min_cell, HIDDEN_VALUES)
    df = df.sort_values(["coverage", "unit_ord"], na_position="last", kind="stable")
    if top is not None:
        df = df[df["hidden"].isna()].head(top)
    return df[BLOCKER_COLUMNS].reset_index(drop=True)


def blocker_sums(con, f: Filters, src: source.Source, req: dict) -> pd.DataFrame:
    """Per unit of `req` (code -> the staff groups requiring it), in its order: the people, met and assessed of
    the parts of the cells (one per set of staff groups a block spans) that lie within the unit's groups, summed
    here (analysis/sums.py); what blockers() sums from coverage_raw by span otherwise."""
    codes = list(req)
    values = {"n": src.weight}
    for c in codes:
        values |= {f"m:{c}": src.met(c), f"a:{c}": src.assessed(c)}
    parts, counts = sums.grouped(con, f, src, f.authorised, {"key": KEY_EXPR["span"]}, values)
    spans = [groups_of_span(k) for k in parts["key"].tolist()]
    inside = np.array([[s <= req[c] for c in codes] for s in spans], dtype=np.int64).reshape(len(spans), len(codes))
    return pd.DataFrame(
        {
            "code": pd.Series(codes, dtype="str"),
            "n": inside.T @ counts[:, 0],
            "met": (inside * counts[:, 1::2]).sum(axis=0),
            "assessed": (inside * counts[:, 2::2]).sum(axis=0),
        }
    ).astype({"n": "int64", "met": "int64", "assessed": "int64"})


HIDDEN_NO_PREVIOUS = "no_previous"  # a change cell without a previous round to compare with
CHANGE_COLUMNS = [
    "stage",
    "by",
    "round",
    "round_prev",
    "key",
    "code",
    "group_key",
    "unit_ord",
    "n",
    "n_prev",
    "coverage",
    "coverage_prev",
    "change",
    "required",
    "is_total",
    "hidden",
]


@view
def coverage_change(
    con, filters: Filters | dict | None = None, stage: str = "Early", by: str = "group"
) -> pd.DataFrame:
    """This round minus the previous one per (key, unit): the coverage change heatmap, in percentage points.

    Both rounds' heatmaps are computed and suppressed by the same rules (the previous round through
    Filters.round = "previous", the same disclosure blocks), and a change is shown only where BOTH cells are shown, so
    no hidden cell can be recovered from the difference of two shown ones. `hidden` gives the reason of
    the cell hidden in this round, else of the previous round's, else "no_previous".
    Only with the latest round of each agency (the default); otherwise an AnalysisError.
    """
    f = Filters.coerce(filters)
    if f.round != ROUND_LATEST:
        raise AnalysisError(
            "การเปลี่ยนแปลงระหว่างรอบใช้ได้กับรอบล่าสุดของแต่ละหน่วยงานเท่านั้น — เลือก “รอบล่าสุด”",
            "The change between rounds needs the latest round of each agency — choose “latest round”",
        )
    now = coverage(con, f, stage=stage, by=by)
    before = coverage(con, f.with_(round=ROUND_PREVIOUS), stage=stage, by=by)
    now, before = with_round(con, f, now, by), with_round(con, f.with_(round=ROUND_PREVIOUS), before, by)
    prev = before[["key", "code", "round", "n", "coverage", "hidden"]].rename(
        columns={"round": "round_prev", "n": "n_prev", "coverage": "coverage_prev", "hidden": "hidden_prev"}
    )
    df = now.merge(prev, on=["key", "code"], how="left")
    both = df["hidden"].isna() & df["hidden_prev"].isna() & df["coverage_prev"].notna()
    df["change"] = ((df["coverage"] - df["coverage_prev"]) * 100).where(both).round(1)
    reason = df["hidden"].where(df["hidden"].notna(), df["hidden_prev"])
    df["hidden"] = reason.where(both | reason.notna(), HIDDEN_NO_PREVIOUS).where(~both, None)
    df.loc[df["hidden"].notna(), ["coverage", "coverage_prev"]] = np.nan
    df["n_prev"] = df["n_prev"].fillna(0).astype("int64")
    df["round_prev"] = df["round_prev"].fillna("")
    return df[CHANGE_COLUMNS]
