"""Shared fixtures: the catalogue over the committed Parquet, a throw-away survey store per test, and the
demo survey store, built once per test session (per xdist worker) and copied for each test that uses it."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from framework import db
from framework.catalog import Catalog


def _scan_once():
    """Each new AppTest scans every installed package's metadata for Streamlit components (streamlit's
    manifest_scanner): 0.22 s of the 0.33 s CPU a page run costs here, paid by every `run_page`. The installed
    packages do not change during a test session, so the scan runs once per process and its result is reused."""
    import functools

    from streamlit.components.v2 import manifest_scanner

    scan = functools.cache(manifest_scanner.scan_component_manifests)
    manifest_scanner.scan_component_manifests = lambda max_workers=None: list(scan(max_workers))


_scan_once()

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog(db.connect())


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "store.duckdb"


# SKILLS_TEST_STORE=pg (make test-pg): the stores of `store_con` are PostgreSQL databases (framework/pgstore),
# one per test, on a private server (tests/pg_server.py) or the one SKILLS_TEST_PG_URL names.
PG_MODE = os.environ.get("SKILLS_TEST_STORE") == "pg"


@pytest.fixture(scope="session")
def pg_databases():
    """The PostgreSQL test server's databases (started for this session, stopped at its end)."""
    from tests.pg_server import Databases, PgServer

    given = os.environ.get("SKILLS_TEST_PG_URL")
    if given:
        base, _, query = given.partition("?")
        root = base.rsplit("/", 1)[0]
        yield Databases(given, lambda name: f"{root}/{name}" + (f"?{query}" if query else ""))
        return
    server = PgServer()
    try:
        admin = server.start()
        yield Databases(admin, server.url)
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_databases):
    """A fresh PostgreSQL database holding an empty store (dropped after the test)."""
    url = pg_databases.new()
    yield url
    pg_databases.drop(url)


# The files whose tests write to the store through every path the product has (ingest, trash, rounds, people,
# campaigns and their group commit, audit, hostile files; the releases are written in those transactions): each of their tests that takes `store_con` runs on
# both stores in the one `make test` run, once on an embedded file (`[duckdb]` in its id) and once on a
# PostgreSQL store's replica (`[pg]`). Reads run the same DuckDB SQL over the replica, so the views' own tests
# run on the embedded store; `make test-pg` runs every `store_con` test of the suite on PostgreSQL.
BOTH_STORES = frozenset(
    {
        "test_audit.py",
        "test_campaign.py",
        "test_campaign_batch.py",
        "test_campaign_concurrent.py",
        "test_campaign_group.py",
        "test_campaign_guessing.py",
        "test_campaign_links.py",
        "test_campaign_migration.py",
        "test_campaign_pattern.py",
        "test_campaign_submit.py",
        "test_rounds_people.py",
        "test_store.py",
        "test_store_rounds.py",
        "test_store_trash.py",
        "test_survey_hostile.py",
    }
)


def pytest_generate_tests(metafunc):
    if (
        not PG_MODE
        and "store_con" in metafunc.fixturenames
        and metafunc.definition.path.name in BOTH_STORES
        and not metafunc.definition.get_closest_marker("embedded_only")
    ):
        metafunc.parametrize("store_kind", ["duckdb", pytest.param("pg", marks=pytest.mark.pg)])


@pytest.fixture
def store_kind() -> str:
    """Which store `store_con` is: "pg" under SKILLS_TEST_STORE=pg, else "duckdb" (both, for BOTH_STORES)."""
    return "pg" if PG_MODE else "duckdb"


@pytest.fixture
def store_con(request, store_path, store_kind):
    """A connection with framework tables and an empty survey store attached as `store` (store_kind "pg": a
    PostgreSQL store's replica). A test marked `embedded_only` (it reopens the store as a file, or fills a disk)
    is skipped on PostgreSQL."""
    if store_kind == "pg" and request.node.get_closest_marker("embedded_only"):
        pytest.skip("a test of the embedded store file")
    con = db.connect(request.getfixturevalue("pg_url") if store_kind == "pg" else store_path)
    yield con
    from framework import pgstore

    pgstore.detach(con)
    con.close()


