"""Locked, read-only SQL for analysts: a separate DuckDB database that cannot touch files or settings.

`build()` copies the framework tables and k-suppressed survey aggregates into a private temporary DuckDB
file (row-level responses only when the HR passphrase was given: a view over their Parquet snapshot,
framework.analyst_snapshot, the one file it may read), then opens it read-only with external access
disabled and the configuration locked. `run()` accepts exactly one SELECT statement and
runs it in a worker PROCESS (framework.analyst_worker) that opens the file the same locked way, under an
OS memory limit, and is killed at the time limit; only the result, capped in rows and bytes, comes back.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
import weakref
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.ipc

from framework import access, analysis, analyst_snapshot, db, identity, sql
from framework import analyst_worker as worker
from framework.analysis.memo import view
from framework.catalog import STAGES
from framework.catalog.document import TABLES
from framework.errors import BilingualError
from framework.store.spill import process_alive

DEFAULT_LIMIT = 5_000  # rows shown / exported from one query
MAX_LIMIT = 100_000
DEFAULT_TIMEOUT = 10.0  # seconds before a query is interrupted
MAX_QUERY_CHARS = 20_000
# Resources of one query. DuckDB's memory_limit bounds its buffer manager (joins, sorts, aggregates);
# what it builds outside it (one huge string) is bounded by the worker's address-space limit (RLIMIT_AS:
# what the worker maps after opening the database + WORKER_ADDRESS_SPACE). The result is read in batches
# in the worker and refused past MAX_RESULT_BYTES, so the server never receives more.
MEMORY_LIMIT = "512MB"
THREADS = 1  # one core per query: the server keeps the other for everyone else
MAX_RESULT_BYTES = 50 * 2**20
WORKER_ADDRESS_SPACE = 2**30
KILL_GRACE = 0.25  # seconds past the time limit before the worker is killed (it interrupts itself first)
# Analyst database files: private to this user, named <pid>-<random>.duckdb (see sweep_stale).
WORK_DIR = Path(tempfile.gettempdir()) / f"skills-analyst-{os.getuid() if hasattr(os, 'getuid') else 'u'}"

# Tables derived in build(): name -> (Thai, English) description shown on the page.
DERIVED = {
    "requirement_matrix": (
        "ทุกบทบาท (ระยะ × กลุ่มบุคลากร) × หน่วยความสามารถ พร้อม required",
        "Every role profile (stage × staff group) × unit, with `required`",
    ),
    "coverage": (
        ("ความครอบคลุมของแต่ละหน่วยความสามารถ ทุกระยะ แยกตามกลุ่มบุคลากร/หน่วยงาน/หน่วยงานย่อย (ซ่อนกลุ่มเล็กแบบเดียวกับหน้าจอ)"),
        ("Coverage of each unit, every stage, by staff group / agency / org unit (small cells hidden as on screen)"),
    ),
    "readiness": (
        "ความพร้อมตามระยะ แยกตามกลุ่มบุคลากร/หน่วยงาน/หน่วยงานย่อย (ซ่อนกลุ่มเล็ก)",
        "Readiness per stage by staff group / agency / org unit (small cells hidden)",
    ),
    "responses": ("ข้อมูลรายบุคคล (ต้องใช้รหัสผ่าน HR)", "Row-level responses (HR passphrase only)"),
    "batches": ("ชุดข้อมูลที่นำเข้า (ต้องใช้รหัสผ่าน HR)", "Uploaded batches (HR passphrase only)"),
}

EXAMPLES = (
    (
        "จำนวนหน่วยความสามารถในแต่ละกลุ่ม",
        "Units per capability group",
        (
            "SELECT g.key, g.name_th, g.name_en, count(u.code) AS units\n"
            "FROM capability_groups g JOIN units u ON u.group_key = g.key\n"
            "GROUP BY ALL\nORDER BY min(g.ord)"
        ),
    ),
    (
        "หน่วยความสามารถที่บทบาทหนึ่งต้องมี",
        "Units one role profile requires",
        (
            "SELECT unit_code, name_th, name_en\nFROM requirement_matrix\n"
            "WHERE stage = 'Developing' AND staff_group = 'Technologist' AND required\nORDER BY unit_ord"
        ),
    ),
    (
        "จำนวนบทบาทที่ต้องมีแต่ละหน่วย",
        "How many role profiles require each unit",
        (
            "SELECT unit_code, name_th, count_if(required) AS profiles\nFROM requirement_matrix\n"
            "GROUP BY ALL\nORDER BY min(unit_ord)"
        ),
    ),
    (
        "ค้นหาเกณฑ์การปฏิบัติงานด้วยคำภาษาไทย",
        "Search performance criteria by a Thai word",
        "SELECT code, unit_code, text_th\nFROM criteria\nWHERE text_th LIKE '%ข้อมูล%'\nORDER BY ord",
    ),
    (
        "ความครอบคลุมต่ำสุดในระยะ Developing ตามกลุ่มบุคลากร",
        "Lowest coverage at Developing by staff group",
        (
            "SELECT key AS staff_group, code, n, met, round(coverage, 3) AS coverage, hidden\n"
            "FROM coverage\nWHERE \"by\" = 'group' AND stage = 'Developing' AND NOT is_total AND required\n"
            "ORDER BY coverage NULLS LAST\nLIMIT 20"
        ),
    ),
    (
        "ความพร้อมของแต่ละหน่วยงาน",
        "Readiness of each agency",
        (
            "SELECT key AS agency, stage, n, round(readiness, 3) AS readiness,\n"
            "       round(fully_ready, 3) AS fully_ready, hidden\n"
            "FROM readiness\nWHERE \"by\" = 'agency'\nORDER BY agency, stage"
        ),
    ),
)


class AnalystError(BilingualError):
    """A refused or failed analyst query; carries the message in Thai and English."""

    def __init__(self, th: str, en: str, detail: str = ""):
        super().__init__(th, en, detail)
        self.args = (f"{en} / {th}" + (f" ({detail})" if detail else ""),)


@dataclass
class Result:
    """One query's result: at most `limit` rows, whether more existed, and the time taken."""

    frame: pd.DataFrame
    truncated: bool
    seconds: float
    limit: int

    @property
    def rows(self) -> int:
        return len(self.frame)


