"""What every view shares: the catalogue side (units, which units each profile requires), SQL key fragments,
and the ordering/reindexing of result frames. No rules about hiding figures (those are in suppression.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from framework import access, db, sql
from framework.analysis import disclosure, source
from framework.analysis.filters import (
    KEY_EXPR,
    ROUND_ALL,
    ROUND_LATEST,
    ROUND_PREVIOUS,
    TOTAL_KEY,
    Filters,
)
from framework.analysis.memo import once
from framework.analysis.source import Source
from framework.analysis.suppression import DIFF_DIMS, Population
from framework.catalog import STAFF_GROUPS
from framework.store import aggregates


@dataclass(frozen=True)
class Frame:
    codes: tuple[str, ...]
    required: dict = field(hash=False)  # (stage, staff_group) -> tuple of unit codes
    units: pd.DataFrame = field(hash=False, repr=False)


@once
def frame(con) -> Frame:
    """Unit codes and profile requirements from the catalogue (two small queries; no caching in framework)."""
    units = db.query(
        con,
        "SELECT u.code, u.group_key, u.ord AS unit_ord, u.name_th, u.name_en, "
        "cg.name_th AS group_name_th, cg.name_en AS group_name_en, cg.ord AS group_ord "
        "FROM units u JOIN capability_groups cg ON cg.key = u.group_key ORDER BY u.ord",
    )
    return Frame(tuple(units["code"]), aggregates.requirements(con), units)


def units(con) -> pd.DataFrame:
    """Units in framework order with their capability group (labels for the charts)."""
    return frame(con).units.copy()


def required_codes(con, stage: str, staff_group: str) -> tuple[str, ...]:
    """Unit codes the profile (stage, staff group) requires."""
    return frame(con).required[(stage, staff_group)]


@once
def has_store(con) -> bool:
    """db.has_store, from the store's tables (read once per view computation: source.tables)."""
    return {"batches", "responses"} <= source.tables(con)


def params(con, f: Filters, exact: bool | None = None) -> dict:
    """The bound parameters of filtered.sql: the filters, for the latest / previous round the agency rounds
    it keeps ($round_ids: Population.agency_rounds, the one rule of which round is each agency's latest),
    and unless the figures are exact, the disclosure blocks ($blk_*)."""
    out = f.params() | {"round_ids": round_ids(con, f.round, f.batches)}
    if not (f.authorised if exact is None else exact):
        out |= public_params(con)
    return out


@once
def public_params(con) -> dict:
    """disclosure.params of the blocks, bound by every public query (built once per view computation). When
    every atom holds k or more people (and no campaign batch keeps its cells apart), each atom is a block of its
    own: no pooled block and no atom outside one, so the lists are empty without partitioning the atoms."""
    if has_store(con) and not source.campaign_batches(con):
        atoms = population(con).atoms
        if len(atoms) and bool((atoms["n"] >= access.min_cell_floor()).all()):
            return disclosure.params(disclosure.partition(None, access.min_cell_floor()))
    return disclosure.params(blocks(con))


@once
def blocks(con) -> pd.DataFrame:
    """The disclosure blocks of the public rows at the configured floor k (analysis/disclosure.py); a campaign
    batch's cells (released in steps of k, store/releases.py) are never pooled."""
    if not has_store(con):
        return disclosure.partition(None, access.min_cell_floor())
    src = source.pick(con).narrow(())
    campaigns = source.campaign_batches(con)
    if campaigns:
        atoms = db.frame(
            con,
            db.render(sql.load("population_atoms"), filtered=src.filtered(True, public=True), n=weighted_n(src)),
            params(con, Filters(round=ROUND_ALL), exact=True),
        )
    else:  # no campaign batch: the public rows are every row, whose atoms the population has read
        atoms = population(con).atoms
    return disclosure.partition(atoms, access.min_cell_floor(), unpooled=campaigns)


def round_ids(con, round_: str, batches=()) -> list[str] | None:
    """The agency rounds ("agency@date") the latest / previous round keeps among the batches; None otherwise."""
    if round_ not in (ROUND_LATEST, ROUND_PREVIOUS) or not has_store(con):
        return None
    return sorted(population(con).agency_rounds(round_, frozenset(batches or ()) or None))


def run(
    con,
    template: str,
    f: Filters,
    src: Source | None = None,
    exact: bool | None = None,
    bound: dict | None = None,
    **parts: str,
) -> pd.DataFrame:
    """Render a named query (strictly) over the filtered rows of `src` (default: source.pick) and run it with
    the filters bound (and `bound`, parameters of the template's own). Exact figures when `exact` (default: the
    HR passphrase given), else whole disclosure blocks only; rows keyed by a block spanning several values of
    the key (disclosure.POOLED) are dropped."""
    src = src or source.pick(con)
    exact = f.authorised if exact is None else exact
    text = db.render(template, filtered=filtered(con, src, exact), **parts)
    df = db.query(con, text, params(con, f, exact) | (bound or {}))
    if "key" in df.columns and not exact:
        df = df[df["key"].astype(str) != disclosure.POOLED].reset_index(drop=True)
    return df


def filtered(con, src: Source, exact: bool) -> str:
    """src.filtered(exact), as DuckDB need plan it: without a pooled block and an atom outside every block
    (every atom k or more: public_params binds empty lists) the public tail keeps every row the filters keep,
    each its own block, which the exact tail over the public rows says without a join and a window."""
    if not exact and not any(public_params(con).values()):
        return src.filtered(True, public=True)
    return src.filtered(exact)


