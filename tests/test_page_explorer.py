"""AppTest of /explorer: tree to criteria, Thai substring search, the profiles that require a unit."""

from __future__ import annotations

import re

from conftest import run_page
from streamlit.testing.v1 import AppTest


def page(state: dict | None = None, **query) -> AppTest:
    return run_page("explorer.py", query=query, state=state)


def hits_html(at) -> str:
    return next(m.value for m in at.markdown if 'class="exp-hits"' in m.value)


def hit_codes(at) -> list[str]:
    """The code column of the hits table, marks removed."""
    cells = re.findall(r'<tr><td>[^<]*</td><td class="code">(.*?)</td>', hits_html(at))
    return [re.sub(r"</?mark>", "", c) for c in cells]


def test_default_tree_opens_first_unit_with_criteria():
    at = page()
    assert not at.exception
    assert at.subheader[0].value.startswith("DLit100 · เข้าถึงและตระหนักรู้ดิจิทัล")
    labels = [e.label for e in at.expander]
    assert any(label.startswith("**DLit101**") for label in labels)
    assert "`DLit101.1` ใช้งานฮาร์ดแวร์" in " ".join(m.value for m in at.expander[0].markdown)


def test_unit_link_shows_profiles_that_require_it(catalog):
    at = page(unit="DT300", lang="en")
    assert not at.exception
    assert at.subheader[0].value.startswith("DT300 · Govern the use of the enterprise architecture")
    grid = at.table[0].value  # staff groups (rows) x stages (columns)
    assert list(grid.columns) == ["Early", "Developing", "Mature"]
    req = catalog.profiles_requiring("DT300")
    assert int((grid == "✔").to_numpy().sum()) == len(req)
    for s, g in zip(req["stage"], req["staff_group"]):
        assert grid.at[g, s] == "✔"
    assert grid.at["Technologist", "Early"] == "✔" and grid.at["Technologist", "Developing"] == ""
    assert dict(at.query_params) == {"unit": "DT300", "lang": "en"}


def test_thai_grid_has_thai_labels_and_three_stage_columns():
    at = page(unit="DT300")
    grid = at.table[0].value
    assert list(grid.columns) == ["ระยะเริ่มแรก", "ระยะกำลังพัฒนา", "ระยะสมบูรณ์"]
    assert grid.at["ผู้ปฏิบัติงานเฉพาะด้านเทคโนโลยี", "ระยะเริ่มแรก"] == "✔"


def test_thai_search_matches_substrings_without_word_breaks():
    at = page({"exp_q": "สถาปัตยกรรมองค์กร"})
    assert not at.exception
    assert {"DT200", "DT300"} <= set(hit_codes(at))
    assert at.get("button_group")[0].key == "exp_hit"


def test_code_and_english_search():
    at = page({"exp_q": "dt30"})
    assert hit_codes(at)[0] == "DT300"
    at = page({"exp_q": "enterprise architecture", "lang": "en"})
    assert "DT300" in set(hit_codes(at))


def test_no_match_says_so_in_current_language():
    at = page({"exp_q": "qqqzzz"})
    assert any("ไม่พบ" in i.value for i in at.info)


def test_choosing_a_group_and_unit_in_the_tree():
    at = page()
    at.segmented_control(key="exp_group").set_value("DL").run()
    assert at.subheader[0].value.startswith("DL100")
    at.radio(key="exp_unit").set_value("DL300").run()
    assert not at.exception
    assert at.subheader[0].value.startswith("DL300") and at.query_params["unit"] == "DL300"


def test_unknown_unit_in_link_warns():
    at = page(unit="XX999")
    assert not at.exception
    assert any("XX999" in w.value for w in at.warning)


def test_search_marks_every_match_in_the_hits(catalog):
    at = page({"exp_q": "ข้อมูล"})
    assert not at.exception
    html = hits_html(at)
    rows = re.findall(r"<tr><td>.*?</tr>", html)
    expected = catalog.search("ข้อมูล")
    assert len(rows) == len(expected) > 50
    for row, text in zip(rows, expected["text_th"]):
        assert row.count("<mark>ข้อมูล</mark>") == text.count("ข้อมูล") > 0, row
    assert "<mark>" not in html.split("<tbody>")[0]


def test_search_with_hits_in_one_unit_opens_that_unit_once():
    at = page(unit="DLit100")
    at.text_input(key="exp_q").input("DS200").run()
    assert not at.exception
    assert at.subheader[0].value.startswith("DS200")
    assert at.query_params["unit"] == "DS200"
    at.segmented_control(key="exp_group").set_value("DL").run()  # the user moves on; the search stays
    assert at.subheader[0].value.startswith("DL100")


def test_search_with_many_units_keeps_the_current_unit_and_chips_show_whole_names(catalog):
    at = page(unit="DLit100")
    at.text_input(key="exp_q").input("ข้อมูล").run()
    assert at.subheader[0].value.startswith("DLit100")
    pills = at.get("button_group")[0]
    names = dict(zip(catalog.units()["code"], catalog.units()["name_th"]))
    labels = [o.content for o in pills.proto.options]
    assert ".st-key-exp_hit" in hits_html(at) and "text-overflow: clip" in hits_html(at)  # no "…" cut either
    assert labels and all(label == f"{label.split(' · ')[0]} · {names[label.split(' · ')[0]]}" for label in labels)
