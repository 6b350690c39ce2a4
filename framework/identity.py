"""Who is signed in through the organisation's identity provider (issue 19), and THE agency scope rule.

A `Principal` (frozen) is made once per page run from the provider's ID-token claims (OpenID Connect:
Microsoft Entra ID, Google Workspace, Keycloak, ThaID) and an optional mapping file (`SKILLS_ROLES_FILE`,
TOML). Roles:

- staff: the campaign form only; their respondent id is taken from the identity (a claim), never typed;
- hr (agency HR): uploads, campaigns, target levels and row-level data (exact figures, the IDP, row-level
  SQL) of their own agencies;
- executive (agency executive): their agencies' figures (k-suppressed, as without the passphrase);
- analyst and admin (national admin): every agency's figures; row-level only for the agencies granted
  (`row_level`); admin also reads the audit log.

The scope is enforced here, not by hiding widgets: `Filters.scope` (framework.analysis.filters) restricts
every survey view and export to the principal's agencies and refuses an agency outside it; `check()` is
the one test of an action on an agency (upload, campaign, target, IDP, audit); `analysis_scope()`,
`exact()` and `row_scope()` give the views, the analyst SQL and the IDP what they may read. No streamlit here:
ui.shell reads `st.user` and passes its claims in. Without a provider nothing here is used (passphrase or
local mode, as before).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from framework import db, names, settings
from framework.errors import BilingualError
from framework.store.keys import AGENCY_KEY, name_key

ROLES_ENV = "SKILLS_ROLES_FILE"
OUT_OF_SCOPE = chr(31) + "no agency"  # an agency filter that matches nothing (an empty scope)
NONE_KEY = "—"  # an agency not given, as the views key it (framework.store.keys.NONE_KEY)
ALL = "*"  # every agency
STAFF, HR, EXECUTIVE, ANALYST, ADMIN = "staff", "hr", "executive", "analyst", "admin"
ROLES = (STAFF, HR, EXECUTIVE, ANALYST, ADMIN)
GUEST = "guest"  # a provider is configured and nobody is signed in yet: the framework pages only
ROLE_NAMES = {
    STAFF: ("บุคลากร", "staff"),
    HR: ("HR ของหน่วยงาน", "agency HR"),
    EXECUTIVE: ("ผู้บริหารหน่วยงาน", "agency executive"),
    ANALYST: ("นักวิเคราะห์", "analyst"),
    ADMIN: ("ผู้ดูแลระดับประเทศ", "national admin"),
    GUEST: ("ยังไม่ได้ลงชื่อเข้าใช้", "not signed in"),
}
ALIASES = {
    "agency_hr": HR,
    "agency-hr": HR,
    "agency_executive": EXECUTIVE,
    "agency-executive": EXECUTIVE,
    "exec": EXECUTIVE,
    "national_admin": ADMIN,
    "national-admin": ADMIN,
}
# What each role may do. "rows" (row-level data, exact figures), "upload", "campaigns" and "targets" hold only
# for the agencies in `row_level`; "figures", "sql" and "audit" for the agencies in `agencies`.
CAN = {
    STAFF: frozenset({"assess"}),
    HR: frozenset({"assess", "figures", "sql", "rows", "upload", "campaigns", "targets", "audit"}),
    EXECUTIVE: frozenset({"assess", "figures", "sql"}),
    ANALYST: frozenset({"assess", "figures", "sql", "rows"}),
    ADMIN: frozenset({"assess", "figures", "sql", "rows", "audit", "upload", "campaigns", "targets"}),
    GUEST: frozenset(),
}
ROW_ACTIONS = frozenset({"rows", "upload", "campaigns", "targets"})
# Claims read by default (the mapping file's [claims] table changes them).
CLAIMS = {
    "role": "skills_role",
    "agencies": "skills_agencies",
    "row_level": "skills_row_level",
    "respondent_id": "email",
    "name": "email",
    "groups": "groups",
}


class IdentityError(BilingualError):
    """A signed-in identity the app cannot use (no role, an unknown role, a bad mapping file)."""


class ScopeError(BilingualError):
    """An action on an agency outside the signed-in person's scope."""


def _agency(value) -> str:
    """An agency as the views key it (framework.store.keys: trimmed; canonical as every write path stores it)."""
    return names.name(str(value)) or ""


def _agencies(value) -> tuple[str, ...]:
    """A claim or mapping value as agencies: a list, or one text with commas; "*" = every agency."""
    if value in (None, "", False):
        return ()
    if value is True:
        return (ALL,)
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    out = tuple(dict.fromkeys(a for a in (_agency(v) for v in items) if a))
    return (ALL,) if ALL in out else out


