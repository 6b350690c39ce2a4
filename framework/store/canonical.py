"""Schema 6 (issue 19): a store written before names and ids were canonical (framework/names.py) is put right.

`canonicalise(cur)` runs inside the upgrade's transaction (and `restore_archive`'s, for an archive written
before): every stored agency, org unit, position and respondent id becomes its canonical form - live and
trashed batches and responses, superseded answers, replacement records, campaigns (agency, org units),
campaign submissions and drafts. An id's control or format characters, refused at every write now, are
removed from rows already stored (nothing stored is thrown away).

Look-alike variants of one person then share an id: `merge_people` keeps, per round (round date, agency)
and id, the latest upload's answers live (within one batch: its later row) and moves the others to
`superseded_responses` / `replacements` as a replace would, so no view counts the person twice. Within a
trashed batch the same is done (its restore then brings back one row per person). The caller rebuilds the
write-time aggregates. What changed is returned as a report (kept in store_info['upgrade_6'] and logged).
"""

from __future__ import annotations

import logging

import pandas as pd
import pyarrow as pa

from framework import names
from framework.db import literal
from framework.store.keys import AGENCY_KEY, name_key
from framework.survey.canon import PLAIN

LOG = logging.getLogger("framework.store")
SHOWN = 50  # variants and merged people listed by name in the report (all are counted)

# (table, column, kind): every stored name and id
COLUMNS = (
    [
        (t, c, "name")
        for t in ("responses", "trash_responses", "superseded_responses")
        for c in ("agency", "org_unit", "position")
    ]
    + [
        (t, "respondent_id", "id")
        for t in (
            "responses",
            "trash_responses",
            "superseded_responses",
            "replacements",
            "campaign_submissions",
            "campaign_drafts",
        )
    ]
    + [(t, "agency", "name") for t in ("batches", "trash_batches", "campaigns")]
    + [("replacements", "agency_key", "name")]
)


def _tables(cur) -> set[str]:
    return {
        t for (t,) in cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'").fetchall()
    }


def canonical(value: str, kind: str) -> str:
    """The canonical form of a stored value (an id's control characters removed, never refused)."""
    return names.respondent_id(value, strict=False) if kind == "id" else names.name(value)


def canonicalise(cur, schema: str = "store", tables: set[str] | None = None) -> dict:
    """Rewrite every non-canonical name and id in `schema`'s tables; returns {"table.column": {"rows": n,
    "variants": [[old, new], ...]}} for the columns changed."""
    present = _tables(cur) if tables is None else tables
    report = {}
    for table, col, kind in COLUMNS:
        if table not in present:
            continue
        rel = f"{schema}.{table}"
        values = [
            v
            for (v,) in cur.execute(
                f"SELECT DISTINCT {col} FROM {rel} WHERE {col} IS NOT NULL "
                f"AND NOT regexp_full_match({col}, {literal(PLAIN[kind])})"
            ).fetchall()
        ]
        pairs = [(v, canonical(v, kind)) for v in values]
        empty = "" if kind == "id" else ("—" if col == "agency_key" else None)  # NOT NULL columns
        pairs = [(v, c or empty) for v, c in pairs if c != v]
        if not pairs:
            continue
        df = pd.DataFrame(pairs, columns=["old", "new"], dtype=object)
        cur.register("canon_pairs", df)
        n = cur.execute(f"UPDATE {rel} SET {col} = p.new FROM canon_pairs p WHERE {rel}.{col} = p.old").fetchall()[0][0]
        cur.unregister("canon_pairs")
        report[f"{table}.{col}"] = {"rows": int(n), "variants": [list(p) for p in pairs[:SHOWN]]}
        LOG.info("schema 6: %s.%s: %d row(s), %d variant(s) made canonical", table, col, n, len(pairs))
    if "campaigns" in present:
        for code, units in cur.execute(
            f"SELECT code, org_units FROM {schema}.campaigns WHERE org_units IS NOT NULL"
        ).fetchall():
            fixed = list(dict.fromkeys(u for u in (names.name(x) for x in units) if u))
            if fixed != list(units):
                cur.execute(f"UPDATE {schema}.campaigns SET org_units = ? WHERE code = ?", [fixed, code])
                report.setdefault("campaigns.org_units", {"rows": 0, "variants": []})["rows"] += 1
    return report


