"""Role profile (URL /profiles): one stage x staff group, deep-linkable as /profiles?stage=Mature&group=Service."""

from html import escape

import streamlit as st

from framework import pdf
from framework.catalog import STAFF_GROUPS, STAGES
from framework.catalog import profiles as pv
from framework.errors import BilingualError
from framework.handout import profile_handout, profiles_deck
from framework.text import md
from ui import shell
from ui import targets as target_levels
from ui.downloads import table_downloads

lang = shell.setup("profiles", "บทบาทตามกลุ่มบุคลากร", "Role profile")
tr = shell.tr

PAGE_CSS = """
<style>
.prof-persona { font-size: 2.3rem; font-weight: 700; line-height: 1.25; color: #12335e; margin: 0.2rem 0 0; }
.prof-alt { font-size: 1.1rem; color: #555; margin-bottom: 0.6rem; }
.prof-where { font-size: 1.05rem; font-weight: 600; color: #1f4e8c; }
.prof-role { font-size: 1.08rem; line-height: 1.6; }
.prof-flag { color: #a35a00; font-weight: 700; }
</style>
"""
PRESENT_EXTRA = """
<style>
.prof-persona { font-size: 2.6rem; line-height: 1.25; } .prof-alt { font-size: 1.6rem; } .prof-where { font-size: 1.6rem; }
.prof-role { font-size: 1.15rem; }
</style>
"""


@st.cache_data(show_spinner=False)
def _profile(stage: str, group: str):
    return shell.catalog().profile(stage, group)


@st.cache_data(show_spinner=False)
def _tree():
    return pv.element_tree(shell.catalog())


@st.cache_data(show_spinner=False)
def _handout(stage: str, group: str, lang: str, levels: tuple = (), whose: tuple = (None, None)) -> bytes:
    return profile_handout(shell.catalog(), stage, group, lang, dict(levels), whose).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=24)
def _pdf(profiles: tuple[tuple[str, str], ...], lang: str) -> bytes:
    """PDF of one handout or a deck (1-3 s in Chromium); failures raise and are not cached."""
    cat = shell.catalog()
    html = profile_handout(cat, *profiles[0], lang) if len(profiles) == 1 else profiles_deck(cat, list(profiles), lang)
    return pdf.html_to_pdf(html)


# What a PDF button makes: (kind, Thai label, English label)
PDF_KINDS = (
    ("one", "PDF ๑ หน้า (บทบาทนี้)", "PDF, one page (this profile)"),
    ("stage", "PDF ทั้ง ๖ กลุ่มของระยะนี้", "PDF of the stage's 6 groups"),
    ("all", "PDF ทั้ง ๑๘ บทบาท", "PDF of all 18 profiles"),
)


def _pdf_request(kind: str, stage: str, group: str) -> tuple[tuple[str, str], ...]:
    if kind == "one":
        return ((stage, group),)
    if kind == "stage":
        return tuple((stage, g) for g in STAFF_GROUPS)
    return tuple((s, g) for s in STAGES for g in STAFF_GROUPS)


def _pdf_name(kind: str, stage: str, group: str, lang: str) -> str:
    return {
        "one": f"profile_{stage}_{group}_{lang}.pdf",
        "stage": f"profiles_{stage}_{lang}.pdf",
        "all": f"profiles_all_{lang}.pdf",
    }[kind]


def pdf_downloads(stage: str, group: str, lang: str) -> None:
    """PDF made on click (never on a rerun): a button per kind, then the file's download button or one message."""
    with st.container(horizontal=True, gap="small"):
        for kind, th, en in PDF_KINDS:
            st.button(
                tr(th, en),
                key=f"prof_pdf_{kind}",
                icon=":material/picture_as_pdf:",
                on_click=st.session_state.update,
                kwargs={"prof_pdf": (kind, stage, group, lang)},
            )
    want = st.session_state.get("prof_pdf")
    if not want or want[1:] != (stage, group, lang):
        return
    kind = want[0]
    try:
        with st.spinner(tr("กำลังสร้าง PDF…", "Making the PDF…")):
            data = _pdf(_pdf_request(kind, stage, group), lang)
    except BilingualError as exc:
        st.session_state.pop("prof_pdf", None)
        st.error(md(exc.message(lang)), icon=":material/error:")
        return
    name = _pdf_name(kind, stage, group, lang)
    label = {k: tr(th, en) for k, th, en in PDF_KINDS}[kind]
    st.download_button(
        tr(f"ดาวน์โหลด {label}", f"Download {label}"),
        data,
        file_name=name,
        mime="application/pdf",
        key="prof_pdf_download",
        icon=":material/download:",
        type="primary",
        on_click="ignore",
        help=f"{md(name)} · {len(data) // 1024:,} KB",
    )


names = shell.catalog_names(lang)

