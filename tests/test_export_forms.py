"""Export names (short, ASCII, settings hash), settings in every format, and the data / as-shown forms."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import zipfile

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import FIXTURES

from framework import analysis, db
from framework.outputs import export

META = {"source_sha256": "0123456789ab", "circular": "ที่ นร 1008/ว 14"}
LONG_AGENCY = "กรมส่งเสริมการปกครองท้องถิ่น กระทรวงมหาดไทย " * 5


def _settings(filters, **kw):
    return export.settings(META, "coverage", filters, threshold=3, min_cell=5, **kw)


def test_names_are_short_ascii_and_differ_when_any_setting_differs():
    a = _settings({"agency": LONG_AGENCY + "ก", "stage": "Early"})
    b = _settings({"agency": LONG_AGENCY + "ข", "stage": "Early"})  # same first 180 bytes, other agency
    na, nb = export.export_name(a, "xlsx"), export.export_name(b, "xlsx")
    assert na != nb
    for name in (na, nb):
        assert name.isascii() and len(name) <= 64 and re.fullmatch(r"coverage_[0-9a-f]{8}\.xlsx", name)
    assert export.export_name(
        _settings({"agency": LONG_AGENCY + "ก", "stage": "Early"}, form="data"), "xlsx"
    ) != export.export_name(_settings({"agency": LONG_AGENCY + "ก", "stage": "Early"}, form="shown"), "xlsx")
    other_k = export.settings(
        META, "coverage", {"agency": LONG_AGENCY + "ก", "stage": "Early"}, threshold=3, min_cell=6
    )
    assert export.export_name(other_k, "xlsx") != na


def test_same_settings_same_name_whatever_the_time():
    early = _settings({"stage": "Early"}, exported_at=dt.datetime(2025, 1, 1, 8))
    late = _settings({"stage": "Early"}, exported_at=dt.datetime(2025, 6, 1, 17))
    assert export.export_name(early, "csv.zip") == export.export_name(late, "csv.zip")
    assert early["settings_hash"] == export.settings_hash(export.restamp(early))


@pytest.mark.parametrize("key", ["rounds", "round"])
def test_name_carries_the_round_under_either_key(key):
    s = _settings({key: "2025-01-15+2025-06-30", "agency": "กรมทดสอบ"}, form="data")
    assert re.fullmatch(r"coverage_r2025-01-15-2025-06-30_data_[0-9a-f]{8}\.csv\.zip", export.export_name(s, "csv.zip"))
    thai_round = _settings({key: ["รอบแรก"]})
    assert re.fullmatch(r"coverage_[0-9a-f]{8}\.png", export.export_name(thai_round, "png"))  # no half letters


def _seed_coverage(tmp_path) -> pd.DataFrame:
    sys.path.insert(0, str(FIXTURES / "export"))
    from export_seed import seed

    seed(tmp_path / "s.duckdb")
    con = db.connect(tmp_path / "s.duckdb", read_only=True)
    try:
        return analysis.coverage(con, analysis.Filters(min_cell=5), stage="Developing", by="group")
    finally:
        con.close()


@pytest.fixture
def cov(tmp_path):
    return _seed_coverage(tmp_path).drop(columns=["unit_ord", "is_total"])


def test_every_format_carries_the_full_settings(cov):
    s = _settings({"agency": LONG_AGENCY, "rounds": "2025-01-15"}, form="data")
    bundle = export.file_bytes("csv", cov, s)
    z = zipfile.ZipFile(io.BytesIO(bundle))
    assert z.namelist() == ["data.csv", "settings.json", "settings.csv"]
    got = json.loads(z.read("settings.json"))
    assert (
        got["filters"] == {"agency": LONG_AGENCY, "rounds": "2025-01-15"} and got["settings_hash"] == s["settings_hash"]
    )
    assert got["rows"] == str(len(cov)) and got["min_cell"] == 5
    table = pd.read_csv(io.BytesIO(z.read("settings.csv")), encoding="utf-8-sig")
    assert LONG_AGENCY.strip() in table.set_index("setting").loc["filters", "value"]

    meta = pq.read_schema(io.BytesIO(export.file_bytes("parquet", cov, s))).metadata
    assert json.loads(meta[b"skills.settings"].decode("utf-8"))["filters"]["agency"] == LONG_AGENCY

    wb = openpyxl.load_workbook(io.BytesIO(export.file_bytes("xlsx", cov, s)))
    sheet = {r[0]: r[3] for r in wb["settings"].iter_rows(min_row=2, values_only=True)}
    assert sheet["settings_hash"] == s["settings_hash"] and LONG_AGENCY.strip() in sheet["filters"]
    assert sheet["form"].startswith("data")


def test_data_form_counts_are_integers_and_hidden_cells_empty(cov):
    s = _settings({"stage": "Developing"}, form="data")
    csv = zipfile.ZipFile(io.BytesIO(export.file_bytes("csv", cov, s))).read("data.csv").decode("utf-8-sig")
    lines = csv.splitlines()
    header = lines[0].split(",")
    met = [line.split(",")[header.index("met")] for line in lines[1:]]
    assert all(v == "" or re.fullmatch(r"\d+", v) for v in met), met[:5]  # 7, never 7.0
    assert met.count("") == cov["met"].isna().sum() > 0  # hidden: empty, never 0

    wb = openpyxl.load_workbook(io.BytesIO(export.file_bytes("xlsx", cov, s)))
    ws = wb["coverage"]
    cols = [c.value for c in ws[1]]
    shown = [r for r in ws.iter_rows(min_row=2) if r[cols.index("met")].value is not None]
    assert shown and all(isinstance(r[cols.index("met")].value, int) for r in shown)
    assert all(r[cols.index("coverage")].number_format == "0.0%" for r in shown)
    hidden = [r for r in ws.iter_rows(min_row=2) if r[cols.index("hidden")].value == "small"]
    assert hidden and all(
        r[cols.index("met")].value is None and r[cols.index("coverage")].value is None for r in hidden
    )

    back = pd.read_parquet(io.BytesIO(export.file_bytes("parquet", cov, s)))
    assert str(back["met"].dtype) == "Int64" and back["met"].isna().sum() == cov["met"].isna().sum()


def test_shown_form_is_wide_with_names_and_percentages(cov):
    names = {"DLit100": "เข้าถึงและตระหนักรู้ดิจิทัล"}
    assert list(export.shown_form(cov, names).columns[:2]) == ["รหัส", "หน่วยความสามารถ"]  # headers as on screen
    wide = export.shown_form(cov, names, {"Service": "บริการ"}, lang="en").rename(
        columns={"Code": "code", "Unit": "unit"}
    )
    assert "บริการ" in wide.columns
    assert wide["code"].tolist() == list(dict.fromkeys(cov["code"]))  # framework order kept
    assert len(wide) == cov["code"].nunique()
    row = wide[wide["code"] == "DLit100"].iloc[0]
    assert row["unit"] == names["DLit100"] and pd.isna(row["บริการ"])  # Service is hidden (k = 5)
    tech = cov[(cov["code"] == "DLit100") & (cov["key"] == "(all)")]["coverage"].iloc[0]
    assert row["(all)"] == pytest.approx(tech) and not pd.isna(tech)

    s = _settings({"stage": "Developing"}, form="shown")
    csv = zipfile.ZipFile(io.BytesIO(export.file_bytes("csv", wide, s, form="shown"))).read("data.csv")
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    dl = back[back["code"] == "DLit100"].iloc[0]
    assert dl["(all)"] == f"{tech:.1%}" and dl["บริการ"] == ""
    ws = openpyxl.load_workbook(io.BytesIO(export.file_bytes("xlsx", wide, s, form="shown")))["coverage"]
    cols = [c.value for c in ws[1]]
    cell = ws.cell(row=2 + wide.index[wide["code"] == "DLit100"][0], column=1 + cols.index("(all)"))
    assert cell.value == pytest.approx(tech) and cell.number_format == "0.0%"
    with pytest.raises(ValueError, match="no shown form"):
        export.file_bytes("parquet", wide, s, form="shown")


def test_shown_form_of_readiness_puts_stages_across():
    ready = pd.DataFrame(
        {
            "by": "group",
            "key": ["A", "A", "B", "B"],
            "stage": ["Early", "Developing"] * 2,
            "n": [9, 9, 3, 3],
            "readiness": [0.5, 0.25, None, None],
            "hidden": [None, None, "small", "small"],
        }
    )
    wide = export.shown_form(ready, lang="en").rename(columns={"Group": "key"})
    assert list(wide.columns) == ["key", "Early", "Developing"] and wide["key"].tolist() == ["A", "B"]
    assert wide.loc[1, ["Early", "Developing"]].isna().all()
    assert wide.attrs["percent_columns"] == ["Early", "Developing"]


def test_row_level_access_is_in_the_name():
    s = export.settings(META, "sql", {"access": "row-level"}, threshold=3, min_cell=5, form="data")
    assert re.fullmatch(r"sql_row-level_data_[0-9a-f]{8}\.parquet", export.export_name(s, "parquet"))