def merge_people(cur, batch_ids: list[str] | None = None) -> list[dict]:
    """Variants of one person now sharing an id in a round: the latest answers stay live, the others are
    superseded (replaced_by = the batch kept). `batch_ids`: only rows of those batches may be superseded
    (a restore). Then, in the trash, one row per (batch, id). Returns the people merged."""
    agency = AGENCY_KEY
    only = "" if batch_ids is None else "AND batch_id IN (SELECT unnest($ids::VARCHAR[]))"
    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE canon_dup AS
        SELECT * FROM (
            SELECT r.rowid AS row_id, r.batch_id, r.respondent_id, {agency} AS agency_key, b.round_date,
                   first_value(r.batch_id) OVER w AS keep_batch, row_number() OVER w AS rank
            FROM store.responses r JOIN store.batches b USING (batch_id)
            WINDOW w AS (PARTITION BY b.round_date, {agency}, r.respondent_id
                         ORDER BY b.uploaded_at DESC, r.batch_id DESC, r.rowid DESC))
        WHERE rank > 1 {only}""",
        {} if batch_ids is None else {"ids": batch_ids},
    )
    cur.execute(
        "INSERT INTO store.superseded_responses SELECT r.*, d.keep_batch, now()::TIMESTAMP "
        "FROM store.responses r JOIN canon_dup d ON r.rowid = d.row_id"
    )
    cur.execute(
        "INSERT INTO store.replacements SELECT batch_id, respondent_id, agency_key, keep_batch, "
        "now()::TIMESTAMP FROM canon_dup"
    )
    cur.execute("DELETE FROM store.responses WHERE rowid IN (SELECT row_id FROM canon_dup)")
    merged = [
        {"round": str(d), "agency": a, "respondent_id": rid, "kept": keep, "superseded": b}
        for b, rid, a, d, keep in cur.execute(
            "SELECT batch_id, respondent_id, agency_key, round_date, keep_batch FROM canon_dup "
            "ORDER BY round_date, agency_key, respondent_id, batch_id"
        ).fetchall()
    ]
    cur.execute("DROP TABLE canon_dup")
    if batch_ids is None:  # the trash: one row per person in each batch (its later row)
        cur.execute("""
            CREATE OR REPLACE TEMP TABLE canon_dup AS
            SELECT row_id, batch_id, respondent_id FROM (
                SELECT rowid AS row_id, batch_id, respondent_id,
                       row_number() OVER (PARTITION BY batch_id, respondent_id ORDER BY rowid DESC) AS rank
                FROM store.trash_responses) WHERE rank > 1""")
        cur.execute(
            "INSERT INTO store.superseded_responses SELECT t.*, d.batch_id, now()::TIMESTAMP "
            "FROM store.trash_responses t JOIN canon_dup d ON t.rowid = d.row_id"
        )
        cur.execute(
            f"INSERT INTO store.replacements SELECT d.batch_id, d.respondent_id, "
            f"{name_key('coalesce(t.agency, b.agency)')}, d.batch_id, now()::TIMESTAMP "
            "FROM canon_dup d JOIN store.trash_responses t ON t.rowid = d.row_id "
            "JOIN store.trash_batches b ON b.batch_id = d.batch_id"
        )
        merged += [
            {"trash": True, "respondent_id": rid, "kept": b, "superseded": b}
            for b, rid in cur.execute(
                "SELECT batch_id, respondent_id FROM canon_dup ORDER BY batch_id, respondent_id"
            ).fetchall()
        ]
        cur.execute("DELETE FROM store.trash_responses WHERE rowid IN (SELECT row_id FROM canon_dup)")
        cur.execute("DROP TABLE canon_dup")
    for m in merged:
        LOG.info(
            "schema 6: respondent %r (%s): answers of batch %s superseded by batch %s",
            m["respondent_id"],
            m.get("agency", "trash"),
            m["superseded"],
            m["kept"],
        )
    return merged


def upgrade(cur) -> dict:
    """Schema 6 inside the upgrade's transaction: canonical names and ids, variants of one person merged.
    Returns the report ({} when the store was canonical already). The caller rebuilds agg_cells."""
    changed = canonicalise(cur)
    merged = merge_people(cur) if changed else []
    if not changed:
        return {}
    return {"columns": changed, "people_merged": len(merged), "merged": merged[:SHOWN]}


KIND = {"agency": "name", "org_unit": "name", "position": "name", "agency_key": "name", "respondent_id": "id"}


def arrow(table):
    """An Arrow table (an archived part's file) with its names and ids canonical; the same table when they are."""
    for col, kind in KIND.items():
        if col not in table.column_names:
            continue
        values = table.column(col).unique().to_pylist()
        fixed = {
            v: canonical(v, kind) or ("—" if col == "agency_key" else "" if kind == "id" else None)
            for v in values
            if v is not None
        }
        fixed = {v: c for v, c in fixed.items() if c != v}
        if fixed:
            data = pa.array([fixed.get(v, v) for v in table.column(col).to_pylist()], type=pa.string())
            table = table.set_column(table.column_names.index(col), table.schema.field(col), data)
    return table
