"""Headline counts, the filter options, and the executive overview (readiness now and next, blockers)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from framework import db, identity, sql
from framework.analysis import rounds, source
from framework.analysis.base import has_store, params, population, run, selection, weighted_n
from framework.analysis.coverage_view import blockers
from framework.analysis.filters import (
    ROUND_ALL,
    ROUND_LATEST,
    ROUND_PREVIOUS,
    Filters,
    check_stage,
)
from framework.analysis.memo import view
from framework.analysis.readiness_view import stage_reached, totals, work_stage
from framework.catalog import STAGES, next_stage

EMPTY_COUNTS = {
    "respondents": 0,
    "batches": 0,
    "agencies": 0,
    "org_units": 0,
    "rounds": 0,
    "stage": None,
    "n_stages": 0,
}


@view
def survey_counts(con, filters: Filters | dict | None = None) -> dict:
    """Respondents, batches, agencies, org units, rounds and the batches' (most common) stage.

    Head counts of everyone selected (exact whoever asks: they say how many answered, not what): the store's
    atoms (base.population, read once per view computation) that the filters keep, as survey_counts.sql
    counts them over the rows (tests/test_overview_counts.py holds the two equal)."""
    f = Filters.coerce(filters)
    if not has_store(con):
        return dict(EMPTY_COUNTS)
    pop = population(con)
    sel = selection(f, pop)
    out = dict(EMPTY_COUNTS, respondents=pop.count(sel))
    if not pop.distinct(sel, "batch_id"):  # no atom kept (every atom has its batch)
        return out
    for name, col in (
        ("batches", "batch_id"),
        ("agencies", "agency"),
        ("org_units", "unit_key"),
        ("rounds", "round_key"),
    ):
        out[name] = pop.distinct(sel, col)
    stages = pop.people_by(sel, "batch_stage")
    out["n_stages"] = len(stages)
    if stages:  # the stage of the most respondents; a tie goes to the earlier stage
        order = {s: i for i, s in enumerate(STAGES)}
        out["stage"] = str(min(stages, key=lambda s: (-stages[s], order.get(s, len(order)), s)))
    return out


def survey_counts_sql(con, filters: Filters | dict | None = None) -> dict:
    """survey_counts by survey_counts.sql over the filtered rows: the reference the atoms are held to (tests)."""
    f = Filters.coerce(filters)
    if not has_store(con):
        return dict(EMPTY_COUNTS)
    src = source.pick(con)
    r = run(con, sql.load("survey_counts"), f, src, exact=True, n=weighted_n(src)).iloc[0]
    return {k: (None if pd.isna(v) else (v if isinstance(v, str) else int(v))) for k, v in r.items()}


@view
def filter_options(con, scope: tuple[str, ...] | None = None) -> dict:
    """The values each filter offers (over every round): batches (one per upload, one per campaign, with what
    names them), agencies, org units, rounds; within `scope` (Filters.scope: the signed-in person's agencies)."""
    if not has_store(con):
        return {
            "batches": pd.DataFrame(
                columns=[
                    "batch_id",
                    "file_name",
                    "agency",
                    "stage",
                    "round_date",
                    "accepted",
                    "is_demo",
                    "content_hash",
                    "respondents",
                ]
            ),
            "agencies": [],
            "org_units": [],
            "rounds": [],
        }
    # A campaign's batch (content_hash 'campaign:<code>') is named with its people (store.campaign_batch.label).
    batches = db.query(
        con,
        """
        SELECT b.batch_id, b.file_name, b.agency, b.stage, b.round_date, b.accepted, b.is_demo, b.content_hash,
               n.respondents
        FROM store.batches b
        LEFT JOIN (SELECT batch_id, count(*) AS respondents FROM store.responses
                   WHERE batch_id IN (SELECT batch_id FROM store.batches WHERE content_hash LIKE 'campaign:%')
                   GROUP BY batch_id) n USING (batch_id)
        ORDER BY b.round_date NULLS LAST, b.uploaded_at, b.batch_id""",
    )
    keys = db.query(
        con,
        f"WITH f AS ({source.pick(con).filtered()}) SELECT 'agency' AS kind, agency AS v FROM f GROUP BY agency "
        f"UNION ALL SELECT 'unit', unit_key FROM f GROUP BY unit_key "
        f"UNION ALL SELECT 'round', round_key FROM f GROUP BY round_key",
        params(con, Filters(round=ROUND_ALL, scope=scope)),
    )
    if scope is not None:  # framework.identity: only the batches of the person's agencies
        batches = batches[[identity.within(scope, a) for a in batches["agency"]]].reset_index(drop=True)
    pick = lambda kind: sorted(keys.loc[keys.kind == kind, "v"].tolist())
    return {"batches": batches, "agencies": pick("agency"), "org_units": pick("unit"), "rounds": pick("round")}


HEADLINES = ("readiness", "fully_ready", "readiness_next", "fully_ready_next")


def _headlines(ready: pd.DataFrame, f: Filters, current: str, nxt: str | None, respondents: int) -> dict:
    """Readiness and fully-ready now and at the next stage (None where hidden), from a readiness frame."""
    out = dict.fromkeys(HEADLINES)
    total = ready[ready["is_total"]].set_index("stage")
    # Hidden when fewer than k are selected, or when a total is hidden (suppression.py).
    out["hidden"] = respondents < f.min_cell or bool(total["hidden"].notna().any())
    if not out["hidden"]:
        for name, stage in (("readiness", current), ("readiness_next", nxt)):
            if stage:
                out[name] = float(total.loc[stage, "readiness"])
                out[name.replace("readiness", "fully_ready")] = float(total.loc[stage, "fully_ready"])
    return out


@view
def overview(con, filters: Filters | dict | None = None, stage: str | None = None) -> dict:
    """The executive's five-second view: counts, readiness now and at the next stage, stage reached, blockers.

    `stage` defaults to the (most common) stage of the selected batches, else Early. Figures over fewer
    than k respondents are None with `hidden` True. With the latest round of each agency (the default),
    `change` holds each headline's change in percentage points since the agencies' previous round (None
    where either round's figure is hidden, suppressed by the same rules) and `since` the previous round(s).
    `next_stage` is catalog.next_stage(stage) (the one rule); `blockers` are the units of `work_stage`
    (readiness_view.work_stage: the current stage while under the target, else the next one).
    """
    f = Filters.coerce(filters)
    counts = survey_counts(con, f)
    current = stage or counts.get("stage") or "Early"
    check_stage(current)
    nxt = next_stage(current)
    out = {
        "counts": counts,
        "stage": current,
        "next_stage": nxt,
        "hidden": counts["respondents"] < f.min_cell,
        **dict.fromkeys(HEADLINES),
        "change": dict.fromkeys(HEADLINES),
        "since": [],
        "stage_reached": None,
        "blockers": pd.DataFrame(),
        "blockers_all": pd.DataFrame(columns=["hidden"]),
        "by_stage": pd.DataFrame(),
        "work_stage": current,
    }
    if counts["respondents"] == 0:
        return out
    prev_f, prev_n = f.with_(round=ROUND_PREVIOUS), 0
    if f.round == ROUND_LATEST:  # the previous round's people (as rounds.chosen counts them), from the atoms
        pop = population(con)
        before_atoms = pop.kept(selection(prev_f, pop))
        prev_n = int(before_atoms["n"].sum()) if len(before_atoms) else 0
    if prev_n:  # both rounds' readiness totals from one query
        ready, ready_before = totals(con, f, both=True)
    else:
        (ready,) = totals(con, f)
    out.update(_headlines(ready, f, current, nxt, counts["respondents"]))
    total = ready
    out["by_stage"] = total
    if not out["hidden"]:
        out["stage_reached"] = stage_reached(total, f.target)["stage_reached"].iloc[0]
    if prev_n:
        before = _headlines(ready_before, prev_f, current, nxt, prev_n)
        out["change"] = {h: rounds.change(out[h], before[h]) for h in HEADLINES}
        out["since"] = sorted(before_atoms["round_key"].unique().tolist(), reverse=True)
    out["work_stage"] = work_stage(current, out["readiness"], f.target)
    every = blockers(con, f, out["work_stage"], top=None)
    out["blockers_all"] = every  # hidden ones included: the page counts them
    out["blockers"] = every[every["hidden"].isna()].head(5).reset_index(drop=True)
    return out


@dataclass(frozen=True)
class NextStep:
    """What the agency should do next, from the overview's figures (the page only words it).

    kind: "hidden" (figures hidden), "raise" (the current stage is under the target), "aim_next" (on target,
    a next stage exists), "top" (on target at Mature). points: percentage points still to go (current stage
    for "raise", next stage for "aim_next"; never negative). start_with: up to three units required at
    `work_stage` with the lowest coverage among the respondents whose profile requires them (the overview's
    blockers, coverage_view.blockers): the stage the advice talks about, never another stage's units.
    """

    kind: str
    stage: str
    next_stage: str | None
    readiness: float | None
    readiness_next: float | None
    target: float
    points: int | None
    start_with: tuple[str, ...]
    work_stage: str | None = None


def gap_points(value: float, target: float) -> int:
    """THE distance of a readiness share to the target in whole percentage points (value minus target:
    negative = points still to go); the next-step advice and the overview page's deltas use it."""
    return round((value - target) * 100)


def next_step(ov: dict, target: float) -> NextStep:
    """The next-step advice for an overview() result at a readiness target."""
    now, nxt, r_next = ov["readiness"], ov["next_stage"], ov["readiness_next"]
    stage = ov.get("work_stage", ov["stage"])
    # The blockers belong to the overview's work stage; at another target they would be another stage's units.
    same = stage == work_stage(ov["stage"], now, target)
    start = tuple(ov["blockers"]["code"].head(3)) if same and not ov["blockers"].empty else ()
    base = {
        "stage": ov["stage"],
        "next_stage": nxt,
        "readiness": now,
        "readiness_next": r_next,
        "target": target,
        "start_with": start,
        "work_stage": stage,
    }
    if ov["hidden"] or now is None or (nxt and r_next is None):
        return NextStep(kind="hidden", points=None, **base)
    if now < target - 1e-12:
        return NextStep(kind="raise", points=-gap_points(now, target), **base)
    if nxt:
        return NextStep(kind="aim_next", points=max(0, -gap_points(r_next, target)), **base)
    return NextStep(kind="top", points=0, **base)
