"""The file-format rules are written once (framework/survey/rules.py) and shown by README and the upload page."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import readme_block

from framework.survey import limits, rules

ROOT = Path(__file__).resolve().parents[1]


def test_readme_survey_section_is_what_rules_py_produces():
    block = readme_block("rules")
    assert block, "README's survey-format section must hold the generated rules between rules:begin / rules:end"
    assert block == rules.markdown("en")


def test_rules_are_bilingual_and_state_the_limits_the_code_checks():
    th, en = rules.markdown("th"), rules.markdown("en")
    assert len(rules.RULES) >= 8 and all(r.th and r.en and r.title_th and r.title_en for r in rules.RULES)
    assert re.search("[\u0e01-\u0e5b]", th) and th != en
    for text in (th, en):
        assert f"{limits.MAX_COLUMNS}" in text and f"{limits.MAX_CELL_CHARS:,}" in text
        assert limits.mb(limits.MAX_UNZIPPED_BYTES) in text and f"{limits.MAX_XLSX_ROWS:,}" in text


def test_upload_page_and_package_docstring_do_not_restate_the_rules():
    page = (ROOT / "pages" / "upload.py").read_text(encoding="utf-8")
    assert "rules.markdown(lang)" in page
    assert "Element columns" not in page and "คอลัมน์ความสามารถย่อย" not in page  # no second copy
    init = (ROOT / "framework" / "survey" / "__init__.py").read_text(encoding="utf-8")
    assert "Blank rows" not in init and "rules.py" in init
