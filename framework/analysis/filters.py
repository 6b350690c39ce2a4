"""The survey filters and analysis settings, with THE one set of defaults (t, k, target) every caller uses.

`Filters` says which respondents to analyse (batches, agencies, org units, staff groups, rounds; an empty tuple
means no filter), which round of each agency (`round`: "latest" = each agency's latest round, the default; an
ISO date "YYYY-MM-DD" = that round; "all" = every round pooled, only when asked for) and how (threshold t:
0, the default, = the agency's target level per profile and unit, 1-4 a fixed level; smallest cell k;
readiness target). The k floor is the one rule of
`framework.access`: k below `access.min_cell_floor()` (default 5) only for an authorised user (the HR
passphrase given) or in local mode (no passphrase configured anywhere) — enforced here, so every page, export
and CLI command that builds a Filters gets it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from framework import access, identity, targets
from framework.catalog import STAFF_GROUPS, STAGES
from framework.errors import BilingualError

TARGET_THRESHOLD = targets.TARGET  # t = 0: each unit met at the agency's target level (framework/targets.py)
# What counts as met by default: the agency's target level per profile and unit (issue 21, point 5). With no
# target set every level is targets.DEFAULT_LEVEL (3), so the figures equal those of t = 3; t = 1-4 is a fixed
# level for every unit, chosen on purpose.
DEFAULT_THRESHOLD = TARGET_THRESHOLD
DEFAULT_TARGET = 0.8  # readiness a stage needs to count as reached


def default_min_cell() -> int:
    """The default smallest cell shown: the configured floor (access.min_cell_floor(), default 5)."""
    return access.min_cell_floor()


TOTAL_KEY = "(all)"  # the key of the row/column that aggregates every part of a set
NONE_KEY = "—"  # agency / org unit / round not given
BY = ("group", "agency", "unit")
# Whitelisted key expressions over filtered.sql (never user text). A row whose disclosure block spans several
# staff groups (org units) gets the key disclosure.POOLED (chr(31) || 'pooled') in a breakdown by group (unit):
# it counts in the total only, and base.run drops its own row. "span": the staff groups of the row's block.
KEY_EXPR = {
    "group": "CASE WHEN single_group THEN staff_group ELSE chr(31) || 'pooled' END",
    "agency": "agency",
    "unit": "CASE WHEN single_unit THEN unit_key ELSE chr(31) || 'pooled' END",
    "round": "round_key",
    "span": "blk_groups",
    # Each agency's latest round or the one before it, both read by one query (readiness_view.latest_and_previous;
    # binds $latest_ids, the latest round_ids).
    "choice": "CASE WHEN list_contains($latest_ids::VARCHAR[], round_id) THEN 'latest' ELSE 'previous' END",
}
DIMENSIONS = ("batches", "agencies", "org_units", "staff_groups", "rounds")
OUT_OF_SCOPE = identity.OUT_OF_SCOPE  # the agency filter of an empty scope: matches no row
ROUND_LATEST = "latest"  # each agency's latest round (the default of every survey view)
ROUND_ALL = "all"  # every round pooled (explicit only)
ROUND_PREVIOUS = "previous"  # each agency's dated round before its latest (the change between rounds)


def check_round(value) -> str:
    """A round choice as stored in Filters: "latest", "all" or an ISO date; else a bilingual error."""
    text = str(value if value is not None else ROUND_LATEST).strip().lower()
    if text in (ROUND_LATEST, ROUND_ALL, ROUND_PREVIOUS):
        return text
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise AnalysisError(
            f"รอบสำรวจ {value!r} ไม่ถูกต้อง — ใช้ latest (รอบล่าสุดของแต่ละหน่วยงาน), all (ทุกรอบรวมกัน) หรือวันที่รอบแบบ YYYY-MM-DD",
            f"Round {value!r} is invalid — use latest (each agency's latest round), all (every "
            "round pooled) or a round date as YYYY-MM-DD",
        ) from None


class AnalysisError(BilingualError):
    """A bad analysis input, with the message in Thai and English (what, where, how to fix)."""


def local_mode() -> bool:
    """No HR passphrase configured (environment or secrets.toml): a local single-user app, everything allowed."""
    return access.local_mode(access.secrets_file_passphrase())


@dataclass(frozen=True)
class Filters:
    """Which respondents to analyse and the analysis settings; empty tuples mean no filter.

    `authorised` is True when the user gave the HR passphrase: only then (or in local mode) may `min_cell`
    go below the configured floor. Signed in through an identity provider, it means exact figures
    (framework.identity.exact: row-level access to every agency shown).

    `scope` (framework.identity.analysis_scope): the agencies the signed-in person may read; None = every
    agency. Set, it is enforced here for every view and export: no agency chosen means the scope's agencies,
    an agency outside it is refused (AnalysisError), an empty scope reads nothing.
    """

    batches: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    org_units: tuple[str, ...] = ()
    staff_groups: tuple[str, ...] = ()
    rounds: tuple[str, ...] = ()
    round: str = ROUND_LATEST
    threshold: int = DEFAULT_THRESHOLD
    min_cell: int = field(default_factory=default_min_cell)
    target: float = DEFAULT_TARGET
    required_only: bool = False
    authorised: bool = field(default=False, compare=True)
    scope: tuple[str, ...] | None = None

    def __post_init__(self):
        for name in DIMENSIONS:
            object.__setattr__(self, name, tuple(str(v) for v in (getattr(self, name) or ())))
        if self.scope is not None:
            self._enforce_scope()
        bad = [g for g in self.staff_groups if g not in STAFF_GROUPS]
        if bad:
            raise AnalysisError(
                f"ไม่รู้จักกลุ่มบุคลากร {', '.join(bad)} — ใช้หนึ่งใน {', '.join(STAFF_GROUPS)}",
                f"Unknown staff group {', '.join(bad)} — use one of {', '.join(STAFF_GROUPS)}",
            )
        if not (isinstance(self.threshold, (int, np.integer)) and 0 <= self.threshold <= 4):
            raise AnalysisError(
                f"เกณฑ์ระดับ {self.threshold!r} ไม่ถูกต้อง — ใช้จำนวนเต็ม 1 ถึง 4 หรือ 0 (ระดับเป้าหมายของหน่วยงาน)",
                f"Threshold {self.threshold!r} is invalid — use a whole number from 1 to 4, "
                "or 0 (the agency's target levels)",
            )
        if not (isinstance(self.min_cell, (int, np.integer)) and self.min_cell >= 1):
            raise AnalysisError(
                f"จำนวนผู้ตอบขั้นต่ำ {self.min_cell!r} ไม่ถูกต้อง — ใช้จำนวนเต็มตั้งแต่ 1 ขึ้นไป",
                f"Smallest cell {self.min_cell!r} is invalid — use a whole number of 1 or more",
            )
        if not (0 < float(self.target) <= 1):
            raise AnalysisError(
                f"เป้าหมายความพร้อม {self.target!r} ไม่ถูกต้อง — ใช้สัดส่วนมากกว่า 0 ถึง 1",
                f"Readiness target {self.target!r} is invalid — use a share above 0 and up to 1",
            )
        object.__setattr__(self, "round", check_round(self.round))
        object.__setattr__(self, "authorised", bool(self.authorised))
        if self.min_cell < access.min_cell_floor() and not (self.authorised or local_mode()):
            try:
                access.allowed_min_cell(int(self.min_cell), False)
            except BilingualError as exc:
                raise AnalysisError(exc.th, exc.en) from None

    def _enforce_scope(self) -> None:
        scope = tuple(dict.fromkeys(str(a) for a in self.scope))
        object.__setattr__(self, "scope", scope)
        outside = [a for a in self.agencies if a not in scope and a != OUT_OF_SCOPE]
        if outside:
            raise AnalysisError(
                f"หน่วยงาน {', '.join(outside)} อยู่นอกสิทธิ์ของบัญชีนี้ — เลือกหน่วยงานของคุณ: {', '.join(scope) or '(ไม่มี)'}",
                f"The agency {', '.join(outside)} is outside this account's access — choose one of yours: "
                f"{', '.join(scope) or '(none)'}",
            )
        if not self.agencies:  # no agency chosen: the scope's agencies (an empty scope: an agency no row has)
            object.__setattr__(self, "agencies", scope or (OUT_OF_SCOPE,))

    @classmethod
    def coerce(cls, value: Filters | dict | None) -> Filters:
        """Accept a Filters, a plain dict of its fields or None; a key that is not a field (a misspelt one,
        "groups" for "staff_groups") raises AnalysisError instead of silently falling back to the default."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        given = dict(value)
        unknown = sorted(str(k) for k in given if k not in cls.__dataclass_fields__)
        if unknown:
            names = ", ".join(unknown)
            fields = ", ".join(cls.__dataclass_fields__)
            raise AnalysisError(f"ไม่รู้จักตัวกรอง {names} — ใช้ {fields}", f"Unknown filter {names} — use {fields}")
        return cls(**given)

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    def params(self) -> dict:
        """Bound parameters of filtered.sql (NULL = no filter)."""
        lists = {n: (list(getattr(self, n)) or None) for n in DIMENSIONS}
        return {**lists, "round": self.round, "t": int(self.threshold)}

    def as_dict(self) -> dict:
        """Plain dict for exports (file names and the settings sheet): includes the round, threshold and min_cell."""
        d = asdict(self)
        d.pop("authorised", None)
        d.pop("scope", None)
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}


def defaults() -> dict:
    """The default settings (k = the configured floor): what the pages and CLIs start from."""
    return {"threshold": DEFAULT_THRESHOLD, "min_cell": default_min_cell(), "target": DEFAULT_TARGET}


def check_by(by: str) -> None:
    if by not in BY:
        raise AnalysisError(
            f"มุมมอง {by!r} ไม่ถูกต้อง — ใช้ group, agency หรือ unit", f"Unknown breakdown {by!r} — use group, agency or unit"
        )


def check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise AnalysisError(
            f"ไม่รู้จักระยะ {stage!r} — ใช้ Early, Developing หรือ Mature",
            f"Unknown stage {stage!r} — use Early, Developing or Mature",
        )
