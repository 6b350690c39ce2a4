"""Files for analysts: CSV (UTF-8 BOM), XLSX with a settings sheet, Parquet, and chart PNG/HTML.

Formula injection: CSV cells that start with = + - @ tab or CR get a leading ' (CSV has no types);
XLSX stores them as quote-prefixed text cells (shown and read back exactly, never run).

Every function takes frames that are already computed (and, for survey aggregates, already
suppressed) plus a settings dict; nothing here recomputes a business rule.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import re
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("csv", "xlsx", "parquet")
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "png": "image/png",
    "html": "text/html",
}
# A spreadsheet treats a text cell starting with one of these as a formula (or a DDE payload).
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHROMIUM = Path("/usr/lib/chromium/chromium")
SETTINGS_SHEET = "settings"
PARQUET_META_KEY = b"skills_export"

# Labels of the settings sheet rows: key -> (Thai, English).
SETTING_LABELS = {
    "view": ("มุมมอง", "View"),
    "filters": ("ตัวกรอง", "Filters"),
    "threshold": ("เกณฑ์ระดับที่ถือว่าผ่าน", "Threshold (level counted as met)"),
    "min_cell": ("ปกปิดกลุ่มที่มีผู้ตอบน้อยกว่า (k)", "Suppress groups smaller than (k)"),
    "suppression": ("การปกปิดข้อมูลกลุ่มเล็ก", "Small-cell suppression"),
    "framework_version": ("รุ่นของกรอบทักษะ (source_sha256)", "Framework version (source_sha256)"),
    "circular": ("หนังสือเวียน", "Circular"),
    "exported_at": ("เวลาที่ส่งออก", "Exported at"),
    "rows": ("จำนวนแถว", "Rows"),
}


THAI_TIME = ZoneInfo("Asia/Bangkok")


# --- settings and file names ------------------------------------------------------------------
def settings(meta: dict | None, view: str, filters: dict | None = None, *, threshold=None,
             min_cell=None, exported_at: dt.datetime | None = None) -> dict:
    """The facts an exported file must state so a number can be traced back to the screen."""
    meta = meta or {}
    when = exported_at or dt.datetime.now(THAI_TIME)  # agencies read Thai time, whatever the server clock
    return {
        "view": view,
        "filters": {k: v for k, v in (filters or {}).items() if not _empty(v)},
        "threshold": threshold,
        "min_cell": min_cell,
        "suppression": (f"k = {min_cell}: ซ่อนตัวเลขของกลุ่มที่มีผู้ตอบน้อยกว่า {min_cell} คน (และช่องที่ใช้คำนวณย้อนกลับได้) "
                        f"/ figures of groups under {min_cell} respondents hidden (and cells that would reveal them)"
                        if min_cell is not None else
                        "ไม่เกี่ยวข้อง: ไม่มีข้อมูลผลสำรวจ / not applicable: no survey data"),
        "framework_version": meta.get("source_sha256", ""),
        "circular": meta.get("circular", ""),
        "exported_at": when.isoformat(timespec="seconds"),
    }


def settings_frame(settings: dict) -> pd.DataFrame:
    """The settings as a two-language key/value table (the XLSX settings sheet)."""
    rows = []
    for key, value in settings.items():
        th, en = SETTING_LABELS.get(key, (key, key))
        if isinstance(value, dict):
            value = "; ".join(f"{k}={_join(v)}" for k, v in value.items()) or "-"
        rows.append({"setting": key, "label_th": th, "label_en": en,
                     "value": "" if value is None else str(value)})
    return pd.DataFrame(rows, columns=["setting", "label_th", "label_en", "value"])


def _empty(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, (list, tuple, set)) and not v)


def _join(v) -> str:
    return "+".join(str(x) for x in v) if isinstance(v, (list, tuple, set)) else str(v)


_UNSAFE = re.compile(r"[^\w.\-]+")


def safe_part(text) -> str:
    """One file-name component: letters (Thai included), digits, '-', '_', '.'; no path separators."""
    text = unicodedata.normalize("NFC", _join(text))
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LMN" or ch in "-.":
            out.append(ch)
        else:
            out.append("-")
    part = re.sub(r"-{2,}", "-", "".join(out)).strip("-.")
    return part


def filename(view: str, filters: dict | None, ext: str, *, day: dt.date | None = None,
             max_bytes: int = 180) -> str:
    """`<view>_<key>-<value>..._<date>.<ext>`: safe on Windows, macOS and Linux, Thai kept."""
    parts = [safe_part(view) or "export"]
    for k, v in (filters or {}).items():
        if _empty(v):
            continue
        parts.append(f"{safe_part(k)}-{safe_part(v)}".strip("-"))
    stem = "_".join(p for p in parts if p)
    date = (day or dt.date.today()).isoformat()
    ext = safe_part(ext).lower() or "bin"
    budget = max_bytes - len(date) - len(ext) - 2
    while len(stem.encode("utf-8")) > budget:
        stem = stem[:-1]
    return f"{stem.rstrip('-_.')}_{date}.{ext}"


# --- formula-injection guard -----------------------------------------------------------------
def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading ' (numbers are left alone)."""
    if isinstance(value, str) and value.startswith(INJECTION_PREFIXES):
        return "'" + value
    return value


