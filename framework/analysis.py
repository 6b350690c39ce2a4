"""Coverage, readiness, stage reached and trends of the survey store, with small-cell suppression (PDPA).

Every aggregate is one DuckDB query over `store.responses` (wide: one column per unit code) and the
framework tables; Python only reshapes the small aggregated result and applies suppression.
Definitions (t = threshold, k = smallest cell shown) are in DEFINITIONS_TH / DEFINITIONS_EN.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache

import duckdb
import numpy as np
import pandas as pd

from framework import sql
from framework.catalog import STAFF_GROUPS, STAGES
from framework.errors import BilingualError

TOTAL_KEY = "(all)"   # the key of the row/column that aggregates every part of a set
NONE_KEY = "—"        # agency / org unit / round not given
BY = ("group", "agency", "unit")
# Whitelisted key expressions over filtered_responses.sql (never user text).
_KEY_EXPR = {"group": "staff_group", "agency": "agency", "unit": "unit_key", "round": "round_key"}
NEXT_STAGE = {"Early": "Developing", "Developing": "Mature", "Mature": None}

# Why a cell is hidden.
HIDDEN_EMPTY = "empty"                  # no respondents at all
HIDDEN_SMALL = "small"                  # fewer than k respondents
HIDDEN_COMPLEMENTARY = "complementary"  # hidden so a hidden part cannot be recomputed from the total

DEFINITIONS_EN = """\
- **Meets a unit**: a respondent meets unit *u* when their level for *u* is known and at least the threshold *t* (default 3). Not assessed counts as not met.
- **Coverage** of unit *u* in a set of respondents: the share of them who meet *u*.
- **Readiness** of a respondent at stage *s*: the share of the units required by the role profile (*s*, their staff group) that they meet. Readiness of a set is the mean over its respondents. **Fully ready**: the share of respondents whose readiness is 100%.
- **Stage reached** by a set: the highest stage whose readiness is at least the target (default 80%), or none.
- **Blocking units** for a stage: the units that stage's profiles require, ranked by lowest coverage among the respondents whose profile requires them.
- **Small cells** (Thailand's PDPA): any figure over fewer than *k* respondents (default 5) is hidden, never shown as 0, on screen and in every export. When a total and all but one of its parts would be shown, the next-smallest part is hidden too (complementary suppression); and while the hidden parts together would come out at 0% or 100% (the total minus the shown parts), one more part is hidden. So a hidden figure cannot be recomputed by subtraction. A blocking unit is also hidden when the respondents it does not apply to are fewer than *k*, when it would single out one staff group that the coverage heatmap hides, or when the groups hidden on the heatmap (inside or outside the ones it applies to) would come out at 0% or 100%.
- **Training need** for unit *u* at stage *s*: among the respondents whose role profile (*s*, their staff group) requires *u*, those whose level is unknown or below *t* ("to develop"); "not assessed" are those with no level. A staff group's figure is hidden wherever the coverage heatmap hides it, and a unit's total wherever the blocking-unit figure (the same count) is hidden.
- For agency or org-unit columns, a unit counts as *required* when the stage's profile of at least one selected staff group requires it.
"""

DEFINITIONS_TH = """\
- **ผ่านหน่วยความสามารถ**: ผู้ตอบผ่านหน่วย *u* เมื่อทราบระดับของหน่วย *u* และระดับนั้นไม่ต่ำกว่าเกณฑ์ *t* (ค่าเริ่มต้น 3) หน่วยที่ไม่ได้ประเมินถือว่าไม่ผ่าน
- **ความครอบคลุม** ของหน่วย *u* ในกลุ่มผู้ตอบ: สัดส่วนของผู้ตอบที่ผ่านหน่วย *u*
- **ความพร้อม** ของผู้ตอบในระยะ *s*: สัดส่วนของหน่วยที่บทบาท (ระยะ *s*, กลุ่มบุคลากรของผู้ตอบ) กำหนดไว้ ซึ่งผู้ตอบผ่าน ความพร้อมของกลุ่มคือค่าเฉลี่ยของผู้ตอบในกลุ่ม **พร้อมเต็มที่**: สัดส่วนผู้ตอบที่มีความพร้อม 100%
- **ระยะที่บรรลุ** ของกลุ่ม: ระยะสูงสุดที่ความพร้อมไม่ต่ำกว่าเป้าหมาย (ค่าเริ่มต้น 80%) หรือยังไม่บรรลุระยะใด
- **หน่วยที่เป็นอุปสรรค** ของระยะ: หน่วยที่บทบาทของระยะนั้นกำหนด เรียงจากความครอบคลุมต่ำสุด (นับเฉพาะผู้ตอบที่บทบาทกำหนดหน่วยนั้น)
- **ช่องข้อมูลขนาดเล็ก** (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล): ตัวเลขใดที่คำนวณจากผู้ตอบน้อยกว่า *k* คน (ค่าเริ่มต้น 5) จะถูกซ่อน ไม่แสดงเป็น 0 ทั้งบนหน้าจอและในไฟล์ส่งออก หากแสดงยอดรวมและทุกส่วนยกเว้นส่วนเดียว จะซ่อนส่วนที่เล็กที่สุดถัดไปด้วย (การซ่อนเสริม) และหากส่วนที่ซ่อนรวมกันคำนวณย้อนได้เป็น 0% หรือ 100% (ยอดรวมลบส่วนที่แสดง) จะซ่อนเพิ่มอีกหนึ่งส่วน จึงคำนวณตัวเลขที่ซ่อนย้อนกลับด้วยการลบไม่ได้ หน่วยที่เป็นอุปสรรคจะถูกซ่อนด้วยเมื่อผู้ตอบที่บทบาทไม่กำหนดหน่วยนั้นมีน้อยกว่า *k* คน เมื่อจะเผยค่าของกลุ่มบุคลากรกลุ่มเดียวที่แผนภาพความครอบคลุมซ่อนไว้ หรือเมื่อกลุ่มที่ซ่อนบนแผนภาพ (ทั้งในและนอกกลุ่มที่หน่วยนั้นใช้) จะคำนวณย้อนได้เป็น 0% หรือ 100%
- **ความต้องการพัฒนา** ของหน่วย *u* ในระยะ *s*: ในบรรดาผู้ตอบที่บทบาท (ระยะ *s*, กลุ่มบุคลากรของผู้ตอบ) กำหนดหน่วย *u* คือผู้ที่ไม่ทราบระดับหรือระดับต่ำกว่า *t* ("ต้องพัฒนา") ส่วน "ไม่ได้ประเมิน" คือผู้ที่ไม่มีระดับ ค่าของกลุ่มบุคลากรจะถูกซ่อนทุกที่ที่แผนภาพความครอบคลุมซ่อน และยอดรวมของหน่วยจะถูกซ่อนทุกที่ที่ตัวเลขหน่วยที่เป็นอุปสรรค (ค่าเดียวกัน) ถูกซ่อน
- สำหรับคอลัมน์หน่วยงานหรือหน่วยงานย่อย หน่วยความสามารถนับว่า *ต้องมี* เมื่อบทบาทของระยะนั้นของกลุ่มบุคลากรที่เลือกอย่างน้อยหนึ่งกลุ่มกำหนดไว้
"""


class AnalysisError(BilingualError):
    """A bad analysis input, with the message in Thai and English (what, where, how to fix)."""


@dataclass(frozen=True)
class Filters:
    """Which respondents to analyse and the analysis settings; empty tuples mean no filter."""
    batches: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    org_units: tuple[str, ...] = ()
    staff_groups: tuple[str, ...] = ()
    rounds: tuple[str, ...] = ()
    threshold: int = 3
    min_cell: int = 5
    target: float = 0.8
    required_only: bool = False

    def __post_init__(self):
        for name in ("batches", "agencies", "org_units", "staff_groups", "rounds"):
            object.__setattr__(self, name, tuple(str(v) for v in (getattr(self, name) or ())))
        bad = [g for g in self.staff_groups if g not in STAFF_GROUPS]
        if bad:
            raise AnalysisError(f"ไม่รู้จักกลุ่มบุคลากร {', '.join(bad)} — ใช้หนึ่งใน {', '.join(STAFF_GROUPS)}",
                                f"Unknown staff group {', '.join(bad)} — use one of {', '.join(STAFF_GROUPS)}")
        if not (isinstance(self.threshold, (int, np.integer)) and 1 <= self.threshold <= 4):
            raise AnalysisError(f"เกณฑ์ระดับ {self.threshold!r} ไม่ถูกต้อง — ใช้จำนวนเต็ม 1 ถึง 4",
                                f"Threshold {self.threshold!r} is invalid — use a whole number from 1 to 4")
        if not (isinstance(self.min_cell, (int, np.integer)) and self.min_cell >= 1):
            raise AnalysisError(f"จำนวนผู้ตอบขั้นต่ำ {self.min_cell!r} ไม่ถูกต้อง — ใช้จำนวนเต็มตั้งแต่ 1 ขึ้นไป",
                                f"Smallest cell {self.min_cell!r} is invalid — use a whole number of 1 or more")
        if not (0 < float(self.target) <= 1):
            raise AnalysisError(f"เป้าหมายความพร้อม {self.target!r} ไม่ถูกต้อง — ใช้สัดส่วนมากกว่า 0 ถึง 1",
                                f"Readiness target {self.target!r} is invalid — use a share above 0 and up to 1")

    @classmethod
    def coerce(cls, value: "Filters | dict | None") -> "Filters":
        """Accept a Filters, a plain dict (as ui/filters.py returns) or None."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        known = {k: v for k, v in dict(value).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def with_(self, **changes) -> "Filters":
        return replace(self, **changes)

    def params(self) -> dict:
        """Bound parameters of filtered_responses.sql (NULL = no filter)."""
        lists = {n: (list(getattr(self, n)) or None)
                 for n in ("batches", "agencies", "org_units", "staff_groups", "rounds")}
        return {**lists, "t": int(self.threshold)}

    def as_dict(self) -> dict:
        """Plain dict for exports (file names and the settings sheet): includes threshold and min_cell."""
        d = asdict(self)
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}


