"""Page frame shared by every page: page config, menu, language switch, presentation mode."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import duckdb
import streamlit as st

from framework import access, db, pgstore, settings, storage, survey
from framework import audit as audit_log
from framework.catalog import Catalog
from framework.catalog import profiles as pv
from framework.outputs import chart_theme
from framework.paths import demo_enabled, store_path
from framework.store import SurveyStore
from framework.text import md, pick
from ui import signin, widget_text

ROOT = Path(__file__).resolve().parent.parent

# (script, icon, Thai label, English label, section) — file name = URL path. A section not in SECTIONS
# ("link") is a page reached by a link only, never shown in the menu.
PAGES = (
    ("app.py", ":material/home:", "ภาพรวมกรอบทักษะ", "Framework at a glance", "framework"),
    ("pages/profiles.py", ":material/badge:", "บทบาทตามกลุ่มบุคลากร", "Role profile", "framework"),
    ("pages/pathway.py", ":material/route:", "เส้นทางพัฒนาตามระยะ", "Readiness path of a profile", "framework"),
    ("pages/explorer.py", ":material/account_tree:", "สำรวจกรอบทักษะ", "Framework explorer", "framework"),
    ("pages/requirements.py", ":material/grid_on:", "แผนภาพความต้องการทักษะ", "Requirement heatmaps", "framework"),
    ("pages/overview.py", ":material/monitoring:", "ภาพรวมผู้บริหาร", "Executive overview", "survey"),
    ("pages/coverage.py", ":material/blur_on:", "แผนภาพความครอบคลุม", "Coverage heatmap", "survey"),
    ("pages/readiness.py", ":material/trending_up:", "ความพร้อมตามระยะ", "Readiness path", "survey"),
    ("pages/trends.py", ":material/timeline:", "แนวโน้มตามรอบสำรวจ", "Trend over rounds", "survey"),
    ("pages/training.py", ":material/school:", "ความต้องการพัฒนา", "Training needs", "survey"),
    ("pages/respondent.py", ":material/person_search:", "แผนพัฒนารายบุคคล", "Individual development plan", "data"),
    ("pages/upload.py", ":material/upload_file:", "นำเข้าแบบสำรวจ", "Survey upload", "data"),
    ("pages/workshop.py", ":material/groups:", "แบบประเมินตนเองและเวิร์กช็อป", "Self-assessment campaigns", "data"),
    ("pages/sql.py", ":material/terminal:", "SQL สำหรับนักวิเคราะห์", "Analyst SQL", "data"),
    ("pages/audit.py", ":material/history:", "บันทึกการใช้งาน", "Audit log", "data"),
    ("pages/assess.py", ":material/edit_note:", "แบบประเมินตนเอง", "Self-assessment", "link"),  # by link only
)
SECTIONS = {
    "framework": ("กรอบทักษะ", "Framework"),
    "survey": ("ผลสำรวจ", "Survey results"),
    "data": ("ข้อมูล", "Data"),
}

LANG_KEY = "lang"  # shared by every page: "th" or "en"
PRESENT_KEY = "present"  # presentation mode on/off


@st.cache_resource(show_spinner=False)
def _connection(store: str):
    """One DuckDB connection per process (framework tables + attached store); pages use cursors.

    A store that has never held a batch gets the bundled demo survey, so a fresh install shows data.
    """
    survey.sweep_stale_temp()  # intake temp files a killed process left behind (framework.survey.tempfiles)
    con = db.connect(store)
    if demo_enabled():
        SurveyStore(con).ensure_demo()
    return con


def connection():
    """The shared connection; if the store file cannot be opened, say why in both languages and stop."""
    path = str(store_path())
    try:
        con = _connection(path)
        storage.recover(con)  # a store a failed checkpoint invalidated (full disk): reattached, nothing lost
        db.refresh(con)  # a PostgreSQL store: other processes' writes loaded before the page reads
        return con
    except Exception as exc:  # e.g. another program holds the file's write lock
        if pgstore.is_url(path) and pgstore.driver_error(exc):  # the PostgreSQL server is unreachable
            th, en = pgstore.unreachable(md(pgstore.shown(path)))
            st.error(tr(th, en), icon=":material/cloud_off:")
            st.stop()
        if not isinstance(exc, duckdb.Error):
            raise
        st.error(
            tr(
                f"เปิดที่เก็บแบบสำรวจ {md(path)} ไม่ได้ อาจมีโปรแกรมอื่นใช้ไฟล์นี้อยู่ (เช่น คำสั่ง python -m framework) "
                "ให้ปิดโปรแกรมนั้นแล้วโหลดหน้านี้ใหม่ หรือตั้ง SKILLS_DB เป็นไฟล์อื่น",
                f"Cannot open the survey store {md(path)}: another program may be using it (for example a "
                "`python -m framework` command). Close it and reload this page, or set SKILLS_DB to another file.",
            ),
            icon=":material/lock:",
        )
        st.caption(md(str(exc).splitlines()[0]))
        st.stop()


@st.cache_resource(show_spinner=False)
def _framework_connection():
    """The framework tables alone: framework pages work whatever state the survey store is in."""
    return db.connect()


def catalog() -> Catalog:
    return Catalog(_framework_connection())


@st.cache_data(show_spinner=False)
def catalog_names(lang: str) -> dict:
    """Key -> display name of every stage, staff group and capability group in `lang` (framework.catalog.profiles)."""
    return pv.names(catalog(), lang)


def hr_secret() -> str | None:
    """The HR passphrase from Streamlit secrets (`hr_passphrase`), if any; framework.access adds the env var."""
    try:
        return st.secrets.get("hr_passphrase")
    except Exception:  # noqa: BLE001 - no secrets.toml: not configured
        return None


def _hr_session() -> str:
    """The throttle's key of this browser session (random; framework.access also counts all sessions)."""
    return st.session_state.setdefault("_hr_session", secrets.token_hex(8))