def _flat(value):
    """Lists/arrays in a cell become one '; '-joined text (CSV and XLSX hold scalars only)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "; ".join(str(x) for x in list(value))
    return value


def _is_plain(s: pd.Series) -> bool:
    return (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
            or pd.api.types.is_datetime64_any_dtype(s))


def spreadsheet_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy safe for a spreadsheet: text cells and headers neutralised, list cells flattened."""
    out = df.copy()
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        if not _is_plain(s):
            out.isetitem(i, s.astype(object).map(lambda v: neutralise(_flat(v)), na_action="ignore"))
    out.columns = [neutralise(str(c)) for c in df.columns]
    return out


# --- table writers ---------------------------------------------------------------------------
def to_csv(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM (Excel then shows Thai), formula-injection neutralised."""
    return spreadsheet_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = _SHEET_BAD.sub("-", str(name)).strip("'") or "table"
    base = base[:31]
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f"~{n}"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _cell_value(v):
    """A Python value openpyxl writes as the same type (NaN/NA -> empty, tz dropped, lists joined)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)) and getattr(v, "ndim", 0) == 0:
        v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        v = v.replace(tzinfo=None)
    if isinstance(v, dt.timedelta):
        return str(v)
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)
    if not isinstance(v, (int, float, bool, dt.date, dt.datetime, dt.time)):
        return str(v)
    return v


def _flat_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with list cells joined to text (the XLSX writer guards each text cell itself)."""
    out = df.copy()
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        if not _is_plain(s):
            out.isetitem(i, s.astype(object).map(_flat, na_action="ignore"))
    return out


def to_xlsx(tables: dict[str, pd.DataFrame] | pd.DataFrame, settings: dict | None = None) -> bytes:
    """An .xlsx with one sheet per table plus a settings sheet.

    A text cell that starts like a formula is stored as a text cell with Excel's quote prefix (what
    typing a leading ' does): Excel shows the text exactly, runs nothing and keeps it text when the
    cell is edited, and readers (pandas, Power BI) get the original value with no added character.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def text_cell(ws, value: str, **style):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"          # never a formula, whatever the first character
        cell.quotePrefix = value.startswith(INJECTION_PREFIXES)
        for k, v in style.items():
            setattr(cell, k, v)
        return cell

    if isinstance(tables, pd.DataFrame):
        tables = {(settings or {}).get("view") or "table": tables}
    wb = Workbook(write_only=True)
    taken: set[str] = {SETTINGS_SHEET}
    bold = Font(bold=True)
    sheets = list(tables.items())
    if settings is not None:
        rows = dict(settings)
        rows["rows"] = ", ".join(f"{name}: {len(df)}" for name, df in sheets)
        sheets.append((SETTINGS_SHEET, settings_frame(rows)))
    for name, df in sheets:
        ws = wb.create_sheet(SETTINGS_SHEET if name == SETTINGS_SHEET and settings is not None
                             else sheet_name(name, taken))
        safe = _flat_frame(df)
        ws.freeze_panes = "A2"
        widths = [min(60, max(8, len(str(c)) + 2)) for c in safe.columns]
        for i, col in enumerate(safe.columns):
            sample = safe.iloc[:200, i].dropna().astype(str).str.len()  # an all-empty column has none
            if len(sample):
                widths[i] = min(60, max(widths[i], int(sample.max()) + 2))
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.append([text_cell(ws, _cell_value(str(c)), font=bold) for c in safe.columns])
        for row in safe.itertuples(index=False, name=None):
            out = []
            for v in row:
                v = _cell_value(v)
                out.append(text_cell(ws, v) if isinstance(v, str) and v.startswith(INJECTION_PREFIXES) else v)
            ws.append(out)
    if not sheets:
        wb.create_sheet("empty")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_parquet(df: pd.DataFrame, settings: dict | None = None) -> bytes:
    """Parquet of the table as it is (types kept); the settings travel in the file's metadata."""
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # A column mixing types (e.g. numbers and text) is written as text rather than refused.
        fixed = df.copy()
        for i in range(df.shape[1]):
            if df.iloc[:, i].dtype == object:
                fixed.isetitem(i, df.iloc[:, i].map(str, na_action="ignore"))
        table = pa.Table.from_pandas(fixed, preserve_index=False)
    if settings is not None:
        meta = dict(table.schema.metadata or {})
        meta[PARQUET_META_KEY] = json.dumps(settings, ensure_ascii=False, default=str).encode("utf-8")
        table = table.replace_schema_metadata(meta)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def parquet_settings(data: bytes | str | Path) -> dict:
    """The settings a Parquet export carries (empty if none)."""
    src = io.BytesIO(data) if isinstance(data, bytes) else data
    meta = pq.read_schema(src).metadata or {}
    raw = meta.get(PARQUET_META_KEY)
    return json.loads(raw.decode("utf-8")) if raw else {}


