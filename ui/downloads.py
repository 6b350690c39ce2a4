"""Download buttons for a table or a chart, drawn the same way on every page.

Files are made only when the user clicks (Streamlit deferred downloads), so a rerun never pays for
an XLSX or a PNG nobody asked for. framework.outputs.export writes the bytes; this module only wires buttons.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from framework.outputs import chart_caption, export, figure_files
from framework.text import md
from ui.shell import catalog, lang, tr

# Keys of a filters dict that are analysis settings (stated in the settings sheet), not row filters.
SETTING_KEYS = ("threshold", "min_cell")
# The CSV comes zipped with its settings file: the button says so.
TABLE_LABELS = {
    "csv": ("CSV (ไฟล์ ZIP)", "CSV (ZIP file)"),
    "xlsx": ("Excel", "Excel"),
    "parquet": ("Parquet", "Parquet"),
}


@st.cache_data(show_spinner=False)
def _catalog_meta() -> dict:
    """The catalogue's meta row, read once (the framework tables do not change while the app runs)."""
    return catalog().meta()


def _meta() -> dict:
    """Framework version and circular for the settings sheet (empty if the catalogue cannot be read)."""
    try:
        return _catalog_meta()
    except Exception:  # noqa: BLE001 - an export must not fail because the version could not be read
        return {}


def _help_filters(filters: dict | None) -> str:
    """The filters as `key-value` parts for a button's help text (the short file name no longer lists them)."""
    return " · ".join(export.filter_parts({k: v for k, v in (filters or {}).items() if v is not False}))


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


def _unit_names(language: str) -> dict:
    """Unit code -> name in the page language, for the "as shown" form (empty if unreadable)."""
    try:
        units = catalog().units()
        return dict(zip(units["code"], units["name_en" if language == "en" else "name_th"]))
    except Exception:  # noqa: BLE001 - an export must not fail because the names could not be read
        return {}


def _key_labels(language: str) -> dict:
    """Staff-group and stage keys -> names in the page language, and the total column, as the screen says."""
    col = "name_en" if language == "en" else "name_th"
    out = {"(all)": "All" if language == "en" else "ทั้งหมด"}
    try:
        cat = catalog()
        for table in (cat.staff_groups(), cat.stages()):
            out.update(zip(table["key"], table[col]))
    except Exception:  # noqa: BLE001, S110 - an export must not fail because the names could not be read
        pass
    return out


def _has_shown_form(df: pd.DataFrame) -> bool:
    """Offer "as shown" only where it differs from the data: a grid to widen or shares to format."""
    return bool(export.percent_columns(df))


def table_files(
    df: pd.DataFrame,
    view: str,
    filters: dict | None = None,
    *,
    threshold=None,
    min_cell=None,
    sheets: dict[str, pd.DataFrame] | None = None,
    labels: dict | None = None,
    on_export=None,
) -> dict[str, tuple[str, str, object]]:
    """button suffix -> (file name, mime, callable making the bytes at click time).

    Suffixes `csv`, `xlsx`, `parquet` are the data form; `shown_csv`, `shown_xlsx` the "as shown" form
    (offered when the table has shares). Names: export.export_name() (view, round, settings hash).
    `on_export(file_name)` runs when a file is made (a row-level export's audit line: shell.export_recorder).
    """
    df = _with_index(df)
    rows, threshold, min_cell = _settings_args(filters, threshold, min_cell)
    meta, language = _meta(), lang()  # read now: the click runs outside the page's session
    forms = [("data", fmt) for fmt in export.FORMATS]
    if _has_shown_form(df):
        forms += [("shown", fmt) for fmt in export.SHOWN_FORMATS]
    out = {}
    for form, fmt in forms:
        s = export.settings(meta, view, rows, threshold=threshold, min_cell=min_cell, form=form)

        ext = export.EXTENSIONS[fmt]
        name = export.export_name(s, ext)

        def make(form=form, fmt=fmt, s=s, name=name) -> bytes:
            if on_export is not None:
                on_export(name)
            if form == "shown":
                names = {**_key_labels(language), **(labels or {})}
                table = export.shown_form(df, _unit_names(language), names, language)
            else:
                table = df
            return export.file_bytes(fmt, table, export.restamp(s), sheets, form=form)

        out[fmt if form == "data" else f"shown_{fmt}"] = (name, export.MIME[ext], make)
    return out