# The demo store takes seconds to build (ingest of the bundled demo files); a copy takes milliseconds.
_SESSION: dict[str, Path] = {}
DEMO_TEMPLATE = "demo-template.duckdb"


@pytest.fixture(scope="session", autouse=True)
def _session_dir(tmp_path_factory) -> Path:
    """This session's (this xdist worker's) base temp folder, where the demo template is built on first use."""
    _SESSION["dir"] = tmp_path_factory.getbasetemp()
    return _SESSION["dir"]


def demo_template() -> Path:
    """The demo store of this session, built on first use (SurveyStore.ensure_demo); never written to after."""
    from framework.store import SurveyStore

    path = _SESSION["dir"] / DEMO_TEMPLATE
    if not path.exists():
        part = path.with_name(path.name + ".part")
        part.unlink(missing_ok=True)
        con = db.connect(part)
        try:
            SurveyStore(con).ensure_demo()
        finally:
            con.close()
        part.replace(path)  # whole or absent: a test never copies a half-built store
    return path


def demo_copy(path: Path) -> Path:
    """A private copy of the session's demo store at `path` (a test may write to it)."""
    shutil.copyfile(demo_template(), path)
    return path


@pytest.fixture
def demo_store(tmp_path) -> Path:
    """A store file holding the bundled demo survey, this test's own copy."""
    return demo_copy(tmp_path / "demo.duckdb")


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """No test touches var/skills.duckdb: every test process gets its own SKILLS_DB."""
    if "SKILLS_DB" not in os.environ or not os.environ["SKILLS_DB"].startswith(str(tmp_path_factory.getbasetemp())):
        monkeypatch.setenv("SKILLS_DB", str(tmp_path_factory.getbasetemp() / "app-store.duckdb"))


def run_page(
    script: str | None = None, *, query: dict | None = None, state: dict | None = None, timeout: float = 60
) -> AppTest:
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


def readme_block(name: str) -> str | None:
    """The text README.md holds between `<!-- name:begin … -->` and `<!-- name:end -->` (generated blocks)."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(rf"<!-- {name}:begin[^>]*-->\n(.*?)\n<!-- {name}:end -->", text, re.DOTALL)
    return m.group(1) if m else None


# The files measured longest (`pytest --durations`, 2026-12-06) start first, so a parallel run does not end on
# one long file while the other workers sit idle (with --dist loadfile a file runs on one worker, in the order
# collected). Order only: every test still runs.
_FIRST = (
    "test_releases.py",
    "test_pg_store.py",
    "test_disclosure_audit.py",
    "test_disclosure_audit_campaign.py",
    "test_browser.py",
    "test_targets.py",
    "test_aggregates_equal.py",
    "test_browser_assess.py",
    "test_browser_markup.py",
    "test_browser_room.py",
    "test_browser_signin.py",
    "test_browser_layout.py",
    "test_browser_phone.py",
    "test_rounds_differencing.py",
    "test_browser_links.py",
    "test_browser_present.py",
    "test_aggregates.py",
    "test_campaign_concurrent.py",
    "test_handout.py",
    "test_load_client.py",
    "test_campaign_batch.py",
    "test_campaign_group.py",
    "test_disk_full.py",
    "test_store.py",
    "test_rounds_people.py",
    "test_campaign_submit.py",
    "test_analyst_snapshot.py",
    "test_ingest_memory.py",
    "test_store_archive.py",
    "test_campaign_links.py",
    "test_page_sql.py",
    "test_names.py",
    "test_cli_archive.py",
    "test_store_rounds.py",
    "test_disclosure_utility.py",
    "test_training.py",
    "test_page_upload_hostile.py",
    "test_page_upload.py",
    "test_page_assess.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(_FIRST)))  # stable: files stay whole and in order
