"""Self-assessment campaigns (URL /workshop, HR): open a campaign, its link and QR code, and the live view of a
workshop — submissions so far and the room's coverage heatmap, refreshing by itself, suppressed like every view."""

import pandas as pd
import streamlit as st

from framework import analysis, campaign, clock, identity, summary
from framework.catalog import STAGES
from framework.errors import BilingualError
from framework.outputs import analysis_charts, chart_theme, export
from framework.store import SurveyStore
from framework.text import html, md
from ui import shell

lang = shell.setup("workshop", "แบบประเมินตนเองและเวิร์กช็อป", "Self-assessment campaigns and workshop")
tr = shell.tr
presenting = shell.presenting()
REFRESH_S = 3
PRESENT_HEIGHT = 760  # px: the room heatmap in presentation mode fits a 1080-pixel-high screen


def day(d) -> str:
    return clock.date_text(d, lang)


def qr_code(width: int) -> None:
    image = campaign.qr.png(link)
    if image:
        st.image(image, caption=tr("สแกนเพื่อเปิดแบบประเมิน", "Scan to open the self-assessment"), width=width)
    else:
        st.caption(tr("ติดตั้งแพ็กเกจ segno เพื่อแสดง QR code", "Install the segno package to show a QR code."))


# Presentation mode: every control (passphrase, campaign form, choices) folded into one expander, open only while
# something there needs doing (the passphrase, the first campaign); the QR code and the room heatmap get the
# screen, side by side.
def personal_links(camp, base: str) -> None:
    """Personal links (framework/campaign/links.py): ids in, a CSV of links out (shown once: only hashes are
    kept), the campaign's access, the list and revoking."""
    with st.expander(tr("ลิงก์รายบุคคล", "Personal links"), icon=":material/key:"):
        st.caption(
            tr(
                "หนึ่งลิงก์ต่อหนึ่งคน: ลิงก์กำหนดรหัสผู้ตอบ ใช้ส่งได้ครั้งเดียว จนกว่าแบบประเมินจะปิด และยกเลิกได้ "
                "ลิงก์เปิด (?c=) เชื่อรหัสที่ผู้ตอบพิมพ์",
                "One link per person: it fixes the respondent id, answers once, works until the campaign "
                "closes, and can be revoked. The open link (?c=) trusts the id people type.",
            )
        )
        only = st.toggle(
            tr("ลิงก์รายบุคคลเท่านั้น (ปิดลิงก์เปิด)", "Personal links only (the open link refused)"),
            value=camp.links_only,
            key=f"ws_only_{camp.code}",
        )
        if only != camp.links_only:
            campaign.set_links_only(con, camp.code, only)
            shell.audit(
                "campaign-mode",
                camp.agency,
                f"campaign {camp.code}: " + ("personal links only" if only else "open link (trusts typed ids)"),
            )
            st.rerun()
        if camp.status() == "open":
            ids_file = st.file_uploader(
                tr(
                    "ไฟล์ CSV ของรหัสผู้ตอบ (คอลัมน์ respondent_id หรือคอลัมน์แรก)",
                    "CSV of respondent ids (a respondent_id column, or the first column)",
                ),
                type=["csv", "txt"],
                key=f"ws_ids_{camp.code}",
            )
            url = st.text_input(
                tr("ที่อยู่ของแอปที่ลิงก์ขึ้นต้น", "The app's address the links start with"),
                value=base if base.startswith("http") else "",
                key=f"ws_base_{camp.code}",
                placeholder="https://skills.example.go.th",
            )
            if st.button(
                tr("ออกลิงก์", "Issue the links"),
                key=f"ws_issue_{camp.code}",
                icon=":material/key:",
                disabled=ids_file is None,
            ):
                try:
                    ids = campaign.links.read_ids(ids_file.getvalue())
                    campaign.links.base_url(url)
                    pairs = campaign.links.issue(con, camp, ids)
                    st.session_state["ws_links_csv"] = (camp.code, campaign.links.links_csv(pairs, url), len(pairs))
                    shell.audit("links-issued", camp.agency, f"campaign {camp.code}: {len(pairs)} link(s)")
                except BilingualError as exc:
                    st.error(md(exc.message(lang)))
            made = st.session_state.get("ws_links_csv")
            if made and made[0] == camp.code:
                st.success(
                    tr(
                        f"ออกลิงก์ {made[2]:,} ลิงก์แล้ว — ดาวน์โหลดตอนนี้ ระบบเก็บเฉพาะค่าแฮช จึงแสดงลิงก์ซ้ำไม่ได้",
                        f"{made[2]:,} link(s) issued - download them now: only their hashes are kept, so "
                        "they cannot be shown again.",
                    ),
                    icon=":material/check:",
                )
                st.download_button(
                    tr("ดาวน์โหลด CSV ของลิงก์ (สำหรับจดหมายเวียน)", "Download the CSV of links (mail merge)"),
                    made[1],
                    file_name=export.filename("links", {"code": camp.code}, "csv"),
                    mime="text/csv",
                    key="ws_links_dl",
                    icon=":material/download:",
                    on_click="ignore",
                )
        listed = campaign.links.listing(con, camp)
        if not listed.empty:
            state = [
                tr("ยกเลิกแล้ว", "revoked")
                if pd.notna(r.revoked_at)
                else tr("ส่งแล้ว", "answered")
                if pd.notna(r.used_at)
                else tr("ใช้ได้", "active")
                for r in listed.itertuples()
            ]
            st.dataframe(
                pd.DataFrame(
                    {
                        tr("รหัสผู้ตอบ", "Respondent id"): listed["respondent_id"],
                        tr("ออกเมื่อ", "Issued"): [clock.datetime_text(t, lang) for t in listed["issued_at"]],
                        tr("สถานะ", "State"): state,
                    }
                ),
                hide_index=True,
                key=f"ws_links_{camp.code}",
            )
            active = campaign.links.active_ids(con, camp)
            pick = st.selectbox(
                tr("ยกเลิกลิงก์ของ", "Revoke the link of"),
                active,
                index=None,
                key=f"ws_revoke_id_{camp.code}",
                placeholder=tr("เลือกรหัส", "choose an id"),
            )
            if st.button(
                tr("ยกเลิกลิงก์", "Revoke"),
                key=f"ws_revoke_{camp.code}",
                disabled=pick is None,
                icon=":material/link_off:",
            ):
                if campaign.links.revoke(con, camp, pick):
                    shell.audit("link-revoked", camp.agency, f"campaign {camp.code}: respondent {pick}")
                st.rerun()


