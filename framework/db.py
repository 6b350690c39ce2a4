"""The one DuckDB connection factory: framework tables in memory, the survey store attached as `store`."""
from __future__ import annotations

from pathlib import Path

import duckdb

from framework.paths import PARQUET_DIR
from framework.source import TABLES


def _literal(path: Path) -> str:
    # Paths are the project's own (never user text); quote them as SQL string literals.
    return "'" + str(path).replace("'", "''") + "'"


def load_framework(con: duckdb.DuckDBPyConnection, parquet_dir: Path = PARQUET_DIR) -> None:
    """Copy the framework Parquet files into tables of the connection's in-memory catalogue."""
    for name in TABLES:
        path = Path(parquet_dir) / f"{name}.parquet"
        con.execute(f"CREATE OR REPLACE TABLE memory.main.{name} AS SELECT * FROM read_parquet({_literal(path)})")


def connect(store: str | Path | None = None, *, read_only: bool = False,
            parquet_dir: Path = PARQUET_DIR) -> duckdb.DuckDBPyConnection:
    """Open an in-memory DuckDB holding the framework tables; attach the survey store file if given.

    Cursors (`con.cursor()`) share the same database, so one connection can serve every thread.
    """
    con = duckdb.connect(":memory:")
    load_framework(con, parquet_dir)
    if store is not None:
        path = Path(store)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        mode = " (READ_ONLY)" if read_only else ""
        con.execute(f"ATTACH {_literal(path)} AS store{mode}")
    return con
