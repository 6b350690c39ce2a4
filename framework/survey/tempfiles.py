"""The intake's temporary files: one prefix, so that files a killed process left behind can be swept.

`decode` (Windows-874 / UTF-16 -> UTF-8), `workbook` (.xlsx -> CSV) and the upload page (the uploaded bytes)
write their temporary copies with `temp_file()` and remove them in `finally` blocks. A process killed in the
middle (kill -9, out of memory, a power cut) cannot, so `sweep_stale()` - called when the app opens its store
connection and when a CLI command opens the store - removes this prefix's files older than an hour. Nothing
else in the temp directory is touched (other prefixes, directories, other users' files).
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

PREFIX = "skills-intake-"
STALE_SECONDS = 3600.0  # an intake never takes an hour: older files belong to a process that was killed


def temp_file(suffix: str = ".csv", workdir: str | Path | None = None) -> tuple[int, str]:
    """(fd, path) of a new intake temp file, as tempfile.mkstemp (the caller closes and removes it)."""
    return tempfile.mkstemp(prefix=PREFIX, suffix=suffix, dir=workdir)


def sweep_stale(
    directory: str | Path | None = None, *, older_than: float = STALE_SECONDS, now: float | None = None
) -> int:
    """Remove intake temp files (PREFIX*, regular files of this user) not modified for `older_than` seconds
    from `directory` (default: the system temp directory); returns how many. Never raises."""
    where = Path(directory or tempfile.gettempdir())
    limit = (time.time() if now is None else now) - older_than
    removed = 0
    try:
        entries = list(where.glob(PREFIX + "*"))
    except OSError:
        return 0
    uid = os.getuid() if hasattr(os, "getuid") else None
    for p in entries:
        try:
            st = p.lstat()
            if not stat.S_ISREG(st.st_mode) or st.st_mtime >= limit or (uid is not None and st.st_uid != uid):
                continue
            p.unlink()
            removed += 1
        except OSError:  # gone already, or not ours to remove
            continue
    return removed
