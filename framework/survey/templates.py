"""The survey templates users download: the wide CSV (UTF-8 with BOM, a "#" legend of levels and groups) and the
Excel workbook whose data checks prevent mistakes while typing; and the table of the five levels."""

from __future__ import annotations

import csv
import io

import pandas as pd

from framework.catalog import Catalog
from framework.survey.base import DEFAULT_THRESHOLD, LEVELS

# The one example row both templates carry: an upload ignores rows with this respondent id (and says so).
EXAMPLE_ID = "EXAMPLE-ตัวอย่าง"
EXAMPLE_NOTE = (
    f"แถวแรกใต้หัวตาราง (รหัสผู้ตอบ {EXAMPLE_ID}) เป็นตัวอย่าง: ระบบข้ามแถวนี้เมื่ออัปโหลด ลบหรือเก็บไว้ก็ได้",
    (
        f"The first row under the header (respondent id {EXAMPLE_ID}) is an example: the upload skips it; "
        "delete it or leave it"
    ),
)


def example_row(catalog: Catalog) -> list:
    """The example respondent: the first staff group, levels 0-4 in turn, one unit left blank (not assessed)."""
    codes = catalog.unit_codes()
    group = catalog.staff_groups()["key"].iloc[0]
    levels = [i % 5 for i in range(len(codes))]
    if levels:
        levels[-1] = None
    return [EXAMPLE_ID, group, "กรมตัวอย่าง (example agency)", "กองตัวอย่าง", "ตำแหน่งตัวอย่าง", *levels]


def template_csv(catalog: Catalog) -> bytes:
    """The wide template (UTF-8 with BOM so Excel shows Thai): a "#" legend of levels and groups, the header, and
    one example row (respondent id EXAMPLE_ID).

    Lines starting with "#" before the header are skipped on upload, so the legend can stay in the file; so is
    the example row (counted and reported as ignored, see survey.validate).
    """
    codes = catalog.unit_codes()
    head = ["respondent_id", "group", "agency", "unit", "position", *codes]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    legend = [
        "# แบบสำรวจทักษะดิจิทัล (กรอบ ก.พ. 2561) / Digital-skills self-assessment (OCSC 2018)",
        "# ระดับ / level: " + " | ".join(f"{n} = {th} ({en})" for n, th, en in LEVELS),
        "# เว้นว่าง = ไม่ได้ประเมิน / blank = not assessed",
        "# group: " + " | ".join(f"{r.key} = {r.name_th}" for r in catalog.staff_groups().itertuples()),
        ("# หนึ่งแถวต่อผู้ตอบหนึ่งคน ลบบรรทัดที่ขึ้นต้นด้วย # ได้ / one row per respondent; lines starting with # may be deleted"),
        f"# {EXAMPLE_NOTE[0]} / {EXAMPLE_NOTE[1]}",
    ]
    for line in legend:
        out.write(line.replace(",", " ") + "\r\n")
    w.writerow(head)
    w.writerow(["" if v is None else v for v in example_row(catalog)])
    return out.getvalue().encode("utf-8-sig")


def levels_table() -> pd.DataFrame:
    """The five levels with Thai and English descriptions (for the template legend and the format help)."""
    return pd.DataFrame(LEVELS, columns=["level", "label_th", "label_en"])


TEMPLATE_ROWS = 5000  # rows 2..5001 of the Excel template carry the data checks


def template_xlsx(catalog: Catalog) -> bytes:
    """The wide template as an Excel workbook that prevents mistakes while typing: sheet "survey" (read on
    upload, header frozen, row 2 the example row the upload ignores) with a staff-group drop-down, whole numbers 0-4 only in unit columns and unique
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
    ws.append(example_row(catalog))
    for cell in ws[2]:
        cell.font = Font(italic=True, color="7F7F7F")
    ws.cell(row=2, column=1).comment = Comment(
        f"{EXAMPLE_NOTE[0]}\n{EXAMPLE_NOTE[1]}", "OCSC 2018", width=300, height=120
    )
    ws.freeze_panes = "C2"  # the header and the id / group columns stay in view
    first_unit, last_unit = get_column_letter(len(fixed) + 1), get_column_letter(len(head))

    def check(title: str, error: str, prompt: str | None = None, **rule) -> DataValidation:
        """A cell check that refuses a wrong value with `error` (and shows `prompt` while typing, if given)."""
        hint = {"showInputMessage": True, "promptTitle": title, "prompt": prompt} if prompt else {}
        return DataValidation(allow_blank=True, showErrorMessage=True, errorTitle=title, error=error, **hint, **rule)

    ids = check(
        "รหัสซ้ำ / Duplicate id",
        "รหัสผู้ตอบนี้มีอยู่แล้ว ใช้รหัสที่ไม่ซ้ำ / This respondent id is already used: give each respondent their own id.",
        type="custom",
        formula1=f"COUNTIF($A$2:$A${last},A2)=1",
    )
    ids.add(f"A2:A{last}")
    values = list(groups["key"]) + list(groups["name_th"])
    grp = check(
        "กลุ่มบุคลากร / Staff group",
        "เลือกกลุ่มบุคลากรจากรายการ (ดูแผ่น groups) / Pick a staff group from the list (see sheet groups).",
        "เลือกจากรายการ / Pick from the list",
        type="list",
        formula1=f"'groups'!$A$2:$A${len(values) + 1}",
    )
    grp.add(f"B2:B{last}")
    lvl = check(
        "ระดับ 0–4 / Level 0-4",
        "ระดับต้องเป็นเลขจำนวนเต็ม 0–4 หรือเว้นว่างถ้าไม่ได้ประเมิน (ดูแผ่น levels) / The "
        "level must be a whole number 0-4, or blank if not assessed (see sheet levels).",
        "0–4 (ดูแผ่น levels / see sheet levels); ว่าง = ไม่ได้ประเมิน / blank = not assessed",
        type="whole",
        operator="between",
        formula1="0",
        formula2="4",
    )
    lvl.add(f"{first_unit}2:{last_unit}{last}")
    for dv in (ids, grp, lvl):
        ws.add_data_validation(dv)

    lv = wb.create_sheet("levels")
    lv.append(["level", "ความหมาย", "meaning"])
    for n, th, en in LEVELS:
        lv.append([n, th, en])
    lv.append([None, "เว้นว่าง = ไม่ได้ประเมิน", "blank = not assessed"])
    lv.append(
        [
            None,
            f"หน่วยนับว่า \"มี\" เมื่อระดับถึงระดับเป้าหมายของหน่วยงาน (ค่าตั้งต้น {DEFAULT_THRESHOLD})",
            f"a unit counts as met at or above the agency's target level (default {DEFAULT_THRESHOLD})",
        ]
    )
    lv.append(
        [
            None,
            "หนึ่งแถวต่อผู้ตอบหนึ่งคนในแผ่น survey ระบบอ่านเฉพาะแผ่นงานแรก",
            "one row per respondent on sheet survey; only the first sheet is read on upload",
        ]
    )
    lv.append([None, EXAMPLE_NOTE[0], EXAMPLE_NOTE[1]])
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
