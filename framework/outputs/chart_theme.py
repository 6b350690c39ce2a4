"""The one look of every chart (framework views and survey views): Thai font stack, sizes, presentation mode.

Builders in framework/outputs/charts.py and framework/outputs/analysis_charts.py take `font_size` (BASE_SIZE on screen,
PRESENT_SIZE in presentation mode: pages pass `ui.shell.chart_font_size()`) and finish with `apply()`.
The print stylesheet (framework/print_css.py) uses the same font stack.
"""

from __future__ import annotations

import plotly.graph_objects as go

# Loma / Garuda come with fonts-thai-tlwg (installed by the Makefile); Sarabun / Noto Sans Thai where installed.
FONTS = ("Sarabun", "Noto Sans Thai", "Loma", "Garuda", "Tahoma", "sans-serif")
FONT_FAMILY = ", ".join(FONTS)
BASE_SIZE = 14  # on screen
PRESENT_SIZE = 20  # presentation mode: readable from the back of a room
TEMPLATE = "plotly_white"
MARGIN = {"l": 10, "r": 10, "t": 60, "b": 10}


def font_size(presenting: bool = False) -> int:
    """Chart text size for normal or presentation mode."""
    return PRESENT_SIZE if presenting else BASE_SIZE


def title_size(size: int) -> int:
    """A chart title is a little larger than its text."""
    return size + 3


def tick_size(size: int) -> int:
    """Dense category axes (one row per unit) use slightly smaller labels."""
    return size - 3


def apply(
    fig: go.Figure, title: str | None = None, *, height: int | None = None, font_size: int = BASE_SIZE
) -> go.Figure:
    """Fonts, title, margins, background and hover labels of the one theme; returns the figure.

    `title=None` leaves the title text as the builder set it; sizes follow `font_size`.
    """
    layout = {
        "template": TEMPLATE,
        "font": {"family": FONT_FAMILY, "size": font_size},
        "title": {"x": 0, "xanchor": "left", "font": {"size": title_size(font_size)}},
        "margin": MARGIN,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": font_size}},
        "legend": {"font": {"size": font_size}},
    }
    if title is not None:
        layout["title"]["text"] = title
    if height:
        layout["height"] = height
    return fig.update_layout(**layout)


# st.plotly_chart(..., config=CONFIG) on the survey pages: no toolbar over the title (on a phone it covers it);
# every chart has its PNG / HTML download buttons below it, and drag-to-zoom / double-click still work.
CONFIG = {"displayModeBar": False, "displaylogo": False}


def fit_narrow(fig: go.Figure, visible_px: int = 340) -> go.Figure:
    """A wide heatmap seen through a phone's window (it scrolls sideways): its title wrapped at the last ' · ' and
    its colour scale laid across the top-left, so both are on screen before any sideways scroll."""
    text = fig.layout.title.text or ""
    if " · " in text and "<br>" not in text:
        head, tail = text.rsplit(" · ", 1)
        fig.update_layout(title_text=f"{head}<br>{tail}")
    height = fig.layout.height or 600
    top = (fig.layout.margin.t if fig.layout.margin.t is not None else MARGIN["t"]) + 70
    fig.update_traces(
        selector={"type": "heatmap"},
        colorbar={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "yref": "container",
            "y": 1 - 66 / height,
            "yanchor": "top",
            "lenmode": "pixels",
            "len": min(260, visible_px - 20),
            "thickness": 10,
            "title": {"side": "top"},
        },
    )
    # The title's top line at the top of the chart (a wrapped title would otherwise grow upwards, out of it).
    return fig.update_layout(margin_t=top, title={"yref": "container", "y": 1 - 14 / height, "yanchor": "top"})
