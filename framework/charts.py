"""Plotly builders for the framework views (requirement heatmaps, profile counts, readiness path)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from framework.profiles_view import ADDED, DROPPED, FIRST, KEPT, requirement_pivot

# Loma/Garuda come with fonts-thai-tlwg; Sarabun / Noto Sans Thai where installed.
FONT_FAMILY = "Sarabun, Noto Sans Thai, Loma, Garuda, Tahoma, sans-serif"
REQUIRED_COLOUR = "#1f4e8c"
EMPTY_COLOUR = "#eef1f5"
STATUS_STYLE = {  # status -> (marker symbol, colour)
    FIRST: ("circle", "#1f4e8c"),
    KEPT: ("circle", "#1f4e8c"),
    ADDED: ("star", "#2d8a3e"),
    DROPPED: ("x-thin-open", "#c0392b"),
}


def _tr(lang: str, th: str, en: str) -> str:
    return en if lang == "en" else th


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"}, height=height,
                      font={"family": FONT_FAMILY, "size": 14}, margin={"l": 10, "r": 10, "t": 60, "b": 10},
                      paper_bgcolor="white", plot_bgcolor="white",
                      hoverlabel={"font": {"family": FONT_FAMILY, "size": 14}})
    return fig


def requirement_heatmap(matrix_df: pd.DataFrame, stage: str, lang: str,
                        labels: dict[str, str] | None = None) -> go.Figure:
    """Units (rows, framework order) x staff groups (columns) of one stage: 1 = the profile requires the unit.

    `matrix_df` is Catalog.requirement_matrix(); `labels` maps stage / staff group / capability group keys to
    display names in `lang` (keys are shown when absent).
    """
    labels = labels or {}
    pv = requirement_pivot(matrix_df, stage)
    units = matrix_df.drop_duplicates("unit_code").set_index("unit_code").loc[pv.index]
    name = units["name_en"].where(units["name_en"].fillna("").str.strip() != "", units["name_th"]) \
        if lang == "en" else units["name_th"]
    cols = [labels.get(g, g) for g in pv.columns]
    yes, no = _tr(lang, "ต้องมี", "Required"), _tr(lang, "ไม่กำหนด", "Not required")
    hover = [[f"<b>{code}</b> {name[code]}<br>{labels.get(g, g)}: {yes if pv.at[code, g] else no}"
              for g in pv.columns] for code in pv.index]
    fig = go.Figure(go.Heatmap(
        z=pv.to_numpy().tolist(), x=cols, y=list(pv.index), text=hover, hoverinfo="text",
        colorscale=[[0, EMPTY_COLOUR], [1, REQUIRED_COLOUR]], zmin=0, zmax=1, showscale=False,
        xgap=2, ygap=1, hovertemplate="%{text}<extra></extra>",
    ))
    # Capability-group bands: a line between groups and the group name at the first unit of each group.
    group_of = units["group_key"]
    starts = [i for i, code in enumerate(pv.index) if i == 0 or group_of[code] != group_of[pv.index[i - 1]]]
    for i in starts[1:]:
        fig.add_shape(type="line", xref="paper", x0=0, x1=1, yref="y", y0=i - 0.5, y1=i - 0.5,
                      line={"color": "#555", "width": 1.5})
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11}, title=None)
    fig.update_xaxes(side="top", tickangle=-35, title=None)
    title = _tr(lang, "หน่วยความสามารถที่ต้องมี", "Required units") + f" · {labels.get(stage, stage)}"
    fig = _layout(fig, title, height=max(420, 22 * len(pv.index) + 200))
    fig.update_layout(margin={"t": 170})
    return fig


def profile_count_matrix(counts_df: pd.DataFrame, lang: str, labels: dict[str, str] | None = None) -> go.Figure:
    """Stage (rows) x staff group (columns) heatmap of the number of required units (Catalog.profile_unit_counts())."""
    labels = labels or {}
    df = counts_df.sort_values(["stage_ord", "group_ord"])
    stages = list(dict.fromkeys(df["stage"]))
    groups = list(dict.fromkeys(df["staff_group"]))
    pv = df.pivot(index="stage", columns="staff_group", values="units").loc[stages, groups]
    unit_word = _tr(lang, "หน่วย", "units")
    hover = [[f"{labels.get(s, s)} · {labels.get(g, g)}: {int(pv.at[s, g])} {unit_word}" for g in groups]
             for s in stages]
    fig = go.Figure(go.Heatmap(
        z=pv.to_numpy().tolist(), x=[labels.get(g, g) for g in groups], y=[labels.get(s, s) for s in stages],
        text=pv.to_numpy().tolist(), texttemplate="%{text}", textfont={"size": 18},
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        colorscale="Blues", showscale=False, xgap=3, ygap=3,
    ))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(side="bottom", tickangle=-35, title=None, automargin=True)
    return _layout(fig, _tr(lang, "จำนวนหน่วยที่ต้องมี (ระยะ × กลุ่มบุคลากร)",
                            "Required units (stage × staff group)"), height=400)


def status_label(status: str, lang: str) -> str:
    """Legend text of a unit status on the readiness path."""
    return {
        FIRST: _tr(lang, "ต้องมี", "Required"),
        KEPT: _tr(lang, "ต้องมีต่อเนื่อง", "Still required"),
        ADDED: _tr(lang, "เพิ่มใหม่", "Added"),
        DROPPED: _tr(lang, "ไม่ต้องมีแล้ว", "Dropped"),
    }[status]


def pathway_chart(path_units: pd.DataFrame, lang: str, labels: dict[str, str] | None = None,
                  title: str | None = None) -> go.Figure:
    """Dot path of one staff group: every unit it ever requires (rows) at Early, Developing, Mature (columns).

    `path_units` is profiles_view.pathway(...).units; a star marks a unit added at that stage, a red cross
    a unit dropped (the document's stages are not nested).
    """
    labels = labels or {}
    order = path_units.drop_duplicates("code").sort_values("unit_ord")
    codes = order["code"].tolist()
    name = dict(zip(order["code"], [
        (r.name_en if lang == "en" and isinstance(r.name_en, str) and r.name_en.strip() else r.name_th)
        for r in order.itertuples()]))
    stages = path_units.drop_duplicates("stage").sort_values("stage_ord")["stage"].tolist()
    xs = [labels.get(s, s) for s in stages]
    fig = go.Figure()
    # Faint line through each unit's stages so a row reads as one path.
    for code in codes:
        part = path_units[(path_units["code"] == code) & (path_units["status"] != DROPPED)]
        fig.add_trace(go.Scatter(x=[labels.get(s, s) for s in part["stage"]], y=[code] * len(part),
                                 mode="lines", line={"color": "#b8c6db", "width": 3},
                                 hoverinfo="skip", showlegend=False))
    for status in (FIRST, KEPT, ADDED, DROPPED):
        part = path_units[path_units["status"] == status]
        if part.empty:
            continue
        symbol, colour = STATUS_STYLE[status]
        fig.add_trace(go.Scatter(
            x=[labels.get(s, s) for s in part["stage"]], y=part["code"].tolist(), mode="markers",
            name=status_label(status, lang), marker={"symbol": symbol, "color": colour, "size": 15,
                                                     "line": {"width": 2.5, "color": colour}},
            customdata=[f"<b>{c}</b> {name[c]}<br>{labels.get(s, s)}: {status_label(status, lang)}"
                        for c, s in zip(part["code"], part["stage"])],
            hovertemplate="%{customdata}<extra></extra>",
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=codes, autorange="reversed", title=None,
                     showgrid=True, gridcolor="#f0f0f0")
    fig.update_xaxes(categoryorder="array", categoryarray=xs, side="top", title=None)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0})
    title = title or _tr(lang, "เส้นทางหน่วยความสามารถ", "Path of the units")
    return _layout(fig, title, height=max(420, 24 * len(codes) + 160))
