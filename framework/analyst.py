"""Locked, read-only SQL for analysts: a separate in-memory DuckDB that cannot touch files or settings.

`build()` copies the framework tables and k-suppressed survey aggregates (row-level responses only
when the HR passphrase was given) into a fresh database, THEN disables external access and locks
the configuration. `run()` accepts exactly one SELECT statement and enforces a row and time limit.
"""
from __future__ import annotations

import json
import re
import threading
import time
import warnings
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from framework import db
from framework.errors import BilingualError
from framework.source import TABLES

DEFAULT_LIMIT = 5_000      # rows shown / exported from one query
MAX_LIMIT = 100_000
DEFAULT_TIMEOUT = 10.0     # seconds before a query is interrupted
MAX_QUERY_CHARS = 20_000
# Resources of one analyst database. DuckDB's memory_limit bounds its buffer manager (joins, sorts,
# aggregates, tables); values it builds outside it (one huge string) are bounded by MAX_RESULT_BYTES
# once fetched: the result is read in batches and refused past it, so no session holds more.
MEMORY_LIMIT = "512MB"
THREADS = 1                # one core per query: the server keeps the other for everyone else
MAX_RESULT_BYTES = 50 * 2**20
BATCH_ROWS = 2_048

# Tables derived in build(): name -> (Thai, English) description shown on the page.
DERIVED = {
    "requirement_matrix": ("ทุกบทบาท (ระยะ × กลุ่มบุคลากร) × หน่วยความสามารถ พร้อม required",
                           "Every role profile (stage × staff group) × unit, with `required`"),
    "coverage": ("ความครอบคลุมของแต่ละหน่วยความสามารถ ทุกระยะ แยกตามกลุ่มบุคลากร/หน่วยงาน/หน่วยงานย่อย "
                 "(ซ่อนกลุ่มเล็กแบบเดียวกับหน้าจอ)",
                 "Coverage of each unit, every stage, by staff group / agency / org unit "
                 "(small cells hidden as on screen)"),
    "readiness": ("ความพร้อมตามระยะ แยกตามกลุ่มบุคลากร/หน่วยงาน/หน่วยงานย่อย (ซ่อนกลุ่มเล็ก)",
                  "Readiness per stage by staff group / agency / org unit (small cells hidden)"),
    "responses": ("ข้อมูลรายบุคคล (ต้องใช้รหัสผ่าน HR)", "Row-level responses (HR passphrase only)"),
    "batches": ("ชุดข้อมูลที่นำเข้า (ต้องใช้รหัสผ่าน HR)", "Uploaded batches (HR passphrase only)"),
}

