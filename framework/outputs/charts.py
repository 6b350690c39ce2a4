"""Plotly builders for the framework views (requirement heatmaps, profile counts, readiness path)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from framework.catalog.profiles import ADDED, DROPPED, FIRST, KEPT, requirement_pivot
from framework.outputs import chart_theme
from framework.outputs.chart_theme import BASE_SIZE
from framework.text import pick as _tr

REQUIRED_COLOUR = "#1f4e8c"
EMPTY_COLOUR = "#eef1f5"
STATUS_STYLE = {  # status -> (marker symbol, colour)
    FIRST: ("circle", "#1f4e8c"),
    KEPT: ("circle", "#1f4e8c"),
    ADDED: ("star", "#2d8a3e"),
    DROPPED: ("x-thin-open", "#c0392b"),
}


def requirement_heatmap(
    matrix_df: pd.DataFrame,
    stage: str,
    lang: str,
    labels: dict[str, str] | None = None,
    compact: bool = False,
    font_size: int = BASE_SIZE,
) -> go.Figure:
    """Units (rows, framework order) x staff groups (columns) of one stage: 1 = the profile requires the unit.

    `matrix_df` is Catalog.requirement_matrix(); `labels` maps stage / staff group / capability group keys to
    display names in `lang` (keys are shown when absent). `compact` (three panels side by side) titles a panel
    with the stage name only and uses smaller column labels; `font_size` grows for presentation mode.
    """
    labels = labels or {}
    pv = requirement_pivot(matrix_df, stage)
    units = matrix_df.drop_duplicates("unit_code").set_index("unit_code").loc[pv.index]
    name = (
        units["name_en"].where(units["name_en"].fillna("").str.strip() != "", units["name_th"])
        if lang == "en"
        else units["name_th"]
    )
    cols = [labels.get(g, g) for g in pv.columns]
    yes, no = _tr(lang, "ต้องมี", "Required"), _tr(lang, "ไม่กำหนด", "Not required")
    hover = [
        [f"<b>{code}</b> {name[code]}<br>{labels.get(g, g)}: {yes if pv.at[code, g] else no}" for g in pv.columns]
        for code in pv.index
    ]
    fig = go.Figure(
        go.Heatmap(
            z=pv.to_numpy().tolist(),
            x=cols,
            y=list(pv.index),
            text=hover,
            hoverinfo="text",
            colorscale=[[0, EMPTY_COLOUR], [1, REQUIRED_COLOUR]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=2,
            ygap=1,
            hovertemplate="%{text}<extra></extra>",
        )
    )
    # Capability-group bands: a line between groups and the group key beside each band (right-hand side).
    group_of = units["group_key"]
    starts = [i for i, code in enumerate(pv.index) if i == 0 or group_of[code] != group_of[pv.index[i - 1]]]
    for i in starts[1:]:
        fig.add_shape(
            type="line",
            xref="paper",
            x0=0,
            x1=1,
            yref="y",
            y0=i - 0.5,
            y1=i - 0.5,
            line={"color": "#555", "width": 1.5},
        )
    for start, end in zip(starts, starts[1:] + [len(pv.index)]):
        key = group_of[pv.index[start]]
        fig.add_annotation(
            x=1,
            xref="paper",
            xanchor="left",
            xshift=4,
            y=(start + end - 1) / 2,
            yref="y",
            text=f"<b>{key}</b>",
            showarrow=False,
            hovertext=labels.get(key, key),
            font={"size": font_size - 2, "color": "#12335e"},
        )
    tick = chart_theme.tick_size(font_size)
    fig.update_yaxes(autorange="reversed", tickfont={"size": tick}, title=None)
    # Upright labels never overlap however narrow the panel and take no width from the cells (long Thai
    # staff-group names); automargin keeps every label inside the figure.
    fig.update_xaxes(
        side="top",
        tickangle=-90,
        automargin=True,
        ticklabelstandoff=4,
        tickfont={"size": tick if compact else font_size},
    )
    title = (
        labels.get(stage, stage)
        if compact
        else _tr(lang, "หน่วยความสามารถที่ต้องมี", "Required units") + f" · {labels.get(stage, stage)}"
    )
    fig = chart_theme.apply(fig, title, height=max(420, 22 * len(pv.index) + 200), font_size=font_size)
    # The title is drawn as the top axis's title: automargin then stacks it above the upright column labels
    # (a layout title would sit in the same margin and collide with the longest label).
    fig.update_xaxes(
        title={
            "text": f"<b>{title}</b>",
            "standoff": 10,
            "font": {"size": chart_theme.title_size(font_size), "color": "#1b1b1b"},
        }
    )
    fig.update_layout(title={"text": ""}, margin={"t": 10, "r": 12 + 4 * font_size})
    return fig


def profile_count_matrix(
    counts_df: pd.DataFrame, lang: str, labels: dict[str, str] | None = None, font_size: int = BASE_SIZE
) -> go.Figure:
    """Staff group (rows) x stage (columns) heatmap of the number of required units (Catalog.profile_unit_counts()).

    Staff groups are rows so their long Thai names read horizontally; stages are the three short columns.
    """
    labels = labels or {}
    df = counts_df.sort_values(["group_ord", "stage_ord"])
    groups = list(dict.fromkeys(df["staff_group"]))
    stages = list(dict.fromkeys(counts_df.sort_values("stage_ord")["stage"]))
    pv = df.pivot(index="staff_group", columns="stage", values="units").loc[groups, stages]
    unit_word = _tr(lang, "หน่วย", "units")
    hover = [
        [f"{labels.get(s, s)} · {labels.get(g, g)}: {int(pv.at[g, s])} {unit_word}" for s in stages] for g in groups
    ]
    fig = go.Figure(
        go.Heatmap(
            z=pv.to_numpy().tolist(),
            x=[labels.get(s, s) for s in stages],
            y=[labels.get(g, g) for g in groups],
            text=pv.to_numpy().tolist(),
            texttemplate="%{text}",
            textfont={"size": font_size + 4},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale="Blues",
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    fig.update_yaxes(autorange="reversed", title=None, automargin=True)
    # Stage labels below the cells: if a narrow panel makes them tilt they still cannot run into the title.
    fig.update_xaxes(side="bottom", title=None, automargin=True)
    fig = chart_theme.apply(
        fig,
        _tr(lang, "จำนวนหน่วยที่ต้องมี (กลุ่มบุคลากร × ระยะ)", "Required units (staff group × stage)"),
        height=420 + 6 * (font_size - BASE_SIZE),
        font_size=font_size,
    )
    return fig


def status_label(status: str, lang: str) -> str:
    """Legend text of a unit status on the readiness path."""
    return {
        FIRST: _tr(lang, "ต้องมี", "Required"),
        KEPT: _tr(lang, "ต้องมีต่อเนื่อง", "Still required"),
        ADDED: _tr(lang, "เพิ่มใหม่", "Added"),
        DROPPED: _tr(lang, "ไม่ต้องมีแล้ว", "Dropped"),
    }[status]


def pathway_chart(
    path_units: pd.DataFrame,
    lang: str,
    labels: dict[str, str] | None = None,
    title: str | None = None,
    font_size: int = BASE_SIZE,
) -> go.Figure:
    """Dot path of one staff group: every unit it ever requires (rows) at Early, Developing, Mature (columns).

    `path_units` is catalog.profiles.pathway(...).units; a star marks a unit added at that stage, a red cross
    a unit dropped (the document's stages are not nested). "Required" and "still required" share one
    legend entry (same marker) so the legend reads as three symbols.
    """
    labels = labels or {}
    order = path_units.drop_duplicates("code").sort_values("unit_ord")
    codes = order["code"].tolist()
    name = dict(
        zip(
            order["code"],
            [
                (r.name_en if lang == "en" and isinstance(r.name_en, str) and r.name_en.strip() else r.name_th)
                for r in order.itertuples()
            ],
        )
    )
    stages = path_units.drop_duplicates("stage").sort_values("stage_ord")["stage"].tolist()
    xs = [labels.get(s, s) for s in stages]
    fig = go.Figure()
    # Faint line through each unit's stages so a row reads as one path.
    for code in codes:
        part = path_units[(path_units["code"] == code) & (path_units["status"] != DROPPED)]
        fig.add_trace(
            go.Scatter(
                x=[labels.get(s, s) for s in part["stage"]],
                y=[code] * len(part),
                mode="lines",
                line={"color": "#b8c6db", "width": 3},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    for status in (FIRST, KEPT, ADDED, DROPPED):
        part = path_units[path_units["status"] == status]
        if part.empty:
            continue
        symbol, colour = STATUS_STYLE[status]
        required = status in (FIRST, KEPT)
        fig.add_trace(
            go.Scatter(
                x=[labels.get(s, s) for s in part["stage"]],
                y=part["code"].tolist(),
                mode="markers",
                name=status_label(status, lang),
                legendgroup="required" if required else status,
                showlegend=status != KEPT,
                marker={
                    "symbol": symbol,
                    "color": colour,
                    "size": font_size + 1,
                    "line": {"width": 2.5, "color": colour},
                },
                customdata=[
                    f"<b>{c}</b> {name[c]}<br>{labels.get(s, s)}: {status_label(status, lang)}"
                    for c, s in zip(part["code"], part["stage"])
                ],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=codes,
        autorange="reversed",
        title=None,
        showgrid=True,
        gridcolor="#f0f0f0",
        tickfont={"size": font_size - 2},
    )
    # Stage names are the column heads of the path: large and dark, readable from the back of a room.
    fig.update_xaxes(
        categoryorder="array",
        categoryarray=xs,
        side="top",
        title=None,
        automargin=True,
        tickfont={"size": font_size + 2, "color": "#12335e"},
    )
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0, "font": {"size": font_size}})
    title = title or _tr(lang, "เส้นทางหน่วยความสามารถ", "Path of the units")
    return chart_theme.apply(fig, title, height=max(420, (font_size + 10) * len(codes) + 160), font_size=font_size)
