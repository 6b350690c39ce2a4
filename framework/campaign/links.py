"""Personal links (issue 19 point 3): one unguessable token per person, `/assess?t=TOKEN`.

Without an identity provider, a campaign can issue each person their own link (a CSV of ids in, a CSV of
id + link out, for a mail merge, as survey tools do with participant tokens). The link fixes the respondent
id (the form shows it, not editable); it works until that person submits or the campaign closes, and HR can
revoke it. After submitting, the same link shows the person's own result instead of the form.

Tokens are `secrets.token_urlsafe(24)` (192 random bits) and only their sha256 is stored, in
`store.campaign_links(code, token_hash, respondent_id, issued_at, used_at, revoked_at)` (schema version 7):
whoever reads the store cannot rebuild a link. Issuing again for an id revokes that id's earlier unused link.
A submission marks its link used in the same transaction as the answer (`mark_used`: only an unused,
unrevoked link of an open campaign is marked; otherwise the transaction, answer included, is undone), so two
tabs cannot both submit through one link.

A campaign's access is "open link" (`/assess?c=CODE`: anyone with the code types an id, which is trusted as
typed; the page says so) or "personal links only" (the open link refused: `Campaign.links_only`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import secrets
from dataclasses import dataclass

import pandas as pd

from framework import db, names
from framework.campaign.model import (
    MAX_ID,
    Campaign,
    CampaignError,
    batch_ids,
    closed_code,
    get,
)
from framework.outputs import export

TOKEN_BYTES = 24
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MAX_IDS = 20_000
MAX_FILE = 2_000_000  # bytes of an ids CSV
ID_COLUMNS = ("respondent_id", "id", "รหัสผู้ตอบ", "รหัส")

DDL = """CREATE TABLE IF NOT EXISTS store.campaign_links (
    code          VARCHAR NOT NULL,
    token_hash    VARCHAR PRIMARY KEY,   -- sha256 of the token (hex); the token itself is never stored
    respondent_id VARCHAR NOT NULL,
    issued_at     TIMESTAMP NOT NULL,
    used_at       TIMESTAMP,             -- the person submitted through it
    revoked_at    TIMESTAMP              -- HR revoked it (or issued a new one for the same id)
)"""


class LinkError(CampaignError):
    """A personal link that cannot be used: `kind` is unknown, revoked, used or closed."""

    def __init__(self, th: str, en: str, kind: str):
        super().__init__(th, en)
        self.kind = kind


@dataclass(frozen=True)
class Link:
    """What a token resolved to: its campaign, the person, its hash (the draft key) and whether it was used."""

    campaign: Campaign
    respondent_id: str
    token_hash: str
    used: bool = False

    @property
    def draft_key(self) -> str:
        return "link:" + self.token_hash


def hash_token(token: str) -> str:
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def ensure_table(con) -> None:
    with db.transaction(con) as cur:
        cur.execute(DDL)


def _has_table(con) -> bool:
    return bool(
        db.scalar(
            con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' AND table_name = 'campaign_links'"
        )
    )


# --- refusals ---------------------------------------------------------------------------------------------------
def unknown() -> LinkError:
    return LinkError(
        "ไม่พบลิงก์รายบุคคลนี้ — ตรวจว่าคัดลอกลิงก์ครบทั้งหมด หรือขอลิงก์ใหม่จากฝ่ายบุคคล (HR)",
        "This personal link is not known - check the whole link was copied, or ask HR for a new one.",
        "unknown",
    )


def revoked() -> LinkError:
    return LinkError(
        "ลิงก์รายบุคคลนี้ถูกยกเลิกแล้ว — ขอลิงก์ใหม่จากฝ่ายบุคคล (HR)",
        "This personal link was revoked - ask HR for a new one.",
        "revoked",
    )


def used() -> LinkError:
    return LinkError(
        "ส่งคำตอบผ่านลิงก์นี้แล้ว ลิงก์หนึ่งใช้ส่งได้ครั้งเดียว — หากต้องการแก้คำตอบ ขอลิงก์ใหม่จากฝ่ายบุคคล (HR)",
        "Answers were already submitted through this link, which answers once - ask HR for a new link to change them.",
        "used",
    )


def closed(c: Campaign) -> LinkError:
    err = closed_code(c)
    return LinkError(err.th, err.en, "closed")


def links_only_refusal(c: Campaign) -> CampaignError:
    return CampaignError(
        f"แบบประเมินรหัส \"{c.code}\" รับคำตอบผ่านลิงก์รายบุคคลเท่านั้น — ใช้ลิงก์ที่ฝ่ายบุคคล (HR) ส่งถึงคุณ",
        f"The self-assessment \"{c.code}\" takes answers through personal links only - use the link HR sent you.",
    )


# --- ids in, links out ------------------------------------------------------------------------------------------
def read_ids(data: bytes) -> list[str]:
    """The respondent ids of a CSV (a column named respondent_id / id, else the first column; a header line
    is recognised by that name), each canonical (framework.names.respondent_id), duplicates dropped, in
    file order. LinkError-free: CampaignError naming the line of a bad id."""
    if len(data) > MAX_FILE:
        raise CampaignError(
            f"ไฟล์รหัสผู้ตอบใหญ่เกิน {MAX_FILE // 1_000_000} MB", f"The file of ids is larger than {MAX_FILE // 1_000_000} MB"
        )
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CampaignError("ไฟล์รหัสผู้ตอบต้องเป็น CSV แบบ UTF-8", "The file of ids must be a UTF-8 CSV") from None
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise CampaignError("ไม่พบรหัสผู้ตอบในไฟล์", "No respondent ids in the file")
    head = [names.name(c).casefold() for c in rows[0]]
    col, start = 0, 0
    for i, h in enumerate(head):
        if h in ID_COLUMNS:
            col, start = i, 1
            break
    ids: list[str] = []
    for n, r in enumerate(rows[start:], start=start + 1):
        raw = r[col] if col < len(r) else ""
        try:
            rid = names.respondent_id(raw[: 4 * MAX_ID])
        except names.IdError as exc:
            raise CampaignError(f"แถวที่ {n}: {exc.th}", f"Line {n}: {exc.en}") from None
        if not rid:
            continue
        if len(rid) > MAX_ID:
            raise CampaignError(
                f"แถวที่ {n}: รหัสผู้ตอบยาวเกิน {MAX_ID} ตัวอักษร",
                f"Line {n}: the respondent id is longer than {MAX_ID} characters",
            )
        if rid not in ids:
            ids.append(rid)
    if not ids:
        raise CampaignError("ไม่พบรหัสผู้ตอบในไฟล์", "No respondent ids in the file")
    if len(ids) > MAX_IDS:
        raise CampaignError(f"รหัสผู้ตอบเกิน {MAX_IDS:,} รายการในไฟล์เดียว", f"More than {MAX_IDS:,} ids in one file")
    return ids


def issue(con, c: Campaign, ids: list[str]) -> list[tuple[str, str]]:
    """A new token per id, [(id, token)]: only the hashes are stored; an id's earlier unused link is revoked.
    Ids are canonicalised and must match the campaign's id pattern; nothing is issued if one does not."""
    if c.closed_at is not None:
        raise closed(c)
    clean = []
    for raw in ids:
        try:
            rid = names.respondent_id(str(raw))
        except names.IdError as exc:
            raise CampaignError(exc.th, exc.en) from None
        if rid and rid not in clean:
            clean.append(rid)
    bad = [r for r in clean if not c.id_ok(r)]
    if bad:
        shown = ", ".join(bad[:5]) + (" …" if len(bad) > 5 else "")
        raise CampaignError(
            f"รหัส {len(bad)} รายการไม่ตรงกับรูปแบบของแบบประเมิน ({c.id_pattern}): {shown} ไม่ได้ออกลิงก์ใด",
            f"{len(bad)} id(s) do not match the campaign's id pattern ({c.id_pattern}): {shown}; no link was issued",
        )
    pairs = [(rid, secrets.token_urlsafe(TOKEN_BYTES)) for rid in clean]
    rows = pd.DataFrame({"respondent_id": [p[0] for p in pairs], "token_hash": [hash_token(p[1]) for p in pairs]})
    with db.transaction(con) as cur:
        cur.execute(DDL)
        cur.register("new_links", rows)
        cur.execute(
            "UPDATE store.campaign_links SET revoked_at = now()::TIMESTAMP WHERE code = ? "
            "AND used_at IS NULL AND revoked_at IS NULL "
            "AND respondent_id IN (SELECT respondent_id FROM new_links)",
            [c.code],
        )
        cur.execute(
            "INSERT INTO store.campaign_links SELECT ?, token_hash, respondent_id, now()::TIMESTAMP, "
            "NULL, NULL FROM new_links",
            [c.code],
        )
        cur.unregister("new_links")
    return pairs


