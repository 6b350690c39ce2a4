"""The store's tables, its schema version, and the in-place upgrade of a store written by an older version.

Version 1 (the first release): `batches`, `responses`, `store_info` (no version recorded).
Version 2: `store_info['schema_version']`; the trash (`trash_batches`, `trash_responses`: the same columns as
the live tables, so no reader of `batches`/`responses` ever sees a deleted batch); `batch_files` (each
batch's original uploaded file); `replacements` (who replaced whose answers in a round).
Version 3: `superseded_responses` (answers replaced by a later upload, kept with who replaced them and
when: nothing a replace does is lost); an older store holding the same person twice in a round (possible
before version 2 counted people once per round) is resolved on upgrade: the latest upload's answers stay
live, the earlier ones move to `superseded_responses` and `replacements`, so no view counts a person twice.
Version 4: `agg_cells`, the aggregates kept at write time (store/aggregates.py), built from every live
response on upgrade; rebuilt too when the catalogue's profiles change (`agg_catalog` in store_info).
Version 5: one batch per self-assessment campaign (store/campaign_batch.py) and `campaign_submissions` (every
submission's raw row, `seq`, `submitted_at`); the one-person batches older versions made per submission are
merged into their campaign's batch on upgrade (what was merged is logged and kept in
store_info['upgrade_5']).
Version 6: canonical names and ids (framework/names.py, store/canonical.py): every stored agency, org unit,
position and respondent id rewritten in its canonical form; look-alike variants of one person in a round
merged (the latest answers live, the others superseded as a replace would); the report of what changed is
logged and kept in store_info['upgrade_6'].
The self-assessment campaigns' tables (`campaigns`, `campaign_drafts`, `campaign_results`,
`campaign_submissions`; their DDL lives with their code in framework/campaign and store/campaign_batch.py) are
created here, with the store (and added to a current store that lacks them), not when a page first uses them;
so is `targets` (framework/targets.py: the agencies' target levels per profile and unit, issue 21), without a
version of its own: a store of version 7 without it gets it on opening, and its cells (now with t = 0) are rebuilt.

Version 7: `campaign_links` (personal links, framework/campaign/links.py: hashed tokens, used / revoked),
`audit_log` (framework/audit.py, append-only), `campaigns.links_only` when a campaigns table exists, and the
drafts older versions kept under a random token carried in the address bar (`&d=`) deleted: drafts are now
kept in the browser session, or for a personal link under its token's hash.
Every step is idempotent and runs in one transaction: an interrupted upgrade leaves the store as it was.
"""

from __future__ import annotations

import json

import duckdb

from framework import db, targets
from framework.errors import BilingualError
from framework.store import aggregates, campaign_batch, canonical, releases
from framework.store.keys import AGENCY_KEY

SCHEMA_VERSION = 7

# Columns of store.responses before the unit columns; one UTINYINT column per unit code follows
# (framework order), NULL = not assessed.
RESPONSE_KEYS = ("batch_id", "respondent_id", "staff_group", "agency", "org_unit", "position")


class StoreVersionError(BilingualError):
    """The store file was written by a newer version of the program."""


def _tables(cur) -> set[str]:
    return {
        t for (t,) in cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'").fetchall()
    }


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version recorded in the store: 0 = empty file, 1 = a store from before versions were recorded."""
    cur = con.cursor()
    try:
        tables = _tables(cur)
        if "store_info" in tables:
            row = cur.execute("SELECT value FROM store.store_info WHERE key = 'schema_version'").fetchone()
            if row:
                return int(row[0])
        return 1 if "batches" in tables else 0
    finally:
        cur.close()


def _version_1(cur, unit_codes: list[str]) -> None:
    cur.execute("""
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
    unit_cols = ",\n".join(f"{db.ident(code)} UTINYINT" for code in unit_codes)
    cur.execute(f"""
        CREATE TABLE IF NOT EXISTS store.responses (
            batch_id      VARCHAR NOT NULL,
            respondent_id VARCHAR NOT NULL,
            staff_group   VARCHAR NOT NULL,
            agency        VARCHAR,
            org_unit      VARCHAR,
            position      VARCHAR,
            {unit_cols}
        )""")
    cur.execute("CREATE TABLE IF NOT EXISTS store.store_info (key VARCHAR PRIMARY KEY, value VARCHAR)")


def _version_2(cur) -> None:
    # The trash copies the live tables' columns (so a restore is one INSERT … SELECT) plus who/when.
    cur.execute(
        "CREATE TABLE IF NOT EXISTS store.trash_batches AS "
        "SELECT *, NULL::TIMESTAMP AS deleted_at, NULL::VARCHAR AS deleted_by FROM store.batches LIMIT 0"
    )
    cur.execute("CREATE TABLE IF NOT EXISTS store.trash_responses AS FROM store.responses LIMIT 0")
    cur.execute("""
        CREATE TABLE IF NOT EXISTS store.batch_files (
            batch_id  VARCHAR PRIMARY KEY,
            file_name VARCHAR NOT NULL,
            size      BIGINT NOT NULL,
            data      BLOB NOT NULL
        )""")
    cur.execute("""
        CREATE TABLE IF NOT EXISTS store.replacements (
            batch_id      VARCHAR NOT NULL,   -- the batch whose answers were replaced
            respondent_id VARCHAR NOT NULL,
            agency_key    VARCHAR NOT NULL,
            replaced_by   VARCHAR NOT NULL,   -- the batch whose answers replaced them
            replaced_at   TIMESTAMP NOT NULL
        )""")


