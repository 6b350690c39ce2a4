"""Where the survey views read their counts: the cells kept at write time, or the responses themselves.

Every view query is written once, over weighted rows: each row of the source stands for `w` respondents
and gives, per unit, how many of them meet it at $t (`met`) and how many were assessed (`assessed`), and
per stage how many meet every unit their profile requires (`full`). Over store.responses a row is one
person (w = 1, met = level >= $t as 0/1); over store.agg_cells (store/aggregates.py) a row is a cell of
people at threshold $t. At $t = 0 a unit is met at its target level (framework/targets.py): the cells were
counted so at write time; over the responses a CASE built from the levels in force (`targets`) says it, per
row's agency, round, staff group and stage (the batch's for a unit, the stage asked for in readiness). Sums over either give the same figures, so a view's cost follows the cells it
shows (issue 12), and the responses remain the reference (tests/test_aggregates_equal.py).

`pick(con)` reads the cells whenever `aggregates.fresh(con)` says they match the responses, else the
responses; `forced("responses")` makes every view in the block read the responses (the equality test).
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

import pandas as pd

from framework import db, sql
from framework import targets as tgt
from framework.analysis.memo import once
from framework.catalog import STAGES
from framework.store import aggregates, keys, releases

RESPONSES, CELLS = "responses", "cells"
# The cells' columns filtered.sql and the disclosure blocks read (a narrowed source keeps them).
CELL_KEYS = ("batch_id", "agency", "unit_key", "staff_group", "n")
_FORCED: ContextVar[str | None] = ContextVar("survey_source", default=None)


@dataclass(frozen=True)
class Source:
    name: str
    released: bool = True  # the store has the released layer of campaigns (store/releases.py)
    targets: tuple = ()  # over the responses: the target levels in force that differ from the default
    campaigns: bool = True  # the store holds a campaign batch (False: the public rows are every row)
    columns: tuple | None = None  # over the cells: the counts read (None: every column; see narrow)

    def narrow(self, columns) -> Source:
        """The same source reading only these count columns of the cells (SQL identifiers) besides CELL_KEYS:
        DuckDB binds and plans the 90 columns of a cell less often (the responses are read whole, as before)."""
        return replace(self, columns=tuple(c for c in dict.fromkeys(columns) if c not in CELL_KEYS))

    @property
    def _cell_columns(self) -> str:
        return "* EXCLUDE (t)" if self.columns is None else ", ".join(CELL_KEYS + self.columns)

    @property
    def rows(self) -> str:
        if self.name == CELLS:
            return f"SELECT {self._cell_columns} FROM {aggregates.TABLE} WHERE t = $t"
        return f"SELECT *, {aggregates.UNIT_KEY} AS unit_key FROM store.responses"

    @property
    def public_rows(self) -> str:
        """The rows everyone without the HR passphrase is shown: a campaign batch's cells as last released
        (store/releases.py: in steps of k changed people); over the responses (only while the cells are stale)
        a campaign's answers are left out."""
        campaigns = releases.CAMPAIGN_BATCHES
        # A store no write has reached since before releases, or one without a campaign batch (the usual case):
        # every row is public, and DuckDB need not plan the union (~4 ms of every public query).
        if not self.released or not self.campaigns:
            return self.rows
        if self.name == CELLS:
            what = self._cell_columns
            return (
                f"SELECT {what} FROM {aggregates.TABLE} WHERE t = $t AND batch_id NOT IN ({campaigns}) "
                f"UNION ALL BY NAME "
                f"SELECT {what} FROM {releases.TABLE} WHERE t = $t AND batch_id IN ({campaigns})"
            )
        return f"SELECT *, {aggregates.UNIT_KEY} AS unit_key FROM store.responses WHERE batch_id NOT IN ({campaigns})"

    @property
    def weight(self) -> str:
        """How many respondents a row stands for."""
        return "n" if self.name == CELLS else "1"

    def met(self, code: str) -> str:
        """Of a row's respondents, how many meet the unit at $t."""
        if self.name == CELLS:
            return aggregates.met_col(code)
        return self._met(code)

    def _met(self, code: str, stage: str | None = None) -> str:
        """Over the responses: 1 when the row's level is >= $t, or at $t = 0 >= its target level (at `stage`, else
        at its batch's stage)."""
        return _met_sql(self.targets, code, stage)

    def assessed(self, code: str) -> str:
        """Of a row's respondents, how many have a level for the unit."""
        if self.name == CELLS:
            return aggregates.assessed_col(code)
        return f"({db.ident(code)} IS NOT NULL)::INTEGER"

    def required_met(self, required: dict, stage: str) -> str:
        """Per row: the met counts summed over the units the row's staff group requires at `stage`."""
        if self.name == CELLS:
            return aggregates.required_met_col(stage)  # summed at write time (one staff group per cell)
        return aggregates.by_staff_group(lambda g: " + ".join(self._met(c, stage) for c in required[(stage, g)]) or "0")

    def full(self, stage: str, met_alias: str, req_alias: str) -> str:
        """Per row: how many respondents meet every unit required at `stage` (aliases of the same SELECT)."""
        if self.name == CELLS:
            return aggregates.full_col(stage)
        return f"({met_alias} = {req_alias})::INTEGER"

    def filtered(self, exact: bool = True, public: bool | None = None) -> str:
        """filtered.sql over this source: the rows the survey filters keep, with the analysis keys.

        exact=False keeps only whole disclosure blocks (analysis/disclosure.py; binds $blk_*) of the public rows:
        the figures of everyone without the HR passphrase. `public` picks the rows alone (default: not exact)."""
        public = (not exact) if public is None else public
        tail = sql.load("blocks_exact") if exact else db.render(sql.load("blocks_public"), weight=self.weight)
        return db.render(
            sql.load("filtered"),
            rows=self.public_rows if public else self.rows,
            blocks=tail,
            agency_key=keys.AGENCY_KEY,
        )