# --- the catalogue side: which units each profile requires ------------------------------------------
@dataclass(frozen=True)
class _Frame:
    codes: tuple[str, ...]
    required: dict = field(hash=False)      # (stage, staff_group) -> tuple of unit codes
    units: pd.DataFrame = field(hash=False, repr=False)


def _q(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> pd.DataFrame:
    """Run one query on its own cursor, binding only the parameters the query names."""
    bound = {k: v for k, v in (params or {}).items() if f"${k}" in query}
    cur = con.cursor()
    try:
        return cur.execute(query, bound).df()
    finally:
        cur.close()


def _frame(con) -> _Frame:
    """Unit codes and profile requirements from the catalogue (two small queries; no caching in framework)."""
    units = _q(con, "SELECT u.code, u.group_key, u.ord AS unit_ord, u.name_th, u.name_en, "
                    "cg.name_th AS group_name_th, cg.name_en AS group_name_en, cg.ord AS group_ord "
                    "FROM units u JOIN capability_groups cg ON cg.key = u.group_key ORDER BY u.ord")
    pu = _q(con, "SELECT pu.stage, pu.staff_group, pu.unit_code FROM profile_units pu "
                 "JOIN units u ON u.code = pu.unit_code ORDER BY u.ord")
    required = {(s, g): tuple(pu.loc[(pu.stage == s) & (pu.staff_group == g), "unit_code"])
                for s in STAGES for g in STAFF_GROUPS}
    return _Frame(tuple(units["code"]), required, units)


def _ident(code: str) -> str:
    return '"' + code.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _render(text: str, **parts: str) -> str:
    """Fill a named query's {placeholders} (catalogue identifiers and whitelisted keys only)."""
    for k, v in parts.items():
        text = text.replace("{" + k + "}", v)
    return text


def _filtered() -> str:
    return sql.load("filtered_responses")


def _check_by(by: str) -> None:
    if by not in BY:
        raise AnalysisError(f"มุมมอง {by!r} ไม่ถูกต้อง — ใช้ group, agency หรือ unit",
                            f"Unknown breakdown {by!r} — use group, agency or unit")


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise AnalysisError(f"ไม่รู้จักระยะ {stage!r} — ใช้ Early, Developing หรือ Mature",
                            f"Unknown stage {stage!r} — use Early, Developing or Mature")


def _key_parts(dims: list[str]) -> dict:
    """SQL fragments for GROUP BY GROUPING SETS over dims; the last dim's parts make up each set's total."""
    names = ["outer_key", "key"][-len(dims):] if len(dims) <= 2 else None
    exprs = [_KEY_EXPR[d] for d in dims]
    keys = ", ".join(f"{e} AS {n}" for e, n in zip(exprs, names))
    return {
        "keys": keys,
        "key_names": ", ".join(names),
        "last_name": names[-1],
        "group_names": ", ".join(names),
        "outer_names": ", ".join(names[:-1]),
        "last_key": exprs[-1],
        "group_keys": ", ".join(exprs),
        "outer_keys": ", ".join(exprs[:-1]),
        "non_units": ", ".join(names + ["is_total", "n"]),
    }


def _reindex_groups(df: pd.DataFrame, f: Filters, id_cols: list[str], fill: dict) -> pd.DataFrame:
    """Staff groups with no respondents still get a (hidden, empty) cell, in framework order."""
    groups = list(f.staff_groups) or list(STAFF_GROUPS)
    outer = [c for c in id_cols if c != "key"]
    base = df[~df["is_total"]]
    combos = df[outer].drop_duplicates() if outer else pd.DataFrame(index=[0])
    full = combos.merge(pd.DataFrame({"key": groups}), how="cross")
    if outer:
        full = full[outer + ["key"]]
    else:
        full = full[["key"]]
    full = full.merge(pd.DataFrame({"code": df["code"].drop_duplicates()}), how="cross") \
        if "code" in df.columns else full
    merge_on = [c for c in full.columns]
    merged = full.merge(base, on=merge_on, how="left")
    merged["is_total"] = False
    for col, value in fill.items():
        merged[col] = merged[col].fillna(value)
    return pd.concat([merged, df[df["is_total"]]], ignore_index=True)


# --- suppression -----------------------------------------------------------------------------------
def suppress(df: pd.DataFrame, k: int, values: list[str], sets: list[str],
             n: str = "n", part: str = "key", total: str = "is_total",
             amounts: list[str] | None = None, already: str | None = None) -> pd.DataFrame:
    """Hide every value over fewer than k respondents, plus complementary cells so none can be recomputed.

    `sets` are the columns whose equal values form one set of parts adding up to a total (e.g. one unit
    across staff groups). In each set, if exactly one non-empty part is hidden for being small, the
    smallest other non-empty part is hidden too. `amounts` are additive counts behind the values (between
    0 and n, e.g. `met`): while the hidden parts of a set together have 0 or all of their n (so the total
    minus the shown parts would give every hidden part as 0% or 100%), one more part is hidden.
    `already` names a column of reasons decided by another view of the same cells (e.g. the coverage
    heatmap): those cells stay hidden and count as hidden parts, so the rules above protect them too.
    Adds `hidden` (None, "empty", "small", "complementary"); hidden values become NaN.
    """
    out = df.copy()
    nn = out[n].fillna(0).astype("int64")
    hidden = pd.Series(None, index=out.index, dtype="object")
    hidden[nn == 0] = HIDDEN_EMPTY
    hidden[(nn > 0) & (nn < k)] = HIDDEN_SMALL
    if already is not None:
        hidden = hidden.where(hidden.notna() | out[already].isna(), out[already])
    parts = ~out[total].astype(bool) if total in out.columns else pd.Series(True, index=out.index)
    small_part = parts & hidden.notna() & (nn > 0)   # without `already`: the small parts
    keys = [out[c] for c in sets] if sets else [pd.Series(0, index=out.index)]
    set_id = pd.MultiIndex.from_arrays(keys).factorize()[0] if len(keys) > 1 else keys[0].factorize()[0]
    set_id = pd.Series(set_id, index=out.index)
    n_small = small_part.groupby(set_id).transform("sum")
    candidates = parts & hidden.isna() & (nn > 0) & (n_small == 1)
    if candidates.any():
        cand = pd.DataFrame({"set": set_id[candidates], "n": nn[candidates],
                             "part": out.loc[candidates, part].astype(str)})
        first = cand.sort_values(["set", "n", "part"]).groupby("set").head(1).index
        hidden[first] = HIDDEN_COMPLEMENTARY
    if amounts:
        _protect_extremes(out, hidden, nn, parts, set_id, amounts, part)
    out["hidden"] = hidden
    mask = hidden.notna()
    for col in values:
        out[col] = out[col].astype("float64")
        out.loc[mask, col] = np.nan
    return out


def _protect_extremes(out: pd.DataFrame, hidden: pd.Series, nn: pd.Series, parts: pd.Series,
                      set_id: pd.Series, amounts: list[str], part: str) -> None:
    """Hide more parts where the hidden ones together are all-met or none-met (recomputable as 0%/100%).

    Only where a total is shown and is not itself 0% or 100% (then every part is, shown or not).
    """
    tot = ~parts & hidden.isna()
    amount = {a: pd.to_numeric(out[a], errors="coerce").fillna(0).astype("float64") for a in amounts}
    size = nn.astype("float64")

    def extreme(s, n) -> pd.Series:
        return (s.abs() < 1e-9) | ((s - n).abs() < 1e-9)

    def exposed_sets(within: pd.Series | None = None) -> pd.Series:
        rows = within if within is not None else pd.Series(True, index=out.index)
        h = hidden.notna() & parts & (nn > 0) & rows
        sid = set_id[rows]
        hn = size.where(h, 0)[rows].groupby(sid).sum()
        tn = size.where(tot, 0)[rows].groupby(sid).sum()
        flag = pd.Series(False, index=hn.index)
        for a in amounts:
            hs = amount[a].where(h, 0)[rows].groupby(sid).sum()
            ts = amount[a].where(tot, 0)[rows].groupby(sid).sum()
            flag |= (hn > 0) & (tn > 0) & extreme(hs, hn) & ~extreme(ts, tn)
        return flag[flag].index

    groups = set_id.groupby(set_id).groups
    for sid in exposed_sets():
        rows = pd.Index(groups[sid])
        within = pd.Series(out.index.isin(rows), index=out.index)
        while len(exposed_sets(within)):
            shown = rows[hidden[rows].isna().to_numpy() & parts[rows].to_numpy() & (nn[rows] > 0).to_numpy()]
            if not len(shown):
                break
            order = pd.DataFrame({"n": nn[shown], "part": out.loc[shown, part].astype(str)}, index=shown)
            hidden[order.sort_values(["n", "part"]).index[0]] = HIDDEN_COMPLEMENTARY


def hidden_counts(df: pd.DataFrame) -> dict:
    """How many cells are hidden and why (for the note under each table and chart)."""
    if "hidden" not in df.columns:
        return {HIDDEN_EMPTY: 0, HIDDEN_SMALL: 0, HIDDEN_COMPLEMENTARY: 0}
    vc = df["hidden"].value_counts()
    return {h: int(vc.get(h, 0)) for h in (HIDDEN_EMPTY, HIDDEN_SMALL, HIDDEN_COMPLEMENTARY)}


def hidden_note(df: pd.DataFrame, k: int, lang: str, what_th: str = "ช่อง", what_en: str = "cells") -> str:
    """One sentence saying how many cells are hidden and why, in the page language."""
    c = hidden_counts(df)
    if lang == "en":
        return (f"Hidden {what_en}: {c[HIDDEN_SMALL]} with fewer than {k} respondents, "
                f"{c[HIDDEN_COMPLEMENTARY]} hidden so they cannot be recomputed from a total, "
                f"{c[HIDDEN_EMPTY]} with no respondents (PDPA: personal assessments are not shown for small groups).")
    return (f"{what_th}ที่ซ่อน: {c[HIDDEN_SMALL]} {what_th}มีผู้ตอบน้อยกว่า {k} คน, "
            f"{c[HIDDEN_COMPLEMENTARY]} {what_th}ซ่อนเสริมเพื่อไม่ให้คำนวณย้อนจากยอดรวมได้, "
            f"{c[HIDDEN_EMPTY]} {what_th}ไม่มีผู้ตอบ (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล: ไม่แสดงผลประเมินรายบุคคลของกลุ่มเล็ก)")


# --- queries ---------------------------------------------------------------------------------------
def has_store(con) -> bool:
    """Whether the attached store holds the survey tables."""
    df = _q(con, "SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = 'store' "
                 "AND table_name IN ('batches', 'responses')")
    return int(df["n"].iloc[0]) == 2


def data_version(con) -> str:
    """Changes whenever batches are added or removed (cache key for the pages)."""
    if not has_store(con):
        return "none"
    df = _q(con, "SELECT count(*) AS n, coalesce(sum(accepted), 0) AS a, "
                 "coalesce(max(uploaded_at)::VARCHAR, '') AS u, coalesce(string_agg(batch_id, ',' ORDER BY batch_id), '') AS ids "
                 "FROM store.batches")
    r = df.iloc[0]
    return f"{r['n']}|{r['a']}|{r['u']}|{hash(r['ids'])}"


def filter_options(con) -> dict:
    """The values each filter offers: batches (with labels), agencies, org units, rounds."""
    if not has_store(con):
        return {"batches": pd.DataFrame(columns=["batch_id", "file_name", "agency", "stage", "round_date",
                                                 "accepted", "is_demo"]),
                "agencies": [], "org_units": [], "rounds": []}
    batches = _q(con, "SELECT batch_id, file_name, agency, stage, round_date, accepted, is_demo "
                      "FROM store.batches ORDER BY round_date NULLS LAST, uploaded_at, batch_id")
    f = _filtered()
    keys = _q(con, f"WITH f AS ({f}) SELECT 'agency' AS kind, agency AS v FROM f GROUP BY agency "
                   f"UNION ALL SELECT 'unit', unit_key FROM f GROUP BY unit_key "
                   f"UNION ALL SELECT 'round', round_key FROM f GROUP BY round_key", Filters().params())
    pick = lambda kind: sorted(keys.loc[keys.kind == kind, "v"].tolist())  # noqa: E731
    return {"batches": batches, "agencies": pick("agency"), "org_units": pick("unit"), "rounds": pick("round")}


def _coverage_raw(con, f: Filters, stage: str, dims: list[str]) -> pd.DataFrame:
    fr = _frame(con)
    parts = _key_parts(dims)
    # count(*) FILTER, not count_if: count_if over only NULLs gives NULL, not 0.
    met = ", ".join(f"count(*) FILTER (WHERE {_ident(c)} >= $t) AS {_ident(c)}" for c in fr.codes)
    query = _render(sql.load("coverage"), filtered=_filtered(), met_counts=met, **parts)
    df = _q(con, query, f.params())
    df["key"] = np.where(df["is_total"], TOTAL_KEY, df["key"])
    return df


def coverage(con, filters: Filters | dict | None = None, stage: str = "Early", by: str = "group") -> pd.DataFrame:
    """Coverage of each unit (rows, framework order) per staff group / agency / org unit plus the total.

    Columns: stage, by, key, code, group_key, unit_ord, n, met, coverage, required, is_total, hidden.
    Suppressed cells have met and coverage NaN.
    """
    f = Filters.coerce(filters)
    _check_by(by)
    _check_stage(stage)
    df = _coverage_raw(con, f, stage, [by])
    return _finish_coverage(con, df, f, stage, by, sets=["code"])


def _finish_coverage(con, df: pd.DataFrame, f: Filters, stage: str, by: str, sets: list[str]) -> pd.DataFrame:
    fr = _frame(con)
    id_cols = [c for c in ("outer_key", "key") if c in df.columns]
    if by == "group":
        df = _reindex_groups(df, f, id_cols, {"n": 0, "met": 0})
    groups = list(f.staff_groups) or list(STAFF_GROUPS)
    any_req = {c for g in groups for c in fr.required[(stage, g)]}
    req_pairs = {(g, c) for g in STAFF_GROUPS for c in fr.required[(stage, g)]}
    if by == "group":
        df["required"] = [(k, c) in req_pairs if not t else c in any_req
                          for k, c, t in zip(df["key"], df["code"], df["is_total"])]
    else:
        df["required"] = df["code"].isin(any_req)
    df = df.merge(fr.units[["code", "group_key", "unit_ord"]], on="code", how="left")
    df["n"] = df["n"].astype("int64")
    df["met"] = df["met"].astype("int64")
    df["coverage"] = np.where(df["n"] > 0, df["met"] / df["n"].where(df["n"] > 0, 1), np.nan)
    df = suppress(df, f.min_cell, ["met", "coverage"], sets=sets + [c for c in id_cols if c != "key"],
                  amounts=["met"])
    if f.required_only:
        df = df[df["code"].isin(any_req)]
    df["stage"], df["by"] = stage, by
    df = _order_keys(df, by)
    cols = ["stage", "by"] + id_cols + ["code", "group_key", "unit_ord", "n", "met", "coverage",
                                         "required", "is_total", "hidden"]
    sort = [c for c in id_cols if c != "key"] + ["unit_ord", "_key_ord"]
    return df.sort_values(sort, kind="stable")[cols].reset_index(drop=True)


def _order_keys(df: pd.DataFrame, by: str) -> pd.DataFrame:
    if by == "group":
        order = {g: i for i, g in enumerate(STAFF_GROUPS)}
        df["_key_ord"] = df["key"].map(order).fillna(len(order)).astype(int)
    else:
        keys = sorted(k for k in df["key"].unique() if k != TOTAL_KEY)
        order = {k: i for i, k in enumerate(keys)}
        df["_key_ord"] = df["key"].map(order).fillna(len(order)).astype(int)
    df.loc[df["key"] == TOTAL_KEY, "_key_ord"] = 10 ** 6
    return df


def _readiness_exprs(con) -> dict:
    fr = _frame(con)
    parts = {}
    for s in STAGES:
        met_cases, req_cases = [], []
        for g in STAFF_GROUPS:
            codes = fr.required[(s, g)]
            met = " + ".join(f"(({_ident(c)} >= $t) IS TRUE)::INTEGER" for c in codes) or "0"
            met_cases.append(f"WHEN {_lit(g)} THEN {met}")
            req_cases.append(f"WHEN {_lit(g)} THEN {len(codes)}")
        parts[f"met_{s}"] = "(CASE staff_group " + " ".join(met_cases) + " END)"
        parts[f"req_{s}"] = "(CASE staff_group " + " ".join(req_cases) + " END)::DOUBLE"
    return parts


def _readiness_raw(con, f: Filters, dims: list[str]) -> pd.DataFrame:
    parts = _key_parts(dims)
    query = _render(sql.load("readiness"), filtered=_filtered(), **_readiness_exprs(con), **parts)
    df = _q(con, query, f.params())
    df["key"] = np.where(df["is_total"], TOTAL_KEY, df["key"])
    return df


def readiness(con, filters: Filters | dict | None = None, by: str = "group") -> pd.DataFrame:
    """Readiness at Early, Developing and Mature per staff group / agency / org unit, plus the total.

    Columns: by, key, stage, n, readiness, fully_ready, required_units, is_total, hidden.
    """
    f = Filters.coerce(filters)
    _check_by(by)
    df = _readiness_raw(con, f, [by])
    return _finish_readiness(con, df, f, by)


def _finish_readiness(con, df: pd.DataFrame, f: Filters, by: str) -> pd.DataFrame:
    fr = _frame(con)
    id_cols = [c for c in ("outer_key", "key") if c in df.columns]
    if by == "group":
        stages = pd.DataFrame({"stage": list(STAGES), "stage_ord": [1, 2, 3]})
        df = df.drop(columns=["stage_ord"])
        df = df.rename(columns={"stage": "code"})
        df = _reindex_groups(df, f, id_cols, {"n": 0})
        df = df.rename(columns={"code": "stage"}).merge(stages, on="stage")
    df["n"] = df["n"].astype("int64")
    df["fully_ready"] = np.where(df["n"] > 0, df["fully"].astype("float64") / df["n"].where(df["n"] > 0, 1), np.nan)
    # Additive amounts behind the shares, so all-or-nothing hidden parts get protected too.
    df["_ready_sum"] = df["readiness"].astype("float64").fillna(0) * df["n"]
    df["_fully"] = df["fully"].astype("float64").fillna(0)
    df = suppress(df, f.min_cell, ["readiness", "fully_ready", "required_units"],
                  sets=["stage"] + [c for c in id_cols if c != "key"], amounts=["_ready_sum", "_fully"])
    if by == "group":
        # A staff group's required units are a public fact of its profile, never personal.
        exact = {(s, g): len(fr.required[(s, g)]) for s in STAGES for g in STAFF_GROUPS}
        fill = pd.Series([exact.get((s, k), np.nan) for s, k in zip(df["stage"], df["key"])], index=df.index)
        df["required_units"] = fill.where(~df["is_total"], df["required_units"])
    df["by"] = by
    df = _order_keys(df, by)
    sort = [c for c in id_cols if c != "key"] + ["_key_ord", "stage_ord"]
    cols = ["by"] + id_cols + ["stage", "n", "readiness", "fully_ready", "required_units", "is_total", "hidden"]
    return df.sort_values(sort, kind="stable")[cols].reset_index(drop=True)


def stage_reached(ready: pd.DataFrame, target: float = 0.8) -> pd.DataFrame:
    """Per key: the highest stage whose readiness ≥ target ("none" if no stage; NaN if any stage is hidden)."""
    id_cols = [c for c in ("outer_key", "key") if c in ready.columns]
    rows = []
    for ids, g in ready.groupby(id_cols, sort=False):
        ids = ids if isinstance(ids, tuple) else (ids,)
        hidden = g["readiness"].isna().any()
        reached = None
        if not hidden:
            ok = g[g["readiness"] >= target - 1e-12]
            order = {s: i for i, s in enumerate(STAGES)}
            reached = max(ok["stage"], key=order.get) if len(ok) else "none"
        rows.append(dict(zip(id_cols, ids)) | {"stage_reached": reached, "n": int(g["n"].iloc[0]),
                                                "is_total": bool(g["is_total"].iloc[0])})
    return pd.DataFrame(rows, columns=id_cols + ["stage_reached", "n", "is_total"])


def blockers(con, filters: Filters | dict | None = None, stage: str = "Developing", top: int | None = 5) -> pd.DataFrame:
    """Units the stage requires, lowest coverage first, among the respondents whose profile requires each.

    Summed from the staff-group counts the coverage heatmap shows, so the two can be checked against each
    other: a unit is hidden when the respondents it applies to, or the ones it does not apply to, are
    fewer than k (else the rest is the overall coverage minus this one), or when exactly one staff group
    hidden on the heatmap is inside (or outside) the groups it applies to (else that group could be
    recomputed). Hidden units are not ranked.
    Columns: code, group_key, unit_ord, name_th, name_en, n, met, coverage, hidden.
    """
    f = Filters.coerce(filters)
    _check_stage(stage)
    fr = _frame(con)
    cols = ["code", "group_key", "unit_ord", "name_th", "name_en", "n", "met", "coverage", "hidden"]
    groups = list(f.staff_groups) or list(STAFF_GROUPS)
    req = {c: {g for g in groups if c in fr.required[(stage, g)]} for c in fr.codes}
    req = {c: gs for c, gs in req.items() if gs}
    if not req:
        return pd.DataFrame(columns=cols)
    raw = _coverage_raw(con, f, stage, ["group"])
    shown = _finish_coverage(con, raw.copy(), f.with_(required_only=False), stage, "group", sets=["code"])
    parts = raw[~raw["is_total"]]
    totals = raw[raw["is_total"]].set_index("code")["n"]
    hid = shown[~shown["is_total"] & shown["hidden"].notna() & (shown["n"] > 0)]
    hidden_groups = hid.groupby("code")["key"].apply(set).to_dict()
    met_totals = raw[raw["is_total"]].set_index("code")["met"]
    rows = []
    for c, gs in req.items():
        p = parts[(parts["code"] == c) & parts["key"].isin(gs)]
        n, met = int(p["n"].sum()), int(p["met"].sum())
        n_total, met_total = int(totals.get(c, 0)), int(met_totals.get(c, 0))
        h = hidden_groups.get(c, set())
        ph = parts[(parts["code"] == c) & parts["key"].isin(h)]
        inside = ph["key"].isin(gs)
        rows.append({"code": c, "n": n, "met": met, "rest": n_total - n,
                     "split": len(h & gs) == 1 or len(h - gs) == 1
                     # The heatmap's hidden groups inside (or outside) the ones the unit applies to, all met
                     # or none met, while this figure (or the rest) is neither: recomputable as 0% or 100%.
                     or _all_or_none(ph[inside], met, n) or _all_or_none(ph[~inside], met_total - met, n_total - n)})
    df = pd.DataFrame(rows).merge(fr.units[["code", "group_key", "unit_ord", "name_th", "name_en"]], on="code")
    k = f.min_cell
    n, rest = df["n"].astype("int64"), df["rest"].astype("int64")
    df["coverage"] = np.where(n > 0, df["met"] / n.where(n > 0, 1), np.nan)
    hidden = pd.Series(None, index=df.index, dtype="object")
    hidden[((rest > 0) & (rest < k)) | df["split"]] = HIDDEN_COMPLEMENTARY
    hidden[(n > 0) & (n < k)] = HIDDEN_SMALL
    hidden[n == 0] = HIDDEN_EMPTY
    df["hidden"] = hidden
    df["met"] = df["met"].astype("float64")
    df.loc[hidden.notna(), ["met", "coverage"]] = np.nan
    df = df.sort_values(["coverage", "unit_ord"], na_position="last", kind="stable")
    if top is not None:
        df = df[df["hidden"].isna()].head(top)
    return df[cols].reset_index(drop=True)


def _all_or_none(hidden_parts: pd.DataFrame, met: int, n: int) -> bool:
    """Whether hidden parts together are all met or none met while the figure over their set is neither."""
    hn, hm = int(hidden_parts["n"].sum()), int(hidden_parts["met"].sum())
    return hn > 0 and hm in (0, hn) and 0 < met < n


TRAINING_BY = ("group", "total")


def training_needs(con, filters: Filters | dict | None = None, stage: str = "Early", by: str = "group") -> pd.DataFrame:
    """How many staff need development in each unit their role profile requires at the stage (courses, budgets).

    Per unit required at `stage` by the profile of at least one selected respondent: required_n (respondents
    whose profile requires it), not_met_n (of them, level unknown or below t), not_assessed_n (level unknown),
    share_not_met. by="group" adds one row per staff group that has such respondents; by="total" gives the
    unit totals alone. Units are sorted by the total's not_met_n, largest first (hidden last, framework
    order breaks ties). Suppressed as the rest of the analysis: a group's cell is hidden wherever the
    coverage heatmap hides it, a total wherever the blocking-unit figure (the same count) is hidden, then
    small, complementary and 0%/100% protection within each unit. required_n stays visible (a head count).
    Columns: stage, by, key, code, group_key, unit_ord, name_th, name_en, group_name_th, group_name_en,
    required_n, not_met_n, not_assessed_n, share_not_met, is_total, hidden.
    """
    f = Filters.coerce(filters).with_(required_only=False)
    _check_stage(stage)
    if by not in TRAINING_BY:
        raise AnalysisError(f"มุมมอง {by!r} ไม่ถูกต้อง — ใช้ group หรือ total",
                            f"Unknown breakdown {by!r} — use group or total")
    fr = _frame(con)
    cols = ["stage", "by", "key", "code", "group_key", "unit_ord", "name_th", "name_en", "group_name_th",
            "group_name_en", "required_n", "not_met_n", "not_assessed_n", "share_not_met", "is_total", "hidden"]
    groups_of = {c: [g for g in STAFF_GROUPS if c in fr.required[(stage, g)]] for c in fr.codes}
    groups_of = {c: gs for c, gs in groups_of.items() if gs}
    if not groups_of or not has_store(con):
        return pd.DataFrame(columns=cols)
    counts = []
    for c, gs in groups_of.items():
        who = f"staff_group IN ({', '.join(_lit(g) for g in gs)})"
        col = _ident(c)
        counts.append(f"struct_pack(required_n := count(*) FILTER (WHERE {who}), "
                      f"not_met_n := count(*) FILTER (WHERE {who} AND ({col} IS NULL OR {col} < $t)), "
                      f"not_assessed_n := count(*) FILTER (WHERE {who} AND {col} IS NULL)) AS {col}")
    query = _render(sql.load("training_needs"), filtered=_filtered(), need_counts=", ".join(counts))
    df = _q(con, query, f.params())
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["key"] = np.where(df["is_total"], TOTAL_KEY, df["key"])
    for c in ("required_n", "not_met_n", "not_assessed_n"):
        df[c] = df[c].astype("int64")
    # What the other views already hide about the same counts (not_met_n = n - met on both).
    cov = coverage(con, f, stage, by="group")
    bl = blockers(con, f, stage, top=None)
    seen = pd.concat([cov.loc[~cov["is_total"], ["key", "code", "hidden"]],
                      bl[["code", "hidden"]].assign(key=TOTAL_KEY)], ignore_index=True)
    df = df.merge(seen.rename(columns={"hidden": "_seen"}), on=["key", "code"], how="left")
    df["share_not_met"] = df["not_met_n"] / df["required_n"]
    df = suppress(df, f.min_cell, ["not_met_n", "not_assessed_n", "share_not_met"], sets=["code"],
                  n="required_n", amounts=["not_met_n", "not_assessed_n"], already="_seen")
    df = df.merge(fr.units, on="code", how="left")
    rank = df[df["is_total"]].set_index("code")["not_met_n"]
    df["_rank"] = -df["code"].map(rank)
    df = _order_keys(df, "group")
    if by == "total":
        df = df[df["is_total"]]
    df["stage"], df["by"] = stage, by
    df = df.sort_values(["_rank", "unit_ord", "_key_ord"], na_position="last", kind="stable")
    return df[cols].reset_index(drop=True)


def survey_counts(con, filters: Filters | dict | None = None) -> dict:
    """Respondents, batches, agencies, org units, rounds and the batches' (most common) stage."""
    f = Filters.coerce(filters)
    if not has_store(con):
        return {"respondents": 0, "batches": 0, "agencies": 0, "org_units": 0, "rounds": 0,
                "stage": None, "n_stages": 0}
    r = _q(con, _render(sql.load("survey_counts"), filtered=_filtered()), f.params()).iloc[0]
    return {k: (None if pd.isna(v) else (v if isinstance(v, str) else int(v))) for k, v in r.items()}


def overview(con, filters: Filters | dict | None = None, stage: str | None = None) -> dict:
    """The executive's five-second view: counts, readiness now and at the next stage, stage reached, blockers.

    `stage` defaults to the (most common) stage of the selected batches, else Early. Figures over fewer
    than k respondents are None with `hidden` True.
    """
    f = Filters.coerce(filters)
    counts = survey_counts(con, f)
    current = stage or counts.get("stage") or "Early"
    _check_stage(current)
    nxt = NEXT_STAGE[current]
    out = {"counts": counts, "stage": current, "next_stage": nxt, "hidden": counts["respondents"] < f.min_cell,
           "readiness": None, "fully_ready": None, "readiness_next": None, "fully_ready_next": None,
           "stage_reached": None, "blockers": pd.DataFrame(), "blockers_all": pd.DataFrame(columns=["hidden"]),
           "by_stage": pd.DataFrame()}
    if counts["respondents"] == 0:
        return out
    ready = readiness(con, f, by="group")
    total = ready[ready["is_total"]].set_index("stage")
    out["by_stage"] = total.reset_index()
    if not out["hidden"]:
        out["readiness"] = float(total.loc[current, "readiness"])
        out["fully_ready"] = float(total.loc[current, "fully_ready"])
        if nxt:
            out["readiness_next"] = float(total.loc[nxt, "readiness"])
            out["fully_ready_next"] = float(total.loc[nxt, "fully_ready"])
        out["stage_reached"] = stage_reached(ready[ready["is_total"]], f.target)["stage_reached"].iloc[0]
    every = blockers(con, f, nxt or current, top=None)
    out["blockers_all"] = every          # hidden ones included: the page counts them
    out["blockers"] = every[every["hidden"].isna()].head(5).reset_index(drop=True)
    return out


def trends(con, filters: Filters | dict | None = None, stage: str = "Early", unit: str | None = None) -> dict:
    """Readiness at a stage and coverage of one unit per survey round and staff group (plus each round's total)."""
    f = Filters.coerce(filters)
    _check_stage(stage)
    fr = _frame(con)
    unit = unit or fr.codes[0]
    if unit not in fr.codes:
        raise AnalysisError(f"ไม่รู้จักหน่วยความสามารถ {unit!r}", f"Unknown unit of capability {unit!r}")
    ready = _finish_readiness(con, _readiness_raw(con, f, ["round", "group"]), f, "group")
    ready = ready[ready["stage"] == stage].rename(columns={"outer_key": "round"}).reset_index(drop=True)
    cov = _finish_coverage(con, _coverage_raw(con, f, stage, ["round", "group"]), f.with_(required_only=False),
                           stage, "group", sets=["code"])
    cov = cov[cov["code"] == unit].rename(columns={"outer_key": "round"}).reset_index(drop=True)
    rounds = sorted(r for r in ready["round"].unique())
    return {"rounds": rounds, "readiness": ready, "coverage": cov, "stage": stage, "unit": unit}


def units(con) -> pd.DataFrame:
    """Units in framework order with their capability group (labels for the charts)."""
    return _frame(con).units.copy()


def required_codes(con, stage: str, staff_group: str) -> tuple[str, ...]:
    """Unit codes the profile (stage, staff group) requires."""
    return _frame(con).required[(stage, staff_group)]
