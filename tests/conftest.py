"""Shared fixtures: the catalogue over the committed Parquet, a throw-away survey store per test."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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


def run_page(script: str | None = None, *, query: dict | None = None, state: dict | None = None,
             timeout: float = 60) -> AppTest:
    """Run a page as a user reaches it (app.py, then the page), with URL parameters and session state seeded.

    `st.page_link` in the shared menu resolves paths against the main script, so pages start from app.py.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if script:
        at.switch_page(f"pages/{script}")
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    return at.run()
