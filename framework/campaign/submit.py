"""A respondent's answers to a campaign: server-side checks, the rate limits, drafts, and the store write.

A submission is one row in the upload format, stored with whatever else is being submitted in this process
(framework/campaign/commit.py: group commit, `SurveyStore.append_group`): the uploads' row validation, then
the person's row goes into the campaign's ONE batch (created by the first submission), replacing their
earlier answers in the round (a second submission with the same id replaces the first; an HR upload's row of
the same person too; the earlier answers are kept as superseded). Every submission's raw row is kept in
store.campaign_submissions (store/campaign_batch.py). While HR has the campaign's batch in the trash,
submissions are refused. Writes of a store are serialised by its write lock (DuckDB would otherwise refuse
concurrent updates of the same store rows). Drafts: framework/campaign/drafts.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
import threading
import time
import weakref
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from framework import audit, db, names, settings
from framework.campaign import commit, drafts, links, results
from framework.campaign.model import (
    MAX_ID,
    WRITE_LOCK,
    Campaign,
    CampaignError,
    closed_code,
    ensure_tables,
    has_tables,
)
from framework.catalog import STAFF_GROUPS, Catalog
from framework.pgstore import limits as pg_limits
from framework.storage import StoreWriteError
from framework.store import BatchInTrash, IngestResult
from framework.store.campaign_group import Entry

NOT_ASSESSED = "na"  # an answer that says "I do not assess this unit" (stored blank, as in uploads)
HEADER = ["respondent_id", "group", "agency", "unit", "position"]
DRAFT_DAYS = drafts.DRAFT_DAYS
_LIMIT_LOCK = threading.Lock()


class SubmitError(CampaignError):
    """The answers cannot be stored as they are (what is wrong and how to fix it); nothing was stored."""


class RateLimited(CampaignError):
    """Too many submissions for this code, this person or this device in the last minute; `wait` seconds to go."""

    def __init__(self, th: str, en: str, wait: float):
        super().__init__(th, en)
        self.wait = wait


class RateLimiter:
    """At most `limit` events per `window` seconds per key (sliding window); `clock` injectable for tests."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """0 when one more event is allowed now, else the seconds until it is (nothing recorded)."""
        with self._lock:
            return self._wait(key, self.clock())

    def _wait(self, key: str, now: float) -> float:
        q = self._events[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return 0.0 if len(q) < self.limit else q[0] + self.window - now

    def hit(self, key: str) -> float:
        """Record one event if allowed (returns 0), else return the seconds to wait (nothing recorded)."""
        with self._lock:
            now = self.clock()
            wait = self._wait(key, now)
            if not wait:
                self._events[key].append(now)
            return wait

    def reset(self) -> None:
        with self._lock:
            self._events.clear()


@dataclass
class Limits:
    """The submission limits, keyed on what a new browser session does not change: per campaign code, per
    person (code + respondent id) and per client (the device's address as the page sees it; the browser session
    only when no address is known). `shared` (the process's LIMITS): on a PostgreSQL store the counts are kept
    in PostgreSQL (framework/pgstore/limits.py), so every app process on the store counts against one limit;
    otherwise, and on a store file, in this process."""

    per_code: RateLimiter = field(default_factory=lambda: RateLimiter(settings.get("SKILLS_CAMPAIGN_RATE")))
    per_person: RateLimiter = field(default_factory=lambda: RateLimiter(5))
    per_client: RateLimiter = field(default_factory=lambda: RateLimiter(settings.get("SKILLS_CAMPAIGN_CLIENT_RATE")))
    shared: bool = False

    def check(self, code: str, client: str | None, person: str | None = None, con=None) -> None:
        """Count one submission, or raise RateLimited (nothing counted) when a limit is reached; `con`: the
        connection of the store written (a PostgreSQL store's shared counts when `shared`)."""
        person_key = f"{code}\x1f{person.casefold()}" if person else None  # no NUL: PostgreSQL text refuses it
        events = pg_limits.of_store(con) if self.shared and con is not None else None
        with _LIMIT_LOCK:
            if events is not None:
                checks = [("campaign code", code, self.per_code)]
                checks += [("campaign person", person_key, self.per_person)] if person_key else []
                checks += [("campaign client", client, self.per_client)] if client else []
                wait = events.rate([(kind, key, r.limit, r.window) for kind, key, r in checks])
                if wait is None:  # the server cannot be reached: counted in this process (the write will say why)
                    events = None
            if events is None:
                wait = (
                    self.per_code.wait(code)
                    or (self.per_person.wait(person_key) if person_key else 0.0)
                    or (self.per_client.wait(client) if client else 0.0)
                )
            if wait:
                secs = max(1, int(wait + 0.999))
                raise RateLimited(
                    f"มีการส่งคำตอบจำนวนมากในขณะนี้ — รอประมาณ {secs} วินาทีแล้วกดส่งอีกครั้ง คำตอบของคุณยังอยู่ในแบบฟอร์ม",
                    f"Too many submissions just now - wait about {secs} seconds and submit again. "
                    "Your answers are still in the form.",
                    wait,
                )
            if events is not None:
                return  # counted in PostgreSQL
            self.per_code.hit(code)
            if person_key:
                self.per_person.hit(person_key)
            if client:
                self.per_client.hit(client)

    def reset(self) -> None:
        self.per_code.reset()
        self.per_person.reset()
        self.per_client.reset()


LIMITS = Limits(shared=True)


@dataclass
class Submitted:
    """What one submission did: the stored batch, whether it replaced earlier answers, the store's result."""

    batch_id: str
    respondent_id: str
    replaced: bool
    result: IngestResult
    seconds: float
    result_token: str | None = None  # the result link's token, when one was asked for (submit(result_link=True))


# The framework tables of a connection never change (loaded when it opened): what every submission asks of them
# is read once per connection.
_FRAMEWORK: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FRAMEWORK_LOCK = threading.Lock()


def _memo(catalog: Catalog, key: tuple, compute):
    with _FRAMEWORK_LOCK:
        known = _FRAMEWORK.setdefault(catalog.con, {})
        if key in known:
            return known[key]
    value = compute()
    with _FRAMEWORK_LOCK:
        return known.setdefault(key, value)


def unit_codes(catalog: Catalog) -> list[str]:
    """The catalogue's unit codes in framework order (read once per connection)."""
    return list(_memo(catalog, ("codes",), catalog.unit_codes))


def required_units(catalog: Catalog, stage: str, staff_group: str) -> list[str]:
    """The units the role profile (stage, staff group) requires (read once per connection)."""
    return list(
        _memo(catalog, ("req", stage, staff_group), lambda: tuple(catalog.profile_units(stage, staff_group)["code"]))
    )


def clean_id(text: str | None) -> str:
    """The respondent id as stored: framework.names.respondent_id (NFKC, every script's digits as ASCII,
    spaces collapsed); names.IdError for a control or format character."""
    return names.respondent_id(str(text or ""))


def check(
    c: Campaign,
    catalog: Catalog,
    respondent_id: str,
    staff_group: str | None,
    org_unit: str | None,
    answers: dict,
    required: list[str] | None = None,
    today: dt.date | None = None,
) -> dict[str, int | None]:
    """Server-side checks of a submission; the levels per unit code (None = not assessed) or SubmitError."""
    if not c.is_open(today):
        raise closed_code(c)
    raw = str(respondent_id or "")
    try:
        rid = clean_id(raw[: 4 * MAX_ID])  # never normalise (or match) more than a bounded id
    except names.IdError as exc:  # the upload's rule: a control or format character is refused
        raise SubmitError(exc.th, exc.en[:1].upper() + exc.en[1:] + ".") from None
    if not rid:
        raise SubmitError("ต้องระบุรหัสผู้ตอบ", "The respondent id is required.")
    if len(raw) > 4 * MAX_ID or len(rid) > MAX_ID:
        raise SubmitError(
            f"รหัสผู้ตอบต้องยาวไม่เกิน {MAX_ID} ตัวอักษร", f"The respondent id must be at most {MAX_ID} characters."
        )
    if not c.id_ok(rid):
        raise SubmitError(
            f"รหัสผู้ตอบ \"{rid}\" ไม่ตรงกับรูปแบบที่ฝ่ายบุคคลกำหนด ({c.id_pattern}) — ตรวจรหัสอีกครั้ง",
            f"The respondent id \"{rid}\" does not match the format HR set ({c.id_pattern}) - check it.",
        )
    if staff_group not in STAFF_GROUPS:
        raise SubmitError("เลือกกลุ่มบุคลากรของคุณ", "Choose your staff group.")
    org_unit = names.name(org_unit)
    if org_unit and c.org_units and org_unit not in c.org_units:
        raise SubmitError("เลือกหน่วยงานย่อยจากรายการ", "Choose your org unit from the list.")
    if org_unit and not c.org_units:
        raise SubmitError("แบบประเมินนี้ไม่ได้ถามหน่วยงานย่อย", "This self-assessment does not ask for an org unit.")
    codes = set(unit_codes(catalog))
    levels: dict[str, int | None] = {}
    for code, value in (answers or {}).items():
        if code not in codes:
            raise SubmitError(f"ไม่รู้จักหน่วยความสามารถ \"{code}\"", f"Unknown unit of capability \"{code}\".")
        if value is None:
            continue  # not answered
        if value == NOT_ASSESSED:
            levels[code] = None
        elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 4:
            levels[code] = value
        else:
            raise SubmitError(
                f"ระดับของหน่วย {code} ต้องเป็น 0–4 หรือ \"ไม่ประเมิน\"",
                f"The level of unit {code} must be 0-4 or \"not assessed\".",
            )
    required = required_units(catalog, c.stage, staff_group) if required is None else required
    missing = [u for u in required if u not in levels]
    if missing:
        raise SubmitError(
            f"ยังไม่ได้ตอบ {len(missing)} หน่วย: {', '.join(missing)} — เลือกระดับ 0–4 หรือ \"ไม่ประเมิน\"",
            f"{len(missing)} unit(s) not answered yet: {', '.join(missing)} - choose a level 0-4 or \"not assessed\".",
        )
    return levels


def survey_row(
    c: Campaign, codes: list[str], rid: str, staff_group: str, org_unit: str | None, levels: dict[str, int | None]
) -> dict[str, str]:
    """The submission as one row of the upload format (wide): column -> text."""
    values = [rid, staff_group, c.agency, org_unit or "", ""] + [
        "" if levels.get(u) is None else str(levels[u]) for u in codes
    ]
    return dict(zip(HEADER + codes, values))


def survey_csv(
    c: Campaign, codes: list[str], rid: str, staff_group: str, org_unit: str | None, levels: dict[str, int | None]
) -> bytes:
    """The one-row survey file in the upload format (wide), with a comment line naming the submission."""
    row = survey_row(c, codes, rid, staff_group, org_unit, levels)
    out = io.StringIO()
    out.write(f"# campaign {c.code} submission {secrets.token_hex(8)}\r\n")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(list(row))
    w.writerow(list(row.values()))
    return out.getvalue().encode("utf-8")


def deleted(c: Campaign, exc: BatchInTrash) -> SubmitError:
    """The refusal while HR has the campaign's batch in the trash (what to ask HR; the form keeps the answers)."""
    when = exc.when
    return SubmitError(
        f"คำตอบของแบบประเมินรหัส \"{c.code}\" ถูกลบ (ย้ายไปถังขยะเมื่อ {when}) จึงยังรับคำตอบไม่ได้ "
        "— แจ้งฝ่ายบุคคล (HR): กู้คืนชุดคำตอบนั้นที่หน้านำเข้าแบบสำรวจ หรือล้างออกจากถังขยะเพื่อเริ่มใหม่ "
        "คำตอบของคุณยังอยู่ในแบบฟอร์ม",
        f"The answers of self-assessment \"{c.code}\" were deleted (moved to the trash {when}), so "
        "no answers are taken now - tell HR: they can restore those answers on the Survey upload "
        "page, or purge them to start again. Your answers are still in the form.",
    )


def submit(
    con,
    catalog: Catalog,
    c: Campaign,
    respondent_id: str,
    staff_group: str | None,
    org_unit: str | None,
    answers: dict,
    *,
    client: str | None = None,
    limits: Limits | None = None,
    draft_token: str | None = None,
    today: dt.date | None = None,
    link=None,
    result_link: bool = False,
) -> Submitted:
    """Check, rate-limit and store one person's answers in the campaign's batch (their earlier answers in the
    round replaced). Raises SubmitError / RateLimited / the campaign's closed message; nothing stored then.

    The checks and the limits run in the caller's thread; the write joins whatever else is being submitted now
    (framework/campaign/commit.py: one transaction per group, each submitter told its own outcome).
    `link` (campaign.links.Link, a personal link): the respondent id is the link's whatever was typed, and
    the link is marked used (with an audit line) in the same transaction as the answer, so it answers once.
    A campaign of personal links only refuses a submission without one. `draft_token`: the draft deleted in
    that transaction too. `result_link`: a result link issued in it as well (`Submitted.result_token`)."""
    started = time.perf_counter()
    if link is not None:
        if link.campaign.code != c.code:
            raise links.unknown()
        respondent_id = link.respondent_id
    elif c.links_only:
        err = links.links_only_refusal(c)
        raise SubmitError(err.th, err.en)
    levels = check(c, catalog, respondent_id, staff_group, org_unit, answers, today=today)
    rid, org_unit = clean_id(respondent_id), names.name(org_unit)
    (limits or LIMITS).check(c.code, client, rid, con=con)
    token = results.new_token() if result_link else None

    def on_write(cur) -> None:
        if link is not None:
            links.mark_used(cur, link)
            audit.record_in(cur, audit.link_who(rid), "link-submission", c.agency, f"campaign {c.code}")
        if draft_token:
            cur.execute("DELETE FROM store.campaign_drafts WHERE code = ? AND token = ?", [c.code, draft_token])
        if token:
            results.insert(cur, token, c.code, rid)

    unwritten = drafts.forget(c.code, draft_token) if draft_token else None  # never written after the answer
    raw = survey_row(c, unit_codes(catalog), rid, staff_group, org_unit, levels)
    entry = Entry(c.code, c.agency, c.stage, c.round_date, raw, on_write)
    commit.store_entry(con, catalog, entry)
    if entry.error is not None or entry.result.batch_id is None:
        drafts.put_back(c.code, draft_token, unwritten)  # refused: the draft stays as it was
    if isinstance(entry.error, BatchInTrash):
        raise deleted(c, entry.error) from None
    if entry.error is not None:
        raise entry.error
    res = entry.result
    if res.batch_id is None or res.respondents != 1:
        reasons = "; ".join(dict.fromkeys(res.problems["reason_en"].astype(str))) or "not stored"
        reasons_th = "; ".join(dict.fromkeys(res.problems["reason_th"].astype(str))) or "ไม่ได้บันทึก"
        raise SubmitError(f"บันทึกคำตอบไม่ได้: {reasons_th}", f"The answers could not be stored: {reasons}")
    return Submitted(res.batch_id, rid, res.replaced > 0, res, time.perf_counter() - started, token)


# --- drafts: a personal link's answers kept across a reload (framework/campaign/drafts.py: written behind) ---
def new_token() -> str:
    return secrets.token_urlsafe(12)


def save_draft(con, code: str, token: str, state: dict) -> bool:
    """Keep the form's state (id, group, org unit, answers) for this draft key now (one write). A draft is a
    convenience: on a full disk it is not kept (False) and the form goes on. The form uses keep_draft."""
    text = json.dumps(state, ensure_ascii=False)
    if len(text) > drafts.MAX_TEXT:
        return False
    drafts.forget(code, token)
    try:
        with WRITE_LOCK:
            if not has_tables(con):
                ensure_tables(con)
            with db.transaction(con) as cur:
                cur.execute(
                    "INSERT OR REPLACE INTO store.campaign_drafts VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
                    [code, token, str(state.get("respondent_id") or "")[:MAX_ID], text],
                )
    except StoreWriteError:
        return False
    return True


def keep_draft(con, code: str, token: str, state: dict) -> bool:
    """The form's draft: kept in this process at once, written behind (framework/campaign/drafts.py)."""
    return drafts.keep(con, code, token, state)


def load_draft(con, code: str, token: str | None) -> dict | None:
    """The draft this key saved for this campaign (unwritten, or stored and not older than DRAFT_DAYS), or None."""
    return drafts.load(con, code, token)


def flush_drafts() -> int:
    """Write every draft still waiting now (tests, the benchmark)."""
    return drafts.flush()


def delete_draft(con, code: str, token: str) -> None:
    drafts.forget(code, token)
    if has_tables(con):
        db.execute(
            con,
            "DELETE FROM store.campaign_drafts WHERE code = $code AND token = $token",
            {"code": code, "token": token},
        )
