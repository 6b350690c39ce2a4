"""The survey filters every analysis page shares (one function returning a typed Filters), one cached wrapper per
analysis view, the definitions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from framework import access, analysis, identity, summary, targets
from framework.analysis import Filters
from framework.catalog import STAFF_GROUPS, STAGES
from framework.outputs.analysis_charts import key_label
from framework.store.campaign_batch import label as batch_label
from framework.text import md
from ui import cache, shell, signin
from ui import targets as target_levels
from ui.shell import tr


@st.cache_data(show_spinner=False, max_entries=8)
def _options(store: str, ver: str, scope: tuple | None = None) -> dict:
    return _view(store, ver, analysis.filter_options, scope)


_key, _view = cache.key, cache.view  # every cached view below: keyed on the store and its data version


# One cached wrapper per framework.analysis view (st.cache_data keyed on the store, its data_version, the typed
# Filters and the view's arguments). Each takes the page's Filters as it is: no dict, no name-to-function table.
@st.cache_data(show_spinner=False, max_entries=32)
def _survey_counts(store: str, ver: str, f: Filters) -> dict:
    return _view(store, ver, analysis.survey_counts, f)


def survey_counts(f: Filters) -> dict:
    return _survey_counts(*_key(), f)


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage(store: str, ver: str, f: Filters, kwargs: dict) -> pd.DataFrame:
    return _view(store, ver, analysis.coverage, f, **kwargs)


def coverage(f: Filters, **kwargs) -> pd.DataFrame:
    return _coverage(*_key(), f, kwargs)


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage_change(store: str, ver: str, f: Filters, kwargs: dict) -> pd.DataFrame:
    return _view(store, ver, analysis.coverage_change, f, **kwargs)


def coverage_change(f: Filters, **kwargs) -> pd.DataFrame:
    return _coverage_change(*_key(), f, kwargs)


@st.cache_data(show_spinner=False, max_entries=32)
def _readiness(store: str, ver: str, f: Filters, kwargs: dict) -> pd.DataFrame:
    return _view(store, ver, analysis.readiness, f, **kwargs)


def readiness(f: Filters, **kwargs) -> pd.DataFrame:
    return _readiness(*_key(), f, kwargs)


@st.cache_data(show_spinner=False, max_entries=32)
def _blockers(store: str, ver: str, f: Filters, kwargs: dict) -> pd.DataFrame:
    return _view(store, ver, analysis.blockers, f, **kwargs)


def blockers(f: Filters, **kwargs) -> pd.DataFrame:
    return _blockers(*_key(), f, kwargs)


@st.cache_data(show_spinner=False, max_entries=32)
def _overview(store: str, ver: str, f: Filters, kwargs: dict) -> dict:
    return _view(store, ver, analysis.overview, f, **kwargs)


def overview(f: Filters, **kwargs) -> dict:
    return _overview(*_key(), f, kwargs)


@st.cache_data(show_spinner=False, max_entries=32)
def _trends(store: str, ver: str, f: Filters, kwargs: dict) -> dict:
    return _view(store, ver, analysis.trends, f, **kwargs)


def trends(f: Filters, **kwargs) -> dict:
    return _trends(*_key(), f, kwargs)


@st.cache_data(show_spinner=False, max_entries=32)
def _training_needs(store: str, ver: str, f: Filters, kwargs: dict) -> pd.DataFrame:
    return _view(store, ver, analysis.training_needs, f, **kwargs)


def training_needs(f: Filters, **kwargs) -> pd.DataFrame:
    return _training_needs(*_key(), f, kwargs)


@st.cache_data(show_spinner=False, max_entries=32)
def _describe_round(store: str, ver: str, f: Filters, lang: str) -> str:
    return _view(store, ver, analysis.rounds.describe, f, lang)


@st.cache_data(show_spinner=False, max_entries=32)
def _has_previous(store: str, ver: str, f: Filters) -> bool:
    return _view(store, ver, analysis.rounds.has_previous, f)


@st.cache_data(show_spinner=False, max_entries=32)
def _round_setting(store: str, ver: str, f: Filters) -> str:
    return _view(store, ver, analysis.rounds.settings_label, f)


@st.cache_data(show_spinner=False, max_entries=32)
def _default_stage(store: str, ver: str, f: Filters) -> str | None:
    return _view(store, ver, analysis.rounds.default_stage, f)


@st.cache_data(show_spinner=False, max_entries=32)
def _stage_text(store: str, ver: str, f: Filters, stage: str, lang: str) -> str:
    return _view(store, ver, analysis.rounds.stage_text, f, stage=stage, lang=lang)


def describe_round(f: Filters) -> str:
    """Which round(s) the figures are about, in the page language (framework.analysis.rounds.describe)."""
    return _describe_round(*_key(), f, shell.lang())


def round_caption(f: Filters) -> None:
    """Say on the page which round(s) the figures are about (framework.analysis.rounds.describe)."""
    st.caption(":material/event: " + md(describe_round(f)))


def has_previous(f: Filters) -> bool:
    """Whether the change since the previous round applies (latest round; an agency with an earlier one)."""
    return _has_previous(*_key(), f)


def change_table(ch: pd.DataFrame, labels: dict, unit_names: dict) -> None:
    """The coverage change (this round minus the previous, percentage points) as a table: a cell is shown only
    where both rounds' cells are shown (framework.analysis.coverage_change); the rest say "hidden"."""
    lang = shell.lang()
    since = ", ".join(
        analysis.rounds.date_text(r, lang)
        for r in sorted({d for v in ch["round_prev"] if v for d in str(v).split("+")}, reverse=True)
    )
    st.markdown(
        "#### "
        + tr(
            f"การเปลี่ยนแปลงของความครอบคลุมจากรอบ {since} (จุดร้อยละ)",
            f"Change in coverage since {since} (percentage points)",
        )
    )
    cols = [key_label(k, labels, lang) for k in ch["key"]]
    cells = [tr("ซ่อน", "hidden") if pd.isna(v) else f"{v:+.1f}" for v in ch["change"]]
    table = (
        pd.DataFrame({"code": ch["code"], "col": cols, "cell": cells})
        .pivot(index="code", columns="col", values="cell")
        .reindex(index=list(dict.fromkeys(ch["code"])), columns=list(dict.fromkeys(cols)))
    )
    table.insert(0, tr("หน่วยความสามารถ", "Unit"), [unit_names.get(c, c) for c in table.index])
    st.dataframe(table.rename_axis(index=tr("รหัส", "Code"), columns=None), width="stretch")
    st.caption(
        tr(
            "แสดงเฉพาะช่องที่แสดงได้ทั้งสองรอบ (ซ่อนตามกฎเดียวกัน) จึงคำนวณช่องที่ซ่อนจากผลต่างไม่ได้",
            "A change is shown only where both rounds' cells are shown (each hidden by the same rules), "
            "so no hidden cell can be recovered from the difference.",
        )
    )


