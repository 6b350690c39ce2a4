"""Files for analysts: CSV (UTF-8 BOM), XLSX with a settings sheet, Parquet, and chart PNG/HTML.

Two forms of a table: "data" (long, raw numbers: shares as 0..1 fractions, counts as integers) and
"as shown" (wide like the screen: unit names beside codes, groups/stages as columns, percentages).
Every file states the full settings it was made with: XLSX a `settings` sheet, CSV a ZIP holding
data.csv + settings.json + settings.csv, Parquet the key-value metadata b"skills.settings" (JSON).
File names are short and ASCII: `<view>[_r<round>][_<form>]_<8-hex hash of the settings>.<ext>`.

Formula injection: CSV cells that start with = + - @ tab or CR get a leading ' (CSV has no types);
XLSX stores them as quote-prefixed text cells (shown and read back exactly, never run).

Every function takes frames that are already computed (and, for survey aggregates, already
suppressed) plus a settings dict; nothing here recomputes a business rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import re
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from framework import clock, summary
from framework.targets import TARGET

FORMATS = ("csv", "xlsx", "parquet")
SHOWN_FORMATS = ("csv", "xlsx")  # the "as shown" form is for people: no Parquet
EXTENSIONS = {"csv": "csv.zip", "xlsx": "xlsx", "parquet": "parquet", "png": "png", "html": "html"}
MIME = {
    "csv": "text/csv",
    "csv.zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "png": "image/png",
    "html": "text/html",
}
# A spreadsheet treats a text cell starting with one of these as a formula (or a DDE payload).
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SETTINGS_SHEET = "settings"
PARQUET_META_KEY = b"skills.settings"
_OLD_PARQUET_META_KEY = b"skills_export"  # files written before the key was renamed
# Column kinds, by the names framework.analysis gives them: shares (0..1) and counts of people/units.
PERCENT_COLUMNS = frozenset({"coverage", "readiness", "fully_ready", "share_not_met", "share"})
COUNT_COLUMNS = frozenset(
    {"n", "met", "required_units", "required_n", "not_met_n", "not_assessed_n", "respondents", "accepted", "rejected"}
)
PERCENT_FORMAT = "0.0%"
# Internal columns the "as shown" form leaves out (the screen does not show them).
_INTERNAL = ("unit_ord", "is_total", "group_key", "by", "hidden")
SHOWN_HEADERS = {
    "code": ("รหัส", "Code"),
    "unit": ("หน่วยความสามารถ", "Unit"),
    "key": ("กลุ่ม", "Group"),
    "round": ("รอบสำรวจ", "Survey round"),
}

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
    "form": ("รูปแบบตาราง", "Table form"),
    "settings_hash": ("รหัสการตั้งค่า (อยู่ในชื่อไฟล์)", "Settings hash (in the file name)"),
    "rows": ("จำนวนแถว", "Rows"),
}
FORM_TEXT = {
    "data": "data: ข้อมูลแบบยาว ตัวเลขดิบ / long form, raw numbers",
    "shown": "shown: ตามที่แสดงบนจอ (แบบกว้าง) / as shown on screen (wide)",
}


THAI_TIME = clock.ZONE  # Asia/Bangkok unless $SKILLS_TZ says otherwise: the zone every page shows


# --- settings and file names ------------------------------------------------------------------
def settings(
    meta: dict | None,
    view: str,
    filters: dict | None = None,
    *,
    threshold=None,
    min_cell=None,
    exported_at: dt.datetime | None = None,
    form: str | None = None,
) -> dict:
    """The facts an exported file must state so a number can be traced back to the screen.

    `settings_hash` (8 hex digits, also in the file name) is a hash of everything here but the export
    time: the same screen gives the same name, any other filter, threshold, k, form or framework version
    gives another.
    """
    meta = meta or {}
    when = exported_at or dt.datetime.now(THAI_TIME)  # agencies read Thai time, whatever the server clock
    out = {
        "view": view,
        "filters": {k: v for k, v in (filters or {}).items() if not _empty(v)},
        "threshold": threshold,
        "min_cell": min_cell,
        "suppression": (
            f"k = {min_cell}: ซ่อนตัวเลขของกลุ่มที่มีผู้ตอบน้อยกว่า {min_cell} คน (และช่องที่ใช้คำนวณย้อนกลับได้) "
            f"/ figures of groups under {min_cell} respondents hidden (and cells that would reveal them)"
            if min_cell is not None
            else "ไม่เกี่ยวข้อง: ไม่มีข้อมูลผลสำรวจ / not applicable: no survey data"
        ),
        "framework_version": meta.get("source_sha256", ""),
        "circular": meta.get("circular", ""),
        "exported_at": when.isoformat(timespec="seconds"),
    }
    if form is not None:
        out["form"] = FORM_TEXT.get(form, form)
    out["settings_hash"] = settings_hash(out)
    return out


def restamp(settings: dict, when: dt.datetime | None = None) -> dict:
    """The same settings with the export time of now (names are made at render, files at click)."""
    return {**settings, "exported_at": (when or dt.datetime.now(THAI_TIME)).isoformat(timespec="seconds")}


def settings_hash(settings: dict) -> str:
    """8 hex digits of SHA-256 over the settings (export time, row counts and the hash itself left out)."""
    keep = {k: v for k, v in settings.items() if k not in ("exported_at", "rows", "settings_hash")}
    text = json.dumps(keep, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def settings_frame(settings: dict) -> pd.DataFrame:
    """The settings as a two-language key/value table (the XLSX settings sheet)."""
    rows = []
    for key, value in settings.items():
        th, en = SETTING_LABELS.get(key, (key, key))
        if isinstance(value, dict):
            value = "; ".join(f"{k}={_join(v)}" for k, v in value.items()) or "-"
        elif key == "threshold" and value is not None and str(value) == str(TARGET):
            value = f"{TARGET} = {summary.met_words(TARGET, 'th')} / {summary.met_words(TARGET, 'en')}"
        rows.append({"setting": key, "label_th": th, "label_en": en, "value": "" if value is None else str(value)})
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


def filter_parts(filters: dict | None) -> list[str]:
    """`<key>-<value>` file-name components of the filters that are set (empty values left out)."""
    return [f"{safe_part(k)}-{safe_part(v)}".strip("-") for k, v in (filters or {}).items() if not _empty(v)]


def filename(view: str, filters: dict | None, ext: str, *, day: dt.date | None = None, max_bytes: int = 180) -> str:
    """`<view>_<key>-<value>..._<date>.<ext>`: safe on Windows, macOS and Linux, Thai kept.

    The long descriptive name of the CLI and the IDP page; the app's table and chart downloads use
    export_name() (short, ASCII, settings hash).
    """
    parts = [safe_part(view) or "export", *filter_parts(filters)]
    stem = "_".join(p for p in parts if p)
    date = (day or dt.date.today()).isoformat()
    ext = safe_part(ext).lower() or "bin"
    budget = max_bytes - len(date) - len(ext) - 2
    while len(stem.encode("utf-8")) > budget:
        stem = stem[:-1]
    while stem and unicodedata.category(stem[-1])[0] == "M":  # never leave half a Thai syllable
        stem = stem[:-1]
    return f"{stem.rstrip('-_.')}_{date}.{ext}"


def ascii_part(text, limit: int = 40) -> str:
    """An ASCII file-name component (letters, digits, '-', '.'), at most `limit` characters.

    Thai and other non-ASCII letters are dropped rather than cut: an ASCII string cannot be cut
    mid-character, and the settings hash in the name tells two dropped-letter names apart.
    """
    text = unicodedata.normalize("NFKD", _join(text)).encode("ascii", "ignore").decode("ascii")
    part = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9.\-]+", "-", text)).strip("-.")
    return part[:limit].rstrip("-.")


def round_of(filters: dict | None):
    """The survey round(s) a filter set names: a `round` key (one round) or `rounds` (several)."""
    filters = filters or {}
    for key in ("round", "rounds"):
        if not _empty(filters.get(key)):
            return filters[key]
    return None


def export_name(settings: dict, ext: str) -> str:
    """`<view>[_<access>][_r<round>][_<form>]_<hash>.<ext>`: short, ASCII-only, unique per settings."""
    parts = [ascii_part(settings.get("view"), 40) or "export"]
    access = (settings.get("filters") or {}).get("access")
    if access:  # e.g. row-level data: say so before anyone opens the file
        parts.append(ascii_part(access, 16))
    rnd = round_of(settings.get("filters"))
    rnd = ascii_part(rnd, 32) if rnd is not None else ""
    if rnd:
        parts.append("r" + rnd)
    form = str(settings.get("form") or "").split(":")[0]
    if form:
        parts.append(ascii_part(form, 8))
    parts.append(settings.get("settings_hash") or settings_hash(settings))
    return "_".join(parts) + "." + (ascii_part(ext, 12).lower() or "bin")


# --- table forms -----------------------------------------------------------------------------
def typed(df: pd.DataFrame) -> pd.DataFrame:
    """Counts as nullable integers (Int64): 7 is written 7, not 7.0, and a hidden count stays empty."""
    out = df.copy()
    for i, col in enumerate(df.columns):
        s = df.iloc[:, i]
        if col in COUNT_COLUMNS and pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            vals = s.dropna()
            if (vals == vals.round()).all():
                out.isetitem(i, s.round().astype("Int64"))
    return out


def percent_columns(df: pd.DataFrame) -> list:
    """Columns holding shares 0..1 (by name, or flagged by shown_form in df.attrs)."""
    flagged = set(df.attrs.get("percent_columns", ()))
    return [c for c in df.columns if c in PERCENT_COLUMNS or c in flagged]


def _pivot_axes(df: pd.DataFrame) -> tuple[list, str] | None:
    """(row columns, column dimension) of the wide form the screen shows, or None to keep rows as they are."""
    lead = ["round"] if "round" in df.columns else []
    if "key" in df.columns and "code" in df.columns:
        return lead + ["code"], "key"
    if "key" in df.columns and "stage" in df.columns and df["stage"].nunique() > 1:
        return lead + ["key"], "stage"
    if "key" in df.columns and lead:
        return lead, "key"
    return None


def shown_form(
    df: pd.DataFrame, unit_names: dict | None = None, labels: dict | None = None, lang: str = "th"
) -> pd.DataFrame:
    """The table as the screen shows it: wide (groups or stages as columns), unit names beside codes.

    Hidden cells stay empty (never 0). The share columns are flagged in `attrs["percent_columns"]`
    so the writers format them as percentages.
    """
    name_col = "name_en" if lang == "en" else "name_th"
    names = dict(unit_names or {})
    if name_col in df.columns and "code" in df.columns:
        names = {**dict(zip(df["code"], df[name_col])), **names}
    labels = labels or {}
    pct = percent_columns(df)
    axes = _pivot_axes(df) if pct else None
    if axes is not None:
        rows, across = axes
        try:
            wide = df.pivot(index=rows, columns=across, values=pct[0])
        except ValueError:  # duplicate cells: not a grid, keep the rows
            axes = None
    if axes is None:
        out = df.drop(columns=[c for c in _INTERNAL if c in df.columns])
        if names and "code" in out.columns and name_col not in out.columns:
            out.insert(list(out.columns).index("code") + 1, "unit", [names.get(c, c) for c in out["code"]])
        out.attrs["percent_columns"] = pct
        return out.reset_index(drop=True)
    order = list(dict.fromkeys(df[across]))
    wide = wide.reindex(
        index=pd.MultiIndex.from_frame(df[rows].drop_duplicates())
        if len(rows) > 1
        else list(dict.fromkeys(df[rows[0]])),
        columns=order,
    )
    wide.columns = [str(labels.get(c, c)) for c in wide.columns]
    wide = wide.reset_index()
    if "code" in rows:
        wide.insert(wide.columns.get_loc("code") + 1, "unit", [names.get(c, c) for c in wide["code"]])
    wide.columns.name = None
    wide = wide.rename(columns={k: v[lang == "en"] for k, v in SHOWN_HEADERS.items()})
    wide.attrs["percent_columns"] = [str(labels.get(c, c)) for c in order]
    return wide


def percent_text(df: pd.DataFrame) -> pd.DataFrame:
    """Shares written as on screen ("57.1%") for a CSV, which has no number formats; empty stays empty."""
    out = df.copy()
    for col in percent_columns(df):
        i = list(df.columns).index(col)
        out.isetitem(i, df.iloc[:, i].map(lambda v: f"{v:.1%}", na_action="ignore").astype(object))
    return out


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
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s)


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
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
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
        cell.data_type = "s"  # never a formula, whatever the first character
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
        ws = wb.create_sheet(
            SETTINGS_SHEET if name == SETTINGS_SHEET and settings is not None else sheet_name(name, taken)
        )
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
        pct = {list(df.columns).index(c) for c in percent_columns(df)}
        for row in safe.itertuples(index=False, name=None):
            out = []
            for i, v in enumerate(row):
                v = _cell_value(v)
                if isinstance(v, str) and v.startswith(INJECTION_PREFIXES):
                    v = text_cell(ws, v)
                elif i in pct and isinstance(v, (int, float)) and not isinstance(v, bool):
                    v = WriteOnlyCell(ws, value=v)
                    v.number_format = PERCENT_FORMAT
                out.append(v)
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
    raw = meta.get(PARQUET_META_KEY) or meta.get(_OLD_PARQUET_META_KEY)
    return json.loads(raw.decode("utf-8")) if raw else {}


def settings_json(settings: dict) -> bytes:
    return json.dumps(settings, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def to_csv_zip(df: pd.DataFrame, settings: dict, extra: dict[str, pd.DataFrame] | None = None) -> bytes:
    """A ZIP of data.csv (UTF-8 BOM, as to_csv) + settings.json + settings.csv (the XLSX settings sheet).

    CSV has no place for settings that every reader skips, so they travel beside it; extra tables
    (e.g. the SQL text of a query export) go in as <name>.csv.
    """
    rows = dict(settings)
    rows["rows"] = str(len(df))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.csv", to_csv(df))
        z.writestr("settings.json", settings_json(rows))
        z.writestr("settings.csv", to_csv(settings_frame(rows)))
        for name, table in (extra or {}).items():
            z.writestr(f"{ascii_part(name) or 'table'}.csv", to_csv(table))
    return buf.getvalue()


def csv_zip_settings(data: bytes) -> dict:
    """The settings a CSV ZIP export carries."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return json.loads(z.read("settings.json").decode("utf-8"))


