"""Readiness path of a profile (URL /pathway): one staff group Early -> Developing -> Mature, what is added and dropped."""

from html import escape

import streamlit as st

from framework.catalog import STAFF_GROUPS, STAGES
from framework.catalog import profiles as pv
from framework.outputs import chart_theme, charts
from framework.text import md
from ui import shell
from ui.downloads import chart_downloads, table_downloads

lang = shell.setup("pathway", "เส้นทางพัฒนาตามระยะ", "Readiness path of a profile")
tr = shell.tr

PAGE_CSS = """
<style>
.path-stage { font-size: 1.35rem; font-weight: 700; color: #12335e; }
.path-persona { font-size: 1.1rem; font-weight: 600; color: #1f4e8c; min-height: 3.2rem; }
.path-count { font-size: 2.2rem; font-weight: 700; line-height: 1.1; display: flex; flex-wrap: wrap; align-items: baseline;
              column-gap: 0.3em; }
.path-count-label { font-size: 0.45em; display: inline-block; line-height: 1.3; }  /* wraps as one unit */
.path-head { font-weight: 700; margin-top: 0.5rem; }
.chip { display:inline-block; padding:0.05rem 0.5rem; margin:0.12rem; border-radius:0.8rem; font-weight:500;
        font-size:0.88em; background:#e8eef7; color:#1f4e8c; line-height:1.35; }
.chip-add { background:#e3f3e6; color:#1d6b2e; } .chip-drop { background:#fbe5e2; color:#a32a1c;
        text-decoration: line-through; }
.path-item-add::before { content: "+ "; color:#1d6b2e; font-weight:700; }
.path-item-drop::before { content: "− "; color:#a32a1c; font-weight:700; }
.path-item-add, .path-item-drop { font-size: 0.93em; margin: 0.1rem 0; }
</style>
"""
# The shell already scales the root font in presentation mode; only the headline number grows further.
PRESENT_EXTRA = """<style>.path-count{font-size:2.6rem}</style>"""


@st.cache_data(show_spinner=False)
def _path(group: str):
    return pv.pathway(shell.catalog(), group)


names = shell.catalog_names(lang)

# Deep link ?group=Technologist (same rules as /profiles).
qp = st.query_params
raw = qp.get("group")
if raw and raw != st.session_state.get("path_url"):
    st.session_state["path_group"] = pv.parse_staff_group(raw, st.session_state.get("path_group", STAFF_GROUPS[0]))
    st.session_state["path_bad_url"] = "" if pv.parse_staff_group(raw, "") else raw
st.session_state.setdefault("path_group", STAFF_GROUPS[0])
if st.session_state.get("path_bad_url"):
    st.warning(
        tr(
            f"ลิงก์มีค่า group=“{md(st.session_state['path_bad_url'])}” ที่ไม่รู้จัก — ใช้ค่าใดค่าหนึ่งต่อไปนี้: "
            + ", ".join(STAFF_GROUPS),
            f"The link has an unknown group=“{md(st.session_state['path_bad_url'])}” — use one of: "
            + ", ".join(STAFF_GROUPS),
        ),
        icon=":material/link_off:",
    )

st.markdown(PAGE_CSS, unsafe_allow_html=True)
if shell.presenting():
    st.markdown(PRESENT_EXTRA, unsafe_allow_html=True)

st.segmented_control(
    tr("กลุ่มบุคลากร", "Staff group"),
    STAFF_GROUPS,
    key="path_group",
    required=True,
    format_func=lambda k: names.get(k, k),
    wrap=True,
)
group = st.session_state["path_group"] or STAFF_GROUPS[0]
params = {"group": group, "lang": lang}
if shell.presenting():
    params["present"] = "1"
if qp.to_dict() != params:
    qp.from_dict(params)
st.session_state["path_url"] = group

path = _path(group)
st.caption(
    tr(
        "กรอบทักษะไม่ได้ซ้อนกันตามระยะ: บางหน่วยที่ระยะก่อนกำหนดไว้ ระยะถัดไปไม่ได้กำหนด (แสดงเป็นขีดฆ่าสีแดง)",
        "The stages are not nested: some units a stage requires are not required at the next stage "
        "(shown struck through in red).",
    )
)


def _chips(df, cls: str) -> str:
    """One chip per unit: its code and its name (a code alone means nothing to most readers)."""
    return "".join(
        f'<span class="chip {cls}"><b>{escape(r["code"])}</b> {escape(pv.text(r, "name", lang))}</span>'
        for _, r in df.iterrows()
    )


def _lines(df, field: str, cls: str) -> str:
    return "".join(f'<div class="{cls}">{escape(pv.text(r, field, lang))}</div>' for _, r in df.iterrows())


KINDS = (  # attribute suffix on a step (catalog.Diff), text field, Thai heading, English heading
    ("knowledge", "text", "ความรู้", "Knowledge"),
    ("experience", "text", "ประสบการณ์", "Experience"),
    ("competencies", "name", "สมรรถนะ", "Competencies"),
)

