"""Issue 18: the disclosure audit. On random stores, every figure a user without the HR passphrase can obtain
(the coverage heatmap by staff group, agency and org unit, and the blocking units, over every combination of
round choice, staff groups, agencies, org units and batches; and the states of a campaign filling one answer
at a time) becomes an equation over the people's answers: the figure's `met` is the sum of the answers of
the people it covers. A linear program (HiGHS, through highspy) then takes the minimum and the maximum of the
answers of every group of fewer than k people that any of those selections could name. The group is
disclosed when the two are equal, unless every one of its people is pinned by one shown figure over k or
more people at 0 % or 100 % (a figure about a group of k or more, which the rules allow).

The people a figure covers are worked out here, independently of framework.analysis: the whole selection
when the figure's n says so (exact figures: the rules before issue 18), else the blocks lying wholly inside
it (uploads: a cell of >= k; an org unit without one, its largest small cells until k; a staff group's other
small cells of one batch pooled; the rest of the batch pooled;
a campaign's cells as released, each when k of its people have changed, never pooled). Either way the test
checks that those people's true answers add up to the figure, so the equations are the figures.

On the code before issue 18 (pairwise rules) this audit finds disclosed groups (see the closing note of
issue 18); the numbers of this run are printed with -s.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import highspy
import numpy as np
import pandas as pd
import pytest

from framework import analysis, db
from framework.analysis import TOTAL_KEY, Filters, memo
from framework.catalog import Catalog
from framework.store import aggregates, ensure_schema

K = 5
CODE = "DLit100"
GROUPS = ("Executive", "Service", "Technologist")
AGENCIES = ("A", "B")
UNITS = ("U1", "U2", "U3")
DATES = ("2024-06-30", "2025-06-30")


def _subsets(values, most=None):
    out = [()] + [c for r in range(1, len(values) + 1) for c in itertools.combinations(values, r)]
    return out if most is None else out[:most]


def make(con, seed: int) -> pd.DataFrame:
    """Upload batches (one per agency and round) with many small cells; returns one row per person."""
    rng = random.Random(seed)
    codes = Catalog(con).unit_codes()
    ensure_schema(con, codes)
    people = []
    for a in AGENCIES:
        for d in sorted(rng.sample(DATES, rng.choice([1, 2]))):
            bid = f"{a}{d[:4]}"
            con.execute(
                "INSERT INTO store.batches (batch_id, file_name, content_hash, agency, stage, round_date, "
                "uploaded_at, rows_read, accepted, rejected) VALUES (?, ?, ?, ?, 'Early', ?, ?, 0, 0, 0)",
                [bid, bid + ".csv", "h" + bid, a, dt.date.fromisoformat(d), dt.datetime(2025, 1, 1)],
            )
            for g, u in itertools.product(GROUPS, UNITS):
                for i in range(rng.choice([0, 1, 2, 3, 4, 6, 8])):
                    people.append(
                        {
                            "batch": bid,
                            "pid": f"{bid}{g[:2]}{u}{i}",
                            "group": g,
                            "agency": a,
                            "unit": u,
                            "date": d,
                            "level": rng.choice([None, 1, 2, 3, 4]),
                            "campaign": False,
                        }
                    )
    raw = pd.DataFrame(people)
    cols = ["batch_id", "respondent_id", "staff_group", "agency", "org_unit", CODE]
    con.executemany(
        f"INSERT INTO store.responses ({', '.join(db.ident(c) for c in cols)}) VALUES (?, ?, ?, ?, ?, ?)",
        [
            [r.batch, r.pid, r.group, r.agency, r.unit, None if pd.isna(r.level) else int(r.level)]
            for r in raw.itertuples()
        ],
    )
    with db.transaction(con) as cur:  # these rows bypassed the store's write paths
        aggregates.rebuild(cur)
    raw["met"] = raw["level"].fillna(0) >= 3
    raw["var"] = range(len(raw))
    return raw


class Model:
    """The figures' people, worked out independently: each person's block, and a campaign's released cells."""

    def __init__(self, raw: pd.DataFrame):
        self.raw = raw
        self.released: dict = {}  # campaign cell -> frozenset of (pid, var) released

    def blocks(self) -> pd.Series:
        r = self.raw[~self.raw["campaign"]]
        cells = r.groupby(["batch", "agency", "unit", "group"]).size().rename("n").reset_index()
        cells["blk"] = None
        big = cells["n"] >= K
        cells.loc[big, "blk"] = [f"c|{x.batch}|{x.agency}|{x.unit}|{x.group}" for x in cells[big].itertuples()]
        for (b, a, u), g in cells.groupby(["batch", "agency", "unit"]):  # a unit without a cell of K
            small = g[g["n"] < K]
            if (g["n"] >= K).any() or small["n"].sum() < K:
                continue
            total = 0
            for i, row in small.sort_values(["n", "group"], ascending=[False, True]).iterrows():
                if total >= K:
                    break
                cells.loc[i, "blk"], total = f"u|{b}|{a}|{u}", total + row["n"]
        for (b, a, grp), g in cells[cells["blk"].isna()].groupby(["batch", "agency", "group"]):
            if g["n"].sum() >= K:
                cells.loc[g.index, "blk"] = f"g|{b}|{a}|{grp}"
        for (b, a), g in cells[cells["blk"].isna()].groupby(["batch", "agency"]):
            if g["n"].sum() >= K:
                cells.loc[g.index, "blk"] = f"b|{b}|{a}"
        key = dict(zip(zip(cells["batch"], cells["agency"], cells["unit"], cells["group"]), cells["blk"]))
        out = pd.Series(None, index=self.raw.index, dtype=object)
        out[r.index] = [key[(x.batch, x.agency, x.unit, x.group)] for x in r.itertuples()]
        for cell, members in self.released.items():
            if len(members) >= K:
                for var in (v for _, v in members):
                    out[self.raw.index[self.raw["var"] == var][0]] = "r|" + "|".join(cell)
        return out

    def release(self, live: pd.DataFrame) -> None:
        """The campaign's cells after a submission: a cell moves on when K of its people changed."""
        for cell, g in live.groupby(["batch", "unit", "group"]):
            now = frozenset(zip(g["pid"], g["var"]))
            before = self.released.get(cell, frozenset())
            changed = {p for p, _ in now ^ before}
            if len(changed) >= K:
                self.released[cell] = now


