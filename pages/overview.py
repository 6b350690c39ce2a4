"""Executive overview: where the agency's workforce stands and how far it is from the next stage, at a glance."""
import pandas as pd
import streamlit as st

from framework import analysis, analysis_charts
from ui import filters, shell
from ui.downloads import chart_downloads, table_downloads

lang = shell.setup("overview", "ภาพรวมสำหรับผู้บริหาร", "Executive overview")
tr = shell.tr

f = filters.survey_filters("ov")
if f is None:
    st.stop()
counts = filters.compute("survey_counts", f)
stage = filters.stage_select("ov_stage", counts.get("stage"),
                             ("ระยะปัจจุบันของหน่วยงาน (จากชุดข้อมูล)", "Agency's current stage (from the batch)"))
try:
    ov = filters.compute("overview", f, stage=stage)
except analysis.AnalysisError as exc:
    filters.show_error(exc)
    st.stop()
stages = filters.stage_labels()
c = ov["counts"]
if c["respondents"] == 0:
    st.warning(tr("ไม่มีผู้ตอบตามตัวกรองที่เลือก — ลองล้างตัวกรองในแถบด้านข้าง",
                  "No respondents match these filters — clear some filters in the sidebar."))
    st.stop()
if c.get("n_stages", 0) > 1:
    st.caption(tr("ชุดข้อมูลที่เลือกระบุระยะต่างกัน ใช้ระยะที่พบมากที่สุดเป็นค่าเริ่มต้น",
                  "The selected batches declare different stages; the most common one is the default."))


def pct(v):
    return tr("ซ่อน", "hidden") if v is None else f"{v:.0%}"


m = st.columns(4)
m[0].metric(tr("ผู้ตอบ", "Respondents"), f"{c['respondents']:,}")
m[1].metric(tr("หน่วยงาน", "Agencies"), c["agencies"])
m[2].metric(tr("หน่วยงานย่อย", "Org units"), c["org_units"])
m[3].metric(tr("รอบสำรวจ", "Survey rounds"), c["rounds"])
m = st.columns(4)
m[0].metric(tr(f"ความพร้อม · {stages[stage]}", f"Readiness · {stages[stage]}"), pct(ov["readiness"]),
            help=tr("ค่าเฉลี่ยสัดส่วนหน่วยที่บทบาทกำหนดซึ่งผู้ตอบผ่าน", "Mean share of required units met"))
nxt = ov["next_stage"]
if nxt:
    m[1].metric(tr(f"ความพร้อม · {stages[nxt]}", f"Readiness · {stages[nxt]}"), pct(ov["readiness_next"]),
                delta=None if ov["readiness_next"] is None or ov["readiness"] is None
                else f"{(ov['readiness_next'] - ov['readiness']) * 100:+.0f} pp", delta_color="off")
else:
    m[1].metric(tr("ระยะถัดไป", "Next stage"), tr("ไม่มี (ระยะสูงสุด)", "none (top stage)"))
reached = ov["stage_reached"]
m[2].metric(tr(f"ระยะที่บรรลุ (เป้าหมาย {f['target']:.0%})", f"Stage reached (target {f['target']:.0%})"),
            tr("ซ่อน", "hidden") if reached is None else
            (tr("ยังไม่บรรลุ", "none yet") if reached == "none" else stages[reached]))
m[3].metric(tr(f"พร้อมเต็มที่ · {stages[stage]}", f"Fully ready · {stages[stage]}"), pct(ov["fully_ready"]))
if ov["hidden"]:
    st.warning(tr(f"ผู้ตอบน้อยกว่า {f['min_cell']} คน จึงซ่อนตัวเลขทั้งหมด (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล)",
                  f"Fewer than {f['min_cell']} respondents, so every figure is hidden (PDPA)."),
               icon=":material/visibility_off:")

target_stage = nxt or stage
st.subheader(tr(f"๕ หน่วยที่ขวางการไปสู่{stages[target_stage]}มากที่สุด",
                f"The five units that most block {stages[target_stage]}"))
bl = ov["blockers"]
if bl.empty:
    st.info(tr("ไม่มีหน่วยที่แสดงได้ (ผู้ตอบน้อยเกินไปหรือไม่มีหน่วยที่กำหนด)",
                "No unit can be shown (too few respondents, or no required unit)."))
else:
    fig = analysis_charts.blockers_bar(bl, lang)
    st.plotly_chart(fig, width="stretch", key="ov_blockers_chart")
    settings = filters.export_settings(f, stage=target_stage)
    chart_downloads(fig, "blockers", settings, key="ov_blockers_chart_dl")
    name = "name_en" if lang == "en" else "name_th"
    table = bl[["code", name, "n", "met", "coverage"]].rename(columns={
        "code": tr("รหัส", "Code"), name: tr("หน่วยความสามารถ", "Unit"), "n": tr("ผู้ที่บทบาทกำหนด", "Respondents required"),
        "met": tr("ผ่าน", "Met"), "coverage": tr("ความครอบคลุม", "Coverage")})
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={tr("ความครอบคลุม", "Coverage"): st.column_config.ProgressColumn(
                     format="percent", min_value=0, max_value=1)})
    table_downloads(bl, "blockers", settings, key="ov_blockers_table_dl")
all_bl = filters.compute("blockers", f, stage=target_stage, top=None)
n_hidden = int(all_bl["hidden"].isin([analysis.HIDDEN_SMALL, analysis.HIDDEN_COMPLEMENTARY]).sum())
if n_hidden:
    st.caption(tr(f":material/visibility_off: ซ่อน {n_hidden} หน่วยซึ่งมีผู้ตอบที่บทบาทกำหนด (หรือไม่กำหนด) น้อยกว่า "
                  f"{f['min_cell']} คน จึงไม่นำมาจัดอันดับ",
                  f":material/visibility_off: {n_hidden} units are hidden and not ranked: fewer than {f['min_cell']} "
                  "respondents are (or are not) required to have them."))
filters.definitions()
