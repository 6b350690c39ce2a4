"""Bytes to UTF-8 text: the encoding (UTF-8 with/without BOM, UTF-16 with BOM, Windows-874/TIS-620), the hash,
the physical line count, and the refusals that must happen before anything reads the file as CSV: empty or
binary files, NUL characters, a line longer than `limits.MAX_LINE_BYTES`, and files that mix UTF-8 Thai with
another encoding (read as one, half the Thai would be stored garbled). Workbooks go to `workbook.py`.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from framework import survey as _package
from framework.survey.base import CHUNK, Decoded, SurveyFileError
from framework.survey.limits import MAX_LINE_BYTES, mb
from framework.survey.tempfiles import temp_file
from framework.survey.workbook import (
    OLE_MAGIC,
    ZIP_MAGIC,
    compound_file_error,
    is_workbook,
)

THAI_UTF8 = (b"\xe0\xb8", b"\xe0\xb9")  # every Thai character in UTF-8 starts with one of these
THAI = re.compile("[\u0e01-\u0e5b]")


def _unreadable_binary() -> SurveyFileError:
    return SurveyFileError(
        "ไฟล์นี้ไม่ใช่ไฟล์ข้อความ CSV และไม่ใช่สมุดงาน Excel (.xlsx) — บันทึกแบบสำรวจเป็น CSV UTF-8 หรือ "
        "สมุดงาน Excel (.xlsx) แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
        "This file is not a CSV text file nor an Excel workbook (.xlsx) - save the survey as CSV UTF-8 or as an "
        "Excel workbook (.xlsx) and upload again. Nothing was stored.",
    )


class LineCounter:
    """Physical lines of a byte stream fed in chunks: how many, the last bytes, the first one that is too long."""

    def __init__(self) -> None:
        self.newlines = 0
        self.run = 0  # bytes since the last newline
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        self.tail = (self.tail + chunk[-4096:])[-4096:]
        first = chunk.find(b"\n")
        if first < 0:
            if self.run + len(chunk) > MAX_LINE_BYTES:
                raise _line_too_long(self.newlines + 1)
            self.run += len(chunk)
            return
        if self.run + first > MAX_LINE_BYTES:
            raise _line_too_long(self.newlines + 1)
        if len(chunk) > MAX_LINE_BYTES:  # a chunk longer than the limit can hold a whole overlong line
            segs = chunk.split(b"\n")
            k = next((i for i, s in enumerate(segs) if i and len(s) > MAX_LINE_BYTES), 0)
            if k:
                raise _line_too_long(self.newlines + k + 1)
        # Otherwise the lines inside the chunk are shorter than the chunk, hence within the limit.
        self.newlines += chunk.count(b"\n")
        self.run = len(chunk) - chunk.rfind(b"\n") - 1

    def lines(self) -> int:
        """Physical line count without trailing blank lines (what Excel would show as the last row)."""
        stripped = self.tail.rstrip(b"\r\n \t")
        trailing = self.tail[len(stripped) :].count(b"\n")
        return self.newlines - trailing + 1


def _line_too_long(line: int) -> SurveyFileError:
    limit = mb(MAX_LINE_BYTES)
    return SurveyFileError(
        f"บรรทัดที่ {line:,} ของไฟล์ยาวเกิน {limit} ซึ่งไม่ใช่แถวของแบบสำรวจ (แถวหนึ่งปกติยาวไม่กี่ร้อยตัวอักษร) — "
        "ตรวจว่าเลือกไฟล์ถูก และบันทึกแบบสำรวจเป็น CSV UTF-8 ใหม่ ไม่มีข้อมูลใดถูกบันทึก",
        f"Line {line:,} of the file is longer than {limit}, which cannot be a survey row (a row is normally a "
        "few hundred characters) - check that this is the right file and save the survey again as CSV UTF-8. "
        "Nothing was stored.",
    )


def _mixed_encodings(changes: list[tuple[int, str]]) -> SurveyFileError:
    names = {
        "utf8": ("UTF-8", "UTF-8"),
        "other": ("ไม่ใช่ UTF-8 (น่าจะเป็น Windows-874)", "not UTF-8 (probably Windows-874)"),
    }
    shown = changes[:6]
    more = len(changes) > len(shown)
    th = ", ".join(f"ตั้งแต่บรรทัด {n:,} เป็น {names[k][0]}" for n, k in shown) + (" …" if more else "")
    en = ", ".join(f"from line {n:,} {names[k][1]}" for n, k in shown) + (" ..." if more else "")
    return SurveyFileError(
        f"ไฟล์นี้ใช้รหัสอักขระปนกันสองแบบ ({th}) — ถ้าอ่านเป็นแบบเดียว ข้อความภาษาไทยส่วนหนึ่งจะถูกบันทึกเป็นอักษรเพี้ยน "
        "เปิดไฟล์ต้นฉบับแต่ละส่วนแล้วรวมใหม่ใน Excel จากนั้นบันทึกทั้งไฟล์เป็น CSV UTF-8 แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
        f"This file mixes two character encodings ({en}) - read as one encoding, part of its Thai text would be "
        "stored garbled. Open the parts in Excel, put them together again, save the whole file as CSV UTF-8, and "
        "upload that. Nothing was stored.",
    )


def encoding_changes(path: Path) -> list[tuple[int, str]]:
    """(line, "utf8" | "other") wherever the lines holding UTF-8 Thai and the lines that are not UTF-8 take turns;
    ASCII lines and UTF-8 lines without Thai belong to neither. More than one entry = a mixed file."""
    changes: list[tuple[int, str]] = []
    state = None
    with open(path, "rb") as f:
        for n, line in enumerate(f, start=1):
            if line.isascii():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                kind = "other"
            else:
                if not THAI.search(text):
                    continue
                kind = "utf8"
            if kind != state:
                changes.append((n, kind))
                state = kind
    return changes


def decode(path: str | Path, workdir: str | Path | None = None) -> Decoded:
    """Detect the encoding and hash the file; non-UTF-8 files are transcoded to a UTF-8 temp file in streaming
    chunks (DuckDB reads only UTF-8). An Excel workbook (by its bytes, whatever its name) becomes a UTF-8 CSV of
    its first worksheet."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise SurveyFileError(
            "ไฟล์ว่างเปล่า ไม่มีข้อมูลให้นำเข้า ไม่มีข้อมูลใดถูกบันทึก",
            "The file is empty: there is nothing to import. Nothing was stored.",
        )
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == ZIP_MAGIC:
        if is_workbook(path):
            return _package.read_workbook(path, workdir)  # looked up on the package: callers may wrap it
        raise _unreadable_binary()
    if magic == OLE_MAGIC:
        raise compound_file_error(path)
    h = hashlib.sha256()
    counter = LineCounter()
    thai_utf8 = False
    # hashlib releases the GIL on large chunks: one worker thread hashes a chunk while this one checks it.
    with open(path, "rb") as f, ThreadPoolExecutor(1) as hasher:
        head = f.read(4)
        f.seek(0)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            encoding = "utf-16"
        elif head[:3] == b"\xef\xbb\xbf":
            encoding = "utf-8-sig"
        else:
            encoding = "utf-8"
        if encoding != "utf-16":
            dec = codecs.getincrementaldecoder("utf-8")()
            prev = b""
            hashed = None
            while chunk := f.read(CHUNK):
                if hashed:
                    hashed.result()  # in order, and never more than one chunk waiting
                hashed = hasher.submit(h.update, chunk)
                if b"\x00" in chunk:
                    raise _unreadable_binary()
                counter.feed(chunk)
                if not thai_utf8:  # (the joined copy only until the first Thai character is found)
                    joined = prev + chunk
                    thai_utf8 = any(m in joined for m in THAI_UTF8)
                prev = chunk[-1:]
                if encoding != "cp874":
                    try:
                        dec.decode(chunk)
                    except UnicodeDecodeError:
                        encoding = "cp874"
            if encoding == "utf-8":
                try:
                    dec.decode(b"", final=True)
                except UnicodeDecodeError:
                    encoding = "cp874"
        else:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                h.update(chunk)
    digest = h.hexdigest()
    if encoding in ("utf-8", "utf-8-sig"):
        return Decoded(path, encoding, digest, size, counter.lines())
    if encoding == "cp874" and thai_utf8:
        changes = encoding_changes(path)
        if len(changes) > 1:
            raise _mixed_encodings(changes)
    return _transcode(path, encoding, digest, size, workdir)