def pick(con) -> Source:
    """The cells when they can be trusted (aggregates.fresh), else the responses; `forced` overrides."""
    forced = _FORCED.get()
    if forced is not None:
        return Source(
            forced,
            _released(con) if con is not None else True,
            _targets(con) if con is not None and forced == RESPONSES else (),
            bool(campaign_batches(con)) if con is not None else True,
        )
    name = CELLS if _fresh(con) else RESPONSES
    return Source(name, _released(con), _targets(con) if name == RESPONSES else (), bool(campaign_batches(con)))


@once
def tables(con) -> frozenset:
    """The store's table names, read once per view computation (has_store, fresh, the released layer)."""
    return frozenset(db.scalar(con, "SELECT list(table_name) FROM duckdb_tables() WHERE database_name = 'store'") or ())


@once
def _state(con) -> tuple[bool, frozenset]:
    """(aggregates.fresh, the campaign batches of a store with the released layer) from one query: the store's
    facts a view needs before it reads, asked together rather than in four statements (each a few ms of
    DuckDB's planning)."""
    have = tables(con)
    columns = []
    if aggregates.FRESH_TABLES <= have:
        columns.append(aggregates.FRESH_COLUMNS)
    if _released(con):
        columns.append(f"(SELECT list(batch_id) FROM ({releases.CAMPAIGN_BATCHES})) AS campaigns")
    if not columns:
        return False, frozenset()
    row = db.arrow(con, "SELECT " + ", ".join(columns), {"key": aggregates.CATALOG_KEY}).to_pylist()[0]
    fresh = "cells" in row and aggregates.fresh_from(row["built_for"], row["catalogue"], row["cells"], row["responses"])
    return fresh, frozenset(row.get("campaigns") or ())


def campaign_batches(con) -> frozenset:
    """The campaign batches (store/releases.py), read once per view computation: their cells are public as
    released, never pooled into disclosure blocks (analysis/base.py blocks)."""
    return _state(con)[1]


@once
@functools.lru_cache(maxsize=4096)
def _met_sql(targets: tuple, code: str, stage: str | None) -> str:
    """Source._met's SQL, built once per (levels in force, unit, stage): a view over the responses asks for the
    same unit at the same stage once per staff group and figure (thousands of times at t = 0 with targets)."""
    frame = pd.DataFrame(list(targets), columns=["agency", "round_key", "stage", "staff_group", "unit_code", "level"])
    level = tgt.level_sql(
        frame, code, agency="agency", round_key="round_key", group="staff_group", stage=stage, stage_sql="batch_stage"
    )
    return f"(({db.ident(code)} >= CASE WHEN $t = 0 THEN {level} ELSE $t END) IS TRUE)::INTEGER"


def _targets(con) -> tuple:
    return tuple(tgt.in_force_all(con).itertuples(index=False, name=None))


def _released(con) -> bool:
    """releases.exists, from the store's tables."""
    return {"agg_released", "released_rows"} <= tables(con)


def _fresh(con) -> bool:
    """aggregates.fresh, asked with the campaign batches (_state)."""
    return _state(con)[0]


@contextmanager
def forced(name: str):
    """Every view inside the block reads `name` ("responses" or "cells")."""
    if name not in (RESPONSES, CELLS):
        raise ValueError(name)
    token = _FORCED.set(name)
    try:
        yield
    finally:
        _FORCED.reset(token)


def stage_parts(src: Source, required: dict) -> dict:
    """The readiness.sql parts of every stage: met, required and fully-met counts per row."""
    parts = {"weight": src.weight}
    for s in STAGES:
        short = s[0].lower()
        parts[f"met_{s}"] = src.required_met(required, s)
        parts[f"req_{s}"] = aggregates.by_staff_group(lambda g, s=s: len(required[(s, g)])) + "::DOUBLE"
        parts[f"full_{s}"] = src.full(s, f"m_{short}", f"q_{short}")
    return parts
