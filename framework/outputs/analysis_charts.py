"""Plotly builders for the survey views; they draw already-suppressed frames, so hidden values never reach a figure.

Every builder takes `font_size` (presentation mode) and ends with framework.outputs.chart_theme.apply: the same fonts and
sizes as the framework charts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from framework import thai_text
from framework.analysis import (
    HIDDEN_EMPTY,
    HIDDEN_NO_PREVIOUS,
    HIDDEN_POOLED,
    HIDDEN_SMALL,
    REASONS,
    TOTAL_KEY,
    reason_label,
)
from framework.analysis.rounds import date_text
from framework.outputs import chart_theme
from framework.outputs.chart_theme import BASE_SIZE
from framework.text import pick as _t
from framework.text import plotly as plotly_text

GREY = "#b4b4b4"  # hidden for privacy
EMPTY = "#ececec"  # no respondents
# Sequential and colour-blind safe (viridis: dark purple = low, yellow = high; no red/green, no grey to
# mistake for a hidden cell); the value is also printed in each cell.
COVERAGE_SCALE = "Viridis"
BAR_WIDTH = 0.42  # blockers: share of a unit's row the bar takes (its label is above it)
BAR_LABEL_CHARS = 34  # blockers: the unit name beside the code fits a phone's width (390 px)
HIDDEN_TEXT = "—"  # the cell label of a hidden cell (never a value)
MAX_LABELLED_COLUMNS = 12  # above this many columns a cell is too narrow for "100%": colour and hover only
STAGE_NAMES = {
    "Early": ("ระยะเริ่มแรก", "Early"),
    "Developing": ("ระยะกำลังพัฒนา", "Developing"),
    "Mature": ("ระยะสมบูรณ์", "Mature"),
}


def _pct(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.0%}"


def _short(text, limit: int = 38) -> str:
    """A long unit name cut between words with an ellipsis (framework.thai_text.shorten: a Thai word segmenter)."""
    return thai_text.shorten(text, limit)


def key_label(key: str, labels: dict | None, lang: str) -> str:
    """Display name of a column/line key; the total is 'ทั้งหมด' / 'All'."""
    if key == TOTAL_KEY:
        return _t(lang, "ทั้งหมด", "All")
    return (labels or {}).get(key, key)


def key_tick(key: str, labels: dict | None, lang: str) -> str:
    """key_label() as a Plotly label: an agency or org unit name is data, shown as text (framework.text)."""
    return plotly_text(key_label(key, labels, lang))


def stage_label(stage: str, lang: str, names: dict | None = None) -> str:
    th, en = (names or STAGE_NAMES).get(stage, (stage, stage))
    return _t(lang, th, en)


def unit_tick(code: str, name, limit: int = 30) -> str:
    """A unit's axis label: its code and the first words of its name ("DLit100 · Digital access…")."""
    short = _short(name, limit)
    return f"{code} · {short}" if short else code


def _hidden_reasons(lang: str, k: int | None = None) -> dict:
    """Why a cell is hidden, in words, per `hidden` code of the suppressed frames: the one wording of
    framework.analysis.reason_label (after "hidden:"), and the change view's own "no previous round"."""
    hidden = _t(lang, "ซ่อน", "hidden")
    out = {
        r: reason_label(r, lang, k) if r == HIDDEN_EMPTY else f"{hidden}: {reason_label(r, lang, k)}" for r in REASONS
    }
    out[HIDDEN_NO_PREVIOUS] = _t(lang, "ไม่มีรอบก่อนให้เปรียบเทียบ", "no previous round to compare with")
    return out


