"""Where the framework source, the compiled Parquet and the survey store live."""

from __future__ import annotations

from pathlib import Path

from framework import settings

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SOURCE_DIR = DATA_DIR / "source"
PARQUET_DIR = DATA_DIR / "parquet"
DEMO_DIR = DATA_DIR / "demo"
DOCUMENT = DATA_DIR / "document" / "ocsc-digital-skills-2018.txt"  # verbatim copy of the OCSC text


def store_path() -> Path:
    """The survey store file: $SKILLS_DB, else var/skills.duckdb in the project."""
    path = settings.get("SKILLS_DB")
    return path if settings.is_set("SKILLS_DB") else ROOT / path


def demo_enabled() -> bool:
    """Load the bundled demo survey into a never-used store? $SKILLS_DEMO=0 turns it off (production)."""
    return settings.get("SKILLS_DEMO")
