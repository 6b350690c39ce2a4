"""Issue 21, point 4: `coverage` without --stage is against the stage the agency declared for its round (one
agency); several agencies at their own stages need --stage said (exit 2, bilingual)."""

from __future__ import annotations

import io

import pandas as pd

from framework import cli, db
from tests.fixtures.analysis import seed


def run(capsysbinary, *argv):
    code = cli.main(list(argv))
    out = capsysbinary.readouterr()
    return code, out.out.decode("utf-8"), out.err.decode("utf-8")


def test_default_stage_is_the_declared_one(tmp_path, capsysbinary):
    path = seed.to_file(tmp_path / "s.duckdb", seed.basic)
    con = db.connect(path)
    con.execute("UPDATE store.batches SET stage = 'Developing'")  # the round declares Developing
    con.close()
    code, out, _ = run(capsysbinary, "coverage", "--db", str(path))
    assert code == 0
    df = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert set(df["stage"]) == {"Developing"}
    code, out, _ = run(capsysbinary, "coverage", "--stage", "Early", "--db", str(path))  # said: kept
    assert code == 0 and set(pd.read_csv(io.StringIO(out))["stage"]) == {"Early"}


def test_several_agencies_need_the_stage(tmp_path, capsysbinary):
    path = seed.to_file(tmp_path / "s.duckdb", seed.two_rounds)
    code, _, err = run(capsysbinary, "coverage", "--db", str(path))
    assert code == 2
    assert "give --stage" in err and "ระบุ --stage" in err and seed.AGENCY2 in err
    code, out, _ = run(capsysbinary, "coverage", "--round", "2024-07-15", "--db", str(path))  # one agency
    assert code == 0 and set(pd.read_csv(io.StringIO(out))["stage"]) == {"Early"}
