"""Executive overview: where the agency's workforce stands and how far it is from the next stage, at a glance."""

import streamlit as st

from framework import analysis, summary
from framework.outputs import chart_theme, readiness_charts
from framework.text import md
from ui import cache, filters, shell
from ui.downloads import chart_downloads, table_downloads

lang = shell.setup("overview", "ภาพรวมสำหรับผู้บริหาร", "Executive overview")
tr = shell.tr

f = filters.survey_filters("ov")
counts = filters.survey_counts(f)
stage = filters.stage_select(
    "ov_stage",
    label=("ระยะปัจจุบันของหน่วยงาน", "Your agency's current stage"),
    f=f,
    help=(
        "หน่วยงานเลือกระยะของตนเองได้ (เริ่มต้นจากระยะที่หน่วยงานระบุสำหรับรอบนี้) และใช้ต่อในทุกหน้าผลสำรวจ",
        (
            "Your agency chooses its own stage (it starts at the stage the agency declared for this round) and "
            "keeps it on every survey page."
        ),
    ),
)
ov = filters.or_stop(filters.overview, f, stage=stage)
stages = filters.stage_labels()
c = ov["counts"]
filters.stop_if_no_respondents(c["respondents"])
if c.get("n_stages", 0) > 1 and stage == counts.get("stage") and len(f.agencies) == 1:
    st.caption(
        tr(
            "ชุดข้อมูลที่เลือกระบุระยะต่างกัน ใช้ระยะที่พบมากที่สุดเป็นค่าเริ่มต้น",
            "The selected batches declare different stages; the most common one is the default.",
        )
    )
scope = ", ".join(f.agencies) if f.agencies else tr("ทุกหน่วยงานรวมกัน", "all agencies pooled")
st.caption(
    tr(
        f"ขอบเขต: {md(scope)} · ผู้ตอบ {c['respondents']:,} คน · {summary.met_clause(f.threshold, 'th')}",
        f"Scope: {md(scope)} · {c['respondents']:,} respondents · {summary.met_clause(f.threshold, 'en')}",
    )
)
filters.round_caption(f)


target = f.target


def gap(v, name: str = "readiness"):
    """The metric's coloured delta: the change since the previous round (framework: None when either
    round's figure is hidden), else the distance to the readiness target."""
    change = filters.change_text(ov, name)
    if change is not None:
        return change
    if v is None or name.startswith("fully"):
        return None
    d = analysis.gap_points(v, target)
    return tr(f"{d:+d} จุด เทียบเป้าหมาย {target:.0%}", f"{d:+d} pp vs {target:.0%} target")


nxt = ov["next_stage"]
reached = ov["stage_reached"]
m = st.columns(4)
m[0].metric(
    tr(f"ความพร้อม · {stages[stage]}", f"Readiness · {stages[stage]}"),
    filters.share_text(ov["readiness"]),
    delta=gap(ov["readiness"]),
    help=tr("ค่าเฉลี่ยสัดส่วนหน่วยที่บทบาทกำหนดซึ่งผู้ตอบผ่าน", "Mean share of required units met"),
)
if nxt:
    m[1].metric(
        tr(f"ความพร้อม · {stages[nxt]}", f"Readiness · {stages[nxt]}"),
        filters.share_text(ov["readiness_next"]),
        delta=gap(ov["readiness_next"], "readiness_next"),
    )
else:
    m[1].metric(tr("ระยะถัดไป", "Next stage"), tr("ไม่มี (ระยะสูงสุด)", "none (top stage)"))
m[2].metric(
    tr(f"ระยะที่บรรลุ (เป้าหมาย {target:.0%})", f"Stage reached (target {target:.0%})"),
    filters.reached_text(reached, stages),
)
m[3].metric(
    tr(f"พร้อมเต็มที่ · {stages[stage]}", f"Fully ready · {stages[stage]}"),
    filters.share_text(ov["fully_ready"]),
    delta=gap(ov["fully_ready"], "fully_ready"),
    help=tr("สัดส่วนผู้ตอบที่ผ่านทุกหน่วยที่บทบาทกำหนด", "Share of respondents who meet every required unit"),
)
filters.stage_caption(f, stage)  # which stage the figures are against: declared, next, another; or pooled
if ov["hidden"]:
    st.warning(
        tr(
            f"ผู้ตอบน้อยกว่า {f.min_cell} คน จึงซ่อนตัวเลขทั้งหมด (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล)",
            f"Fewer than {f.min_cell} respondents, so every figure is hidden (PDPA).",
        ),
        icon=":material/visibility_off:",
    )
