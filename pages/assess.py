"""Self-assessment form (URL /assess?c=CODE, or a personal link /assess?t=TOKEN): reached by a link only.

The open link trusts the id people type (and says so); a personal link fixes the id (shown, not editable),
answers once, then shows the person's result. No draft is ever put in the address bar.

A campaign link grants this form alone: the page reads the campaign, the catalogue and, after submitting,
the person's own answers (kept in this browser session only); nothing another respondent typed is shown.
"""

from html import escape

import streamlit as st

from framework import campaign, clock, pdf
from framework import respondents as rsp
from framework.campaign import form, links, results
from framework.catalog import STAFF_GROUPS
from framework.catalog import profiles as pv
from framework.errors import BilingualError
from framework.outputs import export
from framework.text import md
from ui import shell, signin

lang = shell.setup("assess", "แบบประเมินตนเองด้านทักษะดิจิทัล", "Digital-skills self-assessment", nav=False)
tr = shell.tr
cat = shell.catalog()
con = shell.connection()
S = "as_"  # every session key of this page starts with it
stages = groups = shell.catalog_names(lang)  # display names by key (stage and staff-group keys never collide)


# The catalogue does not change while the app runs: what the form shows of it is computed once per process.
@st.cache_data(show_spinner=False)
def _units(stage: str, group: str, everything: bool) -> list[dict]:
    """The units to ask (framework.campaign.form.form_units) as plain records."""
    return form.form_units(shell.catalog(), stage, group, everything).to_dict("records")


@st.cache_resource(show_spinner=False)
def _details(lang: str) -> dict[str, str]:
    """Every unit's elements and criteria (Markdown) in this language, read at once (form.unit_details); one
    shared dict, only ever read."""
    return form.unit_details(shell.catalog(), lang)


@st.cache_data(show_spinner=False)
def _option_labels(lang: str) -> dict:
    return {v: form.option_label(v, lang) for v in form.OPTIONS}


# Brings the result into view once, right after submitting (the page was scrolled down to the Submit button):
# below Streamlit's fixed header (on a phone the message sat under it, just above what shows), again while the
# page settles.
SCROLL_HTML = """<div id="skills-result-top"></div>
<script>
(function () {
  const go = () => {
    const el = document.getElementById("skills-result-top");
    if (!el) return;
    const head = document.querySelector('[data-testid="stHeader"]');
    const below = head ? Math.max(0, head.getBoundingClientRect().bottom) : 0;
    el.style.scrollMarginTop = (below + 8) + "px";
    el.scrollIntoView({block: "start"});
  };
  [0, 150, 400, 800, 1500].forEach(ms => setTimeout(go, ms));
})();
</script>"""


def _heading(c) -> None:
    when = tr("ปิดรับคำตอบ ", "closes ") + clock.date_text(c.closes, lang) if c.closes else ""
    st.markdown(
        f"**{md(c.agency)}** · {md(stages.get(c.stage, c.stage))} · "
        + tr("รอบสำรวจ ", "survey round ")
        + md(clock.date_text(c.round_date, lang))
        + (f" · {md(when)}" if when else "")
    )


