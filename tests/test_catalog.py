"""The catalogue pins the document's content: counts, profile lists, integrity and the queries pages use."""

from __future__ import annotations

import pytest

from framework.catalog import STAFF_GROUPS, STAGES, normalise_label

# Row counts of every table, checked against the document (หมวดที่ ๒ and ๓).
COUNTS = {
    "capability_groups": 7,
    "units": 39,
    "elements": 115,
    "criteria": 400,
    "knowledge": 24,  # 5 basic + 18 specific + 1 item printed only in profile lists (flagged)
    "experience": 18,  # 5 basic + 13 specific
    "attributes": 5,
    "competencies": 4,
    "stages": 3,
    "staff_groups": 6,
    "profiles": 18,
    "profile_units": 286,
    "profile_attributes": 90,
    "profile_competencies": 42,
    "profile_knowledge": 18 * 5 + 170,  # basic items in every profile + printed specific ones
    "profile_experience": 18 * 5 + 104,
    "meta": 1,
}

UNITS_PER_GROUP = {"DLit": 7, "DG": 6, "DT": 7, "DS": 7, "SPM": 6, "DL": 3, "DTr": 3}

# Unit lists exactly as printed, in printed order (document lines in the comments).
PRINTED = {
    ("Early", "Technologist"): [
        "SPM100",
        "SPM200",
        "DT300",
        "DS100",
        "SPM400",
        "SPM500",
        "DT100",
        "DT500",
        "DT400",
        "DT600",
        "DG400",
        "SPM600",
        "DLit300",
        "DLit400",
        "DG100",
        "DL300",
    ],  # 788-806
    ("Developing", "Others"): [
        "DLit100",
        "DLit200",
        "DLit400",
        "DLit700",
        "DLit600",
        "DLit300",
        "DG100",
        "DG400",
    ],  # 1264-1274
    ("Mature", "Service"): [
        "SPM200",
        "DT100",
        "DTr200",
        "DTr300",
        "DS100",
        "DS300",
        "DS600",
        "DS700",
        "DG400",
        "DLit400",
        "DLit700",
        "DT600",
        "DLit100",
        "DLit200",
        "DLit300",
        "DLit500",
        "DLit600",
        "DG100",
        "DG200",
        "DL300",
    ],  # 1537-1559
    ("Early", "Others"): ["DLit100", "DLit200", "DLit400", "DG100", "DG400"],  # 860-867
    ("Early", "Executive"): [
        "SPM100",
        "DS100",
        "DTr100",
        "DTr200",
        "DL300",
        "DL100",
        "DLit100",
        "DLit400",
        "DG100",
    ],  # 569-577
}

# Required-unit counts of the 18 profiles (stage x staff group), counted in the document.
PROFILE_COUNTS = {
    "Early": [9, 13, 9, 8, 16, 5],
    "Developing": [16, 22, 17, 14, 27, 8],
    "Mature": [19, 25, 21, 20, 28, 9],
}


@pytest.mark.parametrize("table,n", sorted(COUNTS.items()))
def test_row_counts(catalog, table, n):
    assert len(catalog.table(table)) == n


def test_units_per_group_and_order(catalog):
    groups = catalog.groups()
    assert groups["key"].tolist() == list(UNITS_PER_GROUP)
    assert dict(zip(groups["key"], groups["n_units"])) == UNITS_PER_GROUP
    codes = catalog.unit_codes()
    assert codes[:3] == ["DLit100", "DLit200", "DLit300"] and codes[-1] == "DTr300"
    assert catalog.units("DL")["code"].tolist() == ["DL100", "DL200", "DL300"]


def test_basic_and_specific_items(catalog):
    k, x = catalog.table("knowledge"), catalog.table("experience")
    assert k["basic"].sum() == 5 and (~k["basic"] & k["in_section2"]).sum() == 18
    assert x["basic"].sum() == 5 and (~x["basic"]).sum() == 13
    flagged = k[~k["in_section2"]]
    assert len(flagged) == 1 and "Mega Trends" in flagged.iloc[0]["text_th"]
    assert catalog.table("competencies")["name_en"].tolist() == [
        "Visioning",
        "Strategic Orientation",
        "Change Leadership",
        "Coaching and Empowering Others",
    ]