TABLE_HELP = {
    "csv": ("ZIP: data.csv (ข้อมูลแบบยาว) + การตั้งค่า", "ZIP: data.csv (long form) + settings"),
    "xlsx": ("ข้อมูลแบบยาว + แผ่นการตั้งค่า", "Long form + settings sheet"),
    "parquet": ("ข้อมูลแบบยาว การตั้งค่าอยู่ใน metadata", "Long form, settings in the file metadata"),
    "shown_csv": ("ZIP: ตารางตามที่แสดง (แบบกว้าง) + การตั้งค่า", "ZIP: table as shown (wide) + settings"),
    "shown_xlsx": ("ตารางตามที่แสดง (แบบกว้าง) + แผ่นการตั้งค่า", "Table as shown (wide) + settings sheet"),
}


def _label(suffix: str) -> str:
    form, _, fmt = suffix.rpartition("_")
    th, en = TABLE_LABELS[fmt]
    if form:
        return tr(f"ดาวน์โหลด {th} (ตามที่แสดง)", f"Download {en} (as shown)")
    return tr(f"ดาวน์โหลด {th}", f"Download {en}")


def table_downloads(
    df: pd.DataFrame,
    view: str,
    filters: dict | None = None,
    *,
    key: str,
    threshold=None,
    min_cell=None,
    sheets: dict[str, pd.DataFrame] | None = None,
    labels: dict | None = None,
    on_export=None,
) -> None:
    """The table as data (CSV ZIP, Excel, Parquet: long, raw numbers) and as shown (CSV ZIP, Excel: wide).

    `filters` may carry `threshold` and `min_cell` (as analysis.Filters.as_dict() does); they go to the
    settings. `labels` maps keys to the column names of the shown form (staff groups, stages and the total
    are named from the catalogue in the page language without it). Pass
    already-suppressed frames: nothing is recomputed here, hidden cells stay empty.
    """
    files = table_files(
        df, view, filters, threshold=threshold, min_cell=min_cell, sheets=sheets, labels=labels, on_export=on_export
    )
    said = _help_filters(filters)
    with st.container(horizontal=True, gap="small", key=f"{key}_downloads"):
        for suffix, (name, mime, make) in files.items():
            th, en = TABLE_HELP[suffix]
            st.download_button(
                _label(suffix),
                make,
                file_name=name,
                mime=mime,
                key=f"{key}_{suffix}",
                icon=":material/download:",
                on_click="ignore",
                help=tr(f"{th} · ไฟล์ {md(name)} ({len(df):,} แถว)", f"{en} · file {md(name)} ({len(df):,} rows)")
                + (f" · {md(said)}" if said else ""),
            )


def chart_files(fig, view: str, filters: dict | None = None) -> dict[str, tuple[str, str, object]]:
    """format -> (file name, mime, callable): PNG is rendered (1-3 s) only when clicked.

    The HTML states the view, filters and settings under the chart (as the XLSX settings sheet does).
    """
    rows, threshold, min_cell = _settings_args(filters, None, None)
    s = export.settings(_meta(), view, rows, threshold=threshold, min_cell=min_cell)

    def html() -> bytes:
        return figure_files.chart_html(fig, export.restamp(s))

    return {
        # The image leaves the page: its title says the round and filters (chart_caption).
        "png": (
            export.export_name(s, "png"),
            export.MIME["png"],
            lambda: figure_files.chart_png(chart_caption.titled(fig, filters, lang())),
        ),
        "html": (export.export_name(s, "html"), export.MIME["html"], html),
    }


def chart_downloads(fig, view: str, filters: dict | None = None, *, key: str) -> None:
    """PNG (Thai rendered by chromium) and standalone offline HTML of a plotly figure."""
    files = chart_files(fig, view, filters)
    labels = {"png": ("ดาวน์โหลดภาพ PNG", "Download PNG"), "html": ("ดาวน์โหลด HTML", "Download HTML")}
    helps = {
        "png": (
            "สร้างภาพเมื่อกด (ครั้งแรกราว 4 วินาที ต่อไปไม่ถึง 1 วินาที)",
            "Rendered when clicked (about 4 s the first time, then under 1 s)",
        ),
        "html": ("เปิดได้แบบออฟไลน์ โต้ตอบได้", "Opens offline, stays interactive"),
    }
    with st.container(horizontal=True, gap="small", key=f"{key}_downloads"):
        for fmt, (name, mime, make) in files.items():
            st.download_button(
                tr(*labels[fmt]),
                make,
                file_name=name,
                mime=mime,
                key=f"{key}_{fmt}",
                icon=":material/image:" if fmt == "png" else ":material/download:",
                on_click="ignore",
                help=tr(*helps[fmt]) + f" · {md(name)}",
            )