def options() -> dict:  # within the signed-in person's agencies (framework.identity; all without a provider)
    return _options(*_key(), identity.analysis_scope(shell.principal()))


@st.cache_data(show_spinner=False)
def _labels(table: str, lang: str) -> dict:
    """Key -> name in `lang` of a catalogue table (the framework tables do not change while the app runs)."""
    df = getattr(shell.catalog(), table)()
    return dict(zip(df["key"], df["name_en" if lang == "en" else "name_th"]))


def staff_group_labels() -> dict:
    """Staff group key -> name in the page language."""
    return _labels("staff_groups", shell.lang())


def stage_labels() -> dict:
    return _labels("stages", shell.lang())


def key_labels(by: str) -> dict:
    """Display names of analysis keys (staff groups by name; a missing agency or org unit as 'not given')."""
    if by == "group":
        return staff_group_labels()
    return {analysis.NONE_KEY: tr("ไม่ระบุ", "not given")}


SHARED = "flt"  # session-state prefix of the choices every survey page shares (agency, stage, t, k ...)


def _carry(name: str, prefix: str) -> str:
    """The page's widget key, seeded from the choice made on another survey page (widget state is per page)."""
    key = f"{prefix}_{name}"
    shared = f"{SHARED}_{name}"
    if key not in st.session_state and shared in st.session_state:
        st.session_state[key] = st.session_state[shared]
    return key


