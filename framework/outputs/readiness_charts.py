"""Plotly builders of the readiness views: the path over the stages, the dot panels per stage, the blocking units.

Split from analysis_charts.py (same look and conventions): they draw already-suppressed frames, so hidden values
never reach a figure; each ends with framework.outputs.chart_theme.apply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from framework.analysis import TOTAL_KEY
from framework.catalog.profiles import wrap_label
from framework.outputs import chart_theme
from framework.outputs.analysis_charts import (
    BAR_LABEL_CHARS,
    BAR_WIDTH,
    HIDDEN_TEXT,
    _labels_above,
    _pct,
    key_tick,
    stage_label,
    unit_tick,
)
from framework.outputs.chart_theme import BASE_SIZE
from framework.text import pick as _t


def readiness_path(
    ready: pd.DataFrame,
    reached: pd.DataFrame | None = None,
    target: float = 0.8,
    lang: str = "th",
    labels: dict | None = None,
    title: str | None = None,
    font_size: int = BASE_SIZE,
) -> go.Figure:
    """Readiness at Early, Developing, Mature per key as lines; the stage reached starred; the target dashed."""
    fig = go.Figure()
    stages = ["Early", "Developing", "Mature"]
    xs = [stage_label(s, lang) for s in stages]
    reached_map = {} if reached is None else dict(zip(reached["key"], reached["stage_reached"]))
    for key in dict.fromkeys(ready["key"]):
        g = ready[ready["key"] == key].set_index("stage").reindex(stages)
        y = g["readiness"].to_numpy(dtype="float64")
        custom = [
            [int(n) if not pd.isna(n) else 0, _pct(r), _pct(fr)]
            for n, r, fr in zip(g["n"], g["readiness"], g["fully_ready"])
        ]
        name = key_tick(key, labels, lang)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=y,
                mode="lines+markers",
                name=name,
                customdata=custom,
                connectgaps=False,
                line={"width": 4 if key == TOTAL_KEY else 2, "dash": "solid"},
                hovertemplate=(
                    f"<b>{name}</b> · %{{x}}<br>n = %{{customdata[0]}}<br>"
                    f"{_t(lang, 'ความพร้อม', 'readiness')} = %{{customdata[1]}}<br>"
                    f"{_t(lang, 'พร้อมเต็มที่', 'fully ready')} = %{{customdata[2]}}<extra></extra>"
                ),
            )
        )
        st_ = reached_map.get(key)
        if st_ in stages:
            fig.add_trace(
                go.Scatter(
                    x=[stage_label(st_, lang)],
                    y=[float(g.loc[st_, "readiness"])],
                    mode="markers",
                    marker={"symbol": "star", "size": 18, "color": "#f5b700", "line": {"color": "#333", "width": 1}},
                    name=_t(lang, f"ระยะที่บรรลุ: {name}", f"stage reached: {name}"),
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
    fig.add_hline(
        y=target,
        line={"dash": "dash", "color": "#555"},
        annotation_text=_t(lang, f"เป้าหมาย {target:.0%}", f"target {target:.0%}"),
    )
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%", title=_t(lang, "ความพร้อม", "Readiness"))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=xs)
    return chart_theme.apply(
        fig,
        title or _t(lang, "ความพร้อมตามระยะ (★ = ระยะที่บรรลุ)", "Readiness by stage (★ = stage reached)"),
        font_size=font_size,
    )


DOT = "#1f4e8c"  # a readiness point
STEM = "#c9d3e3"  # the bar from 0 to the point
REACHED = "#f5b700"  # the stage reached (star)


def _dot_text(x, target: float) -> list[str]:
    """Where each value label goes: left of a dot that lies below the target (a label on its right would sit
    on the dashed target line), right of the others and of dots too near 0 for a label on their left."""
    return ["middle left" if LEFT_LABEL_FROM <= v < target else "middle right" for v in np.nan_to_num(x)]


LEFT_LABEL_FROM = 0.25  # below this a left label would run into the axis labels


def readiness_dots(
    ready: pd.DataFrame,
    reached: pd.DataFrame | None = None,
    target: float = 0.8,
    lang: str = "th",
    labels: dict | None = None,
    title: str | None = None,
    font_size: int = BASE_SIZE,
    stacked: bool = False,
) -> go.Figure:
    """Readiness as small multiples, one panel per stage: a row per key, a dot on a stem with its value printed
    beside it, the target as a dashed line in every panel and a star on the stage reached. Reads at a glance
    where seven close lines in one panel do not; hidden points print "—" and carry no value.

    Panels side by side, or `stacked` one above the other (a phone's width).
    """
    stages = ["Early", "Developing", "Mature"]
    keys = list(dict.fromkeys(ready["key"]))
    names = [key_tick(k, labels, lang) for k in keys]
    ticks = [f"<b>{wrap_label(n, 16)}</b>" if k == TOTAL_KEY else wrap_label(n, 16) for k, n in zip(keys, names)]
    reached_map = {} if reached is None else dict(zip(reached["key"], reached["stage_reached"]))
    grid = (
        {"rows": 3, "cols": 1, "shared_xaxes": True, "vertical_spacing": 0.25 / len(keys) + 0.04}
        if stacked
        else {"rows": 1, "cols": 3, "shared_yaxes": True, "horizontal_spacing": 0.03}
    )
    # Side by side a panel can be ~90 px wide (a narrow window): "ระยะ" on its own line keeps the three
    # titles apart ("ระยะเริ่มแรกระยะกำลังพัฒนา…" ran together).
    heads = [stage_label(s, lang) for s in stages]
    heads = heads if stacked else [h.replace("ระยะ", "ระยะ<br>", 1) if h.startswith("ระยะ") else h for h in heads]
    fig = make_subplots(**grid, subplot_titles=[f"<b>{h}</b>" for h in heads])
    for i, stage in enumerate(stages):
        cell = {"row": i + 1, "col": 1} if stacked else {"row": 1, "col": i + 1}
        g = ready[ready["stage"] == stage].set_index("key").reindex(keys)
        x = g["readiness"].to_numpy(dtype="float64")
        gone = [n for n, v in zip(names, x) if np.isnan(v)]
        star = [reached_map.get(k) == stage for k in keys]
        custom = [
            [int(n) if not pd.isna(n) else 0, _pct(r), _pct(fr)]
            for n, r, fr in zip(g["n"], g["readiness"], g["fully_ready"])
        ]
        hover = (
            f"<b>%{{y}}</b> · {stage_label(stage, lang)}<br>n = %{{customdata[0]}}<br>"
            f"{_t(lang, 'ความพร้อม', 'readiness')} = %{{customdata[1]}}<br>"
            f"{_t(lang, 'พร้อมเต็มที่', 'fully ready')} = %{{customdata[2]}}<extra></extra>"
        )
        fig.add_trace(
            go.Bar(x=x, y=names, orientation="h", width=0.18, marker_color=STEM, hoverinfo="skip", showlegend=False),
            **cell,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=names,
                mode="markers+text",
                text=[_pct(v) for v in x],
                textposition=_dot_text(x, target),
                customdata=custom,
                hovertemplate=hover,
                showlegend=False,
                cliponaxis=False,
                name=stage_label(stage, lang),
                textfont={"size": font_size},
                marker={
                    "size": [font_size + 8 if s else font_size - 1 for s in star],
                    "symbol": ["star" if s else "circle" for s in star],
                    "color": [REACHED if s else DOT for s in star],
                    "line": {"color": "#333", "width": 1},
                },
            ),
            **cell,
        )
        if gone:
            fig.add_trace(
                go.Scatter(
                    x=[0.0] * len(gone),
                    y=gone,
                    mode="text",
                    text=[HIDDEN_TEXT] * len(gone),
                    textposition="middle right",
                    hoverinfo="skip",
                    showlegend=False,
                    textfont={"size": font_size, "color": "#777"},
                ),
                **cell,
            )
        fig.add_vline(x=target, line={"dash": "dash", "color": "#555", "width": 1.5}, **cell)
        fig.update_yaxes(ticktext=ticks, tickvals=names, showticklabels=stacked or i == 0, **cell)
    fig.update_xaxes(
        range=[0, 1.25], tickvals=[0, 0.5, 1], ticktext=["0", "50", "100%"], tickangle=0, showgrid=True, fixedrange=True
    )
    fig.update_yaxes(
        autorange="reversed",
        type="category",
        categoryorder="array",
        categoryarray=names,
        fixedrange=True,
        automargin=True,
    )
    fig.update_annotations(font_size=font_size)  # the panel (stage) titles
    rows = len(keys) * (3 if stacked else 1)
    fig = chart_theme.apply(
        fig,
        title or _t(lang, "ความพร้อมตามระยะ", "Readiness by stage"),
        height=max(300, (font_size + 22) * rows + 170),
        font_size=font_size,
    )
    two_lines = any("<br>" in h for h in heads)  # room for the panel titles under the subtitle
    fig.update_layout(
        bargap=0,
        margin={"t": 80 + font_size * (4 if two_lines else 2)},
        title_subtitle={
            "text": _t(
                lang,
                f"เส้นประ = เป้าหมาย {target:.0%} · ★ = ระยะที่บรรลุ",
                f"dashed line = {target:.0%} target · ★ = stage reached",
            ),
            "font": {"size": chart_theme.tick_size(font_size) + 1, "color": "#555"},
        },
    )
    return fig


def blockers_bar(bl: pd.DataFrame, lang: str = "th", title: str | None = None, font_size: int = BASE_SIZE) -> go.Figure:
    """Lowest-coverage units required at a stage, as horizontal bars (hidden units are never passed in).

    Each bar's label ("DTr300 · first words of the name") sits above the bar, not on the axis: the bars keep
    the whole width, on a phone too. The value is printed at the bar's end.
    """
    df = bl[bl["hidden"].isna()] if "hidden" in bl.columns else bl
    name = "name_en" if lang == "en" else "name_th"
    ys = [f"{c}" for c in df["code"]]
    labels = [unit_tick(c, t, BAR_LABEL_CHARS) for c, t in zip(df["code"], df[name])]
    na = df["not_assessed_share"] if "not_assessed_share" in df.columns else pd.Series(np.nan, index=df.index)
    custom = [[int(n), _pct(v), t, _pct(float(x))] for n, v, t, x in zip(df["n"], df["coverage"], df[name], na)]
    fig = go.Figure(
        go.Bar(
            x=df["coverage"].astype(float),
            y=ys,
            orientation="h",
            customdata=custom,
            marker_color="#d73027",
            width=BAR_WIDTH,
            text=[_pct(v) for v in df["coverage"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=(
                f"<b>%{{y}}</b> %{{customdata[2]}}<br>n = %{{customdata[0]}}<br>"
                f"{_t(lang, 'ความครอบคลุม', 'coverage')} = %{{customdata[1]}}<br>"
                f"{_t(lang, 'ยังไม่ได้ประเมิน', 'not assessed')}: %{{customdata[3]}}<extra></extra>"
            ),
        )
    )
    row = 2 * font_size + 40  # px per unit: the label line, then the bar
    _labels_above(fig, ys, labels, row, font_size)
    fig.update_xaxes(
        range=[0, 1.12],
        tickvals=[0, 0.25, 0.5, 0.75, 1],
        tickformat=".0%",
        automargin=True,
        fixedrange=True,
        title={"text": _t(lang, "ความครอบคลุม", "Coverage"), "standoff": 6},
    )
    fig.update_yaxes(autorange="reversed", type="category", showticklabels=False, fixedrange=True)
    return chart_theme.apply(
        fig, title or _t(lang, "หน่วยที่เป็นอุปสรรค", "Blocking units"), height=row * len(df) + 130, font_size=font_size
    )
