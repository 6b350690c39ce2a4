"""AppTest of the upload page's rounds, people-once-per-round choice, trash and original files."""

from __future__ import annotations

import datetime as dt

from test_page_upload import AGENCY, F, _page_env, fill, frame, page, upload  # noqa: F401 (autouse fixture)

PEOPLE = "respondent_id,group,DLit100\r\n" + "".join(f"P{i},ผู้ทำงานด้านบริการ,{i % 5}\r\n" for i in range(1, 9))


def put(at, name: str, data: bytes):
    return at.file_uploader(key="up_file").set_value((name, data, "text/csv")).run()


def test_nothing_is_chosen_for_the_user_and_import_waits_for_all_three():
    at = put(page("en"), "people.csv", PEOPLE.encode())
    assert at.selectbox(key="up_stage").value is None and at.date_input(key="up_round").value is None
    assert at.button(key="up_go").disabled
    assert any("choose the agency's stage" in c.value and "round date" in c.value for c in at.caption)
    at.text_input(key="up_agency_new").input(AGENCY).run()
    at.selectbox(key="up_stage").set_value("Developing").run()
    assert at.button(key="up_go").disabled  # the round date is still missing
    at.date_input(key="up_round").set_value(dt.date(2025, 6, 30)).run()
    assert not at.button(key="up_go").disabled


def test_known_agency_offers_its_last_stage_and_a_changed_stage_or_future_date_asks_to_confirm():
    at = upload(fill(page("en"), stage="Developing"), "wide_utf8_comma.csv")
    assert at.success
    at = page("en")  # a fresh visit
    assert at.selectbox(key="up_agency").options[0] == AGENCY
    at.selectbox(key="up_agency").set_value(AGENCY).run()
    assert at.selectbox(key="up_stage").value == "Developing"  # offered from the agency's last round
    assert any("last round: 30 Jun 2025" in c.value for c in at.caption)  # dates in words (framework.clock)
    at = at.button(key="up_same_round").click().run()  # one click adds to that round
    assert at.date_input(key="up_round").value == dt.date(2025, 6, 30)
    at = put(at, "people.csv", PEOPLE.encode())
    at.date_input(key="up_round").set_value(dt.date(2026, 6, 30)).run()
    assert not at.button(key="up_go").disabled and not [c for c in at.checkbox if c.key.startswith("up_confirm")]
    at.selectbox(key="up_stage").set_value("Mature").run()
    assert at.button(key="up_go").disabled
    at.checkbox(key="up_confirm_stage").check().run()
    assert not at.button(key="up_go").disabled
    at.date_input(key="up_round").set_value(dt.date.today() + dt.timedelta(days=30)).run()
    assert at.button(key="up_go").disabled and "in the future" in at.checkbox(key="up_confirm_future").label
    at.checkbox(key="up_confirm_future").check().run()
    assert not at.button(key="up_go").disabled


def test_same_people_in_another_encoding_are_refused_then_replaced_on_request():
    at = fill(page("en"))
    at = put(at, "people.csv", PEOPLE.encode("utf-8"))
    at = at.button(key="up_go").click().run()
    assert [m.value for m in at.metric] == ["8", "8", "0"]
    at = put(at, "people-874.csv", PEOPLE.encode("cp874"))
    at = at.button(key="up_go").click().run()
    warning = " ".join(w.body for w in at.warning)
    assert "8 respondent(s)" in warning and "P1, P2" in warning and "Nothing was stored" in warning
    assert frame(at, "Batch").shape[0] == 1
    assert at.button(key="up_go_again").disabled
    at.radio(key="up_on_conflict").set_value("replace").run()
    at = at.button(key="up_go_again").click().run()
    assert not at.exception and any("Replaced the earlier answers of 8" in i.body for i in at.info)
    batches = frame(at, "Batch")
    assert batches["Respondents (now)"].tolist() == [8, 0] and batches["Replaced"].tolist() == [0, 8]


def test_delete_goes_to_the_trash_resets_the_confirmation_and_can_be_restored_or_purged():
    at = upload(page("en"), "wide_utf8_comma.csv")
    at = upload(at, "long_utf8.csv")
    labels = at.selectbox(key="up_del_batch").options
    assert labels[0].startswith("long_utf8.csv · กรมทดสอบ · round 30 Jun 2025 · ")  # name first, not the id
    assert at.button(key="up_del_go").disabled and at.selectbox(key="up_del_batch").value is None
    newest, older = frame(at, "Replaced")["Batch"].tolist()
    at.selectbox(key="up_del_batch").set_value(newest).run()
    at.text_input(key="up_who").input("Somchai").run()
    at.checkbox(key="up_del_confirm").check().run()
    at = at.button(key="up_del_go").click().run()
    assert not at.exception and any("to the trash" in s.body for s in at.success)
    assert at.checkbox(key="up_del_confirm").value is False  # one click = one batch
    assert at.selectbox(key="up_del_batch").value is None and at.button(key="up_del_go").disabled
    trash = frame(at, "Deleted by")
    assert trash["File"].tolist() == ["long_utf8.csv"] and trash["Deleted by"].tolist() == ["Somchai"]
    assert frame(at, "Replaced")["File"].tolist() == ["wide_utf8_comma.csv"]
    at.selectbox(key="up_trash_batch").set_value(newest).run()
    at = at.button(key="up_restore").click().run()
    assert any("Restored batch" in s.body for s in at.success) and frame(at, "Deleted by") is None
    assert frame(at, "Replaced").shape[0] == 2
    at.selectbox(key="up_del_batch").set_value(older).run()
    at.checkbox(key="up_del_confirm").check().run()
    at = at.button(key="up_del_go").click().run()
    at.selectbox(key="up_trash_batch").set_value(older).run()
    assert at.button(key="up_purge").disabled
    at.checkbox(key="up_purge_confirm").check().run()
    at = at.button(key="up_purge").click().run()
    assert any("Purged batch" in s.body for s in at.success) and any("trash is empty" in c.value for c in at.caption)


def test_restore_refused_when_the_people_came_back_says_who():
    at = fill(page("en"))
    at = put(at, "people.csv", PEOPLE.encode())
    at = at.button(key="up_go").click().run()
    first = frame(at, "Replaced")["Batch"].iloc[0]
    at.selectbox(key="up_del_batch").set_value(first).run()
    at.checkbox(key="up_del_confirm").check().run()
    at = at.button(key="up_del_go").click().run()
    at = put(fill(at), "people-874.csv", PEOPLE.encode("cp874"))  # no live batch: the agency is typed again
    at = at.button(key="up_go").click().run()  # the trash does not clash: stored
    at.selectbox(key="up_trash_batch").set_value(first).run()
    at = at.button(key="up_restore").click().run()
    assert any("Cannot restore" in e.body and "P1" in e.body for e in at.error)
    assert frame(at, "Deleted by").shape[0] == 1


def test_hr_can_download_the_original_file_again():
    at = upload(page("en"), "wide_cp874_comma_th.csv")
    btn = [b for b in at.get("download_button") if b.proto.label == "Download wide_cp874_comma_th.csv"]
    assert len(btn) == 1


def test_thai_trash_and_round_words():
    at = page("th")
    assert any("นับได้ครั้งเดียวต่อรอบ" in c.value for c in at.caption)
    assert any("ถังขยะ" in h.value for h in at.subheader) and any("ถังขยะว่าง" in c.value for c in at.caption)
