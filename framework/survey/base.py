"""The survey intake's shared vocabulary: the five levels, the refusal error, notices, and what decoding and
header mapping hand on (`Decoded`, `Layout`). Imports nothing else of the package."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from framework.errors import BilingualError

CHUNK = 8 << 20
LEVELS = (
    (0, "ยังไม่มีความรู้/ทักษะ", "Not yet"),
    (1, "รู้จัก/เข้าใจ", "Aware"),
    (2, "ทำได้เมื่อมีผู้แนะนำ", "Can do with guidance"),
    (3, "ทำได้ด้วยตนเอง", "Can do independently"),
    (4, "สอนผู้อื่นได้", "Can teach others"),
)
DEFAULT_THRESHOLD = 3
MAX_PROBLEMS = 100_000  # problems kept in memory for display; rejected rows are always complete
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"


class SurveyFileError(BilingualError):
    """The file cannot be read as a survey at all: one message in Thai and English; nothing is stored."""


@dataclass
class Notice:
    """A file-level remark (ignored column, unknown code column, incomplete elements)."""

    level: str  # "warning" | "info"
    column: str | None
    th: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.th


@dataclass
class Decoded:
    """A survey file made readable for DuckDB (UTF-8), with what was learnt on the way."""

    path: Path
    encoding: str
    content_hash: str
    size: int
    lines: int  # physical lines, trailing blank lines excluded (a workbook: rows written)
    temp: bool = False
    sheet: str | None = None  # a workbook: the worksheet that was read
    other_sheets: list[str] = field(default_factory=list)  # a workbook: the sheets that were not read

    def cleanup(self) -> None:
        if self.temp:
            try:
                os.unlink(self.path)
            except OSError:
                pass


@dataclass
class Layout:
    """How the header maps onto the survey format."""

    format: str  # "wide" | "long"
    delimiter: str
    header: list[str]
    keys: dict[str, int]  # fixed column -> index
    skip: int  # comment lines before the header
    codes: dict[int, str] = field(default_factory=dict)  # index -> unit/element code (wide)
    unknown_codes: dict[int, str] = field(default_factory=dict)
    ignored: dict[int, str] = field(default_factory=dict)


def file_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes: the same upload twice is recognised by it."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()
