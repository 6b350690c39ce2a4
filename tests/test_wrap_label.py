"""catalog.profiles.wrap_label: chart labels on short lines, never cut mid-word (Thai has no spaces)."""

from framework.catalog import profiles as pv


def test_thai_staff_group_names_wrap_at_word_starts_and_keep_every_character(catalog):
    for name in catalog.staff_groups()["name_th"]:
        wrapped = pv.wrap_label(name, 12)
        assert wrapped.replace("<br>", "") == name
    assert pv.wrap_label("ผู้ทำงานด้านนโยบายและงานวิชาการ", 12, "|") == "ผู้ทำงานด้าน|นโยบายและ|งานวิชาการ"
    assert pv.wrap_label("ผู้บริหารระดับสูง", 12, "|") == "ผู้บริหารระดับสูง"  # 12 letters: fits
    assert pv.wrap_label("ผู้บริหารระดับสูง", 8, "|") == "ผู้บริหาร|ระดับสูง"


def test_width_counts_letters_not_thai_marks():
    # "ผู้ปฏิบัติงานอื่น" has 17 code points but only 10 take width (vowel and tone marks sit above / below)
    assert pv.wrap_label("ผู้ปฏิบัติงานอื่น", 10, "|") == "ผู้ปฏิบัติงานอื่น"
    assert pv.wrap_label("ผู้ปฏิบัติงานอื่น", 9, "|") == "ผู้ปฏิบัติงาน|อื่น"


def test_english_wraps_at_spaces_and_long_words_stay_whole():
    assert pv.wrap_label("Required units of capability", 12, "|") == "Required|units of|capability"
    assert pv.wrap_label("Technologist", 5, "|") == "Technologist"


def test_issue_21_labels_are_cut_between_words_only(catalog):
    """Issue 21 (13): 'ผู้บริหารระดับสู', 'ผู้ทำงานด้านนโ' — a Thai word segmenter decides where a label may break."""
    from framework import thai_text
    from framework.outputs import analysis_charts

    assert thai_text.pieces("ผู้ทำงานด้านนโยบาย") == ("ผู้ทำงาน", "ด้าน", "นโยบาย")
    assert (
        "".join(thai_text.wrap("ผู้บริหารระดับสูง", 10)) == "ผู้บริหารระดับสูง" and len(thai_text.wrap("ผู้บริหารระดับสูง", 10)) == 2
    )
    for name in [*catalog.staff_groups()["name_th"], *catalog.units()["name_th"]]:
        words = [w for p in thai_text.pieces(name) for w in thai_text._split_compound(p)]
        assert "".join(words) == name
        ends = {len("".join(words[:i])) for i in range(len(words) + 1)}
        for limit in range(6, 40):
            short = analysis_charts._short(name, limit)
            kept = short.removesuffix("…").rstrip(" (")
            assert short == name or len(kept.rstrip()) in ends or len(kept) in ends, (name, limit, short)
        for width in (6, 8, 12, 16):
            lines = pv.wrap_label(name, width, "|").split("|")
            cut = 0
            for line in lines[:-1]:
                cut = name.index(line, cut) + len(line)
                assert cut in ends or name[cut] == " ", (name, width, lines)
    assert "ผู้บริหารระดับสู" not in {analysis_charts._short("ผู้บริหารระดับสูง", n) for n in range(5, 17)}
