"""Aggregates kept at write time: the small table every survey view reads instead of the responses.

`store.agg_cells` holds one row per cell (batch, agency as stored, org unit key, staff group) and threshold t
(1-4, and 0 = each unit's target level in force for the cell's agency and round: framework/targets.py): `n` respondents; per unit `m_<code>` (level >= t) and `a_<code>` (assessed: level given); per stage
`f_<stage>` (respondents who meet every unit their profile requires at that stage, at t) and `r_<stage>` (the
`m_` counts summed over those units: the numerator of readiness). A view's cost
then depends on the cells it shows, not on the respondents (issue 12).

Every write that changes store.responses calls `refresh(cur, batch_ids)` inside its own transaction:
ingest (the new batch and the batches whose answers it replaced), delete and restore (the batch and the
batches whose answers come back or are replaced again), archive drop and archive restore, the schema
upgrade (`rebuild`). A campaign batch's cells are also released in steps of k changed people
(store/releases.py, in the same call). `fresh(con)` tells a reader whether the table can be trusted: it exists, it was built
for this catalogue's profiles (store_info 'agg_catalog'), and it counts as many people as store.responses
holds. Otherwise the views read the responses (the same figures, slower) and the next SurveyStore rebuilds it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from framework import access, db, targets
from framework.catalog import STAFF_GROUPS, STAGES, Catalog

TABLE = "store.agg_cells"
THRESHOLDS = (targets.TARGET, 1, 2, 3, 4)  # 0: the agency's target levels
CATALOG_KEY = "agg_catalog"
KEYS = ("batch_id", "agency", "unit_key", "staff_group")
COMBINED_LIMIT = 2**62  # cell ids are combined in int64; past this they are made dense first
# Responses counted at once: a larger refresh (an upload of millions) goes in parts of whole cells, so its
# Arrow copy and NumPy arrays stay the size of this many rows (issue 22: 3M rows took 1.5 GB at once).
PART_ROWS = 1_000_000
from framework.store.keys import AGENCY_KEY, UNIT_KEY


def met_col(code: str) -> str:
    return db.ident(f"m_{code}")


def assessed_col(code: str) -> str:
    return db.ident(f"a_{code}")


def full_col(stage: str) -> str:
    return db.ident(f"f_{stage}")


def required_met_col(stage: str) -> str:
    return db.ident(f"r_{stage}")


def requirements(con) -> dict[tuple[str, str], tuple[str, ...]]:
    """(stage, staff group) -> the unit codes its role profile requires, in framework order (the catalogue)."""
    pu = db.arrow(
        con,
        "SELECT pu.stage, pu.staff_group, pu.unit_code FROM profile_units pu "
        "JOIN units u ON u.code = pu.unit_code ORDER BY u.ord",
    ).to_pydict()
    by_profile: dict = {}
    for stage, group, code in zip(pu["stage"], pu["staff_group"], pu["unit_code"]):
        by_profile.setdefault((stage, group), []).append(code)
    return {(s, g): tuple(by_profile.get((s, g), ())) for s in STAGES for g in STAFF_GROUPS}


def by_staff_group(value_of) -> str:
    """SQL: the value of a row's staff group, `(CASE staff_group WHEN 'Executive' THEN <value_of(g)> ... END)`."""
    return "(CASE staff_group " + " ".join(f"WHEN {db.literal(g)} THEN {value_of(g)}" for g in STAFF_GROUPS) + " END)"


# What the stored cells depend on besides the responses: the unit codes (framework order) and the units each
# profile requires. One small query, so every view can afford the check.
FINGERPRINT_SQL = """
    SELECT sha256('agg_cells v3|' || (SELECT string_agg(code, ',' ORDER BY ord) FROM units) || '|' ||
                  (SELECT coalesce(string_agg(stage || '/' || staff_group || '/' || unit_code, ','
                                              ORDER BY stage, staff_group, unit_code), '') FROM profile_units))"""


def fingerprint(con) -> str:
    """A digest of the catalogue side of the cells (FINGERPRINT_SQL): changes when a profile's units change."""
    return str(db.scalar(con, FINGERPRINT_SQL))


