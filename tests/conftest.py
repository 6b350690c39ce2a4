"""Shared fixtures: the catalogue over the committed Parquet, a throw-away survey store per test."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from framework import db  # noqa: E402
from framework.catalog import Catalog  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog(db.connect())


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def store_con(store_path):
    """A connection with framework tables and an empty survey store attached as `store`."""
    con = db.connect(store_path)
    yield con
    con.close()


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """No test touches var/skills.duckdb: every test process gets its own SKILLS_DB."""
    if "SKILLS_DB" not in os.environ or not os.environ["SKILLS_DB"].startswith(str(tmp_path_factory.getbasetemp())):
        monkeypatch.setenv("SKILLS_DB", str(tmp_path_factory.getbasetemp() / "app-store.duckdb"))
