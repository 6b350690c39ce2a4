"""Compiles the YAML source into the Parquet files the dashboard queries (`python -m framework build`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from framework.catalog.document import TABLES, load_tables
from framework.paths import PARQUET_DIR, SOURCE_DIR


def _arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)


def build(source_dir: Path = SOURCE_DIR, out_dir: Path = PARQUET_DIR) -> dict[str, int]:
    """Write one Parquet file per table (deterministic bytes: no timestamps); return row counts."""
    tables = load_tables(source_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TABLES:
        df = tables[name]
        pq.write_table(_arrow(df), out_dir / f"{name}.parquet", compression="zstd")
        counts[name] = len(df)
    for stale in out_dir.glob("*.parquet"):
        if stale.stem not in TABLES:
            stale.unlink()
    return counts


def stale_tables(source_dir: Path = SOURCE_DIR, out_dir: Path = PARQUET_DIR) -> list[str]:
    """Tables whose committed Parquet differs from a fresh build of the source (empty = up to date)."""
    fresh = load_tables(source_dir)
    stale = []
    for name in TABLES:
        path = out_dir / f"{name}.parquet"
        if not path.exists() or not pq.read_table(path).replace_schema_metadata(None).equals(_arrow(fresh[name])):
            stale.append(name)
    return stale
