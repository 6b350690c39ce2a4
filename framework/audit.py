"""The audit log (issue 19 point 4): who did what, when, to which agency; append-only.

`store.audit_log(at, who, action, agency, detail)` is created by the store's schema (version 7,
store/schema.py) and again here on first use (a store opened without SurveyStore). Nothing in the code
updates or deletes its rows (tests/test_audit.py greps for it); archive and compact keep it.

Who is a role, never a secret: "HR (passphrase)" (someone who gave the HR passphrase on a page), "local mode"
(no passphrase configured: whoever can open the app), "command line (<os user>)", or a campaign's personal
link ("personal link (<respondent id>)"). The passphrase is never written: every text recorded is checked
against the configured passphrase, and any occurrence is replaced by "***" before it is stored.

A failure to write the log (a full disk) is logged and does not undo or refuse the action it records;
`record_in(cur, ...)` writes inside the caller's transaction instead (a personal link's submission: the
answer, the link marked used and the log line are one transaction).
"""

from __future__ import annotations

import getpass
import logging

import duckdb
import pandas as pd

from framework import access, db
from framework.storage import StoreWriteError
from framework.text import pick

LOG = logging.getLogger(__name__)

DDL = """CREATE TABLE IF NOT EXISTS store.audit_log (
    "at"    TIMESTAMP NOT NULL,   -- UTC, like every stored stamp
    who     VARCHAR NOT NULL,
    action  VARCHAR NOT NULL,
    agency  VARCHAR,
    detail  VARCHAR
)"""

HR = "HR (passphrase)"
LOCAL = "local mode"
MAX_TEXT = 500

# action -> (Thai, English): every action the app and the CLI record.
ACTIONS = {
    "sign-in": ("ปลดล็อกสิทธิ์ HR", "HR sign-in"),
    "sign-out": ("ออกจากระบบ", "sign-out"),
    "upload": ("นำเข้าแบบสำรวจ", "upload"),
    "delete": ("ลบชุดข้อมูล (ไปถังขยะ)", "delete (to the trash)"),
    "restore": ("กู้คืนชุดข้อมูล", "restore"),
    "purge": ("ลบถาวร", "purge"),
    "campaign-open": ("เปิดแบบประเมิน", "campaign opened"),
    "campaign-close": ("ปิดแบบประเมิน", "campaign closed"),
    "campaign-mode": ("เปลี่ยนวิธีเข้าแบบประเมิน", "campaign access changed"),
    "links-issued": ("ออกลิงก์รายบุคคล", "personal links issued"),
    "link-revoked": ("ยกเลิกลิงก์รายบุคคล", "personal link revoked"),
    "link-submission": ("ส่งคำตอบผ่านลิงก์รายบุคคล", "answers through a personal link"),
    "k-lowered": ("ลด k ต่ำกว่าค่าขั้นต่ำ", "k lowered below the floor"),
    "row-view": ("ดูข้อมูลรายคน", "row-level view"),
    "row-export": ("ส่งออกข้อมูลรายคน", "row-level export"),
    "targets": ("กำหนดระดับเป้าหมาย", "target levels set"),
}


def cli_who() -> str:
    """Who runs a command: "command line (<operating-system user>)"."""
    try:
        user = getpass.getuser() or "?"
    except Exception:  # noqa: BLE001 - no user name in this environment
        user = "?"
    return f"command line ({user})"


def app_who(secret: str | None = None) -> str:
    """Who acts on a page that passed the HR gate: "HR (passphrase)", or "local mode" with none configured."""
    return LOCAL if access.local_mode(secret) else HR


def link_who(respondent_id: str) -> str:
    return f"personal link ({respondent_id})"


def _secrets(secret: str | None) -> list[str]:
    found = {
        access.configured(secret),
        access.configured(access.secrets_file_passphrase()),
        str(secret) if secret not in (None, "") else None,
    }
    return [s for s in found if s]


def _clean(value, secrets: list[str]) -> str | None:
    if value is None:
        return None
    text = str(value)
    for s in secrets:
        if s in text:
            text = text.replace(s, "***")
    return text[:MAX_TEXT]


def record_in(
    cur, who: str, action: str, agency: str | None = None, detail: str | None = None, *, secret: str | None = None
) -> None:
    """Append one line inside the caller's transaction (the table created if absent)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    found = _secrets(secret)
    cur.execute(DDL)
    cur.execute(
        "INSERT INTO store.audit_log VALUES (now()::TIMESTAMP, ?, ?, ?, ?)",
        [_clean(who, found) or "?", action, _clean(agency, found), _clean(detail, found)],
    )


def record(
    con, who: str, action: str, agency: str | None = None, detail: str | None = None, *, secret: str | None = None
) -> bool:
    """Append one line (now, who, action, agency, detail) in its own transaction; False (logged) when the
    store cannot take it. `secret`: the page's Streamlit secret, so it too is kept out of the log."""
    try:
        with db.transaction(con) as cur:
            record_in(cur, who, action, agency, detail, secret=secret)
    except (StoreWriteError, duckdb.Error) as exc:
        LOG.error("audit log not written (%s %s): %s", action, agency or "", exc)
        return False
    return True


def has_table(con) -> bool:
    return bool(
        db.scalar(
            con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' AND table_name = 'audit_log'"
        )
    )


def entries(con, actions: list[str] | None = None, agencies: list[str] | None = None) -> pd.DataFrame:
    """The log, newest first, optionally only some actions / agencies."""
    if not has_table(con):
        return pd.DataFrame(columns=["at", "who", "action", "agency", "detail"])
    return db.query(
        con,
        """
        SELECT "at", who, action, agency, detail FROM store.audit_log
        WHERE (len($actions::VARCHAR[]) = 0 OR list_contains($actions::VARCHAR[], action))
          AND (len($agencies::VARCHAR[]) = 0 OR list_contains($agencies::VARCHAR[], agency))
        ORDER BY "at" DESC, rowid DESC""",
        {"actions": list(actions or []), "agencies": list(agencies or [])},
    )


def agencies(con) -> list[str]:
    """The agencies named in the log (for the page's filter)."""
    if not has_table(con):
        return []
    return db.query(con, "SELECT DISTINCT agency FROM store.audit_log WHERE agency IS NOT NULL ORDER BY agency")[
        "agency"
    ].tolist()


def label(action: str, lang: str = "th") -> str:
    th, en = ACTIONS.get(action, (action, action))
    return pick(lang, th, en)
