"""Individual development plan (URL /respondent): one person's self-assessment against their role profile (HR only)."""

from html import escape

import pandas as pd
import streamlit as st

from framework import analysis, clock, identity
from framework import respondents as rsp
from framework.catalog import STAGES
from framework.catalog import profiles as pv
from framework.outputs import export
from framework.text import html, md
from ui import shell
from ui import targets as target_levels
from ui.downloads import table_downloads

lang = shell.setup("respondent", "แผนพัฒนารายบุคคล", "Individual development plan")
tr = shell.tr
cat = shell.catalog()
names = pv.names(cat, lang)

PAGE_CSS = """
<style>
.resp-where { font-size: 1.05rem; font-weight: 600; color: #1f4e8c; }
.resp-persona { font-size: 2rem; font-weight: 700; line-height: 1.25; color: #12335e; margin: 0.1rem 0 0.2rem; }
.resp-who { color: #444; margin-bottom: 0.6rem; }
</style>
"""
# Status colours (background, text): met green, develop amber, not assessed grey, next stage blue.
COLOURS = {
    rsp.MET: ("#e3f1e0", "#1f5f1f"),
    rsp.DEVELOP: ("#fdebd3", "#8a4b00"),
    rsp.NOT_ASSESSED: ("#eceff3", "#4a5563"),
    rsp.NEXT: ("#e3ecf8", "#1f4e8c"),
}


st.caption(
    tr(
        "ข้อมูลรายบุคคล (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล): ใช้เพื่อวางแผนพัฒนาบุคลากรเท่านั้น ไม่เก็บไว้ในแคชของแอป",
        "Row-level personal data (Thailand's PDPA): for staff development planning only; never kept in "
        "the app's cache.",
    )
)

# --- access: nothing personal is read before the passphrase is verified -----------------------------------
shell.hr_gate(
    "resp_pass",
    "แผนพัฒนารายบุคคลเป็นข้อมูลรายคน ต้องใช้รหัสผ่าน HR",
    "The individual development plan is a row-level view: it needs the HR passphrase.",
)

con = shell.connection()
rows_of = identity.row_scope(shell.principal())  # signed in: only the agencies whose row-level data it may read
batches = rsp.batches(con, rows_of)  # never cached: the list follows uploads and deletes at once
if batches.empty:
    st.info(
        tr(
            "ยังไม่มีข้อมูลแบบสำรวจ — นำเข้าไฟล์ที่หน้า นำเข้าแบบสำรวจ",
            "No survey data yet - import a file on the Survey upload page.",
        ),
        icon=":material/info:",
    )
    st.page_link("pages/upload.py", label=tr("นำเข้าแบบสำรวจ", "Survey upload"), icon=":material/upload_file:")
    st.stop()


def _batch_label(row) -> str:
    rd = clock.date_text(row.round_date, lang) if pd.notna(row.round_date) else tr("ไม่ระบุรอบ", "no round")
    demo = tr(" (ข้อมูลสาธิต)", " (demo)") if row.is_demo else ""
    return f"{row.agency or tr('ไม่ระบุหน่วยงาน', 'agency not given')} · {rd}{demo}"


labels = {r.batch_id: _batch_label(r) for r in batches.itertuples()}
seen: dict[str, int] = {}
for label in labels.values():
    seen[label] = seen.get(label, 0) + 1
labels = {b: (f"{lab} · {b[:8]}" if seen[lab] > 1 else lab) for b, lab in labels.items()}
stage_of = dict(zip(batches["batch_id"], batches["stage"]))

c1, c2 = st.columns([3, 2])
batch = c1.selectbox(
    tr("ชุดข้อมูล (หน่วยงาน · รอบสำรวจ)", "Batch (agency · survey round)"),
    list(labels),
    format_func=labels.get,
    key="resp_batch",
)
query = c2.text_input(
    tr("ค้นหารหัสผู้ตอบ", "Search respondent id"), key="resp_query", placeholder=tr("พิมพ์บางส่วนของรหัส", "part of the id")
)
found = rsp.find(con, batch, query, rows_of)
if found.empty:
    st.info(
        tr(f"ไม่พบรหัสผู้ตอบที่มี “{md(query)}” ในชุดข้อมูลนี้", f"No respondent id contains “{md(query)}” in this batch."),
        icon=":material/search_off:",
    )
    st.stop()
if len(found) >= rsp.FIND_LIMIT:
    st.caption(
        tr(
            f"แสดง {rsp.FIND_LIMIT} รายการแรก — พิมพ์รหัสให้ละเอียดขึ้นเพื่อค้นหาคนอื่น",
            f"Showing the first {rsp.FIND_LIMIT} matches - type more of the id to find others.",
        )
    )
