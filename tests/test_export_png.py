"""Chart PNG: one persistent Chromium per process (kaleido sync server), so only the first PNG pays the start."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from framework.outputs import figure_files

pytestmark = pytest.mark.slow


def _fig(title: str) -> go.Figure:
    return go.Figure(go.Bar(x=["การรู้ดิจิทัล", "ธรรมาภิบาล"], y=[3, 5]), layout={"title": title})


def test_png_reuses_one_browser(monkeypatch):
    import kaleido

    starts = []
    real_start = kaleido.start_sync_server
    monkeypatch.setattr(kaleido, "start_sync_server", lambda *a, **kw: (starts.append(kw), real_start(*a, **kw)))
    first = figure_files.chart_png(_fig("ความครอบคลุม"), width=600, height=400, scale=1)
    second = figure_files.chart_png(_fig("ความพร้อม"), width=600, height=400, scale=1)
    assert first[:8] == second[:8] == b"\x89PNG\r\n\x1a\n" and first != second
    assert kaleido._global_server.is_running()  # the browser stays up for the next PNG
    assert len(starts) <= 1 and all(kw.get("mathjax") is False for kw in starts)  # no CDN MathJax
    # (its speed, ~0.3 s after the first, is measured by bench/bench_export.py)


def test_png_starts_a_fresh_browser_after_a_stop():
    import kaleido

    figure_files.chart_png(_fig("ก"), width=300, height=200, scale=1)
    kaleido.stop_sync_server(silence_warnings=True)
    png = figure_files.chart_png(_fig("ข"), width=300, height=200, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and kaleido._global_server.is_running()