def coverage_heatmap(
    cov: pd.DataFrame,
    lang: str = "th",
    labels: dict | None = None,
    unit_names: dict | None = None,
    title: str | None = None,
    font_size: int = BASE_SIZE,
    names_on_axis: bool = True,
    cell_labels: bool | None = None,
    k: int | None = None,
) -> go.Figure:
    """Units (rows, framework order) x keys (columns): colour = coverage; required cells dotted; hidden cells grey.

    `cov` is the suppressed frame from framework.analysis.coverage (one stage). Each cell prints its percentage
    ("—" when hidden; "●" marks a required cell) unless `cell_labels` is False, or None with more than
    MAX_LABELLED_COLUMNS columns. With `names_on_axis` each row reads "code · short name" (from `unit_names`).
    `k` (the smallest group shown) goes into the hidden cells' reasons.
    """
    df = cov.sort_values(["unit_ord"], kind="stable")
    codes = list(dict.fromkeys(df["code"]))
    keys = list(dict.fromkeys(cov["key"]))
    xs = [key_tick(k, labels, lang) for k in keys]
    cell = df.set_index(["code", "key"])
    idx = pd.MultiIndex.from_product([codes, keys], names=["code", "key"])
    cell = cell.reindex(idx)
    z = cell["coverage"].to_numpy(dtype="float64").reshape(len(codes), len(keys))
    n = cell["n"].fillna(0).astype(int).to_numpy().reshape(len(codes), len(keys))
    req = cell["required"].fillna(False).astype(bool).to_numpy().reshape(len(codes), len(keys))
    hid = cell["hidden"].to_numpy(dtype=object).reshape(len(codes), len(keys))
    na = cell["not_assessed_share"] if "not_assessed_share" in cell.columns else pd.Series(np.nan, index=idx)
    na = na.to_numpy(dtype="float64").reshape(len(codes), len(keys))
    names = unit_names or {}
    ylab = codes
    if cell_labels is None:
        cell_labels = len(keys) <= MAX_LABELLED_COLUMNS
    shown = [
        ["" if not pd.isna(hid[i, j]) else _pct(z[i, j]) + (" ●" if req[i, j] else "") for j in range(len(keys))]
        for i in range(len(codes))
    ]
    hidden_text = [
        [HIDDEN_TEXT + (" ●" if req[i, j] else "") if not pd.isna(hid[i, j]) else "" for j in range(len(keys))]
        for i in range(len(codes))
    ]
    text_font = {"size": chart_theme.tick_size(font_size)}
    labelled = {"texttemplate": "%{text}", "textfont": text_font} if cell_labels else {}
    yes, no = _t(lang, "ต้องมี", "required"), _t(lang, "ไม่กำหนด", "not required")
    custom = np.empty((len(codes), len(keys), 5), dtype=object)
    for i, c in enumerate(codes):
        for j in range(len(keys)):
            custom[i, j] = [int(n[i, j]), _pct(z[i, j]), yes if req[i, j] else no, names.get(c, ""), _pct(na[i, j])]
    # Not assessed (no level given) is counted as not met: said apart, so a short form does not read as low skill.
    hover = (
        f"<b>%{{y}}</b> %{{customdata[3]}}<br>%{{x}}<br>n = %{{customdata[0]}}<br>"
        f"{_t(lang, 'ความครอบคลุม', 'coverage')} = %{{customdata[1]}}<br>"
        f"{_t(lang, 'ยังไม่ได้ประเมิน', 'not assessed')}: %{{customdata[4]}}<br>%{{customdata[2]}}<extra></extra>"
    )
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=xs,
            y=ylab,
            zmin=0,
            zmax=1,
            colorscale=COVERAGE_SCALE,
            customdata=custom,
            hovertemplate=hover,
            hoverongaps=False,
            name=_t(lang, "ความครอบคลุม", "coverage"),
            text=shown,
            **labelled,
            colorbar={"title": _t(lang, "ครอบคลุม", "Coverage"), "tickformat": ".0%", "thickness": 14},
        )
    )
    # Hidden cells: a grey layer whose hover says why and shows n only (never the value).
    # Hidden for privacy: grey; no respondents at all: a lighter grey (nothing to protect, nothing to show).
    hidden_z = np.where(pd.isna(hid), np.nan, np.where(hid == HIDDEN_EMPTY, 0.0, 1.0))
    reason = _hidden_reasons(lang, k)
    hcustom = np.empty((len(codes), len(keys), 2), dtype=object)
    for i in range(len(codes)):
        for j in range(len(keys)):
            hcustom[i, j] = [int(n[i, j]), reason.get(hid[i, j], "")]
    fig.add_trace(
        go.Heatmap(
            z=hidden_z,
            x=xs,
            y=ylab,
            zmin=0,
            zmax=1,
            colorscale=[[0, EMPTY], [1, GREY]],
            showscale=False,
            customdata=hcustom,
            hoverongaps=False,
            name=_t(lang, "ซ่อน", "hidden"),
            text=hidden_text,
            **({**labelled, "textfont": {**text_font, "color": "#333"}} if cell_labels else {}),
            hovertemplate="<b>%{y}</b><br>%{x}<br>n = %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        )
    )
    # Required cells: a dot in the middle of the cell, or "●" after the printed value (the trace is then
    # only the legend entry).
    ri, rj = np.nonzero(req) if not cell_labels else ((), ())
    fig.add_trace(
        go.Scatter(
            x=[xs[j] for j in rj] or [None],
            y=[ylab[i] for i in ri] or [None],
            mode="markers",
            hoverinfo="skip",
            showlegend=True,
            marker={"symbol": "circle", "size": 6, "color": "#1f1f1f"},
            name=_t(lang, "หน่วยที่บทบาทของคอลัมน์นี้กำหนดในระยะนี้", "required by this column's role profile at this stage"),
        )
    )
    # Legend entries for the grey cells (a heatmap has none of its own); drawn nowhere.
    for colour, when, label in (
        (
            GREY,
            (hid == HIDDEN_SMALL) | (hid == HIDDEN_POOLED),
            _t(lang, "ซ่อน", "hidden")
            + " ("
            + _t(lang, " หรือ ", ", or ").join(
                reason_label(r, lang, k) for r in (HIDDEN_SMALL, HIDDEN_POOLED) if (hid == r).any()
            )
            + ")",
        ),
        (EMPTY, hid == HIDDEN_EMPTY, reason_label(HIDDEN_EMPTY, lang, k)),
    ):
        if when.any():
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    hoverinfo="skip",
                    showlegend=True,
                    name=label,
                    marker={"symbol": "square", "size": 14, "color": colour, "line": {"color": "#888", "width": 1}},
                )
            )
    fig.update_layout(
        showlegend=True, legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.01, "yanchor": "top"}
    )
    ticks = [unit_tick(c, names.get(c)) for c in codes] if names_on_axis else codes
    return _unit_grid(
        fig,
        df,
        codes,
        xs,
        ticks,
        title or _t(lang, "ความครอบคลุมของหน่วยความสามารถ", "Coverage of units of capability"),
        font_size,
    )


