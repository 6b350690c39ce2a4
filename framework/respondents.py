"""One respondent's self-assessment turned into an individual development plan (IDP): row-level, HR only.

Row-level personal data (PDPA): callers gate access with framework.access and never cache these results
across sessions. Unit column names come from the catalogue (trusted); every user value is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape

import duckdb
import pandas as pd

from framework import db, identity, print_css, targets
from framework.catalog import NEXT_STAGE, STAFF_GROUPS, STAGES, Catalog, next_stage  # noqa: F401 - NEXT_STAGE: the one map, shared
from framework.errors import BilingualError
from framework.handout import circular_ref
from framework.store.keys import AGENCY_KEY
from framework.survey import LEVELS
from framework.text import pick as _t

FIND_LIMIT = 50

# Status of one required unit for one person.
MET = "met"
DEVELOP = "develop"
NOT_ASSESSED = "not assessed"
NEXT = "next stage"  # scope of a unit the next stage adds
CURRENT = "current"  # scope of a next-stage unit already required now
STATUSES = (MET, DEVELOP, NOT_ASSESSED)
STATUS_LABELS = {
    MET: ("ผ่านเกณฑ์", "met"),
    DEVELOP: ("ต้องพัฒนา", "develop"),
    NOT_ASSESSED: ("ยังไม่ได้ประเมิน", "not assessed"),
    NEXT: ("เพิ่มในระยะถัดไป", "next stage"),
    CURRENT: ("ต้องมีอยู่แล้ว", "already required"),
}
UNIT_COLUMNS = [
    "code",
    "group_key",
    "group_name_th",
    "group_name_en",
    "name_th",
    "name_en",
    "level",
    "target",  # the level that counts as met: the agency's target for the unit (t = 0), else t
    "met",
    "status",
]


class RespondentError(BilingualError):
    """An unknown batch or respondent, or a bad plan setting (Thai and English)."""


def status_label(status: str, lang: str) -> str:
    th, en = STATUS_LABELS[status]
    return _t(lang, th, en)


def level_label(level, lang: str) -> str:
    """'3 · can do independently' for a level; a dash for not assessed."""
    if level is None or pd.isna(level):
        return "—"
    for n, th, en in LEVELS:
        if n == int(level):
            return f"{n} · {en if lang == 'en' else th}"
    return str(level)


def batches(con: duckdb.DuckDBPyConnection, scope: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Batches to pick a person from, newest round first (empty when the store has no survey tables); only
    those of the agencies in `scope` (framework.identity.row_scope; None = every agency)."""
    if not db.has_store(con):
        return pd.DataFrame(columns=["batch_id", "file_name", "agency", "stage", "round_date", "accepted", "is_demo"])
    df = db.query(
        con,
        "SELECT batch_id, file_name, agency, stage, round_date, accepted, is_demo FROM store.batches "
        "ORDER BY round_date DESC NULLS LAST, uploaded_at DESC, batch_id",
    )
    return df[[identity.within(scope, a) for a in df["agency"]]].reset_index(drop=True) if scope is not None else df


