"""A campaign submission's row as the upload validation accepts it, the validation's fixed cost paid once per
process (issue 22).

Every campaign row is checked by the uploads' validator (`SurveyStore._validate`, `survey.Validator`: a CSV file
written, decoded and read by DuckDB, twenty-odd statements over 44 columns), about 0.15-0.2 s of CPU for one row
whatever it holds. But the form builds its row itself from checked answers (framework/campaign/submit.py): an
id, a staff group key, the campaign's agency, an org unit of its list, "0".."4" or "" per unit. For such a
*plain* row (`plain()`: the campaign header, printable ASCII ids that are not the templates' example id, a
known staff group, names without control characters or quotes, each level cell "" or one digit 0-4) the
validator's verdict follows from the cells alone: accepted, each cell as its canonical value (the id and names
through framework.names as the validator's maps do, the staff group through the catalogue's aliases as its
group map does, a level as its number, "" as NULL).

`known(header)`: the first plain row of each header in a process still goes through the validator, and the row
built here must equal the validator's (`verify`); the Arrow schema, format and encoding are then taken from
that run. A difference switches the fast path off for that header (logged) and every row goes through the
validator as before. Any other row always does.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from framework import names
from framework.catalog import STAFF_GROUPS, normalise_label
from framework.survey.canon import PLAIN
from framework.survey.templates import EXAMPLE_ID

LOG = logging.getLogger("framework.store")
FIXED = ("respondent_id", "group", "agency", "unit", "position")
_ID = re.compile(PLAIN["id"])
_LEVEL = {"": None, "0": 0, "1": 1, "2": 2, "3": 3, "4": 4}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"]')  # control characters and quotes: the validator's own way for those
MAX_PLAIN = 1000  # characters in one cell (the validator's limit is 32,767: far above any form's cell)


@dataclass(frozen=True)
class Verified:
    """What the validator's own run of a header gave: its accepted rows' schema, format, encoding, an empty
    problem list of its columns; `ok` False when its row differed from this module's (fast path off)."""

    ok: bool
    schema: pa.Schema | None = None
    source_format: str | None = None
    encoding: str | None = None
    no_problems: pd.DataFrame | None = None
    aliases: dict | None = None  # the catalogue's staff-group aliases (its group map's)


_KNOWN: dict[tuple, Verified] = {}
_LOCK = threading.Lock()


def known(header: tuple) -> Verified | None:
    with _LOCK:
        return _KNOWN.get(header)


def forget() -> None:
    """Every header verified again (tests)."""
    with _LOCK:
        _KNOWN.clear()


def plain(raw: dict, unit_codes: list[str]) -> bool:
    """Whether the validator's verdict on this row follows from its cells alone (see the module docstring)."""
    if tuple(raw) != (*FIXED, *unit_codes):
        return False
    if any(not isinstance(v, str) or len(v) > MAX_PLAIN or _UNSAFE.search(v) for v in raw.values()):
        return False
    rid = raw["respondent_id"]
    if not _ID.fullmatch(rid) or rid == EXAMPLE_ID or raw["group"] not in STAFF_GROUPS:
        return False
    if any(raw[c] != raw[c].strip() for c in ("agency", "unit", "position")):
        return False
    return all(raw[u] in _LEVEL for u in unit_codes)


def group_key(raw: dict, aliases: dict[str, str]) -> str | None:
    """The staff group key the validator's group map gives the row's group cell (None: it rejects the row)."""
    return aliases.get(normalise_label(names.name(raw["group"])))


def values(raw: dict, unit_codes: list[str], aliases: dict[str, str]) -> dict:
    """A plain row's accepted values by response column (the validator's staging view's columns)."""
    out = {
        "respondent_id": raw["respondent_id"],  # printable ASCII: kept as it is (survey/canon.py)
        "staff_group": group_key(raw, aliases),
        "agency": names.name(raw["agency"]) or None,
        "org_unit": names.name(raw["unit"]) or None,
        "position": names.name(raw["position"]) or None,
    }
    return out | {u: _LEVEL[raw[u]] for u in unit_codes}


def row(raw: dict, unit_codes: list[str], aliases: dict[str, str], schema: pa.Schema) -> pa.Table:
    """A plain row as the validator's accepted rows (one row, its schema)."""
    return pa.Table.from_pylist([values(raw, unit_codes, aliases)], schema=schema)


def verify(header: tuple, raw: dict, unit_codes: list[str], aliases: dict, rows: pa.Table, res) -> Verified:
    """After the validator accepted the plain row `raw` as `rows` (one row) in result `res`: keep what the fast
    path needs when its own row is equal, else switch it off for this header."""
    ok = rows.num_rows == 1 and rows.select(list(rows.schema.names)).equals(row(raw, unit_codes, aliases, rows.schema))
    if not ok:
        LOG.warning("campaign rows: the fast path differs from the upload validation for %s: switched off", header)
    found = Verified(ok, rows.schema, res.source_format, res.encoding, res.problems.iloc[:0].copy(), dict(aliases))
    with _LOCK:
        return _KNOWN.setdefault(header, found)
