"""HR passphrase for uploads, deletes and row-level views; the page passes Streamlit's secret in (no streamlit here)."""
from __future__ import annotations

import hmac
import os
import tomllib
from pathlib import Path

ENV = "SKILLS_HR_PASSPHRASE"


def configured(secret: str | None = None) -> str | None:
    """The passphrase in force: $SKILLS_HR_PASSPHRASE, else the Streamlit secret `hr_passphrase`, else None.
    A TOML secret may be a number (hr_passphrase = 1234): it is compared as its text."""
    value = os.environ.get(ENV) or secret
    return str(value) if value not in (None, "") else None


def local_mode(secret: str | None = None) -> bool:
    """No passphrase configured: the app runs in local single-user mode and allows everything."""
    return configured(secret) is None


def verify(given: str | None, secret: str | None = None) -> bool:
    """True when access is allowed: local mode, or `given` equals the passphrase (constant-time compare)."""
    expected = configured(secret)
    if expected is None:
        return True
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


def secrets_file_passphrase() -> str | None:
    """`hr_passphrase` from the app's .streamlit/secrets.toml, for the CLI (the app gets it from st.secrets)."""
    from framework.paths import ROOT

    for path in (ROOT / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        try:
            with path.open("rb") as fh:
                value = tomllib.load(fh).get("hr_passphrase")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if value not in (None, ""):
            return str(value)
    return None


# --- the smallest cell: one rule for every page, export, CLI command and the analyst SQL -------------------
MIN_CELL_ENV = "SKILLS_MIN_CELL_FLOOR"
DEFAULT_MIN_CELL_FLOOR = 5


def min_cell_floor() -> int:
    """The configured floor of k (smallest cell shown): $SKILLS_MIN_CELL_FLOOR, else 5; never below 1."""
    raw = os.environ.get(MIN_CELL_ENV, "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_MIN_CELL_FLOOR
    except ValueError:
        return DEFAULT_MIN_CELL_FLOOR


def allowed_min_cell(k: int, authorised: bool) -> int:
    """`k` if this user may use it, else raise: only the HR passphrase (or local mode) goes below the floor.

    `authorised` is True for a user who gave the passphrase, or for anyone when no passphrase is configured.
    """
    from framework.errors import BilingualError

    floor = min_cell_floor()
    k = int(k)
    if k < 1:
        raise BilingualError(f"จำนวนผู้ตอบขั้นต่ำต่อช่อง (k) ต้องไม่น้อยกว่า 1 (ได้รับ {k})",
                             f"The smallest cell (k) must be at least 1 (got {k})")
    if k < floor and not authorised:
        raise BilingualError(
            f"จำนวนผู้ตอบขั้นต่ำต่อช่อง (k) ต่ำกว่า {floor} ได้เฉพาะผู้มีรหัสผ่าน HR — ใช้ k ≥ {floor} หรือใส่รหัสผ่าน",
            f"A smallest cell (k) below {floor} needs the HR passphrase — use k ≥ {floor} or give the passphrase")
    return k
