"""The pieces every layout's checks share: the result of a check (Checked), the respondent-id and cell-size checks,
the bounded display of a bad value. validate.py (the wide layout) and long_checks.py (the long layout) use them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from framework.db import literal
from framework.survey.base import Decoded, Layout, Notice
from framework.survey.limits import MAX_CELL_CHARS

PROBLEM_COLUMNS = ["row", "column", "value", "reason_th", "reason_en", "fix_th", "fix_en"]


def sheet_notice(dec: Decoded) -> Notice:
    """Which worksheet of a workbook was read, and which were not (only the first is)."""
    th = f"อ่านแผ่นงานแรก \"{dec.sheet}\" ของสมุดงาน Excel"
    en = f"Read the first worksheet \"{dec.sheet}\" of the Excel workbook"
    if dec.other_sheets:
        names = ", ".join(dec.other_sheets)
        th += f" (ไม่ได้อ่านแผ่นงานอื่น: {names})"
        en += f" (other sheets not read: {names})"
    return Notice("info", None, th, en + ".")


@dataclass
class Checked:
    """Result of validating one file inside a DuckDB cursor: staging table of accepted rows + the problems."""

    layout: Layout
    rows_read: int
    accepted: int
    rejected: int
    respondents: int  # accepted respondents (= accepted rows in wide format)
    problems: pd.DataFrame  # PROBLEM_COLUMNS
    rejected_rows: pd.DataFrame
    notices: list[Notice]
    staging: str  # temp table or view with RESPONSE columns except batch_id
    problems_truncated: bool = False
    blank_rows: int = 0  # rows with every cell empty and empty lines: skipped, counted, reported
    example_rows: int = 0  # the templates' example row (respondent id EXAMPLE_ID): ignored, counted, reported


FIELD_COUNT = ("MISSING COLUMNS", "TOO MANY COLUMNS")
BARE = "[\\s,;\\t\"']*"  # a line of bare delimiters (and quotes): nothing in it


def ID_CHECK(label: str) -> tuple:
    """The problem check of an id with a control or format character (framework.names.id_problem)."""
    return (
        "rid_en IS NOT NULL",
        label,
        "rid",
        "rid_th",
        "rid_en",
        (
            "พิมพ์รหัสผู้ตอบใหม่ให้มีแต่ตัวอักษรและตัวเลขที่มองเห็น",
            ("type the respondent id again with visible letters and digits only"),
        ),
    )


class Raw(str):
    """A problem's column label that is already SQL (computed per row), not a name to quote."""


def shown(value: str, width: int = 1000, over: int | None = None) -> str:
    """SQL: a cell as shown in a problem list or a rejected-row download: one longer than `over` (default
    `width`) characters is cut to `width` and marked with …, so a huge cell never fills memory twice."""
    return f"CASE WHEN length({value}) > {over or width} THEN left({value}, {width}) || '…' ELSE {value} END"


def oversize(alias: str, n: int) -> str:
    """SQL: the 1-based position of the first of a row's n cells longer than MAX_CELL_CHARS, else NULL
    (byte lengths first: cheap, and never shorter than the character count)."""
    cols = [f"{alias}.c{i}" for i in range(n)]
    fast = "greatest(" + ", ".join(f"strlen(coalesce({c}, ''))" for c in cols) + f") > {MAX_CELL_CHARS}"
    pos = "list_position([" + ", ".join(f"coalesce(length({c}) > {MAX_CELL_CHARS}, false)" for c in cols) + "], true)"
    return f"CASE WHEN {fast} THEN nullif({pos}, 0) END"


def size_check(layout: Layout) -> tuple:
    """The problem check for a cell over MAX_CELL_CHARS (its column, its start, its length, the limit)."""
    names = "[" + ", ".join(literal(h or f"column{i + 1}") for i, h in enumerate(layout.header)) + "]"
    cell = "[" + ", ".join(f"c{i}" for i in range(len(layout.header))) + "][big]"
    size = f"format('{{:,}}', length({cell}))"
    return (
        "big IS NOT NULL",
        Raw(f"{names}[big]"),
        f"left({cell}, 60) || '…'",
        f"'ช่องนี้ยาว ' || {size} || ' ตัวอักษร เกินขีดจำกัด {MAX_CELL_CHARS:,} ตัวอักษร (เท่าที่ Excel เก็บได้)'",
        f"'cell of ' || {size} || ' characters, over the limit of {MAX_CELL_CHARS:,} (Excel''s own limit)'",
        ("ตัดข้อความในช่องนี้ให้สั้นลง หรือลบคอลัมน์นี้ถ้าไม่ได้ใช้", ("shorten this cell, or delete the column if it is not needed")),
    )