# --- building the locked database ------------------------------------------------------------
@view  # the twelve views share one catalogue frame, one set of population atoms, one source check
def survey_aggregates(con, *, min_cell: int, threshold: int, authorised: bool = False, scope=None) -> dict:
    """Coverage (every stage) and readiness by staff group, agency and org unit, as the screens show them.

    framework.analysis computes and suppresses them (without the passphrase: sums of whole disclosure blocks,
    "small" / "pooled" / "empty" cells hidden), so the analyst sees exactly the figures the pages show and
    nothing finer.
    """
    f = analysis.Filters(threshold=int(threshold), min_cell=int(min_cell), authorised=authorised, scope=scope)
    makers = {
        "coverage": lambda: [
            analysis.with_round(con, f, analysis.coverage(con, f, stage=s, by=by), by)
            for s in STAGES
            for by in analysis.BY
        ],
        "readiness": lambda: [analysis.with_round(con, f, analysis.readiness(con, f, by=by), by) for by in analysis.BY],
    }
    out = {}
    for name, make in makers.items():
        try:
            df = pd.concat(make(), ignore_index=True)
        except Exception as exc:  # noqa: BLE001 - an analysis failure leaves that table out, never the whole page
            warnings.warn(f"analyst: {name} table not available: {exc}", stacklevel=2)
            continue
        df["threshold"], df["min_cell"] = int(threshold), int(min_cell)
        out[name] = pa.Table.from_pandas(df, preserve_index=False)
    return out


