"""The load run's bookkeeping without a server: percentiles, the targets' verdicts, which configurations run."""

from __future__ import annotations

import math

import pytest

from bench.load import report, run


def test_percentile_is_nearest_rank():
    values = [float(x) for x in range(1, 21)]  # 1..20
    assert report.percentile(values, 50) == 10.0
    assert report.percentile(values, 95) == 19.0
    assert report.percentile([3.0], 95) == 3.0
    assert math.isnan(report.percentile([], 50))


def test_table_says_whether_each_target_is_met():
    result = report.Result("1 app process, embedded DuckDB store", memory_mb=6.0)
    result.rows = [
        report.Row("answer a unit", 2, [0.2] * 19 + [1.5]),  # p95 0.2 s: met
        report.Row("open /overview", 2, [6.0, 7.0]),  # p95 7 s: missed
        report.Row("submit", 2, [], failures=1),  # no target, none timed
    ]
    text = report.table(result)
    lines = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert lines["answer a unit"].endswith("| yes |")
    assert lines["open /overview"].endswith("| **no** |")
    assert "0 (+1 failed)" in lines["submit"]
    assert lines["memory per idle session (MB)"].endswith("| **no** |")  # 6 MB > 5 MB


def test_two_processes_only_with_a_database_url():
    embedded = run.configurations(run.parse_args(["--processes", "1,2"]))
    assert embedded[0] == (1, None)
    assert embedded[1][0] == 2 and "embedded" in embedded[1][1]
    url = run.configurations(run.parse_args(["--processes", "1,2", "--store", "postgresql://h/db"]))
    assert url == [(1, None), (2, None)]


def test_the_session_count_is_bounded():
    with pytest.raises(SystemExit):
        run.parse_args(["--staff", "290", "--executives", "20"])  # over --max-sessions 300


def test_the_run_keeps_the_apps_submission_limit_unless_told():
    """The load run measures the app as configured: no raised SKILLS_CAMPAIGN_RATE unless --campaign-rate."""
    assert run.parse_args([]).campaign_rate is None
    assert "by default (SKILLS_CAMPAIGN_RATE 1200 a minute" in run.campaign_rate_words(None)
    assert run.campaign_rate_words(100000).startswith("SKILLS_CAMPAIGN_RATE=100000 for the run (default 1200")