def find(
    con: duckdb.DuckDBPyConnection, batch_id: str | None = None, query: str = "", scope: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Respondents whose id contains `query` (literal, case-insensitive), at most FIND_LIMIT, with their batch;
    only people of the agencies in `scope` (framework.identity.row_scope; None = every agency)."""
    needle = (query or "").strip().casefold()
    return db.query(
        con,
        f"""
        SELECT r.batch_id, r.respondent_id, r.staff_group, r.agency, r.org_unit,
               b.agency AS batch_agency, b.stage AS batch_stage, b.round_date
        FROM store.responses r JOIN store.batches b USING (batch_id)
        WHERE ($batch IS NULL OR r.batch_id = $batch)
          AND ($needle = '' OR contains(lower(r.respondent_id), $needle))
          AND ($scope::VARCHAR[] IS NULL OR list_contains($scope::VARCHAR[], {AGENCY_KEY}))
        ORDER BY b.round_date DESC NULLS LAST, r.batch_id, r.respondent_id
        LIMIT {FIND_LIMIT}""",
        {"batch": batch_id, "needle": needle, "scope": None if scope is None else list(scope)},
    )


@dataclass
class Plan:
    """One person's units at a stage (and the next), with level, met and status, for an IDP."""

    batch_id: str
    respondent_id: str
    staff_group: str
    agency: str | None
    org_unit: str | None
    position: str | None
    round_date: dt.date | None
    batch_stage: str | None
    stage: str
    threshold: int
    persona_th: str
    persona_en: str
    units: pd.DataFrame = field(repr=False)  # UNIT_COLUMNS, framework order
    next_stage: str | None = None
    next_persona_th: str = ""
    next_persona_en: str = ""
    next_units: pd.DataFrame = field(default=None, repr=False)  # UNIT_COLUMNS + scope (CURRENT / NEXT)
    next_dropped: list[str] = field(default_factory=list)  # required now, no longer at the next stage

    def persona(self, lang: str) -> str:
        return self.persona_en if lang == "en" and self.persona_en else self.persona_th

    def next_persona(self, lang: str) -> str:
        return self.next_persona_en if lang == "en" and self.next_persona_en else self.next_persona_th

    def counts(self) -> dict:
        """required, met, develop, not_assessed at the stage."""
        s = self.units["status"]
        return {
            "required": len(s),
            "met": int((s == MET).sum()),
            "develop": int((s == DEVELOP).sum()),
            "not_assessed": int((s == NOT_ASSESSED).sum()),
        }

    @property
    def readiness(self) -> float | None:
        """Share of the required units met (not assessed = not met); None when the profile requires none."""
        return _share(self.units)

    @property
    def next_readiness(self) -> float | None:
        return None if self.next_units is None else _share(self.next_units)


def _share(units: pd.DataFrame) -> float | None:
    return float(units["met"].sum()) / len(units) if len(units) else None


def _check(stage: str, threshold) -> None:
    if stage not in STAGES:
        raise RespondentError(
            f"ไม่รู้จักระยะ \"{stage}\" — ใช้ {', '.join(STAGES)}", f"Unknown stage \"{stage}\" — use {', '.join(STAGES)}"
        )
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= 4:
        raise RespondentError(
            f"เกณฑ์ระดับ {threshold!r} ไม่ถูกต้อง — ใช้ 0 (ระดับเป้าหมายของหน่วยงาน) หรือจำนวนเต็ม 1 ถึง 4",
            f"Threshold {threshold!r} is invalid — use 0 (the agency's target levels) or a whole number from 1 to 4",
        )


def _units(catalog: Catalog, stage: str, staff_group: str, levels: dict, threshold: int, goals: dict) -> pd.DataFrame:
    """The profile's units with this person's level, the level that counts as met (`goals`: the agency's target
    levels in force at t = 0, {(stage, group, unit): level}; else t for every unit), met and status."""
    df = catalog.profile_units(stage, staff_group)
    lv = [levels.get(c) for c in df["code"]]
    df = df.assign(level=pd.array(lv, dtype="Int64"))
    df["target"] = [
        goals.get((stage, staff_group, c), targets.DEFAULT_LEVEL) if threshold == targets.TARGET else threshold
        for c in df["code"]
    ]
    df["met"] = (df["level"] >= df["target"]).fillna(False).astype(bool)
    df["status"] = [NOT_ASSESSED if pd.isna(v) else (MET if m else DEVELOP) for v, m in zip(df["level"], df["met"])]
    return df[UNIT_COLUMNS].reset_index(drop=True)


def plan(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    batch_id: str,
    respondent_id: str,
    stage: str,
    threshold: int = targets.TARGET,
    scope: tuple[str, ...] | None = None,
) -> Plan:
    """The person's plan at `stage` and a preview of the next stage; RespondentError when not found, or when
    the person's agency is outside `scope` (framework.identity.row_scope; None = every agency).
    threshold 0 (the default): each unit against the agency's target level for the person's round
    (framework/targets.py, as the survey views count it); 1-4: one level for every unit."""
    _check(stage, threshold)
    batch = db.query(con, "SELECT agency, stage, round_date FROM store.batches WHERE batch_id = ?", [batch_id])
    if batch.empty:
        raise RespondentError(
            f"ไม่พบชุดข้อมูล \"{batch_id}\" — อาจถูกลบไปแล้ว เลือกชุดข้อมูลใหม่จากรายการ",
            f"No batch \"{batch_id}\" - it may have been deleted; choose a batch from the list.",
        )
    codes = catalog.unit_codes()
    cols = ", ".join(db.ident(c) for c in codes)  # identifiers from the catalogue, never user text
    row = db.query(
        con,
        f"SELECT respondent_id, staff_group, agency, org_unit, position, {cols} FROM store.responses "
        "WHERE batch_id = ? AND respondent_id = ? LIMIT 1",
        [batch_id, respondent_id],
    )
    if row.empty:
        raise RespondentError(
            f"ไม่พบผู้ตอบรหัส \"{respondent_id}\" ในชุดข้อมูล {batch_id} — ตรวจรหัส (ตัวพิมพ์ใหญ่–เล็กมีผล) หรือค้นหาจากรายการ",
            f"No respondent \"{respondent_id}\" in batch {batch_id} - check the id (case matters) or search the list.",
        )
    r = row.iloc[0]
    if not identity.within(scope, _text(r["agency"]) or _text(batch.iloc[0]["agency"])):
        raise RespondentError(
            "ผู้ตอบคนนี้อยู่ในหน่วยงานนอกสิทธิ์ของบัญชีนี้ — เลือกผู้ตอบจากหน่วยงานของคุณ",
            "This respondent belongs to an agency outside this account's access — choose someone from your agencies.",
        )
    group = r["staff_group"]
    if group not in STAFF_GROUPS:
        raise RespondentError(
            f"กลุ่มบุคลากร \"{group}\" ของผู้ตอบไม่อยู่ในกรอบ", f"Staff group \"{group}\" is not in the framework"
        )
    levels = {c: (None if pd.isna(r[c]) else int(r[c])) for c in codes}
    prof = catalog.profile(stage, group)
    b = batch.iloc[0]
    rd = b["round_date"]
    agency = _text(r["agency"]) or _text(b["agency"])
    round_date = None if pd.isna(rd) else pd.Timestamp(rd).date()
    goals = targets.get(con, agency, round_date) if threshold == targets.TARGET else {}
    out = Plan(
        batch_id=batch_id,
        respondent_id=str(r["respondent_id"]),
        staff_group=group,
        agency=agency,
        org_unit=_text(r["org_unit"]),
        position=_text(r["position"]),
        round_date=round_date,
        batch_stage=_text(b["stage"]),
        stage=stage,
        threshold=threshold,
        persona_th=prof.persona_th,
        persona_en=prof.persona_en or "",
        units=_units(catalog, stage, group, levels, threshold, goals),
    )
    nxt = next_stage(stage)
    if nxt:
        nprof = catalog.profile(nxt, group)
        nu = _units(catalog, nxt, group, levels, threshold, goals)
        nu["scope"] = [CURRENT if c in set(out.units["code"]) else NEXT for c in nu["code"]]
        out.next_stage, out.next_persona_th, out.next_persona_en = nxt, nprof.persona_th, nprof.persona_en or ""
        out.next_units = nu
        out.next_dropped = [c for c in out.units["code"] if c not in set(nu["code"])]
    return out


def _text(v) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) or not str(v).strip() else str(v)


