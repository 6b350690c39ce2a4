"""Campaigns: an agency's survey round opened for self-assessment through a link `/assess?c=CODE`.

A campaign is a row of `store.campaigns` (created here, idempotently, in the survey store): a short random
code, the agency, its stage and the round date the answers belong to, an optional list of org units, an
optional closing date (the last day answers are taken) and an optional pattern the respondent id must match.
Nothing here reads user text into SQL: every value is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import threading
from dataclasses import dataclass, field

import pandas as pd
import re2

from framework import access, db, names
from framework.catalog import STAGES, Catalog
from framework.errors import BilingualError
from framework.store import campaign_batch, releases
from framework.store.keys import AGENCY_KEY
from framework.store.rounds import round_date_problem

CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # URL-safe; no 0/o, 1/l to misread from a projector
CODE_LENGTH = 8
CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
MAX_TEXT = 200  # agency, org unit: characters
MAX_PATTERN = 200  # respondent-id pattern: characters
MAX_ID = 100  # respondent id: characters (an id is never matched beyond this)
RE2_MAX_MEM = 1 << 20  # bytes RE2 may use for one compiled pattern
MAX_ORG_UNITS = 500

DDL = (
    """CREATE TABLE IF NOT EXISTS store.campaigns (
        code        VARCHAR PRIMARY KEY,
        agency      VARCHAR NOT NULL,
        stage       VARCHAR NOT NULL,
        round_date  DATE NOT NULL,
        org_units   VARCHAR[],
        closes      DATE,
        id_pattern  VARCHAR,
        opened_at   TIMESTAMP NOT NULL,
        closed_at   TIMESTAMP,
        links_only  BOOLEAN DEFAULT FALSE
    )""",
    """CREATE TABLE IF NOT EXISTS store.campaign_drafts (
        code          VARCHAR NOT NULL,
        token         VARCHAR NOT NULL,
        respondent_id VARCHAR,
        answers       VARCHAR NOT NULL,
        updated_at    TIMESTAMP NOT NULL,
        PRIMARY KEY (code, token)
    )""",
)


WRITE_LOCK = threading.Lock()  # the campaign tables' small writes of this process (drafts saved now, result links)

ADD_LINKS_ONLY = "ALTER TABLE store.campaigns ADD COLUMN IF NOT EXISTS links_only BOOLEAN DEFAULT FALSE"


class CampaignError(BilingualError):
    """A bad campaign setting, or a code that is unknown or closed (Thai and English, what and how to fix)."""


@dataclass(frozen=True)
class Campaign:
    code: str
    agency: str
    stage: str
    round_date: dt.date
    org_units: tuple[str, ...] = ()
    closes: dt.date | None = None
    id_pattern: str | None = None
    opened_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    links_only: bool = False  # personal links only (framework/campaign/links.py): the open link refused
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def url_path(self) -> str:
        return f"/assess?c={self.code}"

    def is_open(self, today: dt.date | None = None) -> bool:
        """Taking answers: not closed by HR and the closing date (inclusive) not past."""
        today = today or dt.date.today()
        return self.closed_at is None and (self.closes is None or today <= self.closes)

    def status(self, today: dt.date | None = None) -> str:
        if self.closed_at is not None:
            return "closed"
        return "open" if self.is_open(today) else "expired"

    def id_ok(self, respondent_id: str) -> bool:
        """Does the id match the pattern (whole id)? RE2: linear time, whatever the pattern or the id."""
        if not self.id_pattern:
            return True
        if len(respondent_id) > MAX_ID:
            return False
        return compiled_pattern(self.id_pattern).fullmatch(respondent_id) is not None

    def to_json(self, today: dt.date | None = None) -> dict:
        return {
            "code": self.code,
            "url_path": self.url_path,
            "agency": self.agency,
            "stage": self.stage,
            "round": self.round_date.isoformat(),
            "org_units": list(self.org_units),
            "closes": self.closes.isoformat() if self.closes else None,
            "id_pattern": self.id_pattern,
            "status": self.status(today),
            "opened_at": self.opened_at.isoformat(timespec="seconds") if self.opened_at else None,
            "closed_at": self.closed_at.isoformat(timespec="seconds") if self.closed_at else None,
            "access": "personal links only" if self.links_only else "open link (trusts typed ids)",
        }


def ensure_tables(con) -> None:
    """Create the campaign tables in the attached survey store if absent (idempotent)."""
    with db.transaction(con) as cur:
        for ddl in DDL:
            cur.execute(ddl)
        cur.execute(ADD_LINKS_ONLY)  # a campaigns table of a store before schema 7


def has_tables(con) -> bool:
    return bool(
        db.scalar(
            con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' AND table_name = 'campaigns'"
        )
    )


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _date(value, what_th: str, what_en: str) -> dt.date | None:
    """A date from a date, a datetime or ISO text (YYYY-MM-DD); None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CampaignError(
            f"{what_th} \"{value}\" ไม่ถูกต้อง — ใช้รูปแบบ ปปปป-ดด-วว (ค.ศ.) เช่น 2025-06-30",
            f"{what_en} \"{value}\" is not valid - use YYYY-MM-DD, e.g. 2025-06-30",
        ) from None


