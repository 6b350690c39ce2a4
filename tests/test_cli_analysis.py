"""`python -m framework coverage|readiness`: columns, suppression as on screen, exit 2 on bad input."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from framework import cli
from tests.fixtures.analysis import seed


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    """One store for the module: these commands only read it."""
    return str(seed.to_file(tmp_path_factory.mktemp("cli-analysis") / "s.duckdb", seed.basic))


def run(capsysbinary, *argv):
    code = cli.main(list(argv))
    out = capsysbinary.readouterr()
    return code, out.out.decode("utf-8"), out.err.decode("utf-8")


def test_coverage_csv(db_file, capsysbinary):
    code, out, _ = run(capsysbinary, "coverage", "--stage", "Early", "--db", db_file, "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(df.columns) == ["stage", "by", "round", "key", "code", "n", "met", "coverage", "required"]
    e = df[(df.key == "Executive") & (df.code == "DLit100")].iloc[0]
    assert (e.n, e.met, float(e.coverage)) == (6, "3", 0.5)
    o = df[(df.key == "Others") & (df.code == "DLit100")].iloc[0]
    assert o.n == 2 and o.met == "" and o.coverage == ""  # suppressed: empty, not 0
    s = df[(df.key == "Service") & (df.code == "DLit100")].iloc[0]
    assert (s.n, s.met, float(s.coverage)) == (5, "3", 0.6)  # local mode: exact, 5 >= k shown


def test_coverage_json_thresholds_and_by(db_file, capsysbinary):
    _code, out, _ = run(
        capsysbinary,
        "coverage",
        "--stage",
        "Early",
        "--by",
        "unit",
        "--threshold",
        "2",
        "--min-cell",
        "3",
        "--db",
        db_file,
        "--format",
        "json",
    )
    rows = json.loads(out)
    sec = next(r for r in rows if r["key"] == seed.SECRETARIAT and r["code"] == "DLit100")
    assert sec["coverage"] == pytest.approx(4 / 6) and sec["by"] == "unit"


def test_the_default_threshold_is_the_agencys_target_and_equals_3_without_targets(db_file, capsysbinary):
    """Issue 21 point 5: no --threshold = the agency's target levels (t = 0); no target set: the figures of t = 3."""
    for cmd in (["coverage", "--stage", "Early"], ["readiness"]):
        _c, default, _ = run(capsysbinary, *cmd, "--db", db_file)
        _c, at0, _ = run(capsysbinary, *cmd, "--threshold", "0", "--db", db_file)
        _c, at3, _ = run(capsysbinary, *cmd, "--threshold", "3", "--db", db_file)
        _c, at2, _ = run(capsysbinary, *cmd, "--threshold", "2", "--db", db_file)
        # DuckDB's parallel sum of doubles may differ in a share's last digit between two runs: compare to 1e-12
        default, at0, at3, at2 = (
            pd.read_csv(io.StringIO(x.decode() if isinstance(x, bytes) else x)) for x in (default, at0, at3, at2)
        )
        pd.testing.assert_frame_equal(default, at0, rtol=1e-12)
        pd.testing.assert_frame_equal(default, at3, rtol=1e-12)
        with pytest.raises(AssertionError):
            pd.testing.assert_frame_equal(default, at2, rtol=1e-12)


def test_readiness_csv(db_file, capsysbinary):
    _code, out, _ = run(capsysbinary, "readiness", "--db", db_file)
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns) == ["by", "round", "key", "stage", "n", "readiness", "fully_ready", "required_units"]
    e = df[(df.key == "Executive") & (df.stage == "Early")].iloc[0]
    assert e.readiness == pytest.approx(13 / 54) and e.fully_ready == pytest.approx(1 / 6)
    assert e.required_units == 9
    assert pd.isna(df[(df.key == "Others") & (df.stage == "Early")].iloc[0].readiness)


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["coverage", "--stage", "Late"], "stage"),
        (["coverage", "--stage", "Early", "--by", "province"], "--by"),
        (["readiness", "--threshold", "9"], "Threshold"),
        (["readiness", "--format", "xml"], "--format"),
        (["readiness", "--threshold", "three"], "invalid int value"),  # argparse's own errors too
        # `coverage` without --stage: the agency's declared stage (tests/test_cli_stage_default.py)
    ],
)
def test_bad_input_exits_2_with_one_line(db_file, capsysbinary, argv, needle):
    code, out, err = run(capsysbinary, *argv, "--db", db_file)
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1 and err.startswith("error: ")
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in err)  # and in Thai


def test_missing_store_exits_2(tmp_path, capsysbinary):
    code, _, err = run(capsysbinary, "readiness", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "no survey store" in err
