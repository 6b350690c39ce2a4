"""Canonical names and respondent ids: THE one rule of every write path (issue 19).

Two strings that look the same must be the same agency, org unit or person, whether they came from a CSV or
Excel file (wide or long), the campaign form, a CLI argument, the upload page, a restore or an archive.

- `name(text)`: agency, org unit, position. Unicode NFC (canonical composition and the canonical order of
  combining marks: Thai SARA UU + MAI THO typed in either order is one string), the Thai tone-mark-before-
  upper-vowel typing order put right, NIKHAHIT + SARA AA as SARA AM, full-width / half-width forms as their
  ordinary characters, invisible and format characters removed (Cc, Cf, Zl, Zp: zero-width space, U+2060,
  bidi marks and overrides, soft hyphen, ESC ...), every whitespace character (tab, CR, line feed, VT,
  no-break space, U+2028 ...) a space, runs of spaces one space, none at either end.
- `respondent_id(text)`: NFKC (full-width and other compatibility forms), the decimal digits of every script
  (Thai ๑, Arabic-Indic ١, full-width １ ...) as ASCII digits, spaces collapsed and stripped. An id holding a
  control, format or line/paragraph separator character is REFUSED (`IdError`, naming the character as
  U+XXXX and its position): such an id is rejected with its reason, never silently changed. `strict=False`
  (only for rows already stored: the schema upgrade, an old archive) removes those characters instead.
- `lookalike(name, existing)`: an existing name that the given one only looks like (equal after folding
  Cyrillic and Greek homoglyphs, compatibility forms, case and spaces), for a warning at upload;
  `mixed_script(name)` the Cyrillic or Greek letters inside a Thai or Latin name; `lookalike_warning` both,
  as one bilingual message.
"""

from __future__ import annotations

import re
import unicodedata

from framework.errors import BilingualError

INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})  # removed from names; refused in ids
# Thai typing orders that render the same: a tone mark (or thanthakhat) typed before an upper vowel or
# MAI HAN-AKAT (NFC leaves them: both have combining class 0 or the vowel has), NIKHAHIT + SARA AA for SARA AM.
_THAI_TONE_VOWEL = re.compile("([\u0e48-\u0e4c])([\u0e31\u0e34-\u0e37])")
_THAI_AM = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
_PLAIN_NAME = re.compile(r"[!-~]+(?: [!-~]+)*")  # printable ASCII, single inner spaces: already canonical
_PLAIN_ID = re.compile(r"[!-~]+")


class IdError(BilingualError):
    """A respondent id with a control or format character: refused, with the character and its position."""


def _char(ch: str) -> str:
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'control')})"


def _width(ch: str) -> str:
    """A full-width or half-width form (U+FF00..U+FFEF) as its ordinary character; any other unchanged."""
    return unicodedata.normalize("NFKC", ch) if "\uff00" <= ch <= "\uffef" else ch


def name(text: str | None) -> str | None:
    """The canonical form of an agency, org unit or position name (see the module docstring); None stays None.
    An empty result is ''."""
    if text is None:
        return None
    s = str(text)
    if _PLAIN_NAME.fullmatch(s):
        return s
    s = unicodedata.normalize("NFC", s)
    out = []
    for ch in s:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) not in INVISIBLE:
            out.append(_width(ch))
    s = " ".join("".join(out).split())
    s = _THAI_AM.sub("\\1\u0e33", _THAI_TONE_VOWEL.sub("\\2\\1", s))
    return unicodedata.normalize("NFC", s)  # a removed character may have separated a base and its mark


def id_problem(text: str | None) -> tuple[str, str] | None:
    """(Thai, English) naming the first control / format / separator character of an id (as U+XXXX and its
    1-based position in the id as given); None when there is none. Surrounding spaces are not a problem."""
    if text is None:
        return None
    s = str(text)
    if _PLAIN_ID.fullmatch(s):
        return None
    for i, ch in enumerate(s, 1):
        if unicodedata.category(ch) in INVISIBLE:
            what = _char(ch)
            return (
                (f"รหัสผู้ตอบมีอักขระควบคุมหรืออักขระที่มองไม่เห็น {what} ที่ตำแหน่ง {i} — ลบอักขระนั้นออก (พิมพ์รหัสใหม่) แล้วส่งใหม่"),
                (
                    f"the respondent id holds a control or invisible character {what} at position {i} - remove "
                    "it (type the id again) and send it again"
                ),
            )
    return None


