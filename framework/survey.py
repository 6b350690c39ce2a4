"""Reading and validating survey files (CSV, or an Excel workbook's first sheet): encodings, delimiters,
wide/long layouts, per-row problems in SQL.

Rules (shown in the app, see FORMAT_RULES):
- Levels are whole numbers 0-4 (Thai digits accepted); blank = not assessed.
- A row with any invalid cell is rejected whole and every problem is listed.
- A duplicate respondent id keeps the first row; later rows are rejected, naming the first row.
- Element columns (DLit101 ...) give a unit the minimum of its elements' levels, only when every element of
  the unit is assessed (otherwise the unit is not assessed); a non-blank unit cell wins over its elements.
- A column that looks like a unit code but is not in the framework (e.g. DLit800) is reported once, as a
  file-level warning; its values are NOT stored (the rest of each row is), and the page says so prominently.
- Other extra columns (time stamp, e-mail, name ...) are ignored and listed.
- Rows whose every cell is empty (Excel's ",,,,") are skipped and counted; a file with no other row is refused.
- Form exports: "Question [DLit100]" / "DLit100 name" headers name the code; "3 - label" or a level's label alone
  is that level; the most specific fixed-column name wins ("respondent_id" over MS Forms' "ID").
- Excel workbooks (.xlsx) are recognised by their bytes, not their name: the first worksheet is written to a UTF-8
  CSV (formulas as their saved values, 3.0 as 3, dates as ISO) and read like any CSV; reported row numbers are the
  worksheet's. Old .xls files and password-protected workbooks get a message saying how to save them instead.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import uuid
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from framework.catalog import Catalog, normalise_label
from framework.errors import BilingualError

CHUNK = 8 << 20
LEVELS = (
    (0, "ยังไม่มีความรู้/ทักษะ", "Not yet"),
    (1, "รู้จัก/เข้าใจ", "Aware"),
    (2, "ทำได้เมื่อมีผู้แนะนำ", "Can do with guidance"),
    (3, "ทำได้ด้วยตนเอง", "Can do independently"),
    (4, "สอนผู้อื่นได้", "Can teach others"),
)
DEFAULT_THRESHOLD = 3
MAX_PROBLEMS = 100_000  # problems kept in memory for display; rejected rows are always complete

# Column names accepted for the fixed columns (normalised with catalog.normalise_label).
KEY_ALIASES = {
    "respondent_id": ("respondent_id", "respondentid", "respondent", "id", "รหัสผู้ตอบ", "รหัสผู้ตอบแบบสำรวจ",
                      "ผู้ตอบ"),
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
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"


class SurveyFileError(BilingualError):
    """The file cannot be read as a survey at all: one message in Thai and English; nothing is stored."""


@dataclass
class Notice:
    """A file-level remark (ignored column, unknown code column, incomplete elements)."""
    level: str  # "warning" | "info"
    column: str | None
    th: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.th


@dataclass
class Decoded:
    """A survey file made readable for DuckDB (UTF-8), with what was learnt on the way."""
    path: Path
    encoding: str
    content_hash: str
    size: int
    lines: int               # physical lines, trailing blank lines excluded (a workbook: rows written)
    temp: bool = False
    sheet: str | None = None                              # a workbook: the worksheet that was read
    other_sheets: list[str] = field(default_factory=list)  # a workbook: the sheets that were not read

    def cleanup(self) -> None:
        if self.temp:
            try:
                os.unlink(self.path)
            except OSError:
                pass


@dataclass
class Layout:
    """How the header maps onto the survey format."""
    format: str                       # "wide" | "long"
    delimiter: str
    header: list[str]
    keys: dict[str, int]              # fixed column -> index
    skip: int                         # comment lines before the header
    codes: dict[int, str] = field(default_factory=dict)   # index -> unit/element code (wide)
    unknown_codes: dict[int, str] = field(default_factory=dict)
    ignored: dict[int, str] = field(default_factory=dict)


# --- bytes -> text ------------------------------------------------------------------------------------------

def file_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes: the same upload twice is recognised by it."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _unreadable_binary() -> SurveyFileError:
    return SurveyFileError(
        "ไฟล์นี้ไม่ใช่ไฟล์ข้อความ CSV และไม่ใช่สมุดงาน Excel (.xlsx) — บันทึกแบบสำรวจเป็น CSV UTF-8 หรือ "
        "สมุดงาน Excel (.xlsx) แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
        "This file is not a CSV text file nor an Excel workbook (.xlsx) - save the survey as CSV UTF-8 or as an "
        "Excel workbook (.xlsx) and upload again. Nothing was stored.")


# --- Excel workbooks ----------------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"   # compound file: old .xls (BIFF) or an encrypted .xlsx
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def _is_workbook(path: Path) -> bool:
    """A zip with xl/workbook.xml is an Excel workbook; a zip that cannot be opened is a damaged one."""
    try:
        with zipfile.ZipFile(path) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise _damaged_workbook("not a readable zip archive") from None


def _damaged_workbook(detail: str) -> SurveyFileError:
    return SurveyFileError(
        "เปิดสมุดงาน Excel (.xlsx) นี้ไม่ได้: ไฟล์เสียหาย ไม่ครบ หรือมีรหัสผ่าน — เปิดไฟล์ใน Excel แล้ว \"บันทึกเป็น\" "
        f"สมุดงาน Excel (.xlsx) หรือ CSV UTF-8 ใหม่ แล้วอัปโหลดอีกครั้ง ไม่มีข้อมูลใดถูกบันทึก ({detail})",
        "This Excel workbook (.xlsx) cannot be opened: the file is damaged, incomplete or password-protected - open "
        "it in Excel, \"Save As\" Excel Workbook (.xlsx) or CSV UTF-8 again, and upload that. Nothing was stored. "
        f"({detail})")


def _compound_file_error(path: Path) -> SurveyFileError:
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
                    "again. Nothing was stored.")
            tail = chunk[-len(ENCRYPTED_MARK):]
    return SurveyFileError(
        "ไฟล์นี้เป็นไฟล์ Excel รุ่นเก่า (.xls, Excel 97–2003) ซึ่งอ่านไม่ได้ — เปิดใน Excel แล้ว \"บันทึกเป็น\" "
        "สมุดงาน Excel (.xlsx) หรือ CSV UTF-8 แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
        "This is an old-format Excel file (.xls, Excel 97-2003), which cannot be read - open it in Excel, "
        "\"Save As\" Excel Workbook (.xlsx) or CSV UTF-8, and upload that. Nothing was stored.")


def cell_text(value) -> str:
    """A worksheet value as Excel's "Save As CSV" would write it: 3.0 as 3, dates as ISO, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "0" if value == 0 else f"{value:.15g}"   # Excel keeps 15 significant digits
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
            out.write("#\n")          # a legend row before the header, as in the CSV template
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
    digest = file_hash(path)
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
    os.close(fd)
    try:
        with warnings.catch_warnings(), open(path, "rb") as fh:
            warnings.simplefilter("ignore")  # openpyxl's notes on unsupported extensions say nothing to a user
            try:
                wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            except OSError:
                raise
            except Exception as exc:  # zip, XML or workbook structure errors: a damaged or encrypted file
                raise _damaged_workbook(type(exc).__name__) from None
            try:
                sheets = wb.worksheets
                if not sheets:
                    raise SurveyFileError(
                        "สมุดงาน Excel นี้ไม่มีแผ่นงานที่เป็นตาราง (ไม่มีแผ่นงาน หรือมีแต่แผนภูมิ) — ใส่แบบสำรวจในแผ่นงานแรก "
                        "(หัวตารางในแถว 1) บันทึก แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                        "This Excel workbook has no worksheet with cells (no sheet at all, or only chart sheets) - put "
                        "the survey on the first worksheet (header on row 1), save, and upload again. Nothing was "
                        "stored.")
                ws = sheets[0]
                ws.reset_dimensions()   # read every cell present, whatever the stored size says
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
                        except Exception as exc:
                            raise _damaged_workbook(type(exc).__name__) from None
                    if widest <= width:
                        break
                    width = widest   # a row wider than the header: write again, every row this wide
            finally:
                wb.close()
        if lines == 0:
            raise SurveyFileError(
                f"แผ่นงานแรก \"{ws.title}\" ของสมุดงาน Excel ว่างเปล่า (ระบบอ่านเฉพาะแผ่นงานแรก) — ย้ายแผ่นงานแบบสำรวจไปไว้"
                "เป็นแผ่นแรก หรือใส่ข้อมูล (หัวตารางในแถว 1) บันทึก แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                f"The first worksheet \"{ws.title}\" of this Excel workbook is empty (only the first worksheet is "
                "read) - move the survey sheet to the front, or fill it in (header on row 1), save, and upload "
                "again. Nothing was stored.")
    except BaseException:
        os.unlink(tmp)
        raise
    return Decoded(Path(tmp), "xlsx", digest, path.stat().st_size, lines, temp=True, sheet=ws.title,
                   other_sheets=others)