def _unit_grid(
    fig: go.Figure, df: pd.DataFrame, codes: list, xs: list, ticks: list, title: str, font_size: int
) -> go.Figure:
    """The layout of a units x columns heatmap: lines between capability groups, rows in framework order,
    column labels on top, the theme."""
    # Lines between capability groups (codes are prefixed by their group).
    groups = df.drop_duplicates("code").set_index("code")["group_key"].reindex(codes).tolist()
    for i in range(1, len(codes)):
        if groups[i] != groups[i - 1]:
            fig.add_shape(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                yref="y",
                y0=i - 0.5,
                y1=i - 0.5,
                line={"color": "#333", "width": 1.5},
            )
    fig.update_yaxes(
        autorange="reversed",
        type="category",
        categoryorder="array",
        categoryarray=codes,
        tickvals=codes,
        ticktext=ticks,
        tickfont={"size": chart_theme.tick_size(font_size)},
        automargin=True,
    )
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=xs, side="top")
    fig = chart_theme.apply(
        fig,
        title,
        height=max(420, (font_size + 10) * len(codes) + 160 + _label_room(xs, font_size)),
        font_size=font_size,
    )
    # Column labels sit on top (long Thai names slanted): the margin grows to fit them (automargin) and the
    # title sits above them; no fixed empty band.
    fig.update_xaxes(tickangle=-30 if max(map(len, xs), default=0) > 12 else 0, automargin=True)
    fig.update_layout(title={"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 8}, "automargin": True})
    return fig


CHANGE_SCALE = "PuOr"  # diverging and colour-blind safe (orange = fell, purple = rose); centred on 0
MINUS = "\u2212"  # a true minus sign in the cell text ("−3")


def _points(v) -> str:
    """A change in percentage points as the cell prints it: "+7", "−3", "0"."""
    r = round(float(v))
    return f"+{r}" if r > 0 else (f"{MINUS}{-r}" if r < 0 else "0")


def coverage_change_heatmap(
    df: pd.DataFrame,
    lang: str = "th",
    labels: dict | None = None,
    unit_names: dict | None = None,
    title: str | None = None,
    font_size: int = BASE_SIZE,
    k: int | None = None,
) -> go.Figure:
    """Units (rows, framework order) x keys (columns): the change in coverage since the previous round, in points.

    `df` is framework.analysis.coverage_change (one stage): a change only where both rounds' cells are shown;
    any other cell is None in z and prints "—". A diverging scale centred on 0 (zmid); the hover gives both
    rounds' dates and respondents when the frame carries them. `k` goes into the hidden cells' reasons.
    """
    df = df.sort_values(["unit_ord"], kind="stable")
    codes = list(dict.fromkeys(df["code"]))
    keys = list(dict.fromkeys(df["key"]))
    xs = [key_tick(k, labels, lang) for k in keys]
    idx = pd.MultiIndex.from_product([codes, keys], names=["code", "key"])
    cell = df.set_index(["code", "key"]).reindex(idx)
    raw = cell["change"].to_numpy(dtype="float64").reshape(len(codes), len(keys))
    z = [[None if math.isnan(v) else float(v) for v in row] for row in raw]
    text = [[HIDDEN_TEXT if v is None else _points(v) for v in row] for row in z]
    names = unit_names or {}

    def col(name, default=""):
        values = cell[name] if name in cell else pd.Series(default, index=idx)
        return values.fillna(default).astype(str).to_numpy().reshape(len(codes), len(keys))

    rnd, prev, n, n_prev = col("round"), col("round_prev"), col("n", 0), col("n_prev", 0)
    dates = [[" + ".join(date_text(d, lang) for d in str(v).split("+") if d) for v in row] for row in rnd]
    prev_dates = [[" + ".join(date_text(d, lang) for d in str(v).split("+") if d) for v in row] for row in prev]
    custom = np.empty((len(codes), len(keys), 6), dtype=object)
    for i, c in enumerate(codes):
        for j in range(len(keys)):
            custom[i, j] = [names.get(c, ""), text[i][j], dates[i][j], prev_dates[i][j], n[i, j], n_prev[i, j]]
    hover = (
        f"<b>%{{y}}</b> %{{customdata[0]}}<br>%{{x}}<br>"
        f"{_t(lang, 'เปลี่ยนแปลง', 'change')} = %{{customdata[1]}} {_t(lang, 'จุด', 'pts')}<br>"
        f"{_t(lang, 'รอบนี้', 'this round')}: %{{customdata[2]}} (n = %{{customdata[4]}})<br>"
        f"{_t(lang, 'รอบก่อน', 'previous round')}: %{{customdata[3]}} (n = %{{customdata[5]}})<extra></extra>"
    )
    text_font = {"size": chart_theme.tick_size(font_size)}
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=xs,
            y=codes,
            zmid=0,
            colorscale=CHANGE_SCALE,
            customdata=custom,
            hovertemplate=hover,
            hoverongaps=False,
            text=text,
            texttemplate="%{text}",
            textfont=text_font,
            name=_t(lang, "เปลี่ยนแปลง", "change"),
            colorbar={"title": _t(lang, "จุด", "Points"), "thickness": 14},
        )
    )
    # Cells without a change (hidden in either round, or no previous round): grey, "—", the reason on hover.
    why = _hidden_reasons(lang, k)
    hid = col("hidden")
    gap = [[1.0 if v is None else None for v in row] for row in z]
    reasons = [[why.get(hid[i, j], "") for j in range(len(keys))] for i in range(len(codes))]
    fig.add_trace(
        go.Heatmap(
            z=gap,
            x=xs,
            y=codes,
            zmin=0,
            zmax=1,
            colorscale=[[0, GREY], [1, GREY]],
            showscale=False,
            customdata=reasons,
            hoverongaps=False,
            text=[[HIDDEN_TEXT if g else "" for g in row] for row in gap],
            texttemplate="%{text}",
            textfont={**text_font, "color": "#333"},
            name=_t(lang, "ซ่อน", "hidden"),
            hovertemplate="<b>%{y}</b><br>%{x}<br>%{customdata}<extra></extra>",
        )
    )
    return _unit_grid(
        fig,
        df,
        codes,
        xs,
        [unit_tick(c, names.get(c)) for c in codes],
        title
        or _t(lang, "การเปลี่ยนแปลงของความครอบคลุมจากรอบก่อน (จุด)", "Change in coverage since the previous round (points)"),
        font_size,
    )


