"""README states what the app computes: its definitions block is the text the app shows (written once)."""

from __future__ import annotations

from conftest import readme_block

from framework.analysis.definitions import DEFINITIONS_EN


def test_readme_definitions_are_the_apps():
    block = readme_block("definitions")
    assert block, "README's 'How the figures are computed' must hold DEFINITIONS_EN between definitions:begin/end"
    assert block == DEFINITIONS_EN.rstrip("\n")
