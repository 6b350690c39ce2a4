"""Header mapping: find the header line (after "#" legend lines and Excel's "sep=" hint), sniff the delimiter,
and map each header cell to a fixed column (respondent_id, group, ...) or a unit/element code (`plan_columns`).
The header is read with bounded memory: a header line or a column count beyond `limits` is refused."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from framework.catalog import Catalog, normalise_label
from framework.survey.base import Layout, SurveyFileError
from framework.survey.limits import MAX_COLUMNS, MAX_HEADER_BYTES, mb

# Column names accepted for the fixed columns (normalised with catalog.normalise_label).
KEY_ALIASES = {
    "respondent_id": ("respondent_id", "respondentid", "respondent", "id", "รหัสผู้ตอบ", "รหัสผู้ตอบแบบสำรวจ", "ผู้ตอบ"),
    "group": ("group", "staff_group", "staffgroup", "กลุ่มบุคลากร", "กลุ่ม"),
    "agency": ("agency", "หน่วยงาน", "ส่วนราชการ"),
    "unit": ("unit", "org_unit", "orgunit", "สังกัด", "หน่วยงานย่อย", "กอง"),
    "position": ("position", "ตำแหน่ง"),
    "code": ("code", "unit_code", "รหัส", "รหัสหน่วยความสามารถ"),
    "level": ("level", "ระดับ"),
}
CODE_LIKE = re.compile(r"^(dlit|dtr|dg|dt|ds|spm|dl)\s*[-_]?\s*(\d{3})$", re.IGNORECASE)
# A code inside a longer header: Google Forms grid columns ("ประเมินตนเอง [DLit100]") or "DLit100 การ...".
CODE_IN_BRACKETS = re.compile(r"\[\s*([^\[\]]+?)\s*\]\s*$")
CODE_LEADING = re.compile(r"^\s*((?:dlit|dtr|dg|dt|ds|spm|dl)\s*[-_]?\s*\d{3})(?![0-9])", re.IGNORECASE)


def _too_wide(th: str, en: str) -> SurveyFileError:
    return SurveyFileError(
        f"{th} ซึ่งไม่ใช่แบบสำรวจ (แบบสำรวจมีได้ไม่เกิน {MAX_COLUMNS} คอลัมน์: รหัสหน่วยความสามารถ 39 รหัส ความสามารถย่อย "
        "และคอลัมน์ข้อมูลผู้ตอบ) — ตรวจว่าเลือกไฟล์ถูก ลบคอลัมน์ที่ไม่ใช้ หรือดาวน์โหลดแม่แบบจากหน้านำเข้า "
        "ไม่มีข้อมูลใดถูกบันทึก",
        f"{en}, which cannot be a survey (a survey has at most {MAX_COLUMNS} columns: the 39 unit codes, their "
        "elements and the respondent columns) - check that this is the right file, delete the columns not used, "
        "or download the template from the upload page. Nothing was stored.",
    )


def _header_lines(path: Path):
    """The file's first lines, each read with a bounded size; a longer one is refused (never read whole)."""
    with open(path, "r", encoding="utf-8-sig", newline="") as f:
        n = 0
        while True:
            line = f.readline(MAX_HEADER_BYTES + 1)
            if not line:
                return
            n += 1
            if len(line.rstrip("\r\n").encode("utf-8")) > MAX_HEADER_BYTES:
                raise _too_wide(
                    f"บรรทัดที่ {n:,} (หัวตาราง) ยาวเกิน {mb(MAX_HEADER_BYTES)}",
                    f"Line {n:,} (the header) is longer than {mb(MAX_HEADER_BYTES)}",
                )
            yield line.rstrip("\r\n")


def read_header(path: Path) -> tuple[str, list[str], int]:
    """The delimiter (comma, semicolon or tab: whichever splits the header into most cells), the header cells
    and how many leading comment lines ("# ...", like the template's level legend) precede the header."""
    skip = 0
    forced = None
    first = ""
    for raw in _header_lines(path):
        line = raw.strip().lstrip("\ufeff")
        m = re.fullmatch(r"sep=([,;\t|])", line, re.IGNORECASE)  # Excel's delimiter hint line
        if m and forced is None:
            forced = m.group(1)
        elif not line.startswith("#"):
            first = raw
            break
        skip += 1
    if not first.strip():
        raise SurveyFileError(
            "ไม่พบหัวตารางในบรรทัดแรก (respondent_id, group, ...) ไม่มีข้อมูลใดถูกบันทึก",
            "No header found on the first line (respondent_id, group, ...). Nothing was stored.",
        )
    best, cells = ",", [first]
    for delim in (forced,) if forced else (",", ";", "\t"):
        if first.count(delim) >= MAX_COLUMNS:  # refused before the csv module splits it
            raise _too_wide(
                f"หัวตารางมี {first.count(delim) + 1:,} คอลัมน์", f"The header has {first.count(delim) + 1:,} columns"
            )
        row = next(csv.reader(io.StringIO(first), delimiter=delim, quotechar='"'), [""])
        if len(row) > len(cells):
            best, cells = delim, row
    return best, [c.strip().lstrip("\ufeff").strip() for c in cells], skip


