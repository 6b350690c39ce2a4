"""Bounds on an Excel workbook, checked before openpyxl opens it (an "Excel bomb" must be refused in seconds
with bounded memory, not expanded): the zip directory (members, decompressed size, compression ratio), then the
first worksheet's XML and the shared strings streamed through expat, never held whole (rows and columns of the
cells really present, characters per cell, the bytes really decompressed). No DOCTYPE is accepted (no entities).
"""
from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from xml.parsers import expat

from framework.survey.base import SurveyFileError
from framework.survey.limits import (MAX_CELL_CHARS, MAX_COLUMNS, MAX_UNZIPPED_BYTES, MAX_XLSX_ROWS, MAX_ZIP_MEMBERS,
                                     MAX_ZIP_RATIO, mb)

REF = re.compile(r"([A-Za-z]{1,3})(\d+)$")
META_BYTES = 16 << 20    # workbook.xml and its relationships are read whole: a few KB in a real workbook


def damaged_workbook(detail: str) -> SurveyFileError:
    return SurveyFileError(
        "เปิดสมุดงาน Excel (.xlsx) นี้ไม่ได้: ไฟล์เสียหาย ไม่ครบ หรือมีรหัสผ่าน — เปิดไฟล์ใน Excel แล้ว \"บันทึกเป็น\" "
        f"สมุดงาน Excel (.xlsx) หรือ CSV UTF-8 ใหม่ แล้วอัปโหลดอีกครั้ง ไม่มีข้อมูลใดถูกบันทึก ({detail})",
        "This Excel workbook (.xlsx) cannot be opened: the file is damaged, incomplete or password-protected - open "
        "it in Excel, \"Save As\" Excel Workbook (.xlsx) or CSV UTF-8 again, and upload that. Nothing was stored. "
        f"({detail})")


def too_large(th: str, en: str) -> SurveyFileError:
    """A workbook beyond a bound: what is too large, and what to do."""
    return SurveyFileError(
        f"สมุดงาน Excel นี้ใหญ่เกินกว่าจะเป็นแบบสำรวจ: {th} — ลบแถว คอลัมน์ หรือแผ่นงานที่ไม่ใช่แบบสำรวจ "
        "หรือบันทึกแผ่นงานแบบสำรวจเป็น CSV UTF-8 แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
        f"This Excel workbook is larger than a survey can be: {en} - delete the rows, columns or sheets that are "
        "not the survey, or save the survey sheet as CSV UTF-8, and upload again. Nothing was stored.")


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
        if max(z.getinfo(n).file_size for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")) > META_BYTES:
            raise too_large("ส่วนโครงสร้างของสมุดงานใหญ่ผิดปกติ", "its workbook structure part is abnormally large")
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
                raise too_large(f"มีส่วนประกอบ {len(infos):,} ส่วน (เกิน {MAX_ZIP_MEMBERS:,})",
                                f"it has {len(infos):,} parts (more than {MAX_ZIP_MEMBERS:,})")
            total = sum(i.file_size for i in infos)
            if total > MAX_UNZIPPED_BYTES:
                raise too_large(f"เมื่อคลายการบีบอัดมีขนาด {mb(total)} (เกิน {mb(MAX_UNZIPPED_BYTES)})",
                                f"it expands to {mb(total)} (more than {mb(MAX_UNZIPPED_BYTES)})")
            for i in infos:
                if i.file_size > 1 << 20 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
                    raise too_large(f"ส่วน {i.filename} ถูกบีบอัดเกิน {MAX_ZIP_RATIO} เท่า (ไฟล์ระเบิด)",
                                    f"its part {i.filename} is compressed more than {MAX_ZIP_RATIO} times "
                                    "(a zip bomb)")
            names = z.namelist()
            sheet = first_sheet_part(z)
            sheets = [sheet] if sheet in names else [n for n in names if n.startswith("xl/worksheets/")
                                                     and n.endswith(".xml")]
            budget = [MAX_UNZIPPED_BYTES]
            for name in sheets:
                _scan(z, name, "c", budget)
            for name in names:
                if name.lower().endswith("sharedstrings.xml"):
                    _scan(z, name, "si", budget)
    except SurveyFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, expat.ExpatError,
            RuntimeError) as exc:  # RuntimeError: an encrypted zip member
        raise damaged_workbook(type(exc).__name__) from None


def _scan(z: zipfile.ZipFile, name: str, cell: str, budget: list[int]) -> None:
    """Stream one XML part: rows/columns of every <c> (worksheet) and characters inside each <c>/<si>."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    st = {"row": 0, "col": 0, "in": False, "chars": 0}

    def start(tag, attrs):
        tag = tag.rpartition(":")[2]
        if tag == "row":
            r = attrs.get("r", "")
            st["row"] = int(r) if r.isdigit() else st["row"] + 1
            st["col"] = 0
            _check_row(st["row"])
        elif tag == cell:
            st["in"], st["chars"] = True, 0
            if cell != "c":
                return
            m = REF.match(attrs.get("r", ""))
            if m:
                st["col"], st["row"] = column_number(m.group(1)), int(m.group(2))
                _check_row(st["row"])
            else:
                st["col"] += 1
            if st["col"] > MAX_COLUMNS:
                raise too_large(f"แผ่นงานแรกมีข้อมูลในคอลัมน์ที่ {st['col']:,} (แถว {st['row']:,}) เกิน {MAX_COLUMNS} คอลัมน์",
                                f"its first worksheet has a cell in column {st['col']:,} (row {st['row']:,}), beyond "
                                f"{MAX_COLUMNS} columns")

    def end(tag):
        if tag.rpartition(":")[2] == cell:
            st["in"] = False

    def text(data):
        if st["in"]:
            st["chars"] += len(data)
            if st["chars"] > MAX_CELL_CHARS:
                where = f" (แถว {st['row']:,})" if cell == "c" else ""
                where_en = f" (row {st['row']:,})" if cell == "c" else ""
                raise too_large(f"มีช่องที่ยาวเกิน {MAX_CELL_CHARS:,} ตัวอักษร{where} ซึ่ง Excel เองก็เก็บไม่ได้",
                                f"a cell{where_en} holds more than {MAX_CELL_CHARS:,} characters, more than Excel "
                                "itself allows")

    def doctype(*_):
        raise damaged_workbook("DOCTYPE")

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler, parser.StartDoctypeDeclHandler = text, doctype
    with z.open(name) as f:
        while chunk := f.read(1 << 20):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise too_large(f"เมื่อคลายการบีบอัดมีขนาดเกิน {mb(MAX_UNZIPPED_BYTES)}",
                                f"it expands to more than {mb(MAX_UNZIPPED_BYTES)}")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _check_row(row: int) -> None:
    if row > MAX_XLSX_ROWS:
        raise too_large(f"แผ่นงานแรกมีข้อมูลถึงแถวที่ {row:,} (เกิน {MAX_XLSX_ROWS:,} แถว; แบบสำรวจที่ใหญ่กว่านี้ให้อัปโหลดเป็น CSV)",
                        f"its first worksheet reaches row {row:,} (more than {MAX_XLSX_ROWS:,} rows; upload a larger "
                        "survey as CSV)")
