"""A full disk (or another failed write) of the survey store: one bilingual message, reads kept, self-recovery.

What DuckDB does when the disk fills (reproduced on a 3 MB tmpfs, DuckDB 2.0):
- a COMMIT whose write-ahead log cannot be written fails with `TransactionException: Failed to commit: Could not
  write file ".../store.duckdb.wal": No space left on device`; the transaction is rolled back, the store stays
  usable;
- a checkpoint (automatic after a large commit, or at DETACH) that cannot write the file fails with
  `IOException: Checkpoint failed ... The database has been invalidated`; from then on EVERY query of that
  database says `Database "store" has been invalidated ... Detach and reattach it`, also after space is freed.
  Nothing committed is lost: DETACH + ATTACH (which replays the log, even while the disk is still full) brings
  it back.

So: `write_failure()` turns such an error into StoreFull / StoreWriteError (Thai and English: what happened,
where to free space, that nothing was stored), and `recover()` reattaches an invalidated store; the app calls it
before serving a page (ui.shell.connection) and `db.transaction` right after a failed write.
"""

from __future__ import annotations

import errno
import re
import shutil
import threading
from pathlib import Path

import duckdb

from framework.errors import BilingualError

_FULL = ("No space left on device", "Disk quota exceeded", "disk is full")
_INVALIDATED = "has been invalidated"
_FILE_IN_MESSAGE = re.compile(r'(?:file|database) "([^"]+)"')
_LOCK = threading.Lock()


class StoreWriteError(BilingualError):
    """The survey store could not be written; nothing of this write was stored, the stored data is intact."""


class StoreFull(StoreWriteError):
    """The disk holding the survey store (or the upload's temporary files) is full."""


def _free(where: Path) -> str:
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return ""
    return f"{free / 1e6:,.1f} MB"


def full_message(where: str | Path | None) -> StoreFull:
    """The one line a user reads when the disk is full: where to free space, and that nothing was stored."""
    folder = Path(where).parent if where and Path(where).suffix else Path(where or ".")
    free = _free(folder)
    now_th, now_en = (f" (ว่างอยู่ {free})", f" ({free} free now)") if free else ("", "")
    return StoreFull(
        f"ดิสก์เต็ม: บันทึกไม่ได้ และไม่มีข้อมูลใดของครั้งนี้ถูกบันทึก (ข้อมูลเดิมยังอยู่ครบ ดูผลได้ตามปกติ) — "
        f"เพิ่มพื้นที่ว่างในดิสก์ที่เก็บ {folder}{now_th} แล้วลองอีกครั้ง ไม่ต้องเริ่มแอปใหม่",
        f"The disk is full: nothing of this write was stored (the data already stored is intact and still shown) - "
        f"free space on the disk holding {folder}{now_en}, then try again; no restart is needed.",
    )


def _path_in(exc: BaseException) -> str | None:
    if isinstance(exc, OSError) and exc.filename:
        return str(exc.filename)
    return next((f for f in _FILE_IN_MESSAGE.findall(str(exc)) if "/" in f or "\\" in f), None)


def is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, duckdb.Error) and any(s in str(exc) for s in _FULL)


def write_failure(exc: BaseException, store_path: str | Path | None = None) -> StoreWriteError | None:
    """StoreFull for a full disk, StoreWriteError for a store DuckDB invalidated or could not write; None for
    any other error (a bug or a refusal, raised as it is)."""
    if is_full(exc):
        return full_message(_path_in(exc) or store_path)
    text = str(exc)
    if isinstance(exc, duckdb.Error) and (_INVALIDATED in text or isinstance(exc, duckdb.IOException)):
        first = text.strip().splitlines()[0][:200] if text.strip() else type(exc).__name__
        return StoreWriteError(
            f"เขียนคลังแบบสำรวจไม่สำเร็จ ({first}) ไม่มีข้อมูลใดของครั้งนี้ถูกบันทึก ข้อมูลเดิมยังอยู่ครบ — "
            "ตรวจพื้นที่ว่างและสิทธิ์ของดิสก์ แล้วลองอีกครั้ง",
            f"The survey store could not be written ({first}); nothing of this write was stored and the data "
            "already stored is intact - check the disk's free space and permissions, then try again.",
        )
    return None


def store_file(con) -> str | None:
    """The file attached as `store` (None: no store attached)."""
    try:
        row = con.cursor().execute("SELECT path FROM duckdb_databases() WHERE database_name = 'store'").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row and row[0] else None


def invalidated(con) -> bool:
    """Does the attached store answer only "has been invalidated" (a checkpoint failed)?"""
    cur = con.cursor()
    try:
        cur.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store'").fetchone()
        cur.execute("SELECT count(*) FROM store.information_schema.tables").fetchone()
        return False
    except duckdb.Error as exc:
        return _INVALIDATED in str(exc)
    finally:
        cur.close()


def recover(con) -> bool:
    """Reattach an invalidated store (DETACH + ATTACH: DuckDB replays its log; nothing committed is lost).
    True when it was reattached. Cheap when the store is fine (one catalogue query)."""
    if not invalidated(con):
        return False
    with _LOCK:
        if not invalidated(con):  # another thread did it
            return False
        path = store_file(con)
        if path is None:
            return False
        try:
            con.execute("DETACH store")
        except duckdb.Error:  # DETACH's own checkpoint fails on a full disk, but it detaches
            pass
        if store_file(con) is None:
            from framework.db import literal

            con.execute(f"ATTACH {literal(path)} AS store")
        return True