def _version_3(cur) -> None:
    cur.execute(
        "CREATE TABLE IF NOT EXISTS store.superseded_responses AS "
        "SELECT *, NULL::VARCHAR AS replaced_by, NULL::TIMESTAMP AS replaced_at FROM store.responses LIMIT 0"
    )
    # The same person twice in a round (agency, round date): the latest upload stays live.
    agency = AGENCY_KEY
    cur.execute(f"""
        CREATE TEMP TABLE dup AS
        SELECT batch_id, respondent_id, agency_key, keep_batch FROM (
            SELECT r.batch_id, r.respondent_id, {agency} AS agency_key,
                   first_value(r.batch_id) OVER w AS keep_batch, row_number() OVER w AS rank
            FROM store.responses r JOIN store.batches b USING (batch_id)
            WINDOW w AS (PARTITION BY b.round_date, {agency}, r.respondent_id
                         ORDER BY b.uploaded_at DESC, r.batch_id DESC)
        ) WHERE rank > 1""")
    cur.execute(
        "INSERT INTO store.superseded_responses SELECT r.*, d.keep_batch, now()::TIMESTAMP "
        "FROM store.responses r JOIN dup d USING (batch_id, respondent_id)"
    )
    cur.execute(
        "INSERT INTO store.replacements SELECT batch_id, respondent_id, agency_key, keep_batch, "
        "now()::TIMESTAMP FROM dup"
    )
    cur.execute(
        "DELETE FROM store.responses r USING dup d WHERE r.batch_id = d.batch_id AND r.respondent_id = d.respondent_id"
    )
    cur.execute("DROP TABLE dup")


CAMPAIGN_TABLES = {"campaigns", "campaign_drafts", "campaign_results", "campaign_submissions", "targets"}


def _campaign_tables(cur) -> None:
    """The campaign tables (CREATE TABLE IF NOT EXISTS: a store that has them keeps them as they are)."""
    from framework.campaign import (  # on use: framework.campaign imports the store
        model,
        results,
    )

    for ddl in (*model.DDL, results.DDL, campaign_batch.DDL, targets.DDL):
        cur.execute(ddl)


def _lacks_campaign_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """A writable store without every campaign table (a read-only connection is left as it is)."""
    cur = con.cursor()
    try:
        (readonly,) = cur.execute("SELECT readonly FROM duckdb_databases() WHERE database_name = 'store'").fetchone()
        return not readonly and not CAMPAIGN_TABLES <= _tables(cur)
    finally:
        cur.close()


def _version_7(cur) -> None:
    from framework import audit
    from framework.campaign import links, model

    cur.execute(links.DDL)
    cur.execute(audit.DDL)
    tables = _tables(cur)
    if "campaigns" in tables:
        cur.execute(model.ADD_LINKS_ONLY)
    if "campaign_drafts" in tables:  # drafts keyed by a token that sat in the address bar: gone
        cur.execute("DELETE FROM store.campaign_drafts WHERE token NOT LIKE 'link:%'")


def ensure_schema(con: duckdb.DuckDBPyConnection, unit_codes: list[str]) -> int:
    """Create the store tables, or upgrade an older store in place; returns the version found before.

    Unit codes come from the catalogue, never user text. Existing batches and responses are kept as they are.
    A store written by a newer version is refused (bilingual) rather than changed.
    """
    found = schema_version(con)
    if found > SCHEMA_VERSION:
        raise StoreVersionError(
            f"ไฟล์คลังแบบสำรวจนี้สร้างโดยโปรแกรมรุ่นใหม่กว่า (รุ่นโครงสร้าง {found} ; รุ่นนี้อ่านได้ถึง {SCHEMA_VERSION}) "
            "— ปรับรุ่นโปรแกรมก่อน ไม่มีข้อมูลใดถูกเปลี่ยน",
            f"This survey store was written by a newer version of the program (schema {found}; this version "
            f"reads up to {SCHEMA_VERSION}) - update the program first. Nothing was changed.",
        )
    if found == SCHEMA_VERSION:
        if _lacks_campaign_tables(con):  # a store of this version written before they were created here
            with db.transaction(con) as cur:
                _campaign_tables(cur)
        if not aggregates.fresh(con) or not releases.exists(con):  # another catalogue, rows written around
            with db.transaction(con) as cur:  # the store, or no released layer yet
                aggregates.rebuild(cur)
        return found
    with db.transaction(con) as cur:
        _version_1(cur, unit_codes)
        _version_2(cur)
        _version_3(cur)
        merged = campaign_batch.merge_old_batches(cur)  # version 5
        if merged:
            cur.execute(
                "INSERT OR REPLACE INTO store.store_info VALUES ('upgrade_5', ?)",
                [json.dumps(merged, ensure_ascii=False)],
            )
        if 0 < found < 6 and (report := canonical.upgrade(cur)):  # version 6 (an empty store: nothing to fix)
            cur.execute(
                "INSERT OR REPLACE INTO store.store_info VALUES ('upgrade_6', ?)",
                [json.dumps(report, ensure_ascii=False, default=str)],
            )
        _campaign_tables(cur)
        _version_7(cur)
        aggregates.rebuild(cur)
        cur.execute("INSERT OR REPLACE INTO store.store_info VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return found
