"""AppTest of the upload page: passphrase gate, upload with problems, duplicate, delete with confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import FIXTURES, ROOT
from streamlit.testing.v1 import AppTest

F = FIXTURES / "surveys"


@pytest.fixture(autouse=True)
def _page_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "page.duckdb"))
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    monkeypatch.setenv("SKILLS_DEMO", "0")  # start from an empty store, as an agency's production install does
    # shell.menu() links pages relative to app.py, which AppTest.from_file("pages/...") cannot resolve.
    from ui import shell

    monkeypatch.setattr(shell, "menu", lambda: None)


def page(lang="th") -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=30)
    at.session_state["lang"] = lang
    return at.run()


def frame(at: AppTest, column: str):
    """The first table on the page that has `column` (st.dataframe keys are not queryable in AppTest)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    return found[0] if found else None


AGENCY, ROUND = "กรมทดสอบ", dt.date(2025, 6, 30)


def fill(at: AppTest, agency: str = AGENCY, stage: str = "Early", day: dt.date = ROUND) -> AppTest:
    """Choose the batch's agency, stage and round (nothing is chosen for the user)."""
    known = at.get("selectbox")
    if any(w.key == "up_agency" for w in known) and agency in at.selectbox(key="up_agency").options:
        at.selectbox(key="up_agency").set_value(agency).run()
    else:
        if any(w.key == "up_agency" for w in known):
            at.selectbox(key="up_agency").set_value("\u2795").run()
        at.text_input(key="up_agency_new").input(agency).run()
    at.selectbox(key="up_stage").set_value(stage)
    return at.date_input(key="up_round").set_value(day).run()


def upload(at: AppTest, name: str, as_name: str | None = None) -> AppTest:
    if "up_round" not in at.session_state or at.date_input(key="up_round").value is None:
        fill(at)
    at.file_uploader(key="up_file").set_value((as_name or name, (F / name).read_bytes(), "text/csv")).run()
    return at.button(key="up_go").click().run()


def test_local_mode_upload_shows_counts_problems_and_downloads():
    at = page("en")
    assert not at.exception
    assert any("local single-user mode" in i.body for i in at.info)
    at = upload(at, "bad_rows.csv")
    assert not at.exception
    assert [m.value for m in at.metric] == ["8", "1", "7"]
    problems = frame(at, "How to fix")
    assert list(problems.columns) == ["Row", "Column", "Value", "Reason", "How to fix"]
    assert problems["Row"].tolist()[0] == 3 and "unknown staff group" in problems["Reason"].tolist()
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the rejected rows (with reasons)" in labels and "Download the CSV template" in labels
    assert frame(at, "Batch").shape[0] == 1


def test_thai_labels_and_stage_options():
    at = page("th")
    sb = at.selectbox(key="up_stage")
    assert sb.options == ["ระยะเริ่มแรก", "ระยะกำลังพัฒนา", "ระยะสมบูรณ์"]
    at = upload(at, "wide_cp874_comma_th.csv")
    assert [m.value for m in at.metric] == ["6", "6", "0"] and "windows-874" in at.success[0].body


def test_unknown_column_warning_and_duplicate_upload():
    at = upload(page("en"), "unknown_column.csv")
    assert any("DLit800" in w.body and "NOT imported" in w.body for w in at.warning)
    at = at.button(key="up_go").click().run()
    assert any("already imported" in i.body for i in at.info)
    assert frame(at, "Batch").shape[0] == 1


def test_unreadable_file_one_message_nothing_stored():
    at = upload(page("en"), "picture.png", "export.csv")  # a picture renamed to .csv
    assert len(at.error) == 1 and "not a CSV text file nor an Excel workbook" in at.error[0].body
    assert not at.metric
    assert frame(at, "Batch") is None


def test_passphrase_gate(monkeypatch):
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "ลับมาก")
    at = page("en")
    assert not at.file_uploader and any("need the HR passphrase" in w.body for w in at.warning)
    assert at.get("expander")  # the format documentation stays visible
    at.text_input(key="up_pass").input("wrong").run()
    assert at.error and not at.file_uploader
    at.text_input(key="up_pass").input("ลับมาก").run()
    assert at.file_uploader(key="up_file") is not None and not at.error


