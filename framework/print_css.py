"""The one A4 print stylesheet of the standalone HTML documents (profile handout, individual development plan).

`stylesheet(margin, screen, print_)` gives the shared rules (A4 page, Thai font stack of framework.outputs.chart_theme,
colours, header, headings, tables, footer, print breaks) followed by a document's own rules; the document's
print rules go inside the one `@media print` block after the shared ones, so they win where both set a value.
"""

from __future__ import annotations

from framework.outputs.chart_theme import FONTS

FONT_STACK = ", ".join(f'"{f}"' if " " in f else f for f in FONTS)

BASE = """
@page { size: A4 portrait; margin: %(margin)s; }
* { box-sizing: border-box; }
body { font-family: %(fonts)s; color: #1b1b1b;
       font-size: 10.5pt; line-height: 1.4; margin: 0 auto; max-width: 210mm; padding: 8mm; }
header { border-bottom: 3px solid #1f4e8c; padding-bottom: 4pt; margin-bottom: 6pt; }
.framework { font-size: 8.5pt; color: #555; }
h1 { color: #12335e; }
h2 { color: #12335e; border-bottom: 1px solid #c9d4e5; padding-bottom: 1pt; }
table { border-collapse: collapse; width: 100%%; }
td.code { font-weight: 700; white-space: nowrap; width: 1%%; color: #12335e; }
footer { font-size: 7.5pt; color: #666; border-top: 1px solid #ccc; padding-top: 3pt; }
"""

BASE_PRINT = """
  body { padding: 0; max-width: none; }
  h1 { font-size: 15pt; }
  tr, li, p { break-inside: avoid; }
  /* Room above each page's first line: Thai marks stacked above it (เพื่อ, เปลี่ยน) would otherwise print as
     stray fragments at the foot of the page before (a deck's page 5 showed them). */
  header { padding-top: 3pt; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
"""


def stylesheet(margin: str = "10mm 11mm", screen: str = "", print_: str = "") -> str:
    """The shared A4 stylesheet with the page `margin` (CSS shorthand), then the document's own rules."""
    return (
        BASE % {"margin": margin, "fonts": FONT_STACK}
        + screen.strip("\n")
        + "\n"
        + "@media print {"
        + BASE_PRINT
        + print_.strip("\n")
        + "\n}\n"
    )
