"""Copy a survey store between an embedded file and PostgreSQL (either way), checked by equal row counts.

`python -m framework migrate --from SRC --to DST`: SRC and DST are each a .duckdb file or a postgresql:// URL.
Every store table is created in DST exactly as DuckDB defines it in SRC and its rows copied as Arrow, in one
write transaction of DST (all or nothing); DST must hold no store tables yet. Afterwards each table's row count
and the data version (batch ids, accepted answers, last upload) are compared on both sides; a difference
raises MigrateError, and the figures the survey views show follow from the same rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from framework import db, pgstore
from framework.errors import BilingualError
from framework.pgstore.tables import store_tables


class MigrateError(BilingualError):
    """The store could not be copied (a missing source, a destination in use, unequal counts)."""


def _open(target, *, source: bool):
    if not pgstore.is_url(target) and source and not Path(target).is_file():
        raise MigrateError(f"ไม่พบคลังแบบสำรวจต้นทางที่ {target}", f"no source survey store at {target}")
    try:
        return db.connect(target, read_only=source and not pgstore.is_url(target))
    except Exception as exc:  # a locked or unreadable file, an unreachable server: one line
        if not (isinstance(exc, duckdb.Error) or pgstore.driver_error(exc)):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        where = pgstore.shown(target)
        raise MigrateError(
            f"เปิดคลังแบบสำรวจ {where} ไม่ได้ ({first}) — ปิดแอปที่ใช้ไฟล์นั้นอยู่ หรือตรวจที่อยู่ PostgreSQL ไม่มีข้อมูลใดถูกเปลี่ยน",
            f"cannot open the survey store {where} ({first}) - stop the app that uses that file, or check the "
            "PostgreSQL URL. Nothing was changed.",
        ) from None


def counts(con) -> dict[str, int]:
    """Rows of every store table."""
    cur = con.cursor()
    try:
        return {
            n: cur.execute(f"SELECT count(*) FROM store.main.{db.ident(n)}").fetchone()[0] for n in store_tables(cur)
        }
    finally:
        cur.close()


def migrate(source, dest) -> dict:
    """Copy every store table of `source` into the empty store `dest`; returns the figures checked on both."""
    src = _open(source, source=True)
    try:
        dst = _open(dest, source=False)
        try:
            if store_tables(dst.cursor()):
                raise MigrateError(
                    f"คลังปลายทาง {pgstore.shown(dest)} มีตารางของคลังแบบสำรวจอยู่แล้ว: ใช้คลังว่าง ไม่มีข้อมูลใดถูกเปลี่ยน",
                    f"the destination store {pgstore.shown(dest)} already holds survey tables: give an empty one. Nothing was changed.",
                )
            tables = store_tables(src.cursor())
            if not tables:
                raise MigrateError(
                    f"คลังต้นทาง {pgstore.shown(source)} ไม่มีข้อมูล",
                    f"the source store {pgstore.shown(source)} holds no tables",
                )
            with db.transaction(dst) as cur:
                for t in tables.values():
                    cur.execute(t.replica_ddl())
                    rows = src.cursor().sql(f"FROM store.main.{db.ident(t.name)}").to_arrow_table()
                    if rows.num_rows:
                        cur.register("_migrate_in", rows)
                        cur.execute(f"INSERT INTO store.main.{db.ident(t.name)} SELECT * FROM _migrate_in")
                        cur.unregister("_migrate_in")
            before, after = counts(src), counts(dst)
            version = (db.data_version(src), db.data_version(dst))
            if before != after or version[0] != version[1]:
                raise MigrateError(
                    f"สำเนาไม่ตรงกับต้นทาง (จำนวนแถว {before} / {after}) ตรวจคลังปลายทาง {pgstore.shown(dest)}",
                    f"the copy differs from the source (rows {before} / {after}); check the destination {pgstore.shown(dest)}",
                )
            return {
                "from": pgstore.shown(source),
                "to": pgstore.shown(dest),
                "tables": after,
                "data_version": version[1],
            }
        finally:
            dst.close()
    finally:
        src.close()
