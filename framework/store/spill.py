"""The ingest's memory bound: while an upload is validated and written, DuckDB's memory_limit is lowered to
INGEST_MEMORY_LIMIT and its temporary directory is a folder next to the store (`<store>.tmp`), so a file of any
size spills to disk instead of growing the server's memory (issue 22: 3M rows peaked at 2.6 GB).

The limit belongs to the whole DuckDB instance (the app's one connection): `bounded()` counts the ingests running
on a connection, lowers the limit when the first starts and puts the previous value back when the last ends.
Page queries running meanwhile share the bound (DuckDB spills their joins and sorts too). DuckDB cannot move its
temporary directory once it has spilled there, so the folder is set once and kept; files a killed process left
in it are removed when it is set.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from framework import storage
from framework.db import literal

# DuckDB's buffer pool during an ingest: the validation's temp tables, the accepted rows and the write spill past
# it. The Python side of an ingest (the problem lists, bounded) and the process itself come on top.
INGEST_MEMORY_LIMIT = "512MB"

_LOCK = threading.Lock()
_RUNNING: dict[int, list] = {}  # id(connection) -> [ingests running, memory_limit before the first]


def setting(con, name: str) -> str:
    cur = con.cursor()
    try:
        return str(cur.execute("SELECT current_setting(?)", [name]).fetchone()[0])
    finally:
        cur.close()


def _set(con, name: str, value: str) -> None:
    cur = con.cursor()
    try:
        cur.execute(f"SET {name} = {literal(value)}")
    finally:
        cur.close()


def _reset(con, name: str) -> None:
    cur = con.cursor()
    try:
        cur.execute(f"RESET {name}")
    finally:
        cur.close()


_DEFAULT: list[str] = []


def _default_limit() -> str:
    """DuckDB's default memory_limit as current_setting() shows it (a share of this machine's memory)."""
    if not _DEFAULT:
        with duckdb.connect(":memory:") as probe:
            _DEFAULT.append(str(probe.execute("SELECT current_setting('memory_limit')").fetchone()[0]))
    return _DEFAULT[0]


def spill_dir(con) -> Path | None:
    """The store's spill folder (`<store file>.tmp`), made the connection's temporary directory if DuckDB has not
    spilled elsewhere yet; None for a connection without a store file."""
    store = storage.store_file(con)
    if not store or store == ":memory:":
        return None
    folder = Path(store + ".tmp")
    if setting(con, "temp_directory") == str(folder):
        return folder
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        sweep(folder)
        _set(con, "temp_directory", str(folder))
    except (OSError, duckdb.Error):  # DuckDB spilled to its own folder already: it keeps using that one
        return None
    return folder


def sweep(folder: Path) -> int:
    """Remove DuckDB spill files (duckdb_temp_<pid>_...) of processes that have ended; returns how many."""
    removed = 0
    for p in folder.glob("duckdb_temp_*"):
        pid = p.name.split("_")[2] if p.name.count("_") >= 2 else ""
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            try:
                p.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process of this pid still runs (a file it left is not yet stale); also used by analyst.py."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


@contextmanager
def bounded(con, limit: str = INGEST_MEMORY_LIMIT) -> Iterator[None]:
    """DuckDB's memory_limit at `limit` (and the spill folder next to the store) for the block; the previous
    limit back when the last ingest on this connection ends, however it ends."""
    key = id(con)
    with _LOCK:
        state = _RUNNING.get(key)
        if state is None:
            spill_dir(con)
            before = setting(con, "memory_limit")
            try:
                _set(con, "memory_limit", limit)
            except duckdb.Error:  # more than `limit` is in use right now: run unbounded rather than refuse
                before = None
            state = _RUNNING[key] = [0, before]
            if before is not None and before == _default_limit():
                state[1] = ""  # DuckDB's own default: RESET (its text, rounded, would drift if set back)
        state[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            state[0] -= 1
            if state[0] == 0:
                del _RUNNING[key]
                if state[1] == "":
                    _reset(con, "memory_limit")
                elif state[1] is not None:
                    _set(con, "memory_limit", state[1])
