"""The k floor in the CLI: `--min-cell` below it needs `--passphrase` when a passphrase is configured."""

from __future__ import annotations

import io
import logging

import pandas as pd
import pytest

from framework import access, cli
from tests.fixtures.analysis import seed

SECRET = "ลับเฉพาะ HR"


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    return str(seed.to_file(tmp_path_factory.mktemp("cli-k") / "s.duckdb", seed.basic))


@pytest.fixture(autouse=True)
def _configured(monkeypatch):
    """A passphrase configured the way a server has it (secrets file); no env override, default floor."""
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: SECRET)
    monkeypatch.delenv(access.ENV, raising=False)
    monkeypatch.delenv(access.MIN_CELL_ENV, raising=False)


def run(capsysbinary, *argv):
    code = cli.main([str(a) for a in argv])
    out = capsysbinary.readouterr()
    return code, out.out.decode("utf-8"), out.err.decode("utf-8")


def others(out: str):
    """The 2 'Others' respondents' DLit100 coverage (hidden at k = 5 and 3, shown at k = 2 when the floor is 2)."""
    df = pd.read_csv(io.StringIO(out), keep_default_na=False)
    return df[(df.key == "Others") & (df.code == "DLit100")].iloc[0].coverage


@pytest.mark.parametrize("command", [["coverage", "--stage", "Early"], ["readiness"]])
def test_below_the_floor_without_passphrase_is_refused(db_file, capsysbinary, command):
    code, out, err = run(capsysbinary, *command, "--min-cell", 3, "--db", db_file)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: ")
    assert "--passphrase" in err and "passphrase" in err and "รหัสผ่าน HR" in err


def test_below_the_floor_with_the_passphrase_down_to_the_one_lowest_k(db_file, capsysbinary):
    """framework.access.lowest_min_cell: with the passphrase k goes down to min(3, floor), no lower (the same
    rule as the survey pages and /sql)."""
    code, out, _ = run(
        capsysbinary, "coverage", "--stage", "Early", "--min-cell", 3, "--db", db_file, "--passphrase", SECRET
    )
    assert code == 0 and others(out) == ""  # 2 people: still hidden at k = 3
    code, out, err = run(
        capsysbinary, "coverage", "--stage", "Early", "--min-cell", 2, "--db", db_file, "--passphrase", SECRET
    )
    assert code == 2 and out == "" and "at least 3" in err and "ไม่น้อยกว่า 3" in err
    code, out, _ = run(capsysbinary, "coverage", "--stage", "Early", "--db", db_file)  # default k: hidden
    assert code == 0 and others(out) == ""


def test_a_wrong_passphrase_is_an_error_not_a_quiet_k_of_5(db_file, capsysbinary, caplog, monkeypatch):
    monkeypatch.setattr(access, "THROTTLE", access.Throttle())
    with caplog.at_level(logging.WARNING, logger="framework.access"):
        code, out, err = run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file, "--passphrase", "guess")
    assert code == 2 and out == "" and "wrong HR passphrase" in err and "รหัสผ่าน HR ไม่ถูกต้อง" in err
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 1 and "command line" in logged[0] and "guess" not in logged[0]


def test_env_passphrase_configures_but_does_not_unlock(db_file, capsysbinary, monkeypatch):
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: None)
    monkeypatch.setenv(access.ENV, SECRET)
    assert run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file)[0] == 2
    assert run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file, "--passphrase", SECRET)[0] == 0


def test_local_mode_and_a_configured_floor(db_file, capsysbinary, monkeypatch):
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: None)
    code, out, _ = run(capsysbinary, "coverage", "--stage", "Early", "--min-cell", 3, "--db", db_file)
    assert code == 0 and others(out) == ""  # no passphrase configured: allowed
    assert run(capsysbinary, "coverage", "--stage", "Early", "--min-cell", 2, "--db", db_file)[0] == 2
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: SECRET)
    monkeypatch.setenv(access.MIN_CELL_ENV, "2")
    code, out, _ = run(capsysbinary, "coverage", "--stage", "Early", "--min-cell", 2, "--db", db_file)
    assert code == 0 and float(others(out)) == 0.5  # at the configured floor: allowed
    monkeypatch.setenv(access.MIN_CELL_ENV, "7")
    code, out, _ = run(capsysbinary, "coverage", "--stage", "Early", "--db", db_file)
    df = pd.read_csv(io.StringIO(out), keep_default_na=False)  # default k rises to the floor:
    assert code == 0 and (df[df.key == "Executive"].coverage == "").all()  # 6 Executives now hidden


def test_export_holds_the_same_floor(tmp_path, capsysbinary, db_file):
    out = tmp_path / "cov.csv"
    code, _, err = run(capsysbinary, "export", "coverage", "--db", db_file, "--min-cell", 3, "--out", out)
    assert code == 2 and "--passphrase" in err and not out.exists()
    code, _, _ = run(
        capsysbinary, "export", "coverage", "--db", db_file, "--min-cell", 3, "--out", out, "--passphrase", SECRET
    )
    assert code == 0 and out.exists()
