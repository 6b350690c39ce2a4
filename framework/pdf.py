"""HTML -> PDF with the system's headless Chromium (Debian package `chromium`); fonts are embedded by Chromium.

One short-lived Chromium process per document, in its own process group and its own temporary profile
directory: on a timeout the whole group is killed, and the temporary directory is always removed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from framework import settings
from framework.errors import BilingualError

TIMEOUT_S = 60.0
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def chromium_path() -> str:
    """The Chromium binary: $SKILLS_CHROMIUM if set, else Debian's /usr/lib/chromium/chromium (settings)."""
    return str(settings.get("SKILLS_CHROMIUM"))


def _failed(detail: str) -> BilingualError:
    return BilingualError(
        "สร้างไฟล์ PDF ไม่สำเร็จ: โปรแกรม Chromium ของเครื่องแม่ข่ายไม่ทำงานหรือใช้เวลานานเกินไป "
        "ให้ใช้ปุ่มดาวน์โหลด HTML แล้วสั่งพิมพ์เป็น PDF จากเบราว์เซอร์แทน หรือแจ้งผู้ดูแลให้ติดตั้งแพ็กเกจ chromium",
        "Could not make the PDF: the server's Chromium did not run or took too long. Download the HTML "
        "instead and print it to PDF from your browser, or ask the administrator to install the chromium package.",
        detail,
    )


def html_to_pdf(html: str, timeout: float = TIMEOUT_S) -> bytes:
    """Render one HTML document (its own @page rules decide the paper) to PDF bytes; BilingualError on failure."""
    tmp = Path(tempfile.mkdtemp(prefix="skills-pdf-"))
    try:
        src, out = tmp / "document.html", tmp / "document.pdf"
        src.write_text(html, encoding="utf-8")
        cmd = [chromium_path(), *FLAGS, f"--user-data-dir={tmp / 'profile'}", f"--print-to-pdf={out}", src.as_uri()]
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
            )
        except OSError as exc:  # binary missing or not executable
            raise _failed(f"{cmd[0]}: {exc}") from exc
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            proc.communicate()
            raise _failed(f"timeout after {timeout:g} s") from None
        finally:
            _kill_group(proc.pid)  # helpers Chromium may leave behind in its own session
        data = out.read_bytes() if out.exists() else b""
        if proc.returncode != 0 or not data.startswith(b"%PDF"):
            last = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise _failed(f"chromium exit {proc.returncode}: {last[0][:300]}")
        return data
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def page_count(pdf: bytes) -> int:
    """Pages of a PDF written by Chromium (page objects are not packed in object streams there)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def embedded_fonts(pdf: bytes) -> list[str]:
    """Base names of the fonts a PDF embeds (subset prefix removed), e.g. ['Loma', 'Loma-Bold']."""
    if b"/FontFile" not in pdf:
        return []
    names = re.findall(rb"/FontName\s*/(?:[A-Z]{6}\+)?([^\s/<>\[\]()]+)", pdf)
    return sorted({n.decode("latin-1") for n in names})
