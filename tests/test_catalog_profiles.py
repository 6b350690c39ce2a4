"""Profile views: URL parsing, the readiness path (not nested), changes table, element tree and requirement grid."""

from __future__ import annotations

import itertools

from framework.catalog import STAFF_GROUPS, STAGES
from framework.catalog import profiles as pv


def test_parse_url_values():
    assert pv.parse_stage("mature") == "Mature"
    assert pv.parse_stage(" Developing ") == "Developing"
    assert pv.parse_stage("nonsense") == "Early"
    assert pv.parse_stage(None, "") == ""
    assert pv.parse_staff_group("SERVICE") == "Service"
    assert pv.parse_staff_group("x", "Others") == "Others"


def test_names_in_both_languages(catalog):
    th, en = pv.names(catalog, "th"), pv.names(catalog, "en")
    assert th["Mature"] == "ระยะสมบูรณ์" and en["Mature"] == "Mature"
    assert th["Technologist"] == "ผู้ปฏิบัติงานเฉพาะด้านเทคโนโลยี"
    assert en["DLit"] == "Digital Literacy"
    assert set(STAGES) | set(STAFF_GROUPS) <= set(th)


def test_text_falls_back_to_thai_when_english_is_blank():
    assert pv.text({"t_th": "ไทย", "t_en": ""}, "t", "en") == "ไทย"
    assert pv.text({"t_th": "ไทย", "t_en": "Thai"}, "t", "en") == "Thai"
    assert pv.text({"t_th": "ไทย", "t_en": "Thai"}, "t", "th") == "ไทย"


def test_technologist_path_drops_dt300_and_dt400(catalog):
    path = pv.pathway(catalog, "Technologist")
    step1 = path.steps[0]
    assert step1.units_dropped["code"].tolist() == ["DT300", "DT400"]
    u = path.units
    assert set(u[(u["stage"] == "Early")]["status"]) == {pv.FIRST}
    assert u[(u["code"] == "DT300")][["stage", "status"]].values.tolist() == [
        ["Early", "first"],
        ["Developing", "dropped"],
    ]
    for stage in STAGES:
        required = u[(u["stage"] == stage) & (u["status"] != pv.DROPPED)]["code"].tolist()
        assert required == path.profiles[stage].units["code"].tolist()


def test_path_changes_match_profile_diff(catalog):
    for group in STAFF_GROUPS:
        path = pv.pathway(catalog, group)
        ch = pv.path_changes(path)
        for a, b in itertools.pairwise(STAGES):
            d = catalog.profile_diff(group, a, b)
            part = ch[(ch["from_stage"] == a) & (ch["kind"] == "unit")]
            assert part[part["change"] == "added"]["code"].tolist() == d.units_added["code"].tolist()
            assert part[part["change"] == "dropped"]["code"].tolist() == d.units_dropped["code"].tolist()
            k = ch[(ch["from_stage"] == a) & (ch["kind"] == "knowledge")]
            assert sorted(k[k["change"] == "added"]["code"]) == sorted(d.knowledge_added["id"])


def test_element_tree_holds_every_element_and_criterion(catalog):
    tree = pv.element_tree(catalog)
    assert tree["element_code"].nunique() == 115
    assert tree["criterion_code"].nunique() == 400
    els = pv.unit_elements(tree, "DLit100")
    assert [e["element_code"] for e, _ in els] == ["DLit101", "DLit102", "DLit103"]
    assert els[0][1]["criterion_code"].tolist()[:2] == ["DLit101.1", "DLit101.2"]


def test_requirement_grid_equals_profiles_requiring(catalog):
    for code in ("DT300", "DLit100", "DL100"):
        grid = pv.requirement_grid(catalog, code)
        cells = [(s, g) for s in STAGES for g in STAFF_GROUPS if grid.at[s, g]]
        req = catalog.profiles_requiring(code)
        assert cells == list(zip(req["stage"], req["staff_group"]))