def hr_verify(given: str | None, page: str) -> access.Attempt:
    """Check a typed HR passphrase through framework.access.attempt (throttled, logged), once per new text.

    Streamlit reruns the page on every click with the same text in the box: only a changed text is a new
    guess; the same wrong text again is the same refusal, not a new check.
    """
    secret = hr_secret()
    session = _hr_session()
    tag = (page, hashlib.sha256(given.encode("utf-8")).hexdigest()) if given else None
    if tag is not None and st.session_state.get("_hr_checked") == tag:
        return access.Attempt(False, access.THROTTLE.wait(session), checked=True)
    result = access.attempt(given, secret, session=session, page=page)
    if result.checked and tag is not None and not result.ok:
        st.session_state["_hr_checked"] = tag
    return result


# What each HR gate / passphrase box stands for when a provider decides (framework.identity.CAN).
GATE_ACTIONS = {
    "up_pass": "upload",
    "audit_pass": "audit",
    "resp_pass": "rows",
    "ws_pass": "campaigns",
    "targets": "targets",
    "sql": "rows",
    "survey filters": "rows",
}
HR_UNLOCKED = "_hr_unlocked"  # the scopes (gates) this browser session unlocked with the passphrase


def _hr_lock(scope: str) -> None:
    st.session_state[HR_UNLOCKED] = [s for s in st.session_state.get(HR_UNLOCKED, []) if s != scope]


def hr_passphrase(key: str, label: str, *, scope: str, where=None) -> access.Attempt:
    """The one HR passphrase box: what is typed goes through hr_verify (throttle and log); once accepted, the
    session keeps the scope unlocked and the box is emptied, so the passphrase does not stay in the page
    (`value="…"`). A "lock" button forgets it. Local mode (no passphrase): allowed, nothing drawn. Signed in
    through an identity provider: the role decides (framework.identity), no box is drawn."""
    p = signin.principal()
    if p is not None:
        return access.Attempt(p.can(GATE_ACTIONS.get(scope, "rows")), checked=p.can(GATE_ACTIONS.get(scope, "rows")))
    if access.local_mode(hr_secret()):
        return access.Attempt(True, checked=True)
    where = where or st
    result = None
    given = st.session_state.get(key) or None
    if given:  # checked before the box is drawn, so it can still be emptied
        result = hr_verify(str(given), scope)
        if result.ok:
            st.session_state[HR_UNLOCKED] = sorted({*st.session_state.get(HR_UNLOCKED, []), scope})
            st.session_state[key] = ""
            audit("sign-in", detail=f"page: {scope}")  # who is the role; the passphrase is never written
    if scope in st.session_state.get(HR_UNLOCKED, []):
        where.button(
            tr("ล็อกสิทธิ์ HR อีกครั้ง", "Lock HR access again"),
            key=f"{key}_lock",
            icon=":material/lock:",
            on_click=_hr_lock,
            args=(scope,),
        )
        return access.Attempt(True, checked=True)
    where.text_input(label, type="password", key=key)
    return result or access.Attempt(False, access.THROTTLE.wait(_hr_session()))


