"""framework.outputs.export: round trips of every format, Thai intact, formula injection, file names, settings, charts."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from framework import analysis
from framework.outputs import export, figure_files

THAI = "เข้าถึงและตระหนักรู้ดิจิทัล ๑๒๓"
INJECTIONS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\tX", "\r=X", "=cmd|' /C calc'!A0"]


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["DLit100", "DG200", "ไทย"],
            "name_th": [THAI, "การกำกับดูแลข้อมูล", None],
            "n": [12, -3, 0],
            "share": [0.5, -0.25, None],
            "required": [True, False, True],
        }
    )


def meta() -> dict:
    return {"source_sha256": "0123456789ab", "circular": "ที่ นร 1008/ว 14"}


def test_csv_round_trip_has_bom_and_thai():
    df = frame()
    data = export.to_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["name_th"].iloc[0] == THAI
    assert back["code"].tolist() == df["code"].tolist()
    assert back["n"].tolist() == [12, -3, 0]  # negative numbers stay numbers
    assert back["share"].iloc[1] == -0.25
    assert back["share"].isna().iloc[2]


def test_xlsx_round_trip_one_sheet_per_table_and_settings():
    df = frame()
    s = export.settings(
        meta(),
        "coverage",
        {"stage": "Early", "agency": ["กรม ก", "กรม ข"], "unit": None},
        threshold=3,
        min_cell=5,
        exported_at=dt.datetime(2025, 3, 1, 10, 30),
    )
    data = export.to_xlsx({"coverage": df, "definitions": pd.DataFrame({"term": ["k"]})}, s)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["coverage", "definitions", "settings"]
    back = pd.read_excel(io.BytesIO(data), sheet_name="coverage")
    assert back["name_th"].iloc[0] == THAI
    assert back["n"].tolist() == [12, -3, 0]
    assert back["required"].tolist() == [True, False, True]
    assert wb["coverage"]["C3"].data_type == "n" and wb["coverage"]["C3"].value == -3
    settings = {r[0]: r[3] for r in wb["settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["filters"] == "stage=Early; agency=กรม ก+กรม ข"
    assert settings["threshold"] == "3" and settings["min_cell"] == "5"
    assert settings["suppression"].startswith("k = 5: ") and "ผู้ตอบน้อยกว่า 5 คน" in settings["suppression"]
    assert "under 5 respondents" in settings["suppression"]
    assert settings["framework_version"] == "0123456789ab"
    assert settings["circular"] == "ที่ นร 1008/ว 14"
    assert settings["exported_at"] == "2025-03-01T10:30:00"
    assert settings["rows"] == "coverage: 3, definitions: 1"


def test_parquet_round_trip_keeps_types_and_settings():
    df = frame()
    data = export.to_parquet(df, {"view": "units", "min_cell": 5})
    back = pd.read_parquet(io.BytesIO(data))
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    assert back["n"].dtype.kind == "i"
    assert export.parquet_settings(data) == {"view": "units", "min_cell": 5}


def test_parquet_keeps_list_columns(catalog):
    stages = catalog.stages()
    back = pd.read_parquet(io.BytesIO(export.to_parquet(stages)))
    assert [list(v) for v in back["variants"]] == [list(v) for v in stages["variants"]]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_is_neutralised_in_csv_and_xlsx(text):
    df = pd.DataFrame({"value": [text], "n": [-7]})
    csv = pd.read_csv(io.BytesIO(export.to_csv(df)), encoding="utf-8-sig", keep_default_na=False)
    assert csv["value"].iloc[0].replace("\r", "\n").startswith("'")
    assert csv["n"].iloc[0] == -7
    data = export.to_xlsx({"t": df})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cell = wb["t"]["A2"]
    assert cell.data_type == "s"  # text, never a formula
    assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    same = text.replace("\r", "\n")  # XML turns a bare CR into LF
    assert cell.value.replace("\r", "\n") == same  # shown and read back exactly, no added '
    assert wb["t"]["B2"].value == -7 and wb["t"]["B2"].data_type == "n" and not wb["t"]["B2"].quotePrefix
    assert pd.read_excel(io.BytesIO(data), sheet_name="t")["value"].iloc[0].replace("\r", "\n") == same
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula element anywhere


def test_injection_in_headers_and_lists_and_harmless_text_untouched():
    df = pd.DataFrame({"=HEADER": ["a-b", "ok=1"], "items": [["=x", "y"], []]})
    out = export.spreadsheet_frame(df)
    assert list(out.columns) == ["'=HEADER", "items"]
    assert out["'=HEADER"].tolist() == ["a-b", "ok=1"]  # only a leading sign is dangerous
    assert out["items"].tolist() == ["'=x; y", ""]
    ws = openpyxl.load_workbook(io.BytesIO(export.to_xlsx({"t": df})))["t"]
    assert "f" not in [c.data_type for row in ws for c in row]
    assert (ws["A1"].value, ws["A1"].quotePrefix) == ("=HEADER", True)
    assert (ws["B2"].value, ws["B2"].quotePrefix) == ("=x; y", True)
    assert (ws["A3"].value, ws["A3"].quotePrefix) == ("ok=1", False)  # harmless text left plain


def test_xlsx_survives_control_characters_and_timestamps():
    df = pd.DataFrame({"t": ["a\x01b"], "when": [pd.Timestamp("2025-01-02 03:04", tz="Asia/Bangkok")]})
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx({"t": df})))
    assert wb["t"]["A2"].value == "a\ufffdb"
    assert wb["t"]["B2"].value == dt.datetime(2025, 1, 2, 3, 4)


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert export.sheet_name("a/b:c?", taken) == "a-b-c-"
    long = "x" * 40
    first, second = export.sheet_name(long, taken), export.sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second


def test_file_names_carry_view_filters_date_and_no_separators():
    """filename() (the CLI's and the IDP page's long name) stays safe, and never ends in half a syllable."""
    name = export.filename(
        "coverage",
        {"stage": "Early", "agency": "กรม/ทดสอบ\\..", "unit": None, "group": ["Service", "Academic"]},
        "xlsx",
        day=dt.date(2025, 2, 3),
    )
    assert (
        name == "coverage_stage-Early_agency-กรม-ทดสอบ_group-Service+Academic_2025-02-03.xlsx"
        or name == "coverage_stage-Early_agency-กรม-ทดสอบ_group-Service-Academic_2025-02-03.xlsx"
    )
    assert "/" not in name and "\\" not in name and ".." not in name
    long = export.filename("ก" * 200, {"x": "ข" * 200}, "csv", day=dt.date(2025, 2, 3))
    assert len(long.encode("utf-8")) <= 180 and long.endswith("_2025-02-03.csv")
    assert export.filename("../../etc/passwd", None, "csv", day=dt.date(2025, 2, 3)) == "etc-passwd_2025-02-03.csv"
    cut = export.filename("v", {"agency": "กิ" * 100}, "csv", day=dt.date(2025, 2, 3))  # cut would end on a vowel mark
    assert not unicodedata.category(cut.rsplit("_", 1)[0][-1]).startswith("M")


def test_table_bytes_refuses_unknown_format():
    with pytest.raises(ValueError, match="unknown export format"):
        export.table_bytes("docx", frame())


def test_suppressed_coverage_stays_suppressed_in_every_format(tmp_path):
    """The frames analysis returns are exported as they are: hidden cells stay empty, never 0."""
    import sys

    from conftest import FIXTURES

    sys.path.insert(0, str(FIXTURES / "export"))
    from export_seed import seed

    from framework import db

    seed(tmp_path / "s.duckdb")
    con = db.connect(tmp_path / "s.duckdb", read_only=True)
    cov = analysis.coverage(con, analysis.Filters(min_cell=5), stage="Developing", by="group")
    con.close()
    service = cov[(cov["key"] == "Service") & (cov["code"] == "DLit100")]
    assert service["hidden"].iloc[0] == "small" and service["met"].isna().all()
    s = export.settings(meta(), "coverage", {"stage": "Developing"}, threshold=3, min_cell=5)
    csv = pd.read_csv(io.BytesIO(export.to_csv(cov)), encoding="utf-8-sig")
    xlsx = pd.read_excel(io.BytesIO(export.to_xlsx({"coverage": cov}, s)), sheet_name="coverage")
    pq = pd.read_parquet(io.BytesIO(export.to_parquet(cov, s)))
    for back in (csv, xlsx, pq):
        rows = back[(back["key"] == "Service") & (back["code"] == "DLit100")]
        assert rows["met"].isna().all() and rows["coverage"].isna().all()
        assert (back["hidden"].fillna("") == "small").sum() == (cov["hidden"] == "small").sum()
        assert back["met"].isna().sum() == cov["met"].isna().sum()


def test_chart_html_is_standalone():
    fig = go.Figure(go.Bar(x=["การรู้ดิจิทัล"], y=[1]))
    html = figure_files.chart_html(fig).decode("utf-8")
    assert html.lower().startswith("<!doctype html>") and 'charset="utf-8"' in html
    assert "plotly.js v" in html and "<script src=" not in html  # no network needed
    assert "<title>chart</title>" in html and "skills-export-settings" not in html


def test_chart_html_is_titled_and_states_its_settings():
    fig = go.Figure(go.Bar(x=["ก"], y=[1]), layout={"title": "ความครอบคลุม <b>ระยะ</b> & k"})
    s = export.settings(
        meta(),
        "coverage",
        {"stage": "Early", "agency": ["<script>alert(1)</script>"]},
        threshold=3,
        min_cell=5,
        exported_at=dt.datetime(2025, 3, 1, 10, 30),
    )
    html = figure_files.chart_html(fig, s).decode("utf-8")
    assert "<title>ความครอบคลุม ระยะ &amp; k</title>" in html
    assert html.index('charset="utf-8"') < html.index("<title>")
    footer = html[html.index('class="skills-export-settings"') : html.index("</body>")]
    assert "ตัวกรอง / Filters: stage=Early; agency=&lt;script&gt;alert(1)&lt;/script&gt;" in footer
    for text in ("k = 5", "0123456789ab", "2025-03-01T10:30:00", "View: coverage", "Threshold"):
        assert text in footer, text
    assert "<script>alert" not in html


@pytest.mark.slow
def test_chart_png_renders_thai():
    fig = go.Figure(go.Bar(x=["การรู้ดิจิทัล", "ธรรมาภิบาล"], y=[3, 5]), layout={"title": "ความครอบคลุม"})
    png = figure_files.chart_png(fig, width=600, height=400, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.size == (600, 400)


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_xlsx_with_an_all_empty_text_column(dtype):
    """e.g. coverage's `hidden` column when no cell is hidden: the sheet is written, cells left empty."""
    df = pd.DataFrame({"code": ["DLit100", "DG100"], "hidden": pd.Series([None, None], dtype=dtype)})
    back = pd.read_excel(io.BytesIO(export.to_xlsx({"t": df})), sheet_name="t")
    assert back["code"].tolist() == ["DLit100", "DG100"] and back["hidden"].isna().all()


def test_export_time_is_thai_time_whatever_the_server_clock(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    s = export.settings({"source_sha256": "x", "circular": "y"}, "units")
    assert s["exported_at"].endswith("+07:00")
