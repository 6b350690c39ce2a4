"""Whole-number sums of the cells grouped in numpy instead of DuckDB: the filtered cells are fetched once (the
columns a view reads), and their counts summed per key here.

Why: over the cells (store/aggregates.py) a view reads at most one row per batch, agency, org unit and staff
group (14,400 at 3M respondents), so running its GROUP BY costs little; DuckDB's planning of a GROUP BY with two
sums per unit and an UNPIVOT (coverage.sql, training_needs.sql: 70-140 expressions) costs 20-45 ms, most of a
view. Fetching the rows and summing whole numbers here gives the same figures exactly (integer sums do not depend
on their order). Shares (readiness: sums of doubles) stay in SQL.

Over the responses (the reference while the cells are stale: one row per person) the views keep their SQL;
`in_sql()` makes the views sum the cells in SQL too, the reference the tests hold this path equal to
(tests/test_analysis_sums.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

from framework import db
from framework.analysis.base import filtered, params
from framework.analysis.filters import Filters
from framework.analysis.source import CELLS, Source

_SQL: ContextVar[bool] = ContextVar("sums_in_sql", default=False)


def here(src: Source) -> bool:
    """Whether a view sums `src`'s rows here (the cells), not in SQL."""
    return src.name == CELLS and not _SQL.get()


@contextmanager
def in_sql() -> Iterator[None]:
    """Every view inside the block sums the cells in SQL (the reference of this module's sums)."""
    token = _SQL.set(True)
    try:
        yield
    finally:
        _SQL.reset(token)


def grouped(
    con, f: Filters, src: Source, exact: bool, keys: dict[str, str], values: dict[str, str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """The filtered rows of `src` (whole disclosure blocks unless `exact`) grouped by the `keys` (name -> SQL
    over filtered.sql's columns; NULL is a key value of its own, as in GROUP BY) with the `values` (name -> SQL
    of a whole number per row) summed: (one row per distinct key, in no set order; int64 sums, one column per
    value). Only the columns the values read are fetched (Source.narrow)."""
    cols = ", ".join(f"{expr} AS {db.ident(n)}" for n, expr in (keys | values).items())
    narrow = src.narrow([v for v in values.values() if v != src.weight])
    text = f"WITH f AS ({filtered(con, narrow, exact)}) SELECT {cols} FROM f"
    table = db.arrow(con, text, params(con, f, exact))
    if table.num_rows == 0:
        return pd.DataFrame({k: pd.Series([], dtype=object) for k in keys}), np.zeros((0, len(values)), np.int64)
    code = np.zeros(table.num_rows, dtype=np.int64)
    uniques = []
    for k in keys:  # one integer per distinct key tuple
        c, u = pd.factorize(table.column(k).to_numpy(zero_copy_only=False), use_na_sentinel=False)
        code = code * (len(u) + 1) + c
        uniques.append((c, u))
    inverse = np.unique(code, return_inverse=True)[1]
    order = np.argsort(inverse, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(inverse[order]) != 0])
    matrix = np.column_stack([table.column(v).fill_null(0).to_numpy() for v in values]).astype(np.int64)
    sums = np.add.reduceat(matrix[order], starts, axis=0)
    heads = order[starts]  # a row of each group, in the order of `sums`
    out = pd.DataFrame({k: u[c[heads]] for k, (c, u) in zip(keys, uniques)})
    return out, sums
