"""Sign-in through the organisation's identity provider (Streamlit's st.login, OpenID Connect; issue 19).

Configured by an `[auth]` section in `.streamlit/secrets.toml` (README "Sign-in"). Without one, nothing here
changes the app: principal() is None and the HR passphrase / local mode work as before. With one, every page
asks principal(): the signed-in person's framework.identity.Principal (role, agencies, row-level agencies,
respondent id), or a guest (nothing but the framework pages) before sign-in. Every sign-in and sign-out is
one audit line (who = the identity and role; never a token). AppTests cannot run st.login: a test puts a
Principal in st.session_state[PRINCIPAL_KEY] (server-side state no browser can set).
"""

from __future__ import annotations

import streamlit as st

from framework import access, identity
from framework.errors import BilingualError
from framework.text import md

PRINCIPAL_KEY = "_principal"  # the AppTest seam (a Principal placed by a test)
GUEST = identity.Principal(identity.GUEST, name="guest")
_SIGNED = "_signed_in_as"  # the identity this session's "sign-in" audit line was written for


def _auth() -> dict:
    try:
        return dict(st.secrets.get("auth") or {})
    except Exception:  # noqa: BLE001 - no secrets.toml: no provider
        return {}


def providers() -> list[str | None]:
    """The configured providers: [None] for one unnamed provider ([auth] with client_id), else the names of
    [auth.NAME] sections with a client_id."""
    auth = _auth()
    if not auth:
        return []
    if auth.get("client_id"):
        return [None]
    return [k for k, v in auth.items() if isinstance(v, dict) and v.get("client_id")]


def configured() -> bool:
    """Is sign-in through a provider configured (or a test's principal in place)? Tells framework.identity."""
    on = bool(providers()) or isinstance(st.session_state.get(PRINCIPAL_KEY), identity.Principal)
    identity.use_provider(on)
    return on


def _logged_in() -> bool:
    try:
        return bool(st.user.get("is_logged_in"))
    except Exception:  # noqa: BLE001 - no user info (AppTest, no provider)
        return False


def principal() -> identity.Principal | None:
    """Who is signed in: None without a provider (today's modes); GUEST before sign-in or for an identity the
    app cannot use (said on the page); else the Principal from the ID token's claims and the roles file."""
    if not configured():
        return None
    seam = st.session_state.get(PRINCIPAL_KEY)
    if isinstance(seam, identity.Principal):
        return seam
    if not _logged_in():
        return GUEST
    claims = st.user.to_dict()
    try:
        p = identity.principal(claims, identity.load_mapping())
    except BilingualError as exc:
        from ui.shell import lang

        st.error(md(exc.message(lang())), icon=":material/person_off:")
        return GUEST
    tag = (p.name, p.role)
    if st.session_state.get(_SIGNED) != tag:  # one audit line per sign-in, never one per rerun
        st.session_state[_SIGNED] = tag
        from ui.shell import audit

        audit("sign-in", detail=f"identity provider: {p.role}")
    return p


def _sign_out(p: identity.Principal) -> None:
    from ui.shell import audit

    audit("sign-out", detail=f"identity provider: {p.role}")
    st.session_state.pop(_SIGNED, None)
    st.logout()


def sidebar(where=None) -> None:
    """Who is signed in and a sign-out button, or the sign-in button(s); nothing without a provider."""
    p = principal()
    if p is None:
        return
    from ui.shell import lang, tr

    where = where or st.sidebar
    if p.role == identity.GUEST:
        sign_in_buttons(where, "sidebar")
        return
    agencies = tr("ทุกหน่วยงาน", "every agency") if p.every_agency else ", ".join(p.agencies) or "—"
    where.caption(
        ":material/account_circle: "
        + md(f"{p.name} · {p.role_text(lang())}")
        + (f" · {md(agencies)}" if p.role != identity.STAFF else "")
    )
    if not isinstance(st.session_state.get(PRINCIPAL_KEY), identity.Principal):
        where.button(
            tr("ออกจากระบบ", "Sign out"), key="_sign_out", icon=":material/logout:", on_click=_sign_out, args=(p,)
        )


def sign_in_buttons(where=None, place: str = "page") -> None:
    """One "Sign in" button per configured provider (st.login); `place` keeps the sidebar's and the page's apart."""
    from ui.shell import tr

    where = where or st
    for name in providers():
        if where.button(
            tr("ลงชื่อเข้าใช้", "Sign in") + (f" ({md(name)})" if name else ""),
            key=f"_sign_in_{place}_{name or ''}",
            icon=":material/login:",
            type="primary",
        ):
            if name:
                st.login(name)
            else:
                st.login()


def refuse(action: str, p: identity.Principal) -> None:
    """Stop the page: a guest is asked to sign in; a signed-in person is told the role does not allow it."""
    from ui.shell import tr

    if p.role == identity.GUEST:
        st.info(
            tr(
                "หน้านี้ต้องลงชื่อเข้าใช้ด้วยบัญชีของหน่วยงาน",
                "This page needs you to sign in with your organisation's account.",
            ),
            icon=":material/login:",
        )
        sign_in_buttons()
    else:
        th, en = identity.ACTIONS[action]
        st.warning(
            tr(
                f"บทบาทของบัญชีนี้ ({md(p.role_text('th'))}) ไม่มีสิทธิ์{th} — ขอสิทธิ์จากผู้ดูแล",
                f"This account's role ({md(p.role_text('en'))}) may not {en} — ask the administrator for access.",
            ),
            icon=":material/lock:",
        )
    st.stop()


def respondent(p: identity.Principal | None) -> str | None:
    """The campaign form's respondent id for a signed-in person (taken from the identity, never typed); None
    without a provider (the open link's typed id, as before). A guest is asked to sign in; an identity
    without a usable id is told so; either stops the page."""
    if p is None:
        return None
    if not p.can("assess"):
        refuse("assess", p)
    if not p.respondent_id:
        from ui.shell import tr

        st.error(
            tr(
                "บัญชีนี้ไม่มีรหัสผู้ตอบ (เช่น อีเมลหรือเลขประจำตัว) จากผู้ให้บริการยืนยันตัวตน — แจ้งผู้ดูแลระบบ",
                "This account carries no respondent id (such as an e-mail or staff number) from the identity "
                "provider — tell the administrator.",
            ),
            icon=":material/badge:",
        )
        st.stop()
    return p.respondent_id


def survey_scope(asked: str | None) -> tuple[identity.Principal | None, tuple[str, ...] | None]:
    """The survey pages' (principal, Filters.scope): a guest or staff member is stopped (no figures); an agency
    asked for in the URL (?agency=) outside the scope is said to be ignored, in Thai and English."""
    p = principal()
    if p is not None and not p.can("figures"):
        refuse("figures", p)
    scope = identity.analysis_scope(p)
    if asked and not identity.within(scope, asked):
        from ui.shell import tr

        st.warning(
            tr(
                f"หน่วยงาน {md(asked)} ในลิงก์อยู่นอกสิทธิ์ของบัญชีนี้ จึงไม่แสดง — แสดงหน่วยงานของคุณแทน",
                f"The agency {md(asked)} in the link is outside this account's access, so it is not shown — "
                "showing your agencies instead.",
            ),
            icon=":material/lock:",
        )
    return p, scope


def k_access(p: identity.Principal, agencies) -> tuple[bool, int]:
    """Exact figures and the lowest k for a signed-in person: only over agencies whose row-level data they may
    read (framework.identity.exact)."""
    exact = identity.exact(p, agencies)
    return exact, access.lowest_min_cell(exact)