def base_url(text: str | None) -> str:
    """The app's address the links start with (http(s)://host[/path]), without a trailing slash."""
    url = str(text or "").strip().rstrip("/")
    if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", url):
        raise CampaignError(
            f"ที่อยู่ของแอป \"{url[:80]}\" ไม่ถูกต้อง — ใช้รูปแบบ https://ชื่อเครื่อง เช่น https://skills.example.go.th",
            f"The app's address \"{url[:80]}\" is not valid - use https://host, e.g. https://skills.example.go.th",
        )
    return url


def link(base: str, token: str) -> str:
    return f"{base_url(base)}/assess?t={token}"


def links_csv(pairs: list[tuple[str, str]], base: str) -> bytes:
    """The mail-merge file: respondent_id, link (UTF-8 with BOM, so Excel shows Thai; formula-guarded)."""
    base = base_url(base)
    df = pd.DataFrame({"respondent_id": [p[0] for p in pairs], "link": [link(base, p[1]) for p in pairs]})
    return export.to_csv(df)


def revoke(con, c: Campaign, token_or_id: str) -> int:
    """Revoke the unused links of this campaign matching a token or a respondent id; how many were revoked."""
    if not _has_table(con):
        return 0
    value = str(token_or_id or "").strip()
    try:
        rid = names.respondent_id(value) if value else ""
    except names.IdError:
        rid = ""
    return _revoke(con, c.code, hash_token(value), rid)


