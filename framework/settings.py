"""Every environment variable the program reads, in one registry: name, kind, default, meaning (English and
Thai), the values allowed; typed access (`get`) and the check at start (`check_all`).

- Only this module reads `os.environ` (tests/test_settings.py keeps the rule for framework/, ui/, pages/ and
  app.py), so a setting cannot be read twice with two defaults or two parsers.
- README's "Configuration" table lists exactly SETTINGS, with the same defaults, allowed values and meanings
  (tests/test_settings.py compares them).
- Values are read when asked for, not at import: tests and the command line set variables after import.
  An empty value is the same as an unset one.
- `check_all()` runs once at start (ui.shell.setup for every page, framework.cli.main for every command): a
  bad value is one bilingual error naming the variable, the value and what is allowed, never a traceback
  later. A secret's value is never shown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from framework.errors import BilingualError

CHROMIUM = "/usr/lib/chromium/chromium"  # Debian's chromium: PDF handouts and PNG charts (one path)
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
MAX_COUNT = 100_000


class SettingError(BilingualError):
    """An environment variable holds a value the program cannot use."""


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # "file" (a path, not a folder), "store" (a file or postgresql:// URL), "bool", "int", "zone", ...
    default: str | None  # as text, as README shows it; None: unset
    description_en: str
    description_th: str
    minimum: int = 1  # "int" only
    maximum: int = MAX_COUNT

    def allowed(self) -> tuple[str, str]:
        """What may be given, (Thai, English)."""
        if self.kind == "int":
            return (
                f"จำนวนเต็มตั้งแต่ {self.minimum} ถึง {self.maximum:,}",
                f"a whole number from {self.minimum} to {self.maximum:,}",
            )
        if self.kind == "bool":
            return "ค่าใดค่าหนึ่งใน " + ", ".join(TRUE + FALSE), "one of " + ", ".join(TRUE + FALSE)
        if self.kind == "zone":
            return "ชื่อเขตเวลา IANA เช่น Asia/Bangkok", "an IANA time zone name such as Asia/Bangkok"
        if self.kind == "file":
            return "พาธของไฟล์ (ไม่ใช่โฟลเดอร์)", "a file path (not a folder)"
        if self.kind == "store":
            return (
                "พาธของไฟล์ (ไม่ใช่โฟลเดอร์) หรือที่อยู่ postgresql://…",
                "a file path (not a folder) or a postgresql://… URL",
            )
        return "ข้อความใดก็ได้", "any text"

    def parse(self, text: str) -> Any:
        """The typed value of `text`; ValueError when it is not allowed."""
        if self.kind == "int":
            value = int(text.strip())
            if not self.minimum <= value <= self.maximum:
                raise ValueError(text)
            return value
        if self.kind == "bool":
            word = text.strip().lower()
            if word not in TRUE + FALSE:
                raise ValueError(text)
            return word in TRUE
        if self.kind == "zone":
            try:
                return ZoneInfo(text.strip())
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(text) from None
        if self.kind == "store" and text.strip().startswith(("postgresql://", "postgres://")):
            return text.strip()  # a PostgreSQL store (framework/pgstore)
        if self.kind in ("file", "store"):
            path = Path(text.strip()).expanduser()
            if path.is_dir():
                raise ValueError(text)
            return path
        return text

    def error(self, text: str) -> SettingError:
        shown = "(ซ่อนไว้)" if self.kind == "secret" else repr(text)
        shown_en = "(hidden)" if self.kind == "secret" else repr(text)
        th, en = self.allowed()
        default = self.default if self.default is not None else "ไม่ตั้ง"
        return SettingError(
            f"ค่าตั้ง {self.name}={shown} ใช้ไม่ได้: ต้องเป็น{th} (ค่าเริ่มต้น {default}) แก้หรือลบตัวแปรนี้แล้วเริ่มใหม่",
            f"the setting {self.name}={shown_en} is not allowed: it must be {en} (default "
            f"{self.default if self.default is not None else 'unset'}); fix or unset it and start again",
        )


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SKILLS_DB",
        "store",
        "var/skills.duckdb",
        "the survey store: an embedded DuckDB file (git-ignored; the default is in the project folder), or a "
        "postgresql://… URL for a store several app processes and the CLI share",
        "คลังแบบสำรวจ: ไฟล์ DuckDB (ไม่อยู่ใน git ค่าเริ่มต้นอยู่ในโฟลเดอร์โครงการ) หรือที่อยู่ postgresql://… "
        "สำหรับคลังที่แอปหลายโปรเซสและคำสั่ง CLI ใช้ร่วมกัน",
    ),
    Setting(
        "SKILLS_HR_PASSPHRASE",
        "secret",
        None,
        "HR passphrase for uploading, deleting batches and row-level views (the individual development plan "
        "page, row-level SQL and `responses` export); also read from Streamlit secrets "
        "(`.streamlit/secrets.toml`, key `hr_passphrase`). With none set the app runs in local single-user "
        "mode and says so",
        "รหัสผ่าน HR สำหรับนำเข้า ลบชุดข้อมูล และดูข้อมูลรายบุคคล (หรืออ่านจาก .streamlit/secrets.toml คีย์ "
        "hr_passphrase) ถ้าไม่ตั้ง แอปทำงานแบบผู้ใช้คนเดียวในเครื่องและแจ้งไว้",
    ),
    Setting(
        "SKILLS_DEMO",
        "bool",
        "1",
        "`0` keeps the bundled demo survey out of a new store (production installs)",
        "0 = ไม่ใส่แบบสำรวจตัวอย่างในคลังใหม่ (สำหรับใช้งานจริง)",
    ),
    Setting(
        "SKILLS_MIN_CELL_FLOOR",
        "int",
        "5",
        "the smallest cell (*k*) anyone may use; only the HR passphrase goes below it (pages, exports, CLI, "
        "analyst SQL)",
        "จำนวนผู้ตอบขั้นต่ำต่อช่อง (k) ที่ทุกคนใช้ได้ ต่ำกว่านี้ได้เฉพาะผู้มีรหัสผ่าน HR",
        maximum=1000,
    ),
    Setting(
        "SKILLS_CAMPAIGN_RATE",
        "int",
        "1200",
        "self-assessment submissions allowed per minute per campaign code (1200: a whole agency answering at once, "
        "20 a second; the per-device and per-person limits stop one sender)",
        "จำนวนคำตอบแบบประเมินตนเองที่รับได้ต่อนาทีต่อรหัสแบบประเมิน (1200: ทั้งหน่วยงานตอบพร้อมกัน 20 คำตอบต่อวินาที; "
        "ขีดจำกัดต่ออุปกรณ์และต่อคนหยุดผู้ส่งรายเดียว)",
    ),
    Setting(
        "SKILLS_CAMPAIGN_CLIENT_RATE",
        "int",
        "20",
        "self-assessment submissions allowed per minute per device address (one person: 5)",
        "จำนวนคำตอบแบบประเมินตนเองที่รับได้ต่อนาทีต่อที่อยู่อุปกรณ์ (ต่อคน: 5)",
    ),
    Setting(
        "SKILLS_CHROMIUM",
        "file",
        CHROMIUM,
        "the headless Chromium that renders PDF handouts and PNG charts",
        "โปรแกรม Chromium ที่ใช้สร้าง PDF และภาพ PNG ของแผนภูมิ",
    ),
    Setting(
        "BROWSER_PATH",
        "file",
        None,
        "the Chromium kaleido uses for PNG chart export (kaleido reads it); unset: `SKILLS_CHROMIUM`",
        "Chromium ที่ kaleido ใช้ส่งออกแผนภูมิเป็น PNG ถ้าไม่ตั้ง ใช้ SKILLS_CHROMIUM",
    ),
    Setting(
        "SKILLS_ROLES_FILE",
        "file",
        None,
        "with sign-in through an identity provider (`[auth]` in `.streamlit/secrets.toml`): the TOML file "
        "mapping identities and groups to roles and agencies (see Sign-in); unset: the provider's claims alone",
        "เมื่อลงชื่อเข้าใช้ผ่านผู้ให้บริการยืนยันตัวตน: ไฟล์ TOML กำหนดบทบาทและหน่วยงานของแต่ละบัญชีและกลุ่ม ถ้าไม่ตั้ง ใช้ค่าจากผู้ให้บริการอย่างเดียว",
    ),
    Setting(
        "SKILLS_DUCKDB_THREADS",
        "int",
        None,
        "threads DuckDB may use for one query in each process; unset: one per CPU. With several app processes "
        "on one machine, the CPUs divided by the processes (no process then queues its queries behind another's)",
        "จำนวนเธรดที่ DuckDB ใช้ต่อคำสั่งในแต่ละโปรเซส ถ้าไม่ตั้ง ใช้เท่าจำนวน CPU เมื่อรันแอปหลายโปรเซสบนเครื่องเดียว ให้ใช้จำนวน CPU หารด้วยจำนวนโปรเซส",
        maximum=256,
    ),
    Setting(
        "SKILLS_TZ",
        "zone",
        "Asia/Bangkok",
        "the time zone every time stamp is shown in (stored stamps are UTC)",
        "เขตเวลาที่ใช้แสดงเวลา (เวลาที่เก็บเป็น UTC)",
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}


def is_set(name: str) -> bool:
    """Does the environment give `name` a (non-empty) value?"""
    return bool(os.environ.get(BY_NAME[name].name, "").strip())


def default(name: str) -> Any:
    """The typed default of `name` (None when it has none)."""
    s = BY_NAME[name]
    return None if s.default is None else s.parse(s.default)


def get(name: str) -> Any:
    """The typed value of `name`: the environment's, else the default; SettingError when it is not allowed."""
    s = BY_NAME[name]
    if not is_set(name):
        return default(name)
    text = os.environ[s.name]
    try:
        return s.parse(text)
    except ValueError:
        raise s.error(text) from None


def get_or_default(name: str) -> Any:
    """`get`, or the default when the value is not allowed: for values taken at import (check_all, run at
    start, reports the bad value)."""
    try:
        return get(name)
    except SettingError:
        return default(name)


def check_all() -> None:
    """Raise one SettingError naming every variable whose value is not allowed (the value, the rule)."""
    errors = []
    for s in SETTINGS:
        try:
            get(s.name)
        except SettingError as exc:
            errors.append(exc)
    if errors:
        raise SettingError(" ; ".join(e.th for e in errors), "; ".join(e.en for e in errors))


def markdown_table() -> str:
    """README's configuration table, as it should read."""
    rows = ["| variable | default | allowed | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        shown = f"`{s.default}`" if s.default is not None else "*(none)*"
        rows.append(f"| `{s.name}` | {shown} | {s.allowed()[1]} | {s.description_en} |")
    return "\n".join(rows)