def code_candidates(text: str) -> list[str]:
    """The text itself, a code in trailing [brackets] (Google Forms grid) and a leading code ("DLit100 ...")."""
    out = [text]
    m = CODE_IN_BRACKETS.search(text)
    if m:
        out.append(m.group(1))
    for cand in list(out):
        m = CODE_LEADING.match(cand)
        if m:
            out.append(m.group(1))
    return out


def resolve_code(text: str, lookup: dict[str, str]) -> str | None:
    """The framework code a header or cell names (case-, space-, dash-insensitive), else None."""
    for cand in code_candidates(str(text)):
        code = lookup.get(re.sub(r"[\s_\-]+", "", cand).casefold())
        if code:
            return code
    return None


def plan_columns(header: list[str], delimiter: str, catalog: Catalog, skip: int = 0) -> Layout:
    """Map header cells to fixed columns and unit/element codes; refuse files without the required columns.

    When several columns could be a fixed column, the most specific name wins (an MS Forms "ID" column loses
    to "respondent_id"); the others are ignored and listed.
    """
    aliases = {normalise_label(a): (key, rank) for key, names in KEY_ALIASES.items() for rank, a in enumerate(names)}
    lookup = {c.casefold(): c for c in catalog.element_units()}
    lookup.update({c.casefold(): c for c in catalog.unit_codes()})
    keys: dict[str, int] = {}
    ranks: dict[str, int] = {}
    codes: dict[int, str] = {}
    unknown: dict[int, str] = {}
    ignored: dict[int, str] = {}
    seen_codes: dict[str, int] = {}
    for i, name in enumerate(header):
        key, rank = aliases.get(normalise_label(name), (None, 0))
        code = resolve_code(name, lookup)
        if code:
            if code in seen_codes:
                raise SurveyFileError(
                    f"คอลัมน์ {code} ซ้ำกัน (คอลัมน์ที่ {seen_codes[code] + 1} และ {i + 1}) — ลบคอลัมน์ที่ซ้ำแล้วอัปโหลดใหม่ "
                    "ไม่มีข้อมูลใดถูกบันทึก",
                    f"Column {code} appears twice (columns {seen_codes[code] + 1} and {i + 1}) - remove one and "
                    "upload again. Nothing was stored.",
                )
            seen_codes[code] = i
            codes[i] = code
        elif key is not None and (key not in keys or rank < ranks[key]):
            if key in keys:
                ignored[keys[key]] = header[keys[key]]
            keys[key], ranks[key] = i, rank
        elif key is None and any(CODE_LIKE.match(c.strip()) for c in code_candidates(name)):
            unknown[i] = name
        else:
            ignored[i] = name
    ignored = dict(sorted(ignored.items()))
    is_long = "code" in keys and "level" in keys and not codes
    missing = [k for k in ("respondent_id", "group") if k not in keys]
    if missing or (not codes and not is_long):
        shown = ", ".join(h or "(ว่าง)" for h in header[:12]) + (" …" if len(header) > 12 else "")
        shown_en = ", ".join(h or "(blank)" for h in header[:12]) + (" ..." if len(header) > 12 else "")
        raise SurveyFileError(
            "ไฟล์นี้ไม่ใช่แบบสำรวจตามรูปแบบ: ต้องมีคอลัมน์ respondent_id และ group และคอลัมน์รหัสหน่วยความสามารถ "
            "(เช่น DLit100) หรือคอลัมน์ code กับ level — แก้หัวคอลัมน์ในบรรทัดแรก หรือดาวน์โหลดแม่แบบจากหน้านำเข้า "
            "ไม่มีข้อมูลใดถูกบันทึก" + (f" (ไม่พบ: {', '.join(missing)})" if missing else "") + f" หัวตารางในไฟล์: {shown}",
            "This file is not a survey in the expected format: it needs the columns respondent_id and group plus "
            "unit-code columns (e.g. DLit100), or code and level columns - rename the columns on the first line, or "
            "download the template from the upload page. Nothing was stored."
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + f" The file's header: {shown_en}",
        )
    return Layout("long" if is_long else "wide", delimiter, header, keys, skip, codes, unknown, ignored)
