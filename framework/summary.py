"""The plain-language summary shown before the formulas ("How these figures are computed"): three lines an
executive reads without the symbols u, s, t, k. It says what DEFINITIONS_TH / DEFINITIONS_EN in
framework.analysis say, in the words of the page, with the settings in force (threshold, target, smallest cell).
"""

from __future__ import annotations

from framework.text import pick

HEADING = ("โดยสรุป", "In short")


def lines(lang: str = "th", threshold: int = 3, target: float = 0.8, min_cell: int = 5) -> list[str]:
    """Three sentences: what coverage is, what readiness and the stage reached are, and why a figure is hidden.
    threshold 0: each unit against the agency's target level (framework/targets.py)."""
    at = (
        {"en": "at least the agency's target level for it", "th": "ถึงระดับเป้าหมายของหน่วยงาน"}[
            lang if lang == "en" else "th"
        ]
        if threshold == 0
        else {"en": f"{threshold} or higher", "th": f"ตั้งแต่ {threshold} ขึ้นไป"}["en" if lang == "en" else "th"]
    )
    if lang == "en":
        return [
            (
                f"**Coverage** of a unit: the share of respondents whose level in it is {at} "
                "(not assessed counts as not met)."
            ),
            (
                "**Readiness** at a stage: on average, the share of the units their role requires that respondents "
                f"meet; a group **reaches** a stage when its readiness is {target:.0%} or more."
            ),
            (
                f"A figure from fewer than {min_cell} people is **hidden** (—) to protect privacy, "
                "and never shown as zero."
            ),
        ]
    return [
        (f"**ความครอบคลุม** ของหน่วย: สัดส่วนผู้ตอบที่มีระดับในหน่วยนั้น{at} (ยังไม่ได้ประเมินนับว่าไม่ผ่าน)"),
        (
            "**ความพร้อม** ในระยะหนึ่ง: ค่าเฉลี่ยของสัดส่วนหน่วยที่บทบาทกำหนดซึ่งผู้ตอบผ่าน "
            f"กลุ่มที่มีความพร้อมตั้งแต่ {target:.0%} ขึ้นไปถือว่า **บรรลุ** ระยะนั้น"
        ),
        (f"ตัวเลขที่มาจากผู้ตอบน้อยกว่า {min_cell} คนจะถูก **ซ่อน** (—) เพื่อคุ้มครองข้อมูลส่วนบุคคล และไม่แสดงเป็นศูนย์"),
    ]


def markdown(lang: str = "th", threshold: int = 3, target: float = 0.8, min_cell: int = 5) -> str:
    """The heading and the three lines as a Markdown list."""
    th, en = HEADING
    head = pick(lang, th, en)
    return f"**{head}**\n" + "\n".join(f"- {line}" for line in lines(lang, threshold, target, min_cell))