def source_tables(con, *, min_cell: int, threshold: int, authorised: bool = False, scope=None) -> dict:
    """Arrow tables the analyst database gets: framework tables, aggregates, row-level only if authorised; the
    survey tables only of the agencies in `scope` (framework.identity.analysis_scope; None = every agency)."""
    out = {name: db.arrow(con, f"SELECT * FROM memory.main.{db.ident(name)}") for name in TABLES}
    out["requirement_matrix"] = db.arrow(con, sql.load("requirement_matrix"))
    if db.has_store(con):
        out.update(survey_aggregates(con, min_cell=min_cell, threshold=threshold, authorised=authorised, scope=scope))
        if authorised:  # batches; the responses read in place (build: a view over their snapshot), except for a
            out.update(identity.row_tables(con, scope))  # signed-in person: a copy of their agencies' rows only
    return out


def build(con, *, min_cell: int, threshold: int, authorised: bool = False, scope=None) -> Workspace:
    """A fresh, locked analyst database for analyst queries (see module docstring).

    k is checked here, for every caller: below the configured floor only when `authorised` (the HR
    passphrase was given, or none is configured) — framework.access.allowed_min_cell, the one k rule.
    The tables are written once to a private temporary DuckDB file that every query's worker process
    opens read-only; this process keeps a read-only, locked connection to it for check() and describe().
    """
    try:
        min_cell = access.allowed_min_cell(min_cell, authorised)
    except BilingualError as exc:
        raise AnalystError(exc.th, exc.en) from None
    tables = source_tables(con, min_cell=min_cell, threshold=threshold, authorised=authorised, scope=scope)
    path = _new_file()
    snap = analyst_snapshot.responses(con, path.parent) if authorised and db.has_store(con) and scope is None else None
    allowed = [str(snap.path)] if snap else []
    try:
        with duckdb.connect(str(path)) as out:
            for name, table in tables.items():
                out.register("_analyst_src", table)
                out.execute(f"CREATE TABLE {db.ident(name)} AS SELECT * FROM _analyst_src")
                out.unregister("_analyst_src")
            if snap:  # row-level responses: read where they are, the one file this database may read
                out.execute(f"CREATE VIEW responses AS SELECT * FROM read_parquet({db.literal(snap.path)})")
        del tables
        acon = worker.open_locked(str(path), MEMORY_LIMIT, THREADS, allowed)
    except BaseException:
        _remove(path)
        raise
    _SERVER.warm()  # the first query then does not wait for the worker's imports
    return Workspace(path, acon, MEMORY_LIMIT, THREADS, snap)


class Workspace:
    """A locked analyst database: its temporary file (read by the query workers) and this process's
    read-only, locked connection to it (check, describe; other attributes are the connection's).

    The file is removed by close(), when the workspace is garbage-collected, or at exit; files left by a
    killed process are removed by the next build() (`sweep_stale`).
    """

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, memory_limit: str, threads: int, snapshot=None):
        self.path, self.con, self.memory_limit, self.threads = Path(path), con, memory_limit, threads
        self.snapshot = snapshot  # the responses' Parquet file (analyst_snapshot), kept while this workspace is
        self.allowed = [str(snapshot.path)] if snapshot else []
        self._closer = weakref.finalize(self, _discard, con, self.path)

    def __getattr__(self, name):  # cursor(), execute(), extract_statements() ... of the locked connection
        return getattr(self.__dict__["con"], name)

    def close(self) -> None:
        self._closer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _new_file() -> Path:
    """A new private file name in WORK_DIR (0700, this user's), named after this process (see sweep_stale)."""
    WORK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    where = WORK_DIR
    if hasattr(os, "getuid") and where.stat().st_uid != os.getuid():  # someone else's directory: not ours to use
        where = Path(tempfile.mkdtemp(prefix="skills-analyst-"))
    else:
        where.chmod(0o700)
        sweep_stale(where)
    return where / f"{os.getpid()}-{uuid.uuid4().hex}.duckdb"


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _discard(con, path: Path) -> None:
    try:
        con.close()
    finally:
        _remove(path)


def sweep_stale(work_dir: Path | None = None) -> int:
    """Remove analyst database files whose process has ended (killed before it could clean up); returns how many."""
    removed = 0
    for p in [*(work_dir or WORK_DIR).glob("*.duckdb*"), *(work_dir or WORK_DIR).glob("*.parquet")]:
        pid = p.name.split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            try:
                p.unlink()
                removed += 1
            except OSError:
                pass
    return removed


