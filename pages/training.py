"""Training needs: how many staff in each unit of capability need development, to plan courses and budgets."""

import streamlit as st

from framework import analysis, summary
from framework.outputs import analysis_charts, chart_theme
from framework.text import md
from ui import filters, shell
from ui.downloads import chart_downloads, table_downloads

lang = shell.setup("training", "ความต้องการพัฒนา", "Training needs")
tr = shell.tr


f = filters.survey_filters("trn")
filters.round_caption(f)
counts = filters.survey_counts(f)
left, right = st.columns([1, 1])
with left:
    stage = filters.stage_select(
        "trn_stage",
        label=("ระยะของหน่วยงาน", "Agency stage"),
        f=f,
        help=(
            "หน่วยความสามารถที่นับคือหน่วยที่บทบาทในระยะนี้กำหนดให้ผู้ตอบแต่ละคน",
            "The units counted are those the role profile at this stage requires of each respondent.",
        ),
    )
with right:
    top = st.slider(
        tr("จำนวนหน่วยในแผนภูมิ (N อันดับแรก)", "Units in the chart (top N)"),
        3,
        39,
        key="trn_top",
        **({} if "trn_top" in st.session_state else {"value": 10}),
    )
needs = filters.or_stop(filters.training_needs, f, stage=stage, by="group")
filters.stop_if_no_respondents(counts["respondents"])

stages = filters.stage_labels()
totals = needs[needs["is_total"]].reset_index(drop=True)
head = analysis.training_headline(totals)  # over shown units only (suppression.py rule 6)
scope = ", ".join(f.agencies) if f.agencies else tr("ทุกหน่วยงานรวมกัน", "all agencies pooled")
st.caption(
    tr(
        f"ขอบเขต: {md(scope)} · ผู้ตอบ {counts['respondents']:,} คน · {stages[stage]} · "
        f"{summary.met_clause(f.threshold, 'th')}",
        f"Scope: {md(scope)} · {counts['respondents']:,} respondents · {stages[stage]} · "
        f"{summary.met_clause(f.threshold, 'en')}",
    )
)
filters.stage_caption(f, stage)

m = st.columns(3)
m[0].metric(
    tr("หน่วยที่มีผู้ต้องพัฒนา", "Units with needs"),
    f"{head.units_with_needs} / {head.units}",
    help=tr(
        "หน่วยที่บทบาทของผู้ตอบกำหนด ซึ่งมีผู้ตอบอย่างน้อยหนึ่งคนยังไม่ผ่าน (นับเฉพาะหน่วยที่แสดง)",
        "Units required by the respondents' profiles that at least one of them does not meet (shown units only)",
    ),
)
m[1].metric(
    tr("จำนวนคน-หน่วยที่ต้องพัฒนา", "Person-units to develop"),
    f"{head.person_units:,}",
    help=tr(
        "ผลรวมของจำนวนผู้ต้องพัฒนาทุกหน่วย (หนึ่งคนนับหนึ่งครั้งต่อหน่วย) — ใช้ประมาณที่นั่งอบรม",
        "Sum over units of the staff to develop (one person counts once per unit) — seats to plan",
    ),
)
m[2].metric(
    tr("สัดส่วนที่ยังไม่ได้ประเมิน", "Share not assessed"),
    tr("ซ่อน", "hidden") if head.share_not_assessed is None else f"{head.share_not_assessed:.0%}",
    help=tr(
        "ของทุกคน-หน่วยที่บทบาทกำหนด ในหน่วยที่แสดง: ยังไม่มีระดับ จึงนับว่ายังไม่ผ่าน",
        "Of all required person-units in the shown units: no level given, so counted as not met",
    ),
)
if head.units_hidden:
    st.caption(
        tr(
            f":material/visibility_off: ไม่นับ {head.units_hidden} หน่วยที่ซ่อนไว้ในตัวเลขด้านบนและในแผนภูมิ",
            f":material/visibility_off: {head.units_hidden} hidden units are left out of the figures above and the chart.",
        )
    )

settings = filters.export_settings(f, stage=stage)
if head.person_units == 0:
    st.info(
        tr(
            "ไม่มีหน่วยที่แสดงได้ซึ่งมีผู้ต้องพัฒนา (ผู้ตอบน้อยเกินไป หรือทุกคนผ่านแล้ว)",
            "No shown unit has staff to develop (too few respondents, or everyone meets them).",
        )
    )
else:
    fig = analysis_charts.training_needs_bar(
        needs,
        lang,
        top,
        title=tr(f"{top} หน่วยที่มีผู้ต้องพัฒนามากที่สุด", f"Top {top} units by staff to develop"),
        subtitle=stages[stage],
        font_size=shell.chart_font_size(),
    )
    st.plotly_chart(fig, width="stretch", key="trn_chart", config=chart_theme.CONFIG)
    chart_downloads(fig, "training_needs", settings, key="trn_chart_dl")

st.caption(
    tr(
        f"**ต้องพัฒนา** = ผู้ตอบที่บทบาท ({stages[stage]}, กลุ่มบุคลากรของตน) กำหนดหน่วยนั้น แต่ระดับ{summary.below_words(f.threshold, 'th')} "
        "หรือยังไม่ได้ประเมิน · **ผู้ที่บทบาทกำหนด** = จำนวนผู้ตอบที่บทบาทกำหนดหน่วยนั้น · "
        "เรียงจากจำนวนผู้ต้องพัฒนามากที่สุด",
        f"**To develop** = respondents whose role profile ({stages[stage]}, their staff group) requires the unit "
        f"and whose level is {summary.below_words(f.threshold, 'en')} or not assessed · **Required** = respondents whose profile "
        "requires the unit · sorted by staff to develop, largest first",
    )
)

st.markdown("#### " + tr("ทุกหน่วยที่บทบาทกำหนด", "Every required unit"))
name, gname = ("name_en", "group_name_en") if lang == "en" else ("name_th", "group_name_th")
cols = {
    "code": tr("รหัส", "Code"),
    name: tr("หน่วยความสามารถ", "Unit"),
    gname: tr("กลุ่มความสามารถ", "Capability group"),
    "required_n": tr("ผู้ที่บทบาทกำหนด", "Required"),
    "not_met_n": tr("ต้องพัฒนา", "To develop"),
    "share_not_met": tr("สัดส่วนที่ต้องพัฒนา", "Share to develop"),
    "not_assessed_n": tr("ยังไม่ได้ประเมิน", "Not assessed"),
    "hidden": tr("ซ่อน", "Hidden"),
}
why = {r: analysis.reason_label(r, lang, f.min_cell) for r in analysis.REASONS}
table = totals[list(cols)].assign(
    share_not_met=totals["share_not_met"] * 100,
    hidden=[why.get(h, "") if isinstance(h, str) else "" for h in totals["hidden"]],
)
table = table.rename(columns=cols)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    key="trn_table",
    column_config={
        cols["share_not_met"]: st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100),
        cols["not_met_n"]: st.column_config.NumberColumn(format="%d"),
        cols["not_assessed_n"]: st.column_config.NumberColumn(format="%d"),
    },
)
filters.hidden_note(totals, f.min_cell)
st.caption(
    tr(
        "ไฟล์ที่ดาวน์โหลดมีทั้งยอดรวมของแต่ละหน่วย (key = (all)) และแยกตามกลุ่มบุคลากร",
        "The downloads hold each unit's total (key = (all)) and its breakdown by staff group.",
    )
)
table_downloads(needs.drop(columns=["unit_ord"]), "training_needs", settings, key="trn_table_dl")
filters.definitions(f)
