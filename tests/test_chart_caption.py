"""Issue 21 (13): the PNG export's title says the round and filters; the CSV button says it is a ZIP."""

from __future__ import annotations

import plotly.graph_objects as go

from framework.outputs import chart_caption
from ui import downloads


def test_png_title_carries_round_and_filters():
    fig = go.Figure(go.Bar(x=[1], y=["a"]), layout={"title": {"text": "Blockers"}})
    f = {
        "round": "latest round of each agency",
        "agencies": "Dept A",
        "stage": "Developing",
        "threshold": 2,
        "min_cell": 5,
    }
    out = chart_caption.titled(fig, f, "en")
    assert out.layout.title.text.startswith("Blockers<br><sup>round: latest round of each agency")
    assert "agency: Dept A" in out.layout.title.text and "level ≥ 2" in out.layout.title.text
    assert "k = 5" in out.layout.title.text and "stage: Developing" in out.layout.title.text
    assert fig.layout.title.text == "Blockers"  # the page's figure is not changed
    assert "หน่วยงาน: Dept A" in chart_caption.titled(fig, f, "th").layout.title.text


def test_chart_png_is_made_from_the_titled_figure(monkeypatch):
    seen = {}
    monkeypatch.setattr(
        downloads.figure_files, "chart_png", lambda fig: seen.setdefault("title", fig.layout.title.text)
    )
    monkeypatch.setattr(downloads, "lang", lambda: "en")
    monkeypatch.setattr(downloads, "_meta", dict)
    fig = go.Figure(layout={"title": {"text": "Coverage"}})
    files = downloads.chart_files(fig, "coverage", {"round": "30 Jun 2025", "threshold": 3, "min_cell": 5})
    files["png"][2]()
    assert "round: 30 Jun 2025" in seen["title"] and "level ≥ 3" in seen["title"]


def test_csv_button_says_zip():
    assert downloads.TABLE_LABELS["csv"] == ("CSV (ไฟล์ ZIP)", "CSV (ZIP file)")