# --- describing and running ------------------------------------------------------------------
def describe(acon: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Tables and columns an analyst can query, in a stable order."""
    cur = acon.cursor()
    try:
        return cur.execute(
            "SELECT table_name AS \"table\", column_name AS \"column\", data_type AS type "
            "FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' "
            "ORDER BY table_name, column_index"
        ).df()
    finally:
        cur.close()


def tables(acon: duckdb.DuckDBPyConnection) -> list[str]:
    return describe(acon)["table"].drop_duplicates().tolist()


def check(acon: duckdb.DuckDBPyConnection, query: str) -> str:
    """The one SELECT statement in `query`, or AnalystError saying why it is refused."""
    text = (query or "").strip()
    if not text:
        raise AnalystError(
            "ยังไม่ได้พิมพ์คำสั่ง SQL: พิมพ์คำสั่ง SELECT หนึ่งคำสั่งในช่องด้านบน",
            "No SQL given: type one SELECT statement in the editor above.",
        )
    if len(text) > MAX_QUERY_CHARS:
        raise AnalystError(
            f"คำสั่งยาวเกิน {MAX_QUERY_CHARS:,} ตัวอักษร: ตัดให้สั้นลง",
            f"The query is longer than {MAX_QUERY_CHARS:,} characters: shorten it.",
        )
    try:
        stmts = acon.extract_statements(text)
    except duckdb.Error as exc:
        raise AnalystError(
            "คำสั่ง SQL ไม่ถูกต้องตามไวยากรณ์: ตรวจตำแหน่งที่ระบุแล้วแก้ไข",
            "The SQL has a syntax error: check the position shown and correct it.",
            str(exc),
        ) from None
    if not stmts:
        raise AnalystError(
            "ไม่พบคำสั่ง SQL (มีแต่หมายเหตุหรือเครื่องหมาย ;)", "No SQL statement found (only comments or semicolons)."
        )
    if len(stmts) > 1:
        raise AnalystError(
            f"พบ {len(stmts)} คำสั่ง: ส่งได้ครั้งละหนึ่งคำสั่ง SELECT เท่านั้น ลบคำสั่งที่เหลือออก",
            f"Found {len(stmts)} statements: send one SELECT statement at a time; remove the others.",
        )
    kind = stmts[0].type
    if kind != duckdb.StatementType.SELECT:
        name = str(kind).split(".")[-1]
        raise AnalystError(
            f"อนุญาตเฉพาะคำสั่ง SELECT (อ่านอย่างเดียว) แต่คำสั่งนี้เป็น {name}: หน้านี้ไม่เขียน แก้ไข ตั้งค่า แนบไฟล์ หรือติดตั้งส่วนขยาย",
            f"Only SELECT (read-only) is allowed, this is {name}: this page does not write, change "
            "settings, attach files or install extensions.",
        )
    _refuse_writing_ctes(acon, stmts[0].query)
    return stmts[0].query


# Parse-tree node types of a statement that changes data (DuckDB reports `WITH x AS (DELETE ...
# RETURNING *) SELECT ...` as a SELECT statement, so the tree itself is searched).
_WRITING_NODE = re.compile(r'"type"\s*:\s*"((?:INSERT|UPDATE|DELETE|MERGE)\w*_NODE)"')


def _refuse_writing_ctes(acon: duckdb.DuckDBPyConnection, text: str) -> None:
    """Refuse a SELECT that hides a data change in a WITH clause or a subquery."""
    cur = acon.cursor()
    try:
        tree = cur.execute("SELECT json_serialize_sql(?)", [text]).fetchone()[0]
    except duckdb.Error:  # cannot tell: run() still rolls every query back
        return
    finally:
        cur.close()
    found = _WRITING_NODE.search(tree or "")
    if found:
        verb = found.group(1).split("_")[0]
        raise AnalystError(
            f"อนุญาตเฉพาะคำสั่ง SELECT (อ่านอย่างเดียว) แต่คำสั่งนี้มี {verb} ซ่อนอยู่ใน WITH หรือคำสั่งย่อย: "
            f"ลบส่วนที่เป็น {verb} ออก หน้านี้ไม่แก้ไขข้อมูล",
            f"Only SELECT (read-only) is allowed, but this query hides a {verb} in a WITH clause or "
            f"subquery: remove the {verb}; this page does not change data.",
        )


def run(
    acon: Workspace,
    query: str,
    *,
    limit: int = DEFAULT_LIMIT,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = None,
) -> Result:
    """Run one checked SELECT in a worker process: at most `limit` rows and `max_bytes` of result, the
    worker killed at `timeout` s (framework.analyst_worker); this process receives only the capped result."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    max_bytes = MAX_RESULT_BYTES if max_bytes is None else int(max_bytes)
    text = check(acon, query)
    job = {
        "path": str(acon.path),
        "query": text,
        "limit": limit,
        "timeout": float(timeout),
        "max_bytes": max_bytes,
        "memory_limit": acon.memory_limit,
        "threads": acon.threads,
        "address_space": WORKER_ADDRESS_SPACE,
        "allowed": acon.allowed,
    }
    start = time.perf_counter()
    data = _in_worker(job, deadline=start + timeout + KILL_GRACE)
    table = pa.ipc.open_stream(data).read_all()
    del data
    frame = _frame(table)
    seconds = time.perf_counter() - start
    del table
    truncated = len(frame) > limit
    if truncated:
        frame = frame.iloc[:limit].reset_index(drop=True)
    return Result(frame=frame, truncated=truncated, seconds=seconds, limit=limit)


class _ForkServer:
    """The one fork server of this process (framework.analyst_worker), started on first use and again
    if it has died; `submit` is thread-safe (Streamlit sessions run queries at the same time)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc = None
        self._control = None

    def _start(self) -> None:
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ)
        root = str(Path(worker.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "framework.analyst_worker", str(there.fileno())],
            pass_fds=[there.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        there.close()
        self._control = here

    def warm(self) -> None:
        """Start the server now (its imports take about a second) so the first query does not wait."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._start()

    def submit(self, job: dict) -> tuple[socket.socket, int]:
        """Send one job; returns (the socket its answer comes on, the child's pid = process group)."""
        msg = json.dumps(job).encode()
        with self._lock:
            for attempt in (1, 2):
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                here, there = socket.socketpair()
                try:
                    socket.send_fds(self._control, [msg], [there.fileno()])
                    reply = self._control.recv(4)
                except OSError:
                    reply = b""
                finally:
                    there.close()
                if len(reply) == 4:
                    return here, struct.unpack("!i", reply)[0]
                here.close()
                self._stop()  # the server died (killed, out of memory): start a new one once
            raise AnalystError(
                "เริ่มตัวประมวลผลคำสั่งไม่ได้: ลองอีกครั้ง หรือแจ้งผู้ดูแลระบบ",
                "The query worker could not be started: try again, or tell the administrator.",
            )

    def _stop(self) -> None:
        if self._control is not None:
            self._control.close()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)
        self._proc = self._control = None


