"""Where a label may be wrapped or shortened: at word boundaries, found by a Thai word segmenter.

Thai is written without spaces between words, so a label cut at a character count ends mid-word
("ผู้บริหารระดับสู"). `pieces` splits a text into its words with PyThaiNLP's dictionary segmenter (newmm, pure
Python; unknown text falls back to Thai character clusters, so a vowel or tone mark never leaves its consonant);
a dictionary compound ("ผู้บริหารระดับสูง") that does not fit is split further where both sides are dictionary
words ("ผู้บริหาร" + "ระดับสูง"), so a narrow label can still wrap between them. Spaces and punctuation are their own
pieces; English words are whole pieces. `wrap` and `shorten` only ever cut between pieces.
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache

ELLIPSIS = "…"


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


def _thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


def _split_compound(token: str) -> list[str]:
    """A dictionary compound as its dictionary parts (prefix and rest both words, rest split again)."""
    words = _words()
    if len(token) < 6 or not _thai(token):
        return [token]
    for i in range(len(token) - 3, 2, -1):  # the longest first part that leaves a word (3+ letters each)
        head, rest = token[:i], token[i:]
        if unicodedata.category(rest[0]) == "Mn" or head not in words:
            continue
        if rest in words:
            return [head, *_split_compound(rest)]
    return [token]


@lru_cache(maxsize=8192)
def pieces(text: str) -> tuple[str, ...]:
    """The text's words in order, spaces kept; "".join(pieces(t)) == t."""
    if not text:
        return ()
    if not _thai(text):
        out: list[str] = []
        for part in text.split(" "):
            out += [" ", part] if out else [part]
        return tuple(p for p in out if p != "")
    from pythainlp.tokenize import word_tokenize

    return tuple(word_tokenize(text, engine="newmm", keep_whitespace=True))


def shown_len(text: str) -> int:
    """Characters a reader sees: Thai vowel and tone marks above / below a letter take no width."""
    return sum(1 for ch in text if unicodedata.category(ch) != "Mn")


def shorten(text, limit: int = 38) -> str:
    """`text` if it has at most `limit` characters, else its first whole words within `limit` and "…".

    When the first words fill less than half the limit (a very long next word), that word is kept whole too:
    a label is never cut inside a word."""
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    if len(text) <= limit:
        return text
    out = ""
    todo = list(pieces(text))
    while todo:
        p = todo.pop(0)
        if len(out) + len(p) > limit:
            parts = _split_compound(p) if len(out.rstrip()) <= limit // 2 else [p]
            if len(parts) > 1:  # a compound that does not fit a short label: try its parts
                todo[:0] = parts
                continue
            if len(out.rstrip()) <= limit // 2:
                out += p
            break
        out += p
    return out.rstrip(" (") + ELLIPSIS


def wrap(label: str, width: int = 12) -> list[str]:
    """`label` on lines of at most `width` shown characters, broken only between words (a longer word stays
    whole on its own line)."""
    lines: list[str] = []
    todo = list(pieces(label))
    while todo:
        p = todo.pop(0)
        if shown_len(p) > width and len(parts := _split_compound(p)) > 1:
            todo[:0] = parts  # a compound wider than a line: its parts
            continue
        if p == " ":
            if lines and not lines[-1].endswith(" "):
                lines[-1] += " "
            continue
        if lines and shown_len(lines[-1] + p) <= width:
            lines[-1] += p
        else:
            if lines:
                lines[-1] = lines[-1].rstrip()
            lines.append(p)
    return [ln.rstrip() for ln in lines]
