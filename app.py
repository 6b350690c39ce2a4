"""Home page (URL /): the framework at a glance — groups, units and the 18 role profiles."""
import streamlit as st

from ui import shell

lang = shell.setup("home", "ภาพรวมกรอบทักษะด้านดิจิทัล", "The digital-skills framework at a glance")
tr = shell.tr
cat = shell.catalog()
meta = cat.meta()

st.subheader(meta["title_en"] if lang == "en" else meta["title_th"])
st.caption(tr(f"สำนักงาน ก.พ. หนังสือ{meta['circular']}", f"Office of the Civil Service Commission, circular {meta['circular']}"))

groups = cat.groups()
units = cat.units()
c1, c2, c3, c4 = st.columns(4)
c1.metric(tr("กลุ่มความสามารถ", "Capability groups"), len(groups))
c2.metric(tr("หน่วยความสามารถ", "Units of capability"), len(units))
c3.metric(tr("ความสามารถย่อย", "Elements"), int(units["n_elements"].sum()))
c4.metric(tr("บทบาท (ระยะ × กลุ่มบุคลากร)", "Role profiles (stage × staff group)"), len(cat.profile_unit_counts()))

left, right = st.columns([1, 1])
with left:
    st.markdown("#### " + tr("๗ กลุ่มความสามารถ", "The 7 capability groups"))
    name = "name_en" if lang == "en" else "name_th"
    st.dataframe(
        groups[["key", name, "n_units"]].rename(columns={
            "key": tr("รหัส", "Prefix"), name: tr("กลุ่มความสามารถ", "Capability group"),
            "n_units": tr("จำนวนหน่วย", "Units")}),
        hide_index=True, width="stretch",
    )
with right:
    st.markdown("#### " + tr("จำนวนหน่วยความสามารถที่ต้องมี ของ ๑๘ บทบาท", "Required units of the 18 role profiles"))
    counts = cat.profile_unit_counts()
    stages, staff = cat.stages(), cat.staff_groups()
    sname = dict(zip(stages["key"], stages[name]))
    gname = dict(zip(staff["key"], staff[name]))
    pivot = counts.pivot(index="stage", columns="staff_group", values="units")
    pivot = pivot.loc[list(stages["key"]), list(staff["key"])]
    pivot.index = [sname[k] for k in pivot.index]
    pivot.columns = [gname[k] for k in pivot.columns]
    st.dataframe(pivot, width="stretch")

st.info(tr(
    "เลือกหน้าจากเมนูด้านซ้าย: บทบาทตามกลุ่มบุคลากร สำรวจกรอบทักษะ แผนภาพความต้องการทักษะ และผลสำรวจของหน่วยงาน",
    "Pick a page from the menu on the left: role profiles, the framework explorer, requirement heatmaps and "
    "your agency's survey results."), icon=":material/info:")