def _text(value, what_th: str, what_en: str, required: bool = False) -> str | None:
    text = names.name(str(value or ""))  # the one rule of names (framework/names.py)
    if required and not text:
        raise CampaignError(f"ต้องระบุ{what_th}", f"The {what_en} is required")
    if len(text) > MAX_TEXT:
        raise CampaignError(f"{what_th}ยาวเกิน {MAX_TEXT} ตัวอักษร", f"The {what_en} is longer than {MAX_TEXT} characters")
    return text or None


# Constructs RE2 refuses (most need backtracking, which is what can freeze a server), in words:
# (what RE2's message says, Thai, English).
_UNSUPPORTED = (
    (r"\(\?[=!]", "การมองไปข้างหน้า (lookahead: (?= หรือ (?!)", "lookahead ((?= or (?!)"),
    (r"\(\?<[=!]", "การมองย้อนหลัง (lookbehind: (?<= หรือ (?<!)", "lookbehind ((?<= or (?<!)"),
    (r"\(\?>", "กลุ่มแบบ atomic (?>", "an atomic group (?>"),
    (r"\(\?P$", "การอ้างกลุ่มเดิมด้วยชื่อ (backreference: (?P=name))", "a named backreference (?P=name)"),
    (r"escape sequence: \\[1-9]", "การอ้างกลุ่มเดิม (backreference) เช่น \\1", "a backreference such as \\1"),
    (r"repetition operator", "การซ้ำแบบ possessive (++ หรือ *+)", "a possessive repetition (++ or *+)"),
    (r"repetition size", "จำนวนซ้ำเกิน 1000", "a repetition count over 1000"),
)


def _re2_options() -> re2.Options:
    opts = re2.Options()
    opts.log_errors = False
    opts.max_mem = RE2_MAX_MEM
    return opts


@functools.lru_cache(maxsize=256)
def compiled_pattern(pattern: str):
    """The pattern compiled by RE2 (linear-time matching: no input can make it backtrack), or CampaignError
    naming the construct RE2 does not support."""
    try:
        return re2.compile(pattern, _re2_options())
    except re2.error as exc:
        raw = exc.args[0] if exc.args else exc
        reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        th, en = "", ""
        for marker, what_th, what_en in _UNSUPPORTED:
            if re.search(marker, reason):
                th, en = f" ไม่รองรับ{what_th}", f" {what_en} is not supported"
                break
        raise CampaignError(
            f"รูปแบบรหัสผู้ตอบ \"{pattern}\" ใช้ไม่ได้ ({reason}){th} — รูปแบบต้องตรวจได้ในเวลาเชิงเส้น (RE2) "
            r"ตัวอย่าง: \d{7} (เลขเจ็ดหลัก) หรือ [a-z.]+@agency\.go\.th",
            f"The respondent-id pattern \"{pattern}\" cannot be used ({reason});{en or ' not valid'} - patterns "
            r"must match in linear time (RE2), e.g. \d{7} (seven digits) or [a-z.]+@agency\.go\.th",
        ) from None


