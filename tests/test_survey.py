"""Reading and validating survey files: encodings, delimiters, layouts, every kind of bad row, Excel workbooks."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io

import openpyxl
import pytest
from conftest import FIXTURES

from framework import survey
from framework.store import SurveyStore

F = FIXTURES / "surveys"


@pytest.fixture
def store(store_con, catalog):
    return SurveyStore(store_con, catalog)


def responses(store, batch_id):
    return (
        store.con.execute("SELECT * FROM store.responses WHERE batch_id = ? ORDER BY respondent_id", [batch_id])
        .df()
        .set_index("respondent_id")
    )


@pytest.mark.parametrize(
    "name,encoding,delim",
    [
        ("wide_utf8_comma.csv", "utf-8", ","),
        ("wide_utf8bom_semicolon_th.csv", "utf-8-sig", ";"),
        ("wide_utf16_tab_th.csv", "utf-16", "\t"),
        ("wide_cp874_comma_th.csv", "windows-874", ","),
    ],
)
def test_encoding_and_delimiter_detected(name, encoding, delim):
    dec = survey.decode(F / name)
    try:
        assert dec.encoding == encoding
        got_delim, header, skip = survey.read_header(dec.path)
        assert got_delim == delim and header[:2] == ["respondent_id", "group"] and skip == 0
    finally:
        dec.cleanup()


@pytest.mark.parametrize("name", ["wide_utf8bom_semicolon_th.csv", "wide_utf16_tab_th.csv", "wide_cp874_comma_th.csv"])
def test_thai_files_resolve_every_group_and_thai_digits(store, name):
    res = store.ingest(F / name)
    assert (res.accepted, res.rejected) == (6, 0), res.problems
    df = responses(store, res.batch_id)
    assert df["staff_group"].to_dict() == {
        "T1": "Executive",
        "T2": "Management",
        "T3": "Academic",
        "T4": "Service",
        "T5": "Technologist",
        "T6": "Others",
    }
    assert df.loc["T1", "agency"] == "กรมทดสอบ"  # Thai text survives the transcoding
    assert df.loc["T6", "DLit100"] == 3 and df.loc["T6", "DLit200"] == 2  # Thai digits
    assert df["DG100"].isna().sum() == 1  # blank = not assessed


def test_english_groups_case_and_space_insensitive(store):
    res = store.ingest(F / "wide_utf8_comma.csv", agency="Fallback")
    df = responses(store, res.batch_id)
    assert df["staff_group"].tolist() == ["Executive", "Management", "Service"]
    assert df.loc["E2", "agency"] == "Fallback" and df.loc["E1", "agency"] == "Dept A"
    assert df.loc["E2", "DLit200"] is None or df["DLit200"].isna()["E2"]


def test_every_kind_of_bad_row_is_rejected_whole_with_every_problem(store):
    res = store.ingest(F / "bad_rows.csv")
    assert (res.rows_read, res.accepted, res.rejected) == (8, 1, 7)
    p = res.problems
    by_row = p.groupby("row")["reason_en"].apply(list).to_dict()
    assert by_row[3] == ["unknown staff group"]
    assert by_row[4] == ["level must be a whole number 0-4"]
    assert by_row[5] == ["level is not a number"]
    assert by_row[6] == ["respondent id is missing"]
    assert by_row[7] == ["duplicate respondent id: first seen on row 2 (that row is kept)"]
    assert sorted(by_row[8]) == ["level is not a number", "level must be a whole number 0-4", "staff group is missing"]
    assert by_row[9] == ["level must be a whole number 0-4"]
    assert set(p[p["row"] == 8]["column"]) == {"group", "DLit100", "DLit200"}
    assert p["reason_th"].str.len().gt(0).all() and p["fix_en"].str.len().gt(0).all()
    assert list(responses(store, res.batch_id).index) == ["B1"]
    rej = res.rejected_rows
    assert rej["row"].tolist() == [3, 4, 5, 6, 7, 8, 9] and rej["reason"].str.len().gt(0).all()
    assert rej.loc[rej["row"] == 5, "DLit100"].item() == "three"  # the original cell, unchanged


def test_unknown_code_column_reported_once_and_not_stored(store):
    res = store.ingest(F / "unknown_column.csv")
    assert res.accepted == 2 and res.rejected == 0
    warnings = [n for n in res.notices if n.level == "warning"]
    assert len(warnings) == 1 and warnings[0].column == "DLit800" and "NOT imported" in warnings[0].en
    assert any("Timestamp" in n.en for n in res.notices if n.level == "info")
    assert "DLit800" not in responses(store, res.batch_id).columns


def test_long_format_rejects_whole_respondent(store):
    res = store.ingest(F / "long_utf8.csv")
    assert res.source_format == "long"
    df = responses(store, res.batch_id)
    assert list(df.index) == ["L1", "L2"]
    assert df.loc["L1", "DLit100"] == 3 and df.loc["L1", "DG100"] == 2 and df.loc["L2", "staff_group"] == "Management"
    reasons = res.problems.set_index("row")["reason_en"].to_dict()
    assert reasons[5] == "level must be a whole number 0-4"
    assert reasons[6].startswith("another row of this respondent has a problem (row 5)")
    assert reasons[7] == "unknown unit code (not in the OCSC framework)"
    assert (res.rows_read, res.accepted, res.rejected, res.respondents) == (6, 3, 3, 2)


def test_element_columns_min_and_all_assessed_rule(store):
    res = store.ingest(F / "elements.csv")
    df = responses(store, res.batch_id)
    assert df.loc["X1", "DLit100"] == 2  # min of its elements 3, 2, 4
    assert df["DLit200"].isna()["X1"]  # DLit202 blank -> unit not assessed
    assert df.loc["X2", "DLit100"] == 4  # the unit cell wins over its elements
    assert df.loc["X2", "DLit200"] == 3


def test_row_numbers_count_quoted_line_breaks(store):
    res = store.ingest(F / "quoted_newline.csv")
    rows = res.problems.set_index("value")["row"].to_dict()
    assert rows == {"9": 4, "x": 8}  # as Excel / a text editor would number the lines
    assert res.accepted == 2


def test_ragged_lines_are_rejected_not_dropped(store):
    res = store.ingest(F / "ragged.csv")
    assert (res.rows_read, res.accepted, res.rejected) == (4, 2, 2)
    assert sorted(res.problems["row"].tolist()) == [3, 4]
    assert set(res.rejected_rows["raw_line"].dropna()) == {"R2,Academic,,3", "R3,Academic,,3,4,2,9"}


def test_legend_lines_before_header_are_skipped(store):
    res = store.ingest(F / "legend_template.csv")
    assert res.accepted == 1 and res.problems["row"].tolist() == [5]


@pytest.mark.parametrize(
    "name,word",
    [
        ("picture.png", "not a CSV text file nor an Excel workbook"),
        ("not_a_workbook.docx", "not a CSV text file nor an Excel workbook"),  # a zip, but no xl/workbook.xml
        ("empty.csv", "empty"),
        ("no_required.csv", "respondent_id and group"),
    ],
)
def test_unreadable_files_get_one_message_and_change_nothing(store, name, word):
    with pytest.raises(survey.SurveyFileError) as exc:
        store.ingest(F / name)
    assert word in exc.value.en and "ไม่มีข้อมูลใดถูกบันทึก" in exc.value.th
    assert store.batches().empty


def test_template_is_utf8_bom_with_levels_and_reads_back(catalog, tmp_path, store):
    data = survey.template_csv(catalog)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "ทำได้ด้วยตนเอง" in text and "Can teach others" in text and "DTr300" in text
    path = tmp_path / "t.csv"
    path.write_bytes(data + ("Z1,ผู้บริหารระดับสูง,,,,3" + "," * 38 + "\r\n").encode("utf-8"))
    res = store.ingest(path)
    assert res.accepted == 1 and res.rejected == 0


def test_levels_table_has_five_levels():
    lv = survey.levels_table()
    assert lv["level"].tolist() == [0, 1, 2, 3, 4] and lv["label_th"].str.len().gt(0).all()


# --- real-world exports --------------------------------------------------------------------------------------


def test_excel_cp874_crlf_trailing_spaces_and_blank_rows(store):
    res = store.ingest(F / "excel_cp874_crlf_blank_rows.csv")
    assert res.encoding == "windows-874"
    assert (res.rows_read, res.accepted, res.rejected) == (3, 3, 0), res.problems
    assert res.problems.empty
    assert any("Skipped 3 blank row" in n.en and "ข้ามแถวว่าง 3 แถว" in n.th for n in res.notices)
    df = responses(store, res.batch_id)
    assert df["staff_group"].to_dict() == {"A001": "Executive", "A002": "Others", "A003": "Management"}
    assert df.loc["A002", "DLit100"] == 3 and df.loc["A002", "DG100"] == 0  # Thai digits, id trimmed
    assert df.loc["A003", "DLit100"] == 3 and df["DLit200"].isna()["A003"]  # "3 " and " " cells
    assert df.loc["A001", "position"] == "ผู้อำนวยการ"


def test_google_forms_grid_headers_and_labelled_choices(store):
    res = store.ingest(F / "gforms_grid_th.csv")
    assert (res.rows_read, res.accepted, res.rejected) == (3, 2, 1), res.problems
    df = responses(store, res.batch_id)
    assert df.loc["G1", ["DLit100", "DLit200", "DG100"]].tolist() == [3, 2, 4]  # "3 - ...", label alone
    assert df.loc["G2", ["DLit100", "DLit200"]].tolist() == [4, 2] and df["DG100"].isna()["G2"]
    reasons = res.problems.set_index("value")["reason_en"].to_dict()
    assert reasons == {"3.5": "level must be a whole number 0-4", "5 - เกินระดับ": "level must be a whole number 0-4"}
    warn = [n for n in res.notices if n.level == "warning" and n.column == "ประเมินตนเอง [DLit800]"]
    assert len(warn) == 1
    ignored = [n.en for n in res.notices if n.en.startswith("Columns not used")]
    assert ignored == ["Columns not used (ignored): ประทับเวลา, ที่อยู่อีเมล"]


def test_ms_forms_id_column_loses_to_respondent_id(store):
    res = store.ingest(F / "msforms_extra_columns.csv")
    assert (res.accepted, res.rejected) == (2, 0)
    assert list(responses(store, res.batch_id).index) == ["EMP-01", "EMP-02"]
    assert any(n.en == "Columns not used (ignored): ID, Start time, Completion time, Email, Name" for n in res.notices)


def test_id_alone_still_serves_as_respondent_id(catalog):
    layout = survey.plan_columns(["ID", "group", "DLit100"], ",", catalog)
    assert layout.keys["respondent_id"] == 0 and not layout.ignored


def test_bom_sep_hint_semicolons_and_lower_case_codes(store):
    dec = survey.decode(F / "bom_sep_semicolon_lower.csv")
    try:
        assert survey.read_header(dec.path) == (";", ["respondent_id", "group", "dlit100", "DLit 200", "dg-100"], 1)
    finally:
        dec.cleanup()
    res = store.ingest(F / "bom_sep_semicolon_lower.csv")
    assert (res.rows_read, res.accepted, res.rejected) == (2, 2, 0), res.problems
    df = responses(store, res.batch_id)
    assert df.loc["S1", ["DLit100", "DLit200", "DG100"]].tolist() == [3, 2, 1]
    assert df.loc["S2", "staff_group"] == "Service" and df.loc["S2", "DLit100"] == 4


def test_long_format_lower_case_codes_and_blank_rows(store):
    res = store.ingest(F / "long_lower_blank_rows.csv")
    assert (res.rows_read, res.accepted, res.rejected, res.respondents) == (2, 2, 0, 1), res.problems
    df = responses(store, res.batch_id)
    assert df.loc["L1", "DLit100"] == 3 and df.loc["L1", "DG100"] == 2


def test_header_only_file_is_unreadable_and_stores_nothing(store):
    with pytest.raises(survey.SurveyFileError) as exc:
        store.ingest(F / "header_only.csv")
    assert "no answer rows" in exc.value.en and "ไม่มีแถวคำตอบ" in exc.value.th
    assert store.batches().empty


def test_missing_columns_message_shows_the_files_header(catalog):
    with pytest.raises(survey.SurveyFileError) as exc:
        survey.plan_columns(["ประทับเวลา", "ชื่อ", "กลุ่มงาน"], ",", catalog)
    assert "(missing: respondent_id, group)" in exc.value.en and "ประทับเวลา, ชื่อ, กลุ่มงาน" in exc.value.en
    assert "ไม่พบ: respondent_id, group" in exc.value.th and "ประทับเวลา, ชื่อ, กลุ่มงาน" in exc.value.th


def test_rejected_rows_carry_thai_and_english_reasons(store):
    res = store.ingest(F / "bad_rows.csv")
    row3 = res.rejected_rows.set_index("row").loc[3]
    assert row3["reason"] == "group: unknown staff group" and row3["reason_th"] == "group: ไม่รู้จักกลุ่มบุคลากรนี้"


def test_short_rows_of_bare_delimiters_are_blank_and_ragged_crlf_lines_keep_clean_text(store):
    res = store.ingest(F / "crlf_short_blank_rows.csv")
    assert (res.rows_read, res.accepted, res.rejected) == (3, 2, 1)
    assert res.problems["row"].tolist() == [5]
    assert res.rejected_rows["raw_line"].tolist() == ["B,Others,1"]  # no stray line break from CRLF
    # ",,", the empty line and ";;": every one of the 6 lines under the header is accounted for
    assert any("Skipped 3 blank row" in n.en for n in res.notices)


# --- Excel workbooks ---------------------------------------------------------------------------------------


def workbook(tmp_path, rows, name="book.xlsx", title="survey"):
    """An .xlsx written at run time with openpyxl: rows as lists (None = empty cell, [] = empty row)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(row=r, column=c, value=v)
    path = tmp_path / name
    wb.save(path)
    return path


