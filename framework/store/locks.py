"""One write lock per store file in this process (SurveyStore's ingest, append, delete, restore, purge).

Its own module so the store's mixins (trash.py, campaign_batch.py) and core.py import it without a loop.
On a PostgreSQL store it also re-syncs the replica once held (other processes' writes are then seen)."""

from __future__ import annotations

import threading

from framework import db, pgstore

_WRITE_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def write_lock(con) -> threading.Lock:
    """One lock per store file in this process: the round check and the write it decides run alone.

    DuckDB's transactions do not see each other's uncommitted rows, so two uploads of the same people at
    once (two browser tabs) would both find no clash; and a store file has one writing process at a time.
    """
    path = db.scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = 'store'") or ""
    with _LOCKS_GUARD:
        lock = _WRITE_LOCKS.setdefault(str(path), threading.Lock())
    link = pgstore.link_of(con)
    return lock if link is None else _Synced(lock, link, con)


class _Synced:
    """A PostgreSQL store's write lock: once held, the replica is re-synced, so the checks made before the
    write (the same file already stored?) see what other processes wrote (framework/pgstore)."""

    def __init__(self, lock: threading.Lock, link, con):
        self.lock, self.link, self.con = lock, link, con

    def __enter__(self):
        self.lock.acquire()
        try:
            self.link.sync(self.con)
        except BaseException:
            self.lock.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.lock.release()