# --- deep link: ?stage=&group= sets the view when the URL changes; the view writes itself back to the URL.
qp = st.query_params
raw = (qp.get("stage"), qp.get("group"))
if raw != st.session_state.get("prof_url") and (raw[0] or raw[1]):
    bad = []
    if raw[0]:
        st.session_state["prof_stage"] = pv.parse_stage(raw[0], st.session_state.get("prof_stage", STAGES[0]))
        if pv.parse_stage(raw[0], "") == "":
            bad.append(("stage", raw[0], ", ".join(STAGES)))
    if raw[1]:
        st.session_state["prof_group"] = pv.parse_staff_group(
            raw[1], st.session_state.get("prof_group", STAFF_GROUPS[0])
        )
        if pv.parse_staff_group(raw[1], "") == "":
            bad.append(("group", raw[1], ", ".join(STAFF_GROUPS)))
    st.session_state["prof_bad_url"] = bad
st.session_state.setdefault("prof_stage", STAGES[0])
st.session_state.setdefault("prof_group", STAFF_GROUPS[0])

for param, value, allowed in st.session_state.get("prof_bad_url", []):
    st.warning(
        tr(
            f"ลิงก์มีค่า {md(param)}=“{md(value)}” ที่ไม่รู้จัก จึงแสดงค่าเดิมแทน — ใช้ค่าใดค่าหนึ่งต่อไปนี้: {md(allowed)}",
            f"The link has an unknown {md(param)}=“{md(value)}”, so the previous choice is shown — use one of: {md(allowed)}",
        ),
        icon=":material/link_off:",
    )

st.markdown(PAGE_CSS, unsafe_allow_html=True)
if shell.presenting():
    st.markdown(PRESENT_EXTRA, unsafe_allow_html=True)


def _step(key: str, options: tuple, delta: int) -> None:
    """Move a selector one option along (wrapping round): the keyboard / button steps of a room demo."""
    current = st.session_state.get(key) or options[0]
    st.session_state[key] = options[(options.index(current) + delta) % len(options)]


# (button key, selector key, options, step, shortcut, Thai label, English label)
STEPS = (
    ("prof_prev_group", "prof_group", STAFF_GROUPS, -1, "Left", "กลุ่มก่อนหน้า", "Previous group"),
    ("prof_next_group", "prof_group", STAFF_GROUPS, 1, "Right", "กลุ่มถัดไป", "Next group"),
    ("prof_prev_stage", "prof_stage", STAGES, -1, "Up", "ระยะก่อนหน้า", "Previous stage"),
    ("prof_next_stage", "prof_stage", STAGES, 1, "Down", "ระยะถัดไป", "Next stage"),
)
controls = shell.controls()  # while presenting: folded away, the profile gets the screen
with controls:
    if shell.presenting():
        # A room demo is a sequence: ←/→ step through the staff groups, ↑/↓ through the stages.
        for col, (bkey, skey, options, delta, keys, th, en) in zip(st.columns(len(STEPS)), STEPS):
            col.button(
                tr(th, en), key=bkey, shortcut=keys, on_click=_step, args=(skey, options, delta), width="stretch"
            )
        st.caption(
            tr(
                "แป้นพิมพ์: ← → เปลี่ยนกลุ่มบุคลากร · ↑ ↓ เปลี่ยนระยะ",
                "Keyboard: ← → change the staff group · ↑ ↓ change the stage",
            )
        )
    st.segmented_control(
        tr("ระยะของหน่วยงาน", "Agency stage"),
        STAGES,
        key="prof_stage",
        required=True,
        format_func=lambda k: names.get(k, k),
        wrap=True,
    )
    st.segmented_control(
        tr("กลุ่มบุคลากร", "Staff group"),
        STAFF_GROUPS,
        key="prof_group",
        required=True,
        format_func=lambda k: names.get(k, k),
        wrap=True,
    )
stage = st.session_state["prof_stage"] or STAGES[0]
group = st.session_state["prof_group"] or STAFF_GROUPS[0]

# Keep the URL in step with the view (and keep lang / present in it) so it can be bookmarked or shared.
params = {"stage": stage, "group": group, "lang": lang}
if shell.presenting():
    params["present"] = "1"
if dict(qp.to_dict()) != params:
    qp.from_dict(params)
st.session_state["prof_url"] = (stage, group)

p = _profile(stage, group)
other = "th" if lang == "en" else "en"
st.markdown(
    f'<div class="prof-where">{escape(names[stage])} · {escape(names[group])}</div>'
    f'<div class="prof-persona">{escape(p.persona(lang))}</div>'
    f'<div class="prof-alt">{escape(p.persona(other))}</div>',
    unsafe_allow_html=True,
)


def _role() -> None:
    with st.container(border=True):
        st.markdown(f'<div class="prof-role">{escape(p.role(lang))}</div>', unsafe_allow_html=True)


if not shell.presenting():  # presenting: the role beside the units (below), the counts and downloads folded
    _role()
    m = st.columns(5)
    m[0].metric(tr("หน่วยความสามารถ", "Units of capability"), len(p.units))
    m[1].metric(tr("ความรู้", "Knowledge"), len(p.knowledge))
    m[2].metric(tr("ประสบการณ์", "Experience"), len(p.experience))
    m[3].metric(tr("คุณลักษณะ", "Attributes"), len(p.attributes))
    m[4].metric(tr("สมรรถนะ", "Competencies"), len(p.competencies))

