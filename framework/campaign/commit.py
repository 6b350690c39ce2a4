"""Group commit: the submissions of many sessions written in one transaction per group (issue 22).

Every campaign submission of this process goes through `store_entry(con, catalog, entry)`. The submitting
threads queue their entries per connection (one per store file in the app); the first to find nobody writing
becomes the *leader*: it takes the queue (up to MAX_GROUP entries, in arrival order) and stores them with
`SurveyStore.append_group` - the upload validation once per group, one transaction (under the store's write
lock, through `framework.db.transaction`), the cells refreshed once - then wakes each submitter with its own
outcome. Whoever queued meanwhile waits; when the leader is done it hands the lead to the oldest waiting
submitter, which writes the next group. So a lone submission is written at once (a group of one), and under
load the groups grow to what arrived during the previous write plus a short WINDOW (only while groups follow
each other): no extra thread.

The grouping sits above `db.transaction` and the store's `append_group`, so any store backend behind them gets
the same benefit. Semantics are those of one submission at a time, in arrival order (see append_group): one
person once per round, a personal link used once in its answer's transaction, the audit line, each submitter
told the truth about its own submission.
"""

from __future__ import annotations

import threading
import time
import weakref

from framework.catalog import Catalog
from framework.store import SurveyStore
from framework.store.campaign_group import Entry

MAX_GROUP = 200  # entries written in one transaction at most
WINDOW = 0.05  # seconds a leader waits for more submitters, while groups are being written one after another
BUSY = 1.0  # "one after another": the previous group ended less than this many seconds ago


class _Waiting:
    """One queued entry and its submitter's wake-up call (its outcome is ready, or it is to lead)."""

    __slots__ = ("catalog", "done", "entry", "wake")

    def __init__(self, entry: Entry, catalog: Catalog):
        self.entry, self.catalog = entry, catalog
        self.done = False
        self.wake = threading.Event()


class GroupCommitter:
    """The queue of one connection's submissions and who writes the next group (see the module docstring)."""

    def __init__(self, con, max_group: int = MAX_GROUP, window: float = WINDOW):
        self.con, self.max_group, self.window = con, max_group, window
        self._lock = threading.Lock()
        self._more = threading.Condition(self._lock)
        self._last = float("-inf")  # when the previous group was written (time.monotonic)
        self._queue: list[_Waiting] = []
        self._writing = False
        self.groups: list[int] = []  # the size of every group written (tests and the benchmark read it)
        self.taken = 0  # entries taken into a group so far

    def queued(self) -> int:
        """Entries queued or taken so far (tests wait on it)."""
        with self._lock:
            return self.taken + len(self._queue)

    def store(self, catalog: Catalog, entry: Entry) -> None:
        """Queue `entry` and return when it has its result or error (written by this thread or another)."""
        me = _Waiting(entry, catalog)
        with self._lock:
            self._queue.append(me)
            self._more.notify_all()
            lead = not self._writing
            self._writing = True
        while True:
            if lead:
                self._lead()
            me.wake.wait()
            if me.done:
                return
            me.wake.clear()  # handed the lead
            lead = True

    def _lead(self) -> None:
        with self._lock:
            if time.monotonic() - self._last < BUSY:  # under load: let the group fill a little first
                end = time.monotonic() + self.window
                while len(self._queue) < self.max_group and (left := end - time.monotonic()) > 0:
                    self._more.wait(left)
            group = self._queue[: self.max_group]
            del self._queue[: self.max_group]
            self.taken += len(group)
        try:
            if group:
                SurveyStore(self.con, group[0].catalog).append_group([w.entry for w in group])
                self.groups.append(len(group))
        except Exception as exc:  # noqa: BLE001 - every submitter of the group is told, none waits for ever
            _untold(group, exc)
        except BaseException as exc:
            _untold(group, exc)
            raise
        finally:
            for w in group:
                w.done = True
                w.wake.set()
            with self._lock:
                self._last = time.monotonic()
                if self._queue:
                    self._queue[0].wake.set()  # the oldest waiting submitter writes the next group
                else:
                    self._writing = False


def _untold(group: list[_Waiting], exc: BaseException) -> None:
    for w in group:
        if w.entry.result is None and w.entry.error is None:
            w.entry.error = exc


_COMMITTERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def committer(con) -> GroupCommitter:
    """The group committer of this connection (created on first use; forgotten with the connection)."""
    with _GUARD:
        found = _COMMITTERS.get(con)
        if found is None:
            found = _COMMITTERS[con] = GroupCommitter(weakref.proxy(con))
        return found


def store_entry(con, catalog: Catalog, entry: Entry) -> None:
    """Store one submission with whatever else is being submitted now; returns when `entry` has its outcome."""
    committer(con).store(catalog, entry)
