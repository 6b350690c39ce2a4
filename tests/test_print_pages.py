"""Printed pages (issue 21, points 9 and 16): the IDP of an 8-unit profile on one A4 page, 'not assessed' in the
same section as on screen; the stage PDF without stray Thai marks at the foot of a page. Needs chromium."""

from __future__ import annotations

import re

import pytest

from framework import db, pdf, print_css
from framework import respondents as rsp
from framework.catalog import STAFF_GROUPS, Catalog
from framework.handout import profiles_deck
from framework.store import ensure_schema

EIGHT_UNIT_PROFILES = [("Early", "Service"), ("Developing", "Others")]


@pytest.fixture
def plans(store_path):
    """The worst case for the page count: every required unit at level 0 (all to develop, every element listed),
    one person per 8-unit profile; plus one with two units not assessed."""
    con = db.connect(store_path)
    cat = Catalog(con)
    codes = cat.unit_codes()
    ensure_schema(con, codes)
    con.execute(
        "INSERT INTO store.batches (batch_id, file_name, content_hash, agency, stage, round_date, "
        "uploaded_at, rows_read, accepted, rejected) VALUES ('B1', 'b.csv', 'h', 'กรมทดลอง', 'Early', "
        "DATE '2025-01-15', TIMESTAMP '2025-01-16 09:00', 3, 3, 0)"
    )
    cols = ", ".join(["batch_id", "respondent_id", "staff_group"] + [f'"{c}"' for c in codes])
    rows = []
    for stage, group in EIGHT_UNIT_PROFILES:
        required = cat.profile_units(stage, group)["code"].tolist()
        assert len(required) == 8
        rows.append(["B1", f"{stage}-{group}", group] + [0 if c in required else None for c in codes])
    early = cat.profile_units("Early", "Service")["code"].tolist()
    rows.append(["B1", "partly", "Service"] + [None if c in early[:2] else 3 if c in early[2:4] else 1 for c in codes])
    con.executemany(f"INSERT INTO store.responses ({cols}) VALUES ({', '.join('?' * (3 + len(codes)))})", rows)
    yield con, cat
    con.close()


@pytest.mark.parametrize("stage,group", EIGHT_UNIT_PROFILES)
def test_idp_of_an_eight_unit_profile_prints_on_one_page(plans, stage, group):
    con, cat = plans
    p = rsp.plan(con, cat, "B1", f"{stage}-{group}", stage)
    assert rsp.one_page(p)  # the assess page's button promises one page for this plan
    for lang in ("th", "en"):
        data = pdf.html_to_pdf(rsp.idp_html(p, cat, lang))
        assert pdf.page_count(data) == 1, (stage, group, lang)


def test_a_larger_profile_is_not_promised_one_page(plans):
    con, cat = plans
    p = rsp.plan(con, cat, "B1", "partly", "Developing")  # Developing · Service: 14 units
    assert len(p.units) > rsp.ONE_PAGE_UNITS and not rsp.one_page(p)


def test_not_assessed_is_listed_with_the_units_to_develop_as_on_screen(plans):
    """Screen (pages/assess.py, pages/respondent.py): every unit not met, not assessed included, is 'to develop'."""
    con, cat = plans
    p = rsp.plan(con, cat, "B1", "partly", "Early")
    screen = p.units[p.units["status"] != rsp.MET]["code"].tolist()  # the screen's rule
    html = rsp.idp_html(p, cat, "en")
    i = html.index("Units to develop first")
    develop = html[i : html.index("Units already met", i)]
    assert re.findall(r'class="code">([^<]+)<', develop) == screen
    assert develop.count(">not assessed<") == 2 and "<h2>Units not assessed" not in html


def test_print_rules_leave_room_for_thai_marks_above_each_page():
    block = print_css.stylesheet().split("@media print {", 1)[1]
    assert re.search(r"header \{ padding-top: [1-9]\d*(\.\d+)?pt; \}", block)
    assert re.search(r"tr, li, p \{ break-inside: avoid; \}", block)


def test_stage_pdf_has_no_glyph_in_a_page_margin(catalog):
    """The Mature deck printed two stray Thai marks (ไม้เอก of เพื่อ / เปลี่ยน on page 6's first line) at the foot
    of page 5. Every glyph now lies inside its page's printable area (9 mm margins)."""
    pymupdf = pytest.importorskip("pymupdf")
    data = pdf.html_to_pdf(profiles_deck(catalog, [("Mature", g) for g in STAFF_GROUPS], "th"))
    doc = pymupdf.open(stream=data, filetype="pdf")
    margin = 9 / 25.4 * 72 - 1
    for n, page in enumerate(doc, 1):
        h = page.rect.height
        stray = [t for t in page.get_texttrace() if t["bbox"][3] > h - margin or t["bbox"][1] < margin]
        assert not stray, (n, stray)
