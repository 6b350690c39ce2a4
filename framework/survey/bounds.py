"""Bounds on an Excel workbook, checked before openpyxl opens it (an "Excel bomb" must be refused in seconds
with bounded memory, not expanded): the zip directory (members, decompressed size, compression ratio), then the
first worksheet's XML and the shared strings streamed and scanned by regex, never parsed or held whole (rows and
columns of the cells really present, the bytes of any one cell, the bytes really decompressed). No DOCTYPE is
accepted (no entity expansion).
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from framework.survey.base import SurveyFileError
from framework.survey.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_PART_BYTES,
    MAX_SHARED_BYTES,
    MAX_UNZIPPED_BYTES,
    MAX_XLSX_ROWS,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    mb,
)


def damaged_workbook(detail: str) -> SurveyFileError:
    return SurveyFileError(
        "เปิดสมุดงาน Excel (.xlsx) นี้ไม่ได้: ไฟล์เสียหาย ไม่ครบ หรือมีรหัสผ่าน — เปิดไฟล์ใน Excel แล้ว \"บันทึกเป็น\" "
        f"สมุดงาน Excel (.xlsx) หรือ CSV UTF-8 ใหม่ แล้วอัปโหลดอีกครั้ง ไม่มีข้อมูลใดถูกบันทึก ({detail})",
        "This Excel workbook (.xlsx) cannot be opened: the file is damaged, incomplete or password-protected - open "
        "it in Excel, \"Save As\" Excel Workbook (.xlsx) or CSV UTF-8 again, and upload that. Nothing was stored. "
        f"({detail})",
    )


def too_large(th: str, en: str) -> SurveyFileError:
    """A workbook beyond a bound: what is too large, and what to do."""
    return SurveyFileError(
        f"สมุดงาน Excel นี้ใหญ่เกินกว่าจะเป็นแบบสำรวจ: {th} — ลบแถว คอลัมน์ หรือแผ่นงานที่ไม่ใช่แบบสำรวจ "
        "หรือบันทึกแผ่นงานแบบสำรวจเป็น CSV UTF-8 แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
        f"This Excel workbook is larger than a survey can be: {en} - delete the rows, columns or sheets that are "
        "not the survey, or save the survey sheet as CSV UTF-8, and upload again. Nothing was stored.",
    )


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def first_sheet_part(z: zipfile.ZipFile) -> str | None:
    """The zip member of the first worksheet (workbook order, chart sheets skipped), as openpyxl picks it."""
    try:
        names = set(z.namelist())
        if "xl/_rels/workbook.xml.rels" not in names:
            return None
        rels = {r.get("Id"): r for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        for sheet in ET.fromstring(z.read("xl/workbook.xml")).iter():
            if not sheet.tag.endswith("}sheet"):
                continue
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            rel = rels.get(rid)
            if rel is None or not rel.get("Type", "").endswith("/worksheet"):
                continue
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    except (ET.ParseError, KeyError, ValueError):
        return None
    return None


def check_bounds(path: str | Path) -> None:
    """Refuse a workbook that could not be a survey before anything expands it (see the module docstring)."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise too_large(
                    f"มีส่วนประกอบ {len(infos):,} ส่วน (เกิน {MAX_ZIP_MEMBERS:,})",
                    f"it has {len(infos):,} parts (more than {MAX_ZIP_MEMBERS:,})",
                )
            total = sum(i.file_size for i in infos)
            if total > MAX_UNZIPPED_BYTES:
                raise too_large(
                    f"เมื่อคลายการบีบอัดมีขนาด {mb(total)} (เกิน {mb(MAX_UNZIPPED_BYTES)})",
                    f"it expands to {mb(total)} (more than {mb(MAX_UNZIPPED_BYTES)})",
                )
            for i in infos:
                name = i.filename.lower()
                limit = (
                    None
                    if name.startswith("xl/worksheets/") or not name.endswith((".xml", ".rels"))
                    else MAX_SHARED_BYTES
                    if name.endswith("sharedstrings.xml")
                    else MAX_PART_BYTES
                )
                if limit is not None and i.file_size > limit:  # parts openpyxl reads whole into memory
                    raise too_large(
                        f"ส่วน {i.filename} มีขนาด {mb(i.file_size)} (เกิน {mb(limit)})",
                        f"its part {i.filename} is {mb(i.file_size)} (more than {mb(limit)})",
                    )
                if i.file_size > 1 << 20 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
                    raise too_large(
                        f"ส่วน {i.filename} ถูกบีบอัดเกิน {MAX_ZIP_RATIO} เท่า (ไฟล์ระเบิด)",
                        f"its part {i.filename} is compressed more than {MAX_ZIP_RATIO} times (a zip bomb)",
                    )
            names = z.namelist()
            sheet = first_sheet_part(z)
            sheets = (
                [sheet]
                if sheet in names
                else [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            )
            budget = [MAX_UNZIPPED_BYTES]
            for name in sheets + [n for n in names if n.lower().endswith("sharedstrings.xml")]:
                _scan(z, name, budget)
    except SurveyFileError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:  # RuntimeError: an encrypted zip member
        raise damaged_workbook(type(exc).__name__) from None


# Tags are found by regex on the raw bytes, a few C-speed passes per 1 MB chunk; nothing is parsed into objects.
# Element names without a namespace prefix (what Excel, LibreOffice and openpyxl write) are searched for with
# literal-led patterns (fast); a chunk where a prefixed name ("x:c") may occur is searched with the general ones.
def _patterns(ns: bytes) -> dict[str, re.Pattern]:
    return {
        "start": re.compile(ns + rb"(?:row|c|si)[\s/>]"),  # a row, a cell or a shared string begins
        "row": re.compile(ns + rb"row[\s/>]"),
        "cell": re.compile(ns + rb"c[\s/>]"),
        "row_ref": re.compile(ns + rb"row\s[^>]*?\br=[\"'](\d+)"),
        "cell_ref": re.compile(ns + rb"c\s[^>]*?\br=[\"']([A-Za-z]{1,3})(\d+)"),
        "data": re.compile(ns + rb"(sheetData|sst)[\s>]|</" + ns[1:] + rb"(?:sheetData|sst)>"),
    }


PLAIN = _patterns(b"<")
PREFIXED = _patterns(rb"<(?:[A-Za-z_][\w.\-]*:)?")
PREFIXED_TAG = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:row|c|si|sheetData|sst)[\s/>]")