def check_pattern(pattern: str | None) -> str | None:
    """The respondent-id pattern (a regular expression in RE2 syntax matched against the whole id), or None.

    RE2 matches in time linear in the id, so no pattern HR types and no id a respondent types can freeze the
    server; constructs that need backtracking (lookaround, backreferences) are refused here, at opening.
    """
    if pattern is None or not str(pattern).strip():
        return None
    pattern = str(pattern).strip()
    if len(pattern) > MAX_PATTERN:
        raise CampaignError(
            f"รูปแบบรหัสผู้ตอบยาวเกิน {MAX_PATTERN} ตัวอักษร",
            f"The respondent-id pattern is longer than {MAX_PATTERN} characters",
        )
    compiled_pattern(pattern)
    return pattern


def open_campaign(
    con,
    catalog: Catalog,
    *,
    agency: str,
    stage: str,
    round_date,
    closes=None,
    org_units: list[str] | tuple[str, ...] | None = None,
    id_pattern: str | None = None,
    links_only: bool = False,
    today: dt.date | None = None,
) -> Campaign:
    """Open a campaign (a new random code); CampaignError for a bad setting, nothing stored then."""
    agency = _text(agency, "หน่วยงาน", "agency", required=True)
    key = stage if stage in STAGES else catalog.resolve_stage(str(stage or ""))
    if key is None:
        raise CampaignError(
            f"ไม่รู้จักระยะของหน่วยงาน \"{stage}\" — ใช้ Early, Developing หรือ Mature (ระยะเริ่มแรก, ระยะกำลังพัฒนา, ระยะสมบูรณ์)",
            f"Unknown agency stage \"{stage}\" - use Early, Developing or Mature",
        )
    round_d = _date(round_date, "วันที่รอบสำรวจ", "Round date")
    if round_d is None:
        raise CampaignError("ต้องระบุวันที่รอบสำรวจ (ปปปป-ดด-วว)", "The round date is required (YYYY-MM-DD)")
    if problem := round_date_problem(round_d, today):  # the upload rule: its answers are ingested later
        raise CampaignError(*problem)
    closes_d = _date(closes, "วันปิดรับคำตอบ", "Closing date")
    if closes_d is not None and closes_d < (today or dt.date.today()):
        raise CampaignError(
            f"วันปิดรับคำตอบ {closes_d} ผ่านไปแล้ว — ใช้วันนี้หรือวันหลังจากนี้",
            f"The closing date {closes_d} is in the past - use today or a later date",
        )
    units = []
    for u in org_units or ():
        t = _text(u, "ชื่อหน่วยงานย่อย", "org-unit name")
        if t and t not in units:
            units.append(t)
    if len(units) > MAX_ORG_UNITS:
        raise CampaignError(f"หน่วยงานย่อยเกิน {MAX_ORG_UNITS} รายการ", f"More than {MAX_ORG_UNITS} org units")
    pattern = check_pattern(id_pattern)
    ensure_tables(con)
    for _ in range(5):  # a clash of two random codes is unlikely; try again rather than fail
        code = new_code()
        with db.transaction(con) as cur:
            if cur.execute("SELECT count(*) FROM store.campaigns WHERE code = ?", [code]).fetchone()[0]:
                continue
            cur.execute(
                "INSERT INTO store.campaigns (code, agency, stage, round_date, org_units, closes, id_pattern, "
                "opened_at, closed_at, links_only) VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, NULL, ?)",
                [code, agency, key, round_d, units or None, closes_d, pattern, bool(links_only)],
            )
        return get(con, code)
    raise CampaignError("สร้างรหัสแบบสำรวจไม่สำเร็จ ลองอีกครั้ง", "Could not make a campaign code; try again")


