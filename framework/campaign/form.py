"""What the self-assessment form shows: the units to ask (the role profile's, in framework order, optionally
all), each level in words (the upload legend, `survey.LEVELS`), each unit's elements and criteria, and the
summary shown to the person right after submitting (from `framework.respondents.plan`)."""

from __future__ import annotations

import pandas as pd

from framework import respondents as rsp
from framework.campaign.submit import NOT_ASSESSED
from framework.catalog import Catalog
from framework.survey import LEVELS

OPTIONS = [n for n, _, _ in LEVELS] + [NOT_ASSESSED]


def option_label(value, lang: str) -> str:
    """'3 · ทำได้ด้วยตนเอง' / '3 · Can do independently'; the not-assessed choice in words."""
    if value == NOT_ASSESSED:
        return "ไม่ประเมินหน่วยนี้" if lang != "en" else "Not assessed"
    for n, th, en in LEVELS:
        if n == value:
            return f"{n} · {en if lang == 'en' else th}"
    return str(value)


def form_units(catalog: Catalog, stage: str, staff_group: str, everything: bool = False) -> pd.DataFrame:
    """The units to ask, framework order: the profile's (required=True), plus every other unit if asked."""
    req = catalog.profile_units(stage, staff_group)["code"].tolist()
    units = catalog.units()
    units = units.assign(required=units["code"].isin(req))
    if not everything:
        units = units[units["required"]]
    return units[["code", "group_key", "name_th", "name_en", "required"]].reset_index(drop=True)


def unit_detail(catalog: Catalog, code: str, lang: str) -> str:
    """Markdown: the unit's elements, each with its performance criteria (English falls back to Thai)."""

    def pick(row, field):
        en, th = row.get(f"{field}_en"), row.get(f"{field}_th")
        return en if lang == "en" and isinstance(en, str) and en.strip() else (th or "")

    crit = catalog.criteria(unit=code)
    lines = []
    for _, el in catalog.elements(code).iterrows():
        lines.append(f"**{el['code']}** {pick(el, 'name')}")
        lines += [f"- {pick(c, 'text')}" for _, c in crit[crit["element_code"] == el["code"]].iterrows()]
    return "\n".join(lines)


def unit_details(catalog: Catalog, lang: str) -> dict[str, str]:
    """unit_detail of every unit at once (two catalogue reads, not two per unit): unit code -> Markdown."""

    def pick(row, field):
        en, th = row.get(f"{field}_en"), row.get(f"{field}_th")
        return en if lang == "en" and isinstance(en, str) and en.strip() else (th or "")

    by_element: dict[str, list[str]] = {}
    for c in catalog.criteria().to_dict("records"):
        by_element.setdefault(c["element_code"], []).append(f"- {pick(c, 'text')}")
    out = dict.fromkeys(catalog.unit_codes(), "")
    lines: dict[str, list[str]] = {}
    for el in catalog.elements().to_dict("records"):
        lines.setdefault(el["unit_code"], []).append(f"**{el['code']}** {pick(el, 'name')}")
        lines[el["unit_code"]] += by_element.get(el["code"], [])
    return out | {code: "\n".join(x) for code, x in lines.items()}


def learn_first(catalog: Catalog, plan: rsp.Plan, limit: int = 12) -> pd.DataFrame:
    """Elements to learn first: those of the units to develop (then not assessed), framework order."""
    order = {rsp.DEVELOP: 0, rsp.NOT_ASSESSED: 1}
    todo = plan.units[plan.units["status"].isin(order)].copy()
    todo["rank"] = todo["status"].map(order)
    todo = todo.sort_values("rank", kind="stable")
    els = catalog.elements()
    out = todo[["code", "status"]].merge(els.rename(columns={"code": "element", "unit_code": "code"}), on="code")
    return out[["code", "element", "name_th", "name_en", "status"]].head(limit).reset_index(drop=True)
