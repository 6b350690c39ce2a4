"""AppTest of the download helpers: buttons, file names, mime types, and the bytes each click makes."""

from __future__ import annotations

import io
import json
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from conftest import FIXTURES
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from framework.outputs import export

SCRIPT = str(FIXTURES / "export" / "downloads_app.py")


@pytest.fixture
def deferred(monkeypatch):
    """file id -> (file name, mime, callable) of every deferred download the script registered."""
    seen: dict[str, tuple] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kw)
        seen[file_id] = (file_name, mimetype, data_callable)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return seen


def _buttons(at, deferred) -> dict[str, tuple]:
    out = {}
    for b in at.get("download_button"):
        p = b.proto
        assert p.deferred_file_id, f"{p.label}: file should be made on click, not on every rerun"
        out[p.id.rsplit("-", 1)[-1]] = (p.label, *deferred[p.deferred_file_id])
    return out


def test_table_and_chart_buttons_have_names_and_mimes(deferred):
    at = AppTest.from_file(SCRIPT, default_timeout=30).run()
    assert not at.exception
    got = _buttons(at, deferred)
    names = {k: v[1] for k, v in got.items()}
    assert re.fullmatch(r"coverage_data_[0-9a-f]{8}\.csv\.zip", names["dl_table_csv"])
    assert got["dl_table_csv"][2] == "application/zip"
    assert got["dl_table_xlsx"][2] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert got["dl_table_parquet"][2] == "application/vnd.apache.parquet"
    assert re.fullmatch(r"coverage_shown_[0-9a-f]{8}\.xlsx", names["dl_table_shown_xlsx"])
    assert re.fullmatch(r"coverage-chart_[0-9a-f]{8}\.png", names["dl_chart_png"])
    assert got["dl_chart_png"][2] == "image/png" and got["dl_chart_html"][2] == "text/html"
    assert names["dl_chart_png"][:-4] == names["dl_chart_html"][:-5]  # same settings, same name
    assert all(n.isascii() and "/" not in n and len(n) <= 64 for n in names.values())
    assert got["dl_table_csv"][0] == "ดาวน์โหลด CSV (ไฟล์ ZIP)"  # Thai by default
    helps = {b.proto.id.rsplit("-", 1)[-1]: b.proto.help for b in at.get("download_button")}
    assert "stage-Early" in helps["dl_table_csv"] and "agency-กรม-ทดสอบ" in helps["dl_table_csv"]


def test_other_filters_give_another_name(deferred):
    first = AppTest.from_file(SCRIPT, default_timeout=30).run()
    a = {k: v[1] for k, v in _buttons(first, deferred).items()}
    other = AppTest.from_file(SCRIPT, default_timeout=30)
    other.session_state["dl_filters"] = {"stage": "Early", "agency": "กรม/ทดสอบ", "threshold": 3, "min_cell": 6}
    other.run()
    b = {k: v[1] for k, v in _buttons(other, deferred).items()}
    assert a["dl_table_xlsx"] != b["dl_table_xlsx"] and a["dl_chart_png"] == b["dl_chart_png"]


def test_english_labels(deferred):
    at = AppTest.from_file(SCRIPT, default_timeout=30)
    at.session_state["lang"] = "en"
    at.run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:7] == [
        "Download CSV (ZIP file)",
        "Download Excel",
        "Download Parquet",
        "Download CSV (ZIP file) (as shown)",
        "Download Excel (as shown)",
        "Download PNG",
        "Download HTML",
    ]


@pytest.mark.parametrize(
    "lang, total, group, code, unit",
    [("th", "ทั้งหมด", "ผู้บริหารระดับสูง", "รหัส", "หน่วยความสามารถ"), ("en", "All", "Executive", "Code", "Unit")],
)
def test_shown_excel_is_the_wide_table_named_in_the_page_language(deferred, catalog, lang, total, group, code, unit):
    at = AppTest.from_file(SCRIPT, default_timeout=30)
    at.session_state["lang"] = lang
    at.run()
    got = _buttons(at, deferred)
    ws = openpyxl.load_workbook(io.BytesIO(got["dl_cov_shown_xlsx"][3]()))["coverage-grid"]
    rows = list(ws.iter_rows(values_only=True))
    name = catalog.units().set_index("code").loc["DLit100", "name_en" if lang == "en" else "name_th"]
    assert rows[0] == (code, unit, group, total)
    assert rows[1] == ("DLit100", name, None, pytest.approx(7 / 9))  # hidden cell empty, never 0
    assert ws["D2"].number_format == "0.0%"
    data = pd.read_csv(
        io.BytesIO(zipfile.ZipFile(io.BytesIO(got["dl_cov_csv"][3]())).read("data.csv")),
        encoding="utf-8-sig",
        dtype=str,
        keep_default_na=False,
    )
    assert data["met"].tolist() == ["", "7", "", "2"]  # counts as integers, hidden empty


def test_clicked_files_hold_the_table_guarded_and_the_settings(deferred):
    at = AppTest.from_file(SCRIPT, default_timeout=30).run()
    got = _buttons(at, deferred)
    bundle = got["dl_table_csv"][3]()
    assert zipfile.ZipFile(io.BytesIO(bundle)).namelist() == ["data.csv", "settings.json", "settings.csv"]
    assert export.csv_zip_settings(bundle)["settings_hash"] in got["dl_table_csv"][1]
    csv = zipfile.ZipFile(io.BytesIO(bundle)).read("data.csv")
    assert csv.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert back["name_th"].tolist() == ["เข้าถึงและตระหนักรู้ดิจิทัล", "ทดสอบ", "'@SUM(A1)"]
    assert back["code"].tolist()[1:] == ["'=HYPERLINK(\"http://x\")", "'-5"]
    assert back["n"].tolist() == [12, -3, 7]

    wb = openpyxl.load_workbook(io.BytesIO(got["dl_table_xlsx"][3]()))
    assert wb.sheetnames == ["coverage", "settings"]
    link = wb["coverage"]["A3"]
    assert (link.value, link.data_type, link.quotePrefix) == ("=HYPERLINK(\"http://x\")", "s", True)
    assert wb["coverage"]["C3"].value == -3 and wb["coverage"]["B2"].value == "เข้าถึงและตระหนักรู้ดิจิทัล"
    settings = {r[0]: r[3] for r in wb["settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["threshold"] == "3" and settings["min_cell"] == "5"
    assert settings["filters"] == "stage=Early; agency=กรม/ทดสอบ"
    assert len(settings["framework_version"]) >= 8  # from Catalog.meta()["source_sha256"]
    assert settings["circular"]

    pq = got["dl_table_parquet"][3]()
    assert pd.read_parquet(io.BytesIO(pq))["code"].tolist()[1] == "=HYPERLINK(\"http://x\")"  # data, not a sheet
    assert export.parquet_settings(pq)["min_cell"] == 5


def test_chart_html_is_offline(deferred):
    at = AppTest.from_file(SCRIPT, default_timeout=30).run()
    html = _buttons(at, deferred)["dl_chart_html"][3]().decode("utf-8")
    thai = "ความครอบคลุม"
    assert thai in html or json.dumps(thai)[1:-1] in html  # plotly escapes non-ASCII in its JSON
    assert "<script src=\"https://cdn" not in html and "plotly.js v" in html
    assert "<title>ความครอบคลุม</title>" in html
    assert "Filters: stage=Early" in html and "Framework version" in html  # traceable to the screen


@pytest.mark.slow
def test_chart_png_renders_on_click(deferred):
    at = AppTest.from_file(SCRIPT, default_timeout=30).run()
    png = _buttons(at, deferred)["dl_chart_png"][3]()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
