"""Analyst SQL: one read-only SELECT at a time over the framework tables and the suppressed survey views."""

import pandas as pd
import streamlit as st

from framework import access, analysis, analyst, identity
from framework.paths import store_path
from framework.text import md
from ui import shell, signin
from ui import targets as target_levels
from ui.downloads import table_downloads

lang = shell.setup("sql", "SQL สำหรับนักวิเคราะห์", "Analyst SQL")
tr = shell.tr
DEFAULTS = analysis.Filters()


@st.cache_resource(show_spinner=False, max_entries=6)
def _workspace(store: str, version: str, min_cell: int, threshold: int, authorised: bool, scope=None):
    """One locked analyst database per store version, settings and agency scope (rebuilt after an upload)."""
    return analyst.build(shell.connection(), min_cell=min_cell, threshold=threshold, authorised=authorised, scope=scope)


def _use_example() -> None:
    titles = [tr(th, en) for th, en, _ in analyst.EXAMPLES]
    picked = st.session_state.get("sql_example")
    if picked in titles:
        st.session_state["sql_query"] = analyst.EXAMPLES[titles.index(picked)][2]


st.caption(
    tr(
        "พิมพ์คำสั่ง SELECT ได้ครั้งละหนึ่งคำสั่ง ฐานข้อมูลนี้เป็นสำเนาแบบอ่านอย่างเดียว อ่านหรือเขียนไฟล์ไม่ได้ "
        "ติดตั้งส่วนขยายหรือเปลี่ยนค่าตั้งไม่ได้ ผลสำรวจเป็นตัวเลขรวมที่ซ่อนกลุ่มเล็กแบบเดียวกับหน้าจอ "
        "ข้อมูลรายบุคคลเปิดได้เฉพาะเมื่อใส่รหัสผ่าน HR",
        "Type one SELECT statement at a time. This database is a read-only copy: no file reads or writes, "
        "no extensions, no settings changes. Survey results are aggregates with small cells hidden as on "
        "screen; row-level responses open only with the HR passphrase.",
    )
)

who = shell.principal()  # signed in through an identity provider: the role and agencies decide (framework.identity)
if who is not None and not who.can("sql"):
    signin.refuse("sql", who)
scope = identity.analysis_scope(who)

# --- settings -------------------------------------------------------------------------------
with st.expander(tr("ค่าตั้งและสิทธิ์", "Settings and access"), icon=":material/tune:"):
    c1, c2, c3 = st.columns([1, 1, 2])
    threshold = target_levels.threshold_select("sql_threshold", int(DEFAULTS.threshold), where=c1)
    local = access.local_mode(shell.hr_secret())
    attempt = shell.hr_passphrase(  # throttled and logged like every HR gate; emptied once accepted
        "sql_passphrase",
        tr("รหัสผ่าน HR (สำหรับข้อมูลรายบุคคล)", "HR passphrase (for row-level data)"),
        scope="sql",
        where=c3,
    )
    authorised = attempt.ok if who is None else identity.exact(who, ())
    k_floor = access.min_cell_floor()
    lowest = access.lowest_min_cell(authorised)
    # k may go below the floor only for HR (analyst.build refuses it otherwise); without it, k is raised back.
    st.session_state["sql_min_cell"] = max(
        lowest, int(st.session_state.get("sql_min_cell", max(DEFAULTS.min_cell, k_floor)))
    )
    min_cell = c2.number_input(
        tr("ซ่อนกลุ่มที่มีผู้ตอบน้อยกว่า (k)", "Hide groups smaller than (k)"),
        lowest,
        1000,
        key="sql_min_cell",
        help=tr(f"ต่ำกว่า {k_floor} ได้เฉพาะผู้มีรหัสผ่าน HR", f"Below {k_floor} only with the HR passphrase"),
    )
    if not authorised and attempt.wait:
        c3.error(shell.hr_refusal(attempt), icon=":material/timer:")
    elif attempt.checked and not authorised:
        c3.error(
            tr(
                "รหัสผ่าน HR ไม่ถูกต้อง: ยังเห็นเฉพาะตัวเลขรวม ตรวจรหัสกับฝ่าย HR แล้วพิมพ์ใหม่",
                "Wrong HR passphrase: you still see aggregates only. Check it with HR and type it again.",
            ),
            icon=":material/lock:",
        )
    elif local:
        c3.info(
            tr(
                "ไม่ได้ตั้งรหัสผ่าน HR: แอปทำงานแบบผู้ใช้คนเดียวบนเครื่อง จึงเปิดตาราง responses และ batches",
                "No HR passphrase is configured: local single-user mode, so tables responses and batches are open.",
            ),
            icon=":material/lock_open:",
        )
    elif authorised:
        c3.success(
            tr(
                "เปิดข้อมูลรายบุคคลแล้ว (ตาราง responses และ batches)",
                "Row-level data unlocked (tables responses and batches)",
            ),
            icon=":material/lock_open:",
        )

con = shell.connection()
workspace = (str(store_path()), analysis.data_version(con), int(min_cell), int(threshold), authorised, scope)
acon = _workspace(*workspace)
columns = analyst.describe(acon)
names = columns["table"].drop_duplicates().tolist()