def _label_room(xs: list[str], font_size: int) -> int:
    """Height the slanted column labels take on top (sin 30° of the longest label's width)."""
    longest = max(map(len, xs), default=0)
    return int(0.5 * longest * font_size * 0.6) if longest > 12 else font_size + 10


def _labels_above(fig: go.Figure, ys: list, labels: list, row: int, font_size: int) -> None:
    """Each horizontal bar's label on a line above the bar (not on the axis): the bars keep the width."""
    for y, label in zip(ys, labels):
        fig.add_annotation(
            x=0,
            y=y,
            xref="x",
            yref="y",
            text=label,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            yshift=row * BAR_WIDTH / 2,
            font={"size": font_size},
        )


# A horizontal legend at the bottom of the figure (container coordinates: plotly reserves its height as
# margin below the x axis title), so the plot keeps the full width on a phone and nothing sits on the title.
LEGEND_BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0, "yanchor": "bottom"}


def trend_lines(
    df: pd.DataFrame,
    value: str = "readiness",
    lang: str = "th",
    labels: dict | None = None,
    title: str | None = None,
    font_size: int = BASE_SIZE,
) -> go.Figure:
    """A value (readiness or coverage) per round (x) and key (one line each); hidden points are gaps."""
    fig = go.Figure()
    rounds = sorted(df["round"].unique())
    for key in dict.fromkeys(df["key"]):
        g = df[df["key"] == key].set_index("round").reindex(rounds)
        if g["n"].fillna(0).sum() == 0:
            continue
        name = key_tick(key, labels, lang)
        custom = [[int(n) if not pd.isna(n) else 0, _pct(v)] for n, v in zip(g["n"], g[value])]
        fig.add_trace(
            go.Scatter(
                x=rounds,
                y=g[value].to_numpy(dtype="float64"),
                mode="lines+markers",
                name=name,
                customdata=custom,
                line={"width": 4 if key == TOTAL_KEY else 2},
                connectgaps=False,
                hovertemplate=f"<b>{name}</b> · %{{x}}<br>n = %{{customdata[0]}}<br>%{{customdata[1]}}<extra></extra>",
            )
        )
    label = _t(lang, "ความพร้อม", "Readiness") if value == "readiness" else _t(lang, "ความครอบคลุม", "Coverage")
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%", title=label)
    fig.update_xaxes(
        type="category", categoryorder="array", categoryarray=rounds, title=_t(lang, "รอบสำรวจ", "Survey round")
    )
    fig = chart_theme.apply(fig, title or label, height=480, font_size=font_size)
    return fig.update_layout(legend=LEGEND_BELOW)


