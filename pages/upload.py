"""Survey upload: validate a CSV or Excel workbook, store its accepted rows as a batch, list and delete batches (HR only)."""
import datetime as dt
import os
import tempfile

import pandas as pd
import streamlit as st

from framework import export, survey
from framework.catalog import STAGES
from framework.store import SurveyStore
from ui import shell
from ui.downloads import table_downloads

lang = shell.setup("upload", "นำเข้าแบบสำรวจ", "Survey upload")
tr = shell.tr
cat = shell.catalog()
name_col = "name_en" if lang == "en" else "name_th"



# --- format documentation and template (public) -----------------------------------------------------------
with st.expander(tr("รูปแบบไฟล์แบบสำรวจ", "Survey file format"), icon=":material/description:"):
    st.markdown(survey.rules.markdown(lang))   # the one text of the rules (README shows the same)
    lv = survey.levels_table().rename(columns={"level": tr("ระดับ", "Level"), "label_th": "ภาษาไทย",
                                               "label_en": "English"})
    st.dataframe(lv, hide_index=True)
    table_downloads(lv, "survey-levels", None, key="up_levels_dl")
    groups = cat.staff_groups()
    st.markdown("**" + tr("ชื่อกลุ่มบุคลากรที่รับได้ (ไม่สนตัวพิมพ์และช่องว่าง)",
                          "Accepted staff-group names (case- and space-insensitive)") + "**")
    accepted = pd.DataFrame({
        "group": groups["key"], tr("ชื่อไทย", "Thai name"): groups["name_th"],
        tr("ชื่ออื่นที่รับได้", "Other accepted names"): [", ".join(v) for v in groups["variants"]]})
    st.dataframe(accepted, hide_index=True)
    table_downloads(accepted, "survey-staff-group-names", None, key="up_groups_dl")
t1, t2 = st.columns(2)
t1.download_button(tr("ดาวน์โหลดแม่แบบ CSV", "Download the CSV template"), lambda: survey.template_csv(cat),  # made on click
                   file_name="survey_template.csv", mime="text/csv", key="up_template", icon=":material/download:",
                   on_click="ignore")
t2.download_button(tr("ดาวน์โหลดแม่แบบ Excel (.xlsx)", "Download the Excel template (.xlsx)"),
                   lambda: survey.template_xlsx(cat),  # made on click
                   file_name="survey_template.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="up_template_xlsx",
                   icon=":material/download:", on_click="ignore",
                   help=tr("มีรายการให้เลือกกลุ่มบุคลากร รับเฉพาะระดับ 0–4 และมีแผ่นอธิบายระดับและหน่วยความสามารถ",
                           "A staff-group drop-down, only levels 0-4 accepted, and sheets explaining the levels and "
                           "units."))

# --- access -----------------------------------------------------------------------------------------------
shell.hr_gate("up_pass", "การนำเข้า การลบ และการดูข้อมูลรายคน ต้องใช้รหัสผ่าน HR",
              "Uploading, deleting batches and row-level views need the HR passphrase.")

store = SurveyStore(shell.connection(), cat)

# --- upload -----------------------------------------------------------------------------------------------
st.subheader(tr("นำเข้าไฟล์", "Import a file"))
# .xls is let through so that it gets the app's own bilingual "save it as .xlsx" message, not the widget's.
up = st.file_uploader(tr("ไฟล์แบบสำรวจ (CSV หรือ Excel .xlsx)", "Survey file (CSV or Excel .xlsx)"),
                      type=["csv", "txt", "tsv", "xlsx", "xls"], key="up_file",
                      help=tr("CSV หรือสมุดงาน Excel (.xlsx: อ่านแผ่นงานแรก) — ไฟล์ .xls รุ่นเก่าให้บันทึกเป็น .xlsx "
                              "หรือ CSV UTF-8 ก่อน",
                              "CSV or an Excel workbook (.xlsx: the first worksheet is read) - save old .xls files "
                              "as .xlsx or CSV UTF-8 first."))
c1, c2, c3 = st.columns(3)
agency = c1.text_input(tr("หน่วยงาน", "Agency"), key="up_agency")
stage = c2.selectbox(tr("ระยะของหน่วยงาน", "Agency stage"), STAGES, key="up_stage",
                     format_func=lambda k: cat.label("stages", k, lang))
round_date = c3.date_input(tr("วันที่รอบสำรวจ", "Survey round date"), value=dt.date.today(), key="up_round")

if st.button(tr("ตรวจและนำเข้า", "Check and import"), key="up_go", type="primary", disabled=up is None):
    bar = st.progress(0.0)
    fd, tmp = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(up.getvalue())
        res = store.ingest(tmp, file_name=up.name, agency=agency, stage=stage, round_date=round_date,
                           progress=lambda frac, th, en: bar.progress(frac, text=tr(th, en)))
        st.session_state["up_result"] = res
        st.session_state.pop("up_error", None)
        st.cache_data.clear()  # survey views must see the new batch
    except survey.SurveyFileError as exc:
        st.session_state["up_error"] = (exc.th, exc.en)
        st.session_state.pop("up_result", None)
    finally:
        os.unlink(tmp)
        bar.empty()

if "up_error" in st.session_state:
    st.error(tr(*st.session_state["up_error"]), icon=":material/error:")
