"""AppTest: hostile files on the upload page give one bilingual message (or a rejected row), never a traceback."""
from __future__ import annotations

import pytest

import make_hostile_path  # noqa: F401  (puts tests/hostile on sys.path)
import make_hostile
from test_page_upload import _page_env, frame, page  # noqa: F401  (_page_env: the autouse page environment)

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
    at = at.button(key="up_go").click().run()
    assert not at.exception
    assert len(at.error) == 1
    assert SMALL[name][0 if lang == "en" else 1] in at.error[0].body
    assert not at.metric and frame(at, "Batch" if lang == "en" else "ชุด") is None


def test_a_workbook_cell_over_the_limit_is_a_rejected_row_with_its_reason(tmp_path):
    path = make_hostile.build("inline_cell_40k.xlsx", tmp_path)
    at = page("en")
    at.file_uploader(key="up_file").set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    at = at.button(key="up_go").click().run()
    assert not at.exception and not at.error
    assert [m.value for m in at.metric] == ["1", "0", "1"]
    assert any("over the limit of 32,767" in r for r in frame(at, "How to fix")["Reason"])