def training_needs_bar(
    needs: pd.DataFrame,
    lang: str = "th",
    top: int | None = 10,
    title: str | None = None,
    font_size: int = BASE_SIZE,
    subtitle: str | None = None,
) -> go.Figure:
    """The units with the most staff to develop, as stacked horizontal bars (below the threshold + not assessed).

    As blockers_bar, each unit's label ("code · short name") is on a line above its bar, so the bars keep the
    width on a phone; the axis keeps the labels as (hidden) tick text. `subtitle` goes on a line under the title.

    `needs` is the suppressed frame from framework.analysis.training_needs; only unit totals that are shown
    are drawn (a hidden total has no value to draw), largest first, at most `top` of them.
    """
    df = needs[needs["is_total"].astype(bool)] if "is_total" in needs.columns else needs
    df = df[df["hidden"].isna() & (df["not_met_n"] > 0)]
    df = df.sort_values(["not_met_n", "unit_ord"], ascending=[False, True], kind="stable")
    if top is not None:
        df = df.head(top)
    name = "name_en" if lang == "en" else "name_th"
    ys = list(df["code"])
    ticks = [f"{c} · {_short(t)}" for c, t in zip(df["code"], df[name])]
    below = (df["not_met_n"] - df["not_assessed_n"]).astype(int)
    unassessed = df["not_assessed_n"].astype(int)
    custom = [
        [int(r), int(m), _pct(s), int(a), t]
        for r, m, s, a, t in zip(df["required_n"], df["not_met_n"], df["share_not_met"], df["not_assessed_n"], df[name])
    ]
    hover = (
        f"<b>%{{y}}</b> %{{customdata[4]}}<br>"
        f"{_t(lang, 'ต้องพัฒนา', 'to develop')} = %{{customdata[1]:,}} / %{{customdata[0]:,}} (%{{customdata[2]}})<br>"
        f"{_t(lang, 'ยังไม่ได้ประเมิน', 'not assessed')} = %{{customdata[3]:,}}<extra></extra>"
    )
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=below,
            y=ys,
            orientation="h",
            customdata=custom,
            hovertemplate=hover,
            marker_color="#d73027",
            width=BAR_WIDTH,
            name=_t(lang, "ประเมินแล้วต่ำกว่าเกณฑ์", "assessed below the threshold"),
        )
    )
    fig.add_trace(
        go.Bar(
            x=unassessed,
            y=ys,
            orientation="h",
            customdata=custom,
            hovertemplate=hover,
            marker_color="#fc8d59",
            width=BAR_WIDTH,
            name=_t(lang, "ยังไม่ได้ประเมิน", "not assessed"),
            text=[f"{int(m):,} ({_pct(s)})" for m, s in zip(df["not_met_n"], df["share_not_met"])],
            textposition="outside",
            cliponaxis=False,
        )
    )
    # Legend above the bars (clear of the axis ticks); room on the right for the outside labels.
    fig.update_layout(barmode="stack")
    top_value = float(df["not_met_n"].max()) if len(df) else 1.0
    fig.update_xaxes(
        title=_t(lang, "จำนวนบุคลากรที่ต้องพัฒนา (คน)", "Staff to develop (people)"), range=[0, top_value * 1.22]
    )
    fig.update_yaxes(
        autorange="reversed", type="category", tickvals=ys, ticktext=ticks, showticklabels=False, fixedrange=True
    )
    row = 2 * font_size + 40  # px per unit: the label line, then the bar
    _labels_above(fig, ys, [unit_tick(c, t, BAR_LABEL_CHARS) for c, t in zip(df["code"], df[name])], row, font_size)
    fig = chart_theme.apply(
        fig,
        title or _t(lang, "หน่วยความสามารถที่มีผู้ต้องพัฒนามากที่สุด", "Units with the most staff to develop"),
        height=max(260, row * len(df) + 200),
        font_size=font_size,
    )
    if subtitle:
        fig.update_layout(
            margin={"t": 70 + font_size * 2},
            title_subtitle={"text": subtitle, "font": {"size": chart_theme.tick_size(font_size) + 1, "color": "#555"}},
        )
    # Legend under the chart (never under the title); a right margin wide enough for "2,037 (45%)" at the
    # end of the longest bar.
    return fig.update_layout(legend=LEGEND_BELOW, margin={"r": 6 * font_size})
