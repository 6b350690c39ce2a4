"""Excel workbooks (.xlsx): recognised by their bytes; bounded BEFORE they are read (`check_bounds`: the zip
directory, then the first worksheet's and the shared strings' XML streamed through expat: decompressed size,
compression ratio, rows, columns and characters per cell, see `limits`); then the first worksheet is streamed
(openpyxl read-only) into a UTF-8 CSV temp file, which is removed on any failure. Old .xls and password-protected
workbooks get a message saying how to save them instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import warnings
import zipfile
from pathlib import Path

from framework.survey.base import CHUNK, Decoded, SurveyFileError, file_hash
from framework.survey.bounds import check_bounds, damaged_workbook
from framework.survey.tempfiles import temp_file

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # compound file: old .xls (BIFF) or an encrypted .xlsx
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def is_workbook(path: Path) -> bool:
    """A zip with xl/workbook.xml is an Excel workbook; a zip that cannot be opened is a damaged one."""
    try:
        with zipfile.ZipFile(path) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise damaged_workbook("not a readable zip archive") from None


def compound_file_error(path: Path) -> SurveyFileError:
    """Old .xls (Excel 97-2003) and password-protected .xlsx both come as an OLE compound file."""
    with open(path, "rb") as f:
        tail = b""
        while chunk := f.read(CHUNK):
            if ENCRYPTED_MARK in tail + chunk:
                return SurveyFileError(
                    "สมุดงาน Excel นี้ตั้งรหัสผ่านไว้ (เข้ารหัส) จึงอ่านไม่ได้ — เปิดใน Excel ไปที่ ไฟล์ > ข้อมูล > ป้องกันสมุดงาน > "
                    "เข้ารหัสด้วยรหัสผ่าน ลบรหัสผ่านออก บันทึก แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                    "This Excel workbook is password-protected (encrypted) and cannot be read - open it in Excel, "
                    "File > Info > Protect Workbook > Encrypt with Password, clear the password, save, and upload "
                    "again. Nothing was stored.",
                )
            tail = chunk[-len(ENCRYPTED_MARK) :]
    return SurveyFileError(
        "ไฟล์นี้เป็นไฟล์ Excel รุ่นเก่า (.xls, Excel 97–2003) ซึ่งอ่านไม่ได้ — เปิดใน Excel แล้ว \"บันทึกเป็น\" "
        "สมุดงาน Excel (.xlsx) หรือ CSV UTF-8 แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
        "This is an old-format Excel file (.xls, Excel 97-2003), which cannot be read - open it in Excel, "
        "\"Save As\" Excel Workbook (.xlsx) or CSV UTF-8, and upload that. Nothing was stored.",
    )


def cell_text(value) -> str:
    """A worksheet value as Excel's "Save As CSV" would write it: 3.0 as 3, dates as ISO, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "0" if value == 0 else f"{value:.15g}"  # Excel keeps 15 significant digits
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _one_line(text: str) -> str:
    return re.sub(r"\r\n|\r|\n", " ", text)


def _write_sheet(ws, out, width: int) -> tuple[int, int, int]:
    """Write the worksheet's rows as CSV, each padded to at least `width` cells (and the header's);
    returns (lines written, the width used, the widest row seen).

    Empty rows before the header become "#" lines (skipped like the template's legend) and empty rows after
    it become ",,," rows (skipped and counted by the validator), so line n of the CSV is row n of the sheet;
    trailing empty rows (formatting only) are left out. Line breaks inside header cells become spaces.
    """
    w = csv.writer(out, lineterminator="\n")
    lines = pending = widest = 0
    header_seen = False
    for row in ws.iter_rows(values_only=True):
        cells = [cell_text(v) for v in row]
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            pending += 1
            continue
        for _ in range(pending):
            if header_seen:
                w.writerow([""] * width)
            else:
                out.write("#\n")
        lines += pending + 1
        pending = 0
        if not header_seen and cells[0].strip().startswith("#"):
            out.write("#\n")  # a legend row before the header, as in the CSV template
            continue
        if not header_seen:
            header_seen = True
            cells = [_one_line(c) for c in cells]
            width = max(width, len(cells))
        widest = max(widest, len(cells))
        w.writerow(cells + [""] * (width - len(cells)))
    return lines, width, widest


def read_workbook(path: str | Path, workdir: str | Path | None = None) -> Decoded:
    """The first worksheet of an Excel workbook as a UTF-8 CSV temp file (openpyxl, read-only, streaming;
    formulas give the values Excel saved with them)."""
    import openpyxl  # only workbooks need it

    path = Path(path)
    check_bounds(path)  # before anything expands the workbook; nothing to clean up yet
    digest = file_hash(path)
    fd, tmp = temp_file(".csv", workdir)  # the intake prefix: swept if a killed process leaves it
    os.close(fd)
    try:
        with warnings.catch_warnings(), open(path, "rb") as fh:
            warnings.simplefilter("ignore")  # openpyxl's notes on unsupported extensions say nothing to a user
            try:
                wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            except OSError:
                raise
            except Exception as exc:  # noqa: BLE001 - zip, XML or workbook structure errors: a damaged or encrypted file
                raise damaged_workbook(type(exc).__name__) from None
            try:
                sheets = wb.worksheets
                if not sheets:
                    raise SurveyFileError(
                        "สมุดงาน Excel นี้ไม่มีแผ่นงานที่เป็นตาราง (ไม่มีแผ่นงาน หรือมีแต่แผนภูมิ) — ใส่แบบสำรวจในแผ่นงานแรก "
                        "(หัวตารางในแถว 1) บันทึก แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                        "This Excel workbook has no worksheet with cells (no sheet at all, or only chart sheets) - put "
                        "the survey on the first worksheet (header on row 1), save, and upload again. Nothing was "
                        "stored.",
                    )
                ws = sheets[0]
                ws.reset_dimensions()  # read every cell present, whatever the stored size says
                others = [s for s in wb.sheetnames if s != ws.title]
                width = 0
                while True:
                    with open(tmp, "w", encoding="utf-8", newline="") as out:
                        try:
                            lines, width, widest = _write_sheet(ws, out, width)
                        except OSError:
                            raise
                        except SurveyFileError:
                            raise
                        except Exception as exc:  # noqa: BLE001
                            raise damaged_workbook(type(exc).__name__) from None
                    if widest <= width:
                        break
                    width = widest  # a row wider than the header: write again, every row this wide
            finally:
                wb.close()
        if lines == 0:
            raise SurveyFileError(
                f"แผ่นงานแรก \"{ws.title}\" ของสมุดงาน Excel ว่างเปล่า (ระบบอ่านเฉพาะแผ่นงานแรก) — ย้ายแผ่นงานแบบสำรวจไปไว้"
                "เป็นแผ่นแรก หรือใส่ข้อมูล (หัวตารางในแถว 1) บันทึก แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                f"The first worksheet \"{ws.title}\" of this Excel workbook is empty (only the first worksheet is "
                "read) - move the survey sheet to the front, or fill it in (header on row 1), save, and upload "
                "again. Nothing was stored.",
            )
    except BaseException:  # any failure, including a refusal above: the temp CSV goes
        os.unlink(tmp)
        raise
    return Decoded(
        Path(tmp), "xlsx", digest, path.stat().st_size, lines, temp=True, sheet=ws.title, other_sheets=others
    )