def create(cur, codes: list[str]) -> None:
    """The table (empty): key columns, n, then m_/a_ per unit and f_ per stage."""
    units = ", ".join(f"{met_col(c)} INTEGER NOT NULL, {assessed_col(c)} INTEGER NOT NULL" for c in codes)
    stages = ", ".join(f"{full_col(s)} INTEGER NOT NULL, {required_met_col(s)} BIGINT NOT NULL" for s in STAGES)
    cur.execute(f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        batch_id VARCHAR NOT NULL, agency VARCHAR, unit_key VARCHAR NOT NULL, staff_group VARCHAR NOT NULL,
        t UTINYINT NOT NULL, n INTEGER NOT NULL, {units}, {stages})""")


def _level(tg: pd.DataFrame, code: str, stage: str | None) -> str:
    """SQL (in reference_sql): the level a row must reach in `code` at t (t = 0: its target level, at `stage`, or
    at its batch's stage when None)."""
    where = {"agency": "x.agency_key", "round_key": "x.round_key", "group": "x.staff_group"}
    target = targets.level_sql(tg, code, stage=stage, stage_sql="x.batch_stage", **where)
    return f"(CASE WHEN t.t = 0 THEN {target} ELSE t.t END)"


def _met(tg: pd.DataFrame, code: str, stage: str | None = None) -> str:
    return f"((coalesce(x.{db.ident(code)}, 0) >= {_level(tg, code, stage)}) IS TRUE)"


def reference_sql(con, codes: list[str], where: str) -> str:
    """The cells as one DuckDB GROUP BY: the independent definition `check` compares the stored cells with.
    A unit is met at t when its level is >= t; at t = 0, >= its target level (the batch's stage for m_, the
    stage itself for f_ and r_); a profile requiring nothing is always fully met (m = q = 0)."""
    req, tg = requirements(con), targets.in_force_all(con)
    units = ", ".join(
        f"count(*) FILTER (WHERE {_met(tg, c)}) AS {met_col(c)}, count(x.{db.ident(c)}) AS {assessed_col(c)}"
        for c in codes
    )

    def full(s):
        return by_staff_group(lambda g: " AND ".join(_met(tg, c, s) for c in req[(s, g)]) or "TRUE").replace(
            "CASE staff_group", "CASE x.staff_group"
        )

    def met_sum(s):
        return by_staff_group(lambda g: " + ".join(f"{_met(tg, c, s)}::INTEGER" for c in req[(s, g)]) or "0").replace(
            "CASE staff_group", "CASE x.staff_group"
        )

    stages = ", ".join(
        f"count(*) FILTER (WHERE {full(s)}) AS {full_col(s)}, sum({met_sum(s)}) AS {required_met_col(s)}"
        for s in STAGES
    )
    return f"""
        SELECT x.batch_id, x.agency, x.unit_key, x.staff_group, t.t, count(*) AS n, {units}, {stages}
        FROM (SELECT r.*, {UNIT_KEY} AS unit_key, {AGENCY_KEY} AS agency_key,
                     CAST(b.round_date AS VARCHAR) AS round_key, b.stage AS batch_stage
              FROM store.responses r LEFT JOIN store.batches b USING (batch_id) WHERE {where}) x
        CROSS JOIN (SELECT unnest({list(THRESHOLDS)}::UTINYINT[]) AS t) t
        GROUP BY x.batch_id, x.agency, x.unit_key, x.staff_group, t.t"""


def _cells(cur, where: str, params: dict) -> pd.DataFrame | None:
    """The cells of the responses `where` selects; more than PART_ROWS of them in parts, each part whole cells
    (a hash of the cell's keys), so the parts' cells are simply put together."""
    sql = f"SELECT count(*) FROM store.responses r LEFT JOIN store.batches b USING (batch_id) WHERE {where}"
    parts = -(-cur.execute(sql, db.bind(sql, params)).fetchall()[0][0] // PART_ROWS)
    if parts <= 1:
        return _cells_part(cur, where, params)
    cell = f"hash(batch_id, r.agency, {UNIT_KEY}, staff_group) % {parts}"
    frames = [_cells_part(cur, f"({where}) AND {cell} = {i}", params) for i in range(parts)]
    frames = [f for f in frames if f is not None]
    return pd.concat(frames, ignore_index=True) if frames else None


def _cells_part(cur, where: str, params: dict) -> pd.DataFrame | None:
    """The cells of the responses `where` selects, counted in NumPy (one pass per unit: np.bincount over
    cell x level), which is several times faster than DuckDB's 160-aggregate GROUP BY of `reference_sql`."""
    codes, req = Catalog(cur).unit_codes(), requirements(cur)
    cols = ", ".join(db.ident(c) for c in codes)
    tab = cur.sql(
        f"SELECT batch_id, r.agency, {UNIT_KEY} AS unit_key, staff_group, {cols}, "
        f"{AGENCY_KEY} AS agency_key, coalesce(CAST(b.round_date AS VARCHAR), '—') AS round_key, "
        f"coalesce(b.stage, '') AS batch_stage "
        f"FROM store.responses r LEFT JOIN store.batches b USING (batch_id) WHERE {where}",
        params=params,
    ).to_arrow_table()
    if tab.num_rows == 0:
        return None
    # One cell id per row: each key column dictionary-encoded (NULL is a value), combined, then made dense
    # (densified on the way too if the combined number could overflow 64 bits).
    combined, bound = np.zeros(tab.num_rows, dtype=np.int64), 1
    for k in KEYS:
        enc = pc.dictionary_encode(tab.column(k), null_encoding="encode").combine_chunks()
        size = len(enc.dictionary)
        if bound * size >= COMBINED_LIMIT:
            _, combined = np.unique(combined, return_inverse=True)
            bound = int(combined.max()) + 1
        combined = combined * size + enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        bound *= size
    _, cell = np.unique(combined, return_inverse=True)
    nc = int(cell.max()) + 1
    some_row = np.empty(nc, dtype=np.int64)
    some_row[cell] = np.arange(tab.num_rows)  # any row of each cell gives its key values
    out = {k: tab.column(k).take(some_row).to_numpy(zero_copy_only=False) for k in KEYS}
    # Rows in staff-group order, so each group's rows are one slice (views, not copies) below.
    enc = pc.dictionary_encode(tab.column("staff_group")).combine_chunks()
    group = enc.indices.to_numpy(zero_copy_only=False)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(enc.dictionary) + 1))
    rows_of = {g: slice(bounds[i], bounds[i + 1]) for i, g in enumerate(enc.dictionary.to_pylist())}
    cell = cell[order]
    n = np.bincount(cell, minlength=nc)
    low_levels, counts = {}, {}
    for c in codes:
        v = pc.fill_null(tab.column(c), 255).to_numpy().astype(np.uint8)[order]
        missing = v == 255
        low_levels[c] = np.where(missing, 0, v)  # for the lowest required level: not assessed = 0
        bins = np.where(missing, 5, np.minimum(v, 4))  # 0-4 a level (4 = 4 or more), 5 = not assessed
        counts[c] = np.bincount(cell * 6 + bins, minlength=nc * 6).reshape(nc, 6)
    full = {}
    for s in STAGES:
        low = np.zeros(tab.num_rows, dtype=np.uint8)  # an unknown staff group meets nothing
        for g in STAFF_GROUPS:
            if g in rows_of:
                need, part = req[(s, g)], rows_of[g]
                low[part] = np.minimum.reduce([low_levels[c][part] for c in need]) if need else 4
        full[s] = np.bincount(cell * 5 + np.minimum(low, 4), minlength=nc * 5).reshape(nc, 5)
    cells_of = {g: out["staff_group"] == g for g in STAFF_GROUPS}
    frames = []  # one dict of columns per threshold, made one frame at the end (one column each, not five)
    for t in THRESHOLDS[1:]:
        d = out | {"t": np.full(nc, t, dtype=np.uint8), "n": n}
        for c in codes:
            d[f"m_{c}"] = counts[c][:, t:5].sum(axis=1)
            d[f"a_{c}"] = counts[c][:, :5].sum(axis=1)
        for s in STAGES:
            d[f"f_{s}"] = full[s][:, t:].sum(axis=1)
            d[f"r_{s}"] = np.zeros(nc, dtype=np.int64)  # met counts summed over the required units
            for g, mine in cells_of.items():
                for c in req[(s, g)]:
                    d[f"r_{s}"][mine] += d[f"m_{c}"][mine]
        frames.append(d)
    frames.append(
        _at_targets(cur, tab, order, cell, dict(frames[targets.DEFAULT_LEVEL - 1]), codes, req, low_levels, rows_of)
    )
    return pd.DataFrame({c: np.concatenate([f[c] for f in frames]) for c in frames[0]})


