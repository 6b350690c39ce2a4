"""Real browser (issue 20): agency names that are Markdown or HTML are shown as text, and nothing is fetched.

A loopback HTTP server counts every request it gets; the app serves a store whose agencies are named
`![a](http://127.0.0.1:<port>/x.png)` and `<a href="http://127.0.0.1:<port>/phish">Sign in again</a>`. Chromium opens
the default survey pages and a campaign link whose code is `[Sign in](//127.1)`: the counter stays at zero, and
no image, link or directive from the data is in the DOM.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from test_browser import TIMEOUT_MS, _settle, browser, streamlit_app  # noqa: F401
from test_page_markup import hostile_store

pytestmark = pytest.mark.browser


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_POST = do_HEAD = do_GET

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def counter():
    """A loopback HTTP server that records every request (path) it receives."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv.server_address[1], _Counter.hits
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, counter):
    """`streamlit run app.py` over the demo store with the two agencies renamed to markup pointing at the counter."""
    port_counter, _ = counter
    img = f"![a](http://127.0.0.1:{port_counter}/x.png)"
    phish = f'<a href="http://127.0.0.1:{port_counter}/phish">Sign in again</a>'
    store = hostile_store(tmp_path_factory.mktemp("markup") / "skills.duckdb", img, phish)
    with streamlit_app(tmp_path_factory.mktemp("log"), SKILLS_DB=str(store), SKILLS_HR_PASSPHRASE=None) as url:
        yield url, img, phish


def _no_markup_from_data(page, port: int) -> None:
    """No image, link or frame in the DOM points at the counter or at //127.1; no coloured text from data."""
    found = page.evaluate(
        """(port) => {
             const bad = [];
             for (const el of document.querySelectorAll('img[src], a[href], iframe[src], image, source[src]')) {
               const url = el.getAttribute('src') || el.getAttribute('href') || el.getAttribute('xlink:href') || '';
               if (url.includes(':' + port) || url.startsWith('//127.1') || url.includes('phish'))
                 bad.push(el.outerHTML);
             }
             return bad;
           }""",
        port,
    )
    assert found == [], f"markup from the data is live: {found}"


def test_markup_named_agencies_and_campaign_code_are_text_and_fetch_nothing(hostile_server, counter, browser):  # noqa: F811
    url, img, phish = hostile_server
    port, hits = counter
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="en-US")
    try:
        for path in ("/overview?lang=en", "/training?lang=en", "/coverage?lang=en"):
            page.goto(url + path, timeout=TIMEOUT_MS)
            page.get_by_text(re.compile("Latest round of")).first.wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            page.wait_for_timeout(1500)  # time for an image request to go out, were there one
            assert hits == [], f"{path}: the browser fetched from the counter server: {hits}"
            _no_markup_from_data(page, port)
            text = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
            assert img in text, f"{path}: the round line does not show the agency name as text"
        # the heatmap by agency: the phishing name is a column label, as text (plotly renders tags in labels);
        # the pages start with one agency (the first: the image-named one), so choose the other by the URL
        page.goto(url + "/coverage?lang=en&agency=" + urllib.parse.quote(phish), timeout=TIMEOUT_MS)
        page.get_by_text(re.compile("Latest round of")).first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        page.locator('[data-testid="stRadio"]').get_by_text("Agency", exact=True).click()
        _settle(page)
        svg = page.locator('[data-testid="stPlotlyChart"]').first.inner_text() or ""
        labels = page.locator('[data-testid="stPlotlyChart"] svg text').all_text_contents()
        assert any(phish in t for t in labels), f"the agency label is not shown as text: {labels[:8]} {svg[:80]}"
        _no_markup_from_data(page, port)

        page.goto(url + "/assess?c=" + urllib.parse.quote("[Sign in](//127.1)"), timeout=TIMEOUT_MS)
        _settle(page)
        assert "[sign in](//127.1)" in page.locator('[data-testid="stAlert"]').first.inner_text().replace("\u2060", "")
        assert page.locator('a[href="//127.1"]').count() == 0
        _no_markup_from_data(page, port)
        page.wait_for_timeout(1000)
    finally:
        page.close()
    assert hits == [], f"the browser fetched from the counter server: {hits}"
