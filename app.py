"""Home page (URL /): the latest survey's headline, then the framework at a glance — groups, units, 18 profiles."""

import streamlit as st

from framework import access, analysis, identity, summary
from framework.text import md
from ui import filters, shell
from ui.downloads import table_downloads

lang = shell.setup("home", "ภาพรวมกรอบทักษะด้านดิจิทัล", "The digital-skills framework at a glance")
tr = shell.tr
cat = shell.catalog()
meta = cat.meta()
name = "name_en" if lang == "en" else "name_th"

st.subheader(meta["title_en"] if lang == "en" else meta["title_th"])
st.caption(
    tr(
        f"สำนักงาน ก.พ. หนังสือ{meta['circular']} · ฉบับข้อมูล {meta['source_sha256']}",
        f"Office of the Civil Service Commission, circular {meta['circular']} · data version {meta['source_sha256']}",
    )
)
# Filled last: opening the survey store may stop the page (locked file), and the framework must show anyway.
survey_box = st.container(border=True)

groups = cat.groups()
units = cat.units()
counts = cat.profile_unit_counts()
cols = st.columns(5)
cols[0].metric(tr("กลุ่มความสามารถ", "Capability groups"), len(groups))
cols[1].metric(tr("หน่วยความสามารถ", "Units of capability"), len(units))
cols[2].metric(tr("ความสามารถย่อย", "Elements"), int(units["n_elements"].sum()))
cols[3].metric(tr("เกณฑ์การปฏิบัติงาน", "Performance criteria"), len(cat.criteria()))
cols[4].metric(
    tr("บทบาท", "Role profiles"),
    len(counts),
    help=tr("๓ ระยะของหน่วยงาน × ๖ กลุ่มบุคลากร", "3 agency stages × 6 staff groups"),
)

st.markdown("#### " + tr("๗ กลุ่มความสามารถ", "The 7 capability groups"))
group_table = groups[["key", name, "n_units"]].rename(
    columns={
        "key": tr("รหัส", "Prefix"),
        name: tr("กลุ่มความสามารถ", "Capability group"),
        "n_units": tr("จำนวนหน่วยความสามารถ", "Units"),
    }
)
st.dataframe(
    group_table,
    hide_index=True,
    width="stretch",
    column_config={tr("กลุ่มความสามารถ", "Capability group"): st.column_config.TextColumn(width="large")},
)
table_downloads(group_table, "capability-groups", None, key="home_groups")

st.markdown("#### " + tr("จำนวนหน่วยความสามารถที่ต้องมี ของ ๑๘ บทบาท", "Required units of the 18 role profiles"))
st.caption(
    tr(
        "แถว = กลุ่มบุคลากร, คอลัมน์ = ระยะพัฒนาการด้านดิจิทัลของหน่วยงาน (ระยะไม่ได้ซ้อนกัน: บางหน่วยของระยะก่อนไม่อยู่ในระยะถัดไป)",
        "Rows = staff group, columns = the agency's digital-maturity stage (stages are not nested: some "
        "units of an earlier stage are not in the next)",
    )
)
stages, staff = cat.stages(), cat.staff_groups()
pivot = counts.pivot(index="staff_group", columns="stage", values="units")
pivot = pivot.loc[list(staff["key"]), list(stages["key"])]
pivot.index = list(staff[name])
pivot.columns = list(stages[name])
st.dataframe(pivot, width="stretch")
table_downloads(pivot.reset_index(names=tr("กลุ่มบุคลากร", "Staff group")), "profile-unit-counts", None, key="home_counts")

st.markdown("#### " + tr("เปิดบทบาท", "Open a role profile"))
# Long Thai staff-group names wrap onto a second line instead of being cut ("· 9 หน่ว…").
st.markdown(
    """<style>.st-key-home_profiles [data-testid="stPageLink"] p,
.st-key-home_profiles [data-testid="stPageLink"] span { white-space: normal; overflow: visible;
text-overflow: clip; }</style>""",
    unsafe_allow_html=True,
)
personas = cat.table("profiles").set_index(["stage", "staff_group"])["persona_en" if lang == "en" else "persona_th"]
n_units = counts.set_index(["stage", "staff_group"])["units"]
unit_word = tr("หน่วย", "units")
for column, stage_key, stage_name in zip(
    st.container(key="home_profiles").columns(len(stages)), stages["key"], stages[name]
):
    with column:
        st.markdown(f"**{stage_name}**")
        for group_key, group_name in zip(staff["key"], staff[name]):
            st.page_link(
                "pages/profiles.py",
                label=f"{group_name} · {n_units[(stage_key, group_key)]} {unit_word}",
                help=personas[(stage_key, group_key)],
                icon=":material/badge:",
                query_params={"stage": stage_key, "group": group_key, "lang": lang},
            )

errata = cat.errata()
with st.expander(
    tr(f"การแก้ไขข้อความจากต้นฉบับ ({len(errata)} รายการ)", f"Corrections made to the source document ({len(errata)})")
):
    st.caption(
        tr(
            "ต้นฉบับแปลงจาก PDF จึงมีคำผิดและตารางที่สลับช่อง ทุกการแก้ไขบันทึกไว้ที่นี่พร้อมเลขบรรทัดและเหตุผล",
            "The source was converted from PDF, with typos and scrambled tables; every correction is "
            "recorded here with its line and reason.",
        )
    )
    view = errata[["erratum_id", "line", "table_name", "row_key", "field", "document_text", "corrected", "reason"]]
    st.dataframe(view, hide_index=True, width="stretch")
    table_downloads(view, "errata", None, key="home_errata")

