"""Issue 20 point 6: `ingest` holds the upload page's metadata rules (framework.store.rounds.check_metadata)."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import pytest

from framework import cli
from framework.store.rounds import FUTURE_MARGIN_DAYS

AGENCY = "กรมทดสอบรอบ"
THAI = re.compile(r"[\u0e00-\u0e7f]")


@pytest.fixture
def run(capsys, tmp_path):
    db_file = tmp_path / "s.duckdb"

    def call(*args):
        code = cli.main([str(a) for a in args] + ["--db", str(db_file)])
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return call


@pytest.fixture
def survey(tmp_path):
    def make(seed: int = 0):
        path = tmp_path / f"s{seed}.csv"
        path.write_text(
            "respondent_id,group,DLit100\n" + "".join(f"P{i + 100 * seed},ผู้ทำงานด้านบริการ,{i % 5}\n" for i in range(6)),
            encoding="utf-8",
        )
        return path

    return make


def refused(res, *words):
    assert res.returncode == 2 and res.stdout == "" and res.stderr.startswith("error: ")
    assert THAI.search(res.stderr) and len(res.stderr.strip().splitlines()) == 1
    for w in words:
        assert w in res.stderr


def stored(run) -> list[dict]:
    return json.loads(run("batches", "--json").stdout)


@pytest.mark.parametrize("drop", ["--agency", "--stage", "--round"])
def test_missing_agency_stage_or_round_is_refused(run, survey, drop):
    flags = {"--agency": AGENCY, "--stage": "Early", "--round": "2025-06-30"}
    del flags[drop]
    res = run("ingest", survey(), *[x for kv in flags.items() for x in kv])
    refused(res, drop, "nothing was stored")
    assert stored(run) == []


@pytest.mark.parametrize(
    "bad",
    [
        "9999-12-31",
        "0001-01-01",
        "2017-12-31",
        (dt.date.today() + dt.timedelta(days=FUTURE_MARGIN_DAYS + 5)).isoformat(),
    ],
)
def test_round_dates_out_of_range_are_refused_even_when_confirmed(run, survey, bad):
    ok = run("ingest", survey(), "--agency", AGENCY, "--stage", "Early", "--round", "2025-06-30")
    assert ok.returncode == 0, ok.stderr
    res = run(
        "ingest",
        survey(1),
        "--agency",
        AGENCY,
        "--stage",
        "Early",
        "--round",
        bad,
        "--confirm",
        "future",
        "--confirm",
        "stage",
    )
    refused(res, bad, "check the year")
    assert [b["round_date"] for b in stored(run)] == ["2025-06-30"]  # 9999-12-31 never became the latest round


def test_a_future_round_and_a_changed_stage_need_a_confirmation(run, survey):
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    refused(
        run("ingest", survey(), "--agency", AGENCY, "--stage", "Early", "--round", soon),
        "--confirm future",
        "in the future",
    )
    assert stored(run) == []
    assert (
        run(
            "ingest", survey(), "--agency", AGENCY, "--stage", "Early", "--round", soon, "--confirm", "future"
        ).returncode
        == 0
    )
    res = run("ingest", survey(1), "--agency", AGENCY, "--stage", "Mature", "--round", "2025-06-30")
    refused(res, "--confirm stage", "differs")
    res = run(
        "ingest", survey(1), "--agency", AGENCY, "--stage", "Mature", "--round", "2025-06-30", "--confirm", "stage"
    )
    assert res.returncode == 0, res.stderr
    assert sorted(b["stage"] for b in stored(run)) == ["Early", "Mature"]


def test_a_malformed_round_date_is_one_line(run, survey):
    refused(run("ingest", survey(), "--agency", AGENCY, "--stage", "Early", "--round", "31/12/2025"), "YYYY-MM-DD")
