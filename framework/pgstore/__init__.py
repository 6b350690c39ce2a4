"""The survey store in PostgreSQL (SKILLS_DB=postgresql://…): several app processes and the CLI on one store.

One store interface, two implementations: the embedded DuckDB file (the default), or PostgreSQL, of which each
process keeps a DuckDB replica attached as `store` (pgstore/replica.py), so every module's SQL runs unchanged
and DuckDB stays the analysis engine.
- tables.py   the PostgreSQL tables generated from the DuckDB schema (a `_pg_rev` column), the change checksums
- changes.py  what a write transaction changed, at the cost of what it changed (the tables its statements write)
- replica.py  Link: load and re-sync the replica by revision; write transactions shipped to PostgreSQL
- limits.py   the throttles shared by every process of the store (submission limits, passphrase/code delays)
- migrate.py  `python -m framework migrate --from A --to B` (file <-> PostgreSQL), checked by equal counts

framework/db.py calls `attach()` from connect(), `link_of()` in transaction(), execute() and data_version().
"""

from __future__ import annotations

import uuid
import weakref

from framework.errors import BilingualError
from framework.pgstore.tables import MARKER

SCHEMES = ("postgresql://", "postgres://")
_LINKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> Link
_BY_KEY: dict[str, weakref.ref] = {}  # marker key -> Link (for cursors of a linked connection)


class PgRefused(BilingualError):
    """A feature that works on the store file only (compaction, the analyst's file snapshot)."""


def is_url(store) -> bool:
    """Does SKILLS_DB / --db name a PostgreSQL store rather than a file?"""
    return isinstance(store, str) and store.startswith(SCHEMES)


def attach(con, url: str) -> None:
    """Attach an in-memory replica of the PostgreSQL store `url` as `store` and load it."""
    from framework.pgstore.replica import Link

    link = Link(url)
    key = uuid.uuid4().hex
    con.execute("ATTACH ':memory:' AS store")
    con.execute(f"CREATE TABLE store.main.{MARKER} AS SELECT '{key}' AS key")
    _LINKS[con] = link
    _BY_KEY[key] = weakref.ref(link)
    link.setup(con)


def link_of(con):
    """The Link of a connection (or of a cursor of it) to a PostgreSQL store; None for the embedded file."""
    if not _LINKS:
        return None
    try:
        link = _LINKS.get(con)
    except TypeError:  # a weakref.proxy of a connection (the group committer's) cannot be a weak key: ask it
        link = None
    if link is not None:
        return link
    try:
        rows = con.execute(f"SELECT key FROM store.main.{MARKER}").fetchall()  # to the end: no open result left
        row = rows[0] if rows else None
    except Exception:  # noqa: BLE001 - no marker table: an embedded store (or none)
        return None
    ref = _BY_KEY.get(row[0]) if row else None
    return ref() if ref else None


def shown(store) -> str:
    """A store as a message may show it: a postgresql:// URL without its password."""
    text = str(store)
    if not is_url(text):
        return text
    scheme, _, rest = text.partition("://")
    auth, at, host = rest.rpartition("@")
    if at and ":" in auth:
        auth = auth.split(":", 1)[0] + ":***"
    return f"{scheme}://{auth}{at}{host}"


def driver_error(exc: BaseException) -> bool:
    """Is this an error of the PostgreSQL drivers (server down, connection lost, refused)?"""
    return type(exc).__module__.startswith(("adbc_driver", "psycopg"))


def unavailable(exc: BaseException) -> tuple[str, str]:
    """(Thai, English) of a write the PostgreSQL store could not take (storage.StoreWriteError in db.py)."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    th = (
        f"บันทึกลงคลังแบบสำรวจ PostgreSQL ไม่สำเร็จ ({first}) ไม่มีข้อมูลใดของครั้งนี้ถูกบันทึก ข้อมูลเดิมยังอยู่ครบ — "
        "ตรวจว่าเซิร์ฟเวอร์ PostgreSQL ทำงานและเชื่อมต่อได้ แล้วลองอีกครั้ง"
    )
    en = (
        f"The PostgreSQL survey store could not be written ({first}); nothing of this write was stored and the "
        "data already stored is intact - check that the PostgreSQL server is running and reachable, then try again."
    )
    return th, en


def unreachable(where: str) -> tuple[str, str]:
    """(Thai, English) when the app cannot reach its PostgreSQL store `where` (shown(): no password)."""
    th = f"เชื่อมต่อคลังแบบสำรวจ PostgreSQL ({where}) ไม่ได้ — ตรวจว่าเซิร์ฟเวอร์ทำงานอยู่และที่อยู่ใน SKILLS_DB ถูกต้อง แล้วโหลดหน้านี้ใหม่"
    en = (
        f"Cannot reach the PostgreSQL survey store ({where}) - check that the server is running and that "
        "SKILLS_DB is right, then reload this page."
    )
    return th, en


def refuse(what_th: str, what_en: str) -> PgRefused:
    """The one message for a file-only feature asked of a PostgreSQL store."""
    return PgRefused(
        f"{what_th} ใช้ได้กับคลังแบบสำรวจที่เป็นไฟล์ .duckdb เท่านั้น คลังนี้อยู่ใน PostgreSQL (SKILLS_DB) — "
        "ใช้ python -m framework migrate เพื่อคัดลอกเป็นไฟล์ก่อน ไม่มีข้อมูลใดถูกเปลี่ยน",
        f"{what_en} works on a .duckdb store file only; this store is in PostgreSQL (SKILLS_DB) - copy it to a "
        "file with `python -m framework migrate` first. Nothing was changed.",
    )


def detach(con) -> None:
    """Close the PostgreSQL connection of a replica (the DuckDB connection is closed by its owner)."""
    link = link_of(con)
    if link is not None:
        with link.lock:
            link._drop_pg()