res = st.session_state.get("up_result")
if res is not None:
    if res.duplicate:
        st.info(tr(f"ไฟล์ {res.file_name} เคยนำเข้าแล้ว (ชุด {res.batch_id}) ไม่ได้นับซ้ำ",
                   f"{res.file_name} was already imported (batch {res.batch_id}); it was not counted again."),
                icon=":material/content_copy:")
    else:
        st.success(tr(f"นำเข้าชุด {res.batch_id} แล้ว ({res.encoding}, แบบ{'กว้าง' if res.source_format == 'wide' else 'ยาว'})",
                      f"Imported batch {res.batch_id} ({res.encoding}, {res.source_format} format)."))
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("แถวที่อ่าน", "Rows read"), f"{res.rows_read:,}")
    m2.metric(tr("รับเข้า", "Accepted"), f"{res.accepted:,}")
    m3.metric(tr("ไม่รับ", "Rejected"), f"{res.rejected:,}")
    for n in res.notices:
        (st.warning if n.level == "warning" else st.info)(n.text(lang))
    if len(res.problems):
        st.markdown("#### " + tr("ปัญหาที่พบ", "Problems found"))
        if res.problems_truncated:
            st.caption(tr(f"แสดง {len(res.problems):,} ปัญหาแรก (แถวที่ไม่รับครบทุกแถวในไฟล์ดาวน์โหลด)",
                          f"Showing the first {len(res.problems):,} problems (the download has every rejected row)."))
        table = pd.DataFrame({
            tr("แถว", "Row"): res.problems["row"], tr("คอลัมน์", "Column"): res.problems["column"],
            tr("ค่า", "Value"): res.problems["value"].fillna(""),
            tr("ปัญหา", "Reason"): res.problems["reason_en" if lang == "en" else "reason_th"],
            tr("วิธีแก้", "How to fix"): res.problems["fix_en" if lang == "en" else "fix_th"]})
        st.dataframe(table, hide_index=True, key="up_problems")
        table_downloads(table, "upload-problems", key="up_problems_dl")
    if len(res.rejected_rows):
        st.download_button(tr("ดาวน์โหลดแถวที่ไม่รับ (พร้อมเหตุผล)", "Download the rejected rows (with reasons)"),
                           export.to_csv(res.rejected_rows),  # formula-like cells neutralised for Excel
                           file_name=f"rejected_{res.file_name}", mime="text/csv", key="up_rejected_dl",
                           icon=":material/download:", on_click="ignore")

# --- batches ----------------------------------------------------------------------------------------------
st.subheader(tr("ชุดข้อมูลที่นำเข้าแล้ว", "Stored batches"))
batches = store.batches()
if batches.empty:
    st.caption(tr("ยังไม่มีชุดข้อมูล", "No batches yet."))
else:
    rounds = [d.date().isoformat() if pd.notna(d) else "" for d in pd.to_datetime(batches["round_date"])]
    view = batches.drop(columns=["content_hash"]).assign(
        agency=batches["agency"].fillna(""),
        stage=[cat.label("stages", k, lang) if isinstance(k, str) else "" for k in batches["stage"]],
        round_date=rounds,
        uploaded_at=[d.strftime("%Y-%m-%d %H:%M") for d in pd.to_datetime(batches["uploaded_at"])],
        is_demo=[tr("ใช่", "yes") if x else "" for x in batches["is_demo"]],
        source_format=[{"wide": tr("แบบกว้าง", "wide"), "long": tr("แบบยาว", "long")}.get(x, x or "")
                       for x in batches["source_format"]],
    ).rename(columns={
        "batch_id": tr("ชุด", "Batch"), "file_name": tr("ไฟล์", "File"), "agency": tr("หน่วยงาน", "Agency"),
        "stage": tr("ระยะ", "Stage"), "round_date": tr("รอบสำรวจ", "Round"), "uploaded_at": tr("นำเข้าเมื่อ", "Uploaded"),
        "rows_read": tr("แถวที่อ่าน", "Rows read"), "accepted": tr("รับเข้า", "Accepted"),
        "rejected": tr("ไม่รับ", "Rejected"), "is_demo": tr("ข้อมูลสาธิต", "Demo"),
        "source_format": tr("รูปแบบ", "Format"), "encoding": tr("รหัสอักขระ", "Encoding")})
    st.dataframe(view, hide_index=True, key="up_batches")
    table_downloads(view, "survey-batches", key="up_batches_dl")
    with st.expander(tr("ลบชุดข้อมูล", "Delete a batch"), icon=":material/delete:"):
        labels = {r.batch_id: f"{r.batch_id} · {r.file_name} · {r.agency or '-'} · {rd or '-'}"
                  for r, rd in zip(batches.itertuples(), rounds)}
        target = st.selectbox(tr("ชุดที่จะลบ", "Batch to delete"), list(labels), format_func=labels.get,
                              key="up_del_batch")
        sure = st.checkbox(tr("ยืนยัน: ลบชุดนี้และคำตอบทั้งหมดของชุดนี้", "Confirm: delete this batch and all its responses"),
                           key="up_del_confirm")
        if st.button(tr("ลบ", "Delete"), key="up_del_go", disabled=not sure):
            if store.delete(target):
                st.cache_data.clear()
                st.session_state.pop("up_result", None)
                st.session_state["up_deleted"] = target
                st.rerun()
if "up_deleted" in st.session_state:
    st.success(tr(f"ลบชุด {st.session_state['up_deleted']} แล้ว", f"Deleted batch {st.session_state['up_deleted']}."))
