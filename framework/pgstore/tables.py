"""The PostgreSQL copy of the store's tables: one definition (DuckDB's), types mapped, cheap change checksums.

The store's schema is defined once, in DuckDB (framework/store/schema.py and the DDL kept with each module's
code). A PostgreSQL store holds each table with the same name and columns in the schema `skills`; its
PostgreSQL DDL is generated here from the DuckDB table (`duckdb_columns()`), and the DuckDB DDL itself is kept
in `skills._pg_tables`, so a replica (pgstore/replica.py) recreates every table exactly as DuckDB wrote it
(UTINYINT, PRIMARY KEY, defaults). Types PostgreSQL lacks travel as the nearest wider type (UTINYINT as
smallint, UBIGINT as text) and are cast back on load.

Each PostgreSQL table has one more column, `_pg_rev`: the revision that shipped the row, so a replica that
holds revision R loads what was appended or re-shipped since with `WHERE _pg_rev > R` (indexed).
`checksums()` fingerprints a store table - per batch for the tables with a `batch_id` column,
`(count(*), sum(hash(row)))` - for the writes whose changes pgstore/changes.py cannot find more cheaply.
"""

from __future__ import annotations

SCHEMA = "skills"
META = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}._pg_meta (id INTEGER PRIMARY KEY, rev BIGINT NOT NULL)",
    f"INSERT INTO {SCHEMA}._pg_meta VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    # the DuckDB DDL of each table, the revision at which the table was last shipped whole, and the last at
    # which any of its rows were (whole, batches or appended rows)
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}._pg_tables (tab TEXT PRIMARY KEY, ddl TEXT NOT NULL, rev BIGINT NOT NULL)",
    f"ALTER TABLE {SCHEMA}._pg_tables ADD COLUMN IF NOT EXISTS mod BIGINT NOT NULL DEFAULT 0",
    # the revision at which each batch of a table with a batch_id column was last shipped
    (
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}._pg_parts "
        "(tab TEXT NOT NULL, part TEXT NOT NULL, rev BIGINT NOT NULL, PRIMARY KEY (tab, part))"
    ),
    f"CREATE INDEX IF NOT EXISTS _pg_parts_rev ON {SCHEMA}._pg_parts (rev)",
)
LOCK_KEY = 0x534B494C4C53  # pg_advisory_xact_lock key of the store's writers ("SKILLS")
MARKER = "_pg_link"  # a one-row table in the replica naming its link (framework/pgstore/__init__.py)
REV = "_pg_rev"  # the revision column of every PostgreSQL table (not in the replica)

# DuckDB type -> (type shipped from DuckDB, PostgreSQL column type); anything else ships as text.
_TYPES = {
    "VARCHAR": ("VARCHAR", "text"),
    "BOOLEAN": ("BOOLEAN", "boolean"),
    "DATE": ("DATE", "date"),
    "TIMESTAMP": ("TIMESTAMP", "timestamp"),
    "TIMESTAMP WITH TIME ZONE": ("TIMESTAMPTZ", "timestamptz"),
    "BLOB": ("BLOB", "bytea"),
    "TINYINT": ("SMALLINT", "smallint"),
    "UTINYINT": ("SMALLINT", "smallint"),
    "SMALLINT": ("SMALLINT", "smallint"),
    "USMALLINT": ("INTEGER", "integer"),
    "INTEGER": ("INTEGER", "integer"),
    "UINTEGER": ("BIGINT", "bigint"),
    "BIGINT": ("BIGINT", "bigint"),
    "DOUBLE": ("DOUBLE", "double precision"),
    "FLOAT": ("FLOAT", "real"),
    "VARCHAR[]": ("VARCHAR[]", "text[]"),
}


def pg_ident(name: str) -> str:
    """A quoted identifier, the same in PostgreSQL and DuckDB (db.ident's rule; db imports this package)."""
    return '"' + str(name).replace('"', '""') + '"'


