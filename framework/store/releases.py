"""What a campaign's figures show while it fills: each cell as last released, in steps of k changed people.

A campaign batch grows one submission at a time, and the room watches its heatmap refresh every few seconds:
a cell (org unit x staff group) going from n = 5 / met = 1 to n = 6 / met = 2 would tell the room what the
new person answered. So everyone without the HR passphrase sees a campaign batch's cells as *released*:

- `store.released_rows` keeps, per cell, which rows (respondent id + a hash of the whole row) it was released
  with; `store.agg_released` its write-time aggregates at that moment (agg_cells' columns).
- After every write to a campaign batch (`publish`, called by aggregates.refresh in the write's own
  transaction) a cell is released again only when at least k people have changed in it since its last
  release (joined, left, or answered again: the people in the difference between its live rows and its
  released rows). So two released states of a cell differ by k or more people, never fewer.
- A campaign's cells are never pooled with each other (analysis/disclosure.py): a released cell with fewer
  than k people is in no figure, so the pools cannot change by a small cell either.
- Deleting (or dropping) a campaign batch removes its released layer whole; restoring it starts again from
  nothing (each cell released when k of its people are back).

Uploads are not staged: an upload arrives whole, so its blocks appear together (see disclosure.py for what
this guarantees and what it does not). HR (the passphrase) sees every cell live.
"""

from __future__ import annotations

from framework import db
from framework.store import aggregates
from framework.store.keys import CAMPAIGN_KEY_PREFIX

TABLE = "store.agg_released"
ROWS = "store.released_rows"
# The live campaign batches: content_hash is the campaign key prefix + code (store/campaign_batch.py).
CAMPAIGN_BATCHES = (
    f"SELECT batch_id FROM store.batches WHERE starts_with(content_hash, {db.literal(CAMPAIGN_KEY_PREFIX)})"
)
_SAME_CELL = (
    "c.batch_id = x.batch_id AND c.agency IS NOT DISTINCT FROM x.agency "
    "AND c.unit_key IS NOT DISTINCT FROM x.unit_key AND c.staff_group IS NOT DISTINCT FROM x.staff_group"
)


def create(cur) -> None:
    """The two tables (agg_released with agg_cells' columns, which must exist)."""
    cur.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} AS SELECT * FROM {aggregates.TABLE} WHERE FALSE")
    cur.execute(f"""CREATE TABLE IF NOT EXISTS {ROWS} (
        batch_id VARCHAR NOT NULL, agency VARCHAR, unit_key VARCHAR, staff_group VARCHAR,
        respondent_id VARCHAR, row_hash UBIGINT)""")


def reset(cur) -> None:
    """After agg_cells was built anew (another catalogue: other columns): release every campaign cell again."""
    cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cur.execute(f"DROP TABLE IF EXISTS {ROWS}")
    create(cur)
    ids = [r[0] for r in cur.execute(CAMPAIGN_BATCHES).fetchall()]
    publish(cur, ids, 1)


def exists(con) -> bool:
    return (
        db.scalar(
            con,
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' "
            "AND table_name IN ('agg_released', 'released_rows')",
        )
        == 2
    )


def publish(cur, batch_ids, k: int, cells=None) -> list[tuple]:
    """Inside the caller's transaction, after agg_cells of these batches were refreshed: release every cell of
    a campaign batch among them in which k or more people changed; drop the released layer of batches that
    are no longer live campaign batches. Returns the cells released (batch_id, agency, unit_key, staff_group).
    `cells` (a frame of those four keys; aggregates.apply): only these cells can have changed, so only their
    people are compared (a cell nobody joined or left since its last check is as it was then)."""
    ids = sorted({str(b) for b in batch_ids if b is not None})
    if not ids:
        return []
    p = {"ids": ids}
    scope = ""
    if cells is not None:
        cur.register("release_scope", cells)
        scope = (
            " AND EXISTS (SELECT 1 FROM release_scope s WHERE s.batch_id = x.batch_id "
            "AND s.agency IS NOT DISTINCT FROM x.agency AND s.unit_key IS NOT DISTINCT FROM x.unit_key "
            "AND s.staff_group IS NOT DISTINCT FROM x.staff_group)"
        )
    try:
        return _publish(cur, p, k, scope)
    finally:
        if cells is not None:
            cur.unregister("release_scope")


def _publish(cur, p: dict, k: int, scope: str) -> list[tuple]:
    for table in (TABLE, ROWS):
        cur.execute(
            f"DELETE FROM {table} WHERE batch_id IN (SELECT unnest($ids::VARCHAR[])) "
            f"AND batch_id NOT IN ({CAMPAIGN_BATCHES})",
            p,
        )
    live = (
        f"SELECT * FROM (SELECT batch_id, agency, {aggregates.UNIT_KEY} AS unit_key, staff_group, respondent_id, "
        f"hash(r) AS row_hash FROM store.responses r WHERE batch_id IN (SELECT unnest($ids::VARCHAR[])) "
        f"AND batch_id IN ({CAMPAIGN_BATCHES})) x WHERE TRUE{scope}"
    )
    cur.execute(
        f"""CREATE OR REPLACE TEMP TABLE release_cells AS
        WITH live AS ({live}),
        pub AS (SELECT * FROM {ROWS} x WHERE batch_id IN (SELECT unnest($ids::VARCHAR[])){scope}),
        diff AS ((FROM live EXCEPT FROM pub) UNION ALL (FROM pub EXCEPT FROM live))
        SELECT batch_id, agency, unit_key, staff_group, count(DISTINCT respondent_id) AS changed
        FROM diff GROUP BY ALL HAVING count(DISTINCT respondent_id) >= $k""",
        p | {"k": int(k)},
    )
    cells = cur.execute("SELECT batch_id, agency, unit_key, staff_group FROM release_cells").fetchall()
    if cells:
        in_cells = f"EXISTS (SELECT 1 FROM release_cells c WHERE {_SAME_CELL})"
        cur.execute(f"DELETE FROM {TABLE} x WHERE {in_cells}")
        cur.execute(f"INSERT INTO {TABLE} BY NAME SELECT x.* FROM {aggregates.TABLE} x WHERE {in_cells}")
        cur.execute(f"DELETE FROM {ROWS} x WHERE {in_cells}")
        cur.execute(f"INSERT INTO {ROWS} SELECT x.* FROM ({live}) x WHERE {in_cells}", p)
    cur.execute("DROP TABLE release_cells")
    return cells


def status(con, batch_ids) -> dict:
    """How many people of these campaign batches the released figures hold, and how many answered (live)."""
    ids = sorted({str(b) for b in batch_ids if b is not None})
    if not ids or not exists(con):
        return {"released": 0, "live": 0}
    row = db.query(
        con,
        f"""SELECT (SELECT count(*) FROM {ROWS} WHERE batch_id IN (SELECT unnest($ids::VARCHAR[])))
                                   AS released,
                                   (SELECT count(*) FROM store.responses WHERE batch_id IN (SELECT unnest($ids::VARCHAR[])))
                                   AS live""",
        {"ids": ids},
    ).iloc[0]
    return {"released": int(row["released"]), "live": int(row["live"])}