def _at_targets(cur, tab, order, cell, d: dict, codes, req, low_levels, rows_of) -> dict:
    """The cells at t = 0: each unit met at its target level in force (framework/targets.py) for the row's
    agency and round, at its batch's stage (m_) or at each stage (f_, r_). Starts from the cells at the default
    level (`d`), so where nothing was set they are equal."""
    d["t"] = np.full(len(d["n"]), targets.TARGET, dtype=np.uint8)
    tg = targets.in_force_all(cur, inside=True)
    if tg.empty:
        return d
    col = {
        k: tab.column(k).to_numpy(zero_copy_only=False)[order]
        for k in ("agency_key", "round_key", "staff_group", "batch_stage")
    }
    rows, default = len(order), targets.DEFAULT_LEVEL
    by_unit, by_stage = {}, {s: {} for s in STAGES}  # unit -> per-row level (batch stage), stage -> unit -> ...
    for (a, rk, g), part in tg.groupby(["agency", "round_key", "staff_group"]):
        mine = (col["agency_key"] == a) & (col["round_key"] == rk) & (col["staff_group"] == g)
        if not mine.any():
            continue
        for r in part.itertuples():
            if r.stage in by_stage and r.unit_code in low_levels:
                by_stage[r.stage].setdefault(r.unit_code, np.full(rows, default, np.uint8))[mine] = r.level
                by_unit.setdefault(r.unit_code, np.full(rows, default, np.uint8))[
                    mine & (col["batch_stage"] == r.stage)
                ] = r.level
    if not by_unit and not any(by_stage.values()):
        return d
    nc = len(d["n"])
    for c, level in by_unit.items():
        d[f"m_{c}"] = np.bincount(cell, weights=low_levels[c] >= level, minlength=nc).astype(np.int64)
    for s in STAGES:
        ok, met = np.zeros(rows, dtype=bool), np.zeros(rows, dtype=np.int64)  # an unknown group: nothing
        for g, part in rows_of.items():
            if g not in STAFF_GROUPS:
                continue
            hits = [
                low_levels[c][part] >= by_stage[s].get(c, np.full(rows, default, np.uint8))[part] for c in req[(s, g)]
            ]
            ok[part] = np.logical_and.reduce(hits) if hits else True
            met[part] = np.sum(hits, axis=0) if hits else 0
        d[f"f_{s}"] = np.bincount(cell, weights=ok, minlength=nc).astype(np.int64)
        d[f"r_{s}"] = np.bincount(cell, weights=met, minlength=nc).astype(np.int64)
    return d


