"""Framework explorer (URL /explorer): capability group -> unit -> element -> criterion, search, who requires a unit."""

from html import escape

import pandas as pd
import streamlit as st

from framework.catalog import STAFF_GROUPS, STAGES
from framework.catalog import profiles as pv
from framework.text import md
from ui import shell
from ui.downloads import table_downloads

lang = shell.setup("explorer", "สำรวจกรอบทักษะ", "Framework explorer")
tr = shell.tr
cat = shell.catalog()


@st.cache_data(show_spinner=False)
def _units() -> pd.DataFrame:
    return shell.catalog().units()


@st.cache_data(show_spinner=False)
def _tree() -> pd.DataFrame:
    return pv.element_tree(shell.catalog())


@st.cache_data(show_spinner=False)
def _search(text: str) -> pd.DataFrame:
    return shell.catalog().search(text)


@st.cache_data(show_spinner=False)
def _grid(code: str) -> pd.DataFrame:
    return pv.requirement_grid(shell.catalog(), code)


names = shell.catalog_names(lang)
units = _units()
groups = list(dict.fromkeys(units["group_key"]))
unit_group = dict(zip(units["code"], units["group_key"]))
unit_name = {r.code: pv.text(r._asdict(), "name", lang) for r in units.itertuples()}


def _open(code: str) -> None:
    """Point the tree at one unit (group first, so the unit list holds it)."""
    st.session_state["exp_group"] = unit_group[code]
    st.session_state["exp_unit"] = code


# Deep link ?unit=DT300 opens that unit; an unknown code gets a message and the tree stays as it was.
raw = st.query_params.get("unit")
if raw and raw != st.session_state.get("exp_url"):
    match = {c.casefold(): c for c in units["code"]}.get(raw.strip().casefold())
    if match:
        _open(match)
    else:
        st.warning(
            tr(
                f"ไม่พบหน่วยความสามารถรหัส “{md(raw)}” ในลิงก์ — ใช้รหัสเช่น DLit100, DT300, SPM600",
                f"The link names no known unit “{md(raw)}” — use a code such as DLit100, DT300, SPM600",
            ),
            icon=":material/link_off:",
        )
    st.session_state["exp_url"] = raw
st.session_state.setdefault("exp_group", groups[0])
if st.session_state.get("exp_unit") not in set(units.loc[units["group_key"] == st.session_state["exp_group"], "code"]):
    st.session_state["exp_unit"] = units.loc[units["group_key"] == st.session_state["exp_group"], "code"].iloc[0]

# --- search ---------------------------------------------------------------------------------------
HITS_CSS = """<style>
.exp-hits { max-height: 320px; overflow-y: auto; border: 1px solid #e3e7ee; border-radius: 0.5rem; }
.exp-hits table { width: 100%; border-collapse: collapse; font-size: 0.92em; }
.exp-hits th { position: sticky; top: 0; background: #f5f7fa; text-align: left; }
.exp-hits th, .exp-hits td { padding: 0.2rem 0.5rem; border-bottom: 1px solid #eef1f5; vertical-align: top; }
.exp-hits td.code { white-space: nowrap; font-weight: 600; }
.exp-hits mark { background: #ffe08a; color: inherit; padding: 0 1px; border-radius: 2px; }
/* the unit chips show whole names, wrapping onto a second line rather than ending in "…" */
.st-key-exp_hit button[data-variant="pills"] { height: auto; max-width: 100%; text-align: left; }
.st-key-exp_hit button[data-variant="pills"] * { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; }
</style>"""


