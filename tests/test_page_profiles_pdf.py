"""/profiles: the handout as PDF (one page) and decks, made on click only; a failure is one bilingual message."""

from __future__ import annotations

from conftest import run_page


def download_buttons(at):
    return [d for d in at.get("download_button")]


def pdf_download(at):
    found = [d for d in download_buttons(at) if d.proto.id and "prof_pdf_download" in d.proto.id]
    return found[0] if found else None


def test_pdf_is_not_made_before_a_click_then_offered_for_download():
    at = run_page("profiles.py", query={"stage": "Developing", "group": "Academic", "lang": "en"})
    assert not at.exception
    labels = [b.label for b in at.button if b.key.startswith("prof_pdf_")]
    assert labels == ["PDF, one page (this profile)", "PDF of the stage's 6 groups", "PDF of all 18 profiles"]
    assert pdf_download(at) is None
    at.button(key="prof_pdf_one").click().run()
    assert not at.exception and not at.error
    button = pdf_download(at)
    assert button is not None and "PDF" in button.proto.label
    assert "profile_Developing_Academic_en.pdf" in button.proto.help


def test_stage_deck_button_offers_the_stage_file_and_switching_profile_drops_it():
    at = run_page("profiles.py", query={"stage": "Early", "group": "Service"})
    at.button(key="prof_pdf_stage").click().run()
    assert not at.exception and not at.error
    assert "profiles_Early_th.pdf" in pdf_download(at).proto.help
    at.segmented_control(key="prof_group").set_value("Others").run()
    assert pdf_download(at) is None


def test_render_failure_shows_one_bilingual_message(monkeypatch, tmp_path):
    monkeypatch.setenv("SKILLS_CHROMIUM", str(tmp_path / "missing-chromium"))
    at = run_page("profiles.py", query={"stage": "Mature", "group": "Others"})
    at.button(key="prof_pdf_one").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "PDF" in at.error[0].value and "สร้างไฟล์ PDF ไม่สำเร็จ" in at.error[0].value
    assert pdf_download(at) is None
