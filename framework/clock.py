"""Dates and times as users read them: in Thailand's time zone, Thai dates in the Buddhist era.

The store writes its time stamps (upload, deletion, replacement, campaign) as naive UTC: db.connect sets the
connection's TimeZone to UTC, so `now()::TIMESTAMP` is UTC whatever the server's clock zone. Every page, export
and message shows them through `local()` in ZONE: Asia/Bangkok, or `$SKILLS_TZ` where an install sets another
zone. Dates (round dates, closing dates) have no time zone and are only worded: `date_text`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from framework import settings

TH_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ZONE = settings.get_or_default("SKILLS_TZ")  # a bad $SKILLS_TZ: settings.check_all() says so at start


def now() -> dt.datetime:
    """The current time in ZONE (aware)."""
    return dt.datetime.now(ZONE)


def local(value) -> dt.datetime | None:
    """A stored time stamp (naive = UTC, as the store writes them; aware = converted) in ZONE; None if missing."""
    if value is None or (not isinstance(value, (dt.datetime, dt.date)) and pd.isna(value)):
        return None
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.tz_convert(ZONE).to_pydatetime()


def _date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def date_text(value, lang: str) -> str:
    """A date (date, "YYYY-MM-DD" or Timestamp) in words: "30 Jun 2025", Thai "30 มิ.ย. 2568" (Buddhist era)."""
    d = _date(value)
    if d is None:
        return "ไม่ระบุวันที่" if lang != "en" else "no date"
    if lang == "en":
        return f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}"
    return f"{d.day} {TH_MONTHS[d.month - 1]} {d.year + 543}"


def time_text(value, seconds: bool = False) -> str:
    """A stored time stamp's clock time in ZONE ("19:47"); "—" if missing."""
    t = local(value)
    return "—" if t is None else t.strftime("%H:%M:%S" if seconds else "%H:%M")


def datetime_text(value, lang: str, seconds: bool = False) -> str:
    """A stored time stamp in ZONE in words: "6 ธ.ค. 2569 20:38" / "6 Dec 2026 20:38"; "—" if missing."""
    t = local(value)
    return "—" if t is None else f"{date_text(t.date(), lang)} {time_text(t, seconds)}"