# --- the printable IDP ----------------------------------------------------------------------------------------

CSS = print_css.stylesheet(
    "10mm 11mm",
    screen="""
.confidential { float: right; font-size: 8pt; font-weight: 700; color: #8a1c1c; border: 1px solid #8a1c1c;
                padding: 0 4pt; border-radius: 3pt; }
h1 { font-size: 18pt; margin: 2pt 0; }
.persona { font-size: 11.5pt; color: #1f4e8c; font-weight: 700; margin: 2pt 0 0; }
dl.who { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 1pt 8pt; margin: 5pt 0; }
dl.who dt { color: #555; } dl.who dd { margin: 0; font-weight: 600; }
.figures { display: flex; gap: 6pt; margin: 6pt 0; }
.figures div { flex: 1; border: 1px solid #c9d4e5; border-radius: 4pt; padding: 3pt 5pt; text-align: center; }
.figures b { display: block; font-size: 15pt; color: #12335e; }
h2 { font-size: 12pt; margin: 10pt 0 3pt; }
p.note { font-size: 9pt; color: #444; margin: 2pt 0 4pt; }
table { font-size: 9.5pt; }
th { text-align: left; background: #eef2f8; border: 1px solid #c9d4e5; padding: 2pt 4pt; }
td { border: 1px solid #d9e0ea; padding: 2pt 4pt; vertical-align: top; }
td.level { white-space: nowrap; width: 1%; }
td.blank { width: 26%; }
.elements { margin: 1pt 0 0; font-size: 8.8pt; color: #333; }
.grp { color: #555; font-size: 8.5pt; }
p.ahead { font-size: 9pt; margin: 2pt 0; } p.ahead .code { font-weight: 700; color: #12335e; }
.signatures { display: flex; gap: 16mm; margin-top: 14pt; }
.signatures div { flex: 1; border-top: 1px solid #777; padding-top: 2pt; font-size: 9pt; text-align: center; }
footer { margin-top: 10pt; }
""",
    print_="""
  body { font-size: 9pt; }
  table { font-size: 8.4pt; }
  h2 { font-size: 10.5pt; margin: 6pt 0 2pt; }
  .figures { margin: 4pt 0; } .figures b { font-size: 13pt; }
  .grp { display: none; }
  body { line-height: 1.3; }
  .elements { font-size: 7.6pt; color: #444; }
  td.level { white-space: normal; width: 13%; }
  td.blank { width: 20%; }
  .signatures { margin-top: 10pt; }
""",
)