def test_xlsx_first_sheet_becomes_utf8_csv_as_excel_would_save_it(tmp_path):
    dec = survey.decode(F / "wide_th.xlsx", workdir=tmp_path)
    try:
        assert (dec.encoding, dec.sheet, dec.other_sheets, dec.lines) == ("xlsx", "แบบสำรวจ", ["notes"], 7)
        assert dec.content_hash == survey.file_hash(F / "wide_th.xlsx") and dec.temp
        text = dec.path.read_text(encoding="utf-8")
    finally:
        dec.cleanup()
    assert text == (
        "respondent_id,group,agency,unit,position,DLit100,DLit200,DG100,วันที่ส่ง submitted\n"  # header line break
        "X1,ผู้บริหารระดับสูง,กรมทดสอบ,กองกลาง,ผู้อำนวยการ,3,4,2,2025-06-30\n"  # date as ISO
        'X2,Service,,"กอง\nคลัง",,3,2,,2025-06-30 10:30:00\n'  # 3.0 -> 3, formula -> its saved value 2
        ",,,,,,,,\n"  # empty row kept: later row numbers stay right
        "X3,Technologist,,,,7,1,1,\n1001,Others,,,,๔,0,1,\nX5,Nobody,,,,1,1,1,\n"
    )  # formatted tail rows left out
    assert list(tmp_path.iterdir()) == []  # the temp CSV is removed