EXAMPLES = (
    ("จำนวนหน่วยความสามารถในแต่ละกลุ่ม", "Units per capability group",
     "SELECT g.key, g.name_th, g.name_en, count(u.code) AS units\n"
     "FROM capability_groups g JOIN units u ON u.group_key = g.key\n"
     "GROUP BY ALL\nORDER BY min(g.ord)"),
    ("หน่วยความสามารถที่บทบาทหนึ่งต้องมี", "Units one role profile requires",
     "SELECT unit_code, name_th, name_en\nFROM requirement_matrix\n"
     "WHERE stage = 'Developing' AND staff_group = 'Technologist' AND required\nORDER BY unit_ord"),
    ("จำนวนบทบาทที่ต้องมีแต่ละหน่วย", "How many role profiles require each unit",
     "SELECT unit_code, name_th, count_if(required) AS profiles\nFROM requirement_matrix\n"
     "GROUP BY ALL\nORDER BY min(unit_ord)"),
    ("ค้นหาเกณฑ์การปฏิบัติงานด้วยคำภาษาไทย", "Search performance criteria by a Thai word",
     "SELECT code, unit_code, text_th\nFROM criteria\nWHERE text_th LIKE '%ข้อมูล%'\nORDER BY ord"),
    ("ความครอบคลุมต่ำสุดในระยะ Developing ตามกลุ่มบุคลากร", "Lowest coverage at Developing by staff group",
     "SELECT key AS staff_group, code, n, met, round(coverage, 3) AS coverage, hidden\n"
     "FROM coverage\nWHERE \"by\" = 'group' AND stage = 'Developing' AND NOT is_total AND required\n"
     "ORDER BY coverage NULLS LAST\nLIMIT 20"),
    ("ความพร้อมของแต่ละหน่วยงาน", "Readiness of each agency",
     "SELECT key AS agency, stage, n, round(readiness, 3) AS readiness,\n"
     "       round(fully_ready, 3) AS fully_ready, hidden\n"
     "FROM readiness\nWHERE \"by\" = 'agency'\nORDER BY agency, stage"),
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
def survey_aggregates(con, *, min_cell: int, threshold: int) -> dict:
    """Coverage (every stage) and readiness by staff group, agency and org unit, as the screens show them.

    framework.analysis computes and suppresses them (small and complementary cells hidden), so the
    analyst sees exactly the figures the pages show and nothing finer.
    """
    from framework import analysis
    from framework.catalog import STAGES

    f = analysis.Filters(threshold=int(threshold), min_cell=int(min_cell))
    makers = {
        "coverage": lambda: [analysis.coverage(con, f, stage=s, by=by) for s in STAGES for by in analysis.BY],
        "readiness": lambda: [analysis.readiness(con, f, by=by) for by in analysis.BY],
    }
    out = {}
    for name, make in makers.items():
        try:
            df = pd.concat(make(), ignore_index=True)
        except Exception as exc:  # an analysis failure leaves that table out, never the whole page
            warnings.warn(f"analyst: {name} table not available: {exc}", stacklevel=2)
            continue
        df["threshold"], df["min_cell"] = int(threshold), int(min_cell)
        out[name] = pa.Table.from_pandas(df, preserve_index=False)
    return out


def source_tables(con: duckdb.DuckDBPyConnection, *, min_cell: int, threshold: int,
                  authorised: bool = False) -> dict:
    """Arrow tables the analyst database gets: framework tables, aggregates, row-level only if authorised."""
    from framework import sql

    out = {name: db.arrow(con, f"SELECT * FROM memory.main.{db.ident(name)}") for name in TABLES}
    out["requirement_matrix"] = db.arrow(con, sql.load("requirement_matrix"))
    if db.has_store(con):
        out.update(survey_aggregates(con, min_cell=min_cell, threshold=threshold))
        if authorised:
            out["responses"] = db.arrow(con, "SELECT * FROM store.responses")
            out["batches"] = db.arrow(con, "SELECT * FROM store.batches")
    return out


def lock(acon: duckdb.DuckDBPyConnection) -> None:
    """No files, no extensions, no Python-variable scans; then freeze the settings (limits: see connect())."""
    for stmt in ("SET python_enable_replacements = false",
                 "SET autoinstall_known_extensions = false",
                 "SET autoload_known_extensions = false",
                 "SET temp_directory = ''",
                 "SET enable_external_access = false",
                 "SET lock_configuration = true"):
        acon.execute(stmt)


def connect() -> duckdb.DuckDBPyConnection:
    """An empty in-memory database with the analyst's resource limits (fixed by lock() afterwards)."""
    return duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT, "threads": THREADS,
                                              "max_temp_directory_size": "0B"})


def build(con: duckdb.DuckDBPyConnection, *, min_cell: int, threshold: int,
          authorised: bool = False) -> duckdb.DuckDBPyConnection:
    """A fresh, locked in-memory database for analyst queries (see module docstring).

    k is checked here, for every caller: below the configured floor only when `authorised` (the HR
    passphrase was given, or none is configured) — framework.access.allowed_min_cell, the one k rule.
    """
    from framework import access

    try:
        min_cell = access.allowed_min_cell(min_cell, authorised)
    except BilingualError as exc:
        raise AnalystError(exc.th, exc.en) from None
    tables = source_tables(con, min_cell=min_cell, threshold=threshold, authorised=authorised)
    acon = connect()
    for name, table in tables.items():
        acon.register("_analyst_src", table)
        acon.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _analyst_src')
        acon.unregister("_analyst_src")
    lock(acon)
    return acon


