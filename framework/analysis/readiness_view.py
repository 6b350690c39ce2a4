"""Readiness at Early, Developing and Mature per staff group / agency / org unit, and the stage reached."""

from __future__ import annotations

import numpy as np
import pandas as pd

from framework import sql
from framework.analysis import source
from framework.analysis import suppression as sup
from framework.analysis.base import (
    frame,
    head_counts,
    key_parts,
    order_keys,
    reindex_groups,
    round_ids,
    run,
)
from framework.analysis.filters import (
    DEFAULT_TARGET,
    ROUND_LATEST,
    ROUND_PREVIOUS,
    TOTAL_KEY,
    Filters,
    check_by,
    check_stage,
)
from framework.analysis.memo import view
from framework.catalog import STAFF_GROUPS, STAGES, next_stage


def readiness_raw(con, f: Filters, dims: list[str]) -> pd.DataFrame:
    keys = key_parts(dims, "keys", "key_names", "last_name", "group_names", "outer_names")
    src = source.pick(con)
    df = run(con, sql.load("readiness"), f, src, **source.stage_parts(src, frame(con).required), **keys)
    df["key"] = np.where(df["is_total"], TOTAL_KEY, df["key"])
    return df


@view
def readiness(con, filters: Filters | dict | None = None, by: str = "group") -> pd.DataFrame:
    """Readiness at Early, Developing and Mature per staff group / agency / org unit, plus the total.

    Columns: by, key, stage, n, n_all, readiness, fully_ready, required_units, is_total, hidden (n: the people
    the figure covers; n_all: the people selected; suppression.py).
    `rounds.with_round` adds each row's round.
    """
    f = Filters.coerce(filters)
    check_by(by)
    return finish_readiness(con, readiness_raw(con, f, [by]), f, by)


def latest_and_previous(con, f: Filters, by: str = "group") -> tuple[pd.DataFrame, pd.DataFrame]:
    """readiness(f) and readiness(f with the previous round) from one query (the overview's now and before).

    The filtered rows of both rounds are read at once ($round_ids: both rounds' agency rounds) and grouped by
    which round each row is in. A disclosure block never spans a batch, so never a round: every block is
    wholly inside the two rounds exactly when it is inside its own, and each round's figures are those of its
    own query. A round with no public row (no total row) is read on its own, as readiness() gives it."""
    check_by(by)
    f = Filters.coerce(f)
    if f.round != ROUND_LATEST:
        raise ValueError(f"latest_and_previous needs round={ROUND_LATEST!r}, not {f.round!r}")
    prev_f = f.with_(round=ROUND_PREVIOUS)
    latest = round_ids(con, ROUND_LATEST, f.batches) or []
    both = sorted(set(latest) | set(round_ids(con, ROUND_PREVIOUS, f.batches) or []))
    keys = key_parts(["choice", by], "keys", "key_names", "last_name", "group_names", "outer_names")
    src = source.pick(con)
    bound = {"round_ids": both, "latest_ids": latest}
    df = run(con, sql.load("readiness"), f, src, bound=bound, **source.stage_parts(src, frame(con).required), **keys)
    df["key"] = np.where(df["is_total"], TOTAL_KEY, df["key"])
    out = []
    for which, fw in ((ROUND_LATEST, f), (ROUND_PREVIOUS, prev_f)):
        part = df[df["outer_key"] == which].drop(columns="outer_key").reset_index(drop=True)
        if not part["is_total"].any():  # no row at all: its own query still gives the (empty) total row
            part = readiness_raw(con, fw, [by])
        out.append(finish_readiness(con, part, fw, by))
    return out[0], out[1]


def totals(con, f: Filters, both: bool = False) -> tuple[pd.DataFrame, ...]:
    """The total rows of readiness(f, by="group") (one per stage, index reset): what the overview reads; with
    `both` (round = latest) those of latest_and_previous(f), this round's and the previous round's.

    The staff groups' rows are neither asked for nor filled in: the query groups by round (the total of each
    round, and with `both` each of the two rounds' own, as latest_and_previous reads them), and the totals are
    finished as finish_readiness finishes them (tests/test_readiness_latest_previous.py holds them equal)."""
    f = Filters.coerce(f)
    if both and f.round != ROUND_LATEST:
        raise ValueError(f"totals(both=True) needs round={ROUND_LATEST!r}, not {f.round!r}")
    src = source.pick(con)
    parts = source.stage_parts(src, frame(con).required)
    if not both:  # grouped by round: the grouping set without it is the total of every row selected
        keys = key_parts(["round"], "keys", "key_names", "last_name", "group_names", "outer_names")
        df = run(con, sql.load("readiness"), f, src, **parts, **keys)
        return (finish_totals(con, df[df["is_total"]], f),)
    latest = round_ids(con, ROUND_LATEST, f.batches) or []
    both_ids = sorted(set(latest) | set(round_ids(con, ROUND_PREVIOUS, f.batches) or []))
    keys = key_parts(["choice"], "keys", "key_names", "last_name", "group_names", "outer_names")
    bound = {"round_ids": both_ids, "latest_ids": latest}
    df = run(con, sql.load("readiness"), f, src, bound=bound, **parts, **keys)
    out = []
    for which, fw in ((ROUND_LATEST, f), (ROUND_PREVIOUS, f.with_(round=ROUND_PREVIOUS))):
        part = df[~df["is_total"] & (df["key"] == which)].assign(is_total=True)
        if part.empty:  # no row at all: its own query still gives the (empty) total row
            part = readiness_raw(con, fw, ["group"])
            part = part[part["is_total"]]
        out.append(finish_totals(con, part, fw))
    return tuple(out)


