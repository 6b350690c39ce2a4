"""Coverage, readiness, stage reached, blocking units, training needs and trends of the survey store (PDPA-safe).

Every aggregate is one DuckDB query over the cells kept at write time (`store.agg_cells`, source.py; the
responses when the cells are stale) and the framework tables; Python only reshapes the small aggregated result
and applies suppression. The package:
- filters.py      Filters and THE defaults (t = 0 = the agency's targets, k = the floor, target = 0.8); k floor
- disclosure.py   the disclosure blocks: every figure without the HR passphrase is a sum of whole blocks of >= k
- suppression.py  every rule that hides a figure, and the reasons in words
- base.py         catalogue frame, SQL key fragments, ordering
- *_view.py       the views: coverage + blockers, readiness + stage reached, training needs, overview +
                  counts + filter options, trends
- rounds.py       which round of each agency a view is about (latest by default), in words; change since
                  the previous round
- definitions.py  how every figure is computed (Thai + English), shown on every survey page
This module re-exports the public API: `from framework import analysis; analysis.coverage(con, filters)`.
"""

from __future__ import annotations

from framework.analysis import rounds  # noqa: F401
from framework.analysis.base import required_codes, units  # noqa: F401
from framework.analysis.coverage_view import (  # noqa: F401
    HIDDEN_NO_PREVIOUS,
    blockers,
    coverage,
    coverage_change,
)
from framework.analysis.definitions import DEFINITIONS_EN, DEFINITIONS_TH  # noqa: F401
from framework.analysis.filters import (  # noqa: F401  # noqa: F401
    BY,
    DEFAULT_TARGET,
    DEFAULT_THRESHOLD,
    DIMENSIONS,
    NONE_KEY,
    ROUND_ALL,
    ROUND_LATEST,
    ROUND_PREVIOUS,
    TOTAL_KEY,
    AnalysisError,
    Filters,
    check_round,
    default_min_cell,
    defaults,
)
from framework.analysis.overview_view import (  # noqa: F401
    NextStep,
    filter_options,
    gap_points,
    next_step,
    overview,
    survey_counts,
)
from framework.analysis.readiness_view import (  # noqa: F401
    narrow,
    readiness,
    stage_reached,
    work_stage,
)
from framework.analysis.rounds import with_round  # noqa: F401
from framework.analysis.suppression import (  # noqa: F401
    HIDDEN_EMPTY,
    HIDDEN_POOLED,
    HIDDEN_SMALL,
    REASONS,
    TrainingHeadline,
    hidden_counts,
    hidden_note,
    reason_label,
    training_headline,
)
from framework.analysis.training_view import TRAINING_BY, training_needs  # noqa: F401
from framework.analysis.trends_view import trends  # noqa: F401
from framework.catalog import NEXT_STAGE, STAFF_GROUPS, STAGES, next_stage  # noqa: F401
from framework.db import data_version, has_store  # noqa: F401