levels, agency, round_date = target_levels.chosen(stage, group)
filters = {"stage": stage, "group": group}
with controls:
    b1, b2 = st.columns(2)
    b1.download_button(
        tr("ดาวน์โหลดเอกสารแจก ๑ หน้า (HTML พิมพ์ได้)", "Download one-page handout (printable HTML)"),
        _handout(stage, group, lang, tuple(sorted(levels.items())), (agency, round_date)),
        file_name=f"profile_{stage}_{group}_{lang}.html",
        mime="text/html",
        key="prof_handout",
        icon=":material/print:",
        on_click="ignore",
    )
    b2.page_link(
        "pages/pathway.py",
        label=tr(
            f"ดูเส้นทางพัฒนา {names[STAGES[0]]} → {names[STAGES[-1]]} ของกลุ่มนี้",
            f"See this group's path {names[STAGES[0]]} → {names[STAGES[-1]]}",
        ),
        icon=":material/route:",
        query_params={"group": group, "lang": lang},
    )
    pdf_downloads(stage, group, lang)

left, right = st.columns([3, 2], gap="large")
tree = _tree()
with left:
    st.subheader(tr("หน่วยความสามารถที่ต้องมี", "Required units of capability"))
    st.caption(
        tr("กดที่หน่วยเพื่อดูความสามารถย่อยและเกณฑ์การปฏิบัติงาน", "Open a unit to see its elements and performance criteria")
    )
    for gkey, units in p.units.groupby("group_key", sort=False):
        st.markdown(f"##### {escape(gkey)} · {escape(names.get(gkey, gkey))}")
        for _, u in units.iterrows():
            primary, alt = pv.text(u, "name", lang), pv.text(u, "name", other)
            level = int(levels.get(u["code"], 3))
            with st.expander(
                f"**{u['code']}** {primary} · _{alt}_ · " + tr(f"ระดับเป้าหมาย {level}", f"target level {level}")
            ):
                for element, crit in pv.unit_elements(tree, u["code"]):
                    st.markdown(f"**{element['element_code']}** {pv.text(element, 'element', lang)}")
                    lines = [
                        f"- `{c['criterion_code']}` {escape(pv.text(c, 'criterion', lang))}" for _, c in crit.iterrows()
                    ]
                    st.markdown("\n".join(lines))
                if lang == "en":
                    st.caption("Performance criteria are printed in Thai only in the document.")
    units_table = p.units[["group_key", "code", "name_th", "name_en"]].rename(
        columns={
            "group_key": tr("กลุ่ม", "Group"),
            "code": tr("รหัส", "Code"),
            "name_th": tr("ชื่อ (ไทย)", "Name (Thai)"),
            "name_en": tr("ชื่อ (อังกฤษ)", "Name (English)"),
        }
    )
    table_downloads(units_table, "profile-units", filters, key="prof_units_dl")
    target_levels.section(stage, group)


def _items(df, basic_marks: bool) -> str:
    """Markdown list of items; basic / specific chips and a mark on items not in section 2 of the document."""
    lines = []
    for _, row in df.iterrows():
        chip = ""
        if basic_marks:
            chip = (
                '<span class="skills-chip skills-basic">' + tr("พื้นฐาน", "basic") + "</span> "
                if row["basic"]
                else '<span class="skills-chip">' + tr("เฉพาะ", "specific") + "</span> "
            )
        flag = (
            (' <span class="prof-flag" title="' + tr("ไม่อยู่ในหมวดที่ ๒", "not in section 2") + '">†</span>')
            if "in_section2" in row and not row["in_section2"]
            else ""
        )
        lines.append(f"- {chip}{escape(pv.text(row, 'text', lang))}{flag}")
    return "\n".join(lines) or tr("— ไม่มี —", "— none —")


with right:
    if shell.presenting():
        _role()
    st.subheader(tr("ความรู้", "Knowledge"))
    st.markdown(_items(p.knowledge, True), unsafe_allow_html=True)
    if "in_section2" in p.knowledge and not p.knowledge["in_section2"].all():
        st.caption(
            tr(
                "† ระบุไว้เฉพาะในบทบาทนี้ ไม่อยู่ในรายการความรู้ของหมวดที่ ๒",
                "† listed only in this profile, not in the knowledge list of section 2",
            )
        )
    st.subheader(tr("ประสบการณ์", "Experience"))
    st.markdown(_items(p.experience, True), unsafe_allow_html=True)
    st.subheader(tr("คุณลักษณะ", "Attributes"))
    st.markdown(_items(p.attributes, False), unsafe_allow_html=True)
    st.subheader(tr("สมรรถนะ", "Competencies"))
    for _, c in p.competencies.iterrows():
        st.markdown(f"**{escape(pv.text(c, 'name', lang))}**")
        if c["definition_th"]:
            st.caption(c["definition_th"])
    if lang == "en" and p.competencies["definition_th"].fillna("").str.strip().any():
        st.caption("Competency definitions are printed in Thai only in the document.")
