"""The templates' example row (respondent id EXAMPLE-ตัวอย่าง): shown in both templates, ignored on upload and
reported (counted: not rejected, not silently lost)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from framework import survey
from framework.store import SurveyStore
from framework.survey.templates import EXAMPLE_ID, EXAMPLE_NOTE


@pytest.fixture
def store(store_con, catalog):
    return SurveyStore(store_con, catalog)


def _row(catalog, rid: str, level: str) -> str:
    codes = catalog.unit_codes()
    return ",".join([rid, "Management", "", "", "", level] + [""] * (len(codes) - 1)) + "\r\n"


def test_both_templates_carry_the_example_row_and_say_so(catalog):
    text = survey.template_csv(catalog).decode("utf-8-sig")
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("respondent_id,"))
    assert lines[header + 1].startswith(EXAMPLE_ID + ",") and len(lines) == header + 2
    assert EXAMPLE_NOTE[0].replace(",", " ") in text and "the upload skips it" in text
    wb = openpyxl.load_workbook(io.BytesIO(survey.template_xlsx(catalog)))
    ws = wb["survey"]
    assert ws["A2"].value == EXAMPLE_ID and ws["B2"].value == catalog.staff_groups()["key"].iloc[0]
    assert "upload skips it" in ws["A2"].comment.text
    assert any(EXAMPLE_NOTE[1] in (r[2] or "") for r in wb["levels"].iter_rows(values_only=True))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_as_downloaded_stores_nothing_and_names_the_example_row(catalog, store, tmp_path, kind):
    path = tmp_path / f"template.{kind}"
    path.write_bytes(survey.template_csv(catalog) if kind == "csv" else survey.template_xlsx(catalog))
    with pytest.raises(survey.SurveyFileError) as exc:
        store.ingest(path)
    assert "example row" in exc.value.en and EXAMPLE_ID in exc.value.th and "ไม่มีข้อมูลใดถูกบันทึก" in exc.value.th
    assert store.batches().empty
    assert store.con.execute("SELECT count(*) FROM store.responses").fetchone()[0] == 0


def test_filled_csv_template_ignores_the_example_row_counts_it_and_keeps_row_numbers(catalog, store, tmp_path):
    data = survey.template_csv(catalog).decode("utf-8-sig")
    data += _row(catalog, "P1", "3") + _row(catalog, "P2", "9")
    path = tmp_path / "filled.csv"
    path.write_bytes(data.encode("utf-8-sig"))
    res = store.ingest(path)
    assert (res.rows_read, res.accepted, res.rejected, res.respondents) == (2, 1, 1, 1)
    notes = [n.en for n in res.notices if "example row" in n.en]
    assert notes == [f"Ignored 1 example row(s) of the template (respondent id {EXAMPLE_ID}): not imported."]
    bad_line = data.splitlines().index(_row(catalog, "P2", "9").rstrip("\r\n")) + 1
    assert res.problems["row"].tolist() == [bad_line]  # row numbers still those of the file
    stored = store.con.execute("SELECT respondent_id FROM store.responses").fetchall()
    assert stored == [("P1",)]


def test_filled_xlsx_template_ignores_the_example_row(catalog, store, tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(survey.template_xlsx(catalog)))
    wb["survey"].append(["P1", "Management", None, None, None, 2])
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    res = store.ingest(path)
    assert (res.rows_read, res.accepted, res.rejected) == (1, 1, 0)
    assert any("example row" in n.en for n in res.notices)
