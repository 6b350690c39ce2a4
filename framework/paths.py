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


def store_path() -> Path | str:
    """The survey store: $SKILLS_DB (a file, or a postgresql:// URL kept as text), else var/skills.duckdb."""
    path = settings.get("SKILLS_DB")
    return path if settings.is_set("SKILLS_DB") else ROOT / path


def store_target(given: str | None = None) -> Path | str:
    """A --db value (a file path, or a postgresql:// URL as text), else store_path()."""
    if not given:
        return store_path()
    return given if str(given).startswith(("postgresql://", "postgres://")) else Path(given)


def demo_enabled() -> bool:
    """Load the bundled demo survey into a never-used store? $SKILLS_DEMO=0 turns it off (production)."""
    return settings.get("SKILLS_DEMO")
