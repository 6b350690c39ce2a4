"""Turns the reviewable YAML source under data/source/ into the framework tables (pandas frames)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import pandas as pd
import yaml

from framework.paths import SOURCE_DIR

TITLE_TH = "ทักษะด้านดิจิทัลของข้าราชการและบุคลากรภาครัฐเพื่อการปรับเปลี่ยนเป็นรัฐบาลดิจิทัล"
TITLE_EN = "Digital Skills for Civil Servants and Government Personnel for the Transition to Digital Government"
CIRCULAR = "ที่ นร ๑๐๑๓/ว ๖ (18 May 2018)"

# Order of the tables in the build; every table is written as data/parquet/<name>.parquet.
TABLES = (
    "meta",
    "capability_groups",
    "units",
    "elements",
    "criteria",
    "knowledge",
    "experience",
    "attributes",
    "competencies",
    "stages",
    "staff_groups",
    "profiles",
    "profile_units",
    "profile_knowledge",
    "profile_experience",
    "profile_attributes",
    "profile_competencies",
    "errata",
)


class SourceError(ValueError):
    """The YAML source is inconsistent; the message says where."""


def clean(text) -> str:
    """NFC-normalise and collapse whitespace: the source is reviewed by eye, the tables are compared."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    return re.sub(r"\s+", " ", text).strip()


def _read(source_dir: Path, name: str):
    path = source_dir / name
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _ordered_children(rows: list[dict], parent_col: str, parent_rank: dict) -> pd.DataFrame:
    """Children (elements of units, criteria of elements) in their parent's order, then by code; adds `ord`."""
    df = pd.DataFrame(rows)
    df["_p"] = df[parent_col].map(parent_rank)
    df["_k"] = df["code"].map(_unit_sort_key)
    df = df.sort_values(["_p", "_k"]).drop(columns=["_p", "_k"]).reset_index(drop=True)
    df.insert(1, "ord", range(1, len(df) + 1))
    return df


def _unit_sort_key(code: str):
    m = re.fullmatch(r"([A-Za-z]+)(\d+)(?:\.(\d+))?", code)
    if not m:
        raise SourceError(f"bad code {code!r}")
    return (m.group(1), int(m.group(2)), int(m.group(3) or 0))