_SERVER = _ForkServer()


def _in_worker(job: dict, *, deadline: float) -> bytes:
    """Run the job in a worker, wait for its answer until `deadline`, kill its process group past it."""
    sock, pid = _SERVER.submit(job)
    done = False
    try:
        line, rest = _read_line(sock, deadline)
        head = json.loads(line)
        if head["status"] == "ok" and head["n"] <= job["max_bytes"]:  # never more than the cap here
            data = _read(sock, rest, head["n"], deadline)
            done = True
            return data
        kind, detail = ("size", "") if head["status"] == "ok" else (str(head["kind"]), str(head.get("detail", "")))
    except TimeoutError:
        kind, detail = "interrupt", ""
    except (EOFError, ValueError, KeyError, TypeError):  # no whole answer: its memory limit or the OS ended it
        kind, detail = "memory", "the worker ended without an answer"
    finally:
        sock.close()
        if not done:
            _kill(pid)
    raise _refusal(kind, detail, job)


def _read_line(sock: socket.socket, deadline: float, most: int = 1 << 16) -> tuple[bytes, bytes]:
    """The answer's first line (JSON) and the bytes read after it, before `deadline` (else TimeoutError),
    from a worker still there (else EOFError)."""
    buf = b""
    while b"\n" not in buf:
        if len(buf) > most:
            raise ValueError("answer header too long")
        buf += _chunk(sock, deadline, most)
    line, rest = buf.split(b"\n", 1)
    return line, rest


