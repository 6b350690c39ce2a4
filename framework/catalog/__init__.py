"""The framework catalogue: one object owns the DuckDB connection and the queries pages need."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from framework import db, sql
from framework.paths import PARQUET_DIR

STAGES = ("Early", "Developing", "Mature")
STAFF_GROUPS = ("Executive", "Management", "Academic", "Service", "Technologist", "Others")
NEXT_STAGE = {"Early": "Developing", "Developing": "Mature", "Mature": None}  # the stage an agency moves to


def next_stage(stage: str) -> str | None:
    """THE rule of "the next stage", used by every page, view and plan: the stage after the one the agency (or
    the respondent's profile) is at — Early -> Developing -> Mature -> none. Never derived from the stage a
    group has reached: /overview, /readiness, the home page and the IDP all give the same answer."""
    if stage not in NEXT_STAGE:
        raise ValueError(f"unknown stage {stage!r}")
    return NEXT_STAGE[stage]


# What a profile lists besides its units: name -> (link table, item table, link column, item columns).
_PROFILE_ITEMS = {
    "knowledge": ("profile_knowledge", "knowledge", "item_id", "t.id, p.basic, t.text_th, t.text_en, t.in_section2"),
    "experience": ("profile_experience", "experience", "item_id", "t.id, p.basic, t.text_th, t.text_en, t.in_section2"),
    "attributes": ("profile_attributes", "attributes", "item_id", "t.id, t.text_th, t.text_en"),
    "competencies": (
        "profile_competencies",
        "competencies",
        "competency_id",
        "t.id, t.name_th, t.name_en, t.definition_th",
    ),
}


def normalise_label(text: str) -> str:
    """Case-, width- and space-insensitive form of a label (Thai or English) for alias matching."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\s_\-]+", "", text)


@dataclass
class Profile:
    """A role profile with everything the document lists for it (basic items included, marked)."""

    stage: str
    staff_group: str
    persona_th: str
    persona_en: str
    role_th: str
    role_en: str
    heading_th: str
    line: int
    units: pd.DataFrame = field(repr=False)
    knowledge: pd.DataFrame = field(repr=False)
    experience: pd.DataFrame = field(repr=False)
    attributes: pd.DataFrame = field(repr=False)
    competencies: pd.DataFrame = field(repr=False)

    def persona(self, lang: str) -> str:
        return self.persona_en if lang == "en" and self.persona_en else self.persona_th

    def role(self, lang: str) -> str:
        return self.role_en if lang == "en" and self.role_en else self.role_th


@dataclass
class Diff:
    """What one staff group's profile adds and drops between two stages (stages are not nested)."""

    staff_group: str
    from_stage: str
    to_stage: str
    units_added: pd.DataFrame
    units_dropped: pd.DataFrame
    units_kept: pd.DataFrame
    knowledge_added: pd.DataFrame
    knowledge_dropped: pd.DataFrame
    experience_added: pd.DataFrame
    experience_dropped: pd.DataFrame
    competencies_added: pd.DataFrame
    competencies_dropped: pd.DataFrame