def finish_totals(con, df: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """finish_readiness(by="group")'s total rows, from readiness.sql's total rows alone (three rows: built as
    arrays, not frame operations)."""
    df = df.sort_values("stage_ord", kind="stable")
    n = df["n"].to_numpy(dtype="int64")
    fully = np.where(n > 0, df["fully"].to_numpy(dtype="float64") / np.where(n > 0, n, 1), np.nan)
    n_all = np.array(head_counts(con, df.assign(key=TOTAL_KEY), f, "group"), dtype="int64")
    hidden = sup.reasons(pd.Series(n), pd.Series(n_all), f.min_cell)
    shown = hidden.isna().to_numpy()

    def kept(values) -> np.ndarray:  # suppression.hide: a hidden row's figure is NaN
        return np.where(shown, np.asarray(values, dtype="float64"), np.nan)

    return pd.DataFrame(
        {
            "by": "group",
            "key": TOTAL_KEY,
            "stage": df["stage"].to_numpy(),
            "n": n,
            "n_all": n_all,
            "readiness": kept(df["readiness"]),
            "fully_ready": kept(fully),
            "required_units": kept(df["required_units"]),
            "is_total": True,
            "hidden": hidden,  # a Series: its object dtype kept
        }
    )


def finish_readiness(con, df: pd.DataFrame, f: Filters, by: str) -> pd.DataFrame:
    fr = frame(con)
    id_cols = [c for c in ("outer_key", "key") if c in df.columns]
    if by == "group":
        stages = pd.DataFrame({"stage": list(STAGES), "stage_ord": [1, 2, 3]})
        df = df.drop(columns=["stage_ord"])
        df = df.rename(columns={"stage": "code"})
        df = reindex_groups(df, f, id_cols, {"n": 0})
        df = df.rename(columns={"code": "stage"}).merge(stages, on="stage")
    df["n"] = df["n"].astype("int64")
    df["fully_ready"] = np.where(df["n"] > 0, df["fully"].astype("float64") / df["n"].where(df["n"] > 0, 1), np.nan)
    df["n_all"] = head_counts(con, df, f, by)
    df = sup.hide(df, f.min_cell, ["readiness", "fully_ready", "required_units"])
    if by == "group":
        # A staff group's required units are a public fact of its profile, never personal.
        exact = {(s, g): len(fr.required[(s, g)]) for s in STAGES for g in STAFF_GROUPS}
        fill = pd.Series([exact.get((s, k), np.nan) for s, k in zip(df["stage"], df["key"])], index=df.index)
        df["required_units"] = fill.where(~df["is_total"], df["required_units"])
    df["by"] = by
    df = order_keys(df, by)
    sort = [c for c in id_cols if c != "key"] + ["_key_ord", "stage_ord"]
    cols = (
        ["by"] + id_cols + ["stage", "n", "n_all", "readiness", "fully_ready", "required_units", "is_total", "hidden"]
    )
    return df.sort_values(sort, kind="stable")[cols].reset_index(drop=True)


def stage_reached(ready: pd.DataFrame, target: float = DEFAULT_TARGET) -> pd.DataFrame:
    """Per key: the highest stage whose readiness ≥ target ("none" if no stage; NaN if any stage is hidden)."""
    id_cols = [c for c in ("outer_key", "key") if c in ready.columns]
    order = {s: i for i, s in enumerate(STAGES)}
    rows = []
    for ids, g in ready.groupby(id_cols, sort=False):
        ids = ids if isinstance(ids, tuple) else (ids,)
        reached = None
        if not g["readiness"].isna().any():
            ok = g[g["readiness"] >= target - 1e-12]
            reached = max(ok["stage"], key=order.get) if len(ok) else "none"
        rows.append(
            dict(zip(id_cols, ids))
            | {"stage_reached": reached, "n": int(g["n"].iloc[0]), "is_total": bool(g["is_total"].iloc[0])}
        )
    return pd.DataFrame(rows, columns=id_cols + ["stage_reached", "n", "is_total"])


_DIMENSION_OF = {"group": "staff_groups", "agency": "agencies", "unit": "org_units"}


def work_stage(stage: str, readiness_at_stage: float | None, target: float = DEFAULT_TARGET) -> str:
    """The stage whose required units to work on first, for an agency at `stage`: the stage itself while its
    readiness is under the target (or hidden: None), else the next stage (catalog.next_stage; at Mature, Mature).
    The overview's advice and blockers and the readiness page's blockers all use it, so a list of units always
    belongs to the stage it names."""
    check_stage(stage)
    if readiness_at_stage is None or pd.isna(readiness_at_stage) or readiness_at_stage < target - 1e-12:
        return stage
    return next_stage(stage) or stage


def narrow(filters: Filters | dict, by: str, key: str) -> Filters:
    """The filters of one row of a by-`by` view (the total row: the filters as they are)."""
    check_by(by)
    f = Filters.coerce(filters)
    return f if key == TOTAL_KEY else f.with_(**{_DIMENSION_OF[by]: (key,)})
