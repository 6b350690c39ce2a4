"""Target levels per role profile (issue 21, point 5): the level an agency expects of each unit a profile requires.

The 2018 document lists the units each profile (stage x staff group) requires but gives no level. This
project's default is one level for every unit, DEFAULT_LEVEL = 3 ("can do independently"); an agency may set
another level per profile and unit (1-4). `store.targets` keeps only what was set:
(agency, round_date, stage, staff_group, unit_code, level, set_by, set_at).

Versioned per round: a level set for a round holds from that round on, until a later round sets another. The
level in force for a round R of an agency is, per (stage, staff group, unit), the row of the latest round <= R,
else DEFAULT_LEVEL. A level equal to what R would inherit is not stored (setting it deletes R's row).

The survey views read the targets as threshold t = TARGET (0, "meets the agency's target level"):
store/aggregates.py keeps cells at t = 0 counted against the levels in force for each cell's agency, round,
batch stage (per unit) or the stage asked for (readiness), and analysis/source.py reads the responses with the
same levels (a CASE built from `in_force_all`). Changing a target refreshes those cells in the same transaction.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from framework import db
from framework.catalog import STAFF_GROUPS, STAGES
from framework.errors import BilingualError

TABLE = "store.targets"
DEFAULT_LEVEL = 3  # the default target of every required unit: "can do independently" (this project's choice)
TARGET = 0  # the threshold value meaning "the agency's target level"
LEVELS = (1, 2, 3, 4)
# A row's agency as the views key it (filtered.sql): its own, else its batch's; trimmed, blank = '—'.

DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    agency      VARCHAR NOT NULL,
    round_date  DATE NOT NULL,
    stage       VARCHAR NOT NULL,
    staff_group VARCHAR NOT NULL,
    unit_code   VARCHAR NOT NULL,
    level       UTINYINT NOT NULL,
    set_by      VARCHAR NOT NULL,
    set_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (agency, round_date, stage, staff_group, unit_code))"""


class TargetError(BilingualError):
    """A target level that cannot be set, in Thai and English."""


def exists(con) -> bool:
    return (
        db.scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' AND table_name = 'targets'")
        == 1
    )


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise TargetError(
            f"วันที่รอบ {value!r} ไม่ถูกต้อง — ใช้ YYYY-MM-DD", f"Round date {value!r} is invalid — use YYYY-MM-DD"
        ) from None


def _stored(con, agency: str, round_date, *, before: bool = False) -> pd.DataFrame:
    """Per (stage, staff group, unit): the latest stored row of the agency at or before (strictly before) R."""
    op = "<" if before else "<="
    return db.query(
        con,
        f"""
        SELECT stage, staff_group, unit_code, arg_max(level, round_date)::INTEGER AS level,
               max(round_date) AS set_for, arg_max(set_by, round_date) AS set_by, arg_max(set_at, round_date) AS set_at
        FROM {TABLE} WHERE agency = $agency AND round_date {op} $r
        GROUP BY ALL""",
        {"agency": str(agency), "r": _date(round_date)},
    )


def required(con) -> pd.DataFrame:
    """Every (stage, staff group, unit) a profile requires, in framework order."""
    return db.query(
        con,
        "SELECT pu.stage, pu.staff_group, pu.unit_code FROM profile_units pu "
        "JOIN units u ON u.code = pu.unit_code ORDER BY pu.stage, pu.staff_group, u.ord",
    )


def table(con, agency: str | None, round_date) -> pd.DataFrame:
    """The targets in force for an agency's round: every required unit of every profile with `level`,
    `is_default` (no level set: DEFAULT_LEVEL), `set_for` (the round whose setting holds), `set_by`, `set_at`."""
    req = required(con)
    if agency is None or round_date is None or not exists(con):
        stored = pd.DataFrame(columns=["stage", "staff_group", "unit_code", "level", "set_for", "set_by", "set_at"])
    else:
        stored = _stored(con, agency, round_date)
    out = req.merge(stored, on=["stage", "staff_group", "unit_code"], how="left")
    out["is_default"] = out["level"].isna()
    out["level"] = out["level"].fillna(DEFAULT_LEVEL).astype(int)
    return out


def get(con, agency: str | None, round_date) -> dict[tuple[str, str, str], int]:
    """{(stage, staff group, unit): level in force} for every unit a profile requires."""
    t = table(con, agency, round_date)
    return {(r.stage, r.staff_group, r.unit_code): int(r.level) for r in t.itertuples()}


def changed(con, agency: str | None, round_date) -> dict[str, int]:
    """The levels in force that differ from the default, as "stage/group/unit" -> level (export settings)."""
    t = table(con, agency, round_date)
    t = t[t["level"] != DEFAULT_LEVEL]
    return {f"{r.stage}/{r.staff_group}/{r.unit_code}": int(r.level) for r in t.itertuples()}


