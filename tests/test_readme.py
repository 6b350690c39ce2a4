"""README states what the app computes: its definitions block is the text the app shows (written once)."""
from __future__ import annotations

import re
from pathlib import Path

from framework.analysis.definitions import DEFINITIONS_EN

ROOT = Path(__file__).resolve().parents[1]


def test_readme_definitions_are_the_apps():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- definitions:begin[^>]*-->\n(.*?)\n<!-- definitions:end -->", text, re.S)
    assert m, "README's 'How the figures are computed' must hold DEFINITIONS_EN between definitions:begin/end"
    assert m.group(1) == DEFINITIONS_EN.rstrip("\n")
