"""framework.cli as a whole: one open_store(), one error style (one bilingual line, exit 2), the module entry.

Everything runs in-process (cli.main) except ONE smoke test of `python -m framework`; the store that
"the app holds" is held by a child process, as the running app would hold it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import FIXTURES, ROOT

from framework import cli, db

sys.path.insert(0, str(FIXTURES / "export"))
from export_seed import AGENCY, seed

THAI = range(0x0E00, 0x0E80)


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def one_bilingual_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert any(ord(ch) in THAI for ch in err), err  # Thai ...
    assert any("a" <= ch <= "z" for ch in err.split(" / ")[0]), err  # ... and English
    assert "Traceback" not in err
    return err.strip()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli-main") / "store.duckdb"
    seed(path)
    return path


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """A seeded store whose write lock another process holds (as the running app holds its store)."""
    path = tmp_path_factory.mktemp("held") / "held.duckdb"
    seed(path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(120)"),
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield path, holder.pid
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    "argv",
    [
        ["coverage", "--stage", "Early"],
        ["readiness"],
        ["readiness", "--format", "json", "--by", "agency"],
        ["export", "coverage", "--out", "{tmp}/x.csv"],
        ["export", "responses", "--out", "{tmp}/x.csv"],
        ["ingest", str(FIXTURES / "surveys" / "wide_utf8_comma.csv")],
        ["batches", "--json"],
        ["delete", "b1"],
    ],
)
def test_every_command_on_a_store_the_app_holds_is_one_line_exit_2(held, tmp_path, capsys, argv):
    path, pid = held
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv, "--db", path)
    assert code == 2 and out == ""
    line = one_bilingual_line(err)
    assert "in use by another program" in line and "ถูกโปรแกรมอื่นใช้อยู่" in line and f"PID {pid}" in line
    assert not list(tmp_path.iterdir())  # nothing written


def test_lock_is_told_by_the_error_not_by_a_word_in_the_path(tmp_path, capsys):
    """A file that is not a store, in a folder named 'blocked', is 'cannot be opened', not 'in use'."""
    folder = tmp_path / "blocked-locks"
    folder.mkdir()
    junk = folder / "lock.duckdb"
    junk.write_bytes(b"not a database" * 100)
    for argv in (["readiness"], ["batches"], ["export", "readiness", "--out", str(tmp_path / "r.csv")]):
        code, _, err = run(capsys, *argv, "--db", junk)
        line = one_bilingual_line(err)
        assert code == 2 and "cannot be opened" in line and "in use" not in line, line


def test_store_locked_is_recognised_by_type_and_message():
    assert cli.store_locked(
        duckdb.IOException(
            'IO Error: Could not set lock on file "/x.duckdb": Conflicting lock is held in python (PID 7)'
        )
    )
    assert not cli.store_locked(duckdb.IOException('IO Error: Cannot open database "/lock/x.duckdb": lock'))
    assert not cli.store_locked(RuntimeError("Could not set lock on file"))


def test_a_store_without_survey_tables_is_explained(tmp_path, capsys):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    code, _, err = run(capsys, "coverage", "--stage", "Early", "--db", empty)
    assert code == 2 and "holds no survey tables" in one_bilingual_line(err)


def test_a_database_error_during_a_command_is_one_line(store, capsys, monkeypatch):
    """E.g. two programs changing the store at once: DuckDB's error, said in one line, no traceback."""
    from framework import analysis

    def clash(*a, **k):
        raise duckdb.TransactionException("TransactionContext Error: cannot rollback - no transaction is active")

    monkeypatch.setattr(analysis, "readiness", clash)
    code, out, err = run(capsys, "readiness", "--db", store)
    assert code == 2 and out == ""
    assert "cannot rollback" in one_bilingual_line(err) and "run the command again" in err


def test_survey_table_returns_a_frame_for_every_table(store, monkeypatch):
    """One type whatever the table (it used to be a frame for responses, a (frame, filters) tuple else)."""
    from types import SimpleNamespace

    from framework.catalog import Catalog
    from framework.cli import export as cli_export

    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: None)
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    args = SimpleNamespace(by=None, threshold=None, min_cell=None, passphrase=None)
    with cli.open_store(store) as con:
        cat = Catalog(con)
        for table in cli_export.SURVEY_TABLES:
            filters = cli_export.survey_filters({}, args) if table != "responses" else None
            df = cli_export.survey_table(con, cat, table, {}, args, filters)
            assert isinstance(df, pd.DataFrame) and len(df), table


@pytest.fixture(scope="module")
def untidy(tmp_path_factory) -> Path:
    """The seed store plus a batch whose agency has stray spaces and one with no agency at all."""
    path = tmp_path_factory.mktemp("untidy") / "store.duckdb"
    codes = seed(path)
    con = db.connect(path)
    try:
        for batch, agency in (("b2", f"  {AGENCY} "), ("b3", "   ")):
            con.execute(
                "INSERT INTO store.batches VALUES (?, 'x.csv', ?, ?, 'Developing', DATE '2025-06-15', "
                "TIMESTAMP '2025-06-16 09:00:00', 2, 2, 0, false, 'wide', 'utf-8')",
                [batch, batch, agency],
            )
            marks = ", ".join("?" * (6 + len(codes)))
            con.executemany(
                f"INSERT INTO store.responses VALUES ({marks})",
                [[batch, f"{batch}-{i}", "Service", None, "กอง", "ตำแหน่ง", *[2] * len(codes)] for i in range(2)],
            )
    finally:
        con.close()
    return path


def test_responses_filter_agencies_by_the_rule_of_the_views(untidy, tmp_path, capsys, monkeypatch):
    """--agency matches trimmed agencies, '—' the ones without (framework/sql/filtered.sql)."""
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: None)
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    out = tmp_path / "r.csv"
    assert run(capsys, "export", "responses", "--db", untidy, "--agency", AGENCY, "--out", out)[0] == 0
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert sorted(back["batch_id"].unique()) == ["b1", "b2"] and len(back) == 9
    assert set(back["agency"]) == {AGENCY}
    assert run(capsys, "export", "responses", "--db", untidy, "--agency", "—", "--out", out)[0] == 0
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert back["batch_id"].tolist() == ["b3", "b3"] and set(back["agency"]) == {"—"}
    from framework import analysis  # the same 9 people as on screen

    with db.connect(untidy, read_only=True) as con:  # (local mode: exact figures)
        on_screen = analysis.readiness(
            con, analysis.Filters(agencies=(AGENCY,), min_cell=1, round="all", authorised=True), by="agency"
        )
    assert on_screen.loc[on_screen["key"] == AGENCY, "n"].max() == 9


def test_python_dash_m_framework_runs(tmp_path):
    """The one subprocess test: `python -m framework` is wired to cli.main (exit status and output)."""
    out = tmp_path / "e.csv"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "framework",
            "export",
            "elements",
            "--unit",
            "DG100",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert str(out) in proc.stdout and set(pd.read_csv(out)["unit_code"]) == {"DG100"}