# --- describing and running ------------------------------------------------------------------
def describe(acon: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Tables and columns an analyst can query, in a stable order."""
    cur = acon.cursor()
    try:
        return cur.execute(
            "SELECT table_name AS \"table\", column_name AS \"column\", data_type AS type "
            "FROM duckdb_columns() WHERE database_name = 'memory' AND schema_name = 'main' "
            "ORDER BY table_name, column_index").df()
    finally:
        cur.close()


def tables(acon: duckdb.DuckDBPyConnection) -> list[str]:
    return describe(acon)["table"].drop_duplicates().tolist()


def check(acon: duckdb.DuckDBPyConnection, query: str) -> str:
    """The one SELECT statement in `query`, or AnalystError saying why it is refused."""
    text = (query or "").strip()
    if not text:
        raise AnalystError("ยังไม่ได้พิมพ์คำสั่ง SQL: พิมพ์คำสั่ง SELECT หนึ่งคำสั่งในช่องด้านบน",
                           "No SQL given: type one SELECT statement in the editor above.")
    if len(text) > MAX_QUERY_CHARS:
        raise AnalystError(f"คำสั่งยาวเกิน {MAX_QUERY_CHARS:,} ตัวอักษร: ตัดให้สั้นลง",
                           f"The query is longer than {MAX_QUERY_CHARS:,} characters: shorten it.")
    try:
        stmts = acon.extract_statements(text)
    except duckdb.Error as exc:
        raise AnalystError("คำสั่ง SQL ไม่ถูกต้องตามไวยากรณ์: ตรวจตำแหน่งที่ระบุแล้วแก้ไข",
                           "The SQL has a syntax error: check the position shown and correct it.",
                           str(exc)) from None
    if not stmts:
        raise AnalystError("ไม่พบคำสั่ง SQL (มีแต่หมายเหตุหรือเครื่องหมาย ;)",
                           "No SQL statement found (only comments or semicolons).")
    if len(stmts) > 1:
        raise AnalystError(f"พบ {len(stmts)} คำสั่ง: ส่งได้ครั้งละหนึ่งคำสั่ง SELECT เท่านั้น ลบคำสั่งที่เหลือออก",
                           f"Found {len(stmts)} statements: send one SELECT statement at a time; "
                           "remove the others.")
    kind = stmts[0].type
    if kind != duckdb.StatementType.SELECT:
        name = str(kind).split(".")[-1]
        raise AnalystError(
            f"อนุญาตเฉพาะคำสั่ง SELECT (อ่านอย่างเดียว) แต่คำสั่งนี้เป็น {name}: "
            "หน้านี้ไม่เขียน แก้ไข ตั้งค่า แนบไฟล์ หรือติดตั้งส่วนขยาย",
            f"Only SELECT (read-only) is allowed, this is {name}: this page does not write, change "
            "settings, attach files or install extensions.")
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
            f"subquery: remove the {verb}; this page does not change data.")


def run(acon: duckdb.DuckDBPyConnection, query: str, *, limit: int = DEFAULT_LIMIT,
        timeout: float = DEFAULT_TIMEOUT, max_bytes: int | None = None) -> Result:
    """Run one checked SELECT on its own cursor: at most `limit` rows and `max_bytes` of result, stopped
    after `timeout` s (a timer thread interrupts DuckDB; the fetch loop checks the clock too)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    max_bytes = MAX_RESULT_BYTES if max_bytes is None else int(max_bytes)
    text = check(acon, query)
    cur = acon.cursor()
    start = time.perf_counter()
    timer = threading.Timer(timeout, cur.interrupt)
    timer.daemon = True
    cur.begin()  # every query is rolled back: whatever slipped past check() changes nothing
    timer.start()
    try:
        table = _fetch(cur, text, limit=limit, deadline=start + timeout, max_bytes=max_bytes)
    except duckdb.InterruptException:
        raise _timed_out(timeout) from None
    except duckdb.OutOfMemoryException:
        raise AnalystError(f"คำสั่งใช้หน่วยความจำเกิน {MEMORY_LIMIT} จึงถูกหยุด: รวมกลุ่ม (GROUP BY) หรือกรองด้วย WHERE "
                           "ให้ผลลัพธ์เล็กลง",
                           f"The query needed more than {MEMORY_LIMIT} of memory and was stopped: aggregate "
                           "(GROUP BY) or filter with WHERE to make the result smaller.") from None
    except duckdb.PermissionException as exc:
        raise AnalystError("หน้านี้อ่านได้เฉพาะตารางที่แสดงไว้ ไม่อ่านหรือเขียนไฟล์ ไม่เชื่อมต่อภายนอก",
                           "This page reads only the tables listed; it does not read or write files or "
                           "reach outside.", str(exc).splitlines()[0]) from None
    except duckdb.Error as exc:
        raise AnalystError("คำสั่งทำงานไม่สำเร็จ: ตรวจชื่อตาราง/คอลัมน์ในรายการด้านข้าง",
                           "The query failed: check table and column names against the list.",
                           str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    finally:
        timer.cancel()
        try:
            cur.rollback()
        except duckdb.Error:  # the transaction already ended with the error
            pass
        cur.close()  # DuckDB frees the query's memory with its cursor
    frame = _frame(table)
    seconds = time.perf_counter() - start
    del table
    truncated = len(frame) > limit
    if truncated:
        frame = frame.iloc[:limit].reset_index(drop=True)
    return Result(frame=frame, truncated=truncated, seconds=seconds, limit=limit)


def _fetch(cur, text: str, *, limit: int, deadline: float, max_bytes: int) -> pa.Table:
    """At most limit + 1 rows, read in batches; refused as soon as they pass max_bytes or the deadline.

    A refused result is dropped before the error is raised (an error kept on a page keeps its frames).
    """
    reader = cur.sql(text).limit(limit + 1).to_arrow_reader(BATCH_ROWS)
    batches, size, late = [], 0, False
    try:
        for batch in _batches(reader, deadline):
            size += batch.nbytes
            batches.append(batch)
            del batch
            late = time.perf_counter() > deadline
            if size > max_bytes or late:
                break
        else:
            return pa.Table.from_batches(batches, schema=reader.schema)
    finally:
        reader.close()
    batches.clear()
    if late and size <= max_bytes:
        raise duckdb.InterruptException("deadline passed while fetching")
    mb = max_bytes / 2**20
    raise AnalystError(f"ผลลัพธ์ใหญ่เกิน {mb:g} MB จึงไม่แสดง: เลือกเฉพาะคอลัมน์ที่ต้องใช้ ลดจำนวนแถวด้วย WHERE หรือ LIMIT "
                       "หรือรวมกลุ่มด้วย GROUP BY",
                       f"The result is larger than {mb:g} MB, so it is not shown: select only the columns you "
                       "need, fewer rows (WHERE, LIMIT), or aggregate (GROUP BY).")


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


def _frame(table: pa.Table) -> pd.DataFrame:
    """The Arrow result as DuckDB's own DataFrame conversion makes it (dates, decimals, nullable ints)."""
    with duckdb.connect(":memory:", config={"threads": 1}) as con:
        return con.from_arrow(table).df()


def _timed_out(timeout: float) -> AnalystError:
    return AnalystError(f"คำสั่งใช้เวลาเกิน {timeout:g} วินาทีจึงถูกหยุด: เพิ่มเงื่อนไข WHERE หรือ LIMIT ให้แคบลง",
                        f"The query took longer than {timeout:g} s and was stopped: narrow it with "
                        "WHERE or LIMIT.")


# --- HR passphrase ---------------------------------------------------------------------------
def hr_authorised(passphrase: str | None, secret: str | None = None) -> bool:
    """Whether row-level tables may be included: framework.access decides (local mode allows everything)."""
    from framework import access

    return access.verify(passphrase, secret)
