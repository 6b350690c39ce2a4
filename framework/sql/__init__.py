"""Named SQL files: a query used in more than one place lives in `<result>.sql` and is loaded by name."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> str:
    """Return the text of framework/sql/<name>.sql (raises FileNotFoundError for an unknown name)."""
    return (_DIR / f"{name}.sql").read_text(encoding="utf-8")


def names() -> list[str]:
    """Every named query, for the consistency test."""
    return sorted(p.stem for p in _DIR.glob("*.sql"))
