"""Readiness at a stage and coverage of one unit per survey round and staff group."""

from __future__ import annotations

from framework.analysis.base import frame
from framework.analysis.coverage_view import coverage_raw, finish_coverage
from framework.analysis.filters import ROUND_ALL, AnalysisError, Filters, check_stage
from framework.analysis.memo import view
from framework.analysis.readiness_view import finish_readiness, readiness_raw


@view
def trends(con, filters: Filters | dict | None = None, stage: str = "Early", unit: str | None = None) -> dict:
    """Readiness at a stage and coverage of one unit per survey round and staff group (plus each round's total).

    Multi-round by nature: every round is a row, whatever `round` the filters choose (the `rounds` list still
    narrows them)."""
    f = Filters.coerce(filters).with_(round=ROUND_ALL)
    check_stage(stage)
    fr = frame(con)
    unit = unit or fr.codes[0]
    if unit not in fr.codes:
        raise AnalysisError(f"ไม่รู้จักหน่วยความสามารถ {unit!r}", f"Unknown unit of capability {unit!r}")
    ready = finish_readiness(con, readiness_raw(con, f, ["round", "group"]), f, "group")
    ready = ready[ready["stage"] == stage].rename(columns={"outer_key": "round"}).reset_index(drop=True)
    cov = finish_coverage(
        con, coverage_raw(con, f, stage, ["round", "group"], codes=[unit]), f.with_(required_only=False), stage, "group"
    )
    cov = cov[cov["code"] == unit].rename(columns={"outer_key": "round"}).reset_index(drop=True)
    rounds = sorted(ready["round"].unique())
    return {"rounds": rounds, "readiness": ready, "coverage": cov, "stage": stage, "unit": unit}