def selected(people: pd.DataFrame, f: dict, key_col: str | None, key) -> pd.Series:
    r = people
    latest = r.groupby("agency")["date"].transform("max")
    m = pd.Series(True, index=r.index)
    if f["round"] == "latest":
        m &= r["date"] == latest
    elif f["round"] != "all":
        m &= r["date"] == f["round"]
    for col, name in (("group", "staff_groups"), ("agency", "agencies"), ("unit", "org_units"), ("batch", "batches")):
        if f.get(name):
            m &= r[col].isin(f[name])
    if key_col is not None and key != TOTAL_KEY:
        m &= r[key_col].isin(key) if isinstance(key, (set, frozenset)) else (r[key_col] == key)
    return m


def collect(
    con,
    model: Model,
    live: pd.DataFrame,
    combos,
    equations: list,
    targets: set,
    pinned: set,
    released: pd.DataFrame | None = None,
) -> int:
    """Every shown figure of these filter combinations, as (people covered, met); returns how many.

    `released`: the answers the figures may hold besides the live ones (a campaign's cells as released: an
    answer given again stays in the figures until its cell moves on); then figures are always over blocks."""
    blk = model.blocks()
    frame = live if released is None else pd.concat([live, released]).drop_duplicates("var")
    frame = frame.assign(blk=blk[frame.index])
    return _in_one_view(con, live, frame, combos, equations, targets, pinned, released is None)


@memo.view  # one state of the store: its atoms and blocks are read once for every combination
def _in_one_view(con, live, frame, combos, equations, targets, pinned, exact_ok) -> int:
    released = None if exact_ok else True
    count = 0
    for f in combos:
        ff = Filters(**{k: v for k, v in f.items()}, min_cell=K)
        views = [
            ("group", analysis.coverage(con, ff, stage="Early", by="group")),
            ("agency", analysis.coverage(con, ff, stage="Early", by="agency")),
            ("unit", analysis.coverage(con, ff, stage="Early", by="unit")),
        ]
        for by, cov in views:
            col = {"group": "group", "agency": "agency", "unit": "unit"}[by]
            for r in cov[cov["code"] == CODE].itertuples():
                sel = selected(live, f, col, r.key)
                if 0 < sel.sum() < K:
                    targets.add(frozenset(live.loc[sel, "var"]))
                if pd.notna(r.hidden):
                    continue
                count += _equation(
                    frame, selected(frame, f, col, r.key), r.n, r.met, equations, pinned, exact_ok=released is None
                )
        bl = analysis.blockers(con, ff, stage="Developing", top=None).set_index("code")
        if CODE in bl.index and pd.isna(bl.loc[CODE, "hidden"]):
            gs = {
                g
                for g in (f.get("staff_groups") or GROUPS)
                if CODE in Catalog(con).profile_units("Developing", g)["code"].tolist()
            }
            sel = selected(frame, f, "group", frozenset(gs))
            count += _equation(
                frame, sel, bl.loc[CODE, "n"], bl.loc[CODE, "met"], equations, pinned, exact_ok=released is None
            )
    return count