def who() -> str:
    """Who acts, for the audit log: the signed-in identity and role; else "HR (passphrase)" or "local mode"."""
    p = signin.principal()
    return p.who() if p is not None else audit_log.app_who(hr_secret())


def principal():
    """The signed-in person (framework.identity.Principal), a guest, or None without a provider (ui.signin)."""
    return signin.principal()


def audit(action: str, agency: str | None = None, detail: str | None = None) -> None:
    """One line in the audit log (framework.audit) for this session's action: who is the signed-in identity
    and role, "HR (passphrase)", or "local mode" when no passphrase is configured."""
    audit_log.record(connection(), who(), action, agency, detail, secret=hr_secret())


def audit_once(action: str, tag, agency: str | None = None, detail: str | None = None) -> None:
    """audit() once per browser session for `tag` (a row-level view is one line, not one per rerun)."""
    seen = st.session_state.setdefault("_audited", set())
    if (action, tag) not in seen:
        seen.add((action, tag))
        audit(action, agency, detail)


def export_recorder(what: str, agency: str | None = None):
    """A callable(file_name) writing a "row-export" line when a download is made (downloads run outside the
    page's session, so who and the connection are taken now)."""
    con, secret, by = connection(), hr_secret(), who()

    def record(file_name: str) -> None:
        audit_log.record(con, by, "row-export", agency, f"{what}: {file_name}", secret=secret)

    return record


def hr_refusal(result: access.Attempt) -> str | None:
    """What to tell a user whose passphrase was not accepted (None: nothing typed, nothing to say)."""
    if result.ok or (not result.checked and not result.wait):
        return None
    if not result.checked:
        return tr(
            f"ลองรหัสผ่านผิดหลายครั้ง: รอ {result.wait:.0f} วินาทีแล้วลองใหม่",
            f"Too many wrong passphrases: wait {result.wait:.0f} s, then try again.",
        )
    if result.wait > 0:
        return tr(
            f"รหัสผ่านไม่ถูกต้อง และลองผิดหลายครั้งแล้ว: รอ {result.wait:.0f} วินาทีก่อนลองใหม่",
            f"Wrong passphrase, and too many wrong tries: wait {result.wait:.0f} s before the next one.",
        )
    return tr("รหัสผ่านไม่ถูกต้อง", "Wrong passphrase.")


def hr_gate(key: str, why_th: str, why_en: str) -> None:
    """Stop the page unless the HR passphrase is verified (or none is configured: local single-user mode).

    Wrong passphrases are throttled (framework.access.Throttle): after 5 in a session, or 20 over all
    sessions, each further try waits a growing delay, which the page states in Thai and English.
    """
    p = signin.principal()
    if p is not None:  # signed in through the identity provider: the role decides; the page checks agencies
        if not p.can(GATE_ACTIONS.get(key, "rows")):
            signin.refuse(GATE_ACTIONS.get(key, "rows"), p)
        return
    secret = hr_secret()
    if access.local_mode(secret):
        st.info(
            tr(
                "ไม่ได้ตั้งรหัสผ่าน HR: แอปทำงานแบบผู้ใช้คนเดียวบนเครื่อง (อนุญาตทุกอย่าง)",
                "No HR passphrase is configured: the app runs in local single-user mode (everything allowed).",
            ),
            icon=":material/lock_open:",
        )
        return
    result = hr_passphrase(key, tr("รหัสผ่าน HR", "HR passphrase"), scope=key)
    if not result.ok:
        refusal = hr_refusal(result)
        if refusal:
            st.error(refusal, icon=":material/timer:" if result.wait else None)
        st.warning(tr(why_th, why_en), icon=":material/lock:")
        st.stop()


