"""Framework views of role profiles: display names, the unit tree and the readiness path of a staff group."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from html import escape

import pandas as pd

from framework import thai_text
from framework.catalog import STAFF_GROUPS, STAGES, Catalog, Diff, normalise_label

# Status of a unit at one stage of a staff group's path (stages are not nested, so units can drop out).
FIRST = "first"  # required at the first stage of the path
ADDED = "added"  # required here, not at the previous stage
KEPT = "kept"  # required here and at the previous stage
DROPPED = "dropped"  # required at the previous stage, not here
STATUSES = (FIRST, ADDED, KEPT, DROPPED)


def text(row, field: str, lang: str) -> str:
    """Thai or English text of a row's `<field>_th` / `<field>_en`, falling back to Thai when English is blank."""
    en = row.get(f"{field}_en") if hasattr(row, "get") else getattr(row, f"{field}_en", None)
    th = row.get(f"{field}_th") if hasattr(row, "get") else getattr(row, f"{field}_th", None)
    if lang == "en" and isinstance(en, str) and en.strip():
        return en
    return th if isinstance(th, str) else ""


def names(cat: Catalog, lang: str) -> dict[str, str]:
    """Key -> display name of every stage, staff group and capability group (keys never collide)."""
    col = "name_en" if lang == "en" else "name_th"
    out: dict[str, str] = {}
    for df in (cat.stages(), cat.staff_groups(), cat.groups()):
        out.update(zip(df["key"], df[col]))
    return out


def parse_stage(value, default: str = STAGES[0]) -> str:
    """A stage key from a URL value (key, Thai or English name, any case); the default if unknown."""
    for key in STAGES:
        if isinstance(value, str) and value.strip().casefold() == key.casefold():
            return key
    return default


def parse_staff_group(value, default: str = STAFF_GROUPS[0]) -> str:
    """A staff-group key from a URL value (case-insensitive); the default if unknown."""
    for key in STAFF_GROUPS:
        if isinstance(value, str) and value.strip().casefold() == key.casefold():
            return key
    return default


def element_tree(cat: Catalog) -> pd.DataFrame:
    """Every element with its criteria (long form, framework order), to expand any unit without more queries."""
    return cat.q(
        "SELECT e.unit_code, e.code AS element_code, e.name_th AS element_th, e.name_en AS element_en, "
        "c.code AS criterion_code, c.text_th AS criterion_th, c.text_en AS criterion_en "
        "FROM elements e LEFT JOIN criteria c ON c.element_code = e.code "
        "ORDER BY e.ord, c.ord"
    )


def unit_elements(tree: pd.DataFrame, unit_code: str) -> list[tuple[pd.Series, pd.DataFrame]]:
    """One unit's elements, each with its criteria rows, from `element_tree`."""
    rows = tree[tree["unit_code"] == unit_code]
    out = []
    for code in dict.fromkeys(rows["element_code"]):
        part = rows[rows["element_code"] == code]
        out.append((part.iloc[0], part.dropna(subset=["criterion_code"]).reset_index(drop=True)))
    return out


def requirement_grid(cat: Catalog, unit_code: str) -> pd.DataFrame:
    """Stage x staff group booleans: which of the 18 profiles require one unit (framework order)."""
    m = cat.requirement_matrix()
    m = m[m["unit_code"] == unit_code]
    grid = m.pivot(index="stage", columns="staff_group", values="required")
    return grid.loc[list(STAGES), list(STAFF_GROUPS)].astype(bool)


def requirement_pivot(matrix: pd.DataFrame, stage: str) -> pd.DataFrame:
    """Units (rows, framework order) x staff groups (columns, framework order) of 0/1 for one stage."""
    m = matrix[matrix["stage"] == stage]
    units = m.drop_duplicates("unit_code").sort_values("unit_ord")["unit_code"].tolist()
    groups = m.drop_duplicates("staff_group").sort_values("group_ord")["staff_group"].tolist()
    pv = m.pivot(index="unit_code", columns="staff_group", values="required").astype(int)
    return pv.loc[units, groups]