def _transcode(path: Path, encoding: str, digest: str, size: int, workdir) -> Decoded:
    """Windows-874 / UTF-16 to a UTF-8 temp file in chunks; the temp file is removed on any failure."""
    fd, tmp = temp_file(".csv", workdir)  # the intake prefix: swept if a killed process leaves it
    counter = LineCounter()
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            dec = codecs.getincrementaldecoder(encoding)(errors="strict")
            while True:
                chunk = src.read(CHUNK)
                out = dec.decode(chunk, final=not chunk).encode("utf-8")
                if b"\x00" in out:  # NUL characters: refused in every encoding, as in UTF-8
                    raise _unreadable_binary()
                counter.feed(out)
                dst.write(out)
                if not chunk:
                    break
    except UnicodeDecodeError:
        os.unlink(tmp)
        raise SurveyFileError(
            "อ่านรหัสอักขระของไฟล์ไม่ได้ (รองรับ UTF-8, UTF-16 และ Windows-874/TIS-620) — บันทึกเป็น CSV UTF-8 "
            "แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
            "The file's character encoding cannot be read (UTF-8, UTF-16 and Windows-874/TIS-620 are supported) "
            "- save it as CSV UTF-8 and upload again. Nothing was stored.",
        ) from None
    except BaseException:
        os.unlink(tmp)
        raise
    label = "windows-874" if encoding == "cp874" else encoding
    return Decoded(Path(tmp), label, digest, size, counter.lines(), temp=True)
