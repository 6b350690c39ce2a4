"""Thai text for the words Streamlit's own widgets draw in English (file uploader, multiselect "Select all").

Streamlit 1.67 has no locale setting for these. On Thai pages a small stylesheet hides the English
text and shows Thai in its place (CSS ::after content), on `data-testid` / `data-key` hooks that the
installed frontend sets (checked by tests/test_export_widget_text.py against streamlit/static, so a
Streamlit upgrade that renames one fails a test instead of silently showing English again).
English pages get no stylesheet: Streamlit's own words are English.

Not covered: the "Drag and drop a file here" overlay shown only while a file is dragged over the
box (it has no stable hook); the Thai instruction line says a file can be dropped there.
"""
from __future__ import annotations

import streamlit as st

# (selector of the element whose text is replaced, Thai text). Selectors use only hooks verified in
# Streamlit 1.67's static JS: stFileUploaderDropzone, stBaseButton-secondary, stMarkdownContainer,
# stFileUploaderDropzoneInstructions, stMultiSelectDropdown, data-key="__select_all__"/"__select_matches__".
UPLOAD_BUTTON = ('[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] '
                 '[data-testid="stMarkdownContainer"] p')
INSTRUCTIONS = '[data-testid="stFileUploaderDropzoneInstructions"] span'
SELECT_ALL = '[data-testid="stMultiSelectDropdown"] [data-key="__select_all__"] [data-item-hl]'
SELECT_MATCHES = '[data-testid="stMultiSelectDropdown"] [data-key="__select_matches__"] [data-item-hl]'
TESTIDS = ("stFileUploaderDropzone", "stFileUploaderDropzoneInstructions", "stMultiSelectDropdown",
           "stMarkdownContainer", "__select_all__", "__select_matches__")


def thai_texts(max_upload_mb: int) -> dict[str, str]:
    """selector -> the Thai text shown instead of Streamlit's English."""
    return {
        UPLOAD_BUTTON: "เลือกไฟล์",
        INSTRUCTIONS: f"ลากไฟล์มาวางที่นี่ หรือกด “เลือกไฟล์” · ไม่เกิน {max_upload_mb} MB ต่อไฟล์",
        SELECT_ALL: "เลือกทั้งหมด",
        SELECT_MATCHES: "เลือกทุกรายการที่ค้นพบ",
    }


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def css(lang: str, max_upload_mb: int = 400) -> str:
    """The <style> block for a page in `lang` ("" for English: nothing to replace)."""
    if lang != "th":
        return ""
    rules = []
    for selector, text in thai_texts(max_upload_mb).items():
        # The English text keeps its box (font-size 0) so layout and the accessible name stay; the
        # Thai text is drawn in the font size the widget used.
        rules.append(f"{selector} {{ font-size: 0 !important; }}")
        rules.append(f"{selector}::after {{ content: {_css_string(text)}; font-size: 0.875rem; line-height: 1.6; }}")
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def apply(lang: str) -> None:
    """Add the stylesheet to the page (called once from ui.shell.setup)."""
    block = css(lang, int(st.get_option("server.maxUploadSize")))
    if block:
        st.markdown(block, unsafe_allow_html=True)
