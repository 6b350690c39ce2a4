"""Each analyst query runs in a worker process (framework.analyst_worker): what it builds never reaches the
server, it is killed at the deadline, and the database file it reads is private and cleaned up."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time

import pytest
from test_analyst_limits import acon, rss_mb  # noqa: F401 - the module's locked database, this process's RSS

from framework import analyst, db


def test_a_900_mb_string_is_refused_quickly_and_the_server_does_not_grow(acon):  # noqa: F811
    analyst.run(acon, "SELECT 1 AS x")  # the worker server is up
    gc.collect()
    before = peak = rss_mb()
    stop = threading.Event()

    def watch():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, rss_mb())
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.perf_counter()
    try:
        with pytest.raises(analyst.AnalystError) as info:
            analyst.run(acon, "SELECT repeat('x', 900000000) AS s")
    finally:
        took = time.perf_counter() - start
        stop.set()
        watcher.join()
    err = info.value
    assert err.th and err.en and err.th != err.en and ("memory" in err.en or "50 MB" in err.en)
    assert took < analyst.DEFAULT_TIMEOUT + 0.5, took  # was 8-16 s past nothing
    assert peak - before < 200, (before, peak)  # was +2.5 GB in this process
    assert analyst.run(acon, "SELECT 2 AS x").frame["x"].iloc[0] == 2


def test_a_worker_that_does_not_stop_itself_is_killed_at_the_deadline(acon, monkeypatch):  # noqa: F811
    """The worker's own interrupt is set far away (60 s): the parent kills its process group at 1 s."""
    killed = []
    real_kill = analyst._kill
    monkeypatch.setattr(analyst, "_kill", lambda pid: (killed.append(pid), real_kill(pid)))
    job = {
        "path": str(acon.path),
        "query": "SELECT sum(hash(a.range * b.range)) AS s FROM range(300000) a, range(300000) b",
        "limit": 10,
        "timeout": 60.0,
        "max_bytes": 2**20,
        "memory_limit": acon.memory_limit,
        "threads": acon.threads,
        "address_space": analyst.WORKER_ADDRESS_SPACE,
    }
    start = time.perf_counter()
    with pytest.raises(analyst.AnalystError) as info:
        analyst._in_worker(job, deadline=start + 1.0)
    assert time.perf_counter() - start < 2.0
    assert "stopped" in info.value.en and len(killed) == 1
    for _ in range(50):  # the kernel reaps it (the fork server ignores SIGCHLD)
        try:
            os.killpg(killed[0], 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"worker group {killed[0]} still alive")


def test_a_dead_fork_server_is_replaced(acon):  # noqa: F811
    analyst.run(acon, "SELECT 1 AS x")
    old = analyst._SERVER._proc
    old.send_signal(signal.SIGKILL)
    old.wait(5)
    assert analyst.run(acon, "SELECT 3 AS x").frame["x"].iloc[0] == 3
    assert analyst._SERVER._proc is not old


def test_queries_reuse_the_one_fork_server(acon):  # noqa: F811
    """What keeps a query's overhead small: every query forks from one long-lived server (no new interpreter and
    no re-import per query). The cost itself is measured in bench/, not asserted here."""
    analyst.run(acon, "SELECT 1 AS x")
    server = analyst._SERVER._proc
    for i in range(3):
        assert analyst.run(acon, f"SELECT {i} AS x").frame["x"].iloc[0] == i
    assert analyst._SERVER._proc is server and server.poll() is None


def test_the_database_file_is_private_and_removed_on_close():
    con = db.connect()
    try:
        a = analyst.build(con, min_cell=5, threshold=3)
        path = a.path
        assert path.is_file() and path.name.startswith(f"{os.getpid()}-")
        assert (path.parent.stat().st_mode & 0o777) == 0o700
        assert analyst.run(a, "SELECT count(*) AS n FROM units").frame["n"].iloc[0] == 39
        a.close()
        assert not path.exists()
        b = analyst.build(con, min_cell=5, threshold=3)
        other = b.path
        del b
        gc.collect()
        assert not other.exists()  # garbage-collected (a Streamlit cache eviction)
    finally:
        con.close()


def test_files_of_ended_processes_are_swept(tmp_path):
    dead = tmp_path / "999999999-abc.duckdb"  # no such pid
    mine = tmp_path / f"{os.getpid()}-def.duckdb"
    other = tmp_path / "notes.duckdb"
    for p in (dead, mine, other):
        p.write_bytes(b"x")
    assert analyst.sweep_stale(tmp_path) == 1
    assert not dead.exists() and mine.exists() and other.exists()
