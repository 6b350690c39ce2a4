"""Issue 23 (3): one rule, one place — the key expression, the order of an agency's rounds, points to target."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from framework import analysis
from framework.analysis.suppression import Population
from framework.store import keys, rounds

ROOT = Path(__file__).resolve().parents[1]


def test_the_agency_and_org_unit_key_is_written_once():
    """`coalesce(nullif(trim(...)), '—')` lives in store/keys.py alone (the intake's blank-cell checks aside)."""
    pattern = re.compile(r"coalesce\(nullif\(trim\(")
    where = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "framework").rglob("*")
        if p.suffix in (".py", ".sql") and pattern.search(p.read_text(encoding="utf-8"))
    )
    assert where == ["framework/store/keys.py"]
    assert keys.name_key("org_unit") == "coalesce(nullif(trim(org_unit), ''), '—')" == keys.UNIT_KEY


def test_the_order_of_an_agency_s_rounds():
    d1, d2, d3 = dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 1, 1)
    assert rounds.newest_first([d1, None, d3, d2]) == [d3, d2, d1, None]
    assert rounds.latest_round([None]) is None and rounds.latest_round([None, d1]) == d1
    assert rounds.latest_round(["—"]) == "—" and rounds.latest_round(["2024-01-01", "—"]) == "2024-01-01"
    assert rounds.previous_round([d1, d3, None]) == d1 and rounds.previous_round([d1, None]) is None
    assert rounds.latest_round([pd.NaT, d2]) == d2


def test_population_and_the_store_choose_rounds_by_the_same_rule():
    atoms = pd.DataFrame(
        {
            "staff_group": ["Service"] * 4,
            "agency": ["A", "A", "A", "B"],
            "unit_key": ["—"] * 4,
            "round_key": ["2024-01-01", "2025-01-01", "—", "—"],
            "round_id": ["A@2024-01-01", "A@2025-01-01", "A@—", "B@—"],
            "batch_id": ["b1", "b2", "b3", "b4"],
            "n": [5, 5, 5, 5],
        }
    )
    pop = Population(atoms)
    assert pop.agency_rounds("latest") == {"A@2025-01-01", "B@—"}
    assert pop.agency_rounds("previous") == {"A@2024-01-01"}


def test_points_to_target_are_worked_out_once():
    assert analysis.gap_points(0.65, 0.8) == -15 and analysis.gap_points(0.9, 0.8) == 10
    ov = {
        "readiness": 0.65,
        "next_stage": "Developing",
        "readiness_next": 0.4,
        "stage": "Early",
        "hidden": False,
        "blockers": pd.DataFrame({"code": []}),
    }
    assert analysis.next_step(ov, 0.8).points == -analysis.gap_points(0.65, 0.8)
