"""`coverage`, `readiness` and `export` of aggregates take --round latest|all|YYYY-MM-DD (default latest);
every row carries a `round` column and the export's settings and file name carry the round."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from test_rounds import D1, D2, A, B, build, rows

from framework import cli, db
from framework.outputs import export


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli_round") / "store.duckdb"
    con = db.connect(path)
    try:
        build(
            con,
            [("a1", A, D1, 1), ("a2", A, D2, 2), ("b1", B, D1, 3)],
            rows("a1", 12, met=3) + rows("a2", 15, met=9) + rows("b1", 10, met=5, start=100),
        )
    finally:
        con.close()
    return path


@pytest.fixture(autouse=True)
def _local(monkeypatch):
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: None)
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)


def run(capsysbinary, *argv):
    code = cli.main([str(a) for a in argv])
    out = capsysbinary.readouterr()
    return code, out.out.decode("utf-8"), out.err.decode("utf-8")


@pytest.mark.parametrize(
    "flag, n, agency_rounds",
    [
        ([], 25, {A: D2, B: D1}),
        (["--round", "latest"], 25, {A: D2, B: D1}),
        (["--round", "all"], 37, {A: "all", B: "all"}),
        (["--round", D1], 22, {A: D1, B: D1}),
    ],
)
def test_readiness_round(store, capsysbinary, flag, n, agency_rounds):
    code, out, err = run(capsysbinary, "readiness", "--by", "agency", "--db", store, "--format", "json", *flag)
    assert code == 0, err
    df = pd.DataFrame(json.loads(out))
    assert list(df.columns[:3]) == ["by", "round", "key"]
    assert int(df[df["key"] == "(all)"]["n"].iloc[0]) == n
    by_key = dict(zip(df["key"], df["round"]))
    assert {k: by_key[k] for k in (A, B)} == agency_rounds
    assert by_key["(all)"] == ("all" if flag == ["--round", "all"] else "+".join(sorted(set(agency_rounds.values()))))


def test_coverage_round_and_a_bad_round(store, capsysbinary):
    code, out, _ = run(capsysbinary, "coverage", "--stage", "Early", "--db", store, "--round", D2)
    df = pd.read_csv(io.StringIO(out), dtype={"round": str})
    assert code == 0 and "round" in df.columns
    assert set(df.loc[df["n"] > 0, "round"]) == {D2} and df[df["key"] == "(all)"]["n"].iloc[0] == 15
    code, out, err = run(capsysbinary, "coverage", "--stage", "Early", "--db", store, "--round", "last-year")
    assert code == 2 and out == "" and err.count("\n") == 1 and "YYYY-MM-DD" in err and "รอบสำรวจ" in err


def test_export_of_aggregates_carries_the_round(store, capsysbinary, tmp_path):
    code, _, err = run(
        capsysbinary, "export", "readiness", "--db", store, "--by", "agency", "--out", tmp_path / "r.parquet"
    )
    assert code == 0, err
    back = pd.read_parquet(tmp_path / "r.parquet")
    assert dict(zip(back["key"], back["round"]))[A] == D2
    assert export.parquet_settings((tmp_path / "r.parquet").read_bytes())["filters"]["round"] == f"latest {D1}+{D2}"
    code, _, _ = run(
        capsysbinary, "export", "coverage", "--db", store, "--round", D1, "--format", "csv", "--out", tmp_path
    )
    assert code == 0
    files = list(tmp_path.glob(f"coverage_*round-{D1}_*.csv"))
    assert len(files) == 1
    back = pd.read_csv(files[0], encoding="utf-8-sig", dtype={"round": str})
    assert set(back.loc[back["n"] > 0, "round"]) == {D1}
    code, _, err = run(capsysbinary, "export", "units", "--round", "all", "--out", tmp_path / "u.csv")
    assert code == 2 and "--round" in err
