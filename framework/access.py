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
