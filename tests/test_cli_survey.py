"""`python -m framework ingest / batches / delete`: JSON, exit codes, --db (run in-process: cli.main)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from conftest import FIXTURES

from framework import cli

F = FIXTURES / "surveys"
# What the upload page asks for too (issue 20 point 6): ingest refuses a file without them.
META = ("--agency", "กรมทดสอบ", "--stage", "Mature", "--round", "2025-06-30")


@pytest.fixture
def run(capsys):
    """cli.main in this process; the result looks like a finished process (returncode, stdout, stderr)."""

    def call(*args):
        code = cli.main([str(a) for a in args])
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return call


def test_ingest_json_then_duplicate_then_batches_and_delete(run, tmp_path):
    db = tmp_path / "cli.duckdb"
    p = run(
        "ingest",
        F / "bad_rows.csv",
        "--db",
        db,
        "--agency",
        "กรมทดสอบ",
        "--stage",
        "Mature",
        "--round",
        "2025-06-30",
        "--json",
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert {"batch_id", "rows_read", "accepted", "rejected", "errors", "duplicate"} <= set(out)
    assert (out["rows_read"], out["accepted"], out["rejected"], out["duplicate"]) == (8, 1, 7, False)
    assert {"row": 3, "column": "group", "value": "Nobody", "reason": "unknown staff group"}.items() <= out["errors"][
        0
    ].items()
    again = json.loads(run("ingest", F / "bad_rows.csv", "--db", db, *META, "--json").stdout)
    assert again["duplicate"] is True and again["batch_id"] == out["batch_id"]
    listed = json.loads(run("batches", "--db", db, "--json").stdout)
    assert [(b["batch_id"], b["agency"], b["stage"], b["round_date"]) for b in listed] == [
        (out["batch_id"], "กรมทดสอบ", "Mature", "2025-06-30")
    ]
    assert out["batch_id"] in run("batches", "--db", db).stdout
    d = run("delete", out["batch_id"], "--db", db)
    assert d.returncode == 0 and json.loads(run("batches", "--db", db, "--json").stdout) == []
    assert run("delete", out["batch_id"], "--db", db).returncode == 2


def test_unreadable_file_exits_2_with_one_line(run, tmp_path):
    db = tmp_path / "cli.duckdb"
    for name in ("picture.png", "old_excel.xls", "damaged.xlsx", "no_required.csv", "empty.csv"):
        p = run("ingest", F / name, "--db", db, *META, "--json")
        assert p.returncode == 2 and p.stdout == ""
        assert len(p.stderr.strip().splitlines()) == 1 and p.stderr.startswith("error:")
        assert "Nothing was stored" in p.stderr and any("\u0e00" <= ch <= "\u0e7f" for ch in p.stderr)  # + Thai
    assert json.loads(run("batches", "--db", db, "--json").stdout) == []


def test_db_defaults_to_skills_db_env(run, tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "env.duckdb"))
    assert run("ingest", F / "wide_utf8_comma.csv", *META, "--json").returncode == 0
    assert (tmp_path / "env.duckdb").exists()


def test_cli_ingests_a_messy_real_world_export(run, tmp_path):
    p = run("ingest", F / "excel_cp874_crlf_blank_rows.csv", "--db", tmp_path / "m.duckdb", *META, "--json")
    out = json.loads(p.stdout)
    assert (out["encoding"], out["rows_read"], out["accepted"], out["rejected"], out["errors"]) == (
        "windows-874",
        3,
        3,
        0,
        [],
    )
    assert any(n["text"].startswith("Skipped 3 blank row") for n in out["notices"])


def test_delete_unknown_batch_says_so_in_both_languages(run, tmp_path):
    p = run("delete", "nope", "--db", tmp_path / "d.duckdb")
    assert p.returncode == 2 and p.stdout == "" and p.stderr.count("\n") == 1
    assert p.stderr.startswith("error: no batch nope") and "ไม่พบชุด nope" in p.stderr


def test_cli_ingests_an_excel_workbook(run, tmp_path):
    db = tmp_path / "x.duckdb"
    p = run("ingest", F / "wide_th.xlsx", "--db", db, *META, "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["encoding"], out["format"], out["rows_read"], out["accepted"], out["rejected"]) == (
        "xlsx",
        "wide",
        5,
        3,
        2,
    )
    assert [(e["row"], e["column"], e["value"]) for e in out["errors"]] == [(5, "DLit100", "7"), (7, "group", "Nobody")]
    assert any(n["text"].startswith('Read the first worksheet "แบบสำรวจ"') for n in out["notices"])
    listed = json.loads(run("batches", "--db", db, "--json").stdout)
    assert [(b["file_name"], b["encoding"]) for b in listed] == [("wide_th.xlsx", "xlsx")]
    text = run("ingest", F / "wide_th.xlsx", "--db", db, *META)
    assert text.returncode == 0 and "already stored" in text.stdout


def test_cli_old_xls_says_how_to_save_it(run, tmp_path):
    p = run("ingest", F / "old_excel.xls", "--db", tmp_path / "x.duckdb", *META)
    assert p.returncode == 2 and ".xls, Excel 97-2003" in p.stderr and "Excel Workbook (.xlsx) or CSV UTF-8" in p.stderr
