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
    # No passphrase configured: local mode, exact figures (seed.py's hand-computed numbers)
    z = pages.values(main["z"])[y.index("DLit100")]
    assert z[0] == 0.5 and z[3] == 0.6 and abs(z[-1] - 7 / 13) < 1e-9
    assert z[5] is None or math.isnan(z[5])  # Others: 2 < k = 5
    note = " ".join(c.value for c in at.caption)
    assert "39 with fewer than 5 respondents (the nearest needs 3 more)" in note
    assert "117 with no respondents" in note and "cover only" not in note
    table = at.dataframe[0].value
    assert table.loc["DLit100", "Others"] == "hidden ●" and table.loc["DLit100", "Executive"] == "50% ●"
    assert table.loc["DLit100", "Service"] == "60% ●"
    assert table.loc["DLit200", "Executive"] == "0%"  # not required at Early: no mark
    assert table.index.name == "Code"
    # Grey cells and required marks have legend entries, and the marks are explained under the chart.
    names = [t.get("name", "") for t in spec(at)["data"] if t.get("showlegend")]
    assert any("required" in n for n in names) and any("hidden" in n for n in names)
    assert any("● = required by the role profile" in c.value for c in at.caption)


def test_fixture_without_the_passphrase_sums_whole_blocks(tmp_path, monkeypatch):
    """A passphrase configured and not given: Executive 6 and Service 5 are blocks, Others 2 in none, so the
    total covers 11 of 13 people (DLit100 met by 3 + 3 = 6 of 11) and the note says shown cells are partial."""
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "ลับเฉพาะ HR")
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("coverage.py", lang="en", cov_stage="Early")
    assert not at.exception
    main = spec(at)["data"][0]
    z = pages.values(main["z"])[main["y"].index("DLit100")]
    assert z[0] == 0.5 and z[3] == 0.6 and abs(z[-1] - 6 / 11) < 1e-9
    assert z[5] is None or math.isnan(z[5])
    assert "50%" not in json.dumps(spec(at)["data"][1], ensure_ascii=False)  # Others' 1/2 in no hidden label
    note = " ".join(c.value for c in at.caption)
    assert "39 with fewer than 5 respondents" in note and "117 with no respondents" in note
    assert "39 shown cells cover only the groups of 5 or more inside them" in note


def test_thai_table_header_and_legend(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("coverage.py", cov_stage="Early")
    assert not at.exception
    assert at.dataframe[0].value.index.name == "รหัส"
    names = " ".join(t.get("name", "") for t in spec(at)["data"] if t.get("showlegend"))
    assert "ซ่อน" in names and "บทบาท" in names and "hidden" not in names


def test_threshold_and_columns_switch(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page(
        "coverage.py",
        lang="en",
        cov_stage="Early",
        cov_threshold=2,
        cov_by="unit",
        cov_required_only=True,
        cov_staff_groups=["Executive"],
    )
    assert not at.exception
    main = spec(at)["data"][0]
    assert main["x"] == [seed.SECRETARIAT, "All"]
    assert main["y"] == list(seed.EXEC_EARLY)  # only the units the stage requires
    assert abs(pages.values(main["z"])[0][0] - 4 / 6) < 1e-9  # threshold 2
