"""SKILLS_DB / --db as a postgresql:// URL (framework/pgstore): accepted by the settings, never shown with its
password, and an unreachable server is one bilingual message in the app and the CLI (no server needed)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, run_page

from framework import paths, pgstore, settings

NOWHERE = "postgresql://skills:s3cret@/skills?host=/nonexistent-socket-dir&port=1&connect_timeout=2"


def test_skills_db_takes_a_postgresql_url(monkeypatch):
    monkeypatch.setenv("SKILLS_DB", NOWHERE)
    assert settings.get("SKILLS_DB") == NOWHERE and paths.store_path() == NOWHERE
    assert pgstore.is_url(paths.store_target(NOWHERE)) and not pgstore.is_url(str(paths.store_target("a.duckdb")))


def test_a_url_is_shown_without_its_password():
    assert (
        pgstore.shown(NOWHERE)
        == "postgresql://skills:***@/skills?host=/nonexistent-socket-dir&port=1&connect_timeout=2"
    )
    assert pgstore.shown("postgresql:///db?host=/tmp") == "postgresql:///db?host=/tmp"
    assert pgstore.shown("var/skills.duckdb") == "var/skills.duckdb"


def test_the_app_says_in_both_languages_when_its_postgresql_store_is_unreachable(monkeypatch):
    monkeypatch.setenv("SKILLS_DB", NOWHERE)
    at = run_page("overview.py", state={"lang": "en"})
    assert not at.exception, at.exception
    text = " ".join(e.value for e in at.error)
    assert "Cannot reach the PostgreSQL survey store" in text and "s3cret" not in text


def test_the_cli_says_in_one_line_when_its_postgresql_store_is_unreachable():
    out = subprocess.run(
        [sys.executable, "-m", "framework", "batches", "--db", NOWHERE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "cannot connect to the PostgreSQL survey store" in out.stderr and "เชื่อมต่อ" in out.stderr


def test_migrate_from_a_store_the_app_holds_is_one_line_and_creates_nothing(store_path, tmp_path):
    from framework import db
    from framework.store import SurveyStore

    held = db.connect(store_path)
    SurveyStore(held)  # this process holds the file, as the running app would
    dest = tmp_path / "copy.duckdb"
    out = subprocess.run(
        [sys.executable, "-m", "framework", "migrate", "--from", str(store_path), "--to", str(dest)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "stop the app that uses that file" in out.stderr and "ไม่มีข้อมูลใดถูกเปลี่ยน" in out.stderr
    assert not dest.exists()
    held.close()