def _count(buf: bytes, pats: dict[str, re.Pattern], name: str) -> int:
    """How many <row> / <c> tags start in buf (bytes.count for plain names: many times faster than a regex)."""
    if pats is PLAIN:
        return sum(buf.count(b"<" + name.encode() + end) for end in (b" ", b">", b"/", b"\t", b"\r", b"\n"))
    return len(pats[name].findall(buf))


CELL_XML_BYTES = 4 * MAX_CELL_CHARS + 4096  # the XML of one cell: its text (<= 4 bytes a character) + markup
CARRY = 64 << 10  # an unfinished tag carried over to the next chunk


class _Scan:
    """Bounds of one streamed XML part: the highest row and column of the cells present (rows or cells without
    r= continue the count) and the bytes from one row/cell/string start to the next inside the data (any one
    cell's text, however it is split into runs, is within them)."""

    def __init__(self) -> None:
        self.max_ref_row = self.rows_without_ref = 0
        self.inside = False
        self.run = 0  # bytes since the last start, inside the data
        self.row_cells = 0  # cells without r= in the current row so far

    def feed(self, buf: bytes) -> None:
        self.re = PREFIXED if PREFIXED_TAG.search(buf) else PLAIN
        self._sizes(buf)
        refs = self.re["row_ref"].findall(buf)
        if refs:
            self.max_ref_row = max(self.max_ref_row, max(map(int, refs)))
        self.rows_without_ref += _count(buf, self.re, "row") - len(refs)
        cells = self.re["cell_ref"].findall(buf)
        if cells:
            col = max(column_number(c.decode()) for c in {c for c, _ in cells})
            self.max_ref_row = max(self.max_ref_row, max(int(r) for _, r in cells))
            _check_col(col)
        if _count(buf, self.re, "cell" if self.re is PREFIXED else "c") > len(
            cells
        ):  # cells without r=: count them per row
            # a cell takes at least 4 bytes ("<c/>"): only a row piece longer than 4 x MAX_COLUMNS needs counting
            pieces = self.re["row"].split(buf)
            long = [p for p in pieces[1:-1] if len(p) > 4 * MAX_COLUMNS]
            counts = [self.row_cells + len(self.re["cell"].findall(pieces[0]))]
            counts += [len(self.re["cell"].findall(p)) for p in long]
            self.row_cells = len(self.re["cell"].findall(pieces[-1])) if len(pieces) > 1 else counts[0]
            _check_col(max(counts + [self.row_cells]))
        _check_row(self.max_ref_row + self.rows_without_ref)

    def _sizes(self, buf: bytes) -> None:
        pos = 0
        if b"sheetData" not in buf and b"sst" not in buf:  # the usual chunk: all inside or all outside
            if self.inside:
                self._measure(buf)
            return
        for m in self.re["data"].finditer(buf):
            if self.inside:
                self._measure(buf[pos : m.start()])
            self.inside, pos = m.group(1) is not None, m.end()
        if self.inside:
            self._measure(buf[pos:])

    def _measure(self, region: bytes) -> None:
        pieces = self.re["start"].split(region)
        first = self.run + len(pieces[0])
        longest = max(first, max(map(len, pieces[1:]), default=0))
        self.run = first if len(pieces) == 1 else len(pieces[-1])
        if longest > CELL_XML_BYTES:
            raise _cell_too_long()