def _result(c, batch_id: str, respondent_id: str, *, just_sent: dict | None = None, link: str | None = None) -> None:
    """The person's own result and plan: right after submitting (`just_sent`), or reopened by its result link."""
    if st.session_state.pop(S + "scroll", False):
        st.html(SCROLL_HTML, unsafe_allow_javascript=True)
    if just_sent:
        st.success(
            tr("บันทึกคำตอบแล้ว ขอบคุณ", "Your answers are stored. Thank you.")
            + (
                " "
                + tr(
                    "(แทนที่คำตอบเดิมของรหัสนี้ในรอบนี้ — หนึ่งคนนับครั้งเดียวต่อรอบ)",
                    "(they replace your earlier answers in this round - a person counts once per round)",
                )
                if just_sent["replaced"]
                else ""
            ),
            icon=":material/check_circle:",
        )
    try:
        p = rsp.plan(con, cat, batch_id, respondent_id, c.stage)  # own answers, never cached
    except rsp.RespondentError as exc:
        st.error(md(exc.message(lang)))
        st.stop()
    n = p.counts()
    st.subheader(tr("ผลของคุณ", "Your result"))
    st.markdown(f"**{escape(stages[p.stage])} · {escape(groups[p.staff_group])}** — {escape(p.persona(lang))}")
    m = st.columns(4)
    m[0].metric(tr("ความพร้อมในระยะนี้", "Readiness at this stage"), "—" if p.readiness is None else f"{p.readiness:.0%}")
    m[1].metric(tr("ผ่านเกณฑ์", "Units met"), f"{n['met']} / {n['required']}")
    m[2].metric(tr("ต้องพัฒนา", "To develop"), n["develop"] + n["not_assessed"])
    m[3].metric(
        tr(
            f"ความพร้อมในระยะถัดไป ({stages.get(p.next_stage, '—')})",
            f"Readiness at the next stage ({stages.get(p.next_stage, '—')})",
        ),
        "—" if p.next_readiness is None else f"{p.next_readiness:.0%}",
    )
    st.caption(rsp.met_note(p.threshold, lang, marked=False))
    left, right = st.columns(2)
    for box, status, (th, en) in (
        (left, rsp.MET, ("หน่วยที่ผ่านเกณฑ์", "Units met")),
        (right, rsp.DEVELOP, ("หน่วยที่ต้องพัฒนา", "Units to develop")),
    ):
        rows = p.units[p.units["status"] == status] if status == rsp.MET else p.units[p.units["status"] != rsp.MET]
        box.markdown(f"**{tr(th, en)} ({len(rows)})**")
        box.markdown(
            "\n".join(f"- `{u['code']}` {escape(pv.text(u, 'name', lang))}" for _, u in rows.iterrows()) or "—"
        )
    first = form.learn_first(cat, p)
    if not first.empty:
        st.markdown("**" + tr("ความสามารถย่อยที่ควรเรียนรู้ก่อน", "Elements to learn first") + "**")
        st.markdown("\n".join(f"- `{r['element']}` {escape(pv.text(r, 'name', lang))}" for _, r in first.iterrows()))
    html = rsp.idp_html(p, cat, lang)
    name = {"access": "own", "respondent": p.respondent_id, "stage": p.stage, "lang": lang}
    row = st.container(horizontal=True)
    label = (
        tr("แผนพัฒนารายบุคคล (HTML พิมพ์ได้ 1 หน้า)", "Development plan (printable one-page HTML)")
        if rsp.one_page(p)
        else tr("แผนพัฒนารายบุคคล (HTML พิมพ์ได้ ขนาด A4)", "Development plan (printable A4 HTML)")
    )
    row.download_button(
        label,
        html.encode("utf-8"),
        file_name=export.filename("idp", name, "html"),
        mime="text/html",
        key=S + "idp",
        icon=":material/print:",
        type="primary",
        on_click="ignore",
    )
    if row.button(tr("ทำเป็น PDF", "Make a PDF"), key=S + "pdf_make", icon=":material/picture_as_pdf:"):
        try:
            st.session_state[S + "pdf"] = (p.batch_id, p.respondent_id, pdf.html_to_pdf(html))
        except BilingualError as exc:
            st.error(md(exc.message(lang)))
    made = st.session_state.get(S + "pdf")
    if made and made[:2] == (p.batch_id, p.respondent_id):  # this person's PDF only
        row.download_button(
            tr("ดาวน์โหลด PDF", "Download the PDF"),
            made[2],
            file_name=export.filename("idp", name, "pdf"),
            mime="application/pdf",
            key=S + "pdf_dl",
            on_click="ignore",
        )
    if link:
        with st.container(key=S + "result_link", border=True):
            st.markdown("**" + tr("ลิงก์เปิดผลและแผนของคุณอีกครั้ง", "Your link to reopen this result and plan") + "**")
            st.code(link, language=None)  # plain text to copy: a URL is never read as markup
            st.caption(
                tr(
                    "เก็บลิงก์นี้ไว้ (คัดลอกหรือบันทึกเป็นบุ๊กมาร์ก) ผู้ใดมีลิงก์นี้จะเห็นผลการประเมินนี้ อย่าส่งต่อให้ผู้อื่น",
                    "Keep this link (copy or bookmark it): whoever has it sees your result, so do not share it.",
                )
            )
    if just_sent:
        st.button(
            tr("เสร็จแล้ว: ล้างหน้าจอสำหรับคนถัดไป", "Done: clear the screen for the next person"),
            key=S + "again",
            on_click=_start_over,
            icon=":material/restart_alt:",
        )


