"""What a write transaction on a replica changed, found at the cost of what it changed (not of the store's size).

`Tracked` wraps the cursor a write transaction yields (pgstore/replica.py) and notes, from the text of every
statement run on it, which store tables it writes and how: `insert` (a plain INSERT INTO), `delete`, or
`other` (UPDATE, MERGE, INSERT OR REPLACE / ON CONFLICT, ALTER, DROP, CREATE OR REPLACE, COPY, TRUNCATE); a
CREATE TABLE [IF NOT EXISTS] changes no existing table (a new one is shipped whole by its new DDL). A write it
cannot read (an appender, a statement object) makes it give up: every table is compared, as before. The
product writes the store with SQL text only (a relation's insert_into would not be seen; tests/test_pg_store.py
checks that every kind of write the product does reaches another replica).
`plan()` then decides per table, comparing the transaction's view with a cursor outside it (which still sees
the replica as it was, DuckDB being MVCC):
- not written: nothing (no scan);
- created or redefined (its DDL changed): shipped whole;
- only inserted into and deleted from: its new rows are those whose rowid is above the largest the table had
  (DuckDB numbers a transaction's rows above every stored one), appended in PostgreSQL; when stored rows went
  too (a count of rowids tells), a batch_id table's batches that lost rows are found row group by row group
  (rowids counted, then batch_ids read only in the groups that lost rows) and re-shipped, the new rows of
  the other batches still appended; any other table is compared by checksum;
- anything else: (rows, hash sum) per batch or for the table (tables.checksums) of that table alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from framework.pgstore.tables import Table, changes, checksums, pg_ident

_NAME = r'(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)'
_WRITE = re.compile(
    r"\b(INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\s+)?INTO|MERGE\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|COPY"
    r"|(?:CREATE|ALTER|DROP)(?:\s+OR\s+REPLACE)?(?:\s+(?:TEMP|TEMPORARY))?\s+TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?)"
    rf"\s+({_NAME}(?:\s*\.\s*{_NAME}){{0,2}})",
    re.IGNORECASE,
)
_PART = re.compile(_NAME)
_UPSERT = re.compile(r"\bON\s+CONFLICT\b", re.IGNORECASE)
# cursor methods that write without SQL text the tracker could read: the transaction compares every table
# (a relation's insert_into / create is out of its sight: the product writes the store with SQL text only)
_OPAQUE = frozenset({"append", "load_extension", "install_extension"})


def _store_table(target: str) -> str | None:
    """The store table a statement's target names (store.t or store.main.t), None for another catalogue's."""
    parts = [p[1:-1].replace('""', '"') if p.startswith('"') else p for p in _PART.findall(target)]
    parts = [p.lower() for p in parts]
    if len(parts) == 2 and parts[0] == "store":
        return parts[1]
    if len(parts) == 3 and parts[:2] == ["store", "main"]:
        return parts[2]
    return None  # temp.x, memory.x, a bare name (the connection's own in-memory catalogue)


def writes(text: str) -> list[tuple[str, str]]:
    """(store table, kind) of every write in a statement text (kind: insert, delete or other)."""
    upsert = bool(_UPSERT.search(text))
    out = []
    for m in _WRITE.finditer(text):
        table = _store_table(m.group(2))
        if table is None:
            continue
        verb = " ".join(m.group(1).upper().split())
        if verb in ("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"):
            continue  # a new table's DDL is new (shipped whole); an existing one is left as it is
        if verb == "INSERT INTO" and not upsert:
            kind = "insert"
        elif verb == "DELETE FROM":
            kind = "delete"
        else:
            kind = "other"
        out.append((table, kind))
    return out


class Tracked:
    """A write transaction's cursor, noting the store tables each statement writes (`touched`: table -> kinds;
    None once a write could not be read)."""

    __slots__ = ("__weakref__", "_cur", "touched")

    def __init__(self, cur):
        self._cur = cur
        self.touched: dict[str, set] | None = {}

    def _note(self, query) -> None:
        if self.touched is None:
            return
        if not isinstance(query, str):
            self.touched = None
            return
        for table, kind in writes(query):
            self.touched.setdefault(table, set()).add(kind)

    def _same(self, result):
        return self if result is self._cur else result

    def execute(self, query, *args, **kw):
        self._note(query)
        return self._same(self._cur.execute(query, *args, **kw))

    def executemany(self, query, *args, **kw):
        self._note(query)
        return self._same(self._cur.executemany(query, *args, **kw))

    def sql(self, query, *args, **kw):
        self._note(query)
        return self._cur.sql(query, *args, **kw)

    query = sql

    def __getattr__(self, name):
        if name in _OPAQUE:
            self.touched = None
        return getattr(self._cur, name)


@dataclass
class Plan:
    """What to ship: tables whole, {table: batch ids}, {table: the largest rowid before (new rows above)}."""

    whole: set = field(default_factory=set)
    parts: dict = field(default_factory=dict)
    appends: dict = field(default_factory=dict)
    gone: set = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.whole or self.parts or self.appends or self.gone)


def _one(cur, sql: str):
    return cur.execute(sql).fetchall()[0]  # fetched to the end: DuckDB refuses other work on an open result


GROUP = 122_880  # rows per DuckDB row group: deletions are looked for group by group


def _lost(snap, dcur, src: str, top: int) -> set:
    """The batches that lost rows stored before the transaction: rows counted per row group (rowids only), then
    per batch in the groups that lost some (a rowid range: DuckDB reads that group alone)."""
    count = f"SELECT rowid // {GROUP}, count(*) FROM {src} WHERE rowid <= {top} GROUP BY 1"
    was, now = dict(snap.execute(count).fetchall()), dict(dcur.execute(count).fetchall())
    lost: set = set()
    for g in sorted(g for g in was if was[g] != now.get(g, 0)):
        per = (
            f"SELECT batch_id, count(*) FROM {src} WHERE rowid BETWEEN {g * GROUP} AND {(g + 1) * GROUP - 1} GROUP BY 1"
        )
        w, n = dict(snap.execute(per).fetchall()), dict(dcur.execute(per).fetchall())
        lost |= {b for b in w if w[b] != n.get(b, 0)}
    return lost


def plan(dcur, snap, tables: dict[str, Table], loaded: dict[str, str], touched: dict | None) -> Plan:
    """Compare the transaction's view (`dcur`) with the replica before it (`snap`, a cursor outside it) for the
    tables `touched` (None: every table); `loaded`: the DDL of each table as the replica held it."""
    out = Plan(gone=set(loaded) - set(tables))
    out.whole = {name for name, t in tables.items() if loaded.get(name) != t.ddl}
    names = set(tables) if touched is None else set(touched) & set(tables)
    for name in sorted(names - out.whole):
        t, kinds = tables[name], (touched or {}).get(name, {"other"})
        src = f"store.main.{pg_ident(name)}"
        if kinds <= {"insert", "delete"}:  # rows added or removed, none changed in place
            top, n0 = _one(snap, f"SELECT coalesce(max(rowid), -1), count(*) FROM {src}")
            new, n1 = _one(dcur, f"SELECT count(*) FILTER (WHERE rowid > {int(top)}), count(*) FROM {src}")
            # DuckDB numbers a transaction's rows above every stored one: rows above `top` are the new ones
            if n1 - new == n0:  # every stored row is still there
                if new:
                    out.appends[name] = int(top)
                continue
            if t.by_batch:
                lost = _lost(snap, dcur, src, int(top))
                if None in lost:
                    out.whole.add(name)
                    continue
                out.parts[name] = lost  # re-shipped whole (their new rows with them); the others' new rows appended
                if new:
                    out.appends[name] = int(top)
                continue
        whole, parts = changes(checksums(snap, {name: t}), checksums(dcur, {name: t}), {name: t})
        out.whole |= whole
        out.parts.update(parts)
    return out
