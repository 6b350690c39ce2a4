"""Campaigns: open / list / close, codes, the unknown and closed messages, the CLI, the rate limiter."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from framework import campaign, db
from framework.cli import main
from framework.store import SurveyStore


@pytest.fixture
def con(store_con, catalog):
    SurveyStore(store_con, catalog)
    return store_con


def test_open_get_list_close(con, catalog):
    c = campaign.open_campaign(
        con,
        catalog,
        agency=" กรม  ก ",
        stage="ระยะเริ่มแรก",
        round_date="2025-06-30",
        closes="2999-01-31",
        org_units=["กอง 1", "กอง 2", "กอง 1"],
        id_pattern=r"\d{7}",
    )
    assert len(c.code) == campaign.CODE_LENGTH and c.code.isalnum() and c.code == c.code.lower()
    assert c.url_path == f"/assess?c={c.code}"
    assert (c.agency, c.stage, c.round_date) == ("กรม ก", "Early", dt.date(2025, 6, 30))
    assert c.org_units == ("กอง 1", "กอง 2") and c.closes == dt.date(2999, 1, 31)
    assert campaign.get(con, c.code) == c and campaign.get(con, c.code.upper()) == c
    other = campaign.open_campaign(con, catalog, agency="B", stage="Mature", round_date="2025-01-01")
    assert other.code != c.code
    assert {x.code for x in campaign.list_campaigns(con)} == {c.code, other.code}
    assert campaign.require_open(con, c.code) == c
    closed = campaign.close(con, c.code)
    assert closed.closed_at is not None and closed.status() == "closed"
    with pytest.raises(campaign.CampaignError) as exc:
        campaign.require_open(con, c.code)
    assert "ปิดรับคำตอบแล้ว" in exc.value.th and "closed" in exc.value.en
    assert campaign.require_open(con, other.code).code == other.code  # closing one leaves the other open


def test_tables_idempotent_and_codes_random(con, catalog):
    campaign.ensure_tables(con)
    campaign.ensure_tables(con)
    codes = {
        campaign.open_campaign(con, catalog, agency="A", stage="Early", round_date="2025-06-30").code for _ in range(20)
    }
    assert len(codes) == 20
    assert db.scalar(con, "SELECT count(*) FROM store.campaigns") == 20


def test_unknown_and_expired(con, catalog):
    for code in ("nosuchco", "", None, "'; DROP TABLE x; --", "x" * 500):
        with pytest.raises(campaign.CampaignError) as exc:
            campaign.require_open(con, code)
        assert "ไม่พบแบบประเมิน" in exc.value.th and "no self-assessment" in exc.value.en
    c = campaign.open_campaign(
        con, catalog, agency="A", stage="Early", round_date="2025-06-30", closes="2030-01-01", today=dt.date(2029, 1, 1)
    )
    assert c.is_open(dt.date(2030, 1, 1)) and not c.is_open(dt.date(2030, 1, 2))
    with pytest.raises(campaign.CampaignError):
        campaign.require_open(con, c.code, today=dt.date(2030, 1, 2))


@pytest.mark.parametrize(
    "kw, word",
    [
        ({"agency": " "}, "agency"),
        ({"stage": "Late"}, "stage"),
        ({"round_date": "30/06/2025"}, "Round date"),
        ({"round_date": None}, "round date"),
        ({"closes": "2000-01-01"}, "past"),
        ({"id_pattern": "(["}, "pattern"),
    ],
)
def test_open_refuses_bad_settings(con, catalog, kw, word):
    args = {"agency": "A", "stage": "Early", "round_date": "2025-06-30", **kw}
    with pytest.raises(campaign.CampaignError) as exc:
        campaign.open_campaign(con, catalog, **args)
    assert word.lower() in exc.value.en.lower() and exc.value.th
    assert not campaign.has_tables(con) or db.scalar(con, "SELECT count(*) FROM store.campaigns") == 0


def test_id_pattern_whole_match(con, catalog):
    c = campaign.open_campaign(con, catalog, agency="A", stage="Early", round_date="2025-06-30", id_pattern=r"\d{7}")
    assert c.id_ok("1234567") and not c.id_ok("12345678") and not c.id_ok("x1234567")


def test_rate_limiter_window():
    now = [0.0]
    rl = campaign.RateLimiter(3, 60, clock=lambda: now[0])
    assert [rl.hit("a") for _ in range(3)] == [0, 0, 0]
    assert rl.hit("a") == pytest.approx(60)
    assert rl.hit("b") == 0  # per key
    now[0] = 30
    assert rl.hit("a") == pytest.approx(30)
    now[0] = 60.5
    assert rl.hit("a") == 0


# --- CLI ------------------------------------------------------------------------------------------------------
def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_open_list_close(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    store = str(tmp_path / "s.duckdb")
    code, out, err = _run(
        capsys,
        "campaign",
        "open",
        "--agency",
        "กรม ก",
        "--stage",
        "Developing",
        "--round",
        "2025-06-30",
        "--closes",
        "2999-12-31",
        "--id-pattern",
        r"\d{7}",
        "--org-unit",
        "กอง 1",
        "--db",
        store,
        "--json",
    )
    assert code == 0, err
    made = json.loads(out)
    assert made["url_path"] == f"/assess?c={made['code']}" and made["stage"] == "Developing"
    assert made["org_units"] == ["กอง 1"] and made["status"] == "open"
    code, out, _ = _run(capsys, "campaign", "list", "--db", store, "--json")
    assert [c["code"] for c in json.loads(out)] == [made["code"]]
    code, out, _ = _run(capsys, "campaign", "close", made["code"], "--db", store, "--json")
    assert code == 0 and json.loads(out)["status"] == "closed"
    code, out, err = _run(capsys, "campaign", "close", "nosuchco", "--db", store)
    assert code == 2 and err.startswith("error: There is no self-assessment") and "ไม่พบแบบประเมิน" in err
    code, out, err = _run(
        capsys, "campaign", "open", "--agency", "A", "--stage", "Late", "--round", "2025-06-30", "--db", store
    )
    assert code == 2 and "Unknown agency stage" in err and "\n" not in err.strip()


def test_cli_open_needs_passphrase_when_configured(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "s3cret")
    store = str(tmp_path / "s.duckdb")
    base = ["campaign", "open", "--agency", "A", "--stage", "Early", "--round", "2025-06-30", "--db", store, "--json"]
    code, out, err = _run(capsys, *base)
    assert code == 2 and "passphrase" in err and out == ""
    code, out, err = _run(capsys, *base, "--passphrase", "wrong")
    assert code == 2 and "wrong HR passphrase" in err
    code, out, err = _run(capsys, *base, "--passphrase", "s3cret")
    assert code == 0 and json.loads(out)["code"]
    made = json.loads(out)["code"]
    code, out, err = _run(capsys, "campaign", "close", made, "--db", store)
    assert code == 2 and "passphrase" in err
