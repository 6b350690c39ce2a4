"""Drafts: a personal link's answers kept on the server across a reload, written behind the form (issue 22).

The form hands every change to `keep()`, which records it in this process only: an answer's rerun writes
nothing. A writer thread writes the drafts that changed, every session's at once, in one transaction DELAY
seconds after the first unwritten change, so a person clicking through ten units costs one write and a room of
people one write per DELAY. `load()` reads the unwritten (or being written) state first, so a reload served by
this process meanwhile finds the latest answers. `forget()` (at submit) drops an unwritten draft; the stored row
is deleted in the submission's own transaction. `flush()` writes at once (tests, the benchmark, process exit).

A draft is a convenience: one that cannot be written (a full disk, a closed store) is dropped and logged, and
the form goes on; a process that dies loses at most its last DELAY seconds of drafts. Drafts are keyed by the
campaign code and the draft key (a personal link's `link:<token hash>`); the open link's never come here
(they stay in the browser session).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import logging
import threading
import time
from dataclasses import dataclass

import duckdb

from framework import db
from framework.campaign.model import MAX_ID, ensure_tables, has_tables
from framework.errors import BilingualError

DELAY = 1.0  # seconds from a draft's first unwritten change to its write
MAX_TEXT = 20_000  # characters of JSON a draft may hold
DRAFT_DAYS = 30  # drafts older than this are not offered again
UPSERT = "INSERT OR REPLACE INTO store.campaign_drafts VALUES (?, ?, ?, ?, ?)"
LOG = logging.getLogger("framework.campaign")


@dataclass(frozen=True)
class _Draft:
    con: object
    text: str
    respondent_id: str
    at: dt.datetime


_lock = threading.Lock()  # the two maps
_io = threading.Lock()  # a flush's write against a draft's removal (never both at once)
_pending: dict[tuple[str, str], _Draft] = {}
_writing: dict[tuple[str, str], _Draft] = {}
_wake = threading.Event()
_held = threading.Event()  # set: the writer waits (tests: what an answer's rerun wrote, before the write)
_writer: threading.Thread | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored stamps are UTC (framework/clock.py)


def keep(con, code: str, token: str, state: dict) -> bool:
    """Keep the form's state (group, org unit, answers) as this draft key's draft, written within DELAY seconds;
    False (nothing kept) when it is too large."""
    global _writer
    text = json.dumps(state, ensure_ascii=False)
    if len(text) > MAX_TEXT:
        return False
    draft = _Draft(con, text, str(state.get("respondent_id") or "")[:MAX_ID], _now())
    with _lock:
        _pending[(code, str(token))] = draft
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_behind, name="campaign-drafts", daemon=True)
            _writer.start()
    _wake.set()
    return True


def load(con, code: str, token: str | None) -> dict | None:
    """The draft this key kept for this campaign: the unwritten one, else the stored one (not older than
    DRAFT_DAYS), or None."""
    if not token:
        return None
    key = (code, str(token)[:100])
    with _lock:
        draft = _pending.get(key) or _writing.get(key)
    if draft is not None:
        text = draft.text
    elif has_tables(con):
        text = db.scalar(
            con,
            "SELECT answers FROM store.campaign_drafts WHERE code = $code AND token = $token "
            f"AND updated_at > now()::TIMESTAMP - INTERVAL {DRAFT_DAYS} DAY",
            {"code": key[0], "token": key[1]},
        )
    else:
        return None
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def forget(code: str, token: str) -> _Draft | None:
    """Drop this key's unwritten draft and return it (its stored row is the caller's to delete, in its own
    transaction: a submission's)."""
    with _io, _lock:
        return _pending.pop((code, str(token)), None)


def put_back(code: str, token: str, draft: _Draft | None) -> None:
    """A draft `forget` returned, unwritten again (the submission was refused), unless a newer one came."""
    if draft is not None:
        with _lock:
            _pending.setdefault((code, str(token)), draft)
        _wake.set()


@contextlib.contextmanager
def held():
    """No write behind while inside (flush() still writes): for tests that look before the write."""
    _held.set()
    try:
        yield
    finally:
        _held.clear()


def pending() -> int:
    """How many drafts wait to be written."""
    with _lock:
        return len(_pending)


def flush() -> int:
    """Write every unwritten draft now (one transaction per store); returns how many were written."""
    written = 0
    with _io:
        with _lock:
            batch = dict(_pending)
            _pending.clear()
            _writing.update(batch)
        try:
            by_con: dict[int, list] = {}
            for (code, token), d in batch.items():
                by_con.setdefault(id(d.con), []).append((code, token, d))
            for rows in by_con.values():
                written += _write(rows[0][2].con, rows)
        finally:
            with _lock:
                for key, d in batch.items():
                    if _writing.get(key) is d:
                        del _writing[key]
    return written


def _write(con, rows: list) -> int:
    try:
        if not has_tables(con):
            ensure_tables(con)
        with db.transaction(con) as cur:
            cur.executemany(UPSERT, [[code, token, d.respondent_id, d.text, d.at] for code, token, d in rows])
    except (duckdb.Error, BilingualError, ReferenceError) as exc:  # a full disk, a closed store: drafts dropped
        LOG.warning("%d draft(s) not kept: %s", len(rows), exc)
        return 0
    return len(rows)


def _write_behind() -> None:
    while True:
        _wake.wait()
        time.sleep(DELAY)  # the changes of the next DELAY seconds join this write
        if _held.is_set():
            continue
        _wake.clear()  # a draft kept from here on sets it again: the next round writes it
        try:
            flush()
        except Exception:
            LOG.exception("drafts not written")


atexit.register(flush)
