"""One-page printable HTML handout of a role profile that opens offline (no scripts, fonts or images)."""

from __future__ import annotations

import datetime as dt
import re
from html import escape

from framework import print_css, targets
from framework.catalog import Catalog
from framework.catalog.profiles import names, text
from framework.text import pick as _t

CSS = print_css.stylesheet(
    "9mm 10mm",
    screen="""
body { line-height: 1.35; }
.profile { font-size: 10pt; color: #1f4e8c; font-weight: 700; margin-top: 2pt; }
h1 { font-size: 19pt; margin: 2pt 0 1pt; }
.persona-alt { font-size: 10.5pt; color: #444; margin: 0; }
.role { margin: 5pt 0 7pt; }
h2 { font-size: 11.5pt; margin: 8pt 0 3pt; }
h3 { font-size: 9.5pt; margin: 4pt 0 1pt; color: #1f4e8c; }
table { font-size: 9pt; }
td { padding: 1pt 3pt; vertical-align: top; border-bottom: 1px solid #edf0f5; }
.alt { display: block; color: #555; font-size: 0.9em; }
.units { column-count: 2; column-gap: 6mm; }
.units > section { break-inside: avoid; }
ul { margin: 1pt 0 3pt; padding-left: 13pt; font-size: 9pt; }
li { margin: 0 0 1pt; }
.tag { display: inline-block; font-size: 7.5pt; padding: 0 4pt; border-radius: 6pt; background: #eef5ea;
       color: #2d6a2d; font-weight: 700; margin-right: 3pt; }
.tag.specific { background: #e8eef7; color: #1f4e8c; }
.cols { column-count: 3; column-gap: 8mm; margin-top: 6pt; border-top: 1px solid #c9d4e5; padding-top: 3pt; }
.cols > section:first-child > h2 { margin-top: 0; }  /* every column starts level with the first heading */
.cols > section { break-inside: avoid; }
footer { margin-top: 8pt; }
""",
    print_="""
  body { font-size: 8.6pt; line-height: 1.22; }
  h2 { font-size: 9.5pt; margin: 5pt 0 2pt; }
  h3 { font-size: 8pt; margin: 3pt 0 0; }
  .role { margin: 3pt 0 4pt; }
  table, ul { font-size: 7.4pt; }
  td { padding: 0 2pt; }
  li { break-inside: avoid; }
  .alt, .def { display: none; }
  .cols > section { break-inside: auto; }
  h3 { break-after: avoid; }
  .role { font-size: 8pt; }
  ul { font-size: 7pt; padding-left: 10pt; }
  .tag { font-size: 6.3pt; padding: 0 2pt; }
""",
)


THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_TH = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)


def circular_ref(circular: str, lang: str) -> str:
    """The circular's number and date in the handout's language: Arabic digits in English, a Thai date in Thai."""
    if lang == "en":
        return re.sub(r"^\s*ที่\s*", "No. ", circular).translate(THAI_DIGITS)

    def thai_date(m: re.Match) -> str:
        return f"{m.group(1)} {MONTHS_TH[MONTHS_EN.index(m.group(2))]} {int(m.group(3)) + 543}"

    return re.sub(r"\b(\d{1,2}) (" + "|".join(MONTHS_EN) + r") (\d{4})\b", thai_date, circular)


def _items(df, lang: str, basic_marks: bool) -> str:
    """A list of knowledge / experience / attribute items, each marked basic or specific where relevant."""
    if df.empty:
        return f"<p>{escape(_t(lang, '— ไม่มี —', '— none —'))}</p>"
    out = ["<ul>"]
    for _, row in df.iterrows():
        tag = ""
        if basic_marks:
            basic = bool(row["basic"])
            tag = (
                f'<span class="tag{"" if basic else " specific"}">'
                f'{escape(_t(lang, "พื้นฐาน", "basic") if basic else _t(lang, "เฉพาะ", "specific"))}</span>'
            )
        out.append(f"<li>{tag}{escape(text(row, 'text', lang))}</li>")
    out.append("</ul>")
    return "".join(out)