def decode(path: str | Path, workdir: str | Path | None = None) -> Decoded:
    """Detect the encoding (UTF-8 with/without BOM, UTF-16 with BOM, Windows-874/TIS-620) and hash the file;
    non-UTF-8 files are transcoded to a UTF-8 temp file in streaming chunks (DuckDB reads only UTF-8).
    An Excel workbook (by its bytes, whatever its name) becomes a UTF-8 CSV of its first worksheet."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise SurveyFileError("ไฟล์ว่างเปล่า ไม่มีข้อมูลให้นำเข้า ไม่มีข้อมูลใดถูกบันทึก",
                              "The file is empty: there is nothing to import. Nothing was stored.")
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == ZIP_MAGIC:
        if _is_workbook(path):
            return read_workbook(path, workdir)
        raise _unreadable_binary()
    if magic == OLE_MAGIC:
        raise _compound_file_error(path)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        head = f.read(4)
        f.seek(0)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            encoding = "utf-16"
        elif head[:3] == b"\xef\xbb\xbf":
            encoding = "utf-8-sig"
        else:
            encoding = "utf-8"
        newlines, tail = 0, b""
        if encoding != "utf-16":
            dec = codecs.getincrementaldecoder("utf-8")()
            while chunk := f.read(CHUNK):
                h.update(chunk)
                if b"\x00" in chunk:
                    raise _unreadable_binary()
                newlines += chunk.count(b"\n")
                tail = (tail + chunk)[-4096:]
                if encoding != "cp874":
                    try:
                        dec.decode(chunk)
                    except UnicodeDecodeError:
                        encoding = "cp874"
            if encoding == "utf-8":
                try:
                    dec.decode(b"", final=True)
                except UnicodeDecodeError:
                    encoding = "cp874"
        else:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                h.update(chunk)
    digest = h.hexdigest()
    if encoding in ("utf-8", "utf-8-sig"):
        return Decoded(path, encoding, digest, size, _lines(newlines, tail))
    # Transcode Windows-874 / UTF-16 to UTF-8 in chunks.
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
    newlines, tail = 0, b""
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            dec = codecs.getincrementaldecoder(encoding)(errors="strict")
            while True:
                chunk = src.read(CHUNK)
                out = dec.decode(chunk, final=not chunk).encode("utf-8")
                if encoding == "utf-16" and "\x00" in out.decode("utf-8", "ignore")[:1]:
                    raise _unreadable_binary()
                newlines += out.count(b"\n")
                tail = (tail + out)[-4096:]
                dst.write(out)
                if not chunk:
                    break
        if b"\x00" in tail:
            raise _unreadable_binary()
    except UnicodeDecodeError:
        os.unlink(tmp)
        raise SurveyFileError(
            "อ่านรหัสอักขระของไฟล์ไม่ได้ (รองรับ UTF-8, UTF-16 และ Windows-874/TIS-620) — บันทึกเป็น CSV UTF-8 "
            "แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
            "The file's character encoding cannot be read (UTF-8, UTF-16 and Windows-874/TIS-620 are supported) "
            "- save it as CSV UTF-8 and upload again. Nothing was stored.") from None
    except BaseException:
        os.unlink(tmp)
        raise
    label = "windows-874" if encoding == "cp874" else encoding
    return Decoded(Path(tmp), label, digest, size, _lines(newlines, tail), temp=True)


def _lines(newlines: int, tail: bytes) -> int:
    """Physical line count without trailing blank lines (what Excel would show as the last row)."""
    stripped = tail.rstrip(b"\r\n \t")
    trailing = tail[len(stripped):].count(b"\n")
    return newlines - trailing + 1


# --- header -------------------------------------------------------------------------------------------------

def read_header(path: Path) -> tuple[str, list[str], int]:
    """The delimiter (comma, semicolon or tab: whichever splits the header into most cells), the header cells
    and how many leading comment lines ("# ...", like the template's level legend) precede the header."""
    with open(path, "r", encoding="utf-8-sig", newline="") as f:
        text = f.read(1 << 20)
    lines = text.splitlines()
    skip = 0
    forced = None
    while skip < len(lines):
        line = lines[skip].strip().lstrip("\ufeff")
        m = re.fullmatch(r"sep=([,;\t|])", line, re.IGNORECASE)  # Excel's delimiter hint line
        if m and forced is None:
            forced = m.group(1)
        elif not line.startswith("#"):
            break
        skip += 1
    first = lines[skip] if skip < len(lines) else ""
    if not first.strip():
        raise SurveyFileError("ไม่พบหัวตารางในบรรทัดแรก (respondent_id, group, ...) ไม่มีข้อมูลใดถูกบันทึก",
                              "No header found on the first line (respondent_id, group, ...). Nothing was stored.")
    best, cells = ",", [first]
    for delim in (forced,) if forced else (",", ";", "\t"):
        row = next(csv.reader(io.StringIO(first), delimiter=delim, quotechar='"'))
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
    aliases = {normalise_label(a): (key, rank) for key, names in KEY_ALIASES.items()
               for rank, a in enumerate(names)}
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
                    "upload again. Nothing was stored.")
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
            "ไม่มีข้อมูลใดถูกบันทึก" + (f" (ไม่พบ: {', '.join(missing)})" if missing else "")
            + f" หัวตารางในไฟล์: {shown}",
            "This file is not a survey in the expected format: it needs the columns respondent_id and group plus "
            "unit-code columns (e.g. DLit100), or code and level columns - rename the columns on the first line, or "
            "download the template from the upload page. Nothing was stored."
            + (f" (missing: {', '.join(missing)})" if missing else "") + f" The file's header: {shown_en}")
    return Layout("long" if is_long else "wide", delimiter, header, keys, skip, codes, unknown, ignored)