def _insert(cur, where: str, params: dict) -> None:
    cells = _cells(cur, where, params)
    if cells is not None:
        cur.register("agg_cells_new", cells)
        cur.execute(f"INSERT INTO {TABLE} BY NAME SELECT * FROM agg_cells_new")
        cur.unregister("agg_cells_new")


def refresh(cur, batch_ids) -> None:
    """Inside the caller's transaction: recompute the cells of these batches from store.responses (a batch
    with no live responses any more just loses its cells)."""
    ids = sorted({str(b) for b in batch_ids if b is not None})
    if not ids:
        return
    cur.execute(f"DELETE FROM {TABLE} WHERE batch_id IN (SELECT unnest($ids::VARCHAR[]))", {"ids": ids})
    _insert(cur, "batch_id IN (SELECT unnest($ids::VARCHAR[]))", {"ids": ids})
    from framework.store import (
        releases,  # reads agg_cells: imported here so the dependency runs one way
    )

    releases.create(cur)
    releases.publish(cur, ids, access.min_cell_floor())


def cells_of(cur, where: str, params: dict | None = None) -> pd.DataFrame | None:
    """The cells (every threshold) of the responses `where` selects (over `store.responses r LEFT JOIN
    store.batches b`), counted as refresh counts them; None when it selects none. A write that knows which rows it
    adds and removes counts them with this (the removed ones before they are deleted) and calls `apply`."""
    return _cells(cur, where, params or {})