def load_tables(source_dir: Path = SOURCE_DIR) -> dict[str, pd.DataFrame]:
    """Read every YAML file of the source and return the framework tables, checked for consistency."""
    vocab = _read(source_dir, "vocab.yaml")
    caps = _read(source_dir, "capabilities.yaml")
    items = _read(source_dir, "items.yaml")
    profs = _read(source_dir, "profiles.yaml")

    t: dict[str, pd.DataFrame] = {}

    groups = vocab["capability_groups"]
    group_order = {g["key"]: g["order"] for g in groups}

    units, elements, criteria = [], [], []
    for u in caps["units"]:
        code = clean(u["code"])
        if code not in ("",) and not code.startswith(u["group"]):
            raise SourceError(f"unit {code} is not in group {u['group']}")
        units.append(
            {
                "code": code,
                "group_key": u["group"],
                "name_th": clean(u["name_th"]),
                "name_en": clean(u.get("name_en")),
                "line": int(u.get("line") or 0),
            }
        )
        for e in u.get("elements") or []:
            ecode = clean(e["code"])
            elements.append(
                {
                    "code": ecode,
                    "unit_code": code,
                    "name_th": clean(e["name_th"]),
                    "name_en": clean(e.get("name_en")),
                    "line": int(e.get("line") or 0),
                }
            )
            for c in e.get("criteria") or []:
                criteria.append(
                    {
                        "code": clean(c["code"]),
                        "element_code": ecode,
                        "unit_code": code,
                        "text_th": clean(c["text_th"]),
                        "text_en": clean(c.get("text_en")),
                    }
                )

    def ordered(rows, key="code"):
        df = pd.DataFrame(rows)
        if df.empty:
            return df
        df["_k"] = df[key].map(_unit_sort_key)
        if "group_key" in df:
            df["_g"] = df["group_key"].map(group_order)
            df = df.sort_values(["_g", "_k"])
        else:
            df = df.sort_values("_k")
        df = df.drop(columns=[c for c in ("_k", "_g") if c in df]).reset_index(drop=True)
        df.insert(1, "ord", range(1, len(df) + 1))
        return df

    t["units"] = ordered(units)
    unit_rank = dict(zip(t["units"]["code"], t["units"]["ord"]))
    t["elements"] = el = _ordered_children(elements, "unit_code", unit_rank)
    t["criteria"] = _ordered_children(criteria, "element_code", dict(zip(el["code"], el["ord"])))

    cg = (
        pd.DataFrame(
            [
                {
                    "key": g["key"],
                    "ord": g["order"],
                    "name_th": clean(g["name_th"]),
                    "name_en": clean(g["name_en"]),
                    "line": int(g.get("line") or 0),
                }
                for g in groups
            ]
        )
        .sort_values("ord")
        .reset_index(drop=True)
    )
    cg["n_units"] = cg["key"].map(t["units"]["group_key"].value_counts()).fillna(0).astype("int64")
    t["capability_groups"] = cg

    for name in ("stages", "staff_groups"):
        t[name] = (
            pd.DataFrame(
                [
                    {
                        "key": s["key"],
                        "ord": s["order"],
                        "name_th": clean(s["name_th"]),
                        "name_en": clean(s["name_en"]),
                        "variants": [clean(v) for v in s.get("variants") or []],
                        "line": int(s.get("line") or 0),
                    }
                    for s in vocab[name]
                ]
            )
            .sort_values("ord")
            .reset_index(drop=True)
        )

    def item_table(kind, rows, has_basic=True):
        out = []
        for i, r in enumerate(rows, start=1):
            row = {"id": str(r["id"]), "ord": i}
            if has_basic:
                row["basic"] = bool(r.get("basic", False))
            row.update(
                {
                    "text_th": clean(r["text_th"]),
                    "text_en": clean(r.get("text_en")),
                    "in_section2": bool(r.get("in_section2", True)),
                    "line": int(r.get("line") or 0),
                }
            )
            out.append(row)
        return pd.DataFrame(out)

    t["knowledge"] = item_table("knowledge", items["knowledge"])
    t["experience"] = item_table("experience", items["experience"])
    t["attributes"] = item_table("attributes", items["attributes"], has_basic=False)
    t["competencies"] = pd.DataFrame(
        [
            {
                "id": str(c["id"]),
                "ord": i,
                "name_th": clean(c["name_th"]),
                "name_en": clean(c["name_en"]),
                "definition_th": clean(c.get("definition_th")),
                "line": int(c.get("line") or 0),
            }
            for i, c in enumerate(items["competencies"], start=1)
        ]
    )

    stage_ord = dict(zip(t["stages"]["key"], t["stages"]["ord"]))
    group_ord = dict(zip(t["staff_groups"]["key"], t["staff_groups"]["ord"]))
    profiles, pu, pk, px, pa, pc = [], [], [], [], [], []
    basic_k = t["knowledge"].loc[t["knowledge"]["basic"], "id"].tolist()
    basic_x = t["experience"].loc[t["experience"]["basic"], "id"].tolist()
    for p in profs["profiles"]:
        s, g = p["stage"], p["group"]
        if s not in stage_ord or g not in group_ord:
            raise SourceError(f"profile {s}/{g}: unknown stage or staff group")
        profiles.append(
            {
                "stage": s,
                "staff_group": g,
                "persona_th": clean(p["persona_th"]),
                "persona_en": clean(p.get("persona_en")),
                "role_th": clean(p["role_th"]),
                "role_en": clean(p.get("role_en")),
                "heading_th": clean(p.get("heading_th")),
                "line": int(p.get("line") or 0),
            }
        )
        for i, code in enumerate(p.get("units") or [], start=1):
            pu.append({"stage": s, "staff_group": g, "unit_code": clean(code), "printed_ord": i})
        for i, k in enumerate(basic_k + [k for k in p.get("knowledge") or []], start=1):
            pk.append({"stage": s, "staff_group": g, "item_id": str(k), "basic": k in basic_k, "ord": i})
        for i, k in enumerate(basic_x + [k for k in p.get("experience") or []], start=1):
            px.append({"stage": s, "staff_group": g, "item_id": str(k), "basic": k in basic_x, "ord": i})
        for i, k in enumerate(t["attributes"]["id"], start=1):
            pa.append({"stage": s, "staff_group": g, "item_id": k, "ord": i})
        for i, k in enumerate(p.get("competencies") or [], start=1):
            pc.append({"stage": s, "staff_group": g, "competency_id": str(k), "ord": i})

    def by_profile(rows, cols=("stage", "staff_group")):
        df = pd.DataFrame(rows)
        df["_s"] = df["stage"].map(stage_ord)
        df["_g"] = df["staff_group"].map(group_ord)
        extra = [c for c in ("printed_ord", "ord") if c in df]
        return df.sort_values(["_s", "_g", *extra]).drop(columns=["_s", "_g"]).reset_index(drop=True)

    t["profiles"] = by_profile(profiles)
    t["profiles"].insert(0, "profile_id", t["profiles"]["stage"] + "/" + t["profiles"]["staff_group"])
    pu_df = by_profile(pu)
    pu_df["unit_ord"] = pu_df["unit_code"].map(unit_rank)
    t["profile_units"] = pu_df
    t["profile_knowledge"] = by_profile(pk)
    t["profile_experience"] = by_profile(px)
    t["profile_attributes"] = by_profile(pa)
    t["profile_competencies"] = by_profile(pc)

    errata = []
    for path in sorted(source_dir.glob("errata_*.yaml")):
        for e in _read(source_dir, path.name) or []:
            errata.append(
                {
                    "source_file": path.name,
                    "line": int(e.get("line") or 0),
                    "table_name": str(e.get("table", "")),
                    "row_key": str(e.get("key", "")),
                    "field": str(e.get("field", "")),
                    "document_text": clean(e.get("document_text")),
                    "corrected": clean(e.get("corrected")),
                    "reason": clean(e.get("reason")),
                }
            )
    er = pd.DataFrame(
        errata,
        columns=["source_file", "line", "table_name", "row_key", "field", "document_text", "corrected", "reason"],
    )
    er = er.sort_values(["line", "table_name", "row_key", "field"], kind="stable").reset_index(drop=True)
    er.insert(0, "erratum_id", [f"E{i:03d}" for i in range(1, len(er) + 1)])
    t["errata"] = er

    t["meta"] = pd.DataFrame(
        [
            {
                "title_th": TITLE_TH,
                "title_en": TITLE_EN,
                "circular": CIRCULAR,
                "source_sha256": source_digest(source_dir),
            }
        ]
    )
    check(t)
    return {name: t[name] for name in TABLES}