def in_force_all(con, *, inside: bool = False) -> pd.DataFrame:
    """Every level in force that differs from DEFAULT_LEVEL, for every agency with targets and every round date
    of a live batch: (agency, round_key 'YYYY-MM-DD', stage, staff_group, unit_code, level). Small: only what
    was set. Read by the cells (store/aggregates.py) and the responses path (analysis/source.py).
    `inside`: `con` is the cursor of a write's transaction, read as it is (a fresh cursor would not see the write)."""
    cols = ["agency", "round_key", "stage", "staff_group", "unit_code", "level"]
    there = "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' AND table_name = 'targets'"
    if not (con.execute(there).fetchone()[0] if inside else exists(con)):
        return pd.DataFrame(columns=cols)
    read = (lambda q: con.execute(q).df()) if inside else (lambda q: db.query(con, q))
    return read(f"""
        WITH r AS (SELECT DISTINCT round_date FROM store.batches WHERE round_date IS NOT NULL),
        x AS (SELECT t.agency, r.round_date, t.stage, t.staff_group, t.unit_code,
                     arg_max(t.level, t.round_date)::INTEGER AS level
              FROM {TABLE} t JOIN r ON t.round_date <= r.round_date GROUP BY ALL)
        SELECT agency, CAST(round_date AS VARCHAR) AS round_key, stage, staff_group, unit_code, level
        FROM x WHERE level <> {DEFAULT_LEVEL}
        ORDER BY ALL""")


def level_sql(
    in_force: pd.DataFrame,
    unit: str,
    *,
    agency: str,
    round_key: str,
    group: str,
    stage: str | None = None,
    stage_sql: str | None = None,
) -> str:
    """SQL: the target level of `unit` for a row (its agency, round key and staff group given as SQL
    expressions), at the fixed `stage` or at the stage the expression `stage_sql` gives. DEFAULT_LEVEL where
    nothing was set; a plain number when nothing of this unit was set."""
    rows = in_force[in_force["unit_code"] == unit]
    if stage is not None:
        rows = rows[rows["stage"] == stage]
    if rows.empty:
        return str(DEFAULT_LEVEL)
    whens = []
    for r in rows.itertuples():
        cond = (
            f"{agency} = {db.literal(r.agency)} AND {round_key} = {db.literal(r.round_key)} "
            f"AND {group} = {db.literal(r.staff_group)}"
        )
        if stage is None:
            cond += f" AND {stage_sql} = {db.literal(r.stage)}"
        whens.append(f"WHEN {cond} THEN {int(r.level)}")
    return f"(CASE {' '.join(whens)} ELSE {DEFAULT_LEVEL} END)"


def _check(con, agency, stage, group, unit, level) -> None:
    if not str(agency or "").strip():
        raise TargetError("ต้องระบุหน่วยงาน", "An agency is required")
    if stage not in STAGES:
        raise TargetError(
            f"ไม่รู้จักระยะ {stage!r} — ใช้ {', '.join(STAGES)}", f"Unknown stage {stage!r} — use {', '.join(STAGES)}"
        )
    if group not in STAFF_GROUPS:
        raise TargetError(
            f"ไม่รู้จักกลุ่มบุคลากร {group!r} — ใช้ {', '.join(STAFF_GROUPS)}",
            f"Unknown staff group {group!r} — use {', '.join(STAFF_GROUPS)}",
        )
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise TargetError(
            f"ระดับเป้าหมาย {level!r} ไม่ถูกต้อง — ใช้จำนวนเต็ม 1 ถึง 4",
            f"Target level {level!r} is invalid — use a whole number from 1 to 4",
        )
    req = required(con)
    if not ((req["stage"] == stage) & (req["staff_group"] == group) & (req["unit_code"] == unit)).any():
        raise TargetError(
            f"โปรไฟล์ {stage} / {group} ไม่ได้กำหนดหน่วย {unit!r} — ตั้งเป้าหมายได้เฉพาะหน่วยที่โปรไฟล์กำหนด",
            f"The profile {stage} / {group} does not require unit {unit!r} — a target can be set "
            "only for a unit the profile requires",
        )


def _refresh(cur, agency: str, round_date: dt.date) -> None:
    """The cells of the agency's batches of this round and later (they may inherit it), in the caller's transaction."""
    from framework.store import (
        aggregates,  # the store reads this module: imported here, one way
    )
    from framework.store.keys import AGENCY_KEY

    ids = [
        b
        for (b,) in cur.execute(
            f"""
        SELECT DISTINCT r.batch_id FROM store.responses r JOIN store.batches b USING (batch_id)
        WHERE b.round_date >= $r AND {AGENCY_KEY} = $agency""",
            {"r": round_date, "agency": agency},
        ).fetchall()
    ]
    aggregates.refresh(cur, ids)


