"""Intake temp files: one prefix; stale ones (a killed import) swept at app and CLI start, nothing else touched."""

from __future__ import annotations

import os
import tempfile
import time

import pytest
from conftest import FIXTURES

from framework import cli, survey
from framework.survey import tempfiles

HOUR = 3600


def old_file(path, seconds_old: float, data: bytes = b"x"):
    """A file last modified `seconds_old` seconds ago (a directory when data is None)."""
    path.mkdir() if data is None else path.write_bytes(data)
    t = time.time() - seconds_old
    os.utime(path, (t, t))
    return path


@pytest.fixture
def tmpdir_only(tmp_path, monkeypatch):
    """The process temp directory is this test's directory (tempfile.gettempdir follows tempfile.tempdir)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_only_old_intake_files_are_swept(tmpdir_only):
    d = tmpdir_only
    stale = old_file(d / f"{tempfiles.PREFIX}abc.csv", 2 * HOUR)
    fresh = old_file(d / f"{tempfiles.PREFIX}def.csv", 60)  # an import running now
    other = old_file(d / "tmpxyz.csv", 5 * HOUR)  # someone else's temp file
    folder = old_file(d / f"{tempfiles.PREFIX}dir", 5 * HOUR, None)
    assert survey.sweep_stale_temp() == 1
    assert not stale.exists() and fresh.exists() and other.exists() and folder.is_dir()
    assert survey.sweep_stale_temp(d, older_than=30) == 1 and not fresh.exists()


def test_missing_directory_is_not_an_error(tmp_path):
    assert survey.sweep_stale_temp(tmp_path / "nope") == 0


def test_the_intake_writes_its_temp_files_with_the_prefix(tmpdir_only):
    """A Windows-874 CSV is transcoded to a temp file and an .xlsx converted to one: both carry the prefix."""
    for name in ("wide_cp874_comma_th.csv", "wide_th.xlsx"):
        dec = survey.decode(FIXTURES / "surveys" / name)
        try:
            assert dec.temp and dec.path.parent == tmpdir_only and dec.path.name.startswith(tempfiles.PREFIX)
        finally:
            dec.cleanup()
    assert list(tmpdir_only.iterdir()) == []


def test_a_cli_command_sweeps_what_a_killed_import_left(tmpdir_only, capsys):
    left = old_file(tmpdir_only / f"{tempfiles.PREFIX}killed.csv", 2 * HOUR, b"respondent_id,group\n" * 1000)
    assert cli.main(["batches", "--db", str(tmpdir_only / "s.duckdb"), "--json"]) == 0
    capsys.readouterr()
    assert not left.exists()


def test_the_app_connection_sweeps_too(tmpdir_only, tmp_path_factory, monkeypatch):
    from ui import shell

    left = old_file(tmpdir_only / f"{tempfiles.PREFIX}killed.csv", 2 * HOUR)
    monkeypatch.setenv("SKILLS_DEMO", "0")
    shell._connection.clear()
    try:
        shell._connection(str(tmp_path_factory.mktemp("app") / "store.duckdb"))
        assert not left.exists()
    finally:
        shell._connection.clear()
