"""AppTest of pages/trends.py: lines per round with several rounds, a clear message with one."""

from __future__ import annotations

import json

from tests.fixtures.analysis import pages, seed


def test_demo_two_rounds(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    at = pages.run_page("trends.py", lang="en")
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    s = json.loads(charts[0].proto.spec)
    assert all(len(pages.values(t["x"])) == 2 for t in s["data"])
    assert not any("only one survey round" in i.value for i in at.info)


def test_fixture_values_per_round(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.two_rounds))
    at = pages.run_page(
        "trends.py", lang="en", trd_stage="Early", trd_unit="DLit100", trd_agencies=[]
    )  # both agencies' rounds (one agency by default)
    assert not at.exception
    ready = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    ex = next(t for t in ready if t["name"] == "Executive")
    assert ex["x"] == ["2024-01-15", "2024-07-15"]
    y = pages.values(ex["y"])
    assert abs(y[0] - 13 / 54) < 1e-9 and y[1] == 1.0


def test_one_round_says_so(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("trends.py")
    assert not at.exception
    assert any("มีรอบสำรวจเพียงรอบเดียว" in i.value for i in at.info)
