"""AppTest of pages/coverage.py: heatmap equals the suppressed frame, hidden cells counted, columns switch."""
from __future__ import annotations

import json
import math

from tests.fixtures.analysis import pages, seed


def spec(at, i=0):
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def test_demo_heatmap(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    at = pages.run_page("coverage.py", cov_stage="Developing")
    assert not at.exception
    s = spec(at)
    assert s["data"][0]["type"] == "heatmap" and len(s["data"][0]["y"]) == 39
    assert s["data"][0]["x"][-1] == "ทั้งหมด"
    assert len(at.dataframe) == 1


def test_fixture_cells_and_suppression_note(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("coverage.py", lang="en", cov_stage="Early")
    assert not at.exception
    main = spec(at)["data"][0]
    x, y = main["x"], main["y"]
    assert x == ["Executive", "Management", "Academic", "Service", "Technologist", "Others", "All"]
    z = pages.values(main["z"])[y.index("DLit100")]
    assert z[0] == 0.5 and abs(z[-1] - 7 / 13) < 1e-9
    assert z[3] is None or math.isnan(z[3])                      # Service: complementary
    note = " ".join(c.value for c in at.caption)
    assert "39 with fewer than 5 respondents" in note and "5 hidden so they cannot be recomputed" in note
    assert "39 because the filters leave out fewer than 5 people" in note
    table = at.dataframe[0].value
    assert table.loc["DLit100", "Service"] == "hidden ●" and table.loc["DLit100", "Executive"] == "50% ●"
    assert table.loc["DLit200", "Executive"] == "0%"                 # not required at Early: no mark
    assert table.index.name == "Code"
    # Grey cells and required marks have legend entries, and the marks are explained under the chart.
    names = [t.get("name", "") for t in spec(at)["data"] if t.get("showlegend")]
    assert any("required" in n for n in names) and any("hidden" in n for n in names)
    assert any("● = required by the role profile" in c.value for c in at.caption)


def test_thai_table_header_and_legend(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("coverage.py", cov_stage="Early")
    assert not at.exception
    assert at.dataframe[0].value.index.name == "รหัส"
    names = " ".join(t.get("name", "") for t in spec(at)["data"] if t.get("showlegend"))
    assert "ซ่อน" in names and "บทบาท" in names and "hidden" not in names


def test_threshold_and_columns_switch(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("coverage.py", lang="en", cov_stage="Early", cov_threshold=2, cov_by="unit",
                        cov_required_only=True, cov_groups=["Executive"])
    assert not at.exception
    main = spec(at)["data"][0]
    assert main["x"] == [seed.SECRETARIAT, "All"]
    assert main["y"] == list(seed.EXEC_EARLY)                    # only the units the stage requires
    assert abs(pages.values(main["z"])[0][0] - 4 / 6) < 1e-9                   # threshold 2
