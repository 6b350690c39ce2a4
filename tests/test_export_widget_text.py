"""Thai text for Streamlit's own widget words (uploader, "Select all"): hooks exist in the installed frontend."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit
from conftest import run_page

from ui import widget_text

STATIC = Path(streamlit.__file__).parent / "static"


@pytest.fixture(scope="module")
def frontend() -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in STATIC.rglob("*.js"))


@pytest.mark.parametrize("hook", widget_text.TESTIDS)
def test_every_hook_exists_in_the_installed_streamlit(frontend, hook):
    assert f"`{hook}`" in frontend or f'"{hook}"' in frontend, f"{hook} not in streamlit {streamlit.__version__}"


def test_the_english_words_replaced_are_the_ones_streamlit_draws(frontend):
    for english in ("`Upload`", " per file`", "`Select all`", "`No results`", "`Drag and drop a file here`"):
        assert english in frontend


@pytest.mark.parametrize(
    "target, english",
    [
        (widget_text.SELECTBOX_EMPTY, "No results"),
        (widget_text.MULTISELECT_EMPTY, "No results"),
        (widget_text.DRAG_OVERLAY, "Drag and drop a file here"),
    ],
)
def test_class_hooks_are_the_components_that_draw_the_english_words(frontend, target, english):
    """Each emotion target is the styled component Streamlit renders the English words into."""
    import re

    name = re.search(r"[,;\s](\w+)=\w+\(`(?:span|div)`,\{target:`" + target[1:] + r"`\}", frontend)
    assert name, target
    js = frontend[frontend.index("target:`" + target[1:] + "`") - 200000 :][:400000]
    assert re.search(rf"\b{name.group(1)},\{{children:[^}}]*{english}", js) or re.search(
        rf"\b{name.group(1)},\{{children:\w+\}}", js
    ), (target, english)


def test_thai_pages_get_thai_words_english_pages_none():
    css = widget_text.css("th", 400)
    for selector, text in widget_text.thai_texts(400).items():
        assert selector in css and f'content: "{text}"' in css
    assert "400 MB" in css and "เลือกทั้งหมด" in css
    assert widget_text.css("en", 400) == ""


def _styles(at) -> str:
    return "\n".join(m.value for m in at.markdown if "<style>" in m.value)


def test_every_page_setup_adds_the_stylesheet_in_thai_only():
    thai = run_page()
    assert not thai.exception and "stFileUploaderDropzoneInstructions" in _styles(thai)
    english = run_page(state={"lang": "en"})
    assert not english.exception and "stFileUploaderDropzoneInstructions" not in _styles(english)