@pytest.mark.parametrize("key,codes", list(PRINTED.items()), ids=lambda v: str(v))
def test_profile_unit_lists_as_printed(catalog, key, codes):
    pu = catalog.table("profile_units")
    got = pu[(pu.stage == key[0]) & (pu.staff_group == key[1])].sort_values("printed_ord")["unit_code"].tolist()
    assert got == codes
    # The profile query returns the same set, in framework order.
    assert sorted(catalog.profile(*key).units["code"]) == sorted(codes)


def test_profile_unit_count_matrix(catalog):
    counts = catalog.profile_unit_counts()
    for stage, row in PROFILE_COUNTS.items():
        got = counts[counts.stage == stage].set_index("staff_group").loc[list(STAFF_GROUPS), "units"].tolist()
        assert got == row, stage


def test_profile_includes_basic_items_and_attributes(catalog):
    p = catalog.profile("Mature", "Service")
    assert p.persona_th and p.role_th.startswith("เป็น")
    assert p.knowledge["basic"].sum() == 5 and (~p.knowledge["basic"]).sum() == 11
    assert p.experience["basic"].sum() == 5 and (~p.experience["basic"]).sum() == 4
    assert len(p.attributes) == 5
    assert p.competencies["id"].tolist() == ["CoachingEmpoweringOthers"]  # line 1593


def test_every_profile_has_persona_role_and_units(catalog):
    for stage in STAGES:
        for group in STAFF_GROUPS:
            p = catalog.profile(stage, group)
            assert p.persona_th and p.persona_en and p.role_en, (stage, group)
            assert p.persona_th in p.role_th, (stage, group)
            assert len(p.units) >= 5
    with pytest.raises(KeyError):
        catalog.profile("Mature", "Nobody")


def test_referential_integrity(catalog):
    q = catalog.q
    assert (
        q("SELECT count(*) n FROM criteria c LEFT JOIN elements e ON e.code = c.element_code WHERE e.code IS NULL")[
            "n"
        ][0]
        == 0
    )
    assert (
        q("SELECT count(*) n FROM elements e LEFT JOIN units u ON u.code = e.unit_code WHERE u.code IS NULL")["n"][0]
        == 0
    )
    assert (
        q("SELECT count(*) n FROM units u LEFT JOIN capability_groups g ON g.key = u.group_key WHERE g.key IS NULL")[
            "n"
        ][0]
        == 0
    )
    for link, col, target in (
        ("profile_units", "unit_code", "units(code)"),
        ("profile_knowledge", "item_id", "knowledge(id)"),
        ("profile_experience", "item_id", "experience(id)"),
        ("profile_attributes", "item_id", "attributes(id)"),
        ("profile_competencies", "competency_id", "competencies(id)"),
    ):
        table, key = target.rstrip(")").split("(")
        assert (
            q(f"SELECT count(*) n FROM {link} l LEFT JOIN {table} t ON t.{key} = l.{col} WHERE t.{key} IS NULL")["n"][0]
            == 0
        ), link
        assert (
            q(
                f"SELECT count(*) n FROM {link} l LEFT JOIN profiles p USING (stage, staff_group) "
                "WHERE p.profile_id IS NULL"
            )["n"][0]
            == 0
        ), link
    # Every unit has elements, every element has criteria, and codes nest.
    assert (
        q("SELECT count(*) n FROM units u WHERE NOT EXISTS (SELECT 1 FROM elements e WHERE e.unit_code=u.code)")["n"][0]
        == 0
    )
    assert q("SELECT count(*) n FROM criteria WHERE NOT starts_with(code, element_code || '.')")["n"][0] == 0


