"""A chart as a file: a standalone offline HTML page (titled, the settings under it) and a PNG (kaleido with one
persistent Chromium for the process). Split from export.py, which keeps the tables."""

from __future__ import annotations

import atexit
import os
import re
import threading
from html import escape, unescape

from framework import settings as config
from framework.outputs.export import settings_frame


def chart_html(fig, settings: dict | None = None) -> bytes:
    """A standalone HTML page of the chart that works offline (plotly.js inlined, UTF-8).

    The page is titled after the chart and, given settings, states them under the chart so a figure
    pasted into a report can be traced back to the screen it came from.
    """
    page = fig.to_html(include_plotlyjs=True, full_html=True)
    text = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    title = unescape(" ".join(re.sub(r"<[^>]+>", " ", text).split())) or (settings or {}).get("view") or "chart"
    head = '<meta charset="utf-8" />' if '<meta charset="utf-8" />' in page else "<head>"
    page = page.replace(head, f"{head}\n    <title>{escape(title)}</title>", 1)
    if settings:
        rows = settings_frame(settings)
        items = "".join(
            f"<li>{escape(r.label_th)} / {escape(r.label_en)}: {escape(r.value) or '-'}</li>"
            for r in rows.itertuples()
            if r.value
        )
        footer = (
            f'<ul class="skills-export-settings" style="font: 12px sans-serif; color: #444; '
            f'margin: 8px 24px; padding: 0;">{items}</ul>'
        )
        page = page[: page.rindex("</body>")] + footer + "\n</body>" + page[page.rindex("</body>") + 7 :]
    return page.encode("utf-8")


_KALEIDO_LOCK = threading.Lock()  # the sync server answers through one queue: one render at a time


def _kaleido():
    """kaleido with one persistent Chromium for the process (started on the first PNG, stopped at exit).

    Without it every PNG started and killed a browser (~2.5 s) and plotly loaded MathJax from a CDN;
    choreographer's read loop logged a traceback when the killed browser's pipe closed mid-message.
    """
    import kaleido

    if not kaleido._global_server.is_running():
        if config.get("BROWSER_PATH") is None and (chromium := config.get("SKILLS_CHROMIUM")).exists():
            os.environ["BROWSER_PATH"] = str(chromium)  # for kaleido, which reads it
        kaleido.start_sync_server(n=1, mathjax=False, timeout=60, silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
    return kaleido


def chart_png(fig, *, width: int | None = 1200, height: int | None = 700, scale: float = 2) -> bytes:
    """PNG of the chart via kaleido and Debian's chromium (first PNG ~3-5 s to start it, then ~0.3 s)."""
    layout = fig.layout
    width = int(layout.width) if layout.width else width
    height = int(layout.height) if layout.height else height
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    spec = fig.to_plotly_json()
    with _KALEIDO_LOCK:
        kaleido = _kaleido()
        try:
            return kaleido.calc_fig_sync(spec, opts=opts)
        except Exception:  # noqa: BLE001 - a browser that died (e.g. killed): start a fresh one, try once more
            kaleido.stop_sync_server(silence_warnings=True)
            return _kaleido().calc_fig_sync(spec, opts=opts)