def table_bytes(fmt: str, df: pd.DataFrame, settings: dict | None = None,
                extra: dict[str, pd.DataFrame] | None = None) -> bytes:
    """One table (and, for XLSX, extra sheets) in the asked format."""
    if fmt == "csv":
        return to_csv(df)
    if fmt == "xlsx":
        name = (settings or {}).get("view") or "table"
        return to_xlsx({name: df, **(extra or {})}, settings)
    if fmt == "parquet":
        return to_parquet(df, settings)
    raise ValueError(f"unknown export format {fmt!r} (use one of {', '.join(FORMATS)})")


# --- charts ----------------------------------------------------------------------------------
def chart_html(fig, settings: dict | None = None) -> bytes:
    """A standalone HTML page of the chart that works offline (plotly.js inlined, UTF-8).

    The page is titled after the chart and, given settings, states them under the chart so a figure
    pasted into a report can be traced back to the screen it came from.
    """
    from html import escape

    page = fig.to_html(include_plotlyjs=True, full_html=True)
    text = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    title = " ".join(re.sub(r"<[^>]+>", " ", text).split()) or (settings or {}).get("view") or "chart"
    head = '<meta charset="utf-8" />' if '<meta charset="utf-8" />' in page else "<head>"
    page = page.replace(head, f"{head}\n    <title>{escape(title)}</title>", 1)
    if settings:
        rows = settings_frame(settings)
        items = "".join(f"<li>{escape(r.label_th)} / {escape(r.label_en)}: {escape(r.value) or '-'}</li>"
                        for r in rows.itertuples() if r.value)
        footer = (f'<ul class="skills-export-settings" style="font: 12px sans-serif; color: #444; '
                  f'margin: 8px 24px; padding: 0;">{items}</ul>')
        page = page[:page.rindex("</body>")] + footer + "\n</body>" + page[page.rindex("</body>") + 7:]
    return page.encode("utf-8")


def chart_png(fig, *, width: int | None = 1200, height: int | None = 700, scale: float = 2) -> bytes:
    """PNG of the chart via kaleido and Debian's chromium (slow, ~1-3 s: render only on request)."""
    if "BROWSER_PATH" not in os.environ and CHROMIUM.exists():
        os.environ["BROWSER_PATH"] = str(CHROMIUM)
    layout = fig.layout
    width = int(layout.width) if layout.width else width
    height = int(layout.height) if layout.height else height
    return fig.to_image(format="png", width=width, height=height, scale=scale)
