"""Handout: one standalone HTML page per profile, escaped, offline (no external URLs), printable on A4."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import pytest

from framework.catalog import STAFF_GROUPS, STAGES
from framework.handout import circular_ref, profile_handout


class _Refs(HTMLParser):
    """Collects src/href attributes and tag names."""

    def __init__(self):
        super().__init__()
        self.refs, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


@pytest.mark.parametrize("stage,group", [("Mature", "Service"), ("Early", "Technologist"), ("Developing", "Others")])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_handout_has_persona_and_every_unit(catalog, stage, group, lang):
    html = profile_handout(catalog, stage, group, lang)
    p = catalog.profile(stage, group)
    assert f"<h1>{escape(p.persona(lang))}</h1>" in html
    for code in p.units["code"]:
        assert f">{code}<" in html
    for text in p.knowledge["text_th" if lang == "th" else "text_en"]:
        assert escape(text) in html


def test_handout_is_offline_and_printable(catalog):
    html = profile_handout(catalog, "Mature", "Technologist", "th")
    parser = _Refs()
    parser.feed(html)
    assert not [r for r in parser.refs if re.match(r"(?i)\s*(https?:)?//", r)]
    assert "script" not in parser.tags and "img" not in parser.tags and "link" not in parser.tags
    assert not re.search(r"(?i)url\(|@import|https?://", html)
    assert '<meta charset="utf-8">' in html and "@page" in html and "size: A4" in html and "@media print" in html
    assert html.encode("utf-8").decode("utf-8") == html


def test_handout_escapes_text(catalog, monkeypatch):
    p = catalog.profile("Early", "Service")
    p.persona_th = '<script>alert("x")</script> & co'
    monkeypatch.setattr(type(catalog), "profile", lambda self, s, g: p)
    html = profile_handout(catalog, "Early", "Service", "th")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html


def test_handout_marks_basic_and_specific_items(catalog):
    html = profile_handout(catalog, "Developing", "Academic", "en")
    assert "basic</span>" in html and "specific</span>" in html
    th = profile_handout(catalog, "Developing", "Academic", "th")
    assert "พื้นฐาน</span>" in th and "เฉพาะ</span>" in th


def test_every_profile_builds(catalog):
    for s in STAGES:
        for g in STAFF_GROUPS:
            assert "</html>" in profile_handout(catalog, s, g, "th")


def test_footer_cites_the_circular_in_the_handout_language(catalog):
    en = profile_handout(catalog, "Mature", "Service", "en")
    th = profile_handout(catalog, "Mature", "Service", "th")
    assert "Source: OCSC circular No. นร 1013/ว 6 (18 May 2018)" in en
    assert "๑๐๑๓" not in en
    assert "ที่มา: สำนักงาน ก.พ. หนังสือที่ นร ๑๐๑๓/ว ๖ (18 พฤษภาคม 2561)" in th and "May" not in th


def test_circular_ref_leaves_unknown_text_alone():
    assert circular_ref("no date here", "th") == "no date here"
    assert circular_ref("ที่ ๑/๒ (1 January 2020)", "th") == "ที่ ๑/๒ (1 มกราคม 2563)"


@pytest.mark.browser
def test_every_handout_prints_on_one_a4_page(catalog):
    """Print each of the 18 profiles in both languages as Chromium does (print CSS, A4) and count the pages."""
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ]
    pages = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/lib/chromium/chromium", args=args)
        try:
            page = browser.new_page()
            for s in STAGES:
                for g in STAFF_GROUPS:
                    for lang in ("th", "en"):
                        page.set_content(profile_handout(catalog, s, g, lang))
                        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
                        pages[(s, g, lang)] = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        finally:
            browser.close()
    assert len(pages) == 36
    assert {k: n for k, n in pages.items() if n != 1} == {}
