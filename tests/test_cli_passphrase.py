"""Issue 20 point 4: the HR passphrase need not be on the command line (prompt, standard input), and every
CLI check goes through access.attempt (Throttle + log)."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from framework import access, cli
from tests.fixtures.analysis import seed

SECRET = "ลับเฉพาะ HR"


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    return str(seed.to_file(tmp_path_factory.mktemp("cli-pass") / "s.duckdb", seed.basic))


@pytest.fixture(autouse=True)
def _configured(monkeypatch):
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: SECRET)
    monkeypatch.delenv(access.ENV, raising=False)
    monkeypatch.delenv(access.MIN_CELL_ENV, raising=False)
    monkeypatch.setattr(access, "THROTTLE", access.Throttle())
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal unless a test says so


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run(capsysbinary, *argv):
    code = cli.main([str(a) for a in argv])
    out = capsysbinary.readouterr()
    return code, out.out.decode("utf-8"), out.err.decode("utf-8")


@pytest.mark.parametrize("flags", [["--passphrase-stdin"], ["--passphrase", "-"]])
def test_the_passphrase_from_standard_input(db_file, capsysbinary, monkeypatch, flags):
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))
    code, out, err = run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file, *flags)
    assert code == 0 and err == "" and out.startswith("by,")


def test_wrong_or_empty_standard_input_is_refused(db_file, capsysbinary, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("guess\n"))
    code, out, err = run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file, "--passphrase-stdin")
    assert code == 2 and out == "" and "wrong HR passphrase" in err and "รหัสผ่าน HR ไม่ถูกต้อง" in err
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file, "--passphrase-stdin")
    assert code == 2 and "standard input" in err and err.count("\n") == 1


def test_passphrase_on_the_command_line_still_works_with_a_bilingual_warning(db_file, capsysbinary):
    code, out, err = run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file, "--passphrase", SECRET)
    assert code == 0 and out.startswith("by,")
    assert err.count("\n") == 1 and err.startswith("warning: ") and "`ps`" not in err
    assert "(ps)" in err and "--passphrase-stdin" in err and "ผู้ใช้อื่น" in err and SECRET not in err


def test_a_terminal_is_asked_only_when_the_passphrase_is_needed(db_file, capsysbinary, monkeypatch):
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or SECRET)
    monkeypatch.setattr(sys, "stdin", Terminal(""))
    code, _out, err = run(capsysbinary, "readiness", "--db", db_file)  # k at the floor: not asked
    assert code == 0 and asked == []
    code, _out, err = run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file)
    assert code == 0 and err == "" and len(asked) == 1 and "HR" in asked[0] and "รหัสผ่าน" in asked[0]
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a pipe: never prompted
    code, _out, err = run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file)
    assert code == 2 and len(asked) == 1 and "--passphrase-stdin" in err


def test_cli_checks_go_through_the_throttle_and_its_log(db_file, capsysbinary, monkeypatch, caplog):
    with caplog.at_level(logging.WARNING, logger="framework.access"):
        for _ in range(access.THROTTLE.free):
            monkeypatch.setattr(sys, "stdin", io.StringIO("guess\n"))
            code, _, err = run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file, "--passphrase-stdin")
            assert code == 2 and "wrong HR passphrase" in err
        monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))  # the right one, during the wait
        code, out, err = run(capsysbinary, "readiness", "--min-cell", 3, "--db", db_file, "--passphrase-stdin")
    assert code == 2 and out == "" and "too many wrong HR passphrases" in err and "not checked" in err
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == access.THROTTLE.free and all("command line" in m and "guess" not in m for m in logged)


def test_figures_are_exact_only_with_the_passphrase(db_file, capsysbinary, monkeypatch):
    """A passphrase configured and not given: the CLI prints what the pages show anyone without it (sums of
    whole disclosure blocks: the 2 Others are in none, so the total covers 11 of 13); given: exact figures."""
    import pandas as pd

    def total(*flags):
        code, out, err = run(capsysbinary, "coverage", "--stage", "Early", "--db", db_file, *flags)
        assert code == 0, err
        df = pd.read_csv(io.StringIO(out))
        row = df[(df.key == "(all)") & (df.code == "DLit100")].iloc[0]
        return int(row.n), int(row.met)

    assert total() == (11, 6)
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))
    assert total("--passphrase-stdin") == (13, 7)
