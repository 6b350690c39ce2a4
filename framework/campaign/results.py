"""Result links: a person reopens their own result and plan with `/assess?r=TOKEN` after submitting.

At submit the page issues an unguessable token (192 random bits) stored in `store.campaign_results`
(token -> campaign code + respondent id); the token is shown to the person as a link to keep and is never put in
the address bar by itself, so nothing in the URL before or after submitting reveals the answers. The link opens
the person's current answers in that campaign (a later submission with the same id replaces them); without a
known token nothing is looked up or shown. The table is created here, on first use, apart from the store's
schema (it holds no answers, only the way to find them).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from framework import db
from framework.campaign.model import WRITE_LOCK, Campaign, CampaignError, batch_ids, get

TOKEN_BYTES = 24
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")  # token_urlsafe(24): 32 characters

DDL = """CREATE TABLE IF NOT EXISTS store.campaign_results (
    token         VARCHAR PRIMARY KEY,
    code          VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL
)"""


@dataclass(frozen=True)
class Found:
    """Where a result link points: the campaign, the live batch holding the person's answers, their id."""

    campaign: Campaign
    batch_id: str
    respondent_id: str


def _has_table(con) -> bool:
    return bool(
        db.scalar(
            con,
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' AND table_name = 'campaign_results'",
        )
    )


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def insert(cur, token: str, code: str, respondent_id: str) -> None:
    """Inside the caller's transaction (a submission's: campaign.submit(result_link=True)): the token stored."""
    cur.execute(DDL)
    cur.execute("INSERT INTO store.campaign_results VALUES (?, ?, ?, now()::TIMESTAMP)", [token, code, respondent_id])


def issue(con, code: str, respondent_id: str) -> str:
    """A new token for this person's result in this campaign (one per submission), in its own transaction."""
    token = new_token()
    with WRITE_LOCK, db.transaction(con) as cur:
        insert(cur, token, code, respondent_id)
    return token


def not_found() -> CampaignError:
    return CampaignError(
        "ไม่พบผลการประเมินของลิงก์นี้ — ตรวจว่าคัดลอกลิงก์ครบทั้งหมด หรือคำตอบอาจถูกลบโดยฝ่ายบุคคล (HR)",
        "No result for this link - check the whole link was copied; the answers may have been deleted by HR.",
    )


def find(con, token: str | None) -> Found:
    """The result a token points to, or CampaignError (one message whatever is wrong: nothing to probe)."""
    token = str(token or "").strip()
    if not TOKEN_RE.match(token) or not db.has_store(con) or not _has_table(con):
        raise not_found()
    row = db.query(con, "SELECT code, respondent_id FROM store.campaign_results WHERE token = $token", {"token": token})
    c = None if row.empty else get(con, row.iloc[0]["code"])
    if c is None:
        raise not_found()
    rid = str(row.iloc[0]["respondent_id"])
    batches = batch_ids(con, c)
    if not batches:
        raise not_found()
    batch = db.scalar(
        con,
        "SELECT r.batch_id FROM store.responses r JOIN store.batches b USING (batch_id) "
        "WHERE list_contains($batches, r.batch_id) AND r.respondent_id = $rid "
        "ORDER BY b.uploaded_at DESC LIMIT 1",
        {"batches": batches, "rid": rid},
    )
    if batch is None:
        raise not_found()
    return Found(c, str(batch), rid)
