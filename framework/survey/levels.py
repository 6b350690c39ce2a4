"""SQL for one cell: a level read from text (plain digits, Thai digits, "3 - label", a level's label alone),
and a unit's level from its unit and element cells. Fragments made from catalogue codes and fixed text only."""

from __future__ import annotations

import re

from framework.catalog import Catalog
from framework.db import literal
from framework.survey.base import LEVELS, THAI_DIGITS, Notice


def clean(col: str) -> str:
    """SQL: a cell trimmed, Thai digits made Arabic, blank -> NULL."""
    return f"nullif(trim(translate({col}, '{THAI_DIGITS}', '0123456789')), '')"


FAST = "('0', '1', '2', '3', '4')"
# "3 - ทำได้ด้วยตนเอง", "3 (Can do independently)", "3. ...": a form's labelled choice; the digit is the level.
LABELLED = r"^([0-9])(?:\s*[-–:.)=/]\s*|\s+)[^0-9\s.,].*$"


def _label_key(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


# Level labels alone (Thai, English), in the order th0, en0, th1, en1 ...: position // 2 is the level.
LABEL_LIST = "[" + ", ".join(literal(_label_key(t)) for _, th, en in LEVELS for t in (th, en)) + "]"


def level_number(col: str) -> str:
    """SQL: the cell as a number (DOUBLE): a plain number, a labelled choice ("3 - ทำได้ด้วยตนเอง") or a level's
    Thai/English label alone ("ทำได้ด้วยตนเอง", "Can do independently"); NULL when none of these.
    The cleaned cell is bound once through a lambda: repeating it makes DuckDB's planning slow on 39 columns."""
    return (
        f"list_transform([{clean(col)}], lambda x: coalesce(TRY_CAST(x AS DOUBLE), "
        f"TRY_CAST(regexp_extract(x, '{LABELLED}', 1) AS DOUBLE), "
        f"(list_position({LABEL_LIST}, lower(regexp_replace(x, '\\s+', '', 'g'))) - 1) // 2))[1]"
    )


def level_ok(col: str) -> str:
    """SQL: TRUE when the cell is blank or a level 0-4 (the plain case is tested first: it is fast)."""
    c = clean(col)
    return (
        f"({col} IS NULL OR {col} IN {FAST} OR {c} IS NULL OR coalesce({level_number(col)} IN (0, 1, 2, 3, 4), false))"
    )


def level(col: str) -> str:
    """SQL: the level as UTINYINT (NULL when blank or invalid). The slow parse appears once, so DuckDB does not
    hoist it out of the CASE and run it on every plain cell."""
    return (
        f"CASE WHEN {col} IN {FAST} THEN CAST({col} AS UTINYINT) WHEN {col} IS NULL THEN NULL "
        f"ELSE CAST(list_position([0, 1, 2, 3, 4]::DOUBLE[], {level_number(col)}) - 1 AS UTINYINT) END"
    )


def unit_expressions(available: dict[str, str], catalog: Catalog) -> tuple[dict[str, str], list[Notice]]:
    """SQL per unit code from the level expressions at hand: the unit cell if non-blank, else the minimum of
    its elements when every element is present and assessed, else NULL (not assessed)."""
    by_unit: dict[str, list[str]] = {}
    for el, unit in catalog.element_units().items():
        by_unit.setdefault(unit, []).append(el)
    out, notes = {}, []
    for unit in catalog.unit_codes():
        els = by_unit.get(unit, [])
        have = [e for e in els if e in available]
        el_expr = None
        if have and len(have) == len(els):
            conds = " AND ".join(f"{available[e]} IS NOT NULL" for e in els)
            el_expr = f"CASE WHEN {conds} THEN least({', '.join(available[e] for e in els)}) END"
        elif have:
            missing = [e for e in els if e not in available]
            notes.append(
                Notice(
                    "warning",
                    unit,
                    f"หน่วย {unit}: ไฟล์มีคอลัมน์ความสามารถย่อยไม่ครบ (ขาด {', '.join(missing)}) จึงถือว่าหน่วยนี้ไม่ได้ประเมิน "
                    "เว้นแต่มีคอลัมน์ของหน่วยเอง",
                    f"Unit {unit}: the file has only some of its element columns (missing {', '.join(missing)}), so "
                    "the unit counts as not assessed unless its own unit column has a value.",
                )
            )
        if unit in available and el_expr:
            out[unit] = f"coalesce({available[unit]}, {el_expr})"
        elif unit in available:
            out[unit] = available[unit]
        elif el_expr:
            out[unit] = el_expr
        else:
            out[unit] = "CAST(NULL AS UTINYINT)"
    return out, notes


def group_fix() -> tuple[str, str]:
    return (
        (
            "ใช้ชื่อกลุ่มบุคลากรที่รองรับ เช่น ผู้บริหารระดับสูง, ผู้บริหารกอง, ผู้ทำงานด้านนโยบายและวิชาการ, "
            "ผู้ทำงานด้านบริการ, ผู้ปฏิบัติงานด้านเทคโนโลยี, ผู้ปฏิบัติงานอื่น (หรือ Executive, Management, Academic, "
            "Service, Technologist, Others)"
        ),
        (
            "use an accepted staff-group name: Executive, Management, Academic, Service, Technologist, Others "
            "(or the Thai names, e.g. ผู้บริหารระดับสูง)"
        ),
    )


LEVEL_FIX = ("ใส่เลขจำนวนเต็ม 0–4 หรือเว้นว่างถ้าไม่ได้ประเมิน", "enter a whole number 0-4, or leave blank if not assessed")