def respondent_id(text: str | None, strict: bool = True) -> str | None:
    """The canonical respondent id (see the module docstring); None stays None. Raises IdError for a control
    or format character (strict), or removes it (strict=False, rows already stored)."""
    if text is None:
        return None
    s = str(text)
    if _PLAIN_ID.fullmatch(s):
        return s
    if strict and (problem := id_problem(s)):
        raise IdError(*problem)
    s = unicodedata.normalize("NFKC", s)
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if ch.isspace():
            out.append(" ")
        elif cat == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        elif cat not in INVISIBLE:
            out.append(ch)
    return " ".join("".join(out).split())


# --- look-alikes -----------------------------------------------------------------------------------------------
# Cyrillic and Greek letters drawn like Latin ones (Unicode confusables, the common subset).
_HOMOGLYPHS = str.maketrans(
    {
        **dict(zip("АВЕЅІЈКМНОРСТХУаеіјорсухѕԁԛԝһӏ", "ABESIJKMHOPCTXYaeijopcyxsdqwhl")),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοινρτυχ", "ABEZHIKMNOPTYXaoivptux")),
    }
)
_OTHER_SCRIPTS = ("CYRILLIC", "GREEK")


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    word = unicodedata.name(ch, "").split(" ")[0]
    return "LATIN" if word == "FULLWIDTH" else word


def fold(text: str | None) -> str:
    """A name folded for look-alike comparison: canonical, NFKC, homoglyphs as Latin, case and spaces ignored."""
    s = unicodedata.normalize("NFKC", name(text) or "").translate(_HOMOGLYPHS).casefold()
    return "".join(s.split())


def mixed_script(text: str | None) -> list[str]:
    """The Cyrillic or Greek letters of a name that also has Thai or Latin letters (as 'А U+0410'); [] if none."""
    scripts = {ch: _script(ch) for ch in dict.fromkeys(name(text) or "")}
    if not {"THAI", "LATIN"} & set(scripts.values()):
        return []
    return [f"{ch} U+{ord(ch):04X}" for ch, sc in scripts.items() if sc in _OTHER_SCRIPTS]


def lookalike(text: str | None, existing) -> str | None:
    """The existing name (other than the canonical `text` itself) that `text` only looks like; None if none."""
    canon = name(text)
    if not canon:
        return None
    key = fold(canon)
    for other in existing:
        if other and name(other) != canon and fold(other) == key:
            return other
    return None


def lookalike_warning(text: str | None, existing) -> tuple[str, str] | None:
    """(Thai, English) warning for a name that only looks like an existing agency, or mixes scripts; None
    when neither. The names are data: a page shows this through framework.text.md()."""
    canon = name(text)
    other = lookalike(canon, existing)
    mixed = mixed_script(canon)
    if not other and not mixed:
        return None
    th = en = ""
    if other:
        th = (
            f"ชื่อหน่วยงาน \"{canon}\" ดูเหมือน \"{other}\" ที่มีอยู่แล้ว แต่ตัวอักษรต่างกัน จึงจะนับเป็นอีกหน่วยงานหนึ่ง "
            f"— ถ้าเป็นหน่วยงานเดียวกัน ให้เลือก \"{other}\" จากรายการ"
        )
        en = (
            f"The agency name \"{canon}\" looks like the existing \"{other}\" but its characters differ, so it "
            f"would count as another agency - if it is the same agency, choose \"{other}\" from the list."
        )
    if mixed:
        letters = ", ".join(mixed)
        th += (" " if th else "") + (
            f"ชื่อ \"{canon}\" มีตัวอักษรซีริลลิกหรือกรีก ({letters}) ปนกับอักษรไทยหรือละติน — ตรวจว่าพิมพ์ถูกต้อง"
        )
        en += (" " if en else "") + (
            f"The name \"{canon}\" has Cyrillic or Greek letters ({letters}) among Thai "
            "or Latin ones - check it is typed right."
        )
    return th, en
