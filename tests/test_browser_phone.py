"""Real browser: the overview on a phone (390x844) and the coverage heatmap's cell labels at 1440x900."""

from __future__ import annotations

import itertools
from contextlib import contextmanager

import pytest
from test_browser import TIMEOUT_MS, _settle, _shot, browser, server  # noqa: F401  (module-scoped fixtures)

pytestmark = pytest.mark.browser

# Geometry of the first plotly chart on the page: its width, the plot area's width, the modebar, and whether
# the x axis title lies inside the chart (not cut at the bottom).
CHART = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const box = gd.getBoundingClientRect();
  const t = gd.querySelector('.g-xtitle text');
  const tb = t ? t.getBoundingClientRect() : null;
  const bar = gd.querySelector('.modebar');
  return {width: gd._fullLayout.width, plot: gd._fullLayout._size.w,
          yticks: gd.querySelectorAll('.ytick text').length,
          labels: (gd._fullLayout.annotations || []).length,
          modebar: !!bar && bar.getBoundingClientRect().width > 0 && getComputedStyle(bar).display !== 'none',
          xtitle: tb ? {top: tb.top - box.top, bottom: tb.bottom - box.top, height: box.height} : null};
}"""

# The page title: its text and the number of lines it takes (distinct line boxes of its text).
TITLE = """() => {
  const h1 = document.querySelector('h1');
  const range = document.createRange();
  range.selectNodeContents(h1);
  const size = parseFloat(getComputedStyle(h1).fontSize);
  const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
  const lines = tops.filter((t, i) => i === 0 || t - tops[i - 1] > size / 2).length;
  return {text: h1.innerText.trim(), lines, size, overflow: h1.scrollWidth > h1.clientWidth + 1};
}"""


def test_overview_on_a_phone(server, browser):  # noqa: F811
    page = browser.new_page(
        viewport={"width": 390, "height": 844}, locale="th-TH", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        page.goto(f"{server}/overview", timeout=TIMEOUT_MS)
        page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        _shot(page, "overview_phone")
        title = page.evaluate(TITLE)
        assert title["text"] == "ภาพรวมสำหรับผู้บริหาร"
        assert title["lines"] == 1 and not title["overflow"], title  # never "ผู้ / บริหาร"
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        chart = page.evaluate(CHART)
        assert chart["plot"] >= 0.55 * chart["width"], chart  # the bars get the width, not labels
        assert chart["yticks"] == 0 and chart["labels"] >= 1, chart  # labels above the bars
        assert not chart["modebar"], chart  # no toolbar over the title
        x = chart["xtitle"]
        assert x and 0 <= x["top"] and x["bottom"] <= x["height"] + 1, chart  # axis title not cut
    finally:
        page.close()


def test_coverage_heatmap_cells_carry_their_labels(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="th-TH")
    try:
        page.goto(f"{server}/coverage", timeout=TIMEOUT_MS)
        page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        trace = page.evaluate("""() => { const d = document.querySelector('.js-plotly-plot').data[0];
            return {template: d.texttemplate, text: d.text, ticks: document.querySelector('.js-plotly-plot')
                    ._fullLayout.yaxis.ticktext}; }""")
        assert trace["template"] == "%{text}"
        cells = [t for row in trace["text"] for t in row if t]
        assert len(cells) > 100 and all(t.split(" ")[0].endswith("%") for t in cells)
        assert trace["ticks"][0].startswith("DLit100 · ")
        drawn = page.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot .hm text, "
            ".js-plotly-plot text.textpoint, .js-plotly-plot g.text text')].length"
        )
        assert drawn > 100
        # The table under the heatmap shows every column without scrolling sideways.
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        scroll = page.evaluate("""() => { const s = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
            return s ? {scroll: s.scrollWidth, client: s.clientWidth} : null; }""")
        assert scroll and scroll["scroll"] <= scroll["client"] + 2, scroll
        _shot(page, "coverage_cells")
    finally:
        page.close()


PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)


def test_readiness_on_a_phone_starts_with_stacked_panels(server, browser):  # noqa: F811
    with _chart_page(browser, f"{server}/readiness", "readiness_phone") as page:
        panels = page.evaluate("""() => { const L = document.querySelector('.js-plotly-plot')._fullLayout;
            return ['yaxis', 'yaxis2', 'yaxis3'].map(a => L[a] && L[a].domain); }""")
        assert all(panels) and panels[0][0] > panels[1][1] > panels[1][0] > panels[2][1], panels  # one above the other


# Boxes (relative to the chart) of the first chart's legend, title, x axis title and value labels, plus widths.
BOXES = """(i) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[i || 0];
  const o = gd.getBoundingClientRect();
  const rel = el => { if (!el) return null; const b = el.getBoundingClientRect();
    return {left: b.left - o.left, right: b.right - o.left, top: b.top - o.top, bottom: b.bottom - o.top}; };
  return {width: gd._fullLayout.width, plot: gd._fullLayout._size.w,
          legend: rel(gd.querySelector('.legend .bg') || gd.querySelector('.legend')),
          title: rel(gd.querySelector('.g-gtitle text')), xtitle: rel(gd.querySelector('.g-xtitle text')),
          values: [...gd.querySelectorAll('.bars text, g.textpoint text, .textpoint')].map(rel)};
}"""


def _phone_page(browser, url, phone: bool = True):  # noqa: F811
    """`url` open and settled at 390x844: a phone (its user agent), or a desktop browser that narrow."""
    page = browser.new_page(
        viewport={"width": 390, "height": 844},
        locale="th-TH",
        **({"is_mobile": True, "has_touch": True, "user_agent": PHONE_UA} if phone else {}),
    )
    page.goto(url, timeout=TIMEOUT_MS)
    page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    return page


@contextmanager
def _chart_page(browser, url, shot: str, phone: bool = True):  # noqa: F811
    """The page at `url` (see _phone_page) scrolled to its first chart; a screenshot `shot` after the checks."""
    page = _phone_page(browser, url, phone)
    try:
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        yield page
        _shot(page, shot)
    finally:
        page.close()


def test_trends_on_a_phone_keep_the_plot_width(server, browser):  # noqa: F811
    with _chart_page(browser, f"{server}/trends", "trends_phone") as page:
        for i in range(2):
            b = page.evaluate(BOXES, i)
            assert b["plot"] >= 0.65 * b["width"], b  # legend not at the side
            assert b["legend"]["top"] >= b["xtitle"]["bottom"] - 1, b  # legend below the axis title


def test_training_on_a_phone_title_legend_and_labels(server, browser):  # noqa: F811
    with _chart_page(browser, f"{server}/training", "training_phone") as page:
        b = page.evaluate(BOXES, 0)
        assert b["title"]["bottom"] <= b["legend"]["top"] or b["legend"]["bottom"] <= b["title"]["top"], b
        assert b["values"] and all(v["right"] <= b["width"] + 1 for v in b["values"]), b  # "2,037 (45%)" whole


def test_readiness_dots_in_a_narrow_desktop_window(server, browser):  # noqa: F811
    """A desktop browser at 390 px gets the side-by-side panels: their titles must not run together."""
    with _chart_page(browser, f"{server}/readiness", "readiness_narrow_desktop", phone=False) as page:
        heads = page.evaluate("""() => [...document.querySelector('.js-plotly-plot').querySelectorAll('.annotation-text')].slice(0, 3)
            .map(t => { const b = t.getBoundingClientRect(); return [b.left, b.right]; })""")
        assert len(heads) == 3, heads
        assert all(a[1] <= b[0] + 1 for a, b in itertools.pairwise(heads)), heads  # apart, left to right


def test_coverage_on_a_phone_scrolls_instead_of_squeezing(server, browser):  # noqa: F811
    with _chart_page(browser, f"{server}/coverage", "coverage_phone") as page:
        b = page.evaluate(BOXES, 0)
        assert b["width"] >= 600 and b["plot"] >= 250, b  # cells keep their width (was ~60 px)
        box = page.evaluate("""() => { const s = document.querySelector('.st-key-cov_scroll');
            return {scroll: s.scrollWidth, client: s.clientWidth}; }""")
        assert box["scroll"] > box["client"], box  # scrolls sideways inside the page
        assert not page.get_by_role("switch").first.is_checked()  # codes only on a phone


def test_present_mode_full_screen_button_looks_like_the_exit_button(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="th-TH")
    try:
        page.goto(f"{server}/profiles?present=1", timeout=TIMEOUT_MS)
        page.locator("#skills-fullscreen").wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        look = """(el) => { const s = getComputedStyle(el), b = el.getBoundingClientRect();
            return {color: s.color, border: s.borderTopColor, bg: s.backgroundColor, radius: s.borderTopLeftRadius,
                    height: Math.round(b.height), icon: !!el.querySelector('span')}; }"""
        full = page.locator("#skills-fullscreen").evaluate(look)
        exit_ = page.locator(".st-key-present_exit button").first.evaluate(look)
        assert full["icon"] and exit_["icon"], (full, exit_)
        for k in ("color", "border", "bg"):
            assert full[k] == exit_[k], (k, full, exit_)
        assert abs(full["height"] - exit_["height"]) <= 4, (full, exit_)
        _shot(page, "present_buttons")
    finally:
        page.close()


def test_requirements_on_a_phone_column_labels_apart(server, browser):  # noqa: F811
    with _chart_page(browser, f"{server}/requirements", "requirements_phone") as page:
        boxes = page.evaluate("""() => [...document.querySelector('.js-plotly-plot').querySelectorAll('.xtick text')]
            .map(t => { const b = t.getBoundingClientRect(); return [b.left, b.right]; }).sort((a, b) => a[0] - b[0])""")
        assert len(boxes) == 6, boxes
        assert all(a[1] <= b[0] + 1 for a, b in itertools.pairwise(boxes)), boxes  # not printed on top of each other