con = shell.connection()
gate_passed = shell.hr_passed("ws_pass")
panel = shell.controls(
    expanded=not gate_passed or not campaign.has_tables(con) or not campaign.list_campaigns(con), key="ws_controls"
)
with panel:
    shell.hr_gate(
        "ws_pass",
        "การเปิดแบบประเมินและมุมมองสดต้องใช้รหัสผ่าน HR",
        "Opening campaigns and the live view need the HR passphrase.",
    )
    if presenting and not gate_passed:  # the passphrase was just accepted: fold the controls away (run again)
        st.rerun()
    cat = shell.catalog()
    stages = dict(zip(cat.stages()["key"], cat.stages()["name_en" if lang == "en" else "name_th"]))
    groups = dict(zip(cat.staff_groups()["key"], cat.staff_groups()["name_en" if lang == "en" else "name_th"]))

    # --- open a campaign -----------------------------------------------------------------------------------------
    opening = (
        st.container(border=True)
        if presenting  # no expander inside the presentation's expander
        else st.expander(
            tr("เปิดแบบประเมินใหม่", "Open a new campaign"),
            icon=":material/add_link:",
            expanded=not campaign.has_tables(con) or not campaign.list_campaigns(con),
        )
    )
    with opening, st.form("ws_open", border=False):
        c1, c2, c3, c4 = st.columns(4)
        agency = c1.text_input(tr("หน่วยงาน", "Agency"), key="ws_agency")
        stage = c2.selectbox(tr("ระยะของหน่วยงาน", "Agency stage"), STAGES, format_func=stages.get, key="ws_stage")
        round_d = c3.date_input(tr("วันที่รอบสำรวจ", "Round date"), value=None, key="ws_round", format="YYYY-MM-DD")
        closes = c4.date_input(
            tr("ปิดรับคำตอบ (ไม่บังคับ)", "Closes (optional)"), value=None, key="ws_closes", format="YYYY-MM-DD"
        )
        c1, c2 = st.columns(2)
        units_text = c1.text_area(
            tr("หน่วยงานย่อย หนึ่งบรรทัดต่อหนึ่งหน่วย (ไม่บังคับ)", "Org units, one per line (optional)"),
            key="ws_units",
            height=100,
        )
        pattern = c2.text_input(
            tr("รูปแบบรหัสผู้ตอบ (regular expression, ไม่บังคับ)", "Respondent-id pattern (regular expression, optional)"),
            key="ws_pattern",
            placeholder=r"\d{7}",
        )
        only = c2.toggle(
            tr("ลิงก์รายบุคคลเท่านั้น (ปิดลิงก์เปิดที่เชื่อรหัสตามที่พิมพ์)", "Personal links only (no open link trusting typed ids)"),
            key="ws_links_only",
        )
        if st.form_submit_button(tr("เปิดแบบประเมิน", "Open the campaign"), type="primary", icon=":material/add:"):
            try:
                identity.check(shell.principal(), "campaigns", agency)  # signed in: only the person's agencies
                SurveyStore(con, cat)  # the store's own tables first (a fresh production store)
                made = campaign.open_campaign(
                    con,
                    cat,
                    agency=agency,
                    stage=stage,
                    round_date=round_d,
                    closes=closes,
                    org_units=units_text.splitlines(),
                    id_pattern=pattern,
                    links_only=only,
                )
            except BilingualError as exc:  # a bad setting, or the disk is full (framework.storage)
                st.error(md(exc.message(lang)))
            else:
                shell.audit(
                    "campaign-open",
                    made.agency,
                    f"campaign {made.code}, round {made.round_date}"
                    + (", personal links only" if made.links_only else ", open link"),
                )
                st.session_state["ws_code"] = made.code
                st.success(tr(f"เปิดแบบประเมินแล้ว รหัส {made.code}", f"Campaign opened: code {made.code}"))

    camps = campaign.list_campaigns(con)
    rows_of = identity.row_scope(shell.principal())  # signed in: the campaigns of this person's agencies only
    camps = [c for c in camps if identity.within(rows_of, c.agency)]
    if not camps:
        st.info(tr("ยังไม่มีแบบประเมิน — เปิดแบบประเมินใหม่ด้านบน", "No campaign yet - open one above."))
        st.stop()
    labels = {
        c.code: f"{c.code} · {c.agency} · {stages.get(c.stage, c.stage)} · {day(c.round_date)} · "
        + {
            "open": tr("เปิดรับ", "open"),
            "closed": tr("ปิดแล้ว", "closed"),
            "expired": tr("เลยวันปิดรับ", "past closing date"),
        }[c.status()]
        for c in camps
    }
    if st.session_state.get("ws_code") not in labels:
        st.session_state["ws_code"] = camps[0].code
    code = st.selectbox(tr("แบบประเมิน", "Campaign"), list(labels), format_func=labels.get, key="ws_code")
    camp = next(c for c in camps if c.code == code)  # the row just listed, not a second query

    # --- the link, its QR code and a printable poster ---------------------------------------------------------------
    base = (st.context.url or "").split("?")[0].rsplit("/", 1)[0]
    link = f"{base}{camp.url_path}" if base.startswith("http") else camp.url_path
    left, right = (st.container(), None) if presenting else st.columns([2, 1])
    with left:
        st.markdown(
            tr("ลิงก์สำหรับผู้ตอบ (ส่งทางอีเมลหรือแสดงบนจอ):", "The respondents' link (send it, or show it on screen):")
        )
        st.code(link, language=None)
        st.caption(
            tr(
                f"{stages[camp.stage]} · รอบ {md(day(camp.round_date))}"
                + (f" · ปิดรับ {md(day(camp.closes))}" if camp.closes else "")
                + (f" · รูปแบบรหัส {md(camp.id_pattern)}" if camp.id_pattern else ""),
                f"Stage {stages[camp.stage]} · round {md(day(camp.round_date))}"
                + (f" · closes {md(day(camp.closes))}" if camp.closes else "")
                + (f" · id pattern {md(camp.id_pattern)}" if camp.id_pattern else ""),
            )
        )
        poster = campaign.qr.poster_html(
            link,
            tr("แบบประเมินตนเองด้านทักษะดิจิทัล", "Digital-skills self-assessment"),
            [camp.agency, tr("รอบสำรวจ ", "Survey round ") + day(camp.round_date)]
            + ([tr("ปิดรับ ", "Closes ") + day(camp.closes)] if camp.closes else []),
            lang,
        )
        row = st.container(horizontal=True)
        row.download_button(
            tr("โปสเตอร์พร้อม QR (HTML พิมพ์ได้)", "Poster with the QR code (printable HTML)"),
            poster.encode("utf-8"),
            file_name=export.filename("campaign", {"code": camp.code}, "html"),
            mime="text/html",
            key="ws_poster",
            icon=":material/print:",
            on_click="ignore",
        )
        if camp.status() == "open" and row.button(
            tr("ปิดรับคำตอบ", "Close the campaign"), key="ws_close", type="secondary", icon=":material/block:"
        ):
            try:
                campaign.close(con, camp.code)
            except BilingualError as exc:
                st.error(md(exc.message(lang)))
            else:
                shell.audit("campaign-close", camp.agency, f"campaign {camp.code}")
                st.rerun()
        if not presenting:  # no expander inside the presentation's expander
            personal_links(camp, base)

    if right is not None:
        with right:
            qr_code(240)

    # --- live view -----------------------------------------------------------------------------------------------
    if not presenting:
        st.subheader(tr("มุมมองสดของห้อง", "Live view of the room"))
    # The room watches this view: it shows what everyone without the passphrase sees (disclosure blocks, a
    # campaign's cells released in steps of k changed people), never HR's exact live figures.
    floor = analysis.default_min_cell()
    c1, c2 = st.columns([1, 2])
    k = c1.number_input(
        tr("จำนวนผู้ตอบขั้นต่ำต่อช่อง (k)", "Smallest cell shown (k)"),
        floor,
        100,
        floor,
        key="ws_k",
        help=tr("ช่องที่มีผู้ตอบน้อยกว่า k คนจะถูกซ่อน", "Cells with fewer than k respondents are hidden"),
    )
    room = c2.toggle(
        tr("เฉพาะคำตอบจากแบบประเมินนี้ (ไม่รวมไฟล์ที่นำเข้า)", "Only this campaign's answers (not uploads)"),
        value=True,
        key="ws_room",
    )