def test_xlsx_ingest_validates_like_csv_with_excel_row_numbers(store):
    res = store.ingest(F / "wide_th.xlsx")
    assert (res.rows_read, res.accepted, res.rejected, res.encoding, res.source_format) == (5, 3, 2, "xlsx", "wide")
    assert res.problems[["row", "column", "value"]].values.tolist() == [[5, "DLit100", "7"], [7, "group", "Nobody"]]
    assert res.rejected_rows["row"].tolist() == [5, 7]
    df = responses(store, res.batch_id)
    assert list(df.index) == ["1001", "X1", "X2"]  # a numeric id is text "1001", not "1001.0"
    assert df.loc["X1", ["staff_group", "agency", "org_unit", "position"]].tolist() == [
        "Executive",
        "กรมทดสอบ",
        "กองกลาง",
        "ผู้อำนวยการ",
    ]
    assert df.loc["X2", ["DLit100", "DLit200"]].tolist() == [3, 2] and df["DG100"].isna()["X2"]
    assert df.loc["1001", "DLit100"] == 4  # Thai digit typed as text
    assert "N1" not in df.index  # the second sheet is never read
    texts = [n.en for n in res.notices]
    assert 'Read the first worksheet "แบบสำรวจ" of the Excel workbook (other sheets not read: notes).' in texts
    assert any(n.th.startswith('อ่านแผ่นงานแรก "แบบสำรวจ"') for n in res.notices)
    assert any(t.startswith("Skipped 1 blank row") for t in texts)
    b = store.batches().iloc[0]
    assert (b["encoding"], b["source_format"], b["rows_read"]) == ("xlsx", "wide", 5)
    again = store.ingest(F / "wide_th.xlsx")
    assert again.duplicate and again.batch_id == res.batch_id and len(store.batches()) == 1