def _revoke(con, code: str, token_hash: str, rid: str) -> int:
    with db.transaction(con) as cur:
        n = cur.execute(
            "SELECT count(*) FROM store.campaign_links WHERE code = ? AND used_at IS NULL "
            "AND revoked_at IS NULL AND (token_hash = ? OR respondent_id = ?)",
            [code, token_hash, rid],
        ).fetchone()[0]
        cur.execute(
            "UPDATE store.campaign_links SET revoked_at = now()::TIMESTAMP WHERE code = ? "
            "AND used_at IS NULL AND revoked_at IS NULL AND (token_hash = ? OR respondent_id = ?)",
            [code, token_hash, rid],
        )
    return int(n)


def listing(con, c: Campaign) -> pd.DataFrame:
    """The campaign's links (never their tokens): respondent_id, issued_at, used_at, revoked_at; newest first."""
    if not db.has_store(con) or not _has_table(con):
        return pd.DataFrame(columns=["respondent_id", "issued_at", "used_at", "revoked_at"])
    return db.query(
        con,
        "SELECT respondent_id, issued_at, used_at, revoked_at FROM store.campaign_links "
        "WHERE code = $code ORDER BY issued_at DESC, respondent_id",
        {"code": c.code},
    )


def active_ids(con, c: Campaign) -> list[str]:
    """Ids with a link that can still answer (issued, not used, not revoked)."""
    df = listing(con, c)
    return sorted(df[df["used_at"].isna() & df["revoked_at"].isna()]["respondent_id"].tolist())


# --- a token at the form ----------------------------------------------------------------------------------------
def resolve(con, token: str | None, today: dt.date | None = None) -> Link:
    """The person this token answers as, or LinkError (kind: unknown, revoked, used, closed).

    A used link raises `used` even when its campaign has closed since: the page then shows the person's
    result (`lookup` gives the Link without refusing)."""
    found = lookup(con, token)
    if found.used:
        raise used()
    if not found.campaign.is_open(today):
        raise closed(found.campaign)
    return found


def lookup(con, token: str | None) -> Link:
    """The link of a token, used or not; LinkError unknown / revoked."""
    token = str(token or "").strip()
    if not TOKEN_RE.match(token) or not db.has_store(con) or not _has_table(con):
        raise unknown()
    row = db.query(
        con,
        "SELECT code, respondent_id, used_at, revoked_at FROM store.campaign_links WHERE token_hash = $h",
        {"h": hash_token(token)},
    )
    c = None if row.empty else get(con, row.iloc[0]["code"])
    if c is None:
        raise unknown()
    r = row.iloc[0]
    if pd.notna(r["revoked_at"]):
        raise revoked()
    return Link(c, str(r["respondent_id"]), hash_token(token), used=pd.notna(r["used_at"]))


def mark_used(cur, link: Link) -> None:
    """Inside the submission's transaction: mark the link used, or raise LinkError (the transaction, the answer
    included, is then undone) when it was used or revoked meanwhile (another tab)."""
    n = cur.execute(
        "SELECT count(*) FROM store.campaign_links WHERE token_hash = ? AND code = ? "
        "AND used_at IS NULL AND revoked_at IS NULL",
        [link.token_hash, link.campaign.code],
    ).fetchone()[0]
    if not n:
        state = cur.execute(
            "SELECT revoked_at IS NOT NULL FROM store.campaign_links WHERE token_hash = ?", [link.token_hash]
        ).fetchall()
        raise revoked() if state and state[0][0] else used()
    cur.execute("UPDATE store.campaign_links SET used_at = now()::TIMESTAMP WHERE token_hash = ?", [link.token_hash])


def result_batch(con, link: Link) -> str | None:
    """The live batch holding this person's answers in the link's campaign (for the result after using it)."""
    batches = batch_ids(con, link.campaign)
    if not batches:
        return None
    b = db.scalar(
        con,
        "SELECT r.batch_id FROM store.responses r JOIN store.batches b USING (batch_id) "
        "WHERE list_contains($batches, r.batch_id) AND r.respondent_id = $rid "
        "ORDER BY b.uploaded_at DESC LIMIT 1",
        {"batches": batches, "rid": link.respondent_id},
    )
    return None if b is None else str(b)
