"""Issue 20 point 2: a campaign's respondent-id pattern cannot freeze the server (RE2, linear time)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from framework import campaign, db
from framework.campaign import model
from framework.store import SurveyStore

CATASTROPHIC = r"([a-z0-9._-]+)+@agency\.go\.th"


@pytest.fixture
def con(store_con, catalog):
    SurveyStore(store_con, catalog)
    return store_con


def test_catastrophic_pattern_answers_at_once(con, catalog):
    """Python's re takes tens of seconds (4x every 2 characters) on this id; RE2 answers in microseconds."""
    c = campaign.open_campaign(
        con, catalog, agency="A", stage="Early", round_date="2025-06-30", id_pattern=CATASTROPHIC
    )
    req = catalog.profile_units("Early", "Academic")["code"].tolist()
    for n in (30, 60, 100):
        hostile = "a" * n + "@agency.go.t"
        started = time.perf_counter()
        with pytest.raises(campaign.SubmitError) as exc:
            campaign.submit(
                con,
                catalog,
                c,
                hostile[: campaign.MAX_ID],
                "Academic",
                None,
                {u: 3 for u in req},
                limits=campaign.Limits(),
            )
        assert time.perf_counter() - started < 2.0
        assert "does not match" in exc.value.en and "ไม่ตรงกับรูปแบบ" in exc.value.th
    assert c.id_ok("somchai.s@agency.go.th") and not c.id_ok("a" * 30 + "@agency.go.t")
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 0


@pytest.mark.parametrize(
    "pattern, th, en",
    [
        (r"(?=.*\d)\w+", "lookahead", "lookahead"),
        (r"(?<!x)\d+", "lookbehind", "lookbehind"),
        (r"(\w)\1+", "backreference", "backreference"),
        (r"(?P<a>\d)(?P=a)", "backreference", "backreference"),
        (r"\d++", "possessive", "possessive"),
        (r"a{5000}", "1000", "1000"),
    ],
)
def test_patterns_that_need_backtracking_are_refused_at_opening(con, catalog, pattern, th, en):
    with pytest.raises(campaign.CampaignError) as exc:
        campaign.open_campaign(con, catalog, agency="A", stage="Early", round_date="2025-06-30", id_pattern=pattern)
    assert th in exc.value.th and en in exc.value.en and "RE2" in exc.value.en and "RE2" in exc.value.th
    assert not campaign.list_campaigns(con)  # nothing opened


def test_pattern_and_id_lengths_are_capped(con, catalog):
    with pytest.raises(campaign.CampaignError) as exc:
        campaign.open_campaign(
            con, catalog, agency="A", stage="Early", round_date="2025-06-30", id_pattern="a" * (model.MAX_PATTERN + 1)
        )
    assert "longer than" in exc.value.en and "ยาวเกิน" in exc.value.th
    c = campaign.open_campaign(con, catalog, agency="A", stage="Early", round_date="2025-06-30", id_pattern=r"a+")
    started = time.perf_counter()
    with pytest.raises(campaign.SubmitError) as exc:
        campaign.check(c, catalog, "a" * 5_000_000, "Academic", None, {})
    assert time.perf_counter() - started < 2.0 and "at most 100" in exc.value.en
    assert not c.id_ok("a" * (campaign.MAX_ID + 1)) and c.id_ok("a" * campaign.MAX_ID)


def test_a_stored_pattern_re2_cannot_use_refuses_ids_with_a_message(con, catalog):
    """A campaign opened before RE2 with a lookahead: ids are refused with the bilingual message, not matched
    by a backtracking engine."""
    c = campaign.open_campaign(con, catalog, agency="A", stage="Early", round_date="2025-06-30", id_pattern=r"\d+")
    con.execute("UPDATE store.campaigns SET id_pattern = ? WHERE code = ?", [r"(?=\d)\d+", c.code])
    old = campaign.get(con, c.code)
    with pytest.raises(campaign.CampaignError) as exc:
        campaign.check(old, catalog, "123", "Academic", None, {}, today=dt.date(2025, 6, 1))
    assert "lookahead" in exc.value.en and exc.value.th