def _name(row, lang: str, field: str = "name") -> str:
    en, th = row.get(f"{field}_en"), row.get(f"{field}_th")
    return en if lang == "en" and isinstance(en, str) and en.strip() else (th or "")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


ONE_PAGE_UNITS = 8  # a profile of up to this many units prints on one A4 page, whatever the answers (tested)


def met_note(threshold: int, lang: str, *, marked: bool = True) -> str:
    """What "met" and "readiness" mean in a plan at this threshold (the printable IDP, /respondent, /assess).
    `marked`: the units whose target differs from the default show "≥ N" (the printable IDP)."""
    if threshold == targets.TARGET:
        d = targets.DEFAULT_LEVEL
        return _t(
            lang,
            f"ผ่านเกณฑ์ = ถึงระดับเป้าหมายของหน่วยงาน (0–4; ตั้งต้น {d}"
            + (" หน่วยที่กำหนดระดับอื่นแสดง ≥ N" if marked else "")
            + "); ความพร้อม = สัดส่วนหน่วยที่ผ่าน (ยังไม่ได้ประเมิน = ยังไม่ผ่าน)",
            f"Met = at or above the agency's target level (0-4; default {d}"
            + ("; another target shows ≥ N" if marked else "")
            + "); readiness = share of required units met (not assessed = not met).",
        )
    return _t(
        lang,
        f"ผ่านเกณฑ์ = ประเมินตนเองได้ระดับ {threshold} ขึ้นไป (จาก 0–4); ความพร้อม = สัดส่วนหน่วยที่ผ่านเกณฑ์ "
        "(หน่วยที่ยังไม่ได้ประเมินนับว่ายังไม่ผ่าน)",
        f"Met = self-assessed at level {threshold} or above (of 0-4); readiness = share of required units met "
        "(units not assessed count as not met).",
    )


def one_page(p: Plan) -> bool:
    """Does the printable IDP of this plan fit one A4 page (so a button may promise it)?"""
    return len(p.units) <= ONE_PAGE_UNITS


