"""The canonical names and ids of a survey file's cells (framework.names), for the validator's SQL.

Most cells are already canonical (printable ASCII: ids like "1234567", names like "IT Office"): a cheap
regular-expression test keeps them as they are. Every other DISTINCT value of a column (Thai names: a few per
file; ids with Thai or full-width digits: rare) goes once through framework.names, and the validator joins
the resulting map (raw cell -> canonical value, and for ids the reason a bad one is refused).
"""

from __future__ import annotations

import pandas as pd

from framework import names
from framework.db import literal

PLAIN = {"id": r"[!-~]+", "name": r"[!-~]+(?: [!-~]+)*"}  # the fast paths of names.respondent_id / name


def canon_map(cur, raw: str, col: str, kind: str, table: str) -> str:
    """Create temp table `table` (raw, canon, bad_th, bad_en) over the non-plain values of `raw`.`col`;
    kind "id" (respondent ids: a refused id keeps its text and gets bad_th/bad_en) or "name"."""
    cur.execute(f"CREATE TEMP TABLE {table} (raw VARCHAR, canon VARCHAR, bad_th VARCHAR, bad_en VARCHAR)")
    values = [
        v
        for (v,) in cur.execute(
            f"SELECT DISTINCT {col} FROM {raw} WHERE {col} IS NOT NULL "
            f"AND NOT regexp_full_match({col}, {literal(PLAIN[kind])})"
        ).fetchall()
    ]
    if not values:
        return table
    rows = []
    for v in values:
        if kind == "id":
            bad = names.id_problem(v)
            rows.append((v, v.strip() if bad else names.respondent_id(v), *(bad or (None, None))))
        else:
            rows.append((v, names.name(v), None, None))
    df = pd.DataFrame(rows, columns=["raw", "canon", "bad_th", "bad_en"], dtype=object)
    cur.register(f"{table}_df", df)
    cur.execute(f"INSERT INTO {table} SELECT * FROM {table}_df")
    cur.unregister(f"{table}_df")
    return table


def value(alias: str, col: str, m: str) -> str:
    """SQL: a cell's canonical value given its map's alias `m` joined ON m.raw = alias.col ('' -> NULL)."""
    return f"nullif(coalesce({m}.canon, {alias}.{col}), '')"
