"""What an upload may be: the bounds that keep a hostile or broken file from sinking the server.

Each bound is far above any real survey (39 units, 5 fixed columns, a few form-export columns) and is checked
before the costly step it protects: the header before a CSV is read, the zip directory and the first
worksheet's XML (streamed, never expanded in memory) before a workbook is opened. `rules.py` shows them.
"""

from __future__ import annotations

MAX_COLUMNS = 400  # 39 units + 88 elements + id/group/agency/unit/position + form-export columns
MAX_HEADER_BYTES = 128 << 10  # one header line (or "#" line before it)
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell; a longer CSV cell rejects its row
MAX_LINE_BYTES = 64 << 20  # one physical CSV line; a longer one refuses the file (no row is ever dropped)
MAX_XLSX_ROWS = 200_000  # rows of a workbook's first worksheet (larger surveys: upload a CSV)
MAX_UNZIPPED_BYTES = 256 << 20  # a workbook's parts, decompressed, all together
MAX_SHARED_BYTES = 64 << 20  # the shared strings, which openpyxl holds in memory whole
MAX_PART_BYTES = 16 << 20  # any other XML part openpyxl parses whole (styles, workbook, relationships)
MAX_ZIP_RATIO = 100  # decompressed / compressed size of one part (parts over 1 MB)
MAX_ZIP_MEMBERS = 10_000


def mb(n: int) -> str:
    """A byte count as people read it (1 KB = 1,024 bytes)."""
    return f"{n >> 20:,} MB" if n >= 1 << 20 else f"{n >> 10:,} KB"
