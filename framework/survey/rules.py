"""The survey file-format rules, written once, in Thai and English: the upload page shows `markdown(lang)` and
README's "Survey CSV format" section holds `markdown("en")` between its `rules:begin` / `rules:end` marks
(a test keeps the two equal). The limits are filled in from `limits.py`, so text and checks cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from framework.survey.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_HEADER_BYTES,
    MAX_LINE_BYTES,
    MAX_UNZIPPED_BYTES,
    MAX_XLSX_ROWS,
    mb,
)


@dataclass(frozen=True)
class Rule:
    title_th: str
    title_en: str
    th: str
    en: str


RULES = (
    Rule(
        "แบบกว้าง (แม่แบบ)",
        "Wide layout (the template)",
        "หนึ่งแถวต่อผู้ตอบหนึ่งคน คอลัมน์ที่ต้องมี `respondent_id` (ไม่ซ้ำกันในไฟล์), `group` (กลุ่มบุคลากร); ไม่บังคับ "
        "`agency` (ถ้าว่างใช้หน่วยงานของชุดข้อมูล), `unit`, `position`; และหนึ่งคอลัมน์ต่อรหัสหน่วยความสามารถ "
        "(`DLit100` … `DTr300`) ที่เก็บระดับ",
        "One row per respondent. Required columns `respondent_id` (unique within the file) and `group` (staff "
        "group); optional `agency` (defaults to the batch's agency), `unit`, `position`; one column per unit code "
        "(`DLit100` … `DTr300`) holding a level.",
    ),
    Rule(
        "แบบยาว",
        "Long layout",
        "คอลัมน์ `respondent_id`, `group`, `code`, `level` (+ `agency`, `unit`) หนึ่งแถวต่อหนึ่งหน่วย",
        "Columns `respondent_id`, `group`, `code`, `level` (+ optional `agency`, `unit`), one row per unit.",
    ),
    Rule(
        "กลุ่มบุคลากร",
        "Staff groups",
        "`Executive`, `Management`, `Academic`, `Service`, `Technologist`, `Others` หรือชื่อภาษาไทยและชื่อที่เอกสาร "
        "ใช้ (เช่น ผู้บริหารระดับสูง, ผู้อำนวยการกอง, ผู้ปฏิบัติงานด้านเทคโนโลยี) ไม่สนตัวพิมพ์และช่องว่าง "
        "(ตารางชื่อที่รับได้อยู่ด้านล่าง)",
        "`Executive`, `Management`, `Academic`, `Service`, `Technologist`, `Others`, or the Thai names and variants "
        "the document uses (e.g. ผู้บริหารระดับสูง, ผู้อำนวยการกอง, ผู้ปฏิบัติงานด้านเทคโนโลยี); case- and "
        "space-insensitive (the upload page lists every accepted name).",
    ),
    Rule(
        "ระดับ",
        "Levels",
        "เลขจำนวนเต็ม 0–4 (เลขไทยได้): 0 ยังไม่มีความรู้/ทักษะ · 1 รู้จัก/เข้าใจ · 2 ทำได้เมื่อมีผู้แนะนำ · "
        "3 ทำได้ด้วยตนเอง · 4 สอนผู้อื่นได้ เว้นว่าง = ไม่ได้ประเมิน หน่วยนับว่า \"มี\" เมื่อระดับถึงระดับเป้าหมาย "
        "ของหน่วยงาน (ค่าตั้งต้น 3 ทุกหน่วย HR ตั้งระดับอื่นต่อบทบาทและหน่วยได้ที่หน้าบทบาท; หน้าวิเคราะห์เลือกใช้ระดับเดียว "
        "1–4 ทุกหน่วยแทนได้)",
        "Whole numbers 0–4 (Thai digits accepted): `0` not yet · `1` aware · `2` can do with guidance · `3` can do "
        "independently · `4` can teach others; blank = not assessed. A unit counts as *met* at or above the "
        "agency's target level for it (default 3 for every unit; HR may set another per role profile and unit "
        "on /profiles, and the analysis views may use one level 1–4 for every unit instead).",
    ),
    Rule(
        "คอลัมน์ความสามารถย่อย",
        "Element columns",
        "(`DLit101` …) ใช้ได้: ระดับของหน่วย = ระดับต่ำสุดของความสามารถย่อย โดยต้องประเมินครบทุกความสามารถย่อยของหน่วย "
        "มิฉะนั้นถือว่าหน่วยนั้นไม่ได้ประเมิน; ถ้ามีค่าในคอลัมน์ของหน่วยเอง ใช้ค่านั้นแทน",
        "(`DLit101` …) are accepted: a unit's level is the **minimum** of its elements' levels, only when every "
        "element of the unit is assessed (otherwise the unit is not assessed); a non-blank unit cell wins over its "
        "elements.",
    ),
    Rule(
        "การตรวจสอบ — ไม่มีแถวใดหายเงียบ",
        "Validation — no row is lost silently",
        "แถวที่มีช่องผิดแม้ช่องเดียว (กลุ่มไม่รู้จัก ระดับไม่ใช่ 0–4 ไม่มีรหัสผู้ตอบ ช่องยาวเกินขีดจำกัด) ไม่นำเข้าทั้งแถว "
        "และแจ้งทุกปัญหา (แถวตามเลขใน Excel คอลัมน์ ค่า เหตุผล วิธีแก้) ดาวน์โหลดแถวที่ไม่รับพร้อมเหตุผลได้; "
        "รหัสผู้ตอบซ้ำ เก็บแถวแรก แถวหลังไม่นำเข้า; คอลัมน์ที่ดูเหมือนรหัสแต่ไม่มีในกรอบ (เช่น DLit800) แจ้งครั้งเดียว"
        "เป็นคำเตือนเด่นชัด ค่าในคอลัมน์นั้นไม่ถูกนำเข้า ส่วนอื่นของแถวนำเข้าตามปกติ; คอลัมน์อื่นที่ไม่รู้จัก "
        "(เช่น เวลาประทับ) ข้ามไปและแจ้งชื่อ; แถวว่าง (เช่น ,,,,) ถูกข้ามและแจ้งจำนวน ทุกบรรทัดจึงถูกนับ: "
        "รับเข้า ไม่รับพร้อมเหตุผล หรือแถวว่าง การนำเข้าแต่ละครั้งเป็นธุรกรรมเดียว (ทั้งหมดหรือไม่มีเลย) "
        "อัปโหลดไฟล์เดิมซ้ำจะถูกตรวจพบและไม่นับซ้ำ ชุดข้อมูลเก็บชื่อไฟล์ ค่าแฮช หน่วยงาน ระยะ วันที่รอบสำรวจ เวลานำเข้า "
        "และจำนวนแถว ดูรายการและลบได้ (ต้องใช้รหัสผ่าน HR)",
        "A row with any invalid cell (unknown group, level not 0–4 or not a number, missing respondent id, a cell "
        "over the size limit) is rejected whole, with every problem listed (row as Excel numbers it, column, "
        "value, reason, how to fix); the rejected rows download with their reasons. A duplicate respondent id keeps "
        "the first row and rejects later ones. A column that looks like a unit code but is not in the framework "
        "(e.g. `DLit800`) is reported once as a prominent warning and its values are not imported (the rest of "
        "each row is); other unknown columns (e.g. a time stamp) are ignored and listed. Blank rows (e.g. `,,,,`) "
        "are skipped and counted: every line is accepted, rejected with a reason, or counted as blank. Each import "
        "is one transaction (all or nothing); uploading the same file again (same SHA-256) is detected and not "
        "counted twice. Batches carry file name, hash, agency, the agency's stage, the survey round date, upload time "
        "and row counts; they can be listed and deleted (HR passphrase).",
    ),
    Rule(
        "ไฟล์ CSV",
        "CSV files",
        "รหัส UTF-8 (มีหรือไม่มี BOM), UTF-16 หรือ Windows-874/TIS-620 (ตรวจอัตโนมัติ) ไฟล์ที่ใช้รหัสอักขระปนกัน "
        "(เช่น แถว UTF-8 ต่อด้วยแถว Windows-874) ถูกปฏิเสธโดยแจ้งเลขบรรทัดที่รหัสเปลี่ยน; ไฟล์ที่มีอักขระ NUL "
        "ถูกปฏิเสธ คั่นด้วย , ; หรือแท็บ (ตรวจอัตโนมัติ) เข้าใจบรรทัด `sep=;` ของ Excel บรรทัดที่ขึ้นต้นด้วย # "
        "ก่อนหัวตารางถูกข้าม เลขแถวที่แจ้งตรงกับใน Excel (หัวตาราง = แถว 1)",
        "UTF-8 (with or without BOM), UTF-16 (BOM) or Windows-874/TIS-620, detected automatically; a file that "
        "mixes encodings (e.g. UTF-8 rows followed by Windows-874 rows) is refused, naming the lines where the "
        "encoding changes, and so is a file with NUL characters. Separated by comma, semicolon or tab (detected); "
        "Excel's `sep=;` first line is understood; lines starting with # before the header are skipped. Row "
        "numbers are as Excel shows them (header = row 1).",
    ),
    Rule(
        "Excel",
        "Excel",
        "อัปโหลดสมุดงาน (.xlsx) ได้โดยตรง ระบบอ่านเฉพาะ**แผ่นงานแรก** (หัวตารางในแถวแรก) สูตรใช้ค่าที่คำนวณและบันทึกไว้ "
        "เลขแถวที่แจ้งตรงกับแถวในแผ่นงาน แม่แบบ Excel มีรายการให้เลือกกลุ่มบุคลากรและรับเฉพาะระดับ 0–4 "
        "ไฟล์ .xls รุ่นเก่า (Excel 97–2003) ให้ \"บันทึกเป็น\" .xlsx หรือ CSV UTF-8 ก่อน ไฟล์ที่ตั้งรหัสผ่านต้องเอารหัสผ่านออกก่อน",
        "Workbooks (.xlsx) can be uploaded directly; only the **first worksheet** is read (header on its first "
        "row), formulas count with the values Excel saved, and row numbers are the sheet's. The Excel template "
        "offers a staff-group drop-down and accepts only levels 0–4. Save old .xls files (Excel 97–2003) as .xlsx "
        "or CSV UTF-8 first; remove a workbook's password before uploading.",
    ),
    Rule(
        "Google Forms / Microsoft Forms",
        "Google Forms / Microsoft Forms",
        "ใช้ไฟล์ส่งออกได้โดยตรง: คอลัมน์เวลาประทับ อีเมล ชื่อ และ ID ของ MS Forms ถูกข้าม (คอลัมน์ `respondent_id` "
        "ชนะคอลัมน์ `ID`); หัวคอลัมน์แบบตารางกริด เช่น `ประเมินตนเอง [DLit100]` หรือ `DLit100 การรู้ดิจิทัล` "
        "อ่านเป็นรหัส DLit100 (ไม่สนตัวพิมพ์และช่องว่าง เช่น `dlit100`, `DLit 100`); ตัวเลือกที่มีคำอธิบาย เช่น "
        "`3 - ทำได้ด้วยตนเอง` หรือคำอธิบายระดับอย่างเดียว (ไทยหรืออังกฤษ) อ่านเป็นระดับนั้น",
        "Exports work as they are: time stamp, e-mail, name and the MS Forms ID columns are ignored (a "
        "`respondent_id` column wins over `ID`); grid headers such as `Self-assessment [DLit100]` or "
        "`DLit100 Digital literacy` are read as DLit100 (case- and space-insensitive: `dlit100`, `DLit 100`); "
        "labelled choices such as `3 - Can do independently`, or a level's label alone (Thai or English), are read "
        "as that level.",
    ),
    Rule(
        "ขีดจำกัด",
        "Limits",
        f"ไม่เกิน {MAX_COLUMNS} คอลัมน์ หัวตารางยาวไม่เกิน {mb(MAX_HEADER_BYTES)} ช่องหนึ่งไม่เกิน "
        f"{MAX_CELL_CHARS:,} ตัวอักษร (เท่าที่ Excel เก็บได้; แถวที่มีช่องยาวกว่านี้ไม่ถูกรับ) บรรทัดหนึ่งไม่เกิน "
        f"{mb(MAX_LINE_BYTES)}; สมุดงาน Excel: แผ่นงานแรกไม่เกิน {MAX_XLSX_ROWS:,} แถว และเมื่อคลายการบีบอัดไม่เกิน "
        f"{mb(MAX_UNZIPPED_BYTES)} ไฟล์ที่เกินขีดจำกัดถูกปฏิเสธทั้งไฟล์พร้อมข้อความบอกวิธีแก้ ไม่มีข้อมูลใดถูกบันทึก",
        f"At most {MAX_COLUMNS} columns, a header line of at most {mb(MAX_HEADER_BYTES)}, "
        f"{MAX_CELL_CHARS:,} characters in a cell (Excel's own limit; a row with a longer cell is rejected) and "
        f"{mb(MAX_LINE_BYTES)} on a line; an Excel workbook's first worksheet at most {MAX_XLSX_ROWS:,} rows and "
        f"{mb(MAX_UNZIPPED_BYTES)} decompressed. A file beyond a limit is refused whole with a message saying "
        "how to fix it; nothing is stored.",
    ),
)


def markdown(lang: str) -> str:
    """The rules as Markdown paragraphs in "th" or "en"."""
    if lang == "en":
        return "\n\n".join(f"**{r.title_en}**: {r.en}" for r in RULES)
    return "\n\n".join(f"**{r.title_th}** {r.th}" for r in RULES)