who = {
    r.respondent_id: f"{r.respondent_id} · {names.get(r.staff_group, r.staff_group)}"
    + (f" · {r.org_unit}" if isinstance(r.org_unit, str) and r.org_unit else "")
    for r in found.itertuples()
}

# The stage follows the batch's agency stage whenever another batch is chosen.
if st.session_state.get("resp_stage_batch") != batch:
    st.session_state["resp_stage"] = stage_of.get(batch) if stage_of.get(batch) in STAGES else STAGES[0]
    st.session_state["resp_stage_batch"] = batch

c1, c2, c3 = st.columns([3, 2, 2])
rid = c1.selectbox(tr("ผู้ตอบ", "Respondent"), list(who), format_func=who.get, key="resp_id")
stage = c2.selectbox(
    tr("ระยะของหน่วยงาน", "Agency stage"), STAGES, key="resp_stage", format_func=lambda k: names.get(k, k)
)
t = target_levels.threshold_select("resp_t", analysis.DEFAULT_THRESHOLD, where=c3)
if stage_of.get(batch) not in STAGES:
    st.caption(
        tr(
            "ชุดข้อมูลนี้ไม่ได้ระบุระยะของหน่วยงาน จึงเริ่มที่ระยะเริ่มแรก",
            "This batch does not state the agency's stage, so the plan starts at Early.",
        )
    )

try:
    p = rsp.plan(con, cat, batch, rid, stage, t, rows_of)  # row-level: computed per run, never cached
except rsp.RespondentError as exc:
    st.error(md(exc.message(lang)), icon=":material/error:")
    st.stop()

# A row-level view: one audit line per person per session (framework.audit), never one per rerun.
shell.audit_once(
    "row-view", (p.batch_id, p.respondent_id), p.agency, f"respondent {p.respondent_id} · batch {p.batch_id}"
)
recorder = shell.export_recorder(f"respondent {p.respondent_id}", p.agency)

# --- who and where ----------------------------------------------------------------------------------------
st.markdown(PAGE_CSS, unsafe_allow_html=True)
facts = [p.respondent_id, p.agency, p.org_unit, p.position]
st.markdown(
    f'<div class="resp-where">{escape(names[p.stage])} · {escape(names[p.staff_group])}</div>'
    f'<div class="resp-persona">{escape(p.persona(lang))}</div>'
    f'<div class="resp-who">{html(" · ".join(x for x in facts if x))}</div>',
    unsafe_allow_html=True,
)

c = p.counts()
m = st.columns(5)
m[0].metric(tr("หน่วยที่ต้องมี", "Required units"), c["required"])
m[1].metric(tr("ผ่านเกณฑ์", "Met"), c["met"])
m[2].metric(tr("ต้องพัฒนา", "To develop"), c["develop"])
m[3].metric(tr("ยังไม่ได้ประเมิน", "Not assessed"), c["not_assessed"])
m[4].metric(
    tr("ความพร้อม", "Readiness"),
    "—" if p.readiness is None else f"{p.readiness:.0%}",
    help=rsp.met_note(t, lang, marked=False),
)


def _table(units: pd.DataFrame, scope: bool = False) -> pd.DataFrame:
    """The units as shown and downloaded: code, names, group, level, status (and scope for the next stage)."""
    out = pd.DataFrame(
        {
            tr("รหัส", "Code"): units["code"],
            tr("หน่วยความสามารถ", "Unit of capability"): [pv.text(u, "name", lang) for _, u in units.iterrows()],
            tr("สถานะ", "Status"): [rsp.status_label(s, lang) for s in units["status"]],
            tr("ระดับ", "Level"): units["level"],
            tr("เกณฑ์ผ่าน", "Met at"): units["target"],
            tr("คำอธิบายระดับ", "Level description"): [rsp.level_label(v, lang) for v in units["level"]],
            tr("กลุ่มความสามารถ", "Capability group"): [
                f"{u['group_key']} · {pv.text(u, 'group_name', lang)}" for _, u in units.iterrows()
            ],
        }
    )
    if scope:
        out.insert(3, tr("ระยะ", "Scope"), [rsp.status_label(s, lang) for s in units["scope"]])
    return out


COLUMNS = {
    tr("รหัส", "Code"): st.column_config.TextColumn(width="small"),
    tr("หน่วยความสามารถ", "Unit of capability"): st.column_config.TextColumn(width="large"),
    tr("ระดับ", "Level"): st.column_config.NumberColumn(format="%d", width="small"),
    tr("เกณฑ์ผ่าน", "Met at"): st.column_config.NumberColumn(format="≥ %d", width="small"),
    tr("กลุ่มความสามารถ", "Capability group"): st.column_config.TextColumn(width="medium"),
}


