"""HR passphrase for uploads, deletes and row-level views; the page passes Streamlit's secret in (no streamlit here).

Also the k floor (the smallest cell shown) and the throttle on wrong passphrases (`Throttle`, `attempt`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from framework import identity, paths, settings
from framework.errors import BilingualError

log = logging.getLogger(__name__)

ENV = "SKILLS_HR_PASSPHRASE"


def configured(secret: str | None = None) -> str | None:
    """The passphrase in force: $SKILLS_HR_PASSPHRASE, else the Streamlit secret `hr_passphrase`, else None.
    A TOML secret may be a number (hr_passphrase = 1234): it is compared as its text."""
    value = settings.get(ENV) or secret
    return str(value) if value not in (None, "") else None


def local_mode(secret: str | None = None) -> bool:
    """No passphrase and no identity provider configured: the app runs in local single-user mode and allows
    everything."""
    return configured(secret) is None and not identity.provider()


def verify(given: str | None, secret: str | None = None) -> bool:
    """True when access is allowed: local mode, or `given` equals the passphrase (constant-time compare)."""
    expected = configured(secret)
    if expected is None:
        return True
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


def secrets_file_passphrase() -> str | None:
    """`hr_passphrase` from the app's .streamlit/secrets.toml, for the CLI (the app gets it from st.secrets)."""
    for path in (paths.ROOT / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        try:
            with path.open("rb") as fh:
                value = tomllib.load(fh).get("hr_passphrase")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if value not in (None, ""):
            return str(value)
    return None


# --- the smallest cell: one rule for every page, export, CLI command and the analyst SQL -------------------
MIN_CELL_ENV = "SKILLS_MIN_CELL_FLOOR"
DEFAULT_MIN_CELL_FLOOR = settings.default(MIN_CELL_ENV)  # 5


def min_cell_floor() -> int:
    """The configured floor of k (smallest cell shown): $SKILLS_MIN_CELL_FLOOR (1 or more), else 5."""
    return settings.get(MIN_CELL_ENV)


HR_MIN_CELL = 3  # the lowest k even the HR passphrase may use (or the floor, if that is lower)


def lowest_min_cell(authorised: bool) -> int:
    """The lowest k this user may use, one rule for the survey pages, /sql, exports and the CLI: the floor;
    with the HR passphrase (or in local mode) min(3, floor)."""
    floor = min_cell_floor()
    return min(HR_MIN_CELL, floor) if authorised else floor


def allowed_min_cell(k: int, authorised: bool) -> int:
    """`k` if this user may use it, else raise: only the HR passphrase (or local mode) goes below the floor,
    and never below `lowest_min_cell(True)` (min(3, floor)).

    `authorised` is True for a user who gave the passphrase, or for anyone when no passphrase is configured.
    """
    floor = min_cell_floor()
    k = int(k)
    lowest = lowest_min_cell(True)
    if k < 1 or (k < lowest and authorised):
        raise BilingualError(
            f"จำนวนผู้ตอบขั้นต่ำต่อช่อง (k) ต้องไม่น้อยกว่า {lowest} แม้มีรหัสผ่าน HR (ได้รับ {k})",
            f"The smallest cell (k) must be at least {lowest}, even with the HR passphrase (got {k})",
        )
    if k < floor and not authorised:
        raise BilingualError(
            f"จำนวนผู้ตอบขั้นต่ำต่อช่อง (k) ต่ำกว่า {floor} ได้เฉพาะผู้มีรหัสผ่าน HR (ไม่ต่ำกว่า {lowest}) — ใช้ k ≥ {floor} หรือใส่รหัสผ่าน",
            f"A smallest cell (k) below {floor} needs the HR passphrase (and is at least {lowest}) — "
            f"use k ≥ {floor} or give the passphrase",
        )
    return k


# --- wrong passphrases: a growing delay, per session and over all sessions; every failure logged ------------
@dataclass(frozen=True)
class Attempt:
    """One passphrase attempt: allowed; seconds to wait before the next try; whether it was checked at all."""

    ok: bool
    wait: float = 0.0
    checked: bool = False


class Throttle:
    """Failed passphrase attempts per session and in total, with a growing delay once there are too many.

    A session may fail `free` times within `window` seconds; after that each further attempt waits
    `base` × 2^(extra failures) seconds after its last failure, up to `cap`. All sessions together may
    fail `global_free` times (someone opening many tabs) before the same delay applies to everyone.
    While a wait runs, no attempt is checked at all. `clock` is injectable so tests need not sleep.
    `shared` (the process's THROTTLE and campaign.CODE_THROTTLE): when SKILLS_DB is a PostgreSQL store the
    failures are kept in PostgreSQL (framework/pgstore/limits.py, under `what`), counted by every app process.
    """

    def __init__(
        self,
        *,
        free: int = 5,
        global_free: int = 20,
        base: float = 2.0,
        cap: float = 300.0,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        what: str = "HR passphrase",
        shared: bool = False,
    ):
        self.free, self.global_free, self.base, self.cap, self.window = free, global_free, base, cap, window
        self.what = what  # named in the log line: "wrong <what> at ..."
        self.clock, self.shared = clock, shared
        self._lock = threading.Lock()
        self._fails: dict[str, list[float]] = {}

    def _recent(self, now: float) -> None:
        for key in list(self._fails):
            kept = [t for t in self._fails[key] if now - t < self.window]
            if kept:
                self._fails[key] = kept
            else:
                del self._fails[key]

    def _delay(self, times: list[float], free: int, now: float) -> float:
        extra = len(times) - free
        if extra < 0 or not times:
            return 0.0
        return max(0.0, max(times) + min(self.cap, self.base * 2**extra) - now)

    def _events(self):
        """The PostgreSQL store's shared failures, or None (kept in this process)."""
        if not self.shared:
            return None
        from framework.pgstore import limits

        return limits.of_store()

    def _shared_wait(self, session: str) -> tuple[float, int, int] | None:
        """(wait, this session's failures, everyone's) from the shared failures; None: kept in this process."""
        events = self._events()
        got = events.times(self.what, session, self.window) if events is not None else None
        if got is None:
            return None
        mine, every, now = got
        wait = max(self._delay(mine, self.free, now), self._delay(every, self.global_free, now))
        return wait, len(mine), len(every)

    def wait(self, session: str) -> float:
        """Seconds before `session` may try again (0: now)."""
        shared = self._shared_wait(session)
        if shared is not None:
            return shared[0]
        with self._lock:
            now = self.clock()
            self._recent(now)
            every = sorted(t for times in self._fails.values() for t in times)
            return max(
                self._delay(self._fails.get(session, []), self.free, now), self._delay(every, self.global_free, now)
            )

    def failed(self, session: str, page: str) -> float:
        """Count a wrong passphrase, log it (time, page, counts; never what was typed); return the new wait."""
        events = self._events()
        shared = None
        if events is not None:
            events.add(self.what, session)
            shared = self._shared_wait(session)
        if shared is not None:
            wait, mine, every = shared
        else:
            with self._lock:
                now = self.clock()
                self._recent(now)
                self._fails.setdefault(session, []).append(now)
                mine, every = len(self._fails[session]), sum(len(t) for t in self._fails.values())
            wait = self.wait(session)
        log.warning(
            "wrong %s at %s on page %s: %d failure(s) in this session, %d in all sessions in the last %d min",
            self.what,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            page,
            mine,
            every,
            self.window // 60,
        )
        return wait

    def succeeded(self, session: str) -> None:
        """The right passphrase: this session starts again from zero (the global count stays)."""
        events = self._events()
        if events is not None:
            events.forget(self.what, session)
            return
        with self._lock:
            self._fails.pop(session, None)


THROTTLE = Throttle(shared=True)  # shared by every session and page (and process, on a PostgreSQL store)


def attempt(
    given: str | None, secret: str | None, *, session: str, page: str, throttle: Throttle | None = None
) -> Attempt:
    """THE way to check a typed HR passphrase (every page, the survey filters, /sql, the CLI): through the
    throttle, so while a wait runs nothing is checked, and a wrong one counts and is logged.

    Nothing typed is not an attempt. Local mode (no passphrase configured) always allows.
    """
    if local_mode(secret):
        return Attempt(True, checked=True)
    throttle = throttle or THROTTLE
    if not given:
        return Attempt(False, throttle.wait(session))
    waiting = throttle.wait(session)
    if waiting > 0:
        return Attempt(False, waiting)
    if verify(given, secret):
        throttle.succeeded(session)
        return Attempt(True, checked=True)
    return Attempt(False, throttle.failed(session, page), checked=True)
