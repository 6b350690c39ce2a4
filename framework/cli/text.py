"""What the CLI writes to a terminal: text that cannot move the cursor, recolour or reorder what follows.

Names, file names and values in the store are user text: an agency named `Evil\\x1b[2K\\rAgency A (verified)`
would erase its own line and print as another agency on a terminal, and U+202E would reverse what follows.
Every command prints through `echo()` (tests/test_cli_text.py holds framework/cli/ to it), which writes each
unsafe character visibly as an escape: C0 controls (except the line breaks of the output itself), DEL and C1
controls as `\\x1b` (`\\r`, `\\n`, `\\t` for those three); bidi and other invisible format characters
(Unicode Cc, Cf, Zl, Zp, lone surrogates) as `\\u202e` / `\\U000e0041`. Tables and CSV go through
`escape_frame()` first, which escapes every control in a cell, line breaks included, so one cell cannot fake a
row. JSON keeps its meaning: `echo(..., json=True)` writes the same characters as JSON's own `\\u` escapes (a
JSON reader gets the original text back). A backslash itself is not escaped.
"""

from __future__ import annotations

import sys
import unicodedata

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _code(ch: str, json: bool) -> str:
    o = ord(ch)
    if json:
        if o > 0xFFFF:  # JSON spells a character beyond the BMP as a surrogate pair
            o -= 0x10000
            return f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}"
        return f"\\u{o:04x}"
    if ch in _SHORT:
        return _SHORT[ch]
    if o < 0x100:
        return f"\\x{o:02x}"
    return f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}"


def unsafe(ch: str) -> bool:
    """A character a terminal may act on, or that is invisible and changes how text reads (bidi, format)."""
    return not ch.isprintable() and unicodedata.category(ch) in UNSAFE_CATEGORIES


def escape(text, *, keep: str = "", json: bool = False) -> str:
    """`text` with every unsafe character (but those in `keep`, e.g. "\\n") written as a visible escape."""
    text = str(text)
    if text.isprintable():  # the common case (Thai and Latin text): nothing to do
        return text
    return "".join(_code(ch, json) if ch not in keep and unsafe(ch) else ch for ch in text)


def escape_frame(df):
    """A copy of DataFrame `df` whose text cells (and column names) have every unsafe character escaped, line
    breaks too."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [escape(v) if isinstance(v, str) else v for v in out[col]]
    out.columns = [escape(c) if isinstance(c, str) else c for c in out.columns]
    return out


def echo(text: str = "", *, err: bool = False, json: bool = False, end: str = "\n") -> None:
    """Print `text` (UTF-8) on stdout, or stderr with err=True, its unsafe characters escaped (line breaks kept)."""
    stream = sys.stderr if err else sys.stdout
    data = escape(text, keep="\n", json=json) + end
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(data)
        stream.flush()
        return
    stream.flush()
    buffer.write(data.encode("utf-8", "backslashreplace"))
    buffer.flush()
