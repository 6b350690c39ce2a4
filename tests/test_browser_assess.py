"""Real browser: HR opens a campaign on /workshop, a respondent opens its link, fills the form for one profile
and submits; the live view on /workshop picks the submission up. Prints the time from submit to the live view."""

from __future__ import annotations

import re
import time

import pytest
from test_browser import TIMEOUT_MS, _form_units, _settle, _shot, browser, server  # noqa: F401  (module-scoped fixtures)

pytestmark = pytest.mark.browser


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_campaign_link_form_submit_and_live_view(server, browser):  # noqa: F811
    hr = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="en-US")
    person = browser.new_page(viewport={"width": 1000, "height": 1000}, locale="th-TH")
    try:
        hr.goto(f"{server}/workshop?lang=en", timeout=TIMEOUT_MS)
        _settle(hr)
        hr.get_by_label("Agency", exact=True).fill("กรมทดสอบเบราว์เซอร์")
        for part, value in (("year", "2025"), ("month", "06"), ("day", "30")):
            hr.get_by_role("spinbutton", name=f"{part}, Round date").click()
            hr.keyboard.type(value)
        hr.get_by_role("button", name="Open the campaign").click()
        hr.get_by_text(re.compile(r"Campaign opened: code [a-z0-9]{8}")).wait_for(timeout=TIMEOUT_MS)
        code = re.search(r"code ([a-z0-9]{8})", hr.get_by_text(re.compile("Campaign opened")).inner_text()).group(1)
        _settle(hr)
        assert _metric(hr, "Submissions (people)") == "0"
        assert hr.locator('[data-testid="stImage"] img').count() == 1  # the QR code

        person.goto(f"{server}/assess?c={code}", timeout=TIMEOUT_MS)
        _settle(person)
        assert person.locator('[data-testid="stSidebarNav"], [data-testid="stPageLink"]').count() == 0
        person.get_by_label("รหัสผู้ตอบ", exact=True).fill("browser-0001")
        person.get_by_label("รหัสผู้ตอบ", exact=True).press("Enter")
        _settle(person)
        person.locator('[data-testid="stSelectbox"]', has_text="กลุ่มบุคลากร").click()
        person.get_by_role("option", name="ผู้ทำงานด้านบริการ").click()
        _settle(person)
        units = _form_units(person, "ทำได้ด้วยตนเอง", "th")
        n = units.count()
        assert n == 8  # Early · Service requires 8 units
        for i in range(n):
            units.nth(i).get_by_text("3 · ทำได้ด้วยตนเอง").click()
            person.wait_for_timeout(300)
        _settle(person)
        person.get_by_text(f"ตอบแล้ว {n} จาก {n}").wait_for(timeout=TIMEOUT_MS)
        _shot(person, "assess")
        person.get_by_role("button", name="ส่งคำตอบ").click()
        t0 = time.monotonic()
        person.get_by_text("บันทึกคำตอบแล้ว").wait_for(timeout=TIMEOUT_MS)
        stored = time.monotonic() - t0
        hr.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
            "m.innerText.includes('Submissions (people)') && /\\n\\s*1\\s*$/.test(m.innerText))",
            timeout=TIMEOUT_MS,
        )
        live = time.monotonic() - t0
        hr.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=TIMEOUT_MS)
        shown = time.monotonic() - t0
        print(
            f"submit -> stored and own result shown {stored:.1f} s; -> live count {live:.1f} s; "
            f"-> heatmap {shown:.1f} s"
        )
        person.get_by_text("ผลของคุณ").wait_for(timeout=TIMEOUT_MS)
        _settle(person)
        _shot(person, "assess_result")
        _settle(hr)
        _shot(hr, "workshop")
        assert person.get_by_text("แผนพัฒนารายบุคคล (HTML พิมพ์ได้ 1 หน้า)").count() == 1
    finally:
        hr.close()
        person.close()