def source_digest(source_dir: Path = SOURCE_DIR) -> str:
    """A hash of the YAML source: the framework version that exports state."""
    h = hashlib.sha256()
    for path in sorted(source_dir.glob("*.yaml")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def check(t: dict[str, pd.DataFrame]) -> None:
    """Refuse a source whose rows point at missing rows or repeat a key."""
    problems = []

    def unique(table, cols):
        dup = t[table].duplicated(list(cols), keep=False)
        if dup.any():
            problems.append(f"{table}: duplicate {cols}: {t[table].loc[dup, list(cols)].values.tolist()[:5]}")

    def refs(table, col, target, tcol="code"):
        missing = set(t[table][col]) - set(t[target][tcol])
        if missing:
            problems.append(f"{table}.{col} points at missing {target}: {sorted(missing)[:10]}")

    for table, cols in (
        ("units", ["code"]),
        ("elements", ["code"]),
        ("criteria", ["code"]),
        ("knowledge", ["id"]),
        ("experience", ["id"]),
        ("attributes", ["id"]),
        ("competencies", ["id"]),
        ("profiles", ["stage", "staff_group"]),
        ("profile_units", ["stage", "staff_group", "unit_code"]),
        ("profile_knowledge", ["stage", "staff_group", "item_id"]),
        ("profile_experience", ["stage", "staff_group", "item_id"]),
        ("profile_competencies", ["stage", "staff_group", "competency_id"]),
    ):
        unique(table, cols)
    refs("units", "group_key", "capability_groups", "key")
    refs("elements", "unit_code", "units")
    refs("criteria", "element_code", "elements")
    refs("profile_units", "unit_code", "units")
    refs("profile_knowledge", "item_id", "knowledge", "id")
    refs("profile_experience", "item_id", "experience", "id")
    refs("profile_competencies", "competency_id", "competencies", "id")
    for el in t["elements"].itertuples():
        if not el.code.startswith(el.unit_code[:-2]):
            problems.append(f"element {el.code} filed under unit {el.unit_code}")
    for cr in t["criteria"].itertuples():
        if not cr.code.startswith(cr.element_code + "."):
            problems.append(f"criterion {cr.code} filed under element {cr.element_code}")
    no_crit = set(t["elements"]["code"]) - set(t["criteria"]["element_code"])
    if no_crit:
        problems.append(f"elements without criteria: {sorted(no_crit)}")
    no_el = set(t["units"]["code"]) - set(t["elements"]["unit_code"])
    if no_el:
        problems.append(f"units without elements: {sorted(no_el)}")
    if problems:
        raise SourceError("framework source is inconsistent:\n- " + "\n- ".join(problems))
