"""Issue 21 (11, 12): every time stamp shown in Thailand time, every date in Thai words (Buddhist era)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from framework import clock, db

ROOT = Path(__file__).resolve().parent.parent


def test_stored_utc_shown_in_bangkok_time():
    assert clock.time_text(dt.datetime(2026, 6, 30, 5, 47)) == "12:47"  # 05:47 UTC = 12:47 in Bangkok
    assert clock.datetime_text(dt.datetime(2026, 6, 30, 20, 0), "th") == "1 ก.ค. 2569 03:00"
    assert clock.datetime_text("2026-06-30 05:47:09", "en", seconds=True) == "30 Jun 2026 12:47:09"
    aware = dt.datetime(2026, 6, 30, 12, 47, tzinfo=clock.ZONE)
    assert clock.time_text(aware) == "12:47"  # already local: unchanged
    assert clock.time_text(None) == "—" and clock.datetime_text(float("nan"), "th") == "—"
    assert clock.now().utcoffset() == dt.timedelta(hours=7)


def test_dates_in_thai_words():
    assert clock.date_text(dt.date(2025, 6, 30), "th") == "30 มิ.ย. 2568"
    assert clock.date_text("2025-06-30", "en") == "30 Jun 2025"
    assert clock.date_text(None, "th") == "ไม่ระบุวันที่"


def test_the_store_writes_utc_whatever_the_server_zone():
    con = db.connect()
    try:
        assert con.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"
        stored = con.execute("SELECT now()::TIMESTAMP").fetchone()[0]
    finally:
        con.close()
    utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs((stored - utc).total_seconds()) < 60


def test_no_page_formats_a_time_or_iso_date_itself():
    """Pages word dates and times through framework.clock (or rounds.date_text), never strftime / isoformat."""
    bad = re.compile(r"strftime\(|:%H:%M|%Y-%m-%d|\.isoformat\(\)\s*[+,)]|datetime\.now\(")
    offenders = [
        f"{p.name}:{i}"
        for p in (ROOT / "pages").glob("*.py")
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if bad.search(line) and "rounds=(" not in line
    ]
    assert offenders == []
