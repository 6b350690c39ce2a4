"""Audit log (URL /audit): every sign-in, upload, delete, restore, purge, campaign change, k lowered, row-level
view or export, newest first; filters by action and agency; CSV download. HR passphrase."""

import pandas as pd
import streamlit as st

from framework import audit, clock, identity
from ui import shell
from ui.downloads import table_downloads

lang = shell.setup("audit", "บันทึกการใช้งาน", "Audit log")
tr = shell.tr

st.caption(
    tr(
        "ทุกการปลดล็อกสิทธิ์ HR การนำเข้า การลบ การกู้คืน การลบถาวร การเปิดและปิดแบบประเมิน ลิงก์รายบุคคล "
        "การลด k ต่ำกว่าค่าขั้นต่ำ และการดูหรือส่งออกข้อมูลรายคน ถูกบันทึกต่อท้ายไว้ (ไม่มีการแก้หรือลบ) "
        "ผู้กระทำบันทึกเป็นบทบาท ไม่มีรหัสผ่านในบันทึก",
        "Every HR sign-in, upload, delete, restore, purge, campaign open and close, personal link, k lowered "
        "below the floor, and row-level view or export is appended here (never changed or deleted). Who "
        "is a role; the passphrase is never recorded.",
    )
)
shell.hr_gate("audit_pass", "บันทึกการใช้งานต้องใช้รหัสผ่าน HR", "The audit log needs the HR passphrase.")

con = shell.connection()
actions = list(audit.ACTIONS)
c1, c2 = st.columns(2)
picked = c1.multiselect(
    tr("การกระทำ", "Action"),
    actions,
    format_func=lambda a: audit.label(a, lang),
    key="au_actions",
    placeholder=tr("ทั้งหมด", "All"),
)
seen = identity.analysis_scope(shell.principal())  # signed in: the lines of this person's agencies only
agencies = c2.multiselect(
    tr("หน่วยงาน", "Agency"),
    identity.keep(seen, audit.agencies(con)),
    key="au_agencies",
    placeholder=tr("ทั้งหมด", "All"),
)
if not agencies and seen is not None:  # nothing chosen: every agency of this person's, never the others'
    agencies = list(seen) or [identity.OUT_OF_SCOPE]
log = audit.entries(con, picked, agencies)  # never cached: the log grows with every action
if log.empty:
    st.info(tr("ยังไม่มีรายการในบันทึก", "Nothing in the log yet."), icon=":material/info:")
    st.stop()
view = pd.DataFrame(
    {
        tr("เวลา", "When"): [clock.datetime_text(t, lang) for t in log["at"]],
        tr("ผู้กระทำ", "Who"): log["who"],
        tr("การกระทำ", "Action"): [audit.label(a, lang) for a in log["action"]],
        tr("หน่วยงาน", "Agency"): log["agency"].fillna(""),
        tr("รายละเอียด", "Detail"): log["detail"].fillna(""),
    }
)
st.caption(tr(f"{len(view):,} รายการ ล่าสุดก่อน", f"{len(view):,} entries, newest first"))
st.dataframe(view, hide_index=True, key="au_table")
table_downloads(
    log.assign(at=log["at"].astype(str)), "audit-log", {"actions": picked, "agencies": agencies}, key="au_dl"
)
