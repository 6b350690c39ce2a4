"""Wrong HR passphrases: a growing delay per session and over all sessions, logged without the secret."""

from __future__ import annotations

import logging

import pytest
from conftest import run_page

from framework import access

SECRET = "ลับสุดยอด-2025"


class Clock:
    """A clock the test moves by hand (no sleeping)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def throttle(clock):
    return access.Throttle(free=5, global_free=20, base=2.0, cap=60.0, window=900.0, clock=clock)


@pytest.fixture(autouse=True)
def _configured(monkeypatch):
    monkeypatch.delenv(access.ENV, raising=False)


def guess(throttle, text, session="tab-1", page="upload"):
    return access.attempt(text, SECRET, session=session, page=page, throttle=throttle)


def test_five_free_failures_then_a_growing_delay(throttle, clock):
    for i in range(5):
        r = guess(throttle, f"wrong-{i}")
        assert r.checked and not r.ok
        clock.now += 0.1
    assert r.wait == pytest.approx(2.0 - 0.0, abs=0.01)  # after the 5th: wait 2 s
    blocked = guess(throttle, SECRET)  # the right one, too early: not even checked
    assert not blocked.ok and not blocked.checked and blocked.wait > 0
    waits = []
    for _ in range(4):
        clock.now += throttle.wait("tab-1")
        waits.append(guess(throttle, "wrong again").wait)
    assert waits == [4.0, 8.0, 16.0, 32.0]
    clock.now += 32.0
    assert guess(throttle, "wrong again").wait == 60.0  # capped
    clock.now += 60.0
    assert guess(throttle, SECRET).ok  # after the wait, the right one works
    assert throttle.wait("tab-1") == 0.0  # and the session starts from zero


def test_sessions_are_separate_until_the_global_count(throttle, clock):
    for i in range(5):
        guess(throttle, "x", session="tab-1")
    assert throttle.wait("tab-1") > 0 and throttle.wait("tab-2") == 0
    for tab in range(2, 6):  # 4 more tabs x 4 failures: 21 in all
        for _ in range(4):
            clock.now += 0.01
            r = guess(throttle, "x", session=f"tab-{tab}")
    assert r.wait > 0 and throttle.wait("tab-new") > 0  # a new tab waits too
    clock.now += 900.0  # the window passes
    assert throttle.wait("tab-new") == 0 and throttle.wait("tab-1") == 0


def test_nothing_typed_is_not_a_failure_and_local_mode_allows(throttle):
    for _ in range(10):
        r = guess(throttle, "")
        assert not r.ok and not r.checked and r.wait == 0
    assert access.attempt("anything", None, session="s", page="p", throttle=throttle).ok


def test_failures_are_logged_with_time_and_page_never_the_secret(throttle, caplog):
    with caplog.at_level(logging.WARNING, logger="framework.access"):
        guess(throttle, "my-guess-ไทย", page="sql_passphrase")
    assert len(caplog.records) == 1
    text = caplog.records[0].getMessage()
    assert "sql_passphrase" in text and "1 failure" in text and "T" in text.split(" at ")[1][:20]
    assert "my-guess" not in text and SECRET not in text


def test_the_upload_gate_says_to_wait_in_both_languages(monkeypatch):
    monkeypatch.setenv(access.ENV, SECRET)
    clock = Clock()
    monkeypatch.setattr(access, "THROTTLE", access.Throttle(clock=clock))
    at = run_page("upload.py", state={"lang": "en"})
    at.text_input(key="up_pass").input("wrong-0").run()
    for _ in range(6):  # clicks rerun the page with the same text:
        at.run()  # one guess, not seven
    assert access.THROTTLE.wait(at.session_state["_hr_session"]) == 0
    assert any(e.value == "Wrong passphrase." for e in at.error)
    for i in range(1, 5):
        at.text_input(key="up_pass").input(f"wrong-{i}").run()
        clock.now += 0.1
    assert not at.exception
    assert any("wait 2 s" in e.value for e in at.error), [e.value for e in at.error]
    at.run()  # a rerun with the same text is not a new guess
    assert access.THROTTLE.wait(at.session_state["_hr_session"]) == pytest.approx(2.0 - 0.0, abs=0.2)
    at.text_input(key="up_pass").input(SECRET).run()  # right, but during the wait: still locked
    assert any("Too many wrong passphrases" in e.value for e in at.error)
    assert not at.file_uploader
    at.session_state["lang"] = "th"
    at.run()
    assert any("รอ" in e.value and "วินาที" in e.value for e in at.error)
    clock.now += 3
    at.run()  # the wait is over: the same text is checked now
    assert not at.error and at.file_uploader