def table_bytes(
    fmt: str, df: pd.DataFrame, settings: dict | None = None, extra: dict[str, pd.DataFrame] | None = None
) -> bytes:
    """One table (and, for XLSX, extra sheets) in the asked format; counts as integers.

    "csv" is the bare CSV (the CLI writes it to the path asked for); the app offers file_bytes().
    """
    df = typed(df)
    if fmt == "csv":
        return to_csv(df)
    if fmt == "xlsx":
        name = (settings or {}).get("view") or "table"
        return to_xlsx({name: df, **(extra or {})}, settings)
    if fmt == "parquet":
        return to_parquet(df, settings)
    raise ValueError(f"unknown export format {fmt!r} (use one of {', '.join(FORMATS)})")


def file_bytes(
    fmt: str, df: pd.DataFrame, settings: dict, extra: dict[str, pd.DataFrame] | None = None, *, form: str = "data"
) -> bytes:
    """A download: `df` in the data form (long, raw numbers) or already in the shown form (shown_form()).

    Every format carries the settings: XLSX a sheet, CSV a ZIP with settings files, Parquet metadata.
    In the shown form a CSV writes shares as text ("57.1%"); XLSX keeps numbers formatted 0.0%.
    """
    if fmt == "csv":
        df = typed(df)
        return to_csv_zip(percent_text(df) if form == "shown" else df, settings, extra)
    if form == "shown" and fmt not in SHOWN_FORMATS:
        raise ValueError(f"no shown form in {fmt!r} (use one of {', '.join(SHOWN_FORMATS)})")
    return table_bytes(fmt, df, settings, extra)
