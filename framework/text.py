"""Text from data shown as text: the one place that escapes a string for Markdown, HTML or a Plotly label.

Anything that came from a file, a form or a URL (agency, org unit, respondent id, file name, column header,
campaign code, batch name, a round line that names agencies ...) goes through one of these before it reaches
a Markdown-rendering call (st.markdown, st.caption, st.info/warning/error/success, st.write, widget labels),
an HTML string or a Plotly label (tick text, hover text, titles, annotations render a subset of HTML there).
`tests/test_consistency.py` checks that pages/, ui/ and app.py interpolate data into Markdown only through md().

- md(s): the characters that start Markdown backslash-escaped (CommonMark renders `\\x` as the character x;
  ALWAYS anywhere, LINE_START at the start of a line), so no link, image, emphasis, heading, list, table, math
  (`$`), raw HTML, entity (`&amp;`) or Streamlit directive (`:red[...]`, `:material/icon:`) can form; a word
  joiner after `:` and `@` and before `www.` stops GFM's autolinks (they ignore the escapes) and directives.
  `_` inside a word and `:` before a space stay as they are (neither can start anything there).
- html(s): `& < > " '` as entities, line breaks as spaces (a blank line would end an HTML block in Markdown).
- plotly(s): `& < >` as entities (Plotly decodes entities after it has read its tags), line breaks as spaces.

pick(lang, th, en) is THE Thai/English picker of the framework side (ui.shell.tr picks by the page language).
"""

from __future__ import annotations

import html as _html
import math
import re

# Escaped wherever they stand: emphasis, code, links and images ([ ]), raw HTML and autolinks (< >), entities
# (&), headings (#), tables (|), strikethrough (~), math ($), the escape itself.
ALWAYS = r"""\`*{}[]<>#|~$&!"""
_MD_ACTIVE = re.compile(
    "([" + re.escape(ALWAYS) + "])"
    r"|(?<![^\W_])_|_(?![^\W_])"  # "_" except inside a word (never emphasis there)
    r"|:(?=[A-Za-z0-9/_-])"
)  # ":" before a name: ":red[", ":material/", "http:"
# Active only as the first character of a line (lists, thematic breaks, setext headings, block quotes):
# escaped there, left alone elsewhere so "1,000 rows (2.5%) - ok" stays readable in the page source.
LINE_START = "+-="
_LINE_START = re.compile(r"(?m)^([ \t]*)([" + re.escape(LINE_START) + r"]|\d+[.)])")
_BREAKS = re.compile(r"[\r\n\t\v\f\x00-\x08\x0e-\x1f\x7f\u2028\u2029\x85]+")
# GFM autolinks "www.", "http:", "x@y.z" even when their punctuation is escaped, and Streamlit reads
# ":red[" and ":material/" after an escaped colon: a word joiner (invisible, zero width) breaks each.
WORD_JOINER = "\u2060"
_WWW = re.compile(r"(?i)(www\.)")


def _plain(value, keep_lines: bool = False) -> str:
    """The value as one line of text ('' for None and NaN); `keep_lines` keeps its line breaks (as \\n)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    if keep_lines:
        return "\n".join(_BREAKS.sub(" ", line) for line in re.split(r"\r\n|[\r\n\u2028\u2029\x85]", text))
    return _BREAKS.sub(" ", text)


def md(value) -> str:
    """`value` as literal text inside Markdown (st.markdown, st.caption, st.info, widget labels ...).

    Line breaks are kept (a message's detail after a blank line): with the line-start characters escaped a
    line cannot start a heading, list, quote, table or fence."""
    text = _MD_ACTIVE.sub(lambda m: "\\" + m.group(0), _plain(value, keep_lines=True))
    text = _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)
    text = _WWW.sub(WORD_JOINER + r"\1", text)
    return text.replace("\\:", "\\:" + WORD_JOINER).replace("@", "@" + WORD_JOINER)


def html(value) -> str:
    """`value` as literal text inside HTML (an element's text or a quoted attribute)."""
    return _html.escape(_plain(value), quote=True)


def plotly(value) -> str:
    """`value` as literal text in a Plotly label (tick text, hover text, title, annotation, legend name)."""
    return _plain(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pick(lang: str, th: str, en: str) -> str:
    """The English text for lang "en", else the Thai (the framework's one Thai/English picker)."""
    return en if lang == "en" else th
