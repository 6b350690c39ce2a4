"""Requirement heatmaps (URL /requirements): which units each staff group must have at each stage; framework only."""

import streamlit as st

from framework.catalog import STAFF_GROUPS, STAGES
from framework.catalog import profiles as pv
from framework.outputs import chart_theme, charts
from framework.text import md
from ui import shell
from ui.downloads import chart_downloads, table_downloads

lang = shell.setup("requirements", "แผนภาพความต้องการทักษะ", "Requirement heatmaps")
tr = shell.tr
ALL = "all"


@st.cache_data(show_spinner=False)
def _matrix():
    return shell.catalog().requirement_matrix()


@st.cache_data(show_spinner=False)
def _counts():
    return shell.catalog().profile_unit_counts()


def level_labels(fig, width: int) -> None:
    """Column labels read level, on short wrapped lines (the chart draws them upright, which long Thai names
    cannot afford: they ran into the title), with room above them for the title."""
    ticks = list(fig.data[0].x)
    fig.update_xaxes(tickangle=0, tickmode="array", tickvals=ticks, ticktext=[pv.wrap_label(t, width) for t in ticks])


names = shell.catalog_names(lang)
font_size = shell.chart_font_size()
phone = shell.on_phone()
raw = st.query_params.get("stage")
if raw and raw != st.session_state.get("req_url"):
    st.session_state["req_stage"] = ALL if raw == ALL else pv.parse_stage(raw, st.session_state.get("req_stage", ALL))
    if raw != ALL and not pv.parse_stage(raw, ""):
        st.warning(
            tr(
                f"ลิงก์มีค่า stage=“{md(raw)}” ที่ไม่รู้จัก — ใช้ Early, Developing, Mature หรือ all",
                f"The link has an unknown stage=“{md(raw)}” — use Early, Developing, Mature or all",
            ),
            icon=":material/link_off:",
        )
st.session_state.setdefault("req_stage", STAGES[-1])

st.caption(
    tr(
        "แถว = หน่วยความสามารถตามลำดับกรอบทักษะ (เส้นคั่นกลุ่มความสามารถ) · คอลัมน์ = กลุ่มบุคลากร · "
        "ช่องสีเข้ม = บทบาทนั้นต้องมีหน่วยนี้ · ชี้ที่ช่องเพื่อดูชื่อหน่วย",
        "Rows = units in framework order (lines separate capability groups) · columns = staff groups · "
        "dark cell = that role profile requires the unit · hover a cell for the unit's name",
    )
)
options = [*STAGES, ALL]
st.segmented_control(
    tr("ระยะของหน่วยงาน", "Agency stage"),
    options,
    key="req_stage",
    required=True,
    format_func=lambda k: tr("ทั้ง ๓ ระยะ", "All three stages") if k == ALL else names.get(k, k),
    wrap=True,
)
choice = st.session_state["req_stage"] or STAGES[-1]
st.query_params.from_dict({"stage": choice, "lang": lang, **({"present": "1"} if shell.presenting() else {})})
st.session_state["req_url"] = choice

matrix = _matrix()
stages = list(STAGES) if choice == ALL else [choice]
# One stage: the heatmap gets the full width, the counts go below; all three: three panels side by side.
panels = st.columns(3) if choice == ALL else [st.container()]
for panel, stage in zip(panels, stages):
    with panel:
        fig = charts.requirement_heatmap(matrix, stage, lang, names, compact=choice == ALL, font_size=font_size)
        # Three narrow panels, and a phone's ~45 px columns, keep the chart's upright labels (no room across:
        # wrapped level labels printed on top of each other at 390 px).
        if choice != ALL and not phone:
            level_labels(fig, width=18)
        st.plotly_chart(fig, key=f"req_heat_{stage}", config=chart_theme.CONFIG)
        chart_downloads(fig, "requirement-heatmap", {"stage": stage}, key=f"req_heat_dl_{stage}")
        pivot = pv.requirement_pivot(matrix, stage)
        table = pivot.rename(columns=names).reset_index().rename(columns={"unit_code": tr("รหัส", "Code")})
        table_downloads(table, "requirement-matrix", {"stage": stage}, key=f"req_table_dl_{stage}")

with st.columns([3, 2])[0]:
    counts = _counts()
    fig = charts.profile_count_matrix(counts, lang, names, font_size=font_size)
    st.plotly_chart(fig, key="req_counts", config=chart_theme.CONFIG)
    chart_downloads(fig, "required-unit-counts", None, key="req_counts_dl")
    # Same orientation as the chart: staff groups as rows (long Thai names fit), the three stages as columns.
    table = counts.pivot(index="staff_group", columns="stage", values="units").loc[list(STAFF_GROUPS), list(STAGES)]
    table.index = [names[g] for g in table.index]
    table.columns = [names[s] for s in table.columns]
    with st.expander(tr("ตารางตัวเลข", "Table of the numbers")):
        st.dataframe(table, width="stretch")
    table_downloads(
        table.reset_index(names=tr("กลุ่มบุคลากร", "Staff group")), "required-unit-counts", None, key="req_counts_table_dl"
    )
    st.caption(tr("ตัวเลข = จำนวนหน่วยความสามารถที่บทบาทนั้นต้องมี", "Number = units of capability the role profile requires"))
