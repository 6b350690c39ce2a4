"""framework.pdf: handouts and decks rendered by headless Chromium (CI installs chromium; these tests require it)."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from framework import pdf
from framework.catalog import STAFF_GROUPS, STAGES
from framework.errors import BilingualError
from framework.handout import profile_handout, profiles_deck


@pytest.fixture(scope="module")
def handout_pdf(catalog) -> bytes:
    return pdf.html_to_pdf(profile_handout(catalog, "Mature", "Technologist", "th"))


def test_handout_is_one_a4_page_with_thai_font_embedded(handout_pdf):
    assert handout_pdf.startswith(b"%PDF")
    assert pdf.page_count(handout_pdf) == 1
    assert b"/FontFile2" in handout_pdf  # TrueType font programs embedded, not just referenced
    assert pdf.embedded_fonts(handout_pdf)
    # A4 portrait in points (595 x 842), as the handout's @page rule asks
    box = [float(v) for v in handout_pdf.split(b"/MediaBox", 1)[1].split(b"]", 1)[0].strip(b" [").split()]
    assert round(box[2]) == 595 and round(box[3]) == 842


def test_deck_of_a_stage_has_one_page_per_staff_group(catalog):
    deck = pdf.html_to_pdf(profiles_deck(catalog, [("Early", g) for g in STAFF_GROUPS], "en"))
    assert deck.startswith(b"%PDF") and pdf.page_count(deck) == len(STAFF_GROUPS) == 6
    assert b"/FontFile2" in deck


def test_deck_html_holds_every_profile_once(catalog):
    pairs = [(s, g) for s in STAGES for g in STAFF_GROUPS]
    html = profiles_deck(catalog, pairs, "th")
    assert html.count('class="deck-page"') == 18 and html.count("break-after: page") == 17
    for s, g in pairs:
        assert catalog.profile(s, g).persona_th in html
    assert html.count("<body>") == 1 and html.count("</html>") == 1
    with pytest.raises(ValueError):
        profiles_deck(catalog, [], "th")


def test_page_count_counts_pages_not_the_pages_tree():
    assert pdf.page_count(b"<< /Type /Pages /Kids [1 0 R 2 0 R] >> << /Type /Page >> << /Type/Page >>") == 2


def test_missing_chromium_is_one_bilingual_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SKILLS_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(BilingualError) as err:
        pdf.html_to_pdf("<p>x</p>")
    assert "PDF" in err.value.th and "PDF" in err.value.en


def _alive(pid: int) -> bool:
    """Running (a killed orphan may stay a zombie until init reaps it: that is not running)."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.1)
    return True


def test_timeout_kills_the_process_group_and_removes_the_temp_dir(monkeypatch, tmp_path):
    # a stand-in "chromium" that starts a child and hangs: both must be gone after the timeout
    fake = tmp_path / "slow-chromium"
    pidfile = tmp_path / "child.pid"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("SKILLS_CHROMIUM", str(fake))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(BilingualError) as err:
        pdf.html_to_pdf("<p>x</p>", timeout=1)
    assert "timeout" in err.value.detail
    assert not _alive(int(pidfile.read_text()))
    assert not list(tmp_path.glob("skills-pdf-*"))
