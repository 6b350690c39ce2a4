"""The survey store: an embedded DuckDB file attached as `store` (batches + one row per respondent).

- schema.py   the tables, the schema version and the in-place upgrade of older store files
- core.py     SurveyStore: atomic ingest (one count per person per round), batches, demo
- rounds.py   rounds (agency, round date), the same-people check, the upload-metadata rules
- campaign_batch.py  one growing batch per self-assessment campaign (append), its submissions log
- trash.py    delete to the trash, restore, purge, each batch's original file
- results.py  IngestResult, RoundConflict, the on-conflict choices
- aggregates.py  the cells kept at write time (agg_cells) that the survey views read
"""

from framework.store import aggregates, campaign_batch  # noqa: F401
from framework.store.core import SurveyStore
from framework.store.results import (
    ON_CONFLICT,
    BatchInTrash,
    IngestResult,
    Progress,
    RoundConflict,
)
from framework.store.rounds import MetaCheck
from framework.store.schema import (
    RESPONSE_KEYS,
    SCHEMA_VERSION,
    StoreVersionError,
    ensure_schema,
    schema_version,
)

__all__ = [
    "ON_CONFLICT",
    "RESPONSE_KEYS",
    "SCHEMA_VERSION",
    "BatchInTrash",
    "IngestResult",
    "MetaCheck",
    "Progress",
    "RoundConflict",
    "StoreVersionError",
    "SurveyStore",
    "ensure_schema",
    "schema_version",
]