# --- validation ---------------------------------------------------------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def clean(col: str) -> str:
    """SQL: a cell trimmed, Thai digits made Arabic, blank -> NULL."""
    return f"nullif(trim(translate({col}, '{THAI_DIGITS}', '0123456789')), '')"


FAST = "('0', '1', '2', '3', '4')"
# "3 - ทำได้ด้วยตนเอง", "3 (Can do independently)", "3. ...": a form's labelled choice; the digit is the level.
LABELLED = r"^([0-9])(?:\s*[-–:.)=/]\s*|\s+)[^0-9\s.,].*$"


def _label_key(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


# Level labels alone (Thai, English), in the order th0, en0, th1, en1 ...: position // 2 is the level.
LABEL_LIST = "[" + ", ".join(_lit(_label_key(t)) for _, th, en in LEVELS for t in (th, en)) + "]"


def level_number(col: str) -> str:
    """SQL: the cell as a number (DOUBLE): a plain number, a labelled choice ("3 - ทำได้ด้วยตนเอง") or a level's
    Thai/English label alone ("ทำได้ด้วยตนเอง", "Can do independently"); NULL when none of these.
    The cleaned cell is bound once through a lambda: repeating it makes DuckDB's planning slow on 39 columns."""
    return (f"list_transform([{clean(col)}], lambda x: coalesce(TRY_CAST(x AS DOUBLE), "
            f"TRY_CAST(regexp_extract(x, '{LABELLED}', 1) AS DOUBLE), "
            f"(list_position({LABEL_LIST}, lower(regexp_replace(x, '\\s+', '', 'g'))) - 1) // 2))[1]")


def level_ok(col: str) -> str:
    """SQL: TRUE when the cell is blank or a level 0-4 (the plain case is tested first: it is fast)."""
    c = clean(col)
    return (f"({col} IS NULL OR {col} IN {FAST} OR {c} IS NULL "
            f"OR coalesce({level_number(col)} IN (0, 1, 2, 3, 4), false))")


def level(col: str) -> str:
    """SQL: the level as UTINYINT (NULL when blank or invalid). The slow parse appears once, so DuckDB does not
    hoist it out of the CASE and run it on every plain cell."""
    return (f"CASE WHEN {col} IN {FAST} THEN CAST({col} AS UTINYINT) WHEN {col} IS NULL THEN NULL "
            f"ELSE CAST(list_position([0, 1, 2, 3, 4]::DOUBLE[], {level_number(col)}) - 1 AS UTINYINT) END")


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
            notes.append(Notice(
                "warning", unit,
                f"หน่วย {unit}: ไฟล์มีคอลัมน์ความสามารถย่อยไม่ครบ (ขาด {', '.join(missing)}) จึงถือว่าหน่วยนี้ไม่ได้ประเมิน "
                "เว้นแต่มีคอลัมน์ของหน่วยเอง",
                f"Unit {unit}: the file has only some of its element columns (missing {', '.join(missing)}), so "
                "the unit counts as not assessed unless its own unit column has a value."))
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
    return ("ใช้ชื่อกลุ่มบุคลากรที่รองรับ เช่น ผู้บริหารระดับสูง, ผู้บริหารกอง, ผู้ทำงานด้านนโยบายและวิชาการ, "
            "ผู้ทำงานด้านบริการ, ผู้ปฏิบัติงานด้านเทคโนโลยี, ผู้ปฏิบัติงานอื่น (หรือ Executive, Management, Academic, "
            "Service, Technologist, Others)",
            "use an accepted staff-group name: Executive, Management, Academic, Service, Technologist, Others "
            "(or the Thai names, e.g. ผู้บริหารระดับสูง)")


PROBLEM_COLUMNS = ["row", "column", "value", "reason_th", "reason_en", "fix_th", "fix_en"]
LEVEL_FIX = ("ใส่เลขจำนวนเต็ม 0–4 หรือเว้นว่างถ้าไม่ได้ประเมิน", "enter a whole number 0-4, or leave blank if not assessed")


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
    respondents: int          # accepted respondents (= accepted rows in wide format)
    problems: pd.DataFrame    # PROBLEM_COLUMNS
    rejected_rows: pd.DataFrame
    notices: list[Notice]
    staging: str              # temp table with RESPONSE columns except batch_id
    problems_truncated: bool = False


class Validator:
    """Validates a decoded survey file with SQL on one cursor; leaves accepted rows in a temp table."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, catalog: Catalog):
        self.cur = cur
        self.catalog = catalog
        self.tag = uuid.uuid4().hex[:10]
        self.temps: list[str] = []

    def _temp(self, stem: str) -> str:
        name = f"{stem}_{self.tag}"
        self.temps.append(name)
        return name

    def drop(self) -> None:
        """Drop every temp table this validation created."""
        for t in self.temps:
            self.cur.execute(f"DROP TABLE IF EXISTS temp.{t}")
        self.temps.clear()

    # -- reading -----------------------------------------------------------------------------------------
    def load(self, dec: Decoded, layout: Layout) -> tuple[str, str]:
        """Read every cell as text into a temp table c0..cN; malformed lines go to a rejects table."""
        raw, rej, scan = self._temp("raw"), self._temp("rej"), self._temp("scan")
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(layout.header))) + "}"
        delim = {"\t": "\\t"}.get(layout.delimiter, layout.delimiter)
        try:
            self.cur.execute(
                f"CREATE TEMP TABLE {raw} AS SELECT * FROM read_csv(?, header=true, skip={layout.skip}, delim='{delim}', quote='\"', "
                f"escape='\"', columns={cols}, all_varchar=true, ignore_errors=true, store_rejects=true, "
                f"rejects_table='{rej}', rejects_scan='{scan}', strict_mode=true, auto_detect=false)",
                [str(dec.path)])
        except duckdb.Error as exc:
            raise SurveyFileError(
                f"อ่านไฟล์เป็น CSV ไม่ได้ ({str(exc).splitlines()[0][:200]}) — ตรวจว่าเป็น CSV และบันทึกใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                f"The file cannot be read as CSV ({str(exc).splitlines()[0][:200]}) - check it is a CSV and save it "
                "again. Nothing was stored.") from None
        return raw, rej

    def line_numbers(self, raw: str, rej: str, dec: Decoded, ncols: int, skip: int = 0) -> tuple[str, list[Notice]]:
        """Temp table rec -> line as Excel shows it (header = row 1); counts quoted line breaks and bad lines."""
        lines = self._temp("lines")
        nrec = self.cur.execute(f"SELECT count(*) FROM {raw}").fetchone()[0]
        rejects = self.cur.execute(f"SELECT line FROM {rej} ORDER BY line").fetchall()
        notes: list[Notice] = []
        simple = dec.lines - 1 - skip == nrec + len(rejects)
        # rejects before good record k: a reject on DuckDB line L sits after (L - 2 - earlier rejects) good ones.
        rj = self._temp("rj")
        self.cur.execute(f"CREATE TEMP TABLE {rj} AS SELECT DISTINCT line - 2 - {skip} - (dense_rank() OVER (ORDER BY line) - 1) "
                         f"AS good_before, dense_rank() OVER (ORDER BY line) AS n FROM {rej}")
        if simple:
            nl = "0"
        else:
            allcols = ", ".join(f"coalesce(c{i}, '')" for i in range(ncols))
            nl = f"length(concat({allcols})) - length(replace(concat({allcols}), chr(10), ''))"
        self.cur.execute(f"""
            CREATE TEMP TABLE {lines} AS
            WITH r AS (SELECT rowid AS rec, {nl} AS nl FROM {raw}),
                 c AS (SELECT rec, coalesce(sum(nl) OVER (ORDER BY rec ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                              AS prev_nl FROM r)
            SELECT c.rec, CAST(c.rec + 2 + {skip} + c.prev_nl + coalesce(j.n, 0) AS BIGINT) AS line
            FROM c ASOF LEFT JOIN (SELECT good_before, max(n) AS n FROM {rj} GROUP BY ALL) j ON c.rec >= j.good_before
        """)
        if not simple:
            total = self.cur.execute(f"SELECT coalesce(max(line), 1) FROM {lines}").fetchone()[0]
            if total < dec.lines and not rejects:
                notes.append(Notice("info", None,
                                    "ไฟล์มีบรรทัดว่างแทรกอยู่ (ข้ามไป) เลขแถวที่แจ้งอาจคลาดจากใน Excel เล็กน้อย",
                                    "The file has blank lines in it (skipped); reported row numbers may be a little "
                                    "off from what Excel shows."))
        return lines, notes

    # -- checks ------------------------------------------------------------------------------------------
    def _group_map(self, raw: str, col: str) -> str:
        gmap = self._temp("gmap")
        distinct = self.cur.execute(f"SELECT DISTINCT {col} AS raw FROM {raw} WHERE {col} IS NOT NULL").df()
        aliases = self.catalog.staff_group_aliases()
        distinct["key"] = [aliases.get(normalise_label(v)) for v in distinct["raw"]]
        self.cur.register(f"gmap_df_{self.tag}", distinct)
        self.cur.execute(f"CREATE TEMP TABLE {gmap} AS SELECT raw, key FROM gmap_df_{self.tag}")
        self.cur.unregister(f"gmap_df_{self.tag}")
        return gmap

    def check(self, dec: Decoded, layout: Layout, default_agency: str | None = None) -> Checked:
        raw, rej = self.load(dec, layout)
        n = len(layout.header)
        lines, notes = self.line_numbers(raw, rej, dec, n, layout.skip)
        if dec.sheet is not None:
            notes.append(sheet_notice(dec))
        notes += self._column_notes(raw, layout)
        if layout.format == "wide":
            result = self._check_wide(raw, lines, layout, notes)
        else:
            result = self._check_long(raw, lines, layout, notes)
        blank = self.cur.execute(f"SELECT count(*) FROM {raw}").fetchone()[0] - result.rows_read
        result, blank_lines = self._add_structural(result, rej, layout)
        blank += blank_lines
        if result.rows_read == 0:
            raise SurveyFileError(
                "ไฟล์มีแต่หัวตาราง ไม่มีแถวคำตอบ (แถวว่างถูกข้าม) — ใส่คำตอบหนึ่งแถวต่อผู้ตอบหนึ่งคนใต้หัวตาราง "
                "แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                "The file has a header but no answer rows (blank rows are skipped) - add one row per respondent "
                "under the header and upload again. Nothing was stored.")
        if blank:
            result.notices.append(Notice(
                "info", None, f"ข้ามแถวว่าง {blank:,} แถว (ทุกช่องว่าง ไม่มีข้อมูลให้นำเข้า)",
                f"Skipped {blank:,} blank row(s) (every cell empty: nothing to import)."))
        return result

    @staticmethod
    def _blank(alias: str, layout: Layout) -> str:
        """SQL: TRUE when every cell of the row is empty or spaces (Excel leaves such rows, e.g. ",,,,")."""
        order = [layout.keys["respondent_id"], layout.keys["group"]]
        order += [i for i in range(len(layout.header)) if i not in order]
        return " AND ".join(f"coalesce(trim({alias}.c{i}), '') = ''" for i in order)

    def _column_notes(self, raw: str, layout: Layout) -> list[Notice]:
        notes = []
        for i, name in layout.unknown_codes.items():
            filled = self.cur.execute(f"SELECT count({clean(f'c{i}')}) FROM {raw}").fetchone()[0]
            notes.append(Notice(
                "warning", name,
                f"คอลัมน์ \"{name}\" ดูเหมือนรหัสหน่วยความสามารถแต่ไม่มีในกรอบ ก.พ. — ไม่ได้นำเข้าค่าในคอลัมน์นี้ "
                f"({filled:,} ค่า) ส่วนอื่นของแต่ละแถวนำเข้าตามปกติ วิธีแก้: แก้หัวคอลัมน์เป็นรหัสที่ถูกต้อง (เช่น DLit300) "
                "แล้วลบชุดข้อมูลนี้และอัปโหลดใหม่",
                f"Column \"{name}\" looks like a unit code but is not in the OCSC framework - its {filled:,} values "
                "were NOT imported (the rest of each row was). Fix: correct the header to a real code (e.g. DLit300), "
                "then delete this batch and upload again."))
        if layout.ignored:
            names = ", ".join(layout.ignored.values())
            notes.append(Notice("info", None, f"คอลัมน์ที่ไม่ได้ใช้ (ข้ามไป): {names}",
                                f"Columns not used (ignored): {names}"))
        return notes

    def _problem_sql(self, rows: str, checks: list[tuple[str, str, str, str, str, str]]) -> str:
        """UNION ALL of (condition, column label, value expr, reason_th, reason_en, fix pair) over bad rows."""
        parts = []
        for cond, column, value, r_th, r_en, fix in checks:
            parts.append(f"SELECT line AS \"row\", {_lit(column)} AS \"column\", CAST({value} AS VARCHAR) AS value, {r_th} AS reason_th, "
                         f"{r_en} AS reason_en, {_lit(fix[0])} AS fix_th, {_lit(fix[1])} AS fix_en, rec "
                         f"FROM {rows} WHERE {cond}")
        return " UNION ALL ".join(parts)

    def _finish(self, bad: str, problems_sql: str, layout: Layout, raw_cols: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
        probs = self.cur.execute(f"SELECT * FROM ({problems_sql}) ORDER BY rec, \"row\" LIMIT {MAX_PROBLEMS + 1}").df()
        truncated = len(probs) > MAX_PROBLEMS
        probs = probs.head(MAX_PROBLEMS)
        names = [_q(h or f"column{i + 1}") for i, h in enumerate(layout.header)]
        select = ", ".join(f"c{i} AS {names[i]}" for i in range(len(layout.header)))
        rejected = self.cur.execute(f"""
            SELECT b.line AS "row", {select}, p.reason, p.reason_th FROM {bad} b
            JOIN (SELECT rec, string_agg("column" || ': ' || reason_en, '; ' ORDER BY "row") AS reason,
                         string_agg("column" || ': ' || reason_th, '; ' ORDER BY "row") AS reason_th
                  FROM ({problems_sql}) GROUP BY rec) p USING (rec)
            ORDER BY b.rec""").df()
        return probs.drop(columns=["rec"]), rejected, truncated

    def _check_wide(self, raw: str, lines: str, layout: Layout, notes: list[Notice]) -> Checked:
        k = layout.keys
        rid, grp = f"c{k['respondent_id']}", f"c{k['group']}"
        gmap = self._group_map(raw, grp)
        # Plain cells ("0".."4" or empty) are checked first; the full check runs only on rows that need it.
        fast = " AND ".join(f"coalesce(r.c{i} IN {FAST}, true)" for i in layout.codes) or "TRUE"
        full = " AND ".join(level_ok(f"r.c{i}") for i in layout.codes) or "TRUE"
        cells_ok = f"CASE WHEN {fast} THEN true ELSE {full} END"
        rows, bad = self._temp("rows"), self._temp("bad")
        self.cur.execute(f"""
            CREATE TEMP TABLE {rows} AS
            SELECT r.rowid AS rec, l.line, nullif(trim(r.{rid}), '') AS rid, nullif(trim(r.{grp}), '') AS grp, g.key,
                   {cells_ok} AS cells_ok
            FROM {raw} r JOIN {lines} l ON l.rec = r.rowid LEFT JOIN {gmap} g ON g.raw = r.{grp}
            WHERE NOT ({self._blank('r', layout)})""")
        self.cur.execute(f"""
            CREATE OR REPLACE TEMP TABLE {rows} AS
            SELECT *, CASE WHEN rid IS NULL THEN NULL ELSE
                          first_value(line) OVER (PARTITION BY rid ORDER BY rec) END AS first_line,
                      CASE WHEN rid IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY rid ORDER BY rec) END AS dup_n
            FROM {rows}""")
        self.cur.execute(f"""
            CREATE TEMP TABLE {bad} AS
            SELECT x.*, r.* FROM {rows} x JOIN {raw} r ON r.rowid = x.rec
            WHERE x.rid IS NULL OR x.key IS NULL OR x.dup_n > 1 OR NOT x.cells_ok""")
        fix_g = group_fix()
        checks = [
            ("rid IS NULL", layout.header[k["respondent_id"]], "NULL", "'ไม่มีรหัสผู้ตอบ'", "'respondent id is missing'",
             ("ใส่รหัสผู้ตอบที่ไม่ซ้ำกับแถวอื่น", "fill in a respondent id that no other row uses")),
            ("dup_n > 1", layout.header[k["respondent_id"]], "rid",
             "'รหัสผู้ตอบซ้ำกับแถวที่ ' || first_line || ' (เก็บแถวแรกไว้)'",
             "'duplicate respondent id: first seen on row ' || first_line || ' (that row is kept)'",
             ("ลบแถวที่ซ้ำ หรือแก้รหัสให้ไม่ซ้ำ", "remove the repeated row or give it its own id")),
            ("grp IS NULL", layout.header[k["group"]], "NULL", "'ไม่ได้ระบุกลุ่มบุคลากร'", "'staff group is missing'", fix_g),
            ("grp IS NOT NULL AND key IS NULL", layout.header[k["group"]], "grp", "'ไม่รู้จักกลุ่มบุคลากรนี้'",
             "'unknown staff group'", fix_g),
        ]
        for i, code in layout.codes.items():
            num = level_number(f"c{i}")
            checks.append((f"NOT {level_ok(f'c{i}')}", layout.header[i], f"c{i}",
                           f"CASE WHEN {num} IS NULL THEN 'ระดับไม่ใช่ตัวเลข' "
                           f"ELSE 'ระดับต้องเป็นเลขจำนวนเต็ม 0–4' END",
                           f"CASE WHEN {num} IS NULL THEN 'level is not a number' "
                           f"ELSE 'level must be a whole number 0-4' END", LEVEL_FIX))
        problems_sql = self._problem_sql(bad, checks)
        probs, rejected, truncated = self._finish(bad, problems_sql, layout, [])
        available = {code: level(f"r.c{i}") for i, code in layout.codes.items()}
        exprs, el_notes = unit_expressions(available, self.catalog)
        notes += el_notes
        staging = self._temp("ok")
        opt = {name: (f"nullif(trim(r.c{k[name]}), '')" if name in k else "CAST(NULL AS VARCHAR)")
               for name in ("agency", "unit", "position")}
        units_sql = ", ".join(f"{e} AS {_q(u)}" for u, e in exprs.items())
        self.cur.execute(f"""
            CREATE TEMP TABLE {staging} AS
            SELECT x.rid AS respondent_id, x.key AS staff_group, {opt['agency']} AS agency,
                   {opt['unit']} AS org_unit, {opt['position']} AS position, {units_sql}
            FROM {rows} x JOIN {raw} r ON r.rowid = x.rec
            WHERE x.rec NOT IN (SELECT rec FROM {bad})
            ORDER BY x.rec""")
        total = self.cur.execute(f"SELECT count(*) FROM {rows}").fetchone()[0]
        accepted = self.cur.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
        return Checked(layout, total, accepted, total - accepted, accepted, probs, rejected, notes, staging,
                       truncated)

    def _check_long(self, raw: str, lines: str, layout: Layout, notes: list[Notice]) -> Checked:
        k = layout.keys
        rid, grp, code, lev = (f"c{k[x]}" for x in ("respondent_id", "group", "code", "level"))
        gmap = self._group_map(raw, grp)
        codes = {c.casefold(): c for c in self.catalog.unit_codes()}
        codes.update({c.casefold(): c for c in self.catalog.element_units()})
        cmap = self._temp("cmap")
        distinct = self.cur.execute(f"SELECT DISTINCT {code} AS raw FROM {raw} WHERE {code} IS NOT NULL").df()
        distinct["code"] = [resolve_code(v, codes) for v in distinct["raw"]]
        self.cur.register(f"cmap_df_{self.tag}", distinct)
        self.cur.execute(f"CREATE TEMP TABLE {cmap} AS SELECT raw, code FROM cmap_df_{self.tag}")
        self.cur.unregister(f"cmap_df_{self.tag}")
        rows, bad = self._temp("rows"), self._temp("bad")
        self.cur.execute(f"""
            CREATE TEMP TABLE {rows} AS
            WITH base AS (
              SELECT r.rowid AS rec, l.line, nullif(trim(r.{rid}), '') AS rid, nullif(trim(r.{grp}), '') AS grp,
                     g.key, nullif(trim(r.{code}), '') AS code_raw, m.code, {level_ok('r.' + lev)} AS level_ok,
                     {clean('r.' + lev)} AS level_raw, {level('r.' + lev)} AS lvl
              FROM {raw} r JOIN {lines} l ON l.rec = r.rowid LEFT JOIN {gmap} g ON g.raw = r.{grp}
              LEFT JOIN {cmap} m ON m.raw = r.{code}
              WHERE NOT ({self._blank('r', layout)}))
            SELECT *,
              CASE WHEN rid IS NULL OR code IS NULL THEN 1
                   ELSE row_number() OVER (PARTITION BY rid, code ORDER BY rec) END AS dup_n,
              first_value(line) OVER (PARTITION BY rid, code ORDER BY rec) AS first_line,
              count(DISTINCT key) OVER (PARTITION BY rid) AS n_keys
            FROM base""")
        own_bad = "rid IS NULL OR key IS NULL OR code IS NULL OR NOT level_ok OR dup_n > 1 OR n_keys > 1"
        self.cur.execute(f"""
            CREATE TEMP TABLE {bad} AS
            WITH flagged AS (SELECT *, ({own_bad}) AS own_bad FROM {rows}),
                 resp AS (SELECT rid, min(line) FILTER (WHERE own_bad) AS bad_line FROM flagged
                          WHERE rid IS NOT NULL GROUP BY rid)
            SELECT f.*, resp.bad_line, r.* FROM flagged f LEFT JOIN resp USING (rid) JOIN {raw} r ON r.rowid = f.rec
            WHERE f.own_bad OR resp.bad_line IS NOT NULL""")
        fix_g = group_fix()
        h = layout.header
        checks = [
            ("rid IS NULL", h[k["respondent_id"]], "NULL", "'ไม่มีรหัสผู้ตอบ'", "'respondent id is missing'",
             ("ใส่รหัสผู้ตอบในทุกแถว", "fill in the respondent id on every row")),
            ("grp IS NULL", h[k["group"]], "NULL", "'ไม่ได้ระบุกลุ่มบุคลากร'", "'staff group is missing'", fix_g),
            ("grp IS NOT NULL AND key IS NULL", h[k["group"]], "grp", "'ไม่รู้จักกลุ่มบุคลากรนี้'",
             "'unknown staff group'", fix_g),
            ("n_keys > 1", h[k["group"]], "grp", "'ผู้ตอบคนเดียวกันมีกลุ่มบุคลากรต่างกันในแต่ละแถว'",
             "'the same respondent has different staff groups on different rows'",
             ("ใช้กลุ่มบุคลากรเดียวกันทุกแถวของผู้ตอบคนนี้", "use one staff group on all rows of this respondent")),
            ("code_raw IS NULL", h[k["code"]], "NULL", "'ไม่ได้ระบุรหัสหน่วยความสามารถ'", "'unit code is missing'",
             ("ใส่รหัสหน่วย เช่น DLit100", "fill in a unit code such as DLit100")),
            ("code_raw IS NOT NULL AND code IS NULL", h[k["code"]], "code_raw",
             "'ไม่มีรหัสนี้ในกรอบ ก.พ.'", "'unknown unit code (not in the OCSC framework)'",
             ("ใช้รหัสหน่วย (DLit100 … DTr300) หรือรหัสความสามารถย่อย (DLit101 …) ที่มีในกรอบ",
              "use a unit code (DLit100 ... DTr300) or element code (DLit101 ...) of the framework")),
            ("NOT level_ok", h[k["level"]], "level_raw",
             f"CASE WHEN {level_number('level_raw')} IS NULL THEN 'ระดับไม่ใช่ตัวเลข' ELSE 'ระดับต้องเป็นเลขจำนวนเต็ม 0–4' END",
             f"CASE WHEN {level_number('level_raw')} IS NULL THEN 'level is not a number' "
             "ELSE 'level must be a whole number 0-4' END", LEVEL_FIX),
            ("dup_n > 1", h[k["code"]], "code_raw",
             "'รหัสนี้ซ้ำสำหรับผู้ตอบคนเดียวกัน (แถวแรกคือแถวที่ ' || first_line || ')'",
             "'this code is repeated for the same respondent (first on row ' || first_line || ')'",
             ("ลบแถวที่ซ้ำ", "remove the repeated row")),
            (f"NOT ({own_bad}) AND bad_line IS NOT NULL", h[k["respondent_id"]], "rid",
             "'แถวอื่นของผู้ตอบคนนี้มีปัญหา (แถวที่ ' || bad_line || ') จึงไม่นำเข้าทั้งคน'",
             "'another row of this respondent has a problem (row ' || bad_line || '), so the whole respondent "
             "is rejected'",
             ("แก้แถวที่มีปัญหาแล้วอัปโหลดใหม่", "fix the row with the problem and upload again")),
        ]
        problems_sql = self._problem_sql(bad, checks)
        probs, rejected, truncated = self._finish(bad, problems_sql, layout, [])
        pivot = self._temp("pivot")
        all_codes = list(self.catalog.unit_codes()) + list(self.catalog.element_units())
        present = [c for (c,) in self.cur.execute(
            f"SELECT DISTINCT code FROM {rows} WHERE code IS NOT NULL").fetchall()]
        present = [c for c in all_codes if c in set(present)]
        aggs = ", ".join(f"max(lvl) FILTER (WHERE code = {_lit(c)}) AS {_q(c)}" for c in present)
        opt = {name: (f"max(nullif(trim(r.c{k[name]}), ''))" if name in k else "CAST(NULL AS VARCHAR)")
               for name in ("agency", "unit", "position")}
        self.cur.execute(f"""
            CREATE TEMP TABLE {pivot} AS
            SELECT x.rid, any_value(x.key) AS key, min(x.rec) AS first_rec, {opt['agency']} AS agency,
                   {opt['unit']} AS org_unit, {opt['position']} AS position{', ' + aggs if aggs else ''}
            FROM {rows} x JOIN {raw} r ON r.rowid = x.rec
            WHERE x.rec NOT IN (SELECT rec FROM {bad})
            GROUP BY x.rid""")
        exprs, el_notes = unit_expressions({c: f"p.{_q(c)}" for c in present}, self.catalog)
        notes += el_notes
        staging = self._temp("ok")
        units_sql = ", ".join(f"{e} AS {_q(u)}" for u, e in exprs.items())
        self.cur.execute(f"""
            CREATE TEMP TABLE {staging} AS
            SELECT p.rid AS respondent_id, p.key AS staff_group, p.agency, p.org_unit, p.position, {units_sql}
            FROM {pivot} p ORDER BY p.first_rec""")
        total = self.cur.execute(f"SELECT count(*) FROM {rows}").fetchone()[0]
        nbad = self.cur.execute(f"SELECT count(*) FROM {bad}").fetchone()[0]
        respondents = self.cur.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
        return Checked(layout, total, total - nbad, nbad, respondents, probs, rejected, notes, staging, truncated)

    def _add_structural(self, res: Checked, rej: str, layout: Layout) -> tuple[Checked, int]:
        """Lines DuckDB could not split into the header's columns: rejected whole, raw text kept; lines of bare
        delimiters (",,," shorter than the header) hold nothing and are only counted as blank."""
        df = self.cur.execute(f"SELECT line, csv_line, error_type, error_message FROM {rej} ORDER BY line").df()
        if df.empty:
            return res, 0
        df = df.drop_duplicates("line")
        df["csv_line"] = df["csv_line"].astype(str).str.strip("\r\n")
        empty = df["csv_line"].str.fullmatch(r"[\s,;\t\"']*")
        df = df[~empty]
        if df.empty:
            return res, int(empty.sum())
        n = len(layout.header)
        probs = pd.DataFrame({
            "row": df["line"].astype("int64"), "column": "", "value": df["csv_line"],
            "reason_th": [f"จำนวนช่องไม่ตรงกับหัวตาราง (ต้องมี {n} ช่อง)" for _ in range(len(df))],
            "reason_en": [f"wrong number of fields (the header has {n}): {m.split(chr(10))[0]}"
                          for m in df["error_message"]],
            "fix_th": "ตรวจเครื่องหมายคั่นและเครื่องหมายคำพูด (\") ในแถวนี้",
            "fix_en": "check the delimiters and quotes (\") on this row"})
        rejected = pd.DataFrame({"row": df["line"].astype("int64"), "raw_line": df["csv_line"],
                                 "reason": probs["reason_en"], "reason_th": probs["reason_th"]})
        res.problems = pd.concat([res.problems, probs], ignore_index=True).sort_values("row", kind="stable") \
            .reset_index(drop=True)
        res.rejected_rows = pd.concat([res.rejected_rows, rejected], ignore_index=True) \
            .sort_values("row", kind="stable").reset_index(drop=True)
        res.rows_read += len(df)
        res.rejected += len(df)
        return res, int(empty.sum())


def template_csv(catalog: Catalog) -> bytes:
    """The wide template (UTF-8 with BOM so Excel shows Thai): a "#" legend of levels and groups, then the header.

    Lines starting with "#" before the header are skipped on upload, so the legend can stay in the file.
    """
    codes = catalog.unit_codes()
    head = ["respondent_id", "group", "agency", "unit", "position", *codes]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    legend = ["# แบบสำรวจทักษะดิจิทัล (กรอบ ก.พ. 2561) / Digital-skills self-assessment (OCSC 2018)",
              "# ระดับ / level: " + " | ".join(f"{n} = {th} ({en})" for n, th, en in LEVELS),
              "# เว้นว่าง = ไม่ได้ประเมิน / blank = not assessed",
              "# group: " + " | ".join(f"{r.key} = {r.name_th}" for r in catalog.staff_groups().itertuples()),
              "# หนึ่งแถวต่อผู้ตอบหนึ่งคน ลบบรรทัดที่ขึ้นต้นด้วย # ได้ / one row per respondent; lines starting "
              "with # may be deleted"]
    for line in legend:
        out.write(line.replace(",", " ") + "\r\n")
    w.writerow(head)
    return out.getvalue().encode("utf-8-sig")


def levels_table() -> pd.DataFrame:
    """The five levels with Thai and English descriptions (for the template legend and the format help)."""
    return pd.DataFrame(LEVELS, columns=["level", "label_th", "label_en"])


TEMPLATE_ROWS = 5000  # rows 2..5001 of the Excel template carry the data checks


def template_xlsx(catalog: Catalog) -> bytes:
    """The wide template as an Excel workbook that prevents mistakes while typing: sheet "survey" (read on
    upload, header frozen) with a staff-group drop-down, whole numbers 0-4 only in unit columns and unique
    respondent ids; sheets "levels", "units" and "groups" explain the values (Thai and English)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    units = catalog.units()
    groups = catalog.staff_groups()
    last = TEMPLATE_ROWS + 1
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    fixed = ["respondent_id", "group", "agency", "unit", "position"]
    head = fixed + list(units["code"])
    ws.append(head)
    for i, name in enumerate(head, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = (14, 24, 22, 20, 20)[i - 1] if i <= 5 else 9.5
    notes = {
        "respondent_id": "รหัสผู้ตอบ ไม่ซ้ำกัน (บังคับ)\nRespondent id, unique (required)",
        "group": "กลุ่มบุคลากร: เลือกจากรายการ (บังคับ) ดูแผ่น groups\nStaff group: pick from the list (required); "
                 "see sheet groups",
        "agency": "หน่วยงาน (ไม่บังคับ)\nAgency (optional)",
        "unit": "สังกัด/กอง (ไม่บังคับ)\nOrganisational unit (optional)",
        "position": "ตำแหน่ง (ไม่บังคับ)\nPosition (optional)",
    }
    for u in units.itertuples():
        notes[u.code] = f"{u.name_th}\n{u.name_en}\nระดับ/level 0–4, ว่าง/blank = ไม่ได้ประเมิน/not assessed"
    for i, name in enumerate(head, start=1):
        ws.cell(row=1, column=i).comment = Comment(notes[name], "OCSC 2018", width=260, height=110)
    ws.freeze_panes = "C2"   # the header and the id / group columns stay in view
    first_unit, last_unit = get_column_letter(len(fixed) + 1), get_column_letter(len(head))

    ids = DataValidation(type="custom", formula1=f"COUNTIF($A$2:$A${last},A2)=1", allow_blank=True,
                         showErrorMessage=True, errorTitle="รหัสซ้ำ / Duplicate id",
                         error="รหัสผู้ตอบนี้มีอยู่แล้ว ใช้รหัสที่ไม่ซ้ำ / This respondent id is already used: "
                               "give each respondent their own id.")
    ids.add(f"A2:A{last}")
    values = list(groups["key"]) + list(groups["name_th"])
    grp = DataValidation(type="list", formula1=f"'groups'!$A$2:$A${len(values) + 1}", allow_blank=True,
                         showErrorMessage=True, showInputMessage=True,
                         errorTitle="กลุ่มบุคลากร / Staff group",
                         error="เลือกกลุ่มบุคลากรจากรายการ (ดูแผ่น groups) / Pick a staff group from the list "
                               "(see sheet groups).",
                         promptTitle="กลุ่มบุคลากร / Staff group",
                         prompt="เลือกจากรายการ / Pick from the list")
    grp.add(f"B2:B{last}")
    lvl = DataValidation(type="whole", operator="between", formula1="0", formula2="4", allow_blank=True,
                         showErrorMessage=True, showInputMessage=True,
                         errorTitle="ระดับ 0–4 / Level 0-4",
                         error="ระดับต้องเป็นเลขจำนวนเต็ม 0–4 หรือเว้นว่างถ้าไม่ได้ประเมิน (ดูแผ่น levels) / The level "
                               "must be a whole number 0-4, or blank if not assessed (see sheet levels).",
                         promptTitle="ระดับ / Level",
                         prompt="0–4 (ดูแผ่น levels / see sheet levels); ว่าง = ไม่ได้ประเมิน / blank = not assessed")
    lvl.add(f"{first_unit}2:{last_unit}{last}")
    for dv in (ids, grp, lvl):
        ws.add_data_validation(dv)

    lv = wb.create_sheet("levels")
    lv.append(["level", "ความหมาย", "meaning"])
    for n, th, en in LEVELS:
        lv.append([n, th, en])
    lv.append([None, "เว้นว่าง = ไม่ได้ประเมิน", "blank = not assessed"])
    lv.append([None, f"หน่วยนับว่า \"มี\" เมื่อระดับถึงเกณฑ์ (ค่าเริ่มต้น {DEFAULT_THRESHOLD})",
               f"a unit counts as met at or above the threshold (default {DEFAULT_THRESHOLD})"])
    lv.append([None, "หนึ่งแถวต่อผู้ตอบหนึ่งคนในแผ่น survey ระบบอ่านเฉพาะแผ่นงานแรก",
               "one row per respondent on sheet survey; only the first sheet is read on upload"])
    un = wb.create_sheet("units")
    un.append(["code", "group", "ชื่อหน่วยความสามารถ", "unit of capability"])
    for u in units.itertuples():
        un.append([u.code, u.group_key, u.name_th, u.name_en])
    gs = wb.create_sheet("groups")
    gs.append(["value", "group", "ชื่อไทย", "English name"])
    for g in groups.itertuples():
        gs.append([g.key, g.key, g.name_th, g.name_en])
    for g in groups.itertuples():
        gs.append([g.name_th, g.key, g.name_th, g.name_en])
    for sheet, widths in ((lv, (8, 40, 40)), (un, (10, 8, 60, 60)), (gs, (34, 14, 34, 20))):
        for i, wdt in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = wdt
            sheet.cell(row=1, column=i).font = bold
        sheet.freeze_panes = "A2"
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