@dataclass(frozen=True)
class Principal:
    """One signed-in person: role, agencies seen (("*",) = all), agencies with row-level access, the respondent
    id taken from the identity (staff), and the name the audit log writes (email or sub)."""

    role: str
    agencies: tuple[str, ...] = ()
    row_level: tuple[str, ...] = ()
    respondent_id: str | None = None
    name: str = "?"

    def __post_init__(self):
        if self.role not in CAN:
            raise IdentityError(f"ไม่รู้จักบทบาท {self.role!r}", f"Unknown role {self.role!r}")
        object.__setattr__(self, "agencies", _agencies(self.agencies))
        rows = _agencies(self.row_level)
        if self.role == HR:  # agency HR: row-level data of their own agencies, always
            rows = self.agencies
        if ALL not in self.agencies and ALL not in rows:  # never rows of an agency the person does not see
            rows = tuple(a for a in rows if a in self.agencies)
        object.__setattr__(self, "row_level", rows if CAN[self.role] & ROW_ACTIONS else ())

    @property
    def every_agency(self) -> bool:
        return ALL in self.agencies

    def sees(self, agency) -> bool:
        """Are `agency`'s figures in this person's scope?"""
        return self.every_agency or _agency(agency) in self.agencies

    def rows(self, agency) -> bool:
        """May this person read `agency`'s row-level data?"""
        return ALL in self.row_level or _agency(agency) in self.row_level

    def can(self, action: str, agency=None) -> bool:
        """May this person do `action` (on `agency`, when given)?"""
        if action not in CAN[self.role]:
            return False
        if agency is None:
            return True
        return self.rows(agency) if action in ROW_ACTIONS else self.sees(agency)

    def who(self) -> str:
        """The audit log's "who": the identity and the role (never a token)."""
        return f"{self.name} ({ROLE_NAMES[self.role][1]})"

    def role_text(self, lang: str) -> str:
        th, en = ROLE_NAMES[self.role]
        return en if lang == "en" else th


# --- whether a provider is in use: set by ui.shell from the app's secrets ([auth]); read by framework.access
_PROVIDER = {"on": False}


def use_provider(on: bool) -> None:
    """Say whether sign-in through an identity provider is configured (ui.shell, from st.secrets' [auth])."""
    _PROVIDER["on"] = bool(on)


def provider() -> bool:
    """Is sign-in through an identity provider configured? Then there is no local single-user mode."""
    return _PROVIDER["on"]


# --- the mapping file and the claims -------------------------------------------------------------------------
def load_mapping(path: Path | str | None = None) -> dict:
    """The mapping file (TOML) named by SKILLS_ROLES_FILE, or {} when none is set; IdentityError when unreadable."""
    path = path or settings.get(ROLES_ENV)
    if not path:
        return {}
    try:
        with Path(path).open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise IdentityError(
            f"อ่านไฟล์กำหนดบทบาท {path} ไม่ได้ ({type(exc).__name__}) — ตรวจไฟล์หรือค่า {ROLES_ENV}",
            f"Cannot read the roles file {path} ({type(exc).__name__}) — check the file or {ROLES_ENV}",
        ) from None


def _entry(claims: Mapping, mapping: Mapping, claim_names: Mapping) -> Mapping | None:
    """The mapping file's entry for this identity: [people."<email or sub>"], else the first [groups."<g>"]
    among the identity's groups claim."""
    people = {str(k).casefold(): v for k, v in (mapping.get("people") or {}).items()}
    for key in ("email", "sub"):
        value = claims.get(key)
        if value and str(value).casefold() in people:
            return people[str(value).casefold()]
    groups = mapping.get("groups") or {}
    given = claims.get(claim_names["groups"]) or ()
    given = [given] if isinstance(given, str) else list(given)
    for g in given:
        if str(g) in groups:
            return groups[str(g)]
    return None


def _role(value) -> str:
    text = str(value or "").strip().lower().replace(" ", "_")
    return ALIASES.get(text, text)


def principal(claims: Mapping, mapping: Mapping | None = None) -> Principal:
    """The Principal of a signed-in identity: its mapping-file entry, else its role/agency claims, else the
    file's `default_role` (staff unless the file says otherwise; "" refuses). IdentityError when no role."""
    mapping = mapping or {}
    claim_names = {**CLAIMS, **(mapping.get("claims") or {})}
    entry = _entry(claims, mapping, claim_names)
    source = entry if entry is not None else {k: claims.get(claim_names[k]) for k in ("role", "agencies", "row_level")}
    role = _role(source.get("role") or mapping.get("default_role", STAFF))
    shown = str(claims.get(claim_names["name"]) or claims.get("email") or claims.get("sub") or "?")
    if not role:
        raise IdentityError(
            f"บัญชี {shown} ยังไม่มีบทบาทในแอปนี้ — ขอให้ผู้ดูแลเพิ่มในไฟล์กำหนดบทบาท ({ROLES_ENV})",
            f"The account {shown} has no role in this app yet — ask the administrator to add it to the roles "
            f"file ({ROLES_ENV})",
        )
    if role not in ROLES:
        raise IdentityError(
            f"บทบาท {role!r} ของบัญชี {shown} ไม่รู้จัก — ใช้ {', '.join(ROLES)}",
            f"The role {role!r} of the account {shown} is unknown — use one of {', '.join(ROLES)}",
        )
    rid = claims.get(claim_names["respondent_id"]) or claims.get("sub")
    try:
        rid = names.respondent_id(str(rid)) if rid else None
    except names.IdError:
        rid = None
    agencies = source.get("agencies")
    if role in (ANALYST, ADMIN) and not agencies:
        agencies = ALL  # analyst and national admin: every agency
    return Principal(role, _agencies(agencies), _agencies(source.get("row_level")), rid, shown)


