"""Real browser, issue 21: the assess result in view after submitting on a phone and its result link; presentation
mode giving the content the screen (1920x1080); phone layouts where toolbars covered titles and buttons."""

from __future__ import annotations

import re

import pytest
from test_browser import TIMEOUT_MS, _form_units, _settle, _shot, browser, server  # noqa: F401  (module-scoped fixtures)
from test_browser_phone import PHONE_UA, _chart_page, _phone_page

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "locale": "th-TH",
    "is_mobile": True,
    "has_touch": True,
    "user_agent": PHONE_UA,
}
BOX = """(el) => { const b = el.getBoundingClientRect();
  return {left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height}; }"""


# The bottom of Streamlit's fixed header (0 when there is none): what lies above it is covered, not on screen.
HEADER_BOTTOM = """() => { const h = document.querySelector('[data-testid="stHeader"]');
  return h && getComputedStyle(h).display !== "none" ? Math.max(0, h.getBoundingClientRect().bottom) : 0; }"""


def _box(locator) -> dict:
    return locator.evaluate(BOX)


def _inside(b: dict, width: int, height: int) -> bool:
    return (
        b["width"] > 0 and b["left"] >= -1 and b["top"] >= -1 and b["right"] <= width + 1 and b["bottom"] <= height + 1
    )


def _apart(a: dict, b: dict) -> bool:
    return a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]


@pytest.fixture(scope="module")
def submitted(server, browser):  # noqa: F811
    """One campaign opened on /workshop, answered on a phone (390x844): where the result was after submitting,
    the address bar then, and the result link shown."""
    hr = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="en-US")
    person = browser.new_page(**PHONE)
    try:
        hr.goto(f"{server}/workshop?lang=en", timeout=TIMEOUT_MS)
        _settle(hr)
        hr.get_by_label("Agency", exact=True).fill("กรมทดสอบจอ")
        for part, value in (("year", "2025"), ("month", "07"), ("day", "31")):
            hr.get_by_role("spinbutton", name=f"{part}, Round date").click()
            hr.keyboard.type(value)
        hr.get_by_role("button", name="Open the campaign").click()
        hr.get_by_text(re.compile(r"Campaign opened: code [a-z0-9]{8}")).wait_for(timeout=TIMEOUT_MS)
        code = re.search(r"code ([a-z0-9]{8})", hr.get_by_text(re.compile("Campaign opened")).inner_text()).group(1)

        person.goto(f"{server}/assess?c={code}", timeout=TIMEOUT_MS)
        _settle(person)
        person.get_by_label("รหัสผู้ตอบ", exact=True).fill("phone-0001")
        person.get_by_label("รหัสผู้ตอบ", exact=True).press("Enter")
        _settle(person)
        person.locator('[data-testid="stSelectbox"]', has_text="กลุ่มบุคลากร").click()
        person.get_by_role("option", name="ผู้ทำงานด้านบริการ").click()
        _settle(person)
        units = _form_units(person, "ทำได้ด้วยตนเอง", "th")
        n = units.count()
        for i in range(n):
            units.nth(i).get_by_text("2 · ทำได้เมื่อมีผู้แนะนำ" if i % 2 else "3 · ทำได้ด้วยตนเอง").click()
            person.wait_for_timeout(300)
        person.get_by_text(f"ตอบแล้ว {n} จาก {n}").wait_for(timeout=TIMEOUT_MS)
        submit = person.get_by_role("button", name="ส่งคำตอบ")
        submit.scroll_into_view_if_needed()
        before = person.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTop ?? scrollY")
        submit.click()
        person.get_by_text("บันทึกคำตอบแล้ว").wait_for(timeout=TIMEOUT_MS)
        _settle(person)
        person.wait_for_timeout(1000)
        success = _box(person.locator('[data-testid="stAlert"]', has_text="บันทึกคำตอบแล้ว").first)
        score = _box(person.locator('[data-testid="stMetric"]', has_text="ความพร้อมในระยะนี้").first)
        header = person.evaluate(HEADER_BOTTOM)
        _shot(person, "assess_result_phone")
        link = person.locator(".st-key-as_result_link code").first.inner_text().strip()
        yield {
            "code": code,
            "units": n,
            "success": success,
            "score": score,
            "header": header,
            "url": person.url,
            "link": link,
            "scrolled": before,
        }
    finally:
        hr.close()
        person.close()


def test_assess_on_a_phone_shows_the_result_in_view_after_submitting(submitted):
    assert submitted["units"] == 8 and submitted["scrolled"] > 300, submitted  # the form was scrolled far down
    assert _inside(submitted["success"], 390, 844), submitted  # the message and score on screen
    assert submitted["success"]["top"] >= submitted["header"] - 1, submitted  # not under the fixed header
    assert _inside(submitted["score"], 390, 844) and submitted["score"]["top"] >= submitted["header"], submitted
    assert "r=" not in submitted["url"], submitted["url"]  # the token is never put in the URL


