"""The row-level responses of the analyst SQL page (HR only), read in place: one Parquet file per data version.

The store file cannot be opened by a second process while the app holds it, so the analyst workers read a
snapshot of store.responses that DuckDB writes straight from the store (no copy through Python) once per
data version and store: every HR workspace of that version (any t or k) shares it as the view `responses`
over read_parquet, the one file the locked database may read (allowed_paths). Before, each workspace
copied every response into its own database (about 10 s and the rows in memory at 3M).

The file sits in the analyst's private folder (framework.analyst.WORK_DIR), named after this process so that a
killed process's files are swept (analyst.sweep_stale); it is removed once no workspace uses it.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
import weakref
from pathlib import Path

from framework import db

_LOCK = threading.Lock()
_LIVE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # (store, version) -> Snapshot


class Snapshot:
    """One Parquet file of store.responses; removed when the last workspace holding it is gone."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._closer = weakref.finalize(self, _remove, self.path)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _write(con, where: Path) -> None:
    """store.responses as Parquet at `where` (written beside it first: a reader never sees half a file)."""
    tmp = where.with_name(f"{where.name}.{uuid.uuid4().hex[:8]}.tmp.parquet")
    try:
        db.execute(con, f"COPY (SELECT * FROM store.responses) TO {db.literal(tmp)} (FORMAT parquet)")
        os.replace(tmp, where)
    except BaseException:
        _remove(tmp)
        raise


def responses(con, work_dir: Path) -> Snapshot:
    """The snapshot of this store's responses at its current data version (written now if there is none)."""
    version = db.data_version(con)
    store = db.scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = 'store'") or ""
    key = (store, version)
    with _LOCK:
        snap = _LIVE.get(key)
        if snap is not None and snap.path.exists():
            return snap
        digest = hashlib.sha256(f"{store}\n{version}".encode()).hexdigest()[:16]
        path = Path(work_dir) / f"{os.getpid()}-responses-{digest}-{uuid.uuid4().hex[:8]}.parquet"
        _write(con, path)
        snap = Snapshot(path)
        if db.data_version(con) == version:  # no write landed meanwhile: later workspaces may share it
            _LIVE[key] = snap
        return snap
