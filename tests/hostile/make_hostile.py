"""Builds the hostile survey files of issue 11 into a folder at test time (none is committed: some expand to
hundreds of MB). `python tests/hostile/make_hostile.py DIR` writes them all; tests call `build(name, DIR)`.

Each builder streams what it writes, so making a file never needs the memory the file is meant to blow up.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

HEADER = "respondent_id,group,agency,DLit100,DLit200"
MB = 1 << 20

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def header_row() -> str:
    cells = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>' for col, name in zip("ABCDE", HEADER.split(","))
    )
    return f'<row r="1">{cells}</row>'


def answer_row(r: int) -> str:
    return (
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>R{r}</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><t>Service</t></is></c><c r="D{r}"><v>3</v></c></row>'
    )


def xlsx(path: Path, sheet_parts, shared_parts=(), dimension: str | None = "A1:E3") -> Path:
    """A minimal workbook whose sheet1.xml / sharedStrings.xml are written from the given string iterables."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(SHEET_OPEN.encode())
            if dimension:
                f.write(f'<dimension ref="{dimension}"/>'.encode())
            f.write(b"<sheetData>")
            for part in sheet_parts:
                f.write(part.encode())
            f.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            for part in shared_parts:
                f.write(part.encode() if isinstance(part, str) else part)
            f.write(b"</sst>")
    return path


# --- the files ---------------------------------------------------------------------------------------------


def xlsx_cell_at_xfd1048576(path: Path) -> Path:
    """A 2 KB workbook: a real header and answers, plus one cell at XFD1048576 (the last cell Excel has)."""
    return xlsx(
        path, [header_row(), answer_row(2), answer_row(3), '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>']
    )


def xlsx_no_dimension_wide(path: Path) -> Path:
    """No <dimension>; 60,000 rows each with a cell in column 1,000 (ALL): ~5 MB of sheet XML."""
    rows = (
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>R{r}</t></is></c><c r="ALL{r}"><v>1</v></c></row>'
        for r in range(2, 60_002)
    )
    return xlsx(path, [header_row(), *rows], dimension=None)


def xlsx_no_dimension_long(path: Path) -> Path:
    """No <dimension>, cells without an r= reference, 300,000 rows: more rows than a workbook may bring."""
    rows = (
        f'<row><c t="inlineStr"><is><t>R{r}</t></is></c><c t="inlineStr"><is><t>Service</t></is></c>'
        f'<c/><c><v>3</v></c></row>'
        for r in range(2, 300_002)
    )
    return xlsx(path, [header_row(), *rows], dimension=None)


def xlsx_400mb_cell(path: Path) -> Path:
    """~0.4 MB on disk: one shared string of 400 MB (the "header but no answer rows" case of the issue)."""

    def shared():
        yield '<si><t>'
        for _ in range(400):
            yield b"x" * MB
        yield '</t></si>'

    return xlsx(
        path, [header_row(), answer_row(2).replace('<c r="D2"><v>3</v></c>', '<c r="C2" t="s"><v>0</v></c>')], shared()
    )


def xlsx_long_inline_cell(path: Path) -> Path:
    """A small workbook whose agency cell holds 40,000 characters inline: not a bomb, just over Excel's limit."""
    big = "ก" * 40_000
    row = answer_row(2).replace("</row>", f'<c r="C2" t="inlineStr"><is><t>{big}</t></is></c></row>')
    return xlsx(path, [header_row(), row])


def csv_100k_columns(path: Path) -> Path:
    """A header of 100,000 unit-code-like columns (~800 KB on one line)."""
    path.write_text(
        "respondent_id,group," + ",".join(f"DLit{i}" for i in range(100_000)) + "\nR1,Service\n", encoding="utf-8"
    )
    return path


def csv_1000_columns(path: Path) -> Path:
    """A short header line (4 KB) with 1,000 columns: more than a survey can have."""
    path.write_text("respondent_id,group," + ",".join(f"x{i}" for i in range(998)) + "\nR1,Service\n", encoding="utf-8")
    return path


def csv_header_200kb(path: Path) -> Path:
    """One header cell of 200 KB (Python's csv module stops at 128 KB with a raw _csv.Error)."""
    path.write_text("respondent_id,group,DLit100," + "z" * (200 << 10) + "\nR1,Service,3,\n", encoding="utf-8")
    return path


def csv_row_50mb(path: Path) -> Path:
    """Ten ordinary rows and one whose agency cell is 50 MB: 11 rows read, 10 accepted, 1 rejected."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\n")
        f.writelines(f"R{i},Service,Dept,3,2\n" for i in range(1, 6))
        f.write("BIG,Service,")
        f.writelines("y" * MB for _ in range(50))
        f.write(",3,2\n")
        f.writelines(f"R{i},Service,Dept,1,4\n" for i in range(6, 11))
    return path


def csv_line_70mb(path: Path) -> Path:
    """One line of 70 MB: longer than any line is read; refused, naming the line."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\nR1,Service,Dept,3,2\nBIG,Service,")
        f.writelines("y" * MB for _ in range(70))
        f.write(",3,2\n")
    return path


def csv_mixed_utf8_cp874(path: Path) -> Path:
    """UTF-8 rows with the agency "ตา" (lines 2-4), then Windows-874 rows (lines 5-7): one file, two encodings."""
    utf8 = "".join(f"U{i},Service,ตา,3,2\n" for i in range(3)).encode("utf-8")
    cp874 = "".join(f"W{i},Service,ตา,1,4\n" for i in range(3)).encode("cp874")
    path.write_bytes((HEADER + "\n").encode() + utf8 + cp874)
    return path


def csv_utf16_nul(path: Path) -> Path:
    """UTF-16 (BOM) with a NUL character inside an agency cell."""
    path.write_bytes((HEADER + "\nR1,Service,W\x00NUL,3,2\nR2,Service,Dept,1,1\n").encode("utf-16"))
    return path


BUILDERS = {
    "xfd1048576.xlsx": xlsx_cell_at_xfd1048576,
    "no_dimension_wide.xlsx": xlsx_no_dimension_wide,
    "no_dimension_long.xlsx": xlsx_no_dimension_long,
    "cell_400mb.xlsx": xlsx_400mb_cell,
    "inline_cell_40k.xlsx": xlsx_long_inline_cell,
    "columns_100k.csv": csv_100k_columns,
    "columns_1000.csv": csv_1000_columns,
    "header_200kb.csv": csv_header_200kb,
    "row_50mb.csv": csv_row_50mb,
    "line_70mb.csv": csv_line_70mb,
    "mixed_utf8_cp874.csv": csv_mixed_utf8_cp874,
    "utf16_nul.csv": csv_utf16_nul,
}


def build(name: str, folder: Path) -> Path:
    """Write one hostile file into `folder` (once; later calls reuse it) and return its path."""
    path = Path(folder) / name
    if not path.exists():
        BUILDERS[name](path)
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    for name in BUILDERS:
        p = build(name, out)
        print(f"{p}  {p.stat().st_size:,} bytes")