def test_thai_problems_table_rejected_download_and_batches_are_thai():
    at = upload(page("th"), "bad_rows.csv")
    assert not at.exception
    problems = frame(at, "วิธีแก้")
    assert list(problems.columns) == ["แถว", "คอลัมน์", "ค่า", "ปัญหา", "วิธีแก้"]
    first = problems.iloc[0]
    assert (first["แถว"], first["ปัญหา"]) == (3, "ไม่รู้จักกลุ่มบุคลากรนี้") and "ผู้บริหารระดับสูง" in first["วิธีแก้"]
    missing = problems[problems["ปัญหา"] == "ไม่มีรหัสผู้ตอบ"]
    assert missing["ค่า"].tolist() == [""]  # a blank cell shows blank, not "None"
    dl = [b for b in at.get("download_button") if b.proto.label == "ดาวน์โหลดแถวที่ไม่รับ (พร้อมเหตุผล)"]
    assert len(dl) == 1
    batches = frame(at, "ชุด")
    assert batches["ระยะ"].tolist() == ["ระยะเริ่มแรก"] and batches["หน่วยงาน"].tolist() == [AGENCY]
    assert batches["รอบสำรวจ"].tolist() == ["30 มิ.ย. 2568"]  # a Thai date, Buddhist era, no time of day


def test_real_world_google_forms_export_imports_with_notices():
    at = upload(page("en"), "gforms_grid_th.csv")
    assert not at.exception and [m.value for m in at.metric] == ["3", "2", "1"]
    assert any("\\[DLit800\\]" in w.body and "NOT imported" in w.body for w in at.warning)  # md(): brackets as text
    assert any("Columns not used (ignored): ประทับเวลา, ที่อยู่อีเมล" in i.body for i in at.info)


def test_blank_rows_notice_and_header_only_file_message():
    at = upload(page("th"), "excel_cp874_crlf_blank_rows.csv")
    assert [m.value for m in at.metric] == ["3", "3", "0"]
    assert any("ข้ามแถวว่าง 3 แถว" in i.body for i in at.info)
    at = upload(at, "header_only.csv")
    assert len(at.error) == 1 and "ไม่มีแถวคำตอบ" in at.error[0].body and not at.metric
    assert frame(at, "ชุด").shape[0] == 1  # only the first file's batch


def test_xlsx_upload_imports_the_first_sheet_with_sheet_row_numbers():
    at = upload(page("en"), "wide_th.xlsx")
    assert not at.exception and not at.error
    assert [m.value for m in at.metric] == ["5", "3", "2"]
    assert "(xlsx, wide format)" in at.success[0].body
    assert any('Read the first worksheet "แบบสำรวจ"' in i.body for i in at.info)
    assert frame(at, "How to fix")["Row"].tolist() == [5, 7]
    batches = frame(at, "Batch")
    assert batches["Encoding"].tolist() == ["xlsx"] and batches["File"].tolist() == ["wide_th.xlsx"]


def test_old_xls_and_damaged_workbook_get_the_apps_bilingual_message():
    at = upload(page("th"), "old_excel.xls")
    assert len(at.error) == 1 and ".xlsx" in at.error[0].body and "CSV UTF-8" in at.error[0].body
    assert "ไม่มีข้อมูลใดถูกบันทึก" in at.error[0].body and not at.metric
    at = upload(at, "damaged.xlsx", "report.xlsx")
    assert len(at.error) == 1 and "ไฟล์เสียหาย" in at.error[0].body and frame(at, "ชุด") is None


def test_uploader_accepts_xlsx_and_says_so():
    at = page("en")
    up = at.file_uploader(key="up_file")
    assert {"xlsx", "csv"} <= {t.lstrip(".") for t in up.proto.type}
    assert "Excel .xlsx" in up.proto.label and "first worksheet" in up.proto.help
    doc = " ".join(m.value for m in at.markdown)
    assert "only the **first worksheet** is read" in doc
    th = " ".join(m.value for m in page("th").markdown)
    assert "อัปโหลดสมุดงาน (.xlsx) ได้โดยตรง" in th and "บันทึกเป็น\" CSV UTF-8 ก่อน" not in th


def test_format_tables_can_be_exported():
    at = page("en")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Download CSV (ZIP file)") == 2  # the level legend and the accepted group names
    assert "Download the CSV template" in labels and "Download the Excel template (.xlsx)" in labels


def test_excel_template_button_offers_the_xlsx_template():
    at = page("th")
    btn = [b for b in at.get("download_button") if b.proto.label == "ดาวน์โหลดแม่แบบ Excel (.xlsx)"]
    assert len(btn) == 1
    assert btn[0].proto.help.startswith("มีรายการให้เลือกกลุ่มบุคลากร")
    doc = " ".join(m.value for m in at.markdown)
    assert "แม่แบบ Excel มีรายการให้เลือกกลุ่มบุคลากร" in doc