@st.fragment(run_every=REFRESH_S)
def live() -> None:
    counts = campaign.submissions(con, camp)
    last = clock.time_text(counts["last_at"], seconds=True)  # stored UTC, shown in Thailand time
    if presenting:  # one line: the heatmap keeps the height
        st.markdown(
            f'<div style="font-size:1.4rem"><b>{counts["people"]}</b> '
            + tr(
                f"คนส่งแล้ว · ทั้งรอบ {counts['round_people']} คน · ล่าสุด {last}",
                f"submitted · {counts['round_people']} in the whole round · last {last}",
            )
            + "</div>",
            unsafe_allow_html=True,
        )
    else:
        m = st.columns(3)
        m[0].metric(tr("ส่งแล้ว (คน)", "Submissions (people)"), counts["people"])
        m[1].metric(tr("ทั้งรอบของหน่วยงาน (คน)", "Whole round of the agency (people)"), counts["round_people"])
        m[2].metric(tr("ส่งล่าสุด", "Last submission"), last)
    batches = tuple(campaign.batch_ids(con, camp)) if room else ()
    if (room and not batches) or counts["round_people"] == 0:
        st.info(
            tr(
                "ยังไม่มีผู้ส่งคำตอบ — หน้านี้ปรับเองทุกไม่กี่วินาที",
                "No answers yet - this view refreshes by itself every few seconds.",
            )
        )
        return
    try:
        f = analysis.Filters(
            agencies=(camp.agency,),
            rounds=(camp.round_date.isoformat(),),
            batches=batches,
            min_cell=int(k),
            authorised=False,
        )
        cov = analysis.coverage(con, f, stage=camp.stage, by="group")
    except analysis.AnalysisError as exc:
        st.error(md(exc.message(lang)))
        return
    units = cat.units()
    names = dict(zip(units["code"], units["name_en" if lang == "en" else "name_th"]))
    fig = analysis_charts.coverage_heatmap(
        cov,
        lang,
        groups,
        names,
        font_size=shell.chart_font_size(),
        k=f.min_cell,
        title=tr(
            f"ความครอบคลุม · {stages[camp.stage]} · {summary.met_words(f.threshold, 'th')} · k = {f.min_cell}",
            f"Coverage · {stages[camp.stage]} · {summary.met_words(f.threshold, 'en')} · k = {f.min_cell}",
        ),
    )
    if presenting:  # the whole room on the projector's screen, beside the QR code
        fig.update_layout(height=PRESENT_HEIGHT)
    st.plotly_chart(fig, width="stretch", key="ws_chart", config=chart_theme.CONFIG)
    hidden = int(pd.Series(cov["hidden"]).notna().sum())
    shown = campaign.release_status(con, camp)
    st.caption(
        tr(
            f"ปรับทุก {REFRESH_S} วินาที · ตัวเลขของห้องเปลี่ยนเมื่อมีคำตอบใหม่หรือคำตอบที่แก้ไขครบ {floor} คน "
            f"ในกลุ่มบุคลากรและหน่วยงานย่อยเดียวกัน (ไม่มีใครถูกระบุจากการเปลี่ยนของตัวเลข) · "
            f"แสดงแล้ว {shown['released']} จาก {shown['live']} คำตอบ · "
            f"ช่องสีเทา = ซ่อน (ผู้ตอบน้อยกว่า {f.min_cell} คน) · ซ่อน {hidden} ช่อง · "
            f"อัปเดต {clock.time_text(clock.now(), seconds=True)}",
            f"Refreshes every {REFRESH_S} s · the room's figures change after every {floor} new or changed "
            f"answers in one staff group and org unit (so no change points to one person) · "
            f"{shown['released']} of {shown['live']} answers shown so far · "
            f"grey = hidden (fewer than {f.min_cell} respondents) · {hidden} cells hidden · "
            f"updated {clock.time_text(clock.now(), seconds=True)}",
        )
    )


if presenting:  # the room's view: the QR code and the live heatmap side by side, large
    st.html("<style>h1 { font-size: 1.6rem !important; padding: 0 !important; }</style>")  # the room's view first
    qr_side, room_side = st.columns([1, 2], gap="large")
    with qr_side:
        qr_code(460)
        st.markdown(f'<div style="font-size:1.3rem;word-break:break-all">{html(link)}</div>', unsafe_allow_html=True)
    with room_side:
        live()
else:
    live()
