"""The executive survey pages (coverage, readiness, overview): heatmap labels and table widths, the readiness dot
plot, the plain-language summary before the formulas."""

from __future__ import annotations

import json

from tests.fixtures.analysis import pages, seed


def spec(at, i=0):
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def test_coverage_page_names_toggle_and_narrow_table_columns(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("coverage.py", lang="en", cov_stage="Early")
    assert not at.exception
    y = spec(at)["layout"]["yaxis"]
    assert y["ticktext"][y["tickvals"].index("DLit100")].startswith("DLit100 · Digital access")
    assert spec(at)["data"][0]["texttemplate"] == "%{text}"
    config = json.loads(at.dataframe[0].proto.columns)
    values = [c for name, c in config.items() if name != "Unit"]
    assert config["Unit"]["width"] == "medium" and len(values) == 7
    assert all(isinstance(c["width"], int) and c["width"] <= 100 for c in values)
    at.toggle(key="cov_names").set_value(False).run()
    y = spec(at)["layout"]["yaxis"]
    assert y["ticktext"] == y["tickvals"]  # codes only


def test_readiness_page_defaults_to_the_dot_plot_and_keeps_the_lines(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.two_rounds))
    at = pages.run_page("readiness.py", lang="en")
    assert not at.exception
    modes = {t.get("mode") for t in spec(at)["data"]}
    assert "markers+text" in modes and "lines+markers" not in modes
    at.segmented_control(key="rdy_form").set_value("lines").run()
    assert "lines+markers" in {t.get("mode") for t in spec(at)["data"]}
    at.segmented_control(key="rdy_form").set_value("stacked").run()
    assert {t.get("yaxis") for t in spec(at)["data"]} >= {"y", "y2", "y3"}


def test_survey_charts_have_no_toolbar_over_their_title(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.two_rounds))
    for script, state in (("overview.py", {}), ("coverage.py", {"cov_stage": "Early"}), ("readiness.py", {})):
        at = pages.run_page(script, lang="en", **state)
        assert not at.exception
        charts = at.get("plotly_chart")
        assert charts, script
        for chart in charts:
            assert json.loads(chart.proto.config)["displayModeBar"] is False, script
