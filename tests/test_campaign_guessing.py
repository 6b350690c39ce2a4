"""Issue 20 point 8: campaign codes cannot be guessed at full speed, and the submission limits do not reset with
a new browser session."""

from __future__ import annotations

import logging

import pytest

from framework import access, campaign
from framework.campaign import model
from framework.store import SurveyStore
from tests.test_page_assess import app, fill, stored, submit, visit  # noqa: F401 - the page fixture


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(
        model,
        "CODE_THROTTLE",
        access.Throttle(free=5, global_free=1000, base=1.0, cap=300.0, what="campaign code", clock=c),
    )
    return c


def test_unknown_codes_are_throttled_per_client_and_logged(store_con, catalog, clock, caplog):
    SurveyStore(store_con, catalog)
    real = campaign.open_campaign(store_con, catalog, agency="A", stage="Early", round_date="2025-06-30")
    looked_up = 0
    with caplog.at_level(logging.WARNING, logger="framework.access"):
        for i in range(69):  # the pace: 69 guesses in one minute from one client
            try:
                campaign.require_open(store_con, f"zzzz{i:04d}"[:8].replace("0", "2"), client="ip:10.0.0.9")
            except campaign.CodeThrottled as exc:
                assert exc.wait > 0 and "wait" in exc.en and "รอ" in exc.th
            except campaign.CampaignError:
                looked_up += 1
            clock.now += 60 / 69
    assert looked_up <= 10  # a growing delay, not 69 a minute
    logged = [r.getMessage() for r in caplog.records if "wrong campaign code" in r.getMessage()]
    assert len(logged) == looked_up and "assess" in logged[0]
    with pytest.raises(campaign.CodeThrottled):  # during the wait even a real code is not looked up
        campaign.require_open(store_con, real.code, client="ip:10.0.0.9")
    assert campaign.require_open(store_con, real.code, client="ip:10.0.0.10") == real  # another client: fine
    clock.now += 901  # the window passes
    assert campaign.require_open(store_con, real.code, client="ip:10.0.0.9") == real


def test_the_page_throttles_guesses_across_new_sessions(app, clock, monkeypatch):  # noqa: F811
    open_, _shared = app
    c = open_()
    monkeypatch.setattr("ui.shell.client_key", lambda: "ip:10.0.0.7")
    for i in range(6):  # every visit a new browser session, the same device
        at = visit(f"wrong{i:03d}".replace("0", "a").replace("1", "b"), lang="en")
        assert not at.exception
    at = visit(c.code)
    assert any("Too many unknown self-assessment codes" in e.value or "รหัสแบบประเมิน" in e.value for e in at.error)
    assert not at.get("button")
    clock.now += 1000
    assert not visit(c.code).error


def test_submission_limits_survive_a_new_session(app, monkeypatch):  # noqa: F811
    open_, shared = app
    c = open_()
    limits = campaign.Limits(
        per_code=campaign.RateLimiter(100), per_person=campaign.RateLimiter(5), per_client=campaign.RateLimiter(2)
    )
    monkeypatch.setattr(campaign.submit_module, "LIMITS", limits)
    monkeypatch.setattr("ui.shell.client_key", lambda: "ip:10.0.0.8")
    for rid in ("1000001", "1000002"):  # each from a new browser session
        assert submit(fill(visit(c.code), rid=rid)).success
    at = submit(fill(visit(c.code, lang="en"), rid="1000003"))
    assert "Too many submissions" in at.error[0].value and len(stored(shared)) == 2


def test_one_person_is_limited_whatever_the_session(store_con, catalog):
    SurveyStore(store_con, catalog)
    c = campaign.open_campaign(store_con, catalog, agency="A", stage="Early", round_date="2025-06-30")
    req = catalog.profile_units("Early", "Academic")["code"].tolist()
    limits = campaign.Limits()
    for i in range(5):
        campaign.submit(
            store_con, catalog, c, "P1", "Academic", None, {u: 3 for u in req}, client=f"session:{i}", limits=limits
        )
    with pytest.raises(campaign.RateLimited):
        campaign.submit(
            store_con, catalog, c, "p1", "Academic", None, {u: 3 for u in req}, client="session:new", limits=limits
        )
    campaign.submit(
        store_con, catalog, c, "P2", "Academic", None, {u: 3 for u in req}, client="session:new", limits=limits
    )  # another person is not held up
