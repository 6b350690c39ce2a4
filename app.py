"""Home page (URL /): the framework at a glance — groups, units and the 18 role profiles."""
import streamlit as st

from ui import shell
from ui.downloads import table_downloads

lang = shell.setup("home", "ภาพรวมกรอบทักษะด้านดิจิทัล", "The digital-skills framework at a glance")
tr = shell.tr
cat = shell.catalog()
meta = cat.meta()
name = "name_en" if lang == "en" else "name_th"

st.subheader(meta["title_en"] if lang == "en" else meta["title_th"])
st.caption(tr(f"สำนักงาน ก.พ. หนังสือ{meta['circular']} · ฉบับข้อมูล {meta['source_sha256']}",
              f"Office of the Civil Service Commission, circular {meta['circular']} · data version "
              f"{meta['source_sha256']}"))

groups = cat.groups()
units = cat.units()
counts = cat.profile_unit_counts()
cols = st.columns(5)
cols[0].metric(tr("กลุ่มความสามารถ", "Capability groups"), len(groups))
cols[1].metric(tr("หน่วยความสามารถ", "Units of capability"), len(units))
cols[2].metric(tr("ความสามารถย่อย", "Elements"), int(units["n_elements"].sum()))
cols[3].metric(tr("เกณฑ์การปฏิบัติงาน", "Performance criteria"), len(cat.criteria()))
cols[4].metric(tr("บทบาท", "Role profiles"), len(counts),
               help=tr("๓ ระยะของหน่วยงาน × ๖ กลุ่มบุคลากร", "3 agency stages × 6 staff groups"))

st.markdown("#### " + tr("๗ กลุ่มความสามารถ", "The 7 capability groups"))
group_table = groups[["key", name, "n_units"]].rename(columns={
    "key": tr("รหัส", "Prefix"), name: tr("กลุ่มความสามารถ", "Capability group"),
    "n_units": tr("จำนวนหน่วยความสามารถ", "Units")})
st.dataframe(group_table, hide_index=True, width="stretch",
             column_config={tr("กลุ่มความสามารถ", "Capability group"): st.column_config.TextColumn(width="large")})
table_downloads(group_table, "capability-groups", None, key="home_groups")

st.markdown("#### " + tr("จำนวนหน่วยความสามารถที่ต้องมี ของ ๑๘ บทบาท", "Required units of the 18 role profiles"))
st.caption(tr("แถว = กลุ่มบุคลากร, คอลัมน์ = ระยะพัฒนาการด้านดิจิทัลของหน่วยงาน (ระยะไม่ได้ซ้อนกัน: บางหน่วยของระยะก่อนไม่อยู่ในระยะถัดไป)",
              "Rows = staff group, columns = the agency's digital-maturity stage (stages are not nested: some "
              "units of an earlier stage are not in the next)"))
stages, staff = cat.stages(), cat.staff_groups()
pivot = counts.pivot(index="staff_group", columns="stage", values="units")
pivot = pivot.loc[list(staff["key"]), list(stages["key"])]
pivot.index = list(staff[name])
pivot.columns = list(stages[name])
st.dataframe(pivot, width="stretch")
table_downloads(pivot.reset_index(names=tr("กลุ่มบุคลากร", "Staff group")), "profile-unit-counts", None,
                key="home_counts")

st.markdown("#### " + tr("เปิดบทบาท", "Open a role profile"))
personas = cat.table("profiles").set_index(["stage", "staff_group"])["persona_en" if lang == "en" else "persona_th"]
n_units = counts.set_index(["stage", "staff_group"])["units"]
unit_word = tr("หน่วย", "units")
for column, stage_key, stage_name in zip(st.columns(len(stages)), stages["key"], stages[name]):
    with column:
        st.markdown(f"**{stage_name}**")
        for group_key, group_name in zip(staff["key"], staff[name]):
            st.page_link("pages/profiles.py", label=f"{group_name} · {n_units[(stage_key, group_key)]} {unit_word}",
                         help=personas[(stage_key, group_key)], icon=":material/badge:",
                         query_params={"stage": stage_key, "group": group_key, "lang": lang})

errata = cat.errata()
with st.expander(tr(f"การแก้ไขข้อความจากต้นฉบับ ({len(errata)} รายการ)",
                    f"Corrections made to the source document ({len(errata)})")):
    st.caption(tr("ต้นฉบับแปลงจาก PDF จึงมีคำผิดและตารางที่สลับช่อง ทุกการแก้ไขบันทึกไว้ที่นี่พร้อมเลขบรรทัดและเหตุผล",
                  "The source was converted from PDF, with typos and scrambled tables; every correction is "
                  "recorded here with its line and reason."))
    view = errata[["erratum_id", "line", "table_name", "row_key", "field", "document_text", "corrected", "reason"]]
    st.dataframe(view, hide_index=True, width="stretch")
    table_downloads(view, "errata", None, key="home_errata")

st.info(tr(
    "เลือกหน้าจากเมนูด้านซ้าย: บทบาทตามกลุ่มบุคลากร สำรวจกรอบทักษะ แผนภาพความต้องการทักษะ และผลสำรวจของหน่วยงาน",
    "Pick a page from the menu on the left: role profiles, the framework explorer, requirement heatmaps and "
    "your agency's survey results."), icon=":material/info:")