@pytest.mark.parametrize(
    "name,word_en,word_th",
    [
        ("damaged.xlsx", "damaged, incomplete or password-protected", "ไฟล์เสียหาย"),
        ("truncated.xlsx", "damaged, incomplete or password-protected", "ไฟล์เสียหาย"),
        ("empty_first_sheet.xlsx", 'first worksheet "ว่าง" of this Excel workbook is empty', 'แผ่นงานแรก "ว่าง"'),
        ("no_sheet.xlsx", "no worksheet with cells", "ไม่มีแผ่นงาน"),
        ("old_excel.xls", "old-format Excel file (.xls", "Excel รุ่นเก่า (.xls"),
        ("encrypted.xlsx", "password-protected (encrypted)", "ตั้งรหัสผ่าน"),
    ],
)
def test_unreadable_workbooks_get_one_bilingual_message_and_change_nothing(store, tmp_path, name, word_en, word_th):
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(survey.SurveyFileError) as exc:
        survey.decode(F / name, workdir=work)
    assert word_en in exc.value.en and word_th in exc.value.th
    assert "Nothing was stored" in exc.value.en and "ไม่มีข้อมูลใดถูกบันทึก" in exc.value.th
    assert "upload" in exc.value.en and "อัปโหลด" in exc.value.th  # says how to fix it
    assert list(work.iterdir()) == []  # no temp CSV left behind
    with pytest.raises(survey.SurveyFileError):
        store.ingest(F / name)
    assert store.batches().empty


