"""Download buttons for a table or a chart, drawn the same way on every page.

Files are made only when the user clicks (Streamlit deferred downloads), so a rerun never pays for
an XLSX or a PNG nobody asked for. framework.export writes the bytes; this module only wires buttons.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from framework import export
from ui.shell import tr

# Keys of a filters dict that are analysis settings (stated in the settings sheet), not row filters.
SETTING_KEYS = ("threshold", "min_cell")
TABLE_LABELS = {"csv": ("CSV", "CSV"), "xlsx": ("Excel", "Excel"), "parquet": ("Parquet", "Parquet")}


def _meta() -> dict:
    """Framework version and circular for the settings sheet (empty if the catalogue cannot be read)."""
    try:
        from ui.shell import catalog
        return catalog().meta()
    except Exception:  # an export must not fail because the version could not be read
        return {}


def _name_filters(filters: dict | None) -> dict:
    """Filters as they appear in a file name: empty values and switched-off options left out."""
    return {k: v for k, v in (filters or {}).items() if v is not False and not export._empty(v)}


def _settings_args(filters: dict | None, threshold, min_cell) -> tuple[dict, object, object]:
    f = dict(filters or {})
    threshold = threshold if threshold is not None else f.get("threshold")
    min_cell = min_cell if min_cell is not None else f.get("min_cell")
    rows = {k: v for k, v in f.items() if k not in SETTING_KEYS}
    return rows, threshold, min_cell


def _with_index(df: pd.DataFrame) -> pd.DataFrame:
    """Keep a meaningful index (a pivot's row labels) as columns; drop a plain 0..n-1 index."""
    if isinstance(df.index, pd.RangeIndex) and df.index.name is None:
        return df
    return df.reset_index()


def table_files(df: pd.DataFrame, view: str, filters: dict | None = None, *, threshold=None, min_cell=None,
                sheets: dict[str, pd.DataFrame] | None = None) -> dict[str, tuple[str, str, object]]:
    """format -> (file name, mime, callable making the bytes at click time)."""
    df = _with_index(df)
    rows, threshold, min_cell = _settings_args(filters, threshold, min_cell)
    names = _name_filters(filters)

    def maker(fmt: str):
        def make() -> bytes:
            s = export.settings(_meta(), view, rows, threshold=threshold, min_cell=min_cell)
            return export.table_bytes(fmt, df, s, extra=sheets)
        return make

    return {fmt: (export.filename(view, names, fmt), export.MIME[fmt], maker(fmt)) for fmt in export.FORMATS}


def table_downloads(df: pd.DataFrame, view: str, filters: dict | None = None, *, key: str,
                    threshold=None, min_cell=None, sheets: dict[str, pd.DataFrame] | None = None) -> None:
    """CSV (UTF-8 BOM), Excel (+ settings sheet) and Parquet of the table as filtered on screen.

    `filters` may carry `threshold` and `min_cell` (as analysis.Filters.as_dict() does); they go to the
    settings sheet. Pass already-suppressed frames: nothing is recomputed here.
    """
    files = table_files(df, view, filters, threshold=threshold, min_cell=min_cell, sheets=sheets)
    with st.container(horizontal=True, gap="small", key=f"{key}_downloads"):
        for fmt, (name, mime, make) in files.items():
            th, en = TABLE_LABELS[fmt]
            st.download_button(tr(f"ดาวน์โหลด {th}", f"Download {en}"), make, file_name=name, mime=mime,
                               key=f"{key}_{fmt}", icon=":material/download:", on_click="ignore",
                               help=tr(f"ไฟล์ {name} ({len(df):,} แถว)", f"File {name} ({len(df):,} rows)"))


def chart_files(fig, view: str, filters: dict | None = None) -> dict[str, tuple[str, str, object]]:
    """format -> (file name, mime, callable): PNG is rendered (1-3 s) only when clicked.

    The HTML states the view, filters and settings under the chart (as the XLSX settings sheet does).
    """
    names = _name_filters(filters)
    rows, threshold, min_cell = _settings_args(filters, None, None)

    def html() -> bytes:
        return export.chart_html(fig, export.settings(_meta(), view, rows, threshold=threshold, min_cell=min_cell))

    return {
        "png": (export.filename(view, names, "png"), export.MIME["png"], lambda: export.chart_png(fig)),
        "html": (export.filename(view, names, "html"), export.MIME["html"], html),
    }


def chart_downloads(fig, view: str, filters: dict | None = None, *, key: str) -> None:
    """PNG (Thai rendered by chromium) and standalone offline HTML of a plotly figure."""
    files = chart_files(fig, view, filters)
    labels = {"png": ("ดาวน์โหลดภาพ PNG", "Download PNG"), "html": ("ดาวน์โหลด HTML", "Download HTML")}
    helps = {"png": ("สร้างภาพเมื่อกด (ใช้เวลา 1-3 วินาที)", "Rendered when clicked (takes 1-3 s)"),
             "html": ("เปิดได้แบบออฟไลน์ โต้ตอบได้", "Opens offline, stays interactive")}
    with st.container(horizontal=True, gap="small", key=f"{key}_downloads"):
        for fmt, (name, mime, make) in files.items():
            st.download_button(tr(*labels[fmt]), make, file_name=name, mime=mime, key=f"{key}_{fmt}",
                               icon=":material/image:" if fmt == "png" else ":material/download:",
                               on_click="ignore", help=tr(*helps[fmt]) + f" · {name}")
