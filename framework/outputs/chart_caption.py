"""The title an exported chart image carries: the chart's own title plus the round and filters it was drawn with
(a PNG leaves the page behind, so it must say what it shows). HTML exports state the settings below the chart."""

from __future__ import annotations

import copy

from framework import summary
from framework.text import pick

NAMES = {
    "round": ("รอบ", "round"),
    "agencies": ("หน่วยงาน", "agency"),
    "org_units": ("หน่วยงานย่อย", "org unit"),
    "staff_groups": ("กลุ่มบุคลากร", "staff group"),
    "batches": ("ชุดข้อมูล", "batch"),
    "rounds": ("รอบ", "rounds"),
    "stage": ("ระยะ", "stage"),
    "threshold": ("เกณฑ์ระดับ ≥", "level ≥"),
    "min_cell": ("k =", "k ="),
    "unit": ("หน่วย", "unit"),
    "key": ("แถว", "row"),
}


def settings_line(filters: dict | None, lang: str = "th") -> str:
    """The round, then every filter set, in one line ("round: latest · agency: A · level ≥ 3 · k = 5")."""
    parts = []
    for name, (th, en) in NAMES.items():
        v = (filters or {}).get(name)
        if v is None or v == "" or v == []:
            continue
        if name == "threshold":  # "level ≥ 2", or at t = 0 "meets the agency's target level (default 3)"
            parts.append(summary.met_words(v, lang))
            continue
        word = pick(lang, th, en)
        parts.append(f"{word} {v}" if word.endswith(("≥", "=")) else f"{word}: {v}")
    return " · ".join(parts)


def titled(fig, filters: dict | None, lang: str = "th"):
    """A copy of `fig` whose title ends with the settings line (the page's figure is left as it is)."""
    line = settings_line(filters, lang)
    if not line:
        return fig
    out = copy.deepcopy(fig)
    text = out.layout.title.text if out.layout.title and out.layout.title.text else ""
    out.update_layout(title_text=f"{text}<br><sup>{line}</sup>" if text else f"<sup>{line}</sup>")
    out.update_layout(margin_t=max(int(out.layout.margin.t or 0), 100))
    return out
