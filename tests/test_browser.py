"""The one real-browser test: the app under `streamlit run`, opened in headless Chromium.

Screenshots go to tests/artifacts/screenshots (git-ignored); only `make screenshots` (SKILLS_SCREENSHOTS=1)
refreshes the committed docs/screenshots, so `make test` never rewrites tracked files.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def shots_dir() -> Path:
    """docs/screenshots when refreshing them on purpose (SKILLS_SCREENSHOTS=1), else the git-ignored artifacts."""
    if os.environ.get("SKILLS_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    return ROOT / "tests" / "artifacts" / "screenshots"


CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("streamlit did not start")


@contextmanager
def streamlit_app(log_dir: Path, **env):
    """`streamlit run app.py` on a free loopback port, yielding its URL; stopped in finally. `env` sets variables
    (None drops one); the listening address comes from .streamlit/config.toml, as for `make run`."""
    port = _free_port()
    full = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **env}
    full = {k: v for k, v in full.items() if v is not None}
    full.pop("STREAMLIT_SERVER_ADDRESS", None)
    with open(log_dir / "streamlit.log", "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=full,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app with a throw-away survey store."""
    with streamlit_app(
        tmp_path_factory.mktemp("log"), SKILLS_DB=str(tmp_path_factory.mktemp("browser") / "skills.duckdb")
    ) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install chromium fonts-thai-tlwg (see Makefile)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _settle(page, pause_ms: int = 1500) -> None:
    """Wait until Streamlit has finished running the script and plotly has drawn (`pause_ms` after the run: a
    test whose every later check waits for what it reads can take less)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.match(/Running|Connecting/)",
        timeout=TIMEOUT_MS,
    )
    page.wait_for_timeout(pause_ms)


PROGRESS = {"th": r"ตอบแล้ว 0 จาก (\d+)", "en": r"0 of the (\d+) units"}  # the form's progress line, none answered


def _form_units(page, has_text: str, lang: str):
    """The form's unit radios (`has_text`: a label every unit's radio shows) once all are drawn: their number
    read from the progress line in the page's language (`lang`), which the form draws with them. A count taken
    as soon as the script stopped could see a fragment's rerun half drawn."""
    expect = pytest.importorskip("playwright.sync_api").expect
    pattern = PROGRESS[lang]
    line = page.get_by_text(re.compile(pattern)).first
    line.wait_for(timeout=TIMEOUT_MS)
    n = int(re.search(pattern, line.inner_text()).group(1))
    units = page.locator('[data-testid="stRadio"]', has_text=has_text)
    expect(units).to_have_count(n, timeout=TIMEOUT_MS)
    return units


def _shot(page, name: str) -> Path:
    folder = shots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000
    return path


def _outward_address() -> str | None:
    """This machine's address on its network (no packet is sent), or None when it has only loopback."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def test_server_listens_on_this_computer_only(server):
    """`streamlit run` with the project's config answers on loopback and refuses the network address."""
    port = int(server.rsplit(":", 1)[1])
    with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=5) as r:
        assert r.status == 200
    ip = _outward_address()
    if ip is None:
        pytest.skip("no network address on this machine to probe")
    with pytest.raises(OSError):
        socket.create_connection((ip, port), timeout=3).close()


def test_deep_link_and_screenshots(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="th-TH")
    try:
        # The deep link opens exactly Mature x Service; the persona title is on screen.
        page.goto(f"{server}/profiles?stage=Mature&group=Service", timeout=TIMEOUT_MS)
        page.get_by_text("ผู้นำด้านการบริการภาครัฐ", exact=True).first.wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("ระยะสมบูรณ์ · ผู้ทำงานด้านบริการ").first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        assert "stage=Mature" in page.url and "group=Service" in page.url
        _shot(page, "profiles")

        # Changing the view writes it back to the URL (one click on a segmented control).
        page.get_by_role("radio", name="ผู้ปฏิบัติงานเฉพาะด้านเทคโนโลยี").first.click()
        page.get_by_text("ผู้สร้างองค์กรอัจฉริยะ", exact=True).first.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function("() => location.search.includes('group=Technologist')", timeout=TIMEOUT_MS)

        # English deep link.
        page.goto(f"{server}/profiles?stage=Early&group=Technologist&lang=en", timeout=TIMEOUT_MS)
        page.get_by_text("A developer of the agency's digital technology", exact=True).first.wait_for(
            timeout=TIMEOUT_MS
        )
        _settle(page)
        _shot(page, "profiles_en")

        page.goto(f"{server}/pathway?group=Technologist", timeout=TIMEOUT_MS)
        page.get_by_text("ไม่ต้องมีแล้ว").first.wait_for(timeout=TIMEOUT_MS)
        page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        _shot(page, "pathway")

        page.goto(f"{server}/explorer?unit=DT300", timeout=TIMEOUT_MS)
        page.get_by_text("บทบาทที่ต้องมีหน่วยนี้").first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        _shot(page, "explorer")

        page.goto(f"{server}/requirements?stage=Mature", timeout=TIMEOUT_MS)
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        _shot(page, "requirements")

        page.goto(f"{server}/profiles?stage=Mature&group=Service&present=1", timeout=TIMEOUT_MS)
        page.get_by_text("ผู้นำด้านการบริการภาครัฐ", exact=True).first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        _shot(page, "profiles_present")

        page.goto(server + "/", timeout=TIMEOUT_MS)
        page.get_by_text("ภาพรวมกรอบทักษะด้านดิจิทัล").first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        _shot(page, "home")
    finally:
        page.close()


def test_survey_pages_with_demo_data(server, browser):
    """The coverage heatmap and the other survey pages draw the bundled demo survey in a real browser."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="th-TH")
    try:
        page.goto(f"{server}/coverage", timeout=TIMEOUT_MS)
        page.get_by_text("แผนภาพความครอบคลุม").first.wait_for(timeout=TIMEOUT_MS)
        page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        trace = page.evaluate(
            "() => { const d = document.querySelector('.js-plotly-plot').data;"
            " return {type: d[0].type, rows: d[0].y.length, cols: d[0].x.length}; }"
        )
        assert trace["type"] == "heatmap"
        assert trace["rows"] >= 9 and trace["cols"] >= 6
        _shot(page, "coverage")

        for path, text, name in (
            ("/overview", "ภาพรวมสำหรับผู้บริหาร", "overview"),
            ("/readiness", "ความพร้อมตามระยะ", "readiness"),
            ("/trends", "แนวโน้มตามรอบสำรวจ", "trends"),
            ("/training", "ความต้องการพัฒนา", "training"),
            ("/respondent", "แผนพัฒนารายบุคคล", "respondent"),
            ("/upload", "นำเข้าแบบสำรวจ", "upload"),
            ("/sql", "SQL สำหรับนักวิเคราะห์", "sql"),
        ):
            page.goto(server + path, timeout=TIMEOUT_MS)
            page.get_by_text(text).first.wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            assert page.locator('[data-testid="stException"]').count() == 0, path
            _shot(page, name)
    finally:
        page.close()