def hr_passed(key: str) -> bool:
    """Has this session's HR gate `key` already been passed (local mode, or the passphrase in the box was checked
    through the throttle and is right)? Only reads the outcome of a check made before: never a new guess."""
    p = signin.principal()
    if p is not None:
        return p.can(GATE_ACTIONS.get(key, "rows"))
    if access.local_mode(hr_secret()):
        return True
    return key in st.session_state.get(HR_UNLOCKED, [])  # hr_passphrase() unlocked the gate's scope


def controls(expanded: bool = False, key: str | None = None):
    """Where a page puts its controls: as they are normally; while presenting, folded into one collapsed expander
    so the content gets the screen (open it to change a choice; keyboard shortcuts keep working).

    With a `key` the expander is stateful (Streamlit reruns on open/close) and `expanded` is part of its identity:
    when a page's reason to keep it open ends (an HR gate passed), the next run folds it, where a plain expander
    would stay as the browser left it."""
    if not presenting():
        return st.container()
    label = tr("ตัวเลือกและปุ่มควบคุม", "Choices and controls")
    if key is None:
        return st.expander(label, icon=":material/tune:", expanded=expanded)
    return st.expander(label, icon=":material/tune:", expanded=expanded, key=key, on_change="rerun")


def lang() -> str:
    return st.session_state.get(LANG_KEY, "th")


def presenting() -> bool:
    """Is presentation mode (large type for a projector) on?"""
    return bool(st.session_state.get(PRESENT_KEY))


def chart_font_size() -> int:
    """Chart text size: larger in presentation mode so it reads from the back of a room."""
    return chart_theme.font_size(presenting())


def client_key() -> str:
    """Who is asking, in a way a new browser session does not change: the device's address (behind a reverse
    proxy on this machine, the address it appends to X-Forwarded-For), else this browser session."""
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (tests)
        ip = None
    if ip in (None, "127.0.0.1", "::1"):
        forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
        ip = forwarded or ip
    if ip:
        return f"ip:{ip}"
    return "session:" + st.session_state.setdefault("_client_session", secrets.token_hex(8))


def on_phone() -> bool:
    """A phone's browser says "Mobile" in its user agent."""
    return "Mobile" in (st.context.headers.get("User-Agent") or "")


def tr(th: str, en: str) -> str:
    """Pick the Thai or English text for the current language."""
    return pick(lang(), th, en)


def _init_state() -> None:
    qp = st.query_params
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = "en" if qp.get("lang") == "en" else "th"
    elif qp.get("lang") in ("th", "en") and not st.session_state.get("_lang_from_url_done"):
        st.session_state[LANG_KEY] = qp.get("lang")
    st.session_state["_lang_from_url_done"] = True
    if PRESENT_KEY not in st.session_state:
        st.session_state[PRESENT_KEY] = qp.get("present") == "1"


def _on_lang_change() -> None:
    st.session_state[LANG_KEY] = "en" if st.session_state["_lang_widget"] == "English" else "th"


def _on_present_change() -> None:
    st.session_state[PRESENT_KEY] = st.session_state["_present_widget"]


def _exit_presentation() -> None:
    """Leave presentation mode: normal type, header and sidebar back, `present` gone from the URL."""
    st.session_state[PRESENT_KEY] = False
    st.session_state["_present_widget"] = False
    if "present" in st.query_params:
        del st.query_params["present"]


# Full screen must be asked for from a click in the page itself (browsers refuse it from a timer).
FULLSCREEN_HTML = """
<button id="skills-fullscreen" type="button" title="{hint}"
  style="font:inherit;font-size:1rem;line-height:1.6;padding:0.25rem 0.75rem;border:1px solid rgba(27,31,36,0.2);
         border-radius:0.5rem;background:#fff;color:inherit;cursor:pointer;white-space:nowrap;
         display:inline-flex;align-items:center;gap:0.5rem;min-height:2.5rem;"><span aria-hidden="true"
  style="font-family:'Material Symbols Rounded';font-size:1.25rem;font-weight:400;line-height:1;">fullscreen</span
  >{label}</button>
<script>
(function () {{
  const b = document.getElementById("skills-fullscreen");
  if (!b) return;
  b.addEventListener("click", function () {{
    const d = document;
    if (d.fullscreenElement) {{ d.exitFullscreen(); }}
    else if (d.documentElement.requestFullscreen) {{ d.documentElement.requestFullscreen(); }}
  }});
}})();
</script>
"""