def _keep(name: str, value) -> None:
    st.session_state[f"{SHARED}_{name}"] = value


def _default(key: str, **kwargs) -> dict:
    """A widget's default only when its state is not already set (avoids Streamlit's double-default warning)."""
    return {} if key in st.session_state else kwargs


def _clean(key: str, allowed: list) -> None:
    """Drop remembered selections that no longer exist (e.g. a deleted batch) before drawing the widget."""
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in allowed]


def _k_access(key: str) -> tuple[bool, int]:
    """Whether this user may set k below the floor (HR passphrase, or local mode), and the slider's lowest k.

    Outside local mode a passphrase box is drawn (shell.hr_passphrase: throttled and logged like every HR
    gate; once accepted it is unlocked for every survey page of this session and the box is emptied). The
    lowest k is framework.access's one rule; framework.analysis.Filters enforces the floor again.
    """
    floor = access.min_cell_floor()
    result = shell.hr_passphrase(
        key, tr(f"รหัสผ่าน HR (เพื่อใช้ k ต่ำกว่า {floor})", f"HR passphrase (for k below {floor})"), scope="survey filters"
    )
    refusal = shell.hr_refusal(result)
    if refusal:
        st.error(refusal, icon=":material/timer:" if result.wait else None)
    return result.ok, access.lowest_min_cell(result.ok)


AGENCY_PARAM = "agency"  # ?agency=… in the URL: the agency a survey page starts with


def agency_choice(agencies: list) -> list:
    """The agencies a survey view starts from: the choice remembered this session (any survey page), else
    ?agency=… in the URL, else — with two or more agencies in the store — the first alphabetically, so a
    headline is one agency's at its own stage, never a pool of agencies by default. [] = every agency (pooled)."""
    shared = f"{SHARED}_agencies"
    if shared in st.session_state:
        return [a for a in st.session_state[shared] if a in agencies]
    asked = st.query_params.get(AGENCY_PARAM)
    if asked in agencies:
        return [asked]
    named = [a for a in agencies if a != analysis.NONE_KEY] or list(agencies)
    return [min(named)] if len(agencies) >= 2 else []


def round_label(value: str) -> str:
    """A round choice in words: latest per agency (the default), a date, or all rounds pooled."""
    if value == analysis.ROUND_LATEST:
        return tr("รอบล่าสุดของแต่ละหน่วยงาน", "Latest round of each agency")
    if value == analysis.ROUND_ALL:
        return tr("ทุกรอบรวมกัน (นับคนซ้ำข้ามรอบ)", "All rounds pooled (people counted once per round)")
    return tr("รอบ ", "Round of ") + analysis.rounds.date_text(value, shell.lang())


