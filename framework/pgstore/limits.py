"""The throttles of a PostgreSQL store, shared by every process: their events kept in PostgreSQL.

Each app process has its own limits in memory (campaign.submit's RateLimiter, access.Throttle); with several
processes on one PostgreSQL store each would allow its own share. On such a store they keep their events in
`skills._pg_events` (kind, key, at: seconds of the wall clock, the one every process shares) instead:
- `rate()` checks several sliding-window limits and, when every one allows it, counts one event in each, in one
  PostgreSQL transaction under an advisory lock of its own (never the writers' lock: a submission's check does
  not wait for an upload's write);
- `times()`, `add()`, `forget()` serve access.Throttle's growing delays.
Each process keeps one connection per store for them (`events(url)`), apart from its replica's. Events older
than a day are dropped as new ones come.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time

from framework.pgstore.tables import SCHEMA

_log = logging.getLogger(__name__)
LOCK_KEY = 0x534B494C4C54  # pg_advisory_xact_lock key of the throttles ("SKILLT"), apart from the writers'
KEEP = 86400.0  # seconds an event is kept (every window is shorter)
DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}._pg_events (kind TEXT NOT NULL, key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS _pg_events_key ON {SCHEMA}._pg_events (kind, key, at)",
    f"CREATE INDEX IF NOT EXISTS _pg_events_at ON {SCHEMA}._pg_events (kind, at)",
)
_T = f"{SCHEMA}._pg_events"


class Events:
    """The shared events of one PostgreSQL store (one connection of this process, used by one thread at a time)."""

    def __init__(self, url: str, clock=time.time):
        self.url, self.clock = url, clock
        self.lock = threading.Lock()
        self._pg = None

    def _run(self, fn):
        """fn(cursor) in one PostgreSQL transaction under the throttles' lock; None when the server cannot be
        reached (logged; the caller counts in this process meanwhile), the connection reopened on the next use."""
        from framework.pgstore import driver_error

        try:
            return self._locked(fn)
        except Exception as exc:
            if not driver_error(exc):
                raise
            _log.warning("shared limits not reachable, counted in this process: %s", (str(exc).splitlines() or [""])[0])
            return None

    def _locked(self, fn):
        with self.lock:
            if self._pg is None:
                import adbc_driver_postgresql.dbapi as adbc

                self._pg = adbc.connect(self.url)
                cur = self._pg.cursor()
                cur.execute(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
                for stmt in DDL:
                    cur.execute(stmt)
                self._pg.commit()
            try:
                cur = self._pg.cursor()
                cur.execute(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
                out = fn(cur)
                self._pg.commit()
                return out
            except BaseException:
                pg, self._pg = self._pg, None
                try:
                    pg.close()
                except Exception:  # noqa: BLE001, S110 - a broken connection is dropped whatever it says
                    pass
                raise

    @staticmethod
    def _in_window(cur, kind: str, key: str, since: float) -> list[float]:
        cur.execute(
            f"SELECT at FROM {_T} WHERE kind = $1 AND key = $2 AND at > $3 ORDER BY at", parameters=(kind, key, since)
        )
        return [a for (a,) in cur.fetchall()]

    def rate(self, checks: list[tuple[str, str, int, float]]) -> float | None:
        """(kind, key, limit, window) each: 0 when one more event is allowed by every one (then counted in
        each), else the seconds until it is (nothing counted); None: the server cannot be reached."""

        def run(cur) -> float:
            now = self.clock()
            cur.execute(f"DELETE FROM {_T} WHERE at < $1", parameters=(now - KEEP,))
            for kind, key, limit, window in checks:
                times = self._in_window(cur, kind, key, now - window)
                if len(times) >= limit:
                    return max(1e-3, times[len(times) - limit] + window - now)
            cur.executemany(f"INSERT INTO {_T} VALUES ($1, $2, $3)", [(k, key, now) for k, key, _, _ in checks])
            return 0.0

        return self._run(run)

    def times(self, kind: str, key: str, window: float) -> tuple[list[float], list[float], float] | None:
        """(this key's event times, every key's, now) within the last `window` seconds; None: unreachable."""

        def run(cur):
            now = self.clock()
            mine = self._in_window(cur, kind, key, now - window)
            cur.execute(f"SELECT at FROM {_T} WHERE kind = $1 AND at > $2 ORDER BY at", parameters=(kind, now - window))
            return mine, [a for (a,) in cur.fetchall()], now

        return self._run(run)

    def add(self, kind: str, key: str) -> None:
        self._run(
            lambda cur: cur.execute(f"INSERT INTO {_T} VALUES ($1, $2, $3)", parameters=(kind, key, self.clock()))
        )

    def forget(self, kind: str, key: str) -> None:
        self._run(lambda cur: cur.execute(f"DELETE FROM {_T} WHERE kind = $1 AND key = $2", parameters=(kind, key)))

    def clear(self, kind: str) -> None:
        self._run(lambda cur: cur.execute(f"DELETE FROM {_T} WHERE kind = $1", parameters=(kind,)))

    def close(self) -> None:
        with self.lock:
            if self._pg is not None:
                try:
                    self._pg.close()
                except Exception:  # noqa: BLE001, S110 - closing a broken connection
                    pass
                self._pg = None


_EVENTS: dict[str, Events] = {}
_LOCK = threading.Lock()


@atexit.register
def _close_all() -> None:
    """Close the connections before the interpreter tears the driver down (else a warning at exit)."""
    for ev in list(_EVENTS.values()):
        ev.close()


def events(url: str) -> Events:
    """This process's Events of the store `url` (one connection per store)."""
    with _LOCK:
        if url not in _EVENTS:
            _EVENTS[url] = Events(url)
        return _EVENTS[url]


def of_store(con=None) -> Events | None:
    """The shared Events of the store `con` is linked to (else of SKILLS_DB) when it is PostgreSQL; None for a
    store file (the limits stay in this process, the only one that writes the file)."""
    from framework import pgstore

    if con is not None:
        link = pgstore.link_of(con)
        return events(link.url) if link is not None else None
    from framework import settings

    url = settings.get("SKILLS_DB")
    return events(str(url)) if pgstore.is_url(str(url)) else None
