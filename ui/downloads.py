"""Download buttons for a table or a chart, drawn the same way on every page."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ui.shell import tr


def _stem(view: str, filters: dict | None) -> str:
    parts = [view] + [f"{k}-{v}" for k, v in (filters or {}).items() if v not in (None, "", [])]
    return "_".join(str(p).replace(" ", "-").replace("/", "-") for p in parts) + "_" + dt.date.today().isoformat()


def table_downloads(df: pd.DataFrame, view: str, filters: dict | None = None, *, key: str) -> None:
    """CSV (UTF-8 with BOM, so Excel shows Thai) of the table as filtered on screen."""
    data = df.to_csv(index=False).encode("utf-8-sig")
    st.download_button(tr("ดาวน์โหลด CSV", "Download CSV"), data, file_name=_stem(view, filters) + ".csv",
                       mime="text/csv", key=f"{key}_csv", icon=":material/download:")


def chart_downloads(fig, view: str, filters: dict | None = None, *, key: str) -> None:
    """Standalone HTML of a plotly figure."""
    html = fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
    st.download_button(tr("ดาวน์โหลด HTML", "Download HTML"), html, file_name=_stem(view, filters) + ".html",
                       mime="text/html", key=f"{key}_html", icon=":material/download:")