def _read(sock: socket.socket, rest: bytes, n: int, deadline: float) -> bytes:
    """Exactly n bytes of the answer (n is at most the result cap), `rest` already read."""
    out = bytearray(rest)
    while len(out) < n:
        out += _chunk(sock, deadline, min(n - len(out), 1 << 20))
    return bytes(out[:n])


def _chunk(sock: socket.socket, deadline: float, size: int) -> bytes:
    left = deadline - time.perf_counter()
    if left <= 0:
        raise TimeoutError
    sock.settimeout(left)
    try:
        data = sock.recv(size)
    except TimeoutError:
        raise TimeoutError from None
    if not data:
        raise EOFError
    return data


def _kill(pid: int) -> None:
    """End the worker's process group now (the fork server reaps it)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _refusal(kind: str, detail: str, job: dict) -> AnalystError:
    """The bilingual message for a worker's refusal (kinds: framework.analyst_worker)."""
    if kind == "interrupt":
        return _timed_out(job["timeout"])
    if kind == "memory":
        return AnalystError(
            f"คำสั่งใช้หน่วยความจำเกิน {job['memory_limit']} จึงถูกหยุด: รวมกลุ่ม (GROUP BY) หรือกรองด้วย WHERE ให้ผลลัพธ์เล็กลง",
            f"The query needed more than {job['memory_limit']} of memory and was stopped: aggregate "
            "(GROUP BY) or filter with WHERE to make the result smaller.",
        )
    if kind == "size":
        mb = job["max_bytes"] / 2**20
        return AnalystError(
            f"ผลลัพธ์ใหญ่เกิน {mb:g} MB จึงไม่แสดง: เลือกเฉพาะคอลัมน์ที่ต้องใช้ ลดจำนวนแถวด้วย WHERE หรือ LIMIT หรือรวมกลุ่มด้วย GROUP BY",
            f"The result is larger than {mb:g} MB, so it is not shown: select only the columns you "
            "need, fewer rows (WHERE, LIMIT), or aggregate (GROUP BY).",
        )
    if kind == "permission":
        return AnalystError(
            "หน้านี้อ่านได้เฉพาะตารางที่แสดงไว้ ไม่อ่านหรือเขียนไฟล์ ไม่เชื่อมต่อภายนอก",
            "This page reads only the tables listed; it does not read or write files or reach outside.",
            detail,
        )
    return AnalystError(
        "คำสั่งทำงานไม่สำเร็จ: ตรวจชื่อตาราง/คอลัมน์กับรายการตารางในหน้านี้ (รายละเอียดทางเทคนิคจาก DuckDB ด้านล่างเป็นภาษาอังกฤษ)",
        "The query failed: check table and column names against the table list on this page "
        "(DuckDB's technical detail below).",
        detail,
    )


def _frame(table: pa.Table) -> pd.DataFrame:
    """The Arrow result as DuckDB's own DataFrame conversion makes it (dates, decimals, nullable ints)."""
    with duckdb.connect(":memory:", config={"threads": 1}) as con:
        return con.from_arrow(table).df()


def _timed_out(timeout: float) -> AnalystError:
    return AnalystError(
        f"คำสั่งใช้เวลาเกิน {timeout:g} วินาทีจึงถูกหยุด: เพิ่มเงื่อนไข WHERE หรือ LIMIT ให้แคบลง",
        f"The query took longer than {timeout:g} s and was stopped: narrow it with WHERE or LIMIT.",
    )
