"""A process's replica of a PostgreSQL store: loaded as Arrow, re-synced by revision, written through.

PostgreSQL holds the store (schema `skills`, pgstore/tables.py); each process keeps the store's tables in an
in-memory DuckDB database attached as `store`, so every module's DuckDB SQL runs unchanged.
- Reads: `refresh()` (called where pages take their cache key, db.data_version) reads one revision row; when
  another process wrote, only what was shipped since is reloaded (Arrow, ADBC): tables shipped whole, the
  batches re-shipped (deleted, then read again) and the rows appended (`_pg_rev` above the replica's).
- Writes: `transaction()` takes PostgreSQL's advisory lock (one writer at a time across every process), re-syncs
  the replica to the latest state (so "each person once per round" sees every process's answers), runs the
  DuckDB transaction as it is on a cursor that notes which tables each statement writes (pgstore/changes.py),
  then ships what changed in those tables alone - new rows appended, changed batches or tables replaced
  (delete + Arrow bulk copy) - and bumps the revision, in one PostgreSQL transaction; PostgreSQL commits before
  DuckDB, and any failure undoes both (a failed DuckDB commit after it forces a full reload).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from framework.pgstore.changes import Plan, Tracked, plan
from framework.pgstore.tables import LOCK_KEY, META, REV, SCHEMA, Table, pg_ident, store_tables

_log = logging.getLogger(__name__)


def _pg_connect(url: str):
    import adbc_driver_postgresql.dbapi as adbc  # on use: the embedded store never needs it

    return adbc.connect(url)


class Link:
    """One replica (a DuckDB connection's `store`) of one PostgreSQL store."""

    def __init__(self, url: str):
        self.url = url
        self.lock = threading.RLock()  # one sync or write at a time in this process
        self.rev = -1  # the PostgreSQL revision the replica holds (-1: nothing loaded)
        self.ddl: dict[str, str] = {}  # DuckDB DDL of each replica table, as loaded
        self._pg = None
        self._writing = threading.local()

    # -- PostgreSQL --------------------------------------------------------------------------------------
    def pg(self):
        if self._pg is None:
            self._pg = _pg_connect(self.url)
        return self._pg

    def _drop_pg(self) -> None:
        try:
            if self._pg is not None:
                self._pg.close()
        except Exception:  # noqa: BLE001, S110 - a broken connection is dropped whatever it says
            pass
        self._pg = None

    def setup(self, con) -> None:
        """Create the bookkeeping tables (under the writers' lock), then load the replica."""
        with self.lock:
            pg = self.pg()
            try:
                cur = pg.cursor()
                cur.execute(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
                for stmt in META:
                    cur.execute(stmt)
                self._upgrade(cur)
                pg.commit()
            except BaseException:
                self._rollback()
                raise
            self.sync(con)

    @staticmethod
    def _upgrade(cur) -> None:
        """A store written before the `_pg_rev` column: add it (0: older than any replica) and its index."""
        cur.execute(
            f"SELECT t.tab FROM {SCHEMA}._pg_tables t WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns c "
            f"WHERE c.table_schema = '{SCHEMA}' AND c.table_name = t.tab AND c.column_name = '{REV}')"
        )
        for (name,) in cur.fetchall():
            cur.execute(f"ALTER TABLE {SCHEMA}.{pg_ident(name)} ADD COLUMN {REV} BIGINT NOT NULL DEFAULT 0")
            cur.execute(Table(name, "", []).pg_indexes()[0])

    def _rollback(self) -> None:
        try:
            self._pg.rollback()
        except Exception:  # noqa: BLE001 - the connection itself failed: drop it, the next use reconnects
            self._drop_pg()

    # -- reads -------------------------------------------------------------------------------------------
    def refresh(self, con) -> None:
        """Re-sync when another process wrote; skipped while this process writes (its write syncs)."""
        if not self.lock.acquire(blocking=False):
            return
        try:
            self.sync(con)
        except Exception as exc:
            if not type(exc).__module__.startswith("adbc_driver"):
                raise
            # the server is unreachable: pages go on showing the replica as last loaded (a write says why)
            _log.warning("PostgreSQL store not re-synced: %s", str(exc).splitlines()[0] if str(exc) else exc)
        finally:
            self.lock.release()

    def sync(self, con, pgcur=None) -> bool:
        """Bring the replica to PostgreSQL's latest revision; True when anything was reloaded."""
        with self.lock:
            own = pgcur is None
            cur = pgcur or self.pg().cursor()
            try:
                if own:  # one snapshot for every table read (a writer holding the lock needs none)
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cur.execute(f"SELECT rev FROM {SCHEMA}._pg_meta WHERE id = 1")
                (rev,) = cur.fetchone()
                if rev == self.rev:
                    return False
                self._load(con, cur, rev)
                return True
            finally:
                if own:
                    self._rollback()  # end the read transaction (nothing was written)

    def _load(self, con, cur, rev: int) -> None:
        cur.execute(f"SELECT tab, ddl, rev, mod FROM {SCHEMA}._pg_tables")
        defs = {t: (ddl, r, m) for t, ddl, r, m in cur.fetchall()}
        dcur = con.cursor()
        try:
            dcur.execute("BEGIN TRANSACTION")
            gone = set(self.ddl) - set(defs)
            for name in gone:
                dcur.execute(f"DROP TABLE IF EXISTS store.main.{pg_ident(name)}")
            for name, (ddl, _, _) in defs.items():
                if self.ddl.get(name) != ddl:
                    dcur.execute(f"DROP TABLE IF EXISTS store.main.{pg_ident(name)}")
                    dcur.execute(Table(name, ddl, []).replica_ddl())
            tables = store_tables(dcur)
            for name, (ddl, trev, mod) in defs.items():
                table = tables[name]
                if self.ddl.get(name) != ddl or trev > self.rev:
                    dcur.execute(f"DELETE FROM store.main.{pg_ident(name)}")
                    self._copy_in(dcur, cur, table, "TRUE", ())
                elif mod > self.rev:  # batches re-shipped (every row of theirs is newer) and rows appended
                    cur.execute(f"SELECT part FROM {SCHEMA}._pg_parts WHERE tab = $1 AND rev > $2", (name, self.rev))
                    ids = [p for (p,) in cur.fetchall()]
                    if ids:
                        dcur.execute(f"DELETE FROM store.main.{pg_ident(name)} WHERE list_contains(?, batch_id)", [ids])
                    self._copy_in(dcur, cur, table, f"{REV} > $1", (self.rev,))
            dcur.execute("COMMIT")
        except BaseException:
            try:
                dcur.execute("ROLLBACK")
            except duckdb.Error:
                pass
            self.rev, self.ddl = -1, {}
            raise
        finally:
            dcur.close()
        self.ddl = {name: ddl for name, (ddl, _, _) in defs.items()}
        self.rev = rev

    @staticmethod
    def _copy_in(dcur, cur, table: Table, where: str, params: tuple) -> None:
        cols = ", ".join(pg_ident(c) for c, _ in table.columns)
        cur.execute(f"SELECT {cols} FROM {SCHEMA}.{pg_ident(table.name)} WHERE {where}", parameters=params or None)
        rows = cur.fetch_arrow_table()
        if rows.num_rows:
            dcur.register("_pg_in", rows)
            try:
                dcur.execute(table.load_select("_pg_in"))
            finally:
                dcur.unregister("_pg_in")

    # -- writes ------------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self, con) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB write transaction on the replica whose changes land in PostgreSQL, all or nothing."""
        if getattr(self._writing, "on", False):
            raise RuntimeError("nested store transaction on a PostgreSQL store")
        with self.lock:
            self._writing.on = True
            pg = self.pg()
            dcur, snap = con.cursor(), con.cursor()
            began = False
            try:
                cur = pg.cursor()
                cur.execute(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
                self.sync(con, cur)
                dcur.execute("BEGIN TRANSACTION")
                began = True
                tracked = Tracked(dcur)
                yield tracked
                tables = store_tables(dcur)
                # `snap` is outside the transaction: it still sees the replica as it was before it
                rev = self._ship(dcur, cur, tables, plan(dcur, snap, tables, self.ddl, tracked.touched))
                pg.commit()
            except BaseException:
                if began:
                    try:
                        dcur.execute("ROLLBACK")
                    except duckdb.Error:
                        pass
                self._rollback()
                self._writing.on = False
                dcur.close()
                snap.close()
                raise
            try:
                dcur.execute("COMMIT")
            except BaseException:
                self.rev, self.ddl = -1, {}  # PostgreSQL has it: reload on the next read
                raise
            finally:
                self._writing.on = False
                dcur.close()
                snap.close()
            self.rev = rev
            self.ddl = {name: t.ddl for name, t in tables.items()}

    def _ship(self, dcur, cur, tables: dict[str, Table], todo: Plan) -> int:
        """Send what changed to PostgreSQL; returns the new revision (the old one when nothing changed)."""
        if not todo:
            return self.rev
        cur.execute(f"UPDATE {SCHEMA}._pg_meta SET rev = rev + 1 WHERE id = 1 RETURNING rev")
        (rev,) = cur.fetchone()
        for name in todo.gone:
            cur.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{pg_ident(name)}")
            cur.execute(f"DELETE FROM {SCHEMA}._pg_tables WHERE tab = $1", parameters=(name,))
            cur.execute(f"DELETE FROM {SCHEMA}._pg_parts WHERE tab = $1", parameters=(name,))
        for name in sorted(todo.whole):
            t = tables[name]
            target = f"{SCHEMA}.{pg_ident(name)}"
            if self.ddl.get(name) != t.ddl:
                cur.execute(f"DROP TABLE IF EXISTS {target}")
                cur.execute(t.pg_ddl())
                for stmt in t.pg_indexes():
                    cur.execute(stmt)
            else:
                cur.execute(f"DELETE FROM {target}")
            cur.execute(
                f"INSERT INTO {SCHEMA}._pg_tables VALUES ($1, $2, $3, $3) "
                "ON CONFLICT (tab) DO UPDATE SET ddl = excluded.ddl, rev = excluded.rev, mod = excluded.mod",
                parameters=(name, t.ddl, rev),
            )
            cur.execute(f"DELETE FROM {SCHEMA}._pg_parts WHERE tab = $1", parameters=(name,))
            self._copy_out(dcur, cur, t, t.ship_select(rev))
        for name, ids in sorted(todo.parts.items()):
            t, ids = tables[name], sorted(ids)
            cur.executemany(
                f"INSERT INTO {SCHEMA}._pg_parts VALUES ($1, $2, $3) ON CONFLICT (tab, part) DO UPDATE SET rev = $3",
                [(name, i, rev) for i in ids],
            )
            cur.execute(
                f"DELETE FROM {SCHEMA}.{pg_ident(name)} WHERE batch_id IN "
                f"(SELECT part FROM {SCHEMA}._pg_parts WHERE tab = $1 AND rev = $2)",
                parameters=(name, rev),
            )
            self._copy_out(dcur, cur, t, t.ship_select(rev, "list_contains($ids, batch_id)"), {"ids": ids})
        for name, top in sorted(todo.appends.items()):  # only the rows this transaction added (not re-shipped)
            ids = sorted(todo.parts.get(name, ()))
            where = f"rowid > {int(top)} AND (batch_id IS NULL OR NOT list_contains($ids, batch_id))" if ids else ""
            select = tables[name].ship_select(rev, where or f"rowid > {int(top)}")
            self._copy_out(dcur, cur, tables[name], select, {"ids": ids} if ids else None)
        for name in todo.parts.keys() | todo.appends.keys():
            cur.execute(f"UPDATE {SCHEMA}._pg_tables SET mod = $2 WHERE tab = $1", parameters=(name, rev))
        return rev

    @staticmethod
    def _copy_out(dcur, cur, table: Table, select: str, params=None) -> None:
        rows = dcur.sql(select, params=params).to_arrow_table()
        if rows.num_rows:
            cur.adbc_ingest(table.name, rows, mode="append", db_schema_name=SCHEMA)