def survey_filters(prefix: str, *, groups: bool = True, multi_round: bool = False) -> Filters:
    """Draw the shared filter widgets in the sidebar; return the typed, immutable Filters every view takes.

    The round: one round per agency — its latest (default), a date, or every round pooled (with a warning);
    `multi_round` (the trends page) instead offers a list of rounds, every round by default.
    Stops the page (after saying so) when the store holds no survey yet.
    """
    who, scope = signin.survey_scope(st.query_params.get(AGENCY_PARAM))  # signed in: the person's agencies only
    opts = options()
    defaults = analysis.defaults()
    batches: pd.DataFrame = opts["batches"]
    if batches.empty:
        st.info(
            tr(
                "ยังไม่มีข้อมูลแบบสำรวจ — นำเข้าไฟล์ที่หน้า “นำเข้าแบบสำรวจ” แล้วกลับมาที่หน้านี้",
                "No survey data yet — upload a file on the “Survey upload” page, then come back here.",
            ),
            icon=":material/info:",
        )
        st.stop()
    blabel = {
        r.batch_id: f"{batch_label(r.file_name, r.content_hash, r.respondents, shell.lang())} · "
        f"{r.agency or '—'} · "
        f"{analysis.rounds.date_text(r.round_date, shell.lang()) if not pd.isna(r.round_date) else '—'}"
        for r in batches.itertuples()
    }
    sg = staff_group_labels()
    with st.sidebar:
        st.markdown("**" + tr("ตัวกรอง", "Filters") + "**")
        st.caption(tr("ตัวกรองเหล่านี้ใช้ร่วมกันทุกหน้าผลสำรวจ", "These filters carry over to every survey page."))
        names = (
            "batches",
            "agencies",
            "org_units",
            "rounds",
            "round",
            "staff_groups",
            "threshold",
            "min_cell",
            "target",
            "required_only",
        )
        keys = {name: _carry(name, prefix) for name in names}
        for name, allowed in (
            ("batches", list(blabel)),
            ("agencies", opts["agencies"]),
            ("org_units", opts["org_units"]),
            ("rounds", opts["rounds"]),
            ("staff_groups", list(STAFF_GROUPS)),
        ):
            _clean(keys[name], allowed)
        if keys["agencies"] not in st.session_state:
            st.session_state[keys["agencies"]] = agency_choice(opts["agencies"])
        none = tr("ไม่ระบุ", "not given")
        every = tr("ทั้งหมด", "All")
        sel_b = st.multiselect(
            tr("ชุดข้อมูล (ว่าง = ทั้งหมด)", "Batches (empty = all)"),
            list(blabel),
            format_func=blabel.get,
            key=keys["batches"],
            placeholder=every,
        )
        sel_a = st.multiselect(
            tr("หน่วยงาน", "Agency"),
            opts["agencies"],
            key=keys["agencies"],
            placeholder=every,
            format_func=lambda v: none if v == analysis.NONE_KEY else v,
            help=tr(
                "เริ่มจากหน่วยงานเดียว: ตัวเลขของแต่ละหน่วยงานเทียบกับระยะที่หน่วยงานนั้นระบุ "
                "ว่าง = ทุกหน่วยงานรวมกัน (แต่ละหน่วยงานอยู่ในระยะของตน หน้าแสดงผลจะบอกไว้)",
                "One agency to start with: each agency's figures are against the stage it "
                "declared. Empty = every agency pooled (each at its own stage; the page "
                "says so).",
            ),
        )
        sel_u = st.multiselect(
            tr("หน่วยงานย่อย", "Org unit"),
            opts["org_units"],
            key=keys["org_units"],
            placeholder=every,
            format_func=lambda v: none if v == analysis.NONE_KEY else v,
        )
        sel_g = (
            st.multiselect(
                tr("กลุ่มบุคลากร", "Staff group"),
                list(STAFF_GROUPS),
                key=keys["staff_groups"],
                placeholder=every,
                format_func=lambda v: sg.get(v, v),
            )
            if groups
            else []
        )
        round_choices = (
            [analysis.ROUND_LATEST]
            + sorted((r for r in opts["rounds"] if r != analysis.NONE_KEY), reverse=True)
            + [analysis.ROUND_ALL]
        )
        if st.session_state.get(keys["round"]) not in round_choices:
            st.session_state.pop(keys["round"], None)
        if multi_round:
            sel_r = st.multiselect(
                tr("รอบสำรวจ", "Survey rounds"),
                opts["rounds"],
                key=keys["rounds"],
                placeholder=every,
                format_func=lambda v: none if v == analysis.NONE_KEY else analysis.rounds.date_text(v, shell.lang()),
            )
            one_round = analysis.ROUND_ALL
        else:
            sel_r = []
            one_round = st.selectbox(
                tr("รอบสำรวจ", "Survey round"),
                round_choices,
                format_func={r: round_label(r) for r in round_choices}.get,
                key=keys["round"],
                help=tr(
                    "รอบสำรวจ = หน่วยงาน + วันที่รอบ ค่าเริ่มต้นคือรอบล่าสุดของแต่ละหน่วยงาน แต่ละคนนับครั้งเดียวต่อรอบ",
                    "A survey round = an agency + a round date. By default each agency's latest round; "
                    "each person counts once per round.",
                ),
            )
            if one_round == analysis.ROUND_ALL:
                st.warning(
                    tr(
                        "รวมทุกรอบ: ผู้ที่ตอบหลายรอบถูกนับหลายครั้ง และตัวเลขผสมปีนี้กับปีก่อน",
                        "All rounds pooled: people surveyed in several rounds count several times, and "
                        "the figures blend this year with earlier ones.",
                    ),
                    icon=":material/warning:",
                )
        t = target_levels.threshold_select(keys["threshold"], defaults["threshold"])
        authorised, k_min = _k_access(f"{prefix}_hr") if who is None else signin.k_access(who, sel_a)
        if keys["min_cell"] in st.session_state and st.session_state[keys["min_cell"]] < k_min:
            st.session_state[keys["min_cell"]] = k_min  # a k remembered from an HR session: back to the floor
        k = st.slider(
            tr("จำนวนผู้ตอบขั้นต่ำที่แสดง (k)", "Smallest group shown (k)"),
            k_min,
            50,
            key=keys["min_cell"],
            **_default(keys["min_cell"], value=max(k_min, defaults["min_cell"])),
            help=tr(
                f"ตัวเลขจากผู้ตอบน้อยกว่า k คนจะถูกซ่อน (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล) "
                f"k ต่ำกว่า {access.min_cell_floor()} ได้เฉพาะผู้มีรหัสผ่าน HR",
                f"Figures over fewer than k respondents are hidden (PDPA). "
                f"k below {access.min_cell_floor()} needs the HR passphrase.",
            ),
        )
        if authorised and k < access.min_cell_floor():  # the one place k goes below the floor: audited once
            shell.audit_once(
                "k-lowered", int(k), None, f"k = {int(k)} (floor {access.min_cell_floor()}), survey filters ({prefix})"
            )
        target = st.slider(
            tr("เป้าหมายความพร้อม (%)", "Readiness target (%)"),
            50,
            100,
            step=5,
            key=keys["target"],
            **_default(keys["target"], value=int(defaults["target"] * 100)),
        )
        req = st.toggle(
            tr("แสดงเฉพาะหน่วยที่ระยะนี้กำหนด", "Show only the units this stage requires"), key=keys["required_only"]
        )
    chosen = {
        "batches": sel_b,
        "agencies": sel_a,
        "org_units": sel_u,
        "rounds": sel_r,
        "threshold": t,
        **({} if multi_round else {"round": one_round}),
        "min_cell": k,
        "target": target,
        "required_only": req,
    }
    if groups:
        chosen["staff_groups"] = sel_g
    for name, value in chosen.items():
        _keep(name, value)
    return Filters(
        batches=tuple(sel_b),
        agencies=tuple(sel_a),
        org_units=tuple(sel_u),
        staff_groups=tuple(sel_g),
        rounds=tuple(sel_r),
        round=one_round,
        threshold=int(t),
        min_cell=int(k),
        target=target / 100,
        required_only=bool(req),
        authorised=authorised,
        scope=scope,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _target_settings(store: str, ver: str, f: Filters) -> dict:
    """framework.targets.settings once per data version (which covers the target levels): a page open, not a query."""
    return targets.settings(shell.connection(), f)


def export_settings(f: Filters, **extra) -> dict:
    """The filters as written into export file names and settings (threshold and min_cell included)."""
    short = {"round": _round_setting(*_key(), f), "threshold": f.threshold, "min_cell": f.min_cell, "target": f.target}
    if int(f.threshold) == targets.TARGET:  # t = 0: the target levels in force, per agency round
        short["targets"] = _target_settings(*_key(), f)
    for name in analysis.DIMENSIONS:
        if getattr(f, name):
            short[name] = "+".join(map(str, getattr(f, name)))
    return {**extra, **short}


def definitions(f: Filters) -> None:
    """Three plain-language lines (framework.summary, with the page's filters `f` in force: required, so a
    summary never states the default threshold while another one is chosen), then the expander that says how
    every figure is computed (same text as the README)."""
    st.markdown(summary.markdown(shell.lang(), threshold=f.threshold, target=f.target, min_cell=f.min_cell))
    with st.expander(tr("วิธีคำนวณตัวเลขเหล่านี้", "How these figures are computed"), icon=":material/functions:"):
        st.markdown(tr(analysis.DEFINITIONS_TH, analysis.DEFINITIONS_EN))


def hidden_note(df: pd.DataFrame, k: int) -> None:
    """Say under a table/chart how many cells are hidden and why."""
    counts = analysis.hidden_counts(df)
    if sum(counts.values()):
        st.caption(":material/visibility_off: " + analysis.hidden_note(df, k, shell.lang()))


def show_error(exc: analysis.AnalysisError) -> None:
    st.error(md(exc.message(shell.lang())), icon=":material/error:")


def share_text(v) -> str:
    """A share as a whole percent, or "hidden" where the framework hid it (None)."""
    return tr("ซ่อน", "hidden") if v is None else f"{v:.0%}"


def reached_text(reached, stages: dict) -> str:
    """framework.analysis stage_reached in words: hidden (None), none yet, or the stage's name."""
    if reached is None:
        return tr("ซ่อน", "hidden")
    return tr("ยังไม่บรรลุ", "none yet") if reached == "none" else stages[reached]


def change_text(ov: dict, name: str) -> str | None:
    """An overview figure's change since the previous round (None where either round's figure is hidden)."""
    v = ov["change"].get(name)
    if v is None:
        return None
    since = ", ".join(analysis.rounds.date_text(r, shell.lang()) for r in ov["since"])
    return tr(f"{v:+.1f} จุด จากรอบ {since}", f"{v:+.1f} pts since {since}")


def or_stop(view, f: Filters, **kwargs):
    """One of the cached views above (`view`), or show the analysis error and stop the page."""
    try:
        return view(f, **kwargs)
    except analysis.AnalysisError as exc:
        show_error(exc)
        st.stop()


def stop_if_no_respondents(respondents: int) -> None:
    """Say so and stop the page when the filters leave nobody."""
    if respondents == 0:
        st.warning(
            tr(
                "ไม่มีผู้ตอบตามตัวกรองที่เลือก — ลองล้างตัวกรองในแถบด้านข้าง",
                "No respondents match these filters — clear some filters in the sidebar.",
            )
        )
        st.stop()


def default_stage(f: Filters) -> str | None:
    """The stage a view starts at: the one the (one) agency declared for its round (analysis.rounds.default_stage)."""
    return _default_stage(*_key(), f)


def stage_caption(f: Filters, stage: str) -> None:
    """Say under a figure which stage it is against: the agency's declared stage, the next, another; or pooled."""
    text = _stage_text(*_key(), f, stage, shell.lang())
    if text:
        st.caption(":material/flag: " + md(text))


def stage_select(
    key: str,
    default: str | None = None,
    label: tuple[str, str] = ("ระยะของหน่วยงาน", "Agency stage"),
    help: tuple[str, str] | None = None,
    f: Filters | None = None,
) -> str:
    """The agency's stage: its own choice, kept across the survey pages; first the stage its batches declare.

    With the page's filters `f`, the default is the stage the chosen agency declared for its round
    (default_stage), and a stage chosen for other agencies or another round is forgotten: each agency starts
    at its own stage, the other stages one click away."""
    names = stage_labels()
    shared = f"{SHARED}_stage"
    if f is not None:
        default = default_stage(f)
        scope = f"{'+'.join(sorted(f.agencies))}|{f.round}|{'+'.join(sorted(f.batches))}|{default}"
        before = st.session_state.get(f"{SHARED}_stage_scope")
        if before is not None and before != scope:
            st.session_state.pop(shared, None)
            st.session_state.pop(key, None)
        st.session_state[f"{SHARED}_stage_scope"] = scope
    if key not in st.session_state and st.session_state.get(shared) in STAGES:
        st.session_state[key] = st.session_state[shared]
    index = STAGES.index(default) if default in STAGES else 0
    value = st.selectbox(
        tr(*label),
        list(STAGES),
        format_func=names.get,
        key=key,
        help=tr(*help) if help else None,
        **_default(key, index=index),
    )
    _keep("stage", value)
    return value