else:
    # What to do next, in one sentence (the rule is analysis.next_step; the page only words it).
    step = analysis.next_step(ov, target)
    first = ", ".join(step.start_with)
    ws = stages[step.work_stage]
    start = (
        tr(
            f" — เริ่มจากหน่วยที่{ws}กำหนดซึ่งครอบคลุมต่ำสุด: {first}",
            f" — start with the units {ws} requires that have the lowest coverage: {first}",
        )
        if first
        else ""
    )
    r_now, r_next, pts = step.readiness, step.readiness_next, step.points
    if step.kind == "raise":
        then = (
            tr(
                f" แล้วจึงมุ่งสู่ระยะถัดไป: {stages[nxt]} (ตอนนี้ {r_next:.0%})",
                f"; then aim for the next stage: {stages[nxt]} (now {r_next:.0%})",
            )
            if nxt
            else ""
        )
        st.info(
            tr(
                f"**ขั้นต่อไป:** ยกความพร้อมใน{stages[stage]}จาก {r_now:.0%} ให้ถึงเป้าหมาย {target:.0%} "
                f"(ขาดอีก {pts} จุด){start}{then}",
                f"**Next step:** raise readiness at {stages[stage]} from {r_now:.0%} to the {target:.0%} target "
                f"({pts} points to go){start}{then}",
            ),
            icon=":material/flag:",
        )
    elif step.kind == "aim_next":
        st.info(
            tr(
                f"**ขั้นต่อไป:** {stages[stage]}ถึงเป้าหมายแล้ว ({r_now:.0%}) มุ่งสู่ระยะถัดไป: {stages[nxt]} "
                f"ตอนนี้ {r_next:.0%} ขาดอีก {pts} จุด{start}",
                f"**Next step:** {stages[stage]} is on target ({r_now:.0%}); aim for the next stage: "
                f"{stages[nxt]}, now {r_next:.0%}, {pts} points to go{start}",
            ),
            icon=":material/flag:",
        )
    elif step.kind == "top":
        st.success(
            tr(
                f"บรรลุเป้าหมายใน{stages[stage]} ซึ่งเป็นระยะสูงสุดแล้ว ({r_now:.0%}) — รักษาระดับ "
                "และติดตามหน่วยที่ครอบคลุมต่ำสุดด้านล่าง",
                f"{stages[stage]}, the top stage, is on target ({r_now:.0%}) — keep it there and watch the "
                "lowest units below.",
            ),
            icon=":material/verified:",
        )
m = st.columns(4)
m[0].metric(tr("ผู้ตอบ", "Respondents"), f"{c['respondents']:,}")
m[1].metric(tr("หน่วยงาน", "Agencies"), c["agencies"])
m[2].metric(tr("หน่วยงานย่อย", "Org units"), c["org_units"])
m[3].metric(tr("รอบสำรวจ", "Survey rounds"), c["rounds"])

target_stage = ov["work_stage"]  # the stage the next step works on (analysis.work_stage)
st.subheader(
    tr(
        f"๕ หน่วยที่{stages[target_stage]}กำหนดซึ่งครอบคลุมต่ำสุด",
        f"The five units {stages[target_stage]} requires with the lowest coverage",
    )
)
bl = ov["blockers"]
if bl.empty:
    st.info(
        tr(
            "ไม่มีหน่วยที่แสดงได้ (ผู้ตอบน้อยเกินไปหรือไม่มีหน่วยที่กำหนด)",
            "No unit can be shown (too few respondents, or no required unit).",
        )
    )
else:
    fig = cache.figure(readiness_charts.blockers_bar, bl, lang, font_size=shell.chart_font_size())
    st.plotly_chart(fig, width="stretch", key="ov_blockers_chart", config=chart_theme.CONFIG)
    settings = filters.export_settings(f, stage=target_stage)
    chart_downloads(fig, "blockers", settings, key="ov_blockers_chart_dl")
    name = "name_en" if lang == "en" else "name_th"
    # Not assessed (no level given) counts as not met; its share apart, so a short form does not read as low skill.
    table = (
        bl[["code", name, "n", "met", "coverage", "not_assessed_share"]]
        .assign(coverage=bl["coverage"] * 100, not_assessed_share=bl["not_assessed_share"] * 100)
        .rename(
            columns={
                "code": tr("รหัส", "Code"),
                name: tr("หน่วยความสามารถ", "Unit"),
                "n": tr("ผู้ที่บทบาทกำหนด", "Respondents required"),
                "met": tr("ผ่าน", "Met"),
                "coverage": tr("ความครอบคลุม", "Coverage"),
                "not_assessed_share": tr("ยังไม่ได้ประเมิน", "Not assessed"),
            }
        )
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            tr("ความครอบคลุม", "Coverage"): st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100),
            tr("ยังไม่ได้ประเมิน", "Not assessed"): st.column_config.NumberColumn(format="%.0f%%"),
            tr("ผ่าน", "Met"): st.column_config.NumberColumn(format="%d"),
        },
    )
    st.caption(
        tr(
            "ยังไม่ได้ประเมิน = สัดส่วนผู้ที่บทบาทกำหนดซึ่งไม่มีระดับของหน่วยนั้น (นับว่ายังไม่ผ่าน) "
            "ค่าสูงหมายถึงแบบสำรวจไม่ได้ถามหน่วยนั้น ไม่ใช่ทักษะต่ำ",
            "Not assessed = the share of the people required who have no level for the unit (counted as "
            "not met): a high share means the form did not ask, not low skill.",
        )
    )
    table_downloads(bl, "blockers", settings, key="ov_blockers_table_dl")
all_bl = ov["blockers_all"]
n_hidden = int(all_bl["hidden"].isin([analysis.HIDDEN_SMALL, analysis.HIDDEN_POOLED]).sum())
if n_hidden:
    st.caption(
        tr(
            f":material/visibility_off: ซ่อน {n_hidden} หน่วยซึ่งมีผู้ตอบที่บทบาทกำหนดน้อยกว่า {f.min_cell} คน "
            f"(หรือทุกคนอยู่ในกลุ่มย่อยที่เล็กกว่า {f.min_cell} คน) จึงไม่นำมาจัดอันดับ",
            f":material/visibility_off: {n_hidden} units are hidden and not ranked: fewer than {f.min_cell} "
            f"respondents are required to have them (or all of them are in groups of fewer than "
            f"{f.min_cell}).",
        )
    )
filters.definitions(f)
