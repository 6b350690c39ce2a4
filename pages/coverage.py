"""Coverage heatmap: which units each staff group (or agency, or org unit) meets, against a stage's profiles."""

import pandas as pd
import streamlit as st

from framework import analysis, summary
from framework.outputs import analysis_charts, chart_theme
from ui import cache, filters, shell
from ui.downloads import chart_downloads, table_downloads

lang = shell.setup("coverage", "แผนภาพความครอบคลุม", "Coverage heatmap")
tr = shell.tr
SCROLL_CSS = """<style>.st-key-cov_scroll { overflow-x: auto; }
.st-key-cov_wide { min-width: 640px; }</style>"""  # narrower windows scroll the heatmap sideways
VALUE_WIDTH = 95  # px: "100% ●" / "hidden ●" fit; index + name + 7 such columns fit the 1440 px layout

f = filters.survey_filters("cov")
filters.round_caption(f)
counts = filters.survey_counts(f)
left, right = st.columns([1, 2])
with left:
    stage = filters.stage_select("cov_stage", label=("ระยะ", "Stage"), f=f)
with right:
    by_labels = {
        "group": tr("กลุ่มบุคลากร", "Staff group"),
        "agency": tr("หน่วยงาน", "Agency"),
        "unit": tr("หน่วยงานย่อย", "Org unit"),
    }
    by = st.radio(tr("คอลัมน์", "Columns"), list(by_labels), format_func=by_labels.get, horizontal=True, key="cov_by")
cov = filters.or_stop(filters.coverage, f, stage=stage, by=by)
filters.stop_if_no_respondents(counts["respondents"])

units = analysis.units(shell.connection())
unit_names = dict(zip(units["code"], units["name_en" if lang == "en" else "name_th"]))
labels = filters.key_labels(by)
stages = filters.stage_labels()
# A phone's browser says "Mobile" in its user agent: codes only there (the names leave the cells no width).
phone = shell.on_phone()
names_on_axis = st.toggle(tr("ชื่อหน่วยข้างรหัส", "Unit names beside the codes"), value=not phone, key="cov_names")
fig = cache.figure(
    analysis_charts.coverage_heatmap,
    cov,
    lang,
    labels,
    unit_names,
    title=tr(
        f"ความครอบคลุม · {stages[stage]} · {summary.met_words(f.threshold, 'th')}",
        f"Coverage · {stages[stage]} · {summary.met_words(f.threshold, 'en')}",
    ),
    font_size=shell.chart_font_size(),
    names_on_axis=names_on_axis,
    k=f.min_cell,
)
if phone:  # its title and colour scale within the phone's window, not off to the right
    chart_theme.fit_narrow(fig)
# A narrow window scrolls the heatmap sideways rather than squeezing its cells to a few pixels.
st.html(SCROLL_CSS)
with st.container(key="cov_scroll"), st.container(key="cov_wide"):
    st.plotly_chart(fig, width="stretch", key="cov_chart", config=chart_theme.CONFIG)
if by == "group":
    st.caption(
        tr(
            f"● = หน่วยที่บทบาทของกลุ่มบุคลากรในคอลัมน์นั้นกำหนดใน{stages[stage]} "
            "(คอลัมน์ “ทั้งหมด”: กำหนดโดยกลุ่มที่เลือกอย่างน้อยหนึ่งกลุ่ม) · สีเทา = ซ่อน",
            f"● = required by the role profile of the column's staff group at {stages[stage]} "
            "(“All” column: by at least one selected group) · grey = hidden",
        )
    )
else:
    st.caption(
        tr(
            f"● = หน่วยที่บทบาทใน{stages[stage]}ของกลุ่มบุคลากรที่เลือกอย่างน้อยหนึ่งกลุ่มกำหนด "
            "(เลือกกลุ่มบุคลากรในแถบด้านข้างเพื่อดูเฉพาะกลุ่ม) · สีเทา = ซ่อน",
            f"● = required at {stages[stage]} by the role profile of at least one selected staff group "
            "(pick a staff group in the sidebar to see one) · grey = hidden",
        )
    )
st.caption(
    tr(
        "เลื่อนเมาส์บนช่องเพื่อดูสัดส่วนที่ยังไม่ได้ประเมิน (ไม่มีระดับ นับว่ายังไม่ผ่าน): ค่าสูงหมายถึงแบบสำรวจไม่ได้ถามหน่วยนั้น ไม่ใช่ทักษะต่ำ",
        "Hover a cell for the share not assessed (no level given, counted as not met): a high share "
        "means the form did not ask about the unit, not low skill.",
    )
)
filters.stage_caption(f, stage)
filters.hidden_note(cov, f.min_cell)
if filters.has_previous(f) and st.toggle(
    tr("แสดงการเปลี่ยนแปลงจากรอบก่อน", "Show the change since the previous round"), key="cov_change"
):
    change = filters.coverage_change(f, stage=stage, by=by)
    st.plotly_chart(
        analysis_charts.coverage_change_heatmap(
            change,
            lang,
            labels,
            unit_names,
            font_size=shell.chart_font_size(),
            k=f.min_cell,
            title=tr(
                f"การเปลี่ยนแปลงของความครอบคลุมจากรอบก่อน · {stages[stage]} (จุดร้อยละ)",
                f"Change in coverage since the previous round · {stages[stage]} (percentage points)",
            ),
        ),
        width="stretch",
        key="cov_change_chart",
        config=chart_theme.CONFIG,
    )
    filters.change_table(change, labels, unit_names)  # the same figures as a table (the accessible form)
settings = filters.export_settings(f, stage=stage, by=by)
chart_downloads(fig, "coverage", settings, key="cov_chart_dl")

st.markdown(
    "#### "
    + tr(
        "ตาราง (สัดส่วนผู้ผ่าน; ● = บทบาทกำหนด; ช่องที่ซ่อนแสดงเป็น “ซ่อน”)",
        "Table (share who meet; ● = required; hidden cells say “hidden”)",
    )
)
view = cov.assign(
    col=[analysis_charts.key_label(k, labels, lang) for k in cov["key"]],
    cell=[
        (tr("ซ่อน", "hidden") if h is not None and not pd.isna(h) else f"{v:.0%}") + (" ●" if r else "")
        for h, v, r in zip(cov["hidden"], cov["coverage"], cov["required"])
    ],
)
table = view.pivot(index="code", columns="col", values="cell")
table = table.loc[list(dict.fromkeys(cov["code"])), list(dict.fromkeys(view["col"]))]
table.index.name = tr("รหัส", "Code")
table.columns.name = None
unit_col = tr("หน่วยความสามารถ", "Unit")
table.insert(0, unit_col, [unit_names.get(c, c) for c in table.index])
# Narrow value columns and a medium name column: at 1440 px every column shows without scrolling (the full
# name is in the cell's tooltip).
st.dataframe(
    table,
    width="stretch",
    column_config={
        unit_col: st.column_config.TextColumn(width="medium"),
        **{col: st.column_config.TextColumn(width=VALUE_WIDTH) for col in table.columns[1:]},
    },
)
export = cov.drop(columns=["unit_ord", "is_total"])
table_downloads(export, "coverage", settings, key="cov_table_dl")
filters.definitions(f)
