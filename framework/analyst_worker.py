"""Each analyst query in its own process: the locked database opened read-only, an OS memory limit, Arrow back.

framework.analyst starts this module once as a small fork server (`python -m framework.analyst_worker FD`,
duckdb and pyarrow imported, no database open, one thread) and sends it each job (JSON) with a socket for
the answer. The server forks one child per query (a few tens of milliseconds, nothing re-imported) in its
own process group, which the parent kills at the deadline. The child opens the analyst database file
read-only with the locked configuration, limits its address space (RLIMIT_AS) to what it maps after
opening plus `address_space` bytes, runs the one checked SELECT and writes one JSON line - {"status": "ok",
"n": bytes} followed by an Arrow IPC stream of at most `max_bytes`, or {"status": "error", "kind": ...,
"detail": ...} with kind one of interrupt, memory, permission, size, failed. Whatever the query builds (a
900 MB string, a huge join) lives and dies in the child: the server holds at most the capped result.

Only duckdb and pyarrow are imported here (no pandas, no framework modules), so forking stays cheap.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import threading
import time

import duckdb
import pyarrow as pa
import pyarrow.ipc

try:  # Unix only; elsewhere the worker runs without an OS memory limit
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None

BATCH_ROWS = 2_048
MAX_JOB_BYTES = 1 << 20  # one job message (the query is at most 20,000 characters)


def lock(con: duckdb.DuckDBPyConnection, allowed: list[str] = ()) -> None:
    """No files (but the `allowed` ones: the responses' snapshot), no extensions, no Python-variable scans; then
    freeze the settings (limits: set at connect)."""
    if allowed:
        con.execute("SET allowed_paths = ?", [list(allowed)])
    for stmt in (
        "SET python_enable_replacements = false",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET temp_directory = ''",
        "SET enable_external_access = false",
        "SET lock_configuration = true",
    ):
        con.execute(stmt)


def config(memory_limit: str, threads: int) -> dict:
    """The analyst database's resource settings, given at connect (lock() freezes them)."""
    return {"memory_limit": memory_limit, "threads": threads, "max_temp_directory_size": "0B"}


def open_locked(path: str, memory_limit: str, threads: int, allowed: list[str] = ()) -> duckdb.DuckDBPyConnection:
    """The analyst database file, read-only, with its limits and the lock."""
    con = duckdb.connect(path, read_only=True, config=config(memory_limit, threads))
    lock(con, allowed)
    return con


class Refused(Exception):
    """A query stopped in the worker: `kind` says why (interrupt, memory, permission, size, failed)."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind, detail)
        self.kind, self.detail = kind, detail


def fetch(cur, text: str, *, limit: int, deadline: float, max_bytes: int) -> pa.Table:
    """At most limit + 1 rows, read in batches; Refused as soon as they pass max_bytes or the deadline."""
    reader = cur.sql(text).limit(limit + 1).to_arrow_reader(BATCH_ROWS)
    batches, size = [], 0
    try:
        for batch in _batches(reader, deadline):
            size += batch.nbytes
            batches.append(batch)
            if size > max_bytes:
                raise Refused("size")
            if time.perf_counter() > deadline:
                raise Refused("interrupt", "deadline passed while fetching")
        return pa.Table.from_batches(batches, schema=reader.schema)
    finally:
        reader.close()


def _batches(reader, deadline: float):
    """The reader's batches; DuckDB errors met while streaming come through Arrow: raise them as DuckDB's."""
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowException as exc:
            text = str(exc)
            if time.perf_counter() >= deadline or "INTERRUPT" in text:
                raise duckdb.InterruptException(text) from None
            if "Out of Memory" in text:
                raise duckdb.OutOfMemoryException(text) from None
            raise duckdb.Error(text) from None


def query(con: duckdb.DuckDBPyConnection, text: str, *, limit: int, timeout: float, max_bytes: int) -> bytes:
    """The result of one checked SELECT as Arrow IPC bytes (at most max_bytes), or Refused.

    DuckDB is interrupted at the deadline by a timer (the parent also kills the process); every query runs
    in a transaction that is rolled back (the file is read-only as well).
    """
    cur = con.cursor()
    timer = threading.Timer(timeout, cur.interrupt)
    timer.daemon = True
    cur.begin()
    timer.start()
    try:
        table = fetch(cur, text, limit=limit, deadline=time.perf_counter() + timeout, max_bytes=max_bytes)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        del table
        data = sink.getvalue()
        if data.size > max_bytes:
            raise Refused("size")
        return data.to_pybytes()
    except duckdb.InterruptException as exc:
        raise Refused("interrupt", _first_line(exc)) from None
    except (duckdb.OutOfMemoryException, MemoryError, pa.ArrowMemoryError) as exc:
        raise Refused("memory", _first_line(exc)) from None
    except duckdb.PermissionException as exc:
        raise Refused("permission", _first_line(exc)) from None
    except duckdb.Error as exc:
        if "Out of Memory" in str(exc) or "bad_alloc" in str(exc):
            raise Refused("memory", _first_line(exc)) from None
        raise Refused("failed", _first_line(exc)) from None
    finally:
        timer.cancel()
        try:
            cur.rollback()
        except duckdb.Error:
            pass
        cur.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _vm_size() -> int | None:
    """This process's virtual size in bytes (Linux /proc), None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def limit_memory(extra: int) -> None:
    """RLIMIT_AS = what the process maps now + `extra` bytes (DuckDB reserves address space at open)."""
    now = _vm_size()
    if resource is None or now is None or extra <= 0:
        return
    resource.setrlimit(resource.RLIMIT_AS, (now + extra, now + extra))


def child(out: socket.socket, job: dict) -> None:
    """One query, in a forked child: run it and write the outcome on `out` (see send())."""
    try:
        con = open_locked(job["path"], job["memory_limit"], job["threads"], job.get("allowed", []))
        limit_memory(job["address_space"])
        data = query(con, job["query"], limit=job["limit"], timeout=job["timeout"], max_bytes=job["max_bytes"])
        send(out, {"status": "ok", "n": len(data)}, data)
    except Refused as exc:
        send(out, {"status": "error", "kind": exc.kind, "detail": exc.detail})
    except MemoryError:
        send(out, {"status": "error", "kind": "memory", "detail": "MemoryError"})
    except BaseException as exc:  # noqa: BLE001 - anything else is one 'failed' line, never a traceback
        send(out, {"status": "error", "kind": "failed", "detail": _first_line(exc)})


def send(out: socket.socket, head: dict, data: bytes = b"") -> None:
    """The answer: one JSON line, then head["n"] bytes of Arrow IPC when the status is ok."""
    out.sendall(json.dumps(head).encode() + b"\n")
    if data:
        out.sendall(data)


def serve(control: socket.socket) -> None:
    """The fork server: for each job (JSON + the answer socket's fd) fork a child in its own process
    group, reply with its pid (4 bytes); end when the parent closes the control socket."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(control, MAX_JOB_BYTES, 1)
        except OSError:
            return
        if not msg:
            for fd in fds:
                os.close(fd)
            return
        pid = os.fork()
        if pid == 0:  # the child: its own process group, no control socket
            code = 0
            try:
                os.setpgid(0, 0)
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                with socket.socket(fileno=fds[0]) as out:
                    child(out, json.loads(msg))
            except BaseException:  # noqa: BLE001 - the parent reads a closed socket as 'ended'
                code = 1
            finally:
                os._exit(code)
        try:
            os.setpgid(pid, pid)  # also here: the group exists before the parent can kill it
        except OSError:
            pass
        for fd in fds:
            os.close(fd)
        control.sendall(struct.pack("!i", pid))


if __name__ == "__main__":  # python -m framework.analyst_worker CONTROL_FD (started by framework.analyst)
    serve(socket.socket(fileno=int(sys.argv[1])))
