"""The test infrastructure itself: one demo store per session, copied; screenshots kept out of tracked files."""

from __future__ import annotations

import subprocess
import tomllib

import conftest
from conftest import ROOT, demo_copy, demo_template

from framework import db
from framework.store import SurveyStore


def _batches(path) -> list[tuple]:
    con = db.connect(path, read_only=True)
    try:
        return [
            tuple(r)
            for r in db.query(
                con, "SELECT batch_id, accepted, is_demo FROM store.batches ORDER BY batch_id"
            ).itertuples(index=False)
        ]
    finally:
        con.close()


def test_demo_template_is_built_once_per_session(demo_store):
    template = demo_template()
    assert template.parent == conftest._SESSION["dir"]
    stamp = template.stat().st_mtime_ns
    assert demo_template() == template and template.stat().st_mtime_ns == stamp  # not rebuilt
    rows = _batches(demo_store)
    assert len(rows) == 4 and all(is_demo for *_, is_demo in rows)


def test_each_test_writes_to_its_own_copy(demo_store, tmp_path):
    other = demo_copy(tmp_path / "other.duckdb")
    before = _batches(demo_template())
    con = db.connect(demo_store)
    try:
        SurveyStore(con).delete(before[0][0])
    finally:
        con.close()
    assert len(_batches(demo_store)) == len(before) - 1
    assert _batches(other) == before and _batches(demo_template()) == before


def test_screenshots_go_to_ignored_artifacts_unless_asked(monkeypatch):
    from test_browser import shots_dir

    monkeypatch.delenv("SKILLS_SCREENSHOTS", raising=False)
    folder = shots_dir()
    assert folder == ROOT / "tests" / "artifacts" / "screenshots"
    probe = (folder / "probe.png").relative_to(ROOT).as_posix()
    ignored = subprocess.run(["git", "check-ignore", "-q", probe], cwd=ROOT)  # noqa: PLW1510
    assert ignored.returncode == 0, "tests/artifacts must be git-ignored"
    monkeypatch.setenv("SKILLS_SCREENSHOTS", "1")
    assert shots_dir() == ROOT / "docs" / "screenshots"


def test_make_screenshots_asks_for_docs_and_make_test_does_not():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = {}
    for block in make.split("\n\n"):
        rules = [line.split(":", 1)[0] for line in block.splitlines() if line and not line[0] in "#\t "]
        if rules:
            targets[rules[0]] = block
    assert "SKILLS_SCREENSHOTS=1" in targets["screenshots"]
    assert "SKILLS_SCREENSHOTS" not in targets["test"]


def test_server_binds_to_localhost_unless_configured():
    """Issue 11: the app is reachable from this computer only, unless an operator opens it to a network.

    tests/test_browser.py starts `streamlit run` with this config and checks the network address is refused.
    """
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "localhost"
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = [line for line in make.splitlines() if "streamlit run" in line]
    assert run and not any("server.address" in line for line in run), "make run must keep the localhost default"


def test_no_full_garbage_collection_after_each_script_run():
    """Issue 22: Streamlit's default full gc.collect() after every run was ~0.2 s of server CPU per answer on
    /assess (90% of it) and half of an /overview open; the app's config turns it off. The option must still be
    one Streamlit knows (a renamed option would be ignored silently)."""
    from streamlit import config as st_config

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in st_config._config_options_template


def test_no_source_watcher_per_session():
    """Issue 22: Streamlit's source watcher walked the path of every loaded module for each new browser session
    (~0.1 s of server CPU per session); the app's config turns it off (developers pass --server.fileWatcherType)."""
    from streamlit import config as st_config

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"
    assert "server.fileWatcherType" in st_config._config_options_template