def profile_handout(
    cat: Catalog,
    stage: str,
    staff_group: str,
    lang: str = "th",
    levels: dict | None = None,
    whose: tuple = (None, None),
) -> str:
    """The whole handout as one HTML string (UTF-8, inline CSS, A4 print rules); every text is escaped.
    `levels`: the target level per unit (framework/targets.py; default everywhere), `whose`: (agency, round)."""
    p, levels = cat.profile(stage, staff_group), levels or {}
    label = names(cat, lang)
    meta = cat.meta()
    other = "th" if lang == "en" else "en"
    persona, persona_alt = p.persona(lang), p.persona(other)
    title = _t(lang, meta["title_th"], meta["title_en"])

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        (
            f"<title>{escape(persona)} · {escape(label.get(stage, stage))} · {escape(label.get(staff_group, staff_group))}"
            "</title>"
        ),
        f"<style>{CSS}</style></head><body>",
        "<header>",
        f'<div class="framework">{escape(title)}</div>',
        f'<div class="profile">{escape(label.get(stage, stage))} · {escape(label.get(staff_group, staff_group))}</div>',
        f"<h1>{escape(persona)}</h1>",
    ]
    if persona_alt and persona_alt != persona:
        parts.append(f'<p class="persona-alt">{escape(persona_alt)}</p>')
    parts += ["</header>", f'<p class="role">{escape(p.role(lang))}</p>']

    parts.append(f"<h2>{escape(_t(lang, 'หน่วยความสามารถที่ต้องมี', 'Required units of capability'))} ({len(p.units)})</h2>")
    parts.append('<div class="units">')
    for _, grp in p.units.groupby("group_key", sort=False):
        first = grp.iloc[0]
        parts.append(
            f"<section><h3>{escape(str(first['group_key']))} · {escape(text(first, 'group_name', lang))}</h3><table>"
        )
        for _, u in grp.iterrows():
            primary, alt = text(u, "name", lang), text(u, "name", other)
            parts.append(
                f'<tr><td class="code">{escape(u["code"])}</td><td>{escape(primary)}'
                + (f'<span class="alt">{escape(alt)}</span>' if alt and alt != primary else "")
                + f'</td><td class="code">≥ {int(levels.get(u["code"], targets.DEFAULT_LEVEL))}</td></tr>'
            )
        parts.append("</table></section>")
    parts.append("</div>")

    parts.append('<div class="cols">')
    parts.append(
        f"<section><h2>{escape(_t(lang, 'ความรู้', 'Knowledge'))}</h2>{_items(p.knowledge, lang, True)}</section>"
    )
    parts.append(
        f"<section><h2>{escape(_t(lang, 'ประสบการณ์', 'Experience'))}</h2>{_items(p.experience, lang, True)}</section>"
    )
    parts.append(
        f"<section><h2>{escape(_t(lang, 'คุณลักษณะ', 'Attributes'))}</h2>{_items(p.attributes, lang, False)}</section>"
    )
    comp = (
        ["<ul>"]
        + [
            f"<li><b>{escape(text(c, 'name', lang))}</b>"
            + (
                f"<span class=\"def\"> — {escape(c['definition_th'])}</span>"
                if lang == "th" and c["definition_th"]
                else ""
            )
            + "</li>"
            for _, c in p.competencies.iterrows()
        ]
        + ["</ul>"]
    )
    parts.append(f"<section><h2>{escape(_t(lang, 'สมรรถนะ', 'Competencies'))}</h2>{''.join(comp)}</section>")
    parts.append("</div>")

    parts.append(
        f"<footer>{escape(_t(lang, 'ที่มา: สำนักงาน ก.พ. หนังสือ', 'Source: OCSC circular '))}"
        f"{escape(circular_ref(meta['circular'], lang))} · {escape(targets.short_note(lang, *whose))} · "
        f"{escape(_t(lang, 'พิมพ์เมื่อ', 'printed'))} "
        f"{dt.date.today().isoformat()}"
        "</footer></body></html>"
    )
    return "\n".join(parts)


def profiles_deck(cat: Catalog, profiles: list[tuple[str, str]], lang: str = "th") -> str:
    """Several handouts in one HTML document, one A4 page each (for a PDF of a stage's six groups, or all 18).

    Each page is exactly the single handout's body (same style), so the deck cannot drift from the handout.
    """
    if not profiles:
        raise ValueError("profiles_deck needs at least one (stage, staff_group)")
    pages = [profile_handout(cat, stage, group, lang) for stage, group in profiles]
    head = pages[0].split("<body>", 1)[0]
    bodies = [page.split("<body>", 1)[1].rsplit("</body>", 1)[0] for page in pages]
    title = _t(lang, "เอกสารแจก", "Handouts") + f" ({len(pages)})"
    head = re.sub(r"<title>.*?</title>", f"<title>{escape(title)}</title>", head, count=1, flags=re.DOTALL)
    sheet = '<div class="deck-page" style="break-after: page;">{}</div>'
    last = '<div class="deck-page">{}</div>'
    return head + "<body>" + "".join(sheet.format(b) for b in bodies[:-1]) + last.format(bodies[-1]) + "</body></html>"
