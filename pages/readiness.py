"""Readiness path: readiness at Early, Developing and Mature per staff group, agency or org unit, and what blocks the next stage."""

import pandas as pd
import streamlit as st

from framework import analysis
from framework.outputs import analysis_charts, chart_theme, readiness_charts
from ui import cache, filters, shell
from ui.downloads import chart_downloads, table_downloads

lang = shell.setup("readiness", "ความพร้อมตามระยะ", "Readiness path")
tr = shell.tr

f = filters.survey_filters("rdy")
filters.round_caption(f)
by_labels = {
    "group": tr("กลุ่มบุคลากร", "Staff group"),
    "agency": tr("หน่วยงาน", "Agency"),
    "unit": tr("หน่วยงานย่อย", "Org unit"),
}
by = st.radio(tr("แยกตาม", "Break down by"), list(by_labels), format_func=by_labels.get, horizontal=True, key="rdy_by")
ready = filters.or_stop(filters.readiness, f, by=by)
filters.stop_if_no_respondents(int(ready["n"].max() or 0))
reached = analysis.stage_reached(ready, f.target)
labels = filters.key_labels(by)
stages = filters.stage_labels()
shown = ready[ready["n"] > 0]
forms = {
    "dots": tr("จุดตามระยะ", "Dots per stage"),
    "stacked": tr("จุด เรียงลง (จอแคบ)", "Dots, stacked (narrow screens)"),
    "lines": tr("เส้น", "Lines"),
}
# A phone's browser says "Mobile" in its user agent: its panels start one above the other.
first_form = "stacked" if shell.on_phone() else "dots"
form = (
    st.segmented_control(
        tr("รูปแบบแผนภาพ", "Chart form"),
        list(forms),
        format_func=forms.get,
        key="rdy_form",
        **({} if "rdy_form" in st.session_state else {"default": first_form}),
    )
    or first_form
)
if form == "lines":
    fig = cache.figure(
        readiness_charts.readiness_path, shown, reached, f.target, lang, labels, font_size=shell.chart_font_size()
    )
else:
    fig = cache.figure(
        readiness_charts.readiness_dots,
        shown,
        reached,
        f.target,
        lang,
        labels,
        font_size=shell.chart_font_size(),
        stacked=form == "stacked",
    )
st.plotly_chart(fig, width="stretch", key="rdy_chart", config=chart_theme.CONFIG)
filters.hidden_note(ready, f.min_cell)
settings = filters.export_settings(f, by=by)
chart_downloads(fig, "readiness", settings, key="rdy_chart_dl")


def reached_text(v):
    if v is None or pd.isna(v):
        return tr("ซ่อน", "hidden")
    return tr("ยังไม่บรรลุ", "none yet") if v == "none" else stages[v]


summary = reached.assign(
    name=[analysis_charts.key_label(k, labels, lang) for k in reached["key"]],
    reached=[reached_text(v) for v in reached["stage_reached"]],
)
# The readiness behind the path, one column per stage ("hidden" where suppressed).
per_stage = ready.assign(
    cell=[
        tr("ซ่อน", "hidden") if h is not None and not pd.isna(h) else f"{v:.0%}"
        for h, v in zip(ready["hidden"], ready["readiness"])
    ]
)
per_stage = per_stage.pivot(index="key", columns="stage", values="cell")
stage_cols = [tr(f"ความพร้อม · {stages[s]}", f"Readiness · {stages[s]}") for s in analysis.STAGES]
for s_, col in zip(analysis.STAGES, stage_cols):
    summary[col] = summary["key"].map(per_stage[s_])
summary = summary[summary["n"] > 0]
st.dataframe(
    summary[["name", "n", *stage_cols, "reached"]].rename(
        columns={"name": by_labels[by], "n": tr("ผู้ตอบ", "Respondents"), "reached": tr("ระยะที่บรรลุ", "Stage reached")}
    ),
    hide_index=True,
    width="stretch",
)
table_downloads(ready.drop(columns=["is_total"]), "readiness", settings, key="rdy_table_dl")

st.subheader(tr("หน่วยที่ต้องพัฒนาก่อน", "Units to work on first"))
# The agency's own stage (shared with /overview) decides the next stage: analysis.next_stage, one rule for
# every page; the units listed are those of analysis.work_stage (this stage until it is on target).
stage = filters.stage_select("rdy_stage", label=("ระยะปัจจุบันของหน่วยงาน", "Your agency's current stage"), f=f)
filters.stage_caption(f, stage)
nxt = analysis.next_stage(stage)
st.caption(
    tr(f"ระยะถัดไป: {stages[nxt]}", f"Next stage: {stages[nxt]}")
    if nxt
    else tr(f"{stages[stage]}เป็นระยะสูงสุด ไม่มีระยะถัดไป", f"{stages[stage]} is the top stage: there is no next stage.")
)
keys = [k for k in reached["key"] if int(reached.loc[reached["key"] == k, "n"].iloc[0]) > 0]
key = st.selectbox(by_labels[by], keys, format_func=lambda k: analysis_charts.key_label(k, labels, lang), key="rdy_key")
cell = ready[(ready["key"] == key) & (ready["stage"] == stage)].iloc[0]
if cell["hidden"] is not None and cell["hidden"] == cell["hidden"]:
    st.info(tr(f"ซ่อน: ผู้ตอบน้อยกว่า {f.min_cell} คน", f"Hidden: fewer than {f.min_cell} respondents."))
else:
    r_now = float(cell["readiness"])
    ws = analysis.work_stage(stage, r_now, f.target)
    if ws == stage:
        st.caption(
            tr(
                f"ความพร้อมใน{stages[stage]} {r_now:.0%} (เป้าหมาย {f.target:.0%}): หน่วยที่{stages[ws]}กำหนดซึ่งครอบคลุมต่ำสุด",
                f"Readiness at {stages[stage]} {r_now:.0%} (target {f.target:.0%}): the units "
                f"{stages[ws]} requires with the lowest coverage",
            )
        )
    else:
        st.caption(
            tr(
                f"{stages[stage]}ถึงเป้าหมายแล้ว ({r_now:.0%}): หน่วยที่ระยะถัดไป {stages[ws]} กำหนดซึ่งครอบคลุมต่ำสุด",
                f"{stages[stage]} is on target ({r_now:.0%}): the units the next stage, {stages[ws]}, "
                "requires with the lowest coverage",
            )
        )
    sub = analysis.narrow(f, by, key)
    bl = filters.blockers(sub, stage=ws, top=5)
    if bl.empty:
        st.info(tr("ไม่มีหน่วยที่แสดงได้ (ผู้ตอบน้อยเกินไป)", "No unit can be shown (too few respondents)."))
    else:
        bfig = cache.figure(
            readiness_charts.blockers_bar,
            bl,
            lang,
            title=tr(f"หน่วยที่ขวาง{stages[ws]}", f"Units blocking {stages[ws]}"),
            font_size=shell.chart_font_size(),
        )
        st.plotly_chart(bfig, width="stretch", key="rdy_blockers_chart", config=chart_theme.CONFIG)
        bset = filters.export_settings(sub, by=by, key=key, stage=ws)
        chart_downloads(bfig, "readiness-blockers", bset, key="rdy_blockers_chart_dl")
        table_downloads(bl, "readiness-blockers", bset, key="rdy_blockers_table_dl")
filters.definitions(f)
