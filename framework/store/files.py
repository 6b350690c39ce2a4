"""The original uploaded file kept in store.batch_files: written by DuckDB from the file itself, compressed
(zstd) when it is larger than COMPRESS_ABOVE, and read back whole as its own bytes.

DuckDB holds a BLOB value about 2.6 times over while it stores it (a 540 MB file of 3M rows took 1.4 GB):
compressed first, a large survey's file costs a sixth of that. The row keeps the file's own `size`; a
stored value shorter than `size` is the zstd stream of the file (a standard zstd frame), so rows written
before (and small files) are read as they are.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa

from framework.survey.tempfiles import temp_file

COMPRESS_ABOVE = 8 << 20  # bytes; smaller files are kept as they are
CHUNK = 4 << 20


def keep(cur, batch_id: str, file_name: str, path: Path) -> None:
    """Insert the file into store.batch_files on the caller's cursor (inside its transaction)."""
    path = Path(path)
    size = path.stat().st_size
    if size <= COMPRESS_ABOVE:
        _insert(cur, batch_id, file_name, size, path)
        return
    fd, tmp = temp_file(".zst")  # the intake prefix: swept if a killed process leaves it
    os.close(fd)
    try:
        with open(path, "rb") as src, pa.output_stream(tmp, compression="zstd") as out:
            while chunk := src.read(CHUNK):
                out.write(chunk)
        _insert(cur, batch_id, file_name, size, Path(tmp))
    finally:
        os.unlink(tmp)


def _insert(cur, batch_id: str, file_name: str, size: int, data: Path) -> None:
    """DuckDB reads the bytes itself (no copy through Python) unless the path has a character read_blob would
    take as a glob pattern."""
    where = str(data.resolve())
    if not any(ch in where for ch in "*?[]{}"):
        cur.execute(
            "INSERT INTO store.batch_files SELECT ?, ?, ?, content FROM read_blob(?)",
            [batch_id, file_name, size, where],
        )
        return
    cur.execute("INSERT INTO store.batch_files VALUES (?, ?, ?, ?)", [batch_id, file_name, size, data.read_bytes()])


def original(data: bytes, size: int) -> bytes:
    """The file's own bytes from a batch_files row (data, size)."""
    data = bytes(data)
    if len(data) == int(size):
        return data
    return pa.decompress(data, decompressed_size=int(size), codec="zstd", asbytes=True)
