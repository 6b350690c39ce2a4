"""One write lock per store file in this process (SurveyStore's ingest, append, delete, restore, purge).

Its own module so the store's mixins (trash.py, campaign_batch.py) and core.py import it without a loop."""

from __future__ import annotations

import threading

from framework import db

_WRITE_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def write_lock(con) -> threading.Lock:
    """One lock per store file in this process: the round check and the write it decides run alone.

    DuckDB's transactions do not see each other's uncommitted rows, so two uploads of the same people at
    once (two browser tabs) would both find no clash; and a store file has one writing process at a time.
    """
    path = db.scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = 'store'") or ""
    with _LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(str(path), threading.Lock())