code = str(st.query_params.get("c") or "").strip().lower()
if st.query_params.get("r"):  # a result link: this person's result and plan, nothing else
    try:
        found = results.find(con, st.query_params.get("r"))
    except campaign.CampaignError as exc:
        st.error(md(exc.message(lang)), icon=":material/link_off:")
        st.stop()
    _heading(found.campaign)
    _result(found.campaign, found.batch_id, found.respondent_id)
    st.stop()

personal = None  # a personal link (?t=TOKEN): the respondent id is the link's, never typed
if st.query_params.get("t"):
    client = shell.client_key()
    wait = campaign.CODE_THROTTLE.wait(client)  # unknown tokens are guesses: throttled like unknown codes
    if wait > 0:
        st.error(md(campaign.CodeThrottled(wait).message(lang)), icon=":material/timer:")
        st.stop()
    try:
        personal = links.lookup(con, st.query_params.get("t"))
    except links.LinkError as exc:
        if exc.kind == "unknown":
            campaign.CODE_THROTTLE.failed(client, "assess (personal link)")
        st.error(md(exc.message(lang)), icon=":material/link_off:")
        st.stop()
    just_done = (
        st.session_state.get(S + "done") is not None  # submitted in this session, through this link
        and st.session_state.get(S + "code") == f"{personal.campaign.code}:{personal.token_hash}"
    )
    if personal.used and not just_done:  # answered: the link shows the result, never the form again
        batch = links.result_batch(con, personal)
        _heading(personal.campaign)
        if batch is None:
            st.error(md(links.used().message(lang)), icon=":material/link_off:")
            st.stop()
        st.info(
            tr(
                "ส่งคำตอบผ่านลิงก์นี้แล้ว ด้านล่างคือผลของคุณ (ลิงก์นี้ใช้ส่งคำตอบได้ครั้งเดียว)",
                "Answers were submitted through this link; below is your result (the link answers once).",
            ),
            icon=":material/task_alt:",
        )
        _result(personal.campaign, batch, personal.respondent_id)
        st.stop()
    if not personal.campaign.is_open() and not just_done:
        st.error(md(links.closed(personal.campaign).message(lang)), icon=":material/link_off:")
        st.stop()
    camp = personal.campaign
else:
    try:
        camp = campaign.require_open(con, code, client=shell.client_key())  # unknown codes throttled, logged
    except campaign.CampaignError as exc:
        st.error(
            md(exc.message(lang)),
            icon=":material/timer:" if isinstance(exc, campaign.CodeThrottled) else ":material/link_off:",
        )
        st.stop()
    if camp.links_only:
        st.error(md(links.links_only_refusal(camp).message(lang)), icon=":material/link_off:")
        st.stop()

# Signed in through the identity provider (ui.signin): the respondent id is the identity's, never typed.
who = shell.principal() if personal is None else None
signed = signin.respondent(who)
# Who this session answers as: the campaign, and for a personal link its token's hash (never the token).
ident = camp.code + (":" + personal.token_hash if personal else "")
if st.session_state.get(S + "code") != ident:  # a new campaign or link in this session: start clean
    for k in [k for k in st.session_state if str(k).startswith(S)]:
        del st.session_state[k]
    st.session_state[S + "code"] = ident
    st.session_state[S + "answers"] = {}
    # Drafts: an open link's stay in this browser session only (nothing in the address bar, nothing a copied
    # URL reopens); a personal link's are kept on the server under its token's hash, so reloading it restores them.
    draft = campaign.load_draft(con, camp.code, personal.draft_key) if personal else None
    if draft:
        st.session_state[S + "answers"] = {k: v for k, v in (draft.get("answers") or {}).items() if v is not None}
        for field in ("group", "org"):
            if draft.get(field) is not None:
                st.session_state[S + field] = draft[field]
        st.session_state[S + "all"] = bool(draft.get("all"))
        st.session_state[S + "restored"] = True


