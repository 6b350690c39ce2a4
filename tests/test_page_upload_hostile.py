"""AppTest: hostile files on the upload page give one bilingual message (or a rejected row), never a traceback."""

from __future__ import annotations

import make_hostile
import make_hostile_path  # noqa: F401  (puts tests/hostile on sys.path)
import pytest
from test_page_upload import _page_env, fill, frame, page  # noqa: F401  (_page_env: the autouse page environment)

SMALL = {  # the hostile files small enough to upload through AppTest
    "xfd1048576.xlsx": ("column 16,384, beyond 400 columns", "คอลัมน์ที่ 16,384"),
    "no_dimension_wide.xlsx": ("column 1,000, beyond 400 columns", "คอลัมน์ที่ 1,000"),
    "cell_400mb.xlsx": ("expands to 400 MB", "เกิน 256 MB"),
    "columns_1000.csv": ("The header has 1,000 columns", "หัวตารางมี 1,000 คอลัมน์"),
    "header_200kb.csv": ("longer than 128 KB", "ยาวเกิน 128 KB"),
    "mixed_utf8_cp874.csv": ("mixes two character encodings", "รหัสอักขระปนกันสองแบบ"),
    "utf16_nul.csv": ("not a CSV text file", "ไม่ใช่ไฟล์ข้อความ CSV"),
}


@pytest.mark.parametrize("lang", ["en", "th"])
@pytest.mark.parametrize("name", list(SMALL))
def test_hostile_upload_shows_one_message_in_the_users_language_and_stores_nothing(name, lang, tmp_path):
    path = make_hostile.build(name, tmp_path)
    at = page(lang)
    at.file_uploader(key="up_file").set_value((name, path.read_bytes(), "application/octet-stream")).run()
    at = fill(at)
    at = at.button(key="up_go").click().run()
    assert not at.exception
    assert len(at.error) == 1
    assert SMALL[name][0 if lang == "en" else 1] in at.error[0].body
    assert not at.metric and frame(at, "Batch" if lang == "en" else "ชุด") is None


def test_a_workbook_cell_over_the_limit_is_a_rejected_row_with_its_reason(tmp_path):
    path = make_hostile.build("inline_cell_40k.xlsx", tmp_path)
    at = page("en")
    at.file_uploader(key="up_file").set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    at = fill(at)
    at = at.button(key="up_go").click().run()
    assert not at.exception and not at.error
    assert [m.value for m in at.metric] == ["1", "0", "1"]
    assert any("over the limit of 32,767" in r for r in frame(at, "How to fix")["Reason"])


# --- issue 20: names from the file are shown as text -----------------------------------------------------------
MARKUP_FILE = "![f](http://127.0.0.1:9/f.png).csv"
MARKUP_HEADER = "![h](http://127.0.0.1:9/h.png)"
MARKUP_IDS = ["[p1](//127.1)", "![p2](http://127.0.0.1:9/p.png)", "<a href=//127.1>p3</a>"]


def _people(level: int) -> bytes:
    return (
        "respondent_id,group,DLit100,"
        + MARKUP_HEADER
        + "\r\n"
        + "".join(f"{i},ผู้ทำงานด้านบริการ,{level},x\r\n" for i in MARKUP_IDS)
    ).encode()


def _messages(at) -> list[str]:
    return [e.body for kind in ("info", "warning", "error", "success", "caption", "markdown") for e in at.get(kind)]


def test_file_name_ignored_header_and_conflicting_ids_are_shown_as_text():
    from framework.text import md

    at = fill(page("en"))
    at = at.file_uploader(key="up_file").set_value((MARKUP_FILE, _people(3), "text/csv")).run()
    at = at.button(key="up_go").click().run()
    assert not at.exception and [m.value for m in at.metric] == ["3", "3", "0"]
    ignored = [b for b in _messages(at) if "ignored" in b]
    assert ignored and md(MARKUP_HEADER) in ignored[0]  # the ignored column header, as text
    at = at.button(key="up_go").click().run()  # the same file again
    dup = [b for b in _messages(at) if "already imported" in b]
    assert dup and md(MARKUP_FILE) in dup[0]  # the file name, as text
    at = at.file_uploader(key="up_file").set_value(("again.csv", _people(2), "text/csv")).run()
    at = at.button(key="up_go").click().run()  # the same people, other answers
    refused = [b for b in _messages(at) if "Not imported" in b]
    assert refused and all(md(i) in refused[0] for i in MARKUP_IDS)  # the conflicting ids, as text
    for body in _messages(at) + ignored + dup:
        assert MARKUP_HEADER not in body and MARKUP_FILE not in body
        assert not any(i in body for i in MARKUP_IDS), body