st.info(
    tr(
        "เลือกหน้าจากเมนูด้านซ้าย: บทบาทตามกลุ่มบุคลากร สำรวจกรอบทักษะ แผนภาพความต้องการทักษะ และผลสำรวจของหน่วยงาน",
        "Pick a page from the menu on the left: role profiles, the framework explorer, requirement heatmaps and "
        "your agency's survey results.",
    ),
    icon=":material/info:",
)


def survey_headline() -> None:
    """One agency's latest round at a glance for an executive, against the stage it declared (the agency chosen
    on the survey pages, else ?agency=…, else the first: filters.agency_choice; the round and stage said in
    words); with every agency chosen, the pool said so; or where to load a survey when there is none. Signed in
    through an identity provider: only the person's agencies (framework.identity), nothing for a guest or staff."""
    person = shell.principal()
    if person is not None and not person.can("figures"):
        return
    opts = filters.options()
    batches = opts["batches"]
    agencies = filters.agency_choice(opts["agencies"])
    named = agencies if agencies else opts["agencies"]  # one agency in the store: no filter, still named
    if batches.empty:
        st.markdown("#### " + tr("ผลสำรวจล่าสุดของหน่วยงาน", "Your agency's latest survey"))
    elif len(named) == 1:
        who = named[0] if named[0] != analysis.NONE_KEY else tr("หน่วยงานที่ไม่ระบุ", "agency not given")
        st.markdown("#### " + tr(f"ผลสำรวจล่าสุดของ {md(who)}", f"The latest survey of {md(who)}"))
    else:
        st.markdown("#### " + tr("ผลสำรวจล่าสุด: หลายหน่วยงานรวมกัน", "The latest survey: agencies pooled"))
    if batches.empty:
        st.info(
            tr(
                "ยังไม่มีข้อมูลแบบสำรวจ — นำเข้าไฟล์ผลสำรวจทักษะของหน่วยงานเพื่อดูความพร้อมตามระยะ",
                "No survey is loaded yet — upload your agency's skills survey to see its readiness.",
            ),
            icon=":material/info:",
        )
        st.page_link("pages/upload.py", label=tr("นำเข้าแบบสำรวจ", "Upload a survey"), icon=":material/upload_file:")
        return
    # The latest round of each agency; exact figures in local mode (no passphrase configured), as on every
    # survey page there; otherwise sums of whole disclosure blocks (the home page asks for no passphrase).
    f = analysis.Filters(
        round=analysis.ROUND_LATEST,
        agencies=tuple(agencies),
        authorised=access.local_mode(shell.hr_secret()) or identity.exact(person, agencies),
        scope=identity.analysis_scope(person),
    )
    try:
        ov = filters.overview(f)
    except analysis.AnalysisError as exc:
        filters.show_error(exc)
        return
    stages = filters.stage_labels()
    demo = tr(" · ข้อมูลตัวอย่าง", " · demo data") if batches["is_demo"].fillna(False).all() else ""
    st.caption(":material/event: " + md(filters.describe_round(f)) + demo)
    stage, nxt, target = ov["stage"], ov["next_stage"], f.target
    filters.stage_caption(f, stage)  # against the stage the agency declared; several agencies: pooled

    m = st.columns(4)
    m[0].metric(tr("ผู้ตอบ", "Respondents"), f"{ov['counts']['respondents']:,}")
    m[1].metric(
        tr(f"ความพร้อม · {stages[stage]}", f"Readiness · {stages[stage]}"),
        filters.share_text(ov["readiness"]),
        help=tr(
            f"ค่าเฉลี่ยสัดส่วนหน่วยที่บทบาทกำหนดซึ่งผู้ตอบผ่าน ({summary.met_words(f.threshold, 'th')})",
            f"Mean share of required units met ({summary.met_words(f.threshold, 'en')})",
        ),
        delta=filters.change_text(ov, "readiness"),
    )
    if nxt:
        m[2].metric(
            tr(f"ความพร้อม · {stages[nxt]}", f"Readiness · {stages[nxt]}"),
            filters.share_text(ov["readiness_next"]),
            delta=filters.change_text(ov, "readiness_next"),
        )
    reached = ov["stage_reached"]
    m[3].metric(
        tr(f"ระยะที่บรรลุ (เป้าหมาย {target:.0%})", f"Stage reached (target {target:.0%})"),
        filters.reached_text(reached, stages),
    )
    if ov["hidden"]:
        st.caption(tr(f"ผู้ตอบน้อยกว่า {f.min_cell} คน จึงซ่อนตัวเลข", f"Fewer than {f.min_cell} respondents: figures hidden"))
    st.page_link(
        "pages/overview.py",
        label=tr(
            "ดูภาพรวมผู้บริหาร (ตัวกรองทั้งหมด เลือกหน่วยงานอื่นได้)", "Open the executive overview (all filters, other agencies)"
        ),
        icon=":material/monitoring:",
    )


with survey_box:
    survey_headline()
