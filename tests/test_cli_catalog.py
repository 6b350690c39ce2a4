"""`python -m framework build` and `check` from the command line."""

from __future__ import annotations

import json

from framework import cli


def test_check_reports_up_to_date(capsys):
    assert cli.main(["check"]) == 0
    assert "matches" in capsys.readouterr().out


def test_build_prints_counts(monkeypatch, tmp_path, capsys):
    from framework.catalog import build as build_mod

    monkeypatch.setattr(build_mod, "PARQUET_DIR", tmp_path)
    monkeypatch.setattr("framework.cli.catalog.build", lambda: build_mod.build(out_dir=tmp_path))
    assert cli.main(["build"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["units"] == 39 and counts["profiles"] == 18 and counts["criteria"] == 400
    assert (tmp_path / "units.parquet").exists()


def test_help_lists_every_command(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("build", "check", "ingest", "batches", "delete", "coverage", "readiness", "export"):
        assert command in out


def test_unknown_command_is_one_bilingual_line_exit_2(capsys):
    assert cli.main(["nonsense"]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert captured.out == "" and err.count("\n") == 1 and err.startswith("error: ")
    assert "nonsense" in err and "คำสั่งไม่ถูกต้อง" in err and "--help" in err
