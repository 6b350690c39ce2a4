"""`python -m framework build` and `check` from the command line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from framework import cli

ROOT = Path(__file__).resolve().parent.parent


def test_check_reports_up_to_date(capsys):
    assert cli.main(["check"]) == 0
    assert "matches" in capsys.readouterr().out


def test_build_prints_counts(monkeypatch, tmp_path, capsys):
    from framework import build as build_mod
    monkeypatch.setattr(build_mod, "PARQUET_DIR", tmp_path)
    monkeypatch.setattr("framework.cli.catalog.build", lambda: build_mod.build(out_dir=tmp_path))
    assert cli.main(["build"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["units"] == 39 and counts["profiles"] == 18 and counts["criteria"] == 400
    assert (tmp_path / "units.parquet").exists()


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "framework", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0
    assert "build" in out.stdout and "check" in out.stdout


def test_unknown_command_exits_2():
    out = subprocess.run([sys.executable, "-m", "framework", "nonsense"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2
