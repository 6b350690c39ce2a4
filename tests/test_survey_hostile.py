"""Hostile-input rules of the survey intake, one at a time on small files (the large files: tests/hostile/)."""

from __future__ import annotations

import tempfile
import zipfile

import pytest

from framework import survey
from framework.store import SurveyStore
from framework.survey import bounds, limits, workbook

HEADER = "respondent_id,group,agency,DLit100,DLit200"


@pytest.fixture
def store(store_con, catalog):
    return SurveyStore(store_con, catalog)


def test_mixed_utf8_and_windows_874_is_refused_naming_where_the_encoding_changes(tmp_path, store):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        (HEADER + "\n").encode()
        + "A1,Service,ตา,3,2\nA2,Service,ตา,3,2\n".encode()
        + "B1,Service,ตา,1,1\n".encode("cp874")
        + "C1,Service,ตา,2,2\n".encode()
    )
    with pytest.raises(survey.SurveyFileError) as err:
        store.ingest(path)
    assert "from line 2 UTF-8, from line 4 not UTF-8" in err.value.en and "from line 5 UTF-8" in err.value.en
    assert "ตั้งแต่บรรทัด 4" in err.value.th
    assert store.batches().empty


def test_windows_874_alone_and_utf8_alone_still_import(tmp_path, store):
    for enc in ("utf-8", "cp874"):
        path = tmp_path / f"{enc}.csv"
        # Other people in each file: the same people twice in one round would be refused as a clash.
        path.write_bytes((HEADER + f"\n{enc}-1,Service,ตา,3,2\n{enc}-2,Service,กรม,1,2\n").encode(enc))
        res = store.ingest(path)
        assert res.accepted == 2
        agencies = store.con.execute(
            "SELECT agency FROM store.responses WHERE batch_id = ? ORDER BY respondent_id", [res.batch_id]
        ).fetchall()
        assert agencies == [("ตา",), ("กรม",)]  # never stored as mojibake (เธ•เธฒ)


def test_nul_anywhere_in_a_utf16_file_is_refused(tmp_path, store):
    rows = "".join(f"R{i},Service,Dept,3,2\n" for i in range(50))
    path = tmp_path / "nul16.csv"
    path.write_bytes((HEADER + "\n" + rows + "R99,Service,W\x00NUL,3,2\n").encode("utf-16"))
    with pytest.raises(survey.SurveyFileError, match="not a CSV text file"):
        store.ingest(path)
    assert store.batches().empty


def test_every_line_is_accepted_rejected_or_counted_blank(tmp_path, catalog, store_con):
    big = "ข" * (limits.MAX_CELL_CHARS + 1)
    lines = [
        "A1,Service,Dept,3,2",
        "",
        ",,,,",
        "A2,Service,Dept,9,2",
        f"A3,Service,{big},1,1",
        "A4,Service",
        "A5,Others,Dept,4,4",
        ";;",
    ]
    path = tmp_path / "every.csv"
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    dec = survey.decode(path)
    delim, header, skip = survey.read_header(dec.path)
    cur = store_con.cursor()
    val = survey.Validator(cur, catalog)
    try:
        res = val.check(dec, survey.plan_columns(header, delim, catalog, skip))
    finally:
        val.drop()
    assert (res.rows_read, res.accepted, res.rejected, res.blank_rows) == (5, 2, 3, 3)
    assert res.rows_read + res.blank_rows == len(lines)
    big_cell = res.problems[res.problems["column"] == "agency"].iloc[0]
    assert big_cell["reason_en"] == (
        f"cell of {limits.MAX_CELL_CHARS + 1:,} characters, over the limit of "
        f"{limits.MAX_CELL_CHARS:,} (Excel's own limit)"
    )
    assert big_cell["value"].startswith("ขขข") and big_cell["value"].endswith("…") and len(big_cell["value"]) < 100
    assert "ตัวอักษร" in big_cell["reason_th"]
    cut = [v for v in res.rejected_rows["agency"] if isinstance(v, str) and v.startswith("ขขข")]
    assert len(cut) == 1 and cut[0].endswith("…") and len(cut[0]) <= 1001
    assert sorted(set(res.problems["row"])) == [5, 6, 7]  # the file's own lines, after the empty line
    assert not any("row numbers may be a little off" in n.en for n in res.notices)  # so no "may be off" notice
    assert any("Skipped 3 blank row" in n.en for n in res.notices)


def test_a_header_over_the_byte_limit_gets_the_bilingual_message_not_a_csv_error(tmp_path):
    path = tmp_path / "head.csv"
    path.write_text("respondent_id,group,\"" + "q" * (limits.MAX_HEADER_BYTES + 10) + "\"\nR1,Service,x\n")
    with pytest.raises(survey.SurveyFileError) as err:
        survey.read_header(path)
    assert "longer than 128 KB" in err.value.en and "128 KB" in err.value.th


