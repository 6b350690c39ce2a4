"""profiles_view.wrap_label: chart labels on short lines, never cut mid-word (Thai has no spaces)."""
from framework import profiles_view as pv


def test_thai_staff_group_names_wrap_at_word_starts_and_keep_every_character(catalog):
    for name in catalog.staff_groups()["name_th"]:
        wrapped = pv.wrap_label(name, 12)
        assert wrapped.replace("<br>", "") == name
    assert pv.wrap_label("ผู้ทำงานด้านนโยบายและงานวิชาการ", 12, "|") == "ผู้ทำงาน|ด้านนโยบาย|และงานวิชาการ"
    assert pv.wrap_label("ผู้บริหารระดับสูง", 12, "|") == "ผู้บริหารระดับสูง"  # 12 letters: fits
    assert pv.wrap_label("ผู้บริหารระดับสูง", 8, "|") == "ผู้บริหาร|ระดับสูง"


def test_width_counts_letters_not_thai_marks():
    # "ผู้ปฏิบัติงานอื่น" has 17 code points but only 10 take width (vowel and tone marks sit above / below)
    assert pv.wrap_label("ผู้ปฏิบัติงานอื่น", 10, "|") == "ผู้ปฏิบัติงานอื่น"
    assert pv.wrap_label("ผู้ปฏิบัติงานอื่น", 9, "|") == "ผู้ปฏิบัติงาน|อื่น"


def test_english_wraps_at_spaces_and_long_words_stay_whole():
    assert pv.wrap_label("Required units of capability", 12, "|") == "Required|units of|capability"
    assert pv.wrap_label("Technologist", 5, "|") == "Technologist"