def _styled(table: pd.DataFrame, units: pd.DataFrame, scope: bool = False):
    """Status (and scope) cells coloured like chips."""

    def paint(df: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=df.index, columns=df.columns)
        for i, s in enumerate(units["status"]):
            bg, fg = COLOURS[s]
            css.iloc[i, df.columns.get_loc(tr("สถานะ", "Status"))] = f"background-color:{bg};color:{fg};font-weight:600"
        if scope:
            for i, s in enumerate(units["scope"]):
                if s == rsp.NEXT:
                    bg, fg = COLOURS[rsp.NEXT]
                    css.iloc[i, df.columns.get_loc(tr("ระยะ", "Scope"))] = (
                        f"background-color:{bg};color:{fg};font-weight:600"
                    )
        return css

    return table.style.apply(paint, axis=None)


table = _table(p.units)
st.subheader(tr(f"หน่วยความสามารถที่ต้องมี · {names[p.stage]}", f"Required units of capability · {names[p.stage]}"))
st.dataframe(
    _styled(table, p.units), hide_index=True, key="resp_units", column_config=COLUMNS, height="content", placeholder="—"
)
filters = {"access": "row-level", "respondent": p.respondent_id, "batch": p.batch_id, "stage": p.stage, "threshold": t}
table_downloads(table, "idp", filters, key="resp_units_dl", on_export=recorder)

develop = p.units[p.units["status"] != rsp.MET]
if not develop.empty:
    with st.expander(
        tr("ความสามารถย่อยที่ควรเรียนรู้ (หน่วยที่ยังไม่ผ่าน)", "Elements to learn (units not yet met)"), icon=":material/school:"
    ):
        elements = cat.elements()
        for _, u in develop.iterrows():
            st.markdown(f"**{u['code']}** {pv.text(u, 'name', lang)} · _{rsp.status_label(u['status'], lang)}_")
            els = elements[elements["unit_code"] == u["code"]]
            st.markdown("\n".join(f"- `{e['code']}` {escape(pv.text(e, 'name', lang))}" for _, e in els.iterrows()))

idp = rsp.idp_html(p, cat, lang).encode("utf-8")
idp_name = export.filename(
    "idp", {"access": "row-level", "respondent": p.respondent_id, "stage": p.stage, "lang": lang}, "html"
)
st.download_button(
    tr("ดาวน์โหลดแผนพัฒนารายบุคคล (HTML พิมพ์ได้)", "Download the IDP (printable HTML)"),
    lambda: (recorder(idp_name), idp)[1],
    file_name=idp_name,
    mime="text/html",
    key="resp_idp",
    icon=":material/print:",
    type="primary",
    on_click="ignore",
)

# --- next stage -------------------------------------------------------------------------------------------
st.subheader(tr("ระยะถัดไป", "The next stage"))
if p.next_stage is None:
    st.caption(tr("ระยะสมบูรณ์เป็นระยะสูงสุดของกรอบทักษะ", "Mature is the framework's highest stage."))
else:
    added = p.next_units[p.next_units["scope"] == rsp.NEXT]
    st.markdown(
        f'<div class="resp-where">{escape(names[p.next_stage])} · {escape(names[p.staff_group])}</div>'
        f'<div class="resp-persona" style="font-size:1.5rem">{escape(p.next_persona(lang))}</div>',
        unsafe_allow_html=True,
    )
    n = st.columns(3)
    n[0].metric(tr("หน่วยที่ต้องมีในระยะถัดไป", "Required at the next stage"), len(p.next_units))
    n[1].metric(tr("หน่วยที่เพิ่มขึ้น", "Units added"), len(added))
    n[2].metric(
        tr("ความพร้อมในระยะถัดไป", "Readiness at the next stage"),
        "—" if p.next_readiness is None else f"{p.next_readiness:.0%}",
    )
    if p.next_dropped:
        st.caption(
            tr(
                f"ไม่ต้องมีแล้วในระยะถัดไป: {', '.join(p.next_dropped)}",
                f"No longer required at the next stage: {', '.join(p.next_dropped)}",
            )
        )
    next_table = _table(p.next_units, scope=True)
    st.dataframe(
        _styled(next_table, p.next_units, scope=True),
        hide_index=True,
        key="resp_next",
        column_config=COLUMNS,
        height="content",
        placeholder="—",
    )
    table_downloads(
        next_table, "idp-next-stage", {**filters, "stage": p.next_stage}, key="resp_next_dl", on_export=recorder
    )
