"""One A4 print stylesheet for the standalone documents (profile handout, IDP); the margin is a parameter."""

from __future__ import annotations

import re
from pathlib import Path

from framework import handout, print_css, respondents
from framework.outputs import chart_theme

ROOT = Path(__file__).resolve().parent.parent


def test_margin_is_a_parameter_and_the_page_is_a4():
    css = print_css.stylesheet("7mm 8mm")
    assert "@page { size: A4 portrait; margin: 7mm 8mm; }" in css
    assert "margin: 7mm 8mm" not in print_css.stylesheet("9mm 10mm")


def test_both_documents_use_the_one_stylesheet_with_their_own_margin():
    for module, margin in ((handout, "9mm 10mm"), (respondents, "10mm 11mm")):
        css = module.CSS
        shared = print_css.stylesheet(margin)
        head = shared.split("@media print {")[0].rstrip()
        assert css.startswith(head), module.__name__
        assert css.count("@page") == 1 and css.count("@media print") == 1, module.__name__
        # The shared print rules come first inside the one print block; the document's own rules follow.
        assert css.split("@media print {")[1].lstrip().startswith(print_css.BASE_PRINT.strip()), module.__name__
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert "@page" not in source and "box-sizing" not in source, f"{module.__name__} repeats the shared CSS"


def test_print_font_stack_is_the_chart_font_stack():
    css = print_css.stylesheet()
    family = re.search(r"font-family: ([^;]+);", css).group(1)
    assert [f.strip().strip('"') for f in family.split(",")] == list(chart_theme.FONTS)


def test_document_print_rules_override_the_shared_ones():
    css = print_css.stylesheet("10mm", screen="h1 { font-size: 30pt; }", print_="  h1 { font-size: 12pt; }")
    block = css.split("@media print {")[1]
    assert block.index("h1 { font-size: 15pt; }") < block.index("h1 { font-size: 12pt; }")
    assert css.index("h1 { font-size: 30pt; }") < css.index("@media print")
