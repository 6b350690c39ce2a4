"""framework.text: text from data shown as text in Markdown, HTML and Plotly labels (issue 20)."""

from __future__ import annotations

import re

import pytest

from framework.text import WORD_JOINER, html, md, plotly

HOSTILE = [
    "![a](http://127.0.0.1:9/x.png)",
    "_a_ __b__ c_ _d snake_case",
    '<a href="http://x/phish">Sign in again</a>',
    "[Sign in](//127.1)",
    ":red[RED] :material/home: x",
    "$x^2$",
    "**bold** _it_ `code` ~~s~~",
    "&amp; &lt;b&gt;",
    "<img src=http://127.0.0.1:9/y.png>",
    "http://auto.example/a www.auto.example u@example.com",
    "# head\n\n- item\n1. one\n> quote\n---\n| a | b |",
    "a\\b",
]


def _unescaped(text: str, chars: str) -> list[str]:
    """The characters of `chars` in `text` not preceded by a backslash (an escaped backslash counts)."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            out.append(text[i])
        i += 1
    return out


@pytest.mark.parametrize("s", HOSTILE)
def test_md_leaves_no_markdown_active_character_unescaped(s):
    out = md(s)
    assert _unescaped(out, "\\`*{}[]<>#|~$&!") == []
    assert not re.search(r"(?<!\\)(?<![^\W_])_|(?<!\\)_(?![^\W_])", out)  # "_" only inside a word
    assert not re.search(r"(?<!\\):[A-Za-z0-9/]", out)  # ":" before a name escaped
    assert out.replace("\\", "").replace(WORD_JOINER, "") == s.replace("\\", "")  # the text itself is kept
    for line in out.split("\n"):  # no line starts a list, quote, heading or rule
        assert not re.match(r"\s*([-+=>#*]|\d+[.)])", line), line


def test_md_breaks_autolinks_and_directives_with_an_invisible_joiner():
    out = md("see http://h/x, www.h.org, u@h.org and :red[x]")
    assert "http\\:" + WORD_JOINER + "//" in out
    assert WORD_JOINER + "www." in out and "@" + WORD_JOINER in out
    assert "\\:" + WORD_JOINER + "red\\[x\\]" in out


def test_md_keeps_ordinary_text_readable():
    assert md("กรมทดสอบ 1,000 rows (2.5%) - ok") == "กรมทดสอบ 1,000 rows (2.5%) - ok"
    assert md("Fix: set respondent_id") == "Fix: set respondent_id"
    assert md(None) == "" and md(float("nan")) == "" and md(3) == "3"
    assert md("line one\r\n\r\nline two") == "line one\n\nline two"


def test_html_escapes_tags_quotes_and_blank_lines():
    assert html('<a href="x">y</a>\n\n![i](u)') == "&lt;a href=&quot;x&quot;&gt;y&lt;/a&gt; ![i](u)"
    assert html("R&D 'x'") == "R&amp;D &#x27;x&#x27;"


def test_plotly_escapes_tags_and_entities():
    assert plotly('<a href="http://x/phish">Sign in</a>') == '&lt;a href="http://x/phish"&gt;Sign in&lt;/a&gt;'
    assert plotly("R&D<br>x\ny") == "R&amp;D&lt;br&gt;x y"
    assert "<" not in plotly("<b><i><sup><span style='x'>") and plotly(None) == ""