left, right = st.columns([1, 2])
# --- tables and columns ---------------------------------------------------------------------
with left:
    st.markdown("#### " + tr("ตารางและคอลัมน์", "Tables and columns"))
    table = st.selectbox(
        tr("ตาราง", "Table"), names, key="sql_table", index=names.index("units") if "units" in names else 0
    )
    if table in analyst.DERIVED:
        st.caption(tr(*analyst.DERIVED[table]))
    st.dataframe(
        columns[columns["table"] == table][["column", "type"]].rename(
            columns={"column": tr("คอลัมน์", "Column"), "type": tr("ชนิด", "Type")}
        ),
        hide_index=True,
        width="stretch",
        height=320,
    )
    if "coverage" not in names:
        st.info(
            tr(
                "ยังไม่มีผลสำรวจ: นำเข้าแบบสำรวจในหน้า 'นำเข้าแบบสำรวจ' ก่อน จึงจะมีตาราง coverage และ readiness",
                "No survey data yet: upload a survey on the 'Survey upload' page to get the coverage and "
                "readiness tables.",
            ),
            icon=":material/info:",
        )

# --- editor ---------------------------------------------------------------------------------
with right:
    st.markdown("#### " + tr("คำสั่ง SQL", "SQL"))
    e1, e2 = st.columns([3, 1], vertical_alignment="bottom")
    e1.selectbox(tr("ตัวอย่างคำสั่ง", "Example queries"), [tr(th, en) for th, en, _ in analyst.EXAMPLES], key="sql_example")
    e2.button(tr("ใช้ตัวอย่างนี้", "Use this example"), key="sql_use_example", on_click=_use_example)
    if "sql_query" not in st.session_state:
        st.session_state["sql_query"] = analyst.EXAMPLES[0][2]
    query = st.text_area(tr("คำสั่ง SELECT หนึ่งคำสั่ง", "One SELECT statement"), key="sql_query", height=200)
    r1, r2 = st.columns([1, 3], vertical_alignment="bottom")
    st.session_state.setdefault("sql_limit", analyst.DEFAULT_LIMIT)
    limit = r1.number_input(tr("จำนวนแถวสูงสุด", "Row limit"), 1, analyst.MAX_LIMIT, step=1000, key="sql_limit")
    mb = analyst.MAX_RESULT_BYTES // 2**20
    r2.caption(
        tr(
            f"คำสั่งที่ใช้เวลาเกิน {analyst.DEFAULT_TIMEOUT:g} วินาที หรือได้ผลลัพธ์ใหญ่เกิน {mb} MB จะถูกหยุด",
            f"A query running longer than {analyst.DEFAULT_TIMEOUT:g} s, or with a result over {mb} MB, is stopped",
        )
    )
    if st.button(tr("เรียกใช้", "Run"), key="sql_run", type="primary", icon=":material/play_arrow:"):
        try:
            st.session_state["sql_result"] = (query, analyst.run(acon, query, limit=int(limit)), workspace)
            st.session_state.pop("sql_error", None)
        except analyst.AnalystError as exc:
            st.session_state["sql_error"] = exc
            st.session_state.pop("sql_result", None)

# --- result ---------------------------------------------------------------------------------
error = st.session_state.get("sql_error")
if error is not None:
    st.error(md(error.message(lang)), icon=":material/block:")
result = st.session_state.get("sql_result")
if result is not None and result[2] != workspace:
    # Settings, access or data changed since the query ran: its rows may no longer be allowed or true.
    st.session_state.pop("sql_result", None)
    result = None
    st.info(
        tr(
            "ค่าตั้ง สิทธิ์ หรือข้อมูลเปลี่ยนไปหลังเรียกใช้คำสั่ง จึงล้างผลลัพธ์เดิม: กด 'เรียกใช้' อีกครั้ง",
            "Settings, access or data changed after the query ran, so its result was cleared: press 'Run' again.",
        ),
        icon=":material/refresh:",
    )
if result is not None:
    ran, res, _ = result
    m1, m2 = st.columns(2)
    m1.metric(tr("จำนวนแถว", "Rows"), f"{res.rows:,}" + ("+" if res.truncated else ""))
    m2.metric(tr("เวลาที่ใช้", "Time taken"), f"{res.seconds * 1000:,.0f} ms")
    if res.truncated:
        st.warning(
            tr(
                f"แสดงเพียง {res.limit:,} แถวแรก: เพิ่มจำนวนแถวสูงสุด หรือกรองด้วย WHERE",
                f"Only the first {res.limit:,} rows are shown: raise the row limit or filter with WHERE.",
            ),
            icon=":material/warning:",
        )
    st.dataframe(res.frame, hide_index=True, width="stretch")
    # The file says whether row-level tables were open when it was made (name and settings sheet).
    table_downloads(
        res.frame,
        "sql",
        {"access": "row-level"} if authorised else None,
        key="sql_dl",
        threshold=int(threshold),
        min_cell=int(min_cell),
        sheets={"query": pd.DataFrame({"sql": [ran]})},
        on_export=shell.export_recorder("analyst SQL (row-level tables open)") if authorised else None,
    )
