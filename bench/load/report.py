"""The load run's results as Markdown: one table per configuration (app processes x store), then the totals.

Columns: the action, how many sessions did it, how many times, p50 and p95 of the wall time (the client's
view: from sending the request to `script_finished`), the server CPU per action measured alone (one session,
one action at a time: `scenarios.probe`) and in the run (the CPU of the app processes over the action's window,
less what the staff sessions used meanwhile), and the issue's target where it sets one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# action -> (target text, p95 limit in seconds)
TARGETS = {
    "type the id": ("p95 <= 1 s (100 staff)", 1.0),
    "choose the group": ("p95 <= 1 s (100 staff)", 1.0),
    "answer a unit": ("p95 <= 1 s (100 staff)", 1.0),
    "open /overview": ("p95 <= 5 s (20 at once)", 5.0),
    "open /overview, nobody else on the app": ("p95 <= 5 s (20 at once)", 5.0),
}
MEMORY_TARGET_MB = 5.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class Row:
    action: str
    sessions: int
    times: list[float]
    cpu_alone: float | None = None
    cpu_run: float | None = None
    failures: int = 0
    count: int | None = None  # how many, when no times are kept (a total row)


@dataclass
class Result:
    """One configuration's figures."""

    title: str
    rows: list[Row] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the totals and notes under the table
    memory_mb: float | None = None
    complete: bool = True  # False: stopped at the deadline or by an error


def _s(x: float | None, digits: int = 2) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def table(result: Result) -> str:
    out = [
        f"### {result.title}",
        "",
        (
            "| action | sessions | n | p50 s | p95 s | server CPU s/action, alone | server CPU s/action, in the run "
            "| target | met |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in result.rows:
        p50, p95 = percentile(r.times, 50), percentile(r.times, 95)
        target, limit = TARGETS.get(r.action, ("—", None))
        met = "—" if limit is None or not r.times else ("yes" if p95 <= limit else "**no**")
        n = f"{len(r.times) if r.count is None else r.count}" + (f" (+{r.failures} failed)" if r.failures else "")
        out.append(
            f"| {r.action} | {r.sessions} | {n} | {_s(p50)} | {_s(p95)} | {_s(r.cpu_alone, 3)} "
            f"| {_s(r.cpu_run, 3)} | {target} | {met} |"
        )
    if result.memory_mb is not None:
        met = "yes" if result.memory_mb <= MEMORY_TARGET_MB else "**no**"
        out.append(
            f"| memory per idle session (MB) | | | | | | {result.memory_mb:.2f} | <= {MEMORY_TARGET_MB:.0f} MB "
            f"| {met} |"
        )
    out.append("")
    out += [f"- {line}" for line in result.lines]
    out.append("")
    return "\n".join(out)