def _row(r) -> Campaign:
    def ts(v):
        return None if v is None or v is pd.NaT or pd.isna(v) else pd.Timestamp(v).to_pydatetime()

    def day(v):
        return None if v is None or pd.isna(v) else pd.Timestamp(v).date()

    units = r["org_units"]
    return Campaign(
        code=r["code"],
        agency=r["agency"],
        stage=r["stage"],
        round_date=day(r["round_date"]),
        org_units=tuple(str(u) for u in units) if hasattr(units, "__iter__") and not isinstance(units, str) else (),
        closes=day(r["closes"]),
        id_pattern=r["id_pattern"] if isinstance(r["id_pattern"], str) else None,
        opened_at=ts(r["opened_at"]),
        closed_at=ts(r["closed_at"]),
        links_only=bool(r.get("links_only")) if pd.notna(r.get("links_only")) else False,
    )


def list_campaigns(con) -> list[Campaign]:
    """Every campaign, newest first."""
    ensure_tables(con)
    df = db.query(con, "SELECT * FROM store.campaigns ORDER BY opened_at DESC, code")
    return [_row(r) for _, r in df.iterrows()]


def get(con, code: str | None) -> Campaign | None:
    """The campaign with this code, or None (a malformed code is never looked up)."""
    code = (code or "").strip().lower()
    if not CODE_RE.match(code) or not db.has_store(con):
        return None
    if not has_tables(con):  # no campaign was ever opened in this store
        return None
    df = db.query(con, "SELECT * FROM store.campaigns WHERE code = $code", {"code": code})
    return None if df.empty else _row(df.iloc[0])


def unknown_code(code: str | None) -> CampaignError:
    shown = (code or "").strip()[:20]
    return CampaignError(
        f"ไม่พบแบบประเมินรหัส \"{shown}\" — ตรวจลิงก์หรือรหัสอีกครั้ง หรือขอลิงก์ใหม่จากฝ่ายบุคคล (HR)",
        f"There is no self-assessment with code \"{shown}\" - check the link or code, or ask HR for a new link.",
    )


def closed_code(c: Campaign) -> CampaignError:
    when = f" ({c.closes.isoformat()})" if c.closes and c.closed_at is None else ""
    return CampaignError(
        f"แบบประเมินรหัส \"{c.code}\" ของ {c.agency} ปิดรับคำตอบแล้ว{when} — ติดต่อฝ่ายบุคคล (HR) หากยังต้องการส่งคำตอบ",
        f"The self-assessment \"{c.code}\" of {c.agency} is closed{when} - contact HR if you still need to answer.",
    )


# Unknown codes are guesses: per client (device address, else browser session) a growing delay after 5 within
# 15 minutes, logged like wrong passphrases; over all clients only after many (a room mistyping is not locked out).
CODE_THROTTLE = access.Throttle(free=5, global_free=1000, base=1.0, cap=300.0, what="campaign code", shared=True)


class CodeThrottled(CampaignError):
    """Too many unknown codes from this client: `wait` seconds before a code is looked up again."""

    def __init__(self, wait: float):
        secs = max(1, int(wait + 0.999))
        super().__init__(
            f"ลองรหัสแบบประเมินที่ไม่มีอยู่หลายครั้งเกินไป — รอ {secs} วินาที แล้วตรวจลิงก์จากฝ่ายบุคคล (HR) อีกครั้ง",
            f"Too many unknown self-assessment codes - wait {secs} s, then check the link HR sent.",
        )
        self.wait = wait


def require_open(
    con,
    code: str | None,
    today: dt.date | None = None,
    *,
    client: str | None = None,
    throttle: access.Throttle | None = None,
) -> Campaign:
    """The open campaign with this code, or CampaignError saying plainly it is unknown or closed.

    With `client` (the page passes the device's address), unknown codes go through CODE_THROTTLE: while a
    wait runs no code is looked up (CodeThrottled), and each unknown code counts and is logged.
    """
    throttle = throttle or CODE_THROTTLE
    if client is not None:
        wait = throttle.wait(client)
        if wait > 0:
            raise CodeThrottled(wait)
    c = get(con, code)
    if c is None:
        if client is not None and (code or "").strip():
            throttle.failed(client, "assess")
        raise unknown_code(code)
    if not c.is_open(today):
        raise closed_code(c)
    return c


