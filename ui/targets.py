"""The agency's target levels on /profiles (framework/targets.py): which agency and round, each required unit's
level in force (the default shown as such), and the HR-only editor; and the threshold selector of the survey
pages and the IDP (t = 0, the default: the agency's target level; 1-4 a fixed level)."""

from __future__ import annotations

import streamlit as st

from framework import identity, targets
from framework.errors import BilingualError
from framework.text import md, pick
from ui import shell

tr = shell.tr
SCOPE = "targets"


def _label(row) -> str:
    return f"{row[0]} · {str(row[1])[:10]}"


def _choices(con) -> list[tuple]:
    """(agency, round) pairs; signed in, only the person's agencies (framework.identity)."""
    seen = identity.analysis_scope(shell.principal())
    return [c for c in targets.rounds(con).itertuples(index=False, name=None) if identity.within(seen, c[0])]


def chosen(stage: str, group: str) -> tuple[dict, str | None, object]:
    """The levels in force for the agency and round chosen (the selector's state, else the first):
    ({unit: level}, agency, round date); agency None when the store holds no dated round (the defaults)."""
    con = shell.connection()
    choices = _choices(con)
    pick = st.session_state.get("prof_target_round")
    agency, round_date = (pick if pick in choices else choices[0]) if choices else (None, None)
    levels = targets.table(con, agency, round_date)
    mine = levels[(levels["stage"] == stage) & (levels["staff_group"] == group)]
    return dict(zip(mine["unit_code"], mine["level"].astype(int))), agency, round_date


def section(stage: str, group: str) -> None:
    """The expander: the agency and round, this profile's levels in force and where each comes from; the editor."""
    con = shell.connection()
    choices = _choices(con)
    with st.expander(tr("ระดับเป้าหมายของหน่วยงาน", "The agency's target levels"), icon=":material/flag:"):
        if not choices:
            st.caption(md(tr(targets.note("th"), targets.note("en"))))
            return
        agency, round_date = st.selectbox(
            tr("หน่วยงานและรอบ", "Agency and round"), choices, key="prof_target_round", format_func=_label
        )
        levels = targets.table(con, agency, round_date)
        mine = levels[(levels["stage"] == stage) & (levels["staff_group"] == group)]
        st.caption(md(tr(targets.note("th", agency, round_date), targets.note("en", agency, round_date))))
        shown = mine.assign(
            source=[
                tr("ค่าตั้งต้น", "default") if d else tr(f"กำหนดไว้รอบ {str(s)[:10]}", f"set for the round of {str(s)[:10]}")
                for d, s in zip(mine["is_default"], mine["set_for"])
            ]
        )
        st.dataframe(
            shown[["unit_code", "level", "source"]].rename(
                columns={
                    "unit_code": tr("หน่วย", "Unit"),
                    "level": tr("ระดับเป้าหมาย", "Target level"),
                    "source": tr("ที่มา", "Source"),
                }
            ),
            hide_index=True,
            key="prof_target_table",
        )
        _editor(con, agency, round_date, stage, group, mine)


def _editor(con, agency, round_date, stage, group, mine) -> None:
    """HR only (the passphrase, or local mode): set one unit's level from this round on, or forget the round's."""
    st.markdown(tr("**แก้ไขระดับเป้าหมาย (เฉพาะ HR)**", "**Edit the target levels (HR only)**"))
    who = shell.principal()
    allowed = who is None or who.can("targets", agency)  # signed in: HR of this agency (framework.identity)
    if not allowed or not shell.hr_passphrase("prof_target_pass", tr("รหัสผ่าน HR", "HR passphrase"), scope=SCOPE).ok:
        st.caption(tr("ใส่รหัสผ่าน HR เพื่อแก้ไข", "Give the HR passphrase to edit."))
        return
    with st.form("prof_target_form", border=False):
        unit = st.selectbox(tr("หน่วย", "Unit"), list(mine["unit_code"]), key="prof_target_unit")
        level = st.segmented_control(
            tr("ระดับเป้าหมาย (ตั้งแต่รอบนี้)", "Target level (from this round on)"),
            list(targets.LEVELS),
            key="prof_target_level",
            default=targets.DEFAULT_LEVEL,
        )
        saved = st.form_submit_button(tr("บันทึก", "Save"), icon=":material/save:")
    reset = st.button(
        tr("ล้างระดับที่กำหนดไว้ในรอบนี้", "Forget the levels set for this round"),
        key="prof_target_reset",
        icon=":material/restart_alt:",
    )
    try:
        if saved and unit and level:
            targets.set_level(con, agency, round_date, stage, group, unit, int(level), who="HR", authorised=True)
            shell.audit("targets", agency, f"{stage}/{group}/{unit} = {int(level)} @ {str(round_date)[:10]}")
            st.rerun()
        if reset:
            targets.reset(con, agency, round_date, who="HR", authorised=True)
            shell.audit("targets", agency, f"reset @ {str(round_date)[:10]}")
            st.rerun()
    except BilingualError as exc:
        st.error(md(exc.message(shell.lang())), icon=":material/error:")


def threshold_label(t: int, lang: str) -> str:
    """A threshold choice in words: 0 = the agency's target level (the default), else "level ≥ t"."""
    d = targets.DEFAULT_LEVEL
    if int(t) == targets.TARGET:
        return pick(lang, f"ระดับเป้าหมายของหน่วยงาน (ค่าตั้งต้น {d})", f"Agency target (default {d})")
    return pick(lang, f"ระดับ ≥ {t}", f"level ≥ {t}")


def threshold_select(key: str, default: int, *, where=st) -> int:
    """What counts as met: the agency's target level per profile and unit (t = 0, the default), or one fixed level
    1-4 for every unit (the default given only while the widget has no state: no double-default warning);
    `where`: st, st.sidebar or a column."""
    lang = shell.lang()  # bound now: the labels must not depend on when they are formatted
    return where.select_slider(
        tr("เกณฑ์ที่ถือว่าผ่าน (t)", "What counts as met (t)"),
        options=[targets.TARGET, *targets.LEVELS],
        format_func=lambda t: threshold_label(t, lang),
        key=key,
        **({} if key in st.session_state else {"value": default}),
        help=tr(
            f"ค่าเริ่มต้น: ระดับเป้าหมายที่หน่วยงานกำหนดต่อบทบาทและหน่วย (ตั้งที่หน้าบทบาท; ค่าตั้งต้น {targets.DEFAULT_LEVEL} "
            "ทุกหน่วยเมื่อไม่ได้กำหนด) · 1–4 = ระดับเดียวกันทุกหน่วย",
            "Default: the target level the agency set per role profile and unit (on /profiles; "
            f"{targets.DEFAULT_LEVEL} for every unit where none is set) · 1–4 = one fixed level for every unit",
        ),
    )