def idp_html(p: Plan, catalog: Catalog, lang: str = "th", today: dt.date | None = None) -> str:
    """The IDP as one standalone HTML page (inline CSS, A4 print rules, no scripts or external files)."""
    meta = catalog.meta()
    labels = {}
    for df in (catalog.stages(), catalog.staff_groups()):
        labels.update(zip(df["key"], df["name_en" if lang == "en" else "name_th"]))
    elements = catalog.elements()
    by_unit = {u: g for u, g in elements.groupby("unit_code", sort=False)}
    c = p.counts()
    e = escape
    stage_l, group_l = labels.get(p.stage, p.stage), labels.get(p.staff_group, p.staff_group)
    title = _t(lang, "แผนพัฒนารายบุคคล (IDP)", "Individual development plan (IDP)")

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)} · {e(p.respondent_id)}</title>",
        f"<style>{CSS}</style></head><body>",
        "<header>",
        f'<span class="confidential">{e(_t(lang, "ข้อมูลส่วนบุคคล — ลับ", "Personal data — confidential"))}</span>',
        f'<div class="framework">{e(_t(lang, meta["title_th"], meta["title_en"]))}</div>',
        f"<h1>{e(title)}</h1>",
        f'<p class="persona">{e(stage_l)} · {e(group_l)} — {e(p.persona(lang))}</p>',
        "</header>",
        '<dl class="who">',
    ]
    who = [
        (_t(lang, "รหัสผู้ตอบ", "Respondent id"), p.respondent_id),
        (_t(lang, "ชื่อ–สกุล", "Name"), ""),
        (_t(lang, "หน่วยงาน", "Agency"), p.agency or "—"),
        (_t(lang, "หน่วยงานย่อย", "Org unit"), p.org_unit or "—"),
        (_t(lang, "ตำแหน่ง", "Position"), p.position or "—"),
        (_t(lang, "รอบสำรวจ", "Survey round"), p.round_date.isoformat() if p.round_date else "—"),
        (_t(lang, "ระยะของหน่วยงาน", "Agency stage"), stage_l),
        (_t(lang, "กลุ่มบุคลากร", "Staff group"), group_l),
    ]
    parts += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in who]
    parts.append("</dl>")
    figures = [
        (_t(lang, "หน่วยที่ต้องมี", "Required units"), str(c["required"])),
        (_t(lang, "ผ่านเกณฑ์", "Met"), str(c["met"])),
        (_t(lang, "ต้องพัฒนา", "To develop"), str(c["develop"] + c["not_assessed"])),  # as on screen
        (_t(lang, "ในนั้น ยังไม่ได้ประเมิน", "of which not assessed"), str(c["not_assessed"])),
        (_t(lang, "ความพร้อม", "Readiness"), _pct(p.readiness)),
    ]
    parts.append('<div class="figures">' + "".join(f"<div><b>{e(v)}</b>{e(k)}</div>" for k, v in figures) + "</div>")
    marked = bool((p.units["target"] != targets.DEFAULT_LEVEL).any())  # "≥ N" explained only where shown
    parts.append(f'<p class="note">{e(met_note(p.threshold, lang, marked=marked))}</p>')

    actions = (
        f'<th>{e(_t(lang, "กิจกรรมการพัฒนา", "Development actions"))}</th>'
        f'<th>{e(_t(lang, "วันที่เป้าหมาย", "Target date"))}</th>'
    )

    def unit_rows(df: pd.DataFrame, with_elements: bool, blank: bool) -> str:
        rows = []
        for _, u in df.iterrows():
            cell = f'{e(_name(u, lang))}<div class="grp">{e(str(u["group_key"]))} · {e(_name(u, lang, "group_name"))}</div>'
            if with_elements and u["code"] in by_unit:
                cell += (
                    '<div class="elements">'
                    + " · ".join(
                        f"<span>{e(el['code'])} {e(_name(el, lang))}</span>" for _, el in by_unit[u["code"]].iterrows()
                    )
                    + "</div>"
                )
            level = status_label(NOT_ASSESSED, lang) if u["status"] == NOT_ASSESSED else level_label(u["level"], lang)
            if p.threshold == targets.TARGET and u["target"] != targets.DEFAULT_LEVEL:  # a target HR set
                level += f" (≥ {u['target']})"
            rows.append(
                f'<tr><td class="code">{e(u["code"])}</td><td>{cell}</td>'
                f'<td class="level">{e(level)}</td>'
                + ('<td class="blank"></td><td class="blank" style="width:11%"></td>' if blank else "")
                + "</tr>"
            )
        return "".join(rows)

    head = (
        f'<tr><th>{e(_t(lang, "รหัส", "Code"))}</th><th>{e(_t(lang, "หน่วยความสามารถ", "Unit of capability"))}</th>'
        f'<th>{e(_t(lang, "ระดับที่ประเมิน", "Self-assessed level"))}</th>'
    )
    # Units to develop, those not assessed among them (as on screen: a unit not assessed is not met), with their
    # elements and the blank action columns for the supervisor; then the units already met (the table alone).
    todo = p.units[p.units["status"] != MET]
    met = p.units[p.units["status"] == MET]
    for rows, (h_th, h_en), (none_th, none_en), note, plan in (
        (
            todo,
            ("หน่วยที่ควรพัฒนาก่อน", "Units to develop first"),
            ("ไม่มี — ทุกหน่วยผ่านเกณฑ์", "None — every unit is met."),
            (
                (
                    "เรียงตามลำดับในกรอบทักษะ ใต้ชื่อหน่วยคือความสามารถย่อยที่ควรเรียนรู้ หน่วยที่ยังไม่ได้ประเมินอยู่ในรายการนี้ด้วย "
                    "(ควรประเมินตนเองก่อนวางแผน)"
                ),
                (
                    "In framework order; under each unit, the elements to learn. Units not assessed are listed here "
                    "too (self-assess them before planning)."
                ),
            ),
            True,
        ),
        (met, ("หน่วยที่ผ่านเกณฑ์แล้ว", "Units already met"), ("ยังไม่มี", "None yet."), None, False),
    ):
        parts.append(f"<h2>{e(_t(lang, h_th, h_en))} ({len(rows)})</h2>")
        if rows.empty:
            parts.append(f'<p class="note">{e(_t(lang, none_th, none_en))}</p>')
            continue
        if note:
            parts.append(f'<p class="note">{e(_t(lang, *note))}</p>')
        parts.append(f"<table>{head}{actions if plan else ''}</tr>{unit_rows(rows, plan, plan)}</table>")

    if p.next_stage and p.next_units is not None:
        added = p.next_units[p.next_units["scope"] == NEXT]
        nl = labels.get(p.next_stage, p.next_stage)
        parts.append(f"<h2>{e(_t(lang, 'เตรียมพร้อมสำหรับระยะถัดไป', 'Looking ahead: the next stage'))} · {e(nl)}</h2>")
        parts.append(
            f'<p class="note">{e(p.next_persona(lang))} — '
            f'{e(_t(lang, "ความพร้อม", "readiness"))} {e(_pct(p.next_readiness))}; '
            f'{e(_t(lang, "หน่วยที่เพิ่มขึ้น", "units added"))} {len(added)}</p>'
        )
        if not added.empty:  # one compact list: the plan stays one A4 page
            parts.append(
                '<p class="ahead">'
                + " · ".join(
                    f'<span class="code">{e(u["code"])}</span> {e(_name(u, lang))}' for _, u in added.iterrows()
                )
                + "</p>"
            )

    parts.append(
        '<div class="signatures">'
        f'<div>{e(_t(lang, "ผู้รับการพัฒนา / วันที่", "Staff member / date"))}</div>'
        f'<div>{e(_t(lang, "ผู้บังคับบัญชา / วันที่", "Supervisor / date"))}</div></div>'
    )
    parts.append(
        f"<footer>{e(_t(lang, 'ที่มา: สำนักงาน ก.พ. หนังสือ', 'Source: OCSC circular '))}"
        f"{e(circular_ref(meta['circular'], lang))} · {e(_t(lang, 'ชุดข้อมูล', 'batch'))} {e(p.batch_id)} · "
        f"{e(_t(lang, 'จัดทำเมื่อ', 'prepared'))} {(today or dt.date.today()).isoformat()} · "
        f"{e(_t(lang, 'ข้อมูลส่วนบุคคลตาม พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล ใช้เพื่อการพัฒนาบุคลากรเท่านั้น', 'Personal data (PDPA): for staff development only.'))}"
        "</footer></body></html>"
    )
    return "\n".join(parts)