def test_xlsx_header_below_title_and_blank_rows_keeps_sheet_row_numbers(store, tmp_path):
    path = workbook(
        tmp_path,
        [
            ["# แบบสำรวจทักษะดิจิทัล", "ระดับ 0-4", "x", "y", "z"],  # row 1: a legend row, as in the CSV template
            [],  # row 2: empty
            ["respondent_id", "group", "DLit100"],  # row 3: header
            ["A", "Service", 3],  # row 4
            [],  # row 5: empty
            ["B", "Service", 9],  # row 6: bad
        ],
    )
    res = store.ingest(path)
    assert (res.rows_read, res.accepted, res.rejected) == (2, 1, 1)
    assert res.problems["row"].tolist() == [6]
    assert not any(n.en.startswith("Columns not used") for n in res.notices)  # the wide legend row adds no column


def test_xlsx_row_wider_than_header_is_read_whole_not_cut(store, tmp_path):
    path = workbook(
        tmp_path,
        [
            ["respondent_id", "group", "DLit100"],
            ["A", "Service", 3],
            ["B", "Others", 2, None, "note beyond the header"],
        ],
    )
    dec = survey.decode(path)
    try:
        lines = dec.path.read_text(encoding="utf-8").splitlines()
    finally:
        dec.cleanup()
    assert lines == ["respondent_id,group,DLit100,,", "A,Service,3,,", "B,Others,2,,note beyond the header"]
    res = store.ingest(path)
    assert (res.accepted, res.rejected) == (2, 0)


def test_xlsx_long_layout_and_file_named_csv(store, tmp_path):
    path = workbook(
        tmp_path,
        [
            ["respondent_id", "group", "code", "level"],
            ["L1", "Academic", "DLit100", 3],
            ["L1", "Academic", "dg100", 2.0],
        ],
        name="export.csv",
    )  # named .csv, bytes are xlsx
    res = store.ingest(path)
    assert (res.source_format, res.encoding, res.respondents) == ("long", "xlsx", 1)
    assert responses(store, res.batch_id).loc["L1", ["DLit100", "DG100"]].tolist() == [3, 2]