def test_header_at_the_column_limit_is_read_and_one_more_is_refused(tmp_path, catalog):
    ok = tmp_path / "ok.csv"
    ok.write_text("respondent_id,group,DLit100," + ",".join(f"x{i}" for i in range(limits.MAX_COLUMNS - 3)) + "\n")
    assert len(survey.read_header(ok)[1]) == limits.MAX_COLUMNS
    wide = tmp_path / "wide.csv"
    wide.write_text("respondent_id,group,DLit100," + ",".join(f"x{i}" for i in range(limits.MAX_COLUMNS - 2)) + "\n")
    with pytest.raises(survey.SurveyFileError, match=f"has {limits.MAX_COLUMNS + 1} columns"):
        survey.read_header(wide)


def minimal_xlsx(path, sheet_data: str, prefix: str = "", compress: int = zipfile.ZIP_DEFLATED):
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    p = prefix
    xmlns = f'xmlns:{p[:-1]}="{ns}"' if p else f'xmlns="{ns}"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", compress) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets><sheet name="s" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f"<{p}worksheet {xmlns}><{p}sheetData>{sheet_data}</{p}sheetData></{p}worksheet>",
        )
    return path


def cells(row: int, values, prefix: str = "", refs: bool = True) -> str:
    p = prefix
    out = []
    for i, v in enumerate(values, start=1):
        ref = f' r="{bounds_letters(i)}{row}"' if refs else ""
        out.append(f'<{p}c{ref} t="inlineStr"><{p}is><{p}t>{v}</{p}t></{p}is></{p}c>')
    return f'<{p}row r="{row}">' + "".join(out) + f"</{p}row>"


def bounds_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


SURVEY = cells(1, ["respondent_id", "group", "DLit100"]) + cells(2, ["R1", "Service", "3"])


def test_a_plain_minimal_workbook_passes_the_bounds_and_imports(tmp_path, store):
    res = store.ingest(minimal_xlsx(tmp_path / "ok.xlsx", SURVEY))
    assert (res.rows_read, res.accepted) == (1, 1)


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_a_far_cell_is_refused_with_or_without_a_namespace_prefix(tmp_path, prefix):
    far = f'<{prefix}row r="3"><{prefix}c r="ZZ3"><{prefix}v>1</{prefix}v></{prefix}c></{prefix}row>'
    path = minimal_xlsx(tmp_path / "far.xlsx", cells(1, ["respondent_id", "group"], prefix) + far, prefix)
    with pytest.raises(survey.SurveyFileError, match="column 702, beyond 400 columns"):
        bounds.check_bounds(path)


def test_cells_without_references_are_counted_per_row(tmp_path):
    wide_row = "<row>" + "<c/>" * (limits.MAX_COLUMNS + 1) + "</row>"
    path = minimal_xlsx(tmp_path / "norefs.xlsx", cells(1, ["respondent_id", "group"], refs=False) + wide_row)
    with pytest.raises(survey.SurveyFileError, match=f"column {limits.MAX_COLUMNS + 1:,}"):
        bounds.check_bounds(path)
    ok_rows = "".join("<row>" + "<c><v>1</v></c>" * 40 + "</row>" for _ in range(200))
    bounds.check_bounds(minimal_xlsx(tmp_path / "ok.xlsx", ok_rows))  # many narrow rows: fine


def test_a_cell_split_into_many_short_runs_is_still_one_long_cell(tmp_path):
    runs = "".join(f"<r><t>{'x' * 1000}</t></r>" for _ in range(200))  # 200,000 characters in 200 runs
    sheet = cells(1, ["respondent_id", "group"]) + f'<row r="2"><c r="A2" t="inlineStr"><is>{runs}</is></c></row>'
    with pytest.raises(survey.SurveyFileError, match="more than 32,767 characters"):
        bounds.check_bounds(minimal_xlsx(tmp_path / "runs.xlsx", sheet))


def test_a_highly_compressed_part_is_refused_before_it_is_expanded(tmp_path):
    padding = "<row r=\"3\"/>" + " " * (8 << 20)  # 8 MB of spaces: ratio ~1000
    with pytest.raises(survey.SurveyFileError, match="compressed more than 100 times"):
        bounds.check_bounds(minimal_xlsx(tmp_path / "bomb.xlsx", SURVEY + padding))


def test_a_doctype_is_refused(tmp_path):
    path = tmp_path / "dtd.xlsx"
    minimal_xlsx(path, SURVEY)
    data = zipfile.ZipFile(path)
    out = tmp_path / "dtd2.xlsx"
    with zipfile.ZipFile(out, "w") as z:
        for info in data.infolist():
            body = data.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                body = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            z.writestr(info.filename, body)
    with pytest.raises(survey.SurveyFileError, match="damaged"):
        bounds.check_bounds(out)


def test_the_temp_csv_is_removed_when_writing_the_sheet_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "t"))
    (tmp_path / "t").mkdir()

    def boom(*args, **kwargs):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(workbook, "_write_sheet", boom)
    with pytest.raises(survey.SurveyFileError, match="cannot be opened"):
        survey.decode(minimal_xlsx(tmp_path / "ok.xlsx", SURVEY))
    assert list((tmp_path / "t").iterdir()) == []