def test_a_round_date_too_far_ahead_is_refused_with_the_clis_rule():
    """Issue 20 point 6: the page and `ingest` share framework.store.rounds.check_metadata."""
    from framework.store.rounds import FUTURE_MARGIN_DAYS

    far = dt.date.today() + dt.timedelta(days=FUTURE_MARGIN_DAYS + 30)
    at = fill(page("en"), day=far)
    errors = [e.value for e in at.error]
    assert any(far.isoformat() in e and "check the year" in e for e in errors)
    assert not [c for c in at.checkbox if c.key == "up_confirm_future"]  # refused, not confirmable
    assert at.button(key="up_go").disabled


def test_a_campaign_is_one_line_in_the_batch_list(tmp_path):
    """Every submission of a campaign is in its one batch: one line, named by the campaign and its people;
    its original file is the submissions, one per line."""
    import os

    from framework import campaign, db
    from framework.catalog import Catalog
    from framework.store import SurveyStore

    con = db.connect(os.environ["SKILLS_DB"])
    cat = Catalog(con)
    SurveyStore(con, cat)
    c = campaign.open_campaign(con, cat, agency=AGENCY, stage="Early", round_date=ROUND)
    req = cat.profile_units("Early", "Service")["code"].tolist()
    for rid in ("p1", "p2", "p3", "p1"):
        campaign.submit(con, cat, c, rid, "Service", None, {u: 2 for u in req}, limits=campaign.Limits())
    con.close()
    at = page("en")
    assert not at.exception
    batches = frame(at, "Batch")
    assert batches["File"].tolist() == [f"campaign {c.code} (3 people)"]
    assert batches["Respondents (now)"].tolist() == [3]
    pick = at.selectbox(key="up_orig_batch")
    assert len(pick.options) == 1 and pick.options[0].startswith(f"campaign {c.code} (3 people) · {AGENCY}")
    at = page("th")
    assert frame(at, "ชุด")["ไฟล์"].tolist() == [f"แคมเปญ {c.code} (3 คน)"]


def test_same_file_under_another_agency_counts_nothing_and_says_so():
    """Issue 21 (15): "already imported, not counted again" with counters of what this upload stored (0), and the
    earlier batch's own counts in the message; dates and times in Thai words and Thailand time."""
    at = upload(page("en"), "bad_rows.csv")
    assert [m.value for m in at.metric] == ["8", "1", "7"]
    fill(at, agency="กรมอื่น")
    at = at.button(key="up_go").click().run()
    assert not at.exception
    box = " ".join(i.body for i in at.info)
    assert "already imported" in box and "nothing counted again" in box
    assert f"agency {AGENCY}, round 30 Jun 2025: 1 accepted, 7 rejected" in box
    assert [m.value for m in at.metric] == ["8", "0", "0"]
    assert frame(at, "How to fix") is None  # nothing was validated or stored this time
    assert frame(at, "Batch").shape[0] == 1
    # The upload time in Thailand time (the store keeps UTC, the server clock is UTC here): 7 hours ahead.
    from framework import clock

    utc = [dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=m) for m in (0, 1, 2)]
    bangkok = {clock.datetime_text(u, "en") for u in utc}
    assert frame(at, "Batch")["Uploaded"].iloc[0] in bangkok
    assert {u.strftime("%H:%M") for u in utc}.isdisjoint({b[-5:] for b in bangkok})


def test_an_agency_that_only_looks_like_a_stored_one_is_warned_about_before_the_upload(tmp_path):
    """Issue 19: the typed agency (Cyrillic І and Т for the Latin letters) names the existing agency."""
    from framework import db
    from framework.catalog import Catalog
    from framework.store import SurveyStore

    f = tmp_path / "a.csv"
    f.write_text("respondent_id,group,DLit100\nP1,Service,3\n", encoding="utf-8")
    con = db.connect(tmp_path / "page.duckdb")
    SurveyStore(con, Catalog(con)).ingest(f, agency="กรม IT", stage="Early", round_date="2025-06-30")
    con.close()
    at = fill(page("en"), agency="กรม \u0406\u0422")
    warned = [w.value for w in at.warning if "looks like the existing" in w.value]
    assert warned and "กรม IT" in warned[0] and "U+0406" in warned[0]
    at = fill(page("en"), agency="กรม IT\u200b")  # the same agency, canonical: no warning
    assert not [w for w in at.warning if "looks like" in w.value]
