"""Rules moved out of the pages into framework.analysis: next-step advice, training headline, drill-down."""

from __future__ import annotations

import pandas as pd
import pytest

from framework import analysis
from framework.analysis import TOTAL_KEY, Filters
from tests.fixtures.analysis import seed, truth


@pytest.fixture
def con(store_con):
    seed.basic(store_con)
    return store_con


def _ov(now, nxt_value, next_stage="Developing", hidden=False, codes=("A", "B", "C", "D")):
    return {
        "readiness": now,
        "readiness_next": nxt_value,
        "next_stage": next_stage,
        "stage": "Early",
        "hidden": hidden,
        "blockers": pd.DataFrame({"code": list(codes)}),
    }


def test_next_step_kinds_and_points():
    s = analysis.next_step(_ov(0.25, 0.1), 0.8)
    assert (s.kind, s.points, s.start_with) == ("raise", 55, ("A", "B", "C"))
    s = analysis.next_step(_ov(0.85, 0.6), 0.8)
    assert (s.kind, s.points) == ("aim_next", 20)
    assert analysis.next_step(_ov(0.85, 0.95), 0.8).points == 0  # never negative
    assert analysis.next_step(_ov(0.9, None, next_stage=None), 0.8).kind == "top"
    assert analysis.next_step(_ov(None, None, hidden=True), 0.8).kind == "hidden"
    assert analysis.next_step(_ov(0.8, 0.5, codes=()), 0.8).start_with == ()


def test_next_step_from_the_fixture(con, catalog):
    ov = analysis.overview(con, Filters(authorised=True))
    step = analysis.next_step(ov, 0.8)
    raw = truth.frame(seed._b1_rows(), list(catalog.unit_codes()))
    now = truth.readiness(raw, truth.required(catalog, "Early"))
    assert step.kind == "raise" and step.points == round((0.8 - now) * 100)
    assert step.readiness_next == pytest.approx(truth.readiness(raw, truth.required(catalog, "Developing")))


def test_training_headline_sums_shown_units_only(con, catalog):
    needs = analysis.training_needs(con, Filters(min_cell=6, authorised=True), "Early")
    totals = needs[needs["is_total"]]
    head = analysis.training_headline(totals)
    raw = truth.frame(seed._b1_rows(), list(catalog.unit_codes()))
    req = truth.required(catalog, "Early")
    shown = set(totals.loc[totals["hidden"].isna(), "code"])
    want_not_met = want_required = want_na = 0
    for code in shown:
        who = raw[raw["staff_group"].map(lambda g, code=code: code in req.get(g, set()))]
        want_required += len(who)
        want_not_met += int((~(who[code] >= 3)).sum())
        want_na += int(who[code].isna().sum())
    assert head.person_units == want_not_met and head.required == want_required
    assert head.share_not_assessed == pytest.approx(want_na / want_required)
    assert head.units == 13 and head.units_hidden == 13 - len(shown) > 0
    nothing = analysis.training_headline(totals.assign(hidden="small"))
    assert nothing.share_not_assessed is None and nothing.person_units == 0 and nothing.units_shown == 0


def test_next_stage_and_drill_down():
    # One rule: the stage after the agency's stage, whatever stage a group has reached.
    assert analysis.next_stage("Early") == "Developing" and analysis.next_stage("Developing") == "Mature"
    assert analysis.next_stage("Mature") is None
    with pytest.raises(ValueError):
        analysis.next_stage("none")
    # The units to work on: the agency's stage until it is on target (or hidden), then the next one.
    assert analysis.work_stage("Developing", 0.65, 0.8) == "Developing"
    assert analysis.work_stage("Developing", None, 0.8) == "Developing"
    assert analysis.work_stage("Developing", 0.8, 0.8) == "Mature"
    assert analysis.work_stage("Mature", 0.9, 0.8) == "Mature"
    f = Filters(agencies=("X",), threshold=2)
    sub = analysis.narrow(f, "group", "Service")
    assert isinstance(sub, Filters)  # typed, immutable: the page passes it to the view as it is
    assert sub.staff_groups == ("Service",) and sub.agencies == ("X",) and sub.threshold == 2
    assert analysis.narrow(f, "agency", "Y").agencies == ("Y",)
    assert analysis.narrow(f, "unit", TOTAL_KEY).org_units == ()
    assert Filters.coerce(analysis.narrow(f, "unit", "U1")).org_units == ("U1",)
