"""The survey store: an embedded DuckDB file attached as `store` (batches + one row per respondent)."""
from __future__ import annotations

import duckdb

# Columns of store.responses before the unit columns; one UTINYINT column per unit code follows
# (framework order), NULL = not assessed.
RESPONSE_KEYS = ("batch_id", "respondent_id", "staff_group", "agency", "org_unit", "position")


def ensure_schema(con: duckdb.DuckDBPyConnection, unit_codes: list[str]) -> None:
    """Create the store tables if missing (idempotent). Unit codes come from the catalogue, never user text."""
    con.execute("""
        CREATE TABLE IF NOT EXISTS store.batches (
            batch_id      VARCHAR PRIMARY KEY,
            file_name     VARCHAR NOT NULL,
            content_hash  VARCHAR NOT NULL,
            agency        VARCHAR,
            stage         VARCHAR,
            round_date    DATE,
            uploaded_at   TIMESTAMP NOT NULL,
            rows_read     INTEGER NOT NULL,
            accepted      INTEGER NOT NULL,
            rejected      INTEGER NOT NULL,
            is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
            source_format VARCHAR,
            encoding      VARCHAR
        )""")
    unit_cols = ",\n".join(f'"{code}" UTINYINT' for code in unit_codes)
    con.execute(f"""
        CREATE TABLE IF NOT EXISTS store.responses (
            batch_id      VARCHAR NOT NULL,
            respondent_id VARCHAR NOT NULL,
            staff_group   VARCHAR NOT NULL,
            agency        VARCHAR,
            org_unit      VARCHAR,
            position      VARCHAR,
            {unit_cols}
        )""")