def close(con, code: str) -> Campaign | None:
    """Close a campaign (no more answers; its drafts deleted); None for an unknown code. Idempotent."""
    c = get(con, code)
    if c is None:
        return None
    with db.transaction(con) as cur:
        cur.execute(
            "UPDATE store.campaigns SET closed_at = coalesce(closed_at, now()::TIMESTAMP) WHERE code = ?", [c.code]
        )
        cur.execute("DELETE FROM store.campaign_drafts WHERE code = ?", [c.code])
    return get(con, c.code)


def set_links_only(con, code: str, links_only: bool) -> Campaign | None:
    """Personal links only (True: the open link refused) or the open link that trusts typed ids (False)."""
    c = get(con, code)
    if c is None:
        return None
    ensure_tables(con)
    db.execute(
        con, "UPDATE store.campaigns SET links_only = $v WHERE code = $code", {"v": bool(links_only), "code": c.code}
    )
    return get(con, c.code)


def file_name(code: str) -> str:
    """The file name of the campaign's batch (store/campaign_batch.py)."""
    return campaign_batch.file_name(code)


def batch_ids(con, c: Campaign) -> list[str]:
    """The live batches holding this campaign's answers: its one batch (and, after an upgrade, a one-person
    batch of an older version that was in the trash and restored since), those holding somebody."""
    df = db.query(
        con,
        "SELECT b.batch_id FROM store.batches b WHERE (b.content_hash = $key OR b.file_name = $name) "
        "AND EXISTS (SELECT 1 FROM store.responses r WHERE r.batch_id = b.batch_id) "
        "ORDER BY b.uploaded_at",
        {"key": campaign_batch.source_key(c.code), "name": file_name(c.code)},
    )
    return df["batch_id"].tolist()


def release_status(con, c: Campaign) -> dict:
    """How many of this campaign's answers the figures without the passphrase hold so far (`released`: its
    cells are released in steps of k changed people, store/releases.py) and how many are stored (`live`)."""
    return releases.status(con, batch_ids(con, c))


def submissions(con, c: Campaign) -> dict:
    """How many people answered through this campaign (stored now), when the last submission was stored, and
    how many people the agency's round holds in all (uploads included)."""
    ids = batch_ids(con, c)
    row = db.query(
        con,
        f"""
        SELECT count(*) FILTER (WHERE list_contains($ids::VARCHAR[], r.batch_id)) AS people,
               count(*) AS round_people
        FROM store.responses r JOIN store.batches b USING (batch_id)
        WHERE b.round_date = $round AND {AGENCY_KEY} = $agency""",
        {"ids": ids, "round": c.round_date, "agency": c.agency},
    ).iloc[0]
    last = db.scalar(
        con,
        "SELECT greatest((SELECT max(submitted_at) FROM store.campaign_submissions WHERE code = $code), "
        "(SELECT max(uploaded_at) FROM store.batches WHERE list_contains($ids::VARCHAR[], batch_id) "
        "AND content_hash <> $key))",
        {"code": c.code, "ids": ids, "key": campaign_batch.source_key(c.code)},
    )
    return {
        "people": int(row["people"]),
        "round_people": int(row["round_people"]),
        "last_at": None if last is None or pd.isna(last) else pd.Timestamp(last).to_pydatetime(),
    }


def stored_at(con, c: Campaign) -> pd.DataFrame:
    """When each live answer of this campaign's batch was stored (or last replaced) in it: respondent_id,
    seq (the order of storing), submitted_at; oldest first. What "releases" of an open campaign step on."""
    return db.query(
        con,
        """
        SELECT s.respondent_id, max(s.seq) AS seq, arg_max(s.submitted_at, s.seq) AS submitted_at
        FROM store.campaign_submissions s JOIN store.batches b ON b.batch_id = s.batch_id AND b.content_hash = $key
        WHERE EXISTS (SELECT 1 FROM store.responses r WHERE r.batch_id = s.batch_id
                      AND r.respondent_id = s.respondent_id)
        GROUP BY s.respondent_id ORDER BY seq""",
        {"key": campaign_batch.source_key(c.code)},
    )