class Table:
    """One store table: its DuckDB DDL and columns (name, DuckDB type)."""

    def __init__(self, name: str, ddl: str, columns: list[tuple[str, str]]):
        self.name, self.ddl, self.columns = name, ddl, columns
        self.by_batch = any(c == "batch_id" for c, _ in columns)

    def pg_ddl(self) -> str:
        cols = ", ".join(f"{pg_ident(c)} {_TYPES.get(t, ('VARCHAR', 'text'))[1]}" for c, t in self.columns)
        return f"CREATE TABLE {SCHEMA}.{pg_ident(self.name)} ({cols}, {REV} BIGINT NOT NULL DEFAULT 0)"

    def pg_indexes(self) -> list[str]:
        """PostgreSQL: the indexes a replica's reads and a write's deletes use (_pg_rev; batch_id)."""
        target = f"{SCHEMA}.{pg_ident(self.name)}"
        out = [f"CREATE INDEX IF NOT EXISTS {pg_ident(self.name[:40] + REV)} ON {target} ({REV})"]
        if self.by_batch:
            out.append(f"CREATE INDEX IF NOT EXISTS {pg_ident(self.name[:40] + '_batch')} ON {target} (batch_id)")
        return out

    def ship_select(self, rev: int, where: str = "TRUE") -> str:
        """DuckDB: the table's rows in the types PostgreSQL stores, marked with the revision `rev` shipping them."""
        cols = ", ".join(
            f"CAST({pg_ident(c)} AS {_TYPES.get(t, ('VARCHAR', 'text'))[0]}) AS {pg_ident(c)}" for c, t in self.columns
        )
        return f"SELECT {cols}, CAST({int(rev)} AS BIGINT) AS {REV} FROM store.main.{pg_ident(self.name)} WHERE {where}"

    def load_select(self, source: str) -> str:
        """DuckDB: rows read from PostgreSQL (registered as `source`) cast back to the table's own types."""
        cols = ", ".join(f"CAST({pg_ident(c)} AS {t})" for c, t in self.columns)
        return f"INSERT INTO store.main.{pg_ident(self.name)} SELECT {cols} FROM {source}"

    def replica_ddl(self) -> str:
        """The DuckDB DDL as written, created in the attached replica."""
        head = "CREATE TABLE "
        if not self.ddl.startswith(head):
            raise ValueError(f"unexpected DDL for {self.name}: {self.ddl[:60]}")
        return f"CREATE TABLE store.main.{self.ddl[len(head) :]}"


def store_tables(cur) -> dict[str, Table]:
    """The tables of the attached store (the replica's bookkeeping table aside), as DuckDB defines them."""
    rows = cur.execute(
        "SELECT t.table_name, t.sql, list(c.column_name ORDER BY c.column_index), "
        "list(c.data_type ORDER BY c.column_index) FROM duckdb_tables() t JOIN duckdb_columns() c "
        "ON c.database_name = t.database_name AND c.schema_name = t.schema_name AND c.table_name = t.table_name "
        "WHERE t.database_name = 'store' AND t.schema_name = 'main' AND t.table_name <> ? GROUP BY ALL",
        [MARKER],
    ).fetchall()
    return {name: Table(name, ddl, list(zip(cols, types, strict=True))) for name, ddl, cols, types in rows}


def checksums(cur, tables: dict[str, Table]) -> dict[str, dict]:
    """{table: {batch_id or None: (rows, hash sum)}}: per batch where the table has batch_id, else one entry."""
    out: dict[str, dict] = {}
    for t in tables.values():
        src = f"store.main.{pg_ident(t.name)}"
        if t.by_batch:
            rows = cur.execute(f"SELECT batch_id, count(*), sum(hash(x)) FROM {src} x GROUP BY batch_id").fetchall()
            out[t.name] = {b: (n, h) for b, n, h in rows}
        else:
            n, h = cur.execute(f"SELECT count(*), sum(hash(x)) FROM {src} x").fetchall()[0]
            out[t.name] = {None: (n, h)}
    return out


def changes(before: dict[str, dict], after: dict[str, dict], tables: dict[str, Table]) -> tuple[set, dict]:
    """(tables to ship whole, {table: batch ids to ship}) between two checksums."""
    whole: set[str] = set()
    parts: dict[str, set] = {}
    for name, now in after.items():
        was = before.get(name)
        if was is None:
            whole.add(name)
            continue
        diff = {k for k in now.keys() | was.keys() if now.get(k) != was.get(k)}
        if not diff:
            continue
        if not tables[name].by_batch or None in diff:
            whole.add(name)
        else:
            parts[name] = diff
    return whole, parts