@dataclass
class Path:
    """A staff group's readiness path Early -> Developing -> Mature: the three profiles and the two steps."""

    staff_group: str
    profiles: dict
    steps: list[Diff]  # Early -> Developing, Developing -> Mature
    units: pd.DataFrame  # long form: code, group_key, name_th, name_en, unit_ord, stage, stage_ord, status


def pathway(cat: Catalog, staff_group: str) -> Path:
    """The readiness path of one staff group, with the status of every unit it ever requires at each stage."""
    profiles = {s: cat.profile(s, staff_group) for s in STAGES}
    steps = [cat.profile_diff(staff_group, a, b) for a, b in itertools.pairwise(STAGES)]
    cols = ["code", "group_key", "name_th", "name_en", "unit_ord"]
    every = (
        pd.concat([profiles[s].units[cols] for s in STAGES])
        .drop_duplicates("code")
        .sort_values("unit_ord")
        .reset_index(drop=True)
    )
    rows = []
    prev: set[str] | None = None
    for i, s in enumerate(STAGES, start=1):
        now = set(profiles[s].units["code"])
        for u in every.itertuples(index=False):
            if u.code in now:
                status = FIRST if prev is None else (KEPT if u.code in prev else ADDED)
            elif prev is not None and u.code in prev:
                status = DROPPED
            else:
                continue
            rows.append({**u._asdict(), "stage": s, "stage_ord": i, "status": status})
        prev = now
    units = pd.DataFrame(rows, columns=cols + ["stage", "stage_ord", "status"])
    return Path(staff_group, profiles, steps, units)


def path_changes(path: Path) -> pd.DataFrame:
    """Every addition and drop along a path, one row each (step, kind, change, code, Thai and English text)."""
    rows = []
    for step in path.steps:
        for kind, added, dropped, code, th, en in (
            ("unit", step.units_added, step.units_dropped, "code", "name_th", "name_en"),
            ("knowledge", step.knowledge_added, step.knowledge_dropped, "id", "text_th", "text_en"),
            ("experience", step.experience_added, step.experience_dropped, "id", "text_th", "text_en"),
            ("competency", step.competencies_added, step.competencies_dropped, "id", "name_th", "name_en"),
        ):
            for change, df in ((ADDED, added), (DROPPED, dropped)):
                for _, r in df.iterrows():
                    rows.append(
                        {
                            "from_stage": step.from_stage,
                            "to_stage": step.to_stage,
                            "kind": kind,
                            "change": change,
                            "code": r[code],
                            "text_th": r[th],
                            "text_en": r[en],
                        }
                    )
    return pd.DataFrame(rows, columns=["from_stage", "to_stage", "kind", "change", "code", "text_th", "text_en"])


def wrap_label(label: str, width: int = 12, sep: str = "<br>") -> str:
    """A chart label on several short lines (joined by `sep`) instead of one long or rotated line.

    Broken only between words (framework.thai_text: a Thai word segmenter; English at spaces), greedily up to
    `width` shown characters per line; a word longer than `width` stays whole (never cut mid-word).
    """
    return sep.join(thai_text.wrap(label, width))


def highlight(text_: str, query: str) -> str:
    """`text_` as escaped HTML with every match of `query` in <mark>, matched as Catalog.search does
    (case-insensitive, spaces, '_' and '-' ignored in both)."""
    needle = normalise_label(query)
    if not needle or not isinstance(text_, str):
        return escape(text_ if isinstance(text_, str) else "")
    pattern = re.compile(r"[\s_\-]*".join(re.escape(ch) for ch in needle), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text_):
        out += [escape(text_[pos : m.start()]), f"<mark>{escape(m.group())}</mark>"]
        pos = m.end()
    out.append(escape(text_[pos:]))
    return "".join(out)