def hits_table(shown: pd.DataFrame, query: str) -> str:
    """The search hits as a scrolling table with the matched text marked (a data grid cannot mark it)."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for kind, code, unit_code, text in shown.itertuples(index=False):
        rows.append(
            f"<tr><td>{escape(str(kind))}</td><td class=\"code\">{pv.highlight(str(code), query)}</td>"
            f"<td class=\"code\">{escape(unit_code) if isinstance(unit_code, str) else ''}</td>"
            f"<td>{pv.highlight(text, query)}</td></tr>"
        )
    return f'{HITS_CSS}<div class="exp-hits"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


query = st.text_input(
    tr("ค้นหารหัส หรือข้อความภาษาไทย/อังกฤษ", "Search codes, Thai or English text"),
    key="exp_q",
    placeholder=tr("เช่น DT300, ข้อมูล, cloud", "e.g. DT300, ข้อมูล, cloud"),
)
if query.strip():
    hits = _search(query)
    kinds = {
        "unit": tr("หน่วย", "Unit"),
        "element": tr("ความสามารถย่อย", "Element"),
        "criterion": tr("เกณฑ์", "Criterion"),
        "knowledge": tr("ความรู้", "Knowledge"),
        "experience": tr("ประสบการณ์", "Experience"),
        "attribute": tr("คุณลักษณะ", "Attribute"),
        "competency": tr("สมรรถนะ", "Competency"),
    }
    if hits.empty:
        st.info(
            tr(
                f"ไม่พบ “{md(query)}” — ลองคำที่สั้นลง หรือรหัส เช่น DT300",
                f"Nothing matches “{md(query)}” — try a shorter word or a code such as DT300",
            ),
            icon=":material/search_off:",
        )
    else:
        st.caption(tr(f"พบ {len(hits)} รายการ", f"{len(hits)} matches"))
        shown = pd.DataFrame(
            {
                tr("ประเภท", "Kind"): hits["kind"].map(kinds),
                tr("รหัส", "Code"): hits["code"],
                tr("หน่วย", "Unit"): hits["unit_code"],
                tr("ข้อความ", "Text"): [pv.text(r, "text", lang) for _, r in hits.iterrows()],
            }
        )
        st.markdown(hits_table(shown, query), unsafe_allow_html=True)
        table_downloads(shown, "explorer-search", {"q": query}, key="exp_search_dl")
        found = [c for c in dict.fromkeys(hits["unit_code"].dropna()) if c in unit_group][:24]
        if len(found) == 1 and st.session_state.get("exp_q_opened") != query:
            _open(found[0])  # every hit is in one unit (e.g. DS200): show it, once per new search
        st.session_state["exp_q_opened"] = query
        if found:
            st.pills(
                tr("เปิดหน่วยที่พบ", "Open a matching unit"),
                found,
                key="exp_hit",
                format_func=lambda c: f"{c} · {unit_name[c]}",
                on_change=lambda: _open(st.session_state["exp_hit"]) if st.session_state.get("exp_hit") else None,
            )

st.divider()

# --- tree ----------------------------------------------------------------------------------------
left, right = st.columns([2, 3], gap="large")
with left:
    st.segmented_control(tr("กลุ่มความสามารถ", "Capability group"), groups, key="exp_group", required=True, wrap=True)
    group = st.session_state["exp_group"] or groups[0]
    st.markdown(f"**{escape(group)}** · {escape(names.get(group, group))}")
    codes = units.loc[units["group_key"] == group, "code"].tolist()
    if st.session_state.get("exp_unit") not in codes:
        st.session_state["exp_unit"] = codes[0]
    st.radio(
        tr("หน่วยความสามารถ", "Unit of capability"), codes, key="exp_unit", format_func=lambda c: f"{c} · {unit_name[c]}"
    )
unit = st.session_state["exp_unit"]
st.query_params.from_dict({"unit": unit, "lang": lang, **({"present": "1"} if shell.presenting() else {})})
st.session_state["exp_url"] = unit

row = units[units["code"] == unit].iloc[0]
other = "th" if lang == "en" else "en"
with right:
    st.subheader(f"{unit} · {pv.text(row, 'name', lang)}")
    st.caption(pv.text(row, "name", other))
    elements = pv.unit_elements(_tree(), unit)
    st.markdown(
        tr(
            f"**{len(elements)} ความสามารถย่อย** · {sum(len(c) for _, c in elements)} เกณฑ์การปฏิบัติงาน",
            f"**{len(elements)} elements** · {sum(len(c) for _, c in elements)} performance criteria",
        )
    )
    for element, crit in elements:
        with st.expander(f"**{element['element_code']}** {pv.text(element, 'element', lang)}", expanded=True):
            st.markdown(
                "\n".join(
                    f"- `{c['criterion_code']}` {escape(pv.text(c, 'criterion', lang))}" for _, c in crit.iterrows()
                )
                or "—"
            )
    if lang == "en":
        st.caption("Performance criteria are printed in Thai only in the document.")

    st.markdown("#### " + tr("บทบาทที่ต้องมีหน่วยนี้", "Role profiles that require this unit"))
    grid = _grid(unit)
    st.caption(
        tr(f"{int(grid.to_numpy().sum())} จาก 18 บทบาท", f"{int(grid.to_numpy().sum())} of the 18 role profiles")
    )
    # Staff groups as rows, the three stages as columns; a static table wraps long Thai names instead of
    # cutting columns off in a narrow column.
    shown = grid.T.map(lambda v: "✔" if v else "")
    shown.index = [names[g] for g in shown.index]
    shown.columns = [names[s] for s in shown.columns]
    st.table(shown)
    req = pd.DataFrame(
        [
            {tr("ระยะ", "Stage"): names[s], tr("กลุ่มบุคลากร", "Staff group"): names[g]}
            for s in STAGES
            for g in STAFF_GROUPS
            if grid.at[s, g]
        ]
    )
    table_downloads(req, "explorer-profiles", {"unit": unit}, key="exp_req_dl")

with st.expander(tr("ทั้งกรอบทักษะ (กลุ่ม → หน่วย → ความสามารถย่อย)", "The whole framework (group → unit → element)")):
    tree = _tree()
    lines = []
    for g in groups:
        lines.append(f"- **{g}** · {escape(names.get(g, g))}")
        for code in units.loc[units["group_key"] == g, "code"]:
            lines.append(f"    - **{code}** {escape(unit_name[code])}")
            for element, crit in pv.unit_elements(tree, code):
                lines.append(
                    f"        - {element['element_code']} {escape(pv.text(element, 'element', lang))} ({len(crit)})"
                )
    st.markdown("\n".join(lines))