def _deny(authorised: bool) -> None:
    if not authorised:
        raise TargetError(
            "ตั้งระดับเป้าหมายได้เฉพาะ HR (ต้องใส่รหัสผ่าน HR)", "Only HR can set target levels (the HR passphrase is required)"
        )


def set_level(
    con, agency: str, round_date, stage: str, staff_group: str, unit: str, level: int, *, who: str, authorised: bool
) -> None:
    """Set the target level of one unit of one profile for an agency from a round on (HR only)."""
    _deny(authorised)
    _check(con, agency, stage, staff_group, unit, level)
    r = _date(round_date)
    before = _stored(con, agency, r, before=True)
    hit = before[(before["stage"] == stage) & (before["staff_group"] == staff_group) & (before["unit_code"] == unit)]
    inherited = int(hit["level"].iloc[0]) if len(hit) else DEFAULT_LEVEL
    key = {"agency": agency, "r": r, "stage": stage, "g": staff_group, "u": unit}
    with db.transaction(con) as cur:
        cur.execute(
            f"DELETE FROM {TABLE} WHERE agency = $agency AND round_date = $r AND stage = $stage "
            "AND staff_group = $g AND unit_code = $u",
            key,
        )
        if level != inherited:
            cur.execute(
                f"INSERT INTO {TABLE} VALUES ($agency, $r, $stage, $g, $u, $level, $who, now()::TIMESTAMP)",
                {**key, "level": int(level), "who": str(who)},
            )
        _refresh(cur, agency, r)


def reset(con, agency: str, round_date, *, who: str, authorised: bool) -> int:
    """Forget every level set for this round of the agency (it then inherits the earlier rounds' levels, else the
    default); returns how many were removed."""
    _deny(authorised)
    r = _date(round_date)
    with db.transaction(con) as cur:
        (n,) = cur.execute(
            f"SELECT count(*) FROM {TABLE} WHERE agency = $agency AND round_date = $r", {"agency": agency, "r": r}
        ).fetchone()
        cur.execute(f"DELETE FROM {TABLE} WHERE agency = $agency AND round_date = $r", {"agency": agency, "r": r})
        _refresh(cur, agency, r)
    return int(n)


def rounds(con) -> pd.DataFrame:
    """The rounds targets can be set for: every (agency, round date) of a live batch, latest first."""
    if not db.has_store(con):
        return pd.DataFrame(columns=["agency", "round_date"])
    return db.query(
        con,
        "SELECT DISTINCT agency, round_date FROM store.batches "
        "WHERE agency IS NOT NULL AND round_date IS NOT NULL ORDER BY agency, round_date DESC",
    )


def note(lang: str, agency: str | None = None, round_date=None) -> str:
    """Where a profile's target levels come from, in words (the page and the handout)."""
    if agency and round_date is not None:
        day = _date(round_date).isoformat()
        th = f"ระดับเป้าหมายของ {agency} รอบ {day} (ค่าตั้งต้น {DEFAULT_LEVEL} = ทำได้ด้วยตนเอง เมื่อหน่วยงานไม่ได้กำหนด)"
        en = (
            f"Target levels of {agency}, round of {day} (default {DEFAULT_LEVEL} = can do independently, "
            "where the agency set none)"
        )
    else:
        th = f"ระดับเป้าหมาย: ค่าตั้งต้น {DEFAULT_LEVEL} = ทำได้ด้วยตนเอง ทุกหน่วย (เอกสารปี 2561 ไม่ได้กำหนดระดับ; หน่วยงานปรับได้)"
        en = (
            f"Target levels: the default {DEFAULT_LEVEL} = can do independently, for every unit (the 2018 "
            "document gives no level; an agency may set its own)"
        )
    return th if lang == "th" else en


def short_note(lang: str, agency: str | None = None, round_date=None) -> str:
    """One line for the handout's footer: what the "≥ N" beside each unit is."""
    if agency and round_date is not None:
        whose = f"{agency} {_date(round_date).isoformat()}"
        return f"≥ N = ระดับเป้าหมาย ({whose})" if lang == "th" else f"≥ N = target level ({whose})"
    return (
        f"≥ N = ระดับเป้าหมาย (ค่าตั้งต้น {DEFAULT_LEVEL})"
        if lang == "th"
        else f"≥ N = target level (default {DEFAULT_LEVEL})"
    )


def settings(con, filters) -> dict:
    """The targets in force for an export's settings: at t = 0, per agency chosen (and its round when one date is
    chosen), the levels that differ from the default; {} at t = 1-4 (a fixed level for every unit)."""
    if int(getattr(filters, "threshold", -1)) != TARGET:
        return {}
    out = {}
    for a, r in rounds(con).itertuples(index=False):
        if filters.agencies and a not in filters.agencies:
            continue
        if filters.round not in ("latest", "all", "previous") and str(r)[:10] != filters.round:
            continue
        out[f"{a}@{str(r)[:10]}"] = changed(con, a, r) or f"default {DEFAULT_LEVEL}"
    return out