def _save() -> None:
    """Keep the answers in this session; for a personal link also as its draft (a reload restores it)."""
    answers = st.session_state[S + "answers"]
    for k in list(st.session_state):
        if str(k).startswith(S + "u_"):
            answers[str(k)[len(S) + 2 :]] = st.session_state[k]
    if personal is None:
        return
    state = {
        "group": st.session_state.get(S + "group"),
        "org": st.session_state.get(S + "org"),
        "all": st.session_state.get(S + "all", False),
        "answers": {k: v for k, v in answers.items() if v is not None},
    }
    campaign.keep_draft(con, camp.code, personal.draft_key, state)  # written behind (framework/campaign/drafts.py)


def _start_over() -> None:
    for k in [k for k in st.session_state if str(k).startswith(S)]:
        del st.session_state[k]


_heading(camp)

# --- right after submitting: the person's own result ------------------------------------------------------
done = st.session_state.get(S + "done")
if done:
    base = (st.context.url or "").split("?")[0].rsplit("/", 1)[0]
    result_link = (
        None
        if not done.get("token")
        else (f"{base}/assess?r={done['token']}" if base.startswith("http") else f"/assess?r={done['token']}")
    )
    _result(camp, done["batch_id"], done["respondent_id"], just_sent=done, link=result_link)
    if personal is not None:
        st.caption(
            tr(
                "ลิงก์รายบุคคลของคุณเปิดผลนี้ได้อีกครั้ง (ส่งคำตอบซ้ำไม่ได้)",
                "Your personal link opens this result again (it cannot answer again).",
            )
        )
    st.stop()

# --- the form ------------------------------------------------------------------------------------------------
if st.session_state.pop(S + "restored", False):
    st.info(tr("นำคำตอบที่คุณกรอกไว้กลับมาแล้ว", "Your answers so far were restored."), icon=":material/restore:")
st.caption(
    tr(
        "คำตอบของคุณใช้เพื่อวางแผนพัฒนาบุคลากร ฝ่ายบุคคลเห็นรายคน ผู้อื่นเห็นเพียงภาพรวม",
        "Your answers are used for staff development planning: HR sees them per person, others only in aggregate.",
    )
)
if personal is None and signed is None:
    st.warning(
        tr(
            "ลิงก์เปิด: รหัสผู้ตอบคือสิ่งที่คุณพิมพ์ และระบบเชื่อตามที่พิมพ์ (ไม่มีการยืนยันตัวตน) — พิมพ์รหัสของคุณเองเท่านั้น",
            "Open link: the respondent id is what you type, and it is trusted as typed (nobody checks who "
            "you are) - type your own id only.",
        ),
        icon=":material/keyboard:",
    )


def _id_box() -> None:
    """The respondent id the person types (open link): its own fragment, so typing reruns this box alone."""
    st.text_input(
        tr("รหัสผู้ตอบ", "Respondent id"),
        key=S + "id",
        max_chars=campaign.MAX_ID,
        on_change=_save,
        placeholder=tr("เลขประจำตัวหรืออีเมล ตามที่หน่วยงานกำหนด", "staff number or e-mail, as your agency decides"),
    )


