"""Issue 22: a campaign row the form built from checked answers skips the upload validator's file once the
validator has checked that header in this process (store/campaign_rows.py), and is the very row the validator
accepts; any other row still goes through the validator."""

from __future__ import annotations

import importlib
import random

import pytest

from framework import campaign, db
from framework.store import SurveyStore, campaign_rows
from framework.store.campaign_group import Entry

submit_mod = importlib.import_module("framework.campaign.submit")  # the module (campaign.submit is its function)

AGENCY, STAGE, ROUND = "กรมทดสอบ (ตัวอย่าง)", "Early", "2025-06-30"
GROUPS = ["Service", "Academic", "Executive", "Management", "Technologist", "Others"]


@pytest.fixture
def setup(store_con, catalog, monkeypatch):
    campaign_rows.forget()
    store = SurveyStore(store_con, catalog)
    c = campaign.open_campaign(
        store_con, catalog, agency=AGENCY, stage=STAGE, round_date=ROUND, org_units=["IT Office", "กองกลาง"]
    )
    files = []
    real = SurveyStore._validate

    def counted(self, dec, *a, **k):
        files.append(dec.path)
        return real(self, dec, *a, **k)

    monkeypatch.setattr(SurveyStore, "_validate", counted)
    yield store_con, catalog, c, store, files
    campaign_rows.forget()


def raw_row(c, cat, rid, group, org, levels):
    codes = submit_mod.unit_codes(cat)
    return submit_mod.survey_row(c, codes, rid, group, org, levels)


def test_the_validator_reads_a_file_once_per_header(setup):
    con, cat, c, _store, files = setup
    limits = campaign.Limits(per_code=campaign.RateLimiter(10_000), per_person=campaign.RateLimiter(10_000))
    for i in range(5):
        req = cat.profile_units(STAGE, GROUPS[i])["code"].tolist()
        campaign.submit(con, cat, c, f"id{i}", GROUPS[i], "IT Office", {u: i % 5 for u in req}, limits=limits)
    assert len(files) == 1, "the first row checked by the validator, the next four by the fast path"
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 5


def test_plain_rows_are_the_rows_the_validator_accepts(setup):
    _con, cat, c, store, _files = setup
    rng = random.Random(22)
    codes = submit_mod.unit_codes(cat)
    ids = ["1234567", "a.b@x.org", "ID-9", "x" * 100, "０１２", "abc", "Ｅ12"]
    for n in range(25):
        levels = {u: rng.choice([None, 0, 1, 2, 3, 4]) for u in codes if rng.random() < 0.7}
        group, org = rng.choice(GROUPS), rng.choice([None, "IT Office", "กองกลาง"])
        raw = raw_row(c, cat, submit_mod.clean_id(rng.choice(ids) + str(n)), group, org, levels)
        campaign_rows.forget()
        slow = Entry(c.code, c.agency, c.stage, c.round_date, raw)
        store._validate_group([slow])  # the validator (first of its header)
        fast = Entry(c.code, c.agency, c.stage, c.round_date, dict(raw))
        store._validate_group([fast])
        if campaign_rows.plain(raw, codes):
            assert campaign_rows.known(tuple(raw)).ok
            assert fast.rows.equals(slow.rows), raw
            assert fast.accepted.problems.empty and slow.accepted.problems.empty
            assert (fast.accepted.rows_read, fast.accepted.accepted, fast.accepted.rejected) == (1, 1, 0)
            assert (fast.accepted.source_format, fast.accepted.encoding) == (
                slow.accepted.source_format,
                slow.accepted.encoding,
            )
        else:
            assert fast.rows is None or fast.rows.equals(slow.rows)


@pytest.mark.parametrize(
    "change",
    [
        {"respondent_id": "EXAMPLE-ตัวอย่าง"},
        {"respondent_id": "a b"},
        {"respondent_id": 'q"uote'},
        {"group": "service"},
        {"agency": " กรม"},
        {"DLit100": "5"},
        {"DLit100": "3.0"},
    ],
)
def test_any_other_row_goes_through_the_validator(setup, change):
    _con, cat, c, store, files = setup
    codes = submit_mod.unit_codes(cat)
    first = raw_row(c, cat, "p1", "Service", None, {u: 2 for u in codes})
    store._validate_group([Entry(c.code, c.agency, c.stage, c.round_date, first)])
    assert campaign_rows.known(tuple(first)).ok and len(files) == 1
    raw = first | change
    assert not campaign_rows.plain(raw, codes)
    e = Entry(c.code, c.agency, c.stage, c.round_date, raw)
    store._validate_group([e])
    assert len(files) == 2, "read as a file by the validator"


def test_a_difference_switches_the_fast_path_off(setup, monkeypatch, caplog):
    _con, cat, c, store, files = setup
    codes = submit_mod.unit_codes(cat)
    real = campaign_rows.values
    monkeypatch.setattr(campaign_rows, "values", lambda *a: real(*a) | {"position": "changed"})
    raw = raw_row(c, cat, "p1", "Service", None, {u: 1 for u in codes})
    store._validate_group([Entry(c.code, c.agency, c.stage, c.round_date, raw)])
    assert not campaign_rows.known(tuple(raw)).ok and "switched off" in caplog.text
    store._validate_group([Entry(c.code, c.agency, c.stage, c.round_date, dict(raw))])
    assert len(files) == 2, "every row through the validator again"