cols = st.columns(3, gap="medium")
for i, (col, stage) in enumerate(zip(cols, STAGES)):
    prof = path.profiles[stage]
    with col, st.container(border=True):
        html = [
            f'<div class="path-stage">{i + 1}. {escape(names[stage])}</div>',
            f'<div class="path-persona">{escape(prof.persona(lang))}</div>',
            (
                f'<div class="path-count">{len(prof.units)} <small class="path-count-label">'
                f'{escape(tr("หน่วยความสามารถ", "units of capability"))}</small></div>'
            ),
        ]
        if i == 0:
            html.append(f'<div class="path-head">{escape(tr("ต้องมี", "Required"))}</div>' + _chips(prof.units, ""))
            html.append(
                f'<div class="path-head">{escape(tr("ความรู้เฉพาะ", "Specific knowledge"))}: '
                f'{int((~prof.knowledge["basic"]).sum())} · {escape(tr("ประสบการณ์เฉพาะ", "specific experience"))}: '
                f'{int((~prof.experience["basic"]).sum())} · {escape(tr("สมรรถนะ", "competencies"))}: '
                f'{len(prof.competencies)}</div>'
            )
        else:
            step = path.steps[i - 1]
            kept = len(prof.units) - len(step.units_added)
            html.append(
                f'<div class="path-head">+{len(step.units_added)} {escape(tr("เพิ่มใหม่", "added"))}</div>'
                + (_chips(step.units_added, "chip-add") or "—")
            )
            if not step.units_dropped.empty:  # "−0 dropped —" said nothing
                html.append(
                    f'<div class="path-head">−{len(step.units_dropped)} '
                    f'{escape(tr("ไม่ต้องมีแล้ว", "dropped"))}</div>' + _chips(step.units_dropped, "chip-drop")
                )
            html.append(f'<div class="path-head">= {kept} {escape(tr("ต้องมีต่อเนื่อง", "still required"))}</div>')
            for kind, field, th, en in KINDS:
                added, dropped = getattr(step, f"{kind}_added"), getattr(step, f"{kind}_dropped")
                if added.empty and dropped.empty:
                    continue
                html.append(
                    f'<div class="path-head">{escape(tr(th, en))}</div>'
                    + _lines(added, field, "path-item-add")
                    + _lines(dropped, field, "path-item-drop")
                )
            if all(getattr(step, f"{k}_added").empty and getattr(step, f"{k}_dropped").empty for k, *_ in KINDS):
                html.append(
                    f'<div class="path-head">{escape(tr("ความรู้ ประสบการณ์ สมรรถนะ: ไม่เปลี่ยน", "Knowledge, experience, competencies: unchanged"))}</div>'
                )
        st.markdown("\n".join(html), unsafe_allow_html=True)
        st.page_link(
            "pages/profiles.py",
            label=tr("เปิดบทบาทนี้", "Open this profile"),
            icon=":material/badge:",
            query_params={"stage": stage, "group": group, "lang": lang},
        )

filters = {"group": group}
st.subheader(tr("ภาพเส้นทางของหน่วยความสามารถ", "The path of every unit"))
fig = charts.pathway_chart(
    path.units,
    lang,
    names,
    title=tr("เส้นทางหน่วยความสามารถ · ", "Path of the units · ") + names[group],
    font_size=shell.chart_font_size(),
)
# The title goes above the stage names as the top axis's title: automargin stacks the two, so the title can
# no longer touch the first stage label (a layout title shares the top margin with the labels).
title = fig.layout.title.text
fig.update_xaxes(
    title={
        "text": f"<b>{escape(title)}</b>",
        "standoff": 14,
        "font": {"size": fig.layout.title.font.size, "color": "#1b1b1b"},
    }
)
fig.update_layout(title={"text": ""}, margin={"t": 10})
st.plotly_chart(fig, key="path_chart", config=chart_theme.CONFIG)
chart_downloads(fig, "pathway", filters, key="path_chart_dl")

st.subheader(tr("รายการที่เปลี่ยนในแต่ละขั้น", "What changes at each step"))
changes = pv.path_changes(path)
kind_names = {
    "unit": tr("หน่วยความสามารถ", "Unit"),
    "knowledge": tr("ความรู้", "Knowledge"),
    "experience": tr("ประสบการณ์", "Experience"),
    "competency": tr("สมรรถนะ", "Competency"),
}
table = changes.assign(
    step=[f"{names[a]} → {names[b]}" for a, b in zip(changes["from_stage"], changes["to_stage"])],
    kind=changes["kind"].map(kind_names),
    change=changes["change"].map(lambda s: charts.status_label(s, lang)),
    text=[pv.text(r, "text", lang) for _, r in changes.iterrows()],
)[["step", "kind", "change", "code", "text"]].rename(
    columns={
        "step": tr("ขั้น", "Step"),
        "kind": tr("ประเภท", "Kind"),
        "change": tr("การเปลี่ยน", "Change"),
        "code": tr("รหัส", "Code"),
        "text": tr("รายการ", "Item"),
    }
)
st.dataframe(table, hide_index=True, width="stretch")
table_downloads(table, "pathway-changes", filters, key="path_table_dl")