def apply(cur, added: pd.DataFrame | None, removed: pd.DataFrame | None) -> None:
    """Inside the caller's transaction: the stored cells plus `added` less `removed` (cells_of of the rows the
    write inserted and of those it deleted), instead of counting the touched batches again (`refresh`): a
    write then costs what it changes, not the size of its batches (issue 22). Every figure of a cell is a sum
    over its rows, so this equals refresh exactly; a cell left with no one is removed. Then the campaign cells
    touched are released as refresh does (store/releases.py), looking only at those cells."""
    frames = [] if added is None else [added]
    if removed is not None:
        measures = [c for c in removed.columns if c not in KEYS and c != "t"]
        frames.append(pd.concat([removed[[*KEYS, "t"]], -removed[measures]], axis=1))
    if not frames:
        return
    delta = pd.concat(frames, ignore_index=True)
    columns = [
        r[0]
        for r in cur.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'store' AND table_name = 'agg_cells' "
            "ORDER BY column_index"
        ).fetchall()
    ]
    keys = ", ".join(KEYS)
    sums = ", ".join(f"sum({db.ident(c)}) AS {db.ident(c)}" for c in columns if c not in (*KEYS, "t"))
    same = " AND ".join(f"c.{k} IS NOT DISTINCT FROM d.{k}" for k in KEYS)
    touched = f"EXISTS (SELECT 1 FROM agg_delta d WHERE {same})"
    cur.register("agg_delta", delta)
    try:
        cur.execute(f"""CREATE OR REPLACE TEMP TABLE agg_merged AS
            SELECT {keys}, t, {sums}
            FROM (SELECT c.* FROM {TABLE} c WHERE {touched} UNION ALL BY NAME SELECT * FROM agg_delta)
            GROUP BY {keys}, t HAVING sum(n) > 0""")
        cur.execute(f"DELETE FROM {TABLE} c WHERE {touched}")
        cur.execute(f"INSERT INTO {TABLE} BY NAME SELECT * FROM agg_merged")
        cur.execute("DROP TABLE agg_merged")
    finally:
        cur.unregister("agg_delta")
    from framework.store import releases  # reads agg_cells: imported here so the dependency runs one way

    releases.create(cur)
    cells = delta[list(KEYS)].drop_duplicates().reset_index(drop=True)
    releases.publish(cur, cells["batch_id"].tolist(), access.min_cell_floor(), cells=cells)


def rebuild(cur) -> None:
    """Inside the caller's transaction: every cell again, from every live response, for this catalogue."""
    codes = Catalog(cur).unit_codes()
    cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
    create(cur, codes)
    _insert(cur, "TRUE", {})
    cur.execute("INSERT OR REPLACE INTO store.store_info VALUES (?, ?)", [CATALOG_KEY, fingerprint(cur)])
    from framework.store import (
        releases,  # reads agg_cells: imported here so the dependency runs one way
    )

    released = cur.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'store' "
        "AND table_name = 'agg_released' ORDER BY column_index"
    ).fetchall()
    cells = cur.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'store' "
        "AND table_name = 'agg_cells' ORDER BY column_index"
    ).fetchall()
    if (
        released != cells
        or not cur.execute(  # none yet, another catalogue, or before t = 0: every campaign
            f"SELECT count(*) = 0 OR count(*) FILTER (WHERE t = 0) > 0 FROM {releases.TABLE}"
        ).fetchone()[0]
    ):
        releases.reset(cur)  # cell anew
    else:  # the released layer stands; cells whose k people changed move on
        releases.publish(
            cur, [r[0] for r in cur.execute(releases.CAMPAIGN_BATCHES).fetchall()], access.min_cell_floor()
        )


# What fresh() compares, as the columns of one SELECT (analysis/source.py asks them with the campaign batches).
FRESH_TABLES = frozenset({"agg_cells", "store_info", "responses"})
FRESH_COLUMNS = f"""
        (SELECT value FROM store.store_info WHERE key = $key) AS built_for,
        ({FINGERPRINT_SQL}) AS catalogue,
        (SELECT coalesce(sum(n), 0) FROM {TABLE} WHERE t = 1) AS cells,
        (SELECT count(*) FROM store.responses) AS responses"""


def fresh_from(built_for, catalogue, cells, responses) -> bool:
    """fresh()'s rule over the FRESH_COLUMNS of a store holding FRESH_TABLES."""
    return built_for == catalogue and int(cells) == int(responses)


def fresh(con) -> bool:
    """Whether the views can read the cells: built for this catalogue, and counting every stored response."""
    if (
        db.scalar(
            con,
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' "
            "AND table_name IN ('agg_cells', 'store_info', 'responses')",
        )
        != 3
    ):
        return False
    row = db.query(con, f"SELECT {FRESH_COLUMNS}", {"key": CATALOG_KEY}).iloc[0]
    return fresh_from(row["built_for"], row["catalogue"], row["cells"], row["responses"])


def check(con) -> pd.DataFrame:
    """The cells that differ from reference_sql over every response (empty = consistent): the tests' proof that
    every write path keeps them. reference_sql yields the table's columns in the table's order (create())."""
    ref = reference_sql(con, Catalog(con).unit_codes(), "TRUE")
    return db.query(con, f"(FROM {TABLE} EXCEPT ALL FROM ({ref})) UNION ALL (FROM ({ref}) EXCEPT ALL FROM {TABLE})")
