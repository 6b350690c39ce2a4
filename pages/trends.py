"""Trend over survey rounds: readiness and coverage per staff group, round by round."""

import streamlit as st

from framework import analysis
from framework.outputs import analysis_charts, chart_theme
from framework.text import md
from ui import filters, shell
from ui.downloads import chart_downloads, table_downloads

lang = shell.setup("trends", "แนวโน้มตามรอบสำรวจ", "Trend over survey rounds")
tr = shell.tr

f = filters.survey_filters("trd", multi_round=True)  # every round: the trend is across them
counts = filters.survey_counts(f)
units = analysis.units(shell.connection())
unit_names = dict(zip(units["code"], units["name_en" if lang == "en" else "name_th"]))
left, right = st.columns(2)
with left:
    stage = filters.stage_select("trd_stage", counts.get("stage"), ("ระยะ", "Stage"))
with right:
    unit = st.selectbox(
        tr("หน่วยความสามารถ (สำหรับความครอบคลุม)", "Unit of capability (for coverage)"),
        list(units["code"]),
        format_func=lambda c: f"{c} · {unit_names[c]}",
        key="trd_unit",
    )
tr_ = filters.or_stop(filters.trends, f, stage=stage, unit=unit)
rounds = tr_["rounds"]
filters.stop_if_no_respondents(counts["respondents"])
if len(rounds) < 2:
    only = analysis.rounds.date_text(rounds[0], lang) if rounds else "—"
    st.info(
        tr(
            f"มีรอบสำรวจเพียงรอบเดียว ({md(only)}) จึงยังไม่มีแนวโน้ม — นำเข้าแบบสำรวจรอบถัดไปพร้อมวันที่รอบสำรวจ แล้วแนวโน้มจะปรากฏที่นี่",
            f"There is only one survey round ({md(only)}), so there is no trend yet — "
            "upload the next round with its round date and the trend appears here.",
        ),
        icon=":material/info:",
    )
labels = filters.key_labels("group")
stages = filters.stage_labels()
settings = filters.export_settings(f, stage=stage, unit=unit)
ready, cov = tr_["readiness"], tr_["coverage"]
fig = analysis_charts.trend_lines(
    ready,
    "readiness",
    lang,
    labels,
    title=tr(f"ความพร้อม · {stages[stage]} ตามรอบสำรวจ", f"Readiness · {stages[stage]} by survey round"),
    font_size=shell.chart_font_size(),
)
st.plotly_chart(fig, width="stretch", key="trd_ready_chart", config=chart_theme.CONFIG)
filters.hidden_note(ready, f.min_cell)
chart_downloads(fig, "trend-readiness", settings, key="trd_ready_chart_dl")
table_downloads(ready.drop(columns=["is_total"]), "trend-readiness", settings, key="trd_ready_table_dl")
fig2 = analysis_charts.trend_lines(
    cov,
    "coverage",
    lang,
    labels,
    title=tr(f"ความครอบคลุม · {unit} ตามรอบสำรวจ", f"Coverage · {unit} by survey round"),
    font_size=shell.chart_font_size(),
)
st.plotly_chart(fig2, width="stretch", key="trd_cov_chart", config=chart_theme.CONFIG)
filters.hidden_note(cov, f.min_cell)
chart_downloads(fig2, "trend-coverage", settings, key="trd_cov_chart_dl")
table_downloads(cov.drop(columns=["is_total", "unit_ord"]), "trend-coverage", settings, key="trd_cov_table_dl")
filters.definitions(f)