def key_parts(dims: list[str], *wanted: str) -> dict:
    """SQL fragments for GROUP BY GROUPING SETS over dims; the last dim's parts make up each set's total.

    Only the `wanted` fragments are returned (templates are rendered strictly: no unknown part).
    """
    names = ["outer_key", "key"][-len(dims) :]
    exprs = [KEY_EXPR[d] for d in dims]
    parts = {
        "keys": ", ".join(f"{e} AS {n}" for e, n in zip(exprs, names)),
        "key_names": ", ".join(names),
        "last_name": names[-1],
        "group_names": ", ".join(names),
        "outer_names": ", ".join(names[:-1]),
        "last_key": exprs[-1],
        "group_keys": ", ".join(exprs),
        "outer_keys": ", ".join(exprs[:-1]),
    }
    return {w: parts[w] for w in wanted}


def reindex_groups(df: pd.DataFrame, f: Filters, id_cols: list[str], fill: dict) -> pd.DataFrame:
    """Staff groups with no respondents still get a (hidden, empty) cell, in framework order."""
    groups = list(f.staff_groups) or list(STAFF_GROUPS)
    outer = [c for c in id_cols if c != "key"]
    base = df[~df["is_total"]]
    combos = df[outer].drop_duplicates() if outer else pd.DataFrame(index=[0])
    full = combos.merge(pd.DataFrame({"key": groups}), how="cross")
    full = full[outer + ["key"]]
    if "code" in df.columns:
        full = full.merge(pd.DataFrame({"code": df["code"].drop_duplicates()}), how="cross")
    merged = full.merge(base, on=list(full.columns), how="left")
    merged["is_total"] = False
    for col, value in fill.items():
        merged[col] = merged[col].fillna(value)
    return pd.concat([merged, df[df["is_total"]]], ignore_index=True)


# Filter dimension of Filters -> column of population_atoms.sql; view key -> the same columns.
_FILTER_DIM = {
    "staff_groups": "staff_group",
    "agencies": "agency",
    "org_units": "unit_key",
    "rounds": "round_key",
    "batches": "batch_id",
}
_KEY_DIM = {"group": "staff_group", "agency": "agency", "unit": "unit_key", "round": "round_key"}


@once
def population(con) -> Population:
    """The atoms of the whole store (no filter) for the filter-differencing rule."""
    if not has_store(con):
        return Population(pd.DataFrame(columns=[*DIFF_DIMS, "n"]))
    src = source.pick(con).narrow(())  # the atoms read the cells' keys and head counts alone
    text = db.render(sql.load("population_atoms"), filtered=src.filtered(True), n=weighted_n(src))
    return Population(db.frame(con, text, params(con, Filters(round=ROUND_ALL), exact=True)))


def weighted_n(src: Source) -> str:
    """The SQL of a group's respondents over `src`'s weighted rows (0 over no rows, as count(*) gives)."""
    return f"coalesce(sum({src.weight}), 0)::BIGINT"


def selection(f: Filters, pop: Population | None = None, **keys) -> dict:
    """The product selection a figure is over: the filters, narrowed by view keys (by -> key value or a set).

    `keys` maps a view dimension (group, agency, unit, round) to one value, a collection of values, or
    TOTAL_KEY / None (no narrowing). The round choice: a date narrows round_key; "latest"/"previous" keep
    the agency rounds `pop.agency_rounds` gives (round_id).
    """
    sel = {_FILTER_DIM[d]: frozenset(getattr(f, d)) for d in _FILTER_DIM if getattr(f, d)}
    if f.round in (ROUND_LATEST, ROUND_PREVIOUS) and pop is not None:
        sel["round_id"] = pop.agency_rounds(f.round, frozenset(f.batches) or None)
    elif f.round not in (ROUND_ALL, ROUND_LATEST, ROUND_PREVIOUS):
        sel["round_key"] = sel.get("round_key", frozenset([f.round])) & frozenset([f.round])
    for by, value in keys.items():
        if value is None or (isinstance(value, str) and value == TOTAL_KEY):
            continue
        kept = frozenset([value]) if isinstance(value, str) else frozenset(value)
        dim = _KEY_DIM[by]
        sel[dim] = sel[dim] & kept if dim in sel else kept
    return sel


def head_counts(con, df: pd.DataFrame, f: Filters, by: str, groups_of=None) -> list[int]:
    """The people each row's selection keeps (n_all): the filters narrowed by the row's key (`key`; `outer_key`,
    when present, is the round), and by `groups_of(code)` (blocking units: the groups requiring the unit)."""
    pop = population(con)
    cols = [c for c in ("outer_key", "key", "code") if c in df.columns and (c != "code" or groups_of)]
    counted = {}
    rows = df[cols]
    for ids in rows.drop_duplicates().itertuples(index=False, name=None):  # plain tuples: no namedtuple per row
        row = dict(zip(cols, ids))
        keys = {by: row["key"]}
        if "outer_key" in row:  # trends: the outer key is the survey round
            keys["round"] = row["outer_key"]
        sel = selection(f, pop, **keys)
        if groups_of is not None:
            g = frozenset(groups_of(row["code"]))
            sel["staff_group"] = sel["staff_group"] & g if "staff_group" in sel else g
        counted[ids] = pop.count(sel)
    return [counted[ids] for ids in rows.itertuples(index=False, name=None)]


def order_keys(df: pd.DataFrame, by: str) -> pd.DataFrame:
    if by == "group":
        order = {g: i for i, g in enumerate(STAFF_GROUPS)}
    else:
        order = {k: i for i, k in enumerate(sorted(k for k in df["key"].unique() if k != TOTAL_KEY))}
    df["_key_ord"] = df["key"].map(order).fillna(len(order)).astype(int)
    df.loc[df["key"] == TOTAL_KEY, "_key_ord"] = 10**6
    return df