def _scan(z: zipfile.ZipFile, name: str, budget: list[int]) -> None:
    """Stream one XML part through `_Scan`, counting the bytes really decompressed against the budget."""
    scan = _Scan()
    carry = b""
    with z.open(name) as f:
        while chunk := f.read(1 << 20):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise too_large(
                    f"เมื่อคลายการบีบอัดมีขนาดเกิน {mb(MAX_UNZIPPED_BYTES)}",
                    f"it expands to more than {mb(MAX_UNZIPPED_BYTES)}",
                )
            buf = carry + chunk
            lt = buf.rfind(b"<")
            carry = buf[lt:] if lt >= 0 and buf.find(b">", lt) < 0 else b""  # an unfinished tag waits
            if len(carry) > CARRY:
                raise damaged_workbook("XML tag")
            buf = buf[: len(buf) - len(carry)]
            if b"<!DOCTYPE" in buf or b"<!doctype" in buf:
                raise damaged_workbook("DOCTYPE")
            scan.feed(buf)
        scan.feed(carry)


def _check_col(col: int) -> None:
    if col > MAX_COLUMNS:
        raise too_large(
            f"แผ่นงานแรกมีข้อมูลในคอลัมน์ที่ {col:,} เกิน {MAX_COLUMNS} คอลัมน์",
            f"its first worksheet has a cell in column {col:,}, beyond {MAX_COLUMNS} columns",
        )


def _cell_too_long() -> SurveyFileError:
    return too_large(
        f"มีช่องที่ยาวเกิน {MAX_CELL_CHARS:,} ตัวอักษร ซึ่ง Excel เองก็เก็บไม่ได้",
        f"a cell holds more than {MAX_CELL_CHARS:,} characters, more than Excel itself allows",
    )


def _check_row(row: int) -> None:
    if row > MAX_XLSX_ROWS:
        raise too_large(
            f"แผ่นงานแรกมีข้อมูลถึงแถวที่ {row:,} (เกิน {MAX_XLSX_ROWS:,} แถว; แบบสำรวจที่ใหญ่กว่านี้ให้อัปโหลดเป็น CSV)",
            f"its first worksheet reaches row {row:,} (more than {MAX_XLSX_ROWS:,} rows; upload a larger "
            "survey as CSV)",
        )
