"""Thai text for the words Streamlit's own widgets draw in English (file uploader, multiselect "Select all").

Streamlit 1.67 has no locale setting for these. On Thai pages a small stylesheet hides the English
text and shows Thai in its place (CSS ::after content), on `data-testid` / `data-key` hooks that the
installed frontend sets (checked by tests/test_export_widget_text.py against streamlit/static, so a
Streamlit upgrade that renames one fails a test instead of silently showing English again).
English pages get no stylesheet: Streamlit's own words are English.

Three words have no data-testid: the empty state of a selectbox / multiselect search ("No results") and the
overlay shown while a file is dragged over the uploader ("Drag and drop a file here"). They are reached by the
class name Streamlit's build gives each styled component (emotion `target`, e.g. `equpb2c9`): stable within
one Streamlit release and checked by the same test, so an upgrade that renames one fails a test.

Not covered: st.date_input's calendar (month names "June 2026", weekday letters S M T W): Streamlit 1.67
gives the widget a display `format` only, no locale, and the calendar's text has no hook to replace.
"""

from __future__ import annotations

import streamlit as st

# (selector of the element whose text is replaced, Thai text). Selectors use only hooks verified in
# Streamlit 1.67's static JS: stFileUploaderDropzone, stBaseButton-secondary, stMarkdownContainer,
# stFileUploaderDropzoneInstructions, stMultiSelectDropdown, data-key="__select_all__"/"__select_matches__".
UPLOAD_BUTTON = (
    '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] '
    '[data-testid="stMarkdownContainer"] p'
)
INSTRUCTIONS = '[data-testid="stFileUploaderDropzoneInstructions"] span'
SELECT_ALL = '[data-testid="stMultiSelectDropdown"] [data-key="__select_all__"] [data-item-hl]'
SELECT_MATCHES = '[data-testid="stMultiSelectDropdown"] [data-key="__select_matches__"] [data-item-hl]'
# Emotion targets (class names) of Streamlit 1.67's styled components without a data-testid.
SELECTBOX_EMPTY = ".equpb2c9"  # Selectbox's renderEmptyState span: "No results"
MULTISELECT_EMPTY = ".eo2qvtu11"  # Multiselect's renderEmptyState span: "No results"
DRAG_OVERLAY = ".euud7oh2"  # FileUploader's span over the dropzone while a file is dragged
TESTIDS = (
    "stFileUploaderDropzone",
    "stFileUploaderDropzoneInstructions",
    "stMultiSelectDropdown",
    "stMarkdownContainer",
    "__select_all__",
    "__select_matches__",
    SELECTBOX_EMPTY[1:],
    MULTISELECT_EMPTY[1:],
    DRAG_OVERLAY[1:],
)


def thai_texts(max_upload_mb: int) -> dict[str, str]:
    """selector -> the Thai text shown instead of Streamlit's English."""
    return {
        UPLOAD_BUTTON: "เลือกไฟล์",
        INSTRUCTIONS: f"ลากไฟล์มาวางที่นี่ หรือกด “เลือกไฟล์” · ไม่เกิน {max_upload_mb} MB ต่อไฟล์",
        SELECT_ALL: "เลือกทั้งหมด",
        SELECT_MATCHES: "เลือกทุกรายการที่ค้นพบ",
        SELECTBOX_EMPTY: "ไม่พบรายการที่ค้นหา",
        MULTISELECT_EMPTY: "ไม่พบรายการที่ค้นหา",
        DRAG_OVERLAY: "ลากไฟล์มาวางที่นี่",
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