def _equation(live, sel, n, met, equations, pinned, exact_ok: bool = True) -> int:
    if exact_ok and sel.sum() == n:  # an exact figure: the whole selection
        cov = sel
    else:  # the blocks wholly inside the selection
        inside = live[live["blk"].notna()].assign(s=sel).groupby("blk")["s"].all()
        cov = sel & live["blk"].map(inside).fillna(False).astype(bool)
    people = live[cov]
    assert len(people) == n, "the figure's n is its people"
    assert int(people["met"].sum()) == round(met), "the figure is the sum of its people's answers"
    variables = frozenset(people["var"])
    equations.append((variables, round(met)))
    if round(met) in (0, len(variables)) and len(variables) >= K:
        pinned.update(variables)
    return 1


def solve(nvars: int, equations: list, target: frozenset) -> tuple[float, float]:
    """Min and max of the target's sum subject to every equation, each answer between 0 and 1."""
    out = []
    for sense in (1.0, -1.0):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = nvars, len(equations)
        lp.col_cost_ = np.array([sense if v in target else 0.0 for v in range(nvars)])
        lp.col_lower_, lp.col_upper_ = np.zeros(nvars), np.ones(nvars)
        lp.row_lower_ = lp.row_upper_ = np.array([float(m) for _, m in equations])
        starts, index = [0], []
        cols: dict = {v: [] for v in range(nvars)}
        for i, (vs, _) in enumerate(equations):
            for v in vs:
                cols[v].append(i)
        for v in range(nvars):
            index += cols[v]
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_ = np.array(starts), np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.ones(len(index))
        h.passModel(lp)
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        out.append(sense * h.getInfo().objective_function_value)
    return out[0], out[1]


def audit(nvars: int, equations: list, targets: set, pinned: set) -> list:
    unique = list({vs: m for vs, m in equations}.items())
    found = []
    for t in targets:
        if t <= pinned:
            continue
        lo, hi = solve(nvars, unique, t)
        if hi - lo < 1e-6:
            found.append((sorted(t), lo))
    return found


def combos(batches: list[str], rounds: list[str]) -> list[dict]:
    out = []
    for r in ["latest", "all"]:
        # both agencies selected is the same people as none: left out
        for groups, agencies in itertools.product(_subsets(GROUPS), _subsets(AGENCIES)[:-1]):
            out.append({"round": r, "staff_groups": groups, "agencies": agencies})
    for r in rounds:
        for groups in _subsets(GROUPS):
            out.append({"round": r, "staff_groups": groups})
    for r in ["latest", "all"]:
        for units in (("U1",), ("U2",), ("U1", "U2"), ("U1", "U3")):
            out.append({"round": r, "org_units": units})
            out.append({"round": r, "org_units": units, "staff_groups": ("Service",)})
    for b in batches:
        for groups in _subsets(GROUPS, 4):
            out.append({"round": "all", "batches": (b,), "staff_groups": groups})
    return out


def small_groups(people: pd.DataFrame) -> set:
    """Groups of 1..K-1 people by any combination of batch, agency, round, org unit and staff group."""
    out = set()
    dims = ["batch", "agency", "date", "unit", "group"]
    for r in range(1, len(dims) + 1):
        for cols in itertools.combinations(dims, r):
            for _, g in people.groupby(list(cols)):
                if 0 < len(g) < K:
                    out.add(frozenset(g["var"]))
    return out


@pytest.mark.parametrize("seed", [7])
def test_no_group_of_fewer_than_k_is_pinned_by_any_set_of_figures(store_con, seed):
    raw = make(store_con, seed)
    model = Model(raw)
    equations, targets, pinned = [], set(), set()
    n = collect(
        store_con,
        model,
        raw,
        combos(sorted(raw["batch"].unique()), sorted(raw["date"].unique())),
        equations,
        targets,
        pinned,
    )
    targets |= small_groups(raw)
    found = audit(len(raw), equations, targets, pinned)
    print(
        f"\nseed {seed}: {len(raw)} people, {n} shown figures, {len({e for e, _ in equations})} distinct "
        f"populations, {len(targets)} groups of 1..{K - 1} audited, {len(found)} disclosed"
    )
    assert n > 200 and len(targets) > 20  # the audit had something to find
    assert not found, found[:5]