def presentation_controls() -> None:
    """The way out of presentation mode (labelled), and a full-screen switch; drawn only while presenting."""
    row = st.container(horizontal=True, vertical_alignment="center")
    row.button(
        tr("ออกจากโหมดนำเสนอ", "Exit presentation"),
        key="present_exit",
        on_click=_exit_presentation,
        icon=":material/close_fullscreen:",
        width="content",
        help=tr("กลับสู่หน้าปกติ: เมนูด้านซ้ายและแถบด้านบนกลับมา", "Back to the normal page: the menu and header return"),
    )
    with row:
        st.html(
            FULLSCREEN_HTML.format(
                label=tr("เต็มจอ", "Full screen"), hint=tr("เต็มจอ / กลับ (Esc)", "Full screen on / off (Esc)")
            ),
            width="content",
            unsafe_allow_javascript=True,
        )


PRESENT_CSS = """
<style>
/* Streamlit sizes text in rem: a larger root font scales the whole page for the back of the room. */
html { font-size: 22px; }
[data-testid="stHeader"], [data-testid="stToolbar"] { display: none; }
.block-container { padding-top: 1rem; max-width: 100%; }
</style>
"""

BASE_CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 2.4rem; }
.block-container { padding-top: 2.5rem; }
.skills-chip { display:inline-block; padding:0.1rem 0.55rem; margin:0.1rem; border-radius:0.8rem;
  background:#e8eef7; color:#1f4e8c; font-weight:600; font-size:0.9em; }
.skills-basic { background:#eef5ea; color:#2d6a2d; }
/* Phones: a page title fits one line (Thai has no spaces; the browser would break it mid-compound). */
@media (max-width: 640px) { h1 { font-size: clamp(1.5rem, 8vw, 2.75rem) !important; } }
/* Phones show a table's toolbar (search, download, full screen) above the table at all times: room for it, so it
   does not cover the download buttons drawn just above the table. */
@media (max-width: 640px) {
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) { margin-top: 2.5rem; } }
</style>
"""


def setup(page: str, title_th: str, title_en: str, nav: bool = True) -> str:
    """Configure the page, draw the menu (unless nav=False: a page reached by link only) and switches, write
    the title; return the language."""
    _init_state()
    st.set_page_config(
        page_title=f"{tr(title_th, title_en)} · OCSC Digital Skills",
        page_icon=":material/school:",
        layout="wide",
        initial_sidebar_state="collapsed" if st.session_state[PRESENT_KEY] else "auto",
    )
    st.markdown(BASE_CSS, unsafe_allow_html=True)
    check_settings()
    widget_text.apply(lang())  # Thai for the words Streamlit's own widgets draw in English
    if st.session_state[PRESENT_KEY]:
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)
    with st.sidebar:
        st.radio(
            "ภาษา / Language",
            ["ไทย", "English"],
            key="_lang_widget",
            horizontal=True,
            index=1 if lang() == "en" else 0,
            on_change=_on_lang_change,
        )
        st.toggle(
            tr("โหมดนำเสนอ (ตัวอักษรใหญ่)", "Presentation mode (large type)"),
            key="_present_widget",
            value=st.session_state[PRESENT_KEY],
            on_change=_on_present_change,
        )
        signin.sidebar(st.container())
        if nav:
            menu()
    if st.session_state[PRESENT_KEY]:
        presentation_controls()
    st.title(tr(title_th, title_en))
    return lang()


def check_settings() -> None:
    """Every environment setting checked before the page does anything (framework.settings): a bad value is
    one bilingual message naming the variable, the value and what is allowed, and the page stops."""
    try:
        settings.check_all()
    except settings.SettingError as exc:
        st.error(md(exc.message(lang())), icon=":material/settings:")
        st.stop()


def menu() -> None:
    """The one navigation menu, with readable labels in the current language."""
    current = None
    for section, (sec_th, sec_en) in SECTIONS.items():
        st.caption(tr(sec_th, sec_en))
        for script, icon, th, en, sec in PAGES:
            if sec != section or not (ROOT / script).exists():
                continue
            st.page_link(script, label=tr(th, en), icon=icon)
    return current
