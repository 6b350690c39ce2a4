"""Issue 20 points 4 and 5: every passphrase box goes through the one throttle and log; an accepted passphrase
does not stay in the page; one lowest k for HR (survey pages, /sql, CLI)."""

from __future__ import annotations

import logging

import pytest

from framework import access
from tests.fixtures.analysis import pages, seed

SECRET = "s3cret-ลับ"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(access, "THROTTLE", access.Throttle(clock=c))
    monkeypatch.setenv(access.ENV, SECRET)
    monkeypatch.delenv(access.MIN_CELL_ENV, raising=False)
    return c


@pytest.fixture
def coverage(tmp_path, monkeypatch, clock):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    return pages.run_page("coverage.py", lang="en", cov_stage="Early")


def test_filters_passphrase_box_is_throttled_and_logged(coverage, clock, caplog):
    at = coverage
    with caplog.at_level(logging.WARNING, logger="framework.access"):
        for i in range(8):
            at.text_input(key="cov_hr").input(f"guess-{i}").run()
            clock.now += 0.1
    session = at.session_state["_hr_session"]
    assert access.THROTTLE.wait(session) > 0  # the throttle counted them
    logged = [r.getMessage() for r in caplog.records if "wrong HR passphrase" in r.getMessage()]
    assert 5 <= len(logged) <= 8 and all("guess" not in m for m in logged)
    at.text_input(key="cov_hr").input(SECRET).run()  # right, but during the wait: not accepted
    assert not at.exception and at.slider(key="cov_min_cell").min == 5
    assert any("wait" in e.value for e in at.error)
    clock.now += 400
    at.run()  # the wait is over: checked now
    assert at.slider(key="cov_min_cell").min == 3


def test_an_accepted_passphrase_is_cleared_from_the_page(coverage, clock):
    at = coverage
    at.text_input(key="cov_hr").input(SECRET).run()
    assert not at.exception
    assert at.slider(key="cov_min_cell").min == 3  # unlocked
    assert not at.session_state["cov_hr"]  # the typed value is gone ...
    assert "cov_hr" not in [t.key for t in at.text_input]  # ... and no box holds it (value="…")
    at.run()
    assert at.slider(key="cov_min_cell").min == 3  # still unlocked on the next rerun
    at.button(key="cov_hr_lock").click().run()  # lock again
    assert at.slider(key="cov_min_cell").min == 5 and at.text_input(key="cov_hr").value == ""


def test_the_hr_gate_clears_the_accepted_passphrase(clock):
    at = pages.run_page("upload.py", lang="en")
    at.text_input(key="up_pass").input(SECRET).run()
    assert not at.exception and at.file_uploader
    assert not at.session_state["up_pass"] and "up_pass" not in [t.key for t in at.text_input]


def test_one_lowest_k_rule(monkeypatch):
    monkeypatch.delenv(access.MIN_CELL_ENV, raising=False)
    assert access.lowest_min_cell(False) == 5 and access.lowest_min_cell(True) == 3
    with pytest.raises(access_error()) as exc:
        access.allowed_min_cell(2, True)
    assert "at least 3" in exc.value.en and "3" in exc.value.th
    assert access.allowed_min_cell(3, True) == 3
    monkeypatch.setenv(access.MIN_CELL_ENV, "2")
    assert access.lowest_min_cell(True) == 2 and access.allowed_min_cell(2, True) == 2


def access_error():
    from framework.errors import BilingualError

    return BilingualError