@st.fragment
def _form() -> None:
    """Who answers (id, staff group, org unit), the units and Submit. A change of group, org unit or "also rate
    the other units" reruns this part alone (not the page above: no campaign or link lookup); typing the id
    reruns its box alone (a fragment inside), an answer the answers alone (another)."""
    c1, c2, c3 = st.columns(3)
    if personal is not None:
        c1.text_input(
            tr("รหัสผู้ตอบ (จากลิงก์รายบุคคลของคุณ)", "Respondent id (from your personal link)"),
            value=personal.respondent_id,
            disabled=True,
            key=S + "id_fixed",
            help=tr("ลิงก์นี้ออกให้คุณคนเดียว รหัสจึงแก้ไม่ได้", "This link was issued to you alone, so the id is fixed."),
        )
    elif signed is not None:
        c1.text_input(tr("รหัสผู้ตอบ (จากบัญชีที่ลงชื่อเข้าใช้)", "Respondent id (from your sign-in)"), signed, disabled=True)
    else:
        with c1:
            st.fragment(_id_box)()
    group = c2.selectbox(
        tr("กลุ่มบุคลากร", "Staff group"),
        STAFF_GROUPS,
        format_func=groups.get,
        key=S + "group",
        on_change=_save,
        placeholder=tr("เลือกกลุ่มบุคลากรของคุณ", "choose your staff group"),
        **({} if S + "group" in st.session_state else {"index": None}),
    )
    org = None
    if camp.org_units:
        org = c3.selectbox(
            tr("หน่วยงานย่อย (ไม่บังคับ)", "Org unit (optional)"),
            camp.org_units,
            key=S + "org",
            on_change=_save,
            placeholder="—",
            **({} if S + "org" in st.session_state else {"index": None}),
        )
    if not group:
        st.info(
            tr(
                "เลือกกลุ่มบุคลากรเพื่อดูหน่วยความสามารถที่บทบาทของคุณต้องมี",
                "Choose your staff group to see the units of capability your role profile requires.",
            )
        )
        return
    everything = st.toggle(
        tr("ประเมินหน่วยอื่นด้วย (ไม่บังคับ)", "Also rate the other units (optional)"), key=S + "all", on_change=_save
    )
    units = _units(camp.stage, group, everything)
    answers = st.session_state[S + "answers"]
    for u in units:
        if S + "u_" + u["code"] not in st.session_state and answers.get(u["code"]) is not None:
            st.session_state[S + "u_" + u["code"]] = answers[u["code"]]
    st.fragment(_answers_part)(units, group, org)


def _answers_part(units: list[dict], group: str, org: str | None) -> None:
    """The answers and the Submit button: an answer reruns this part alone (a fragment), not the page."""
    required = [u["code"] for u in units if u["required"]]
    answered = sum(st.session_state.get(S + "u_" + u) is not None for u in required)
    st.progress(
        answered / len(required) if required else 1.0,
        text=tr(
            f"ตอบแล้ว {answered} จาก {len(required)} หน่วยที่บทบาทของคุณต้องมี",
            f"{answered} of the {len(required)} units your role profile requires answered",
        ),
    )
    st.caption(
        tr(
            f"บทบาท: {stages[camp.stage]} · {groups[group]} — เลือกระดับ 0–4 ของแต่ละหน่วย หรือ \"ไม่ประเมินหน่วยนี้\"",
            f"Role profile: {stages[camp.stage]} · {groups[group]} - choose a level 0-4 for each unit, "
            "or \"not assessed\"",
        )
    )
    labels = _option_labels(lang)
    details = _details(lang)
    for u in units:
        key = S + "u_" + u["code"]
        with st.container(border=True):
            tag = "" if u["required"] else tr(" · ไม่บังคับ", " · optional")
            st.radio(
                f"**{u['code']}** {pv.text(u, 'name', lang)}{tag}",
                form.OPTIONS,
                key=key,
                horizontal=True,
                on_change=_save,
                format_func=lambda v: labels.get(v, str(v)),
                **({} if key in st.session_state else {"index": None}),
            )
            with st.expander(tr("ความสามารถย่อยและเกณฑ์การปฏิบัติงาน", "Elements and performance criteria")):
                st.markdown(details[u["code"]])

    if st.button(tr("ส่งคำตอบ", "Submit"), type="primary", key=S + "submit", icon=":material/send:"):
        given = {u["code"]: st.session_state.get(S + "u_" + u["code"]) for u in units}
        try:
            res = campaign.submit(
                con,
                cat,
                camp,
                signed or st.session_state.get(S + "id"),
                group,
                org,
                given,
                client=shell.client_key(),
                link=personal,
                draft_token=personal.draft_key if personal else None,
                result_link=personal is None,  # a personal link reopens the result itself: no second link
            )
        except BilingualError as exc:  # a refusal, a rate limit, or a full disk (framework.storage)
            st.error(md(exc.message(lang)), icon=":material/error:")
        else:
            for k in [k for k in st.session_state if str(k).startswith(S + "u_")]:
                del st.session_state[k]
            st.session_state[S + "answers"] = {}
            st.session_state[S + "done"] = {
                "batch_id": res.batch_id,
                "respondent_id": res.respondent_id,
                "replaced": res.replaced,
                "token": res.result_token,
            }
            st.session_state[S + "scroll"] = True
            st.rerun()


_form()