@pytest.mark.parametrize(
    "value,text",
    [
        (None, ""),
        (3, "3"),
        (3.0, "3"),
        (2.5, "2.5"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.3"),
        (1001.0, "1001"),
        (True, "TRUE"),
        (dt.date(2025, 6, 30), "2025-06-30"),
        (dt.datetime(2025, 6, 30), "2025-06-30"),
        (dt.datetime(2025, 6, 30, 8, 5), "2025-06-30 08:05:00"),
        (dt.time(8, 5), "08:05:00"),
        ("๓", "๓"),
    ],
)
def test_cell_text_as_excel_saves_csv(value, text):
    assert survey.cell_text(value) == text


def test_committed_xlsx_fixtures_are_what_make_fixtures_writes():
    spec = importlib.util.spec_from_file_location("make_survey_fixtures", F / "make_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # defines functions only; writing needs main()
    files = mod.xlsx_fixtures()
    assert files == mod.xlsx_fixtures()  # byte-for-byte reproducible
    for name, data in files.items():
        assert (F / name).read_bytes() == data, name


# --- the Excel template ------------------------------------------------------------------------------------


def test_xlsx_template_sheets_header_and_explanations(catalog):
    wb = openpyxl.load_workbook(io.BytesIO(survey.template_xlsx(catalog)))
    assert wb.sheetnames == ["survey", "levels", "units", "groups"]
    ws = wb["survey"]
    codes = catalog.unit_codes()
    assert [c.value for c in ws[1]] == ["respondent_id", "group", "agency", "unit", "position", *codes]
    assert ws.max_row == 2 and ws["A2"].value == "EXAMPLE-ตัวอย่าง" and ws.freeze_panes == "C2"  # + example row
    assert ws.column_dimensions["B"].width >= 20 and ws.cell(1, 6).comment is not None
    assert "Digital" in ws.cell(1, 6).comment.text or ws.cell(1, 6).comment.text.count("\n") >= 2
    levels = [[c.value for c in r] for r in wb["levels"].iter_rows(min_row=2, max_row=6)]
    assert levels == [[n, th, en] for n, th, en in survey.LEVELS]
    units = [[c.value for c in r] for r in wb["units"].iter_rows(min_row=2)]
    u = catalog.units()
    assert [r[0] for r in units] == codes and units[0][2:] == [u.iloc[0]["name_th"], u.iloc[0]["name_en"]]
    values = [r[0].value for r in wb["groups"].iter_rows(min_row=2)]
    g = catalog.staff_groups()
    assert values == list(g["key"]) + list(g["name_th"])
    aliases = catalog.staff_group_aliases()
    from framework.catalog import normalise_label

    assert all(normalise_label(v) in aliases for v in values)  # every choice is accepted on upload


def test_xlsx_template_validations(catalog):
    ws = openpyxl.load_workbook(io.BytesIO(survey.template_xlsx(catalog)))["survey"]
    last_col = openpyxl.utils.get_column_letter(5 + len(catalog.unit_codes()))
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert set(dvs) == {"A2:A5001", "B2:B5001", f"F2:{last_col}5001"}
    grp = dvs["B2:B5001"]
    assert grp.type == "list" and grp.formula1 == "'groups'!$A$2:$A$13" and grp.showErrorMessage
    lvl = dvs[f"F2:{last_col}5001"]
    assert (lvl.type, lvl.operator, lvl.formula1, lvl.formula2) == ("whole", "between", "0", "4")
    assert lvl.showErrorMessage and lvl.allow_blank
    assert "ระดับต้องเป็นเลขจำนวนเต็ม 0–4" in lvl.error and "whole number 0-4" in lvl.error
    ids = dvs["A2:A5001"]
    assert ids.type == "custom" and ids.formula1.startswith("COUNTIF($A$2:$A$5001,A2)")
    for dv in dvs.values():  # Excel refuses to open longer texts
        assert len(dv.error or "") <= 255 and len(dv.prompt or "") <= 255
        assert len(dv.errorTitle or "") <= 32 and len(dv.promptTitle or "") <= 32


def test_xlsx_template_filled_with_two_rows_imports_end_to_end(catalog, store, tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(survey.template_xlsx(catalog)))
    ws = wb["survey"]
    ws.append(["P1", "ผู้ปฏิบัติงานเฉพาะด้านเทคโนโลยี", "กรมทดสอบ", "กองเทคโนโลยี", "นักวิชาการคอมพิวเตอร์", 3, 4])
    ws.append(["P2", "Management", None, None, None, 2, None, 1])
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    res = store.ingest(path)
    assert (res.rows_read, res.accepted, res.rejected, res.encoding) == (2, 2, 0, "xlsx"), res.problems
    df = responses(store, res.batch_id)
    assert df["staff_group"].to_dict() == {"P1": "Technologist", "P2": "Management"}
    assert df.loc["P1", ["DLit100", "DLit200"]].tolist() == [3, 4] and df["DLit200"].isna()["P2"]
    assert df.loc["P2", "DLit300"] == 1 and df.loc["P1", "org_unit"] == "กองเทคโนโลยี"
    assert any("other sheets not read: levels, units, groups" in n.en for n in res.notices)