def test_the_result_link_reopens_the_result_and_plan(server, browser, submitted):  # noqa: F811
    link = submitted["link"]
    assert link and re.search(r"/assess\?r=[A-Za-z0-9_-]{32}$", link), link
    page = browser.new_page(**PHONE)
    try:
        page.goto(link, timeout=TIMEOUT_MS)
        page.get_by_text("ผลของคุณ").wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        assert page.get_by_text("กรมทดสอบจอ").count() >= 1
        assert page.get_by_text(re.compile(r"หน่วยที่ต้องพัฒนา \(\d\)")).count() == 1  # the plan
        assert page.get_by_text(re.compile(r"หน่วยที่ผ่านเกณฑ์ \(\d\)")).count() == 1
        assert page.get_by_role("button", name=re.compile("แผนพัฒนารายบุคคล")).count() == 1
        assert page.get_by_label("รหัสผู้ตอบ").count() == 0  # not the form
        page.goto(link[:-4] + "AAAA", timeout=TIMEOUT_MS)  # a wrong token
        page.get_by_text("ไม่พบผลการประเมินของลิงก์นี้").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_text("ผลของคุณ").count() == 0
    finally:
        page.close()


def test_workshop_presentation_gives_the_qr_code_and_the_room_heatmap_the_screen(server, browser, submitted):  # noqa: F811
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="en-US")
    try:
        page.goto(f"{server}/workshop?present=1&lang=en", timeout=TIMEOUT_MS)
        page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        _shot(page, "workshop_present")
        qr = _box(page.locator('[data-testid="stImage"] img').first)
        heat = _box(page.locator(".js-plotly-plot").first)
        assert _inside(qr, 1920, 1080) and _inside(heat, 1920, 1080), (qr, heat)
        assert qr["right"] <= heat["left"] and qr["top"] < heat["bottom"] and heat["top"] < qr["bottom"], (qr, heat)
        assert qr["width"] >= 400, qr  # large enough to scan
        panel = page.locator('[data-testid="stExpander"]').first
        assert panel.locator("details").get_attribute("open") is None  # the controls folded away
        assert not page.get_by_label("Agency", exact=True).is_visible()
        assert not page.get_by_label("Smallest cell shown (k)").first.is_visible()
    finally:
        page.close()


def test_profiles_presentation_shows_a_required_unit_above_the_fold(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="th-TH")
    try:
        page.goto(f"{server}/profiles?stage=Early&group=Executive&present=1", timeout=TIMEOUT_MS)
        page.get_by_role("button", name="ออกจากโหมดนำเสนอ").wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        _shot(page, "profiles_present")
        unit = _box(page.locator('[data-testid="stExpander"]', has_text="DLit100").first)
        assert _inside(unit, 1920, 1080), unit
        assert not page.get_by_role("button", name="กลุ่มถัดไป").is_visible()  # the step buttons folded
        page.keyboard.press("ArrowRight")  # the keys still step
        page.wait_for_function("() => location.search.includes('group=Management')", timeout=TIMEOUT_MS)
    finally:
        page.close()


def test_requirements_on_a_phone_no_toolbar_over_the_chart(server, browser):  # noqa: F811
    with _chart_page(browser, f"{server}/requirements", "requirements_phone_toolbar") as page:
        shown = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot .modebar')]
            .filter(b => b.getBoundingClientRect().width > 0 && getComputedStyle(b).display !== 'none').length""")
        assert shown == 0


def test_overview_on_a_phone_table_toolbar_clear_of_the_download_buttons(server, browser):  # noqa: F811
    page = _phone_page(browser, f"{server}/overview")
    try:
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        bars = [
            b
            for b in page.locator('[data-testid="stElementToolbar"]').evaluate_all(f"els => els.map({BOX})")
            if b["width"] > 0
        ]
        buttons = [
            b
            for b in page.get_by_role("button", name=re.compile("ดาวน์โหลด")).evaluate_all(f"els => els.map({BOX})")
            if b["width"] > 0
        ]
        assert bars and buttons, (bars, buttons)
        for bar in bars:
            for button in buttons:
                assert _apart(bar, button), (bar, button)
        _shot(page, "overview_phone_table")
    finally:
        page.close()


def test_coverage_on_a_phone_title_and_colour_scale_on_screen(server, browser):  # noqa: F811
    with _chart_page(browser, f"{server}/coverage", "coverage_phone_scale") as page:
        gd = page.locator(".js-plotly-plot").first
        title = _box(gd.locator(".g-gtitle"))
        scale = _box(gd.locator(".colorbar").first)
        assert title["right"] <= 390 and title["left"] >= 0, title
        assert scale["right"] <= 390 and scale["left"] >= 0, scale
        assert _apart(title, scale), (title, scale)