# --- the scope: what the views, exports, analyst SQL, IDP, uploads and campaigns may touch -------------------
def analysis_scope(p: Principal | None) -> tuple[str, ...] | None:
    """The agencies a survey view may read (Filters.scope): None = every agency (no provider, or all agencies);
    () = none (staff)."""
    if p is None:
        return None
    if not p.can("figures"):
        return ()
    return None if p.every_agency else p.agencies


def row_scope(p: Principal | None) -> tuple[str, ...] | None:
    """The agencies whose row-level data may be read (IDP, row-level SQL): None = every one; () = none."""
    if p is None:
        return None
    if not p.can("rows"):
        return ()
    return None if ALL in p.row_level else p.row_level


def exact(p: Principal | None, agencies: Iterable[str]) -> bool:
    """Exact figures (Filters.authorised) for a view over `agencies` (empty: the whole scope): only when this
    person may read the row-level data of every one of them."""
    if p is None or not p.can("rows"):
        return False
    chosen = list(agencies) or ([ALL] if p.every_agency else list(p.agencies))
    return bool(chosen) and all(p.rows(a) if a != ALL else ALL in p.row_level for a in chosen)


def within(scope: tuple[str, ...] | None, agency) -> bool:
    """Is `agency` inside `scope` (None = every agency)? A blank agency is keyed "—" (framework.store.keys)."""
    if scope is None:
        return True
    text = agency if isinstance(agency, str) else ""
    return (_agency(text) or NONE_KEY) in scope


def keep(scope: tuple[str, ...] | None, agencies: Iterable) -> list:
    """The agencies of `agencies` inside `scope`, in their order."""
    return [a for a in agencies if within(scope, a)]


# The row-level tables within $scope (bound; NULL = every agency), keyed as the views key agencies.
ROWS_SQL = {
    "responses": "SELECT r.* FROM store.responses r JOIN store.batches b USING (batch_id) "
    f"WHERE $scope::VARCHAR[] IS NULL OR list_contains($scope::VARCHAR[], {AGENCY_KEY})",
    "batches": "SELECT * FROM store.batches "
    f"WHERE $scope::VARCHAR[] IS NULL OR list_contains($scope::VARCHAR[], {name_key('agency')})",
}


def row_tables(con, scope: tuple[str, ...] | None) -> dict:
    """The analyst database's row-level tables as Arrow: `batches` within `scope`; with a scope also a copy of
    its `responses` (without one they are read in place from the whole store's snapshot)."""
    within = {"scope": None if scope is None else list(scope)}  # bound, never spliced
    names_ = ("batches",) if scope is None else ("batches", "responses")
    return {name: db.arrow(con, ROWS_SQL[name], within) for name in names_}


def check(p: Principal | None, action: str, agency=None) -> None:
    """THE test of an action on an agency: nothing when allowed (or no provider: today's rules apply), else
    ScopeError in Thai and English."""
    if p is None or p.can(action, agency):
        return
    shown = agency if agency not in (None, "") else "—"
    raise ScopeError(
        f"บัญชีนี้ ({p.who()}) ไม่มีสิทธิ์{ACTIONS[action][0]}ของหน่วยงาน {shown} — เลือกหน่วยงานของคุณ หรือขอสิทธิ์จากผู้ดูแล",
        f"This account ({p.who()}) may not {ACTIONS[action][1]} of the agency {shown} — choose one of your "
        "agencies, or ask the administrator for access",
    )


ACTIONS = {
    "assess": ("ส่งแบบประเมินตนเอง", "submit the self-assessment"),
    "figures": ("ดูตัวเลข", "see the figures"),
    "sql": ("ใช้ SQL สำหรับนักวิเคราะห์", "use the analyst SQL"),
    "rows": ("ดูข้อมูลรายบุคคล", "read the row-level data"),
    "upload": ("นำเข้าหรือลบแบบสำรวจ", "upload or delete the survey"),
    "campaigns": ("จัดการแบบประเมินตนเอง", "manage the self-assessment campaigns"),
    "targets": ("กำหนดระดับเป้าหมาย", "set the target levels"),
    "audit": ("ดูบันทึกการใช้งาน", "read the audit log"),
}
