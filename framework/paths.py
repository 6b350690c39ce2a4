"""Where the framework source, the compiled Parquet and the survey store live."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SOURCE_DIR = DATA_DIR / "source"
PARQUET_DIR = DATA_DIR / "parquet"
DEMO_DIR = DATA_DIR / "demo"
SQL_DIR = Path(__file__).resolve().parent / "sql"
DOCUMENT = DATA_DIR / "document" / "ocsc-digital-skills-2018.txt"  # verbatim copy of the OCSC text


def store_path() -> Path:
    """The survey store file: $SKILLS_DB, else var/skills.duckdb in the project."""
    env = os.environ.get("SKILLS_DB")
    return Path(env) if env else ROOT / "var" / "skills.duckdb"


def demo_enabled() -> bool:
    """Load the bundled demo survey into a never-used store? $SKILLS_DEMO=0 turns it off (production)."""
    return os.environ.get("SKILLS_DEMO", "1").strip().lower() not in ("0", "false", "no", "off")