def test_ds102_is_recovered(catalog):
    el = catalog.elements("DS100")
    assert el["code"].tolist() == ["DS101", "DS102"]
    assert catalog.criteria(element="DS102")["code"].tolist() == ["DS102.1", "DS102.2", "DS102.3"]


def test_requirement_matrix(catalog):
    m = catalog.requirement_matrix()
    assert len(m) == 3 * 6 * 39
    assert int(m["required"].sum()) == 286
    early = catalog.requirement_matrix("Early")
    assert len(early) == 6 * 39
    tech = early[(early.staff_group == "Technologist") & early.required]["unit_code"]
    assert set(tech) == set(PRINTED[("Early", "Technologist")])


def test_profile_diff_is_not_nested(catalog):
    d = catalog.profile_diff("Technologist", "Early", "Developing")
    assert {"DT300", "DT400"} <= set(d.units_dropped["code"])
    assert len(d.units_added) + len(d.units_kept) == 27
    assert len(d.units_dropped) + len(d.units_kept) == 16
    assert set(d.units_added["code"]).isdisjoint(d.units_kept["code"])
    same = catalog.profile_diff("Others", "Mature", "Mature")
    assert same.units_added.empty and same.units_dropped.empty


def test_profiles_requiring_a_unit(catalog):
    req = catalog.profiles_requiring("DT300")
    assert ("Early", "Technologist") in set(zip(req.stage, req.staff_group))
    assert ("Developing", "Technologist") not in set(zip(req.stage, req.staff_group))
    assert len(catalog.profiles_requiring("DLit100")) >= 6


@pytest.mark.parametrize(
    "query,kind,code",
    [
        ("DT703", "element", "DT703"),
        ("dlit101.2", "criterion", "DLit101.2"),
        ("ใช้งานคอมพิวเตอร์", "element", "DLit101"),  # Thai substring, no word breaks
        ("คอมพิวเตอร์", "element", "DLit101"),
        ("enterprise architecture", "unit", "DT200"),
        ("Mega Trends", "knowledge", "KP1"),
    ],
)
def test_search(catalog, query, kind, code):
    hits = catalog.search(query)
    assert ((hits["kind"] == kind) & (hits["code"] == code)).any(), hits.head()


def test_search_ranks_exact_code_first_and_handles_empty(catalog):
    assert catalog.search("DL300").iloc[0]["code"] == "DL300"
    assert catalog.search("   ").empty
    assert catalog.search("zzzz-no-such-thing").empty
    assert catalog.search("'; DROP TABLE units; --").empty
    assert len(catalog.units()) == 39


@pytest.mark.parametrize(
    "label,key",
    [
        ("Executive", "Executive"),
        ("ผู้บริหารระดับสูง", "Executive"),
        ("ผู้บริหารส่วนราชการ", "Executive"),
        (" ผู้อำนวยการ กอง ", "Management"),
        ("ผู้บริหารกอง", "Management"),
        ("ผู้ทำงานด้านนโยบายและวิชาการ", "Academic"),
        ("ผู้ทำงานด้านบริการ", "Service"),
        ("ผู้ปฏิบัติงานด้านเทคโนโลยี", "Technologist"),
        ("TECHNOLOGIST", "Technologist"),
        ("ผู้ปฏิบัติงานอื่น", "Others"),
        ("others", "Others"),
    ],
)
def test_staff_group_aliases(catalog, label, key):
    assert catalog.resolve_staff_group(label) == key


def test_stage_aliases_and_labels(catalog):
    assert catalog.resolve_stage("ระยะเริ่มต้น") == "Early"
    assert catalog.resolve_stage("mature stage") == "Mature"
    assert catalog.resolve_stage("Expert") is None
    assert catalog.label("stages", "Developing", "th") == "ระยะกำลังพัฒนา"
    assert catalog.label("staff_groups", "Others", "en") == "Others"
    assert normalise_label("  Ａ b_c ") == "abc"