class Catalog:
    """Queries over the framework tables; takes a connection from `framework.db.connect`."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None):
        self.con = con if con is not None else db.connect()

    @classmethod
    def open(cls, parquet_dir: Path = PARQUET_DIR) -> Catalog:
        return cls(db.connect(parquet_dir=parquet_dir))

    def q(self, query: str, params: dict | list | None = None) -> pd.DataFrame:
        """Run one query on a fresh cursor (thread-safe) and return a frame."""
        cur = self.con.cursor()
        try:
            return cur.execute(query, params or {}).df()
        finally:
            cur.close()

    # --- reference tables -------------------------------------------------------------------
    def meta(self) -> dict:
        return self.q("SELECT * FROM meta").iloc[0].to_dict()

    def table(self, name: str) -> pd.DataFrame:
        """A whole framework table by name (names are checked against the known tables)."""
        from framework.catalog.document import TABLES

        if name not in TABLES:
            raise KeyError(f"unknown framework table {name!r}")
        return self.q(f"SELECT * FROM {name}")

    def groups(self) -> pd.DataFrame:
        return self.q("SELECT key, ord, name_th, name_en, n_units FROM capability_groups ORDER BY ord")

    def stages(self) -> pd.DataFrame:
        return self.q("SELECT key, ord, name_th, name_en, variants FROM stages ORDER BY ord")

    def staff_groups(self) -> pd.DataFrame:
        return self.q("SELECT key, ord, name_th, name_en, variants FROM staff_groups ORDER BY ord")

    def units(self, group: str | None = None) -> pd.DataFrame:
        """Units in framework order, optionally of one capability group."""
        return self.q(
            "SELECT u.code, u.group_key, u.ord, u.name_th, u.name_en, u.line, "
            "(SELECT count(*) FROM elements e WHERE e.unit_code = u.code) AS n_elements "
            "FROM units u WHERE $g IS NULL OR u.group_key = $g ORDER BY u.ord",
            {"g": group},
        )

    def elements(self, unit: str | None = None) -> pd.DataFrame:
        return self.q(
            "SELECT code, unit_code, ord, name_th, name_en, line FROM elements "
            "WHERE $u IS NULL OR unit_code = $u ORDER BY ord",
            {"u": unit},
        )

    def criteria(self, unit: str | None = None, element: str | None = None) -> pd.DataFrame:
        return self.q(
            "SELECT code, element_code, unit_code, ord, text_th, text_en FROM criteria "
            "WHERE ($u IS NULL OR unit_code = $u) AND ($e IS NULL OR element_code = $e) "
            "ORDER BY ord",
            {"u": unit, "e": element},
        )

    def unit_codes(self) -> list[str]:
        return self.q("SELECT code FROM units ORDER BY ord")["code"].tolist()

    def element_units(self) -> dict[str, str]:
        """Element code -> unit code (survey files may carry element columns)."""
        df = self.q("SELECT code, unit_code FROM elements ORDER BY ord")
        return dict(zip(df["code"], df["unit_code"]))

    def errata(self) -> pd.DataFrame:
        return self.q("SELECT * FROM errata ORDER BY erratum_id")

    # --- labels -----------------------------------------------------------------------------
    def _aliases(self, table: str) -> dict[str, str]:
        df = self.q(f"SELECT key, name_th, name_en, variants FROM {table}")
        out: dict[str, str] = {}
        for row in df.itertuples():
            for label in [row.key, row.name_th, row.name_en, *list(row.variants)]:
                out[normalise_label(label)] = row.key
        return out

    def staff_group_aliases(self) -> dict[str, str]:
        """Normalised label (English key, Thai name or variant) -> staff group key."""
        return self._aliases("staff_groups")

    def stage_aliases(self) -> dict[str, str]:
        return self._aliases("stages")

    def resolve_staff_group(self, label: str) -> str | None:
        return self.staff_group_aliases().get(normalise_label(label))

    def resolve_stage(self, label: str) -> str | None:
        return self.stage_aliases().get(normalise_label(label))

    def label(self, table: str, key: str, lang: str) -> str:
        """Display name of a stage / staff group / capability group in the current language."""
        if table not in ("stages", "staff_groups", "capability_groups"):
            raise KeyError(table)
        df = self.q(f"SELECT name_th, name_en FROM {table} WHERE key = ?", [key])
        if df.empty:
            return key
        return df.iloc[0]["name_en" if lang == "en" else "name_th"]

    # --- profiles ---------------------------------------------------------------------------
    def profile_unit_counts(self) -> pd.DataFrame:
        """Stage x staff group counts of required units (long form)."""
        return self.q(sql.load("profile_unit_counts"))

    def requirement_matrix(self, stage: str | None = None) -> pd.DataFrame:
        """Every (stage, staff group, unit) with `required`; optionally one stage."""
        df = self.q(sql.load("requirement_matrix"))
        if stage is not None:
            df = df[df["stage"] == stage].reset_index(drop=True)
        return df

    def profile_units(self, stage: str, staff_group: str) -> pd.DataFrame:
        return self.q(sql.load("profile_units"), {"stage": stage, "staff_group": staff_group})

    def profile(self, stage: str, staff_group: str) -> Profile:
        """One role profile; raises KeyError for an unknown stage or staff group."""
        p = self.q("SELECT * FROM profiles WHERE stage = $s AND staff_group = $g", {"s": stage, "g": staff_group})
        if p.empty:
            raise KeyError(f"no profile for stage={stage!r}, staff_group={staff_group!r}")
        row = p.iloc[0]
        items = {
            name: self.q(
                f"SELECT {cols} FROM {link} p JOIN {table} t ON t.id = p.{key} "
                "WHERE p.stage = $s AND p.staff_group = $g ORDER BY p.ord",
                {"s": stage, "g": staff_group},
            )
            for name, (link, table, key, cols) in _PROFILE_ITEMS.items()
        }
        knowledge, experience = items["knowledge"], items["experience"]
        attributes, competencies = items["attributes"], items["competencies"]
        return Profile(
            stage=stage,
            staff_group=staff_group,
            persona_th=row["persona_th"],
            persona_en=row["persona_en"],
            role_th=row["role_th"],
            role_en=row["role_en"],
            heading_th=row["heading_th"],
            line=int(row["line"]),
            units=self.profile_units(stage, staff_group),
            knowledge=knowledge,
            experience=experience,
            attributes=attributes,
            competencies=competencies,
        )

    def profile_diff(self, staff_group: str, from_stage: str, to_stage: str) -> Diff:
        """Units (and knowledge, experience, competencies) added and dropped from one stage to another."""
        a, b = self.profile(from_stage, staff_group), self.profile(to_stage, staff_group)

        def split(x: pd.DataFrame, y: pd.DataFrame, key: str):
            added = y[~y[key].isin(x[key])].reset_index(drop=True)
            dropped = x[~x[key].isin(y[key])].reset_index(drop=True)
            kept = y[y[key].isin(x[key])].reset_index(drop=True)
            return added, dropped, kept

        ua, ud, uk = split(a.units, b.units, "code")
        ka, kd, _ = split(a.knowledge, b.knowledge, "id")
        xa, xd, _ = split(a.experience, b.experience, "id")
        ca, cd, _ = split(a.competencies, b.competencies, "id")
        return Diff(staff_group, from_stage, to_stage, ua, ud, uk, ka, kd, xa, xd, ca, cd)

    def profiles_requiring(self, unit_code: str) -> pd.DataFrame:
        """The role profiles (stage, staff group) that require one unit, in framework order."""
        return self.q(
            f"SELECT stage, staff_group FROM ({sql.load('requirement_matrix')}) "
            "WHERE unit_code = $u AND required ORDER BY stage_ord, group_ord",
            {"u": unit_code},
        )

    # --- search -----------------------------------------------------------------------------
    def search(self, text: str, limit: int = 200) -> pd.DataFrame:
        """Units, elements, criteria and items whose code or Thai/English text contains `text`.

        Thai is written without word breaks, so matching is by substring, case-insensitive,
        ignoring spaces in the query and the text.
        """
        needle = normalise_label(text)
        if not needle:
            return pd.DataFrame(columns=["kind", "code", "unit_code", "text_th", "text_en", "rank"])
        return self.q(sql.load("search_hits"), {"needle": needle, "limit": limit})
