"""THE key rule of an agency and an org unit as the views group them: trimmed, and blank or missing = '—'.

Written once here and used by every query that groups, matches or counts by agency or org unit (filtered.sql,
the cells, the releases, the round clash checks, the schema upgrades, the campaign's head counts).
"""

from __future__ import annotations

NONE_KEY = "—"  # an agency / org unit not given (framework.analysis.NONE_KEY)


def name_key(expr: str) -> str:
    """SQL of the key of a name column or expression `expr` (code, never user text): trimmed, blank = '—'."""
    return f"coalesce(nullif(trim({expr}), ''), '{NONE_KEY}')"


# A response's agency: its own column, else its batch's (`r` the response, `b` its batch).
AGENCY_KEY = name_key("coalesce(r.agency, b.agency)")
# A response's (or cell's) org unit.
UNIT_KEY = name_key("org_unit")
# A campaign batch's content_hash: this prefix and the campaign's code (never a sha256 of an uploaded file).
CAMPAIGN_KEY_PREFIX = "campaign:"
