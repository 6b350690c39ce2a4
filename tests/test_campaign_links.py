"""Personal links (issue 19 point 3): one hashed token per person, the id fixed, used once, revocable."""

from __future__ import annotations

import csv
import io
import threading

import pytest

from framework import audit, campaign, db
from framework.campaign import links
from framework.store import SurveyStore


@pytest.fixture
def setup(store_con, catalog):
    SurveyStore(store_con, catalog)
    c = campaign.open_campaign(
        store_con, catalog, agency="กรม ก", stage="Developing", round_date="2025-06-30", id_pattern=r"[0-9]{3}"
    )
    req = catalog.profile_units("Developing", "Academic")["code"].tolist()
    return store_con, catalog, c, req


def send(setup, rid, link=None, level=3):
    con, cat, c, req = setup
    return campaign.submit(
        con,
        cat,
        campaign.get(con, c.code),
        rid,
        "Academic",
        None,
        {u: level for u in req},
        limits=campaign.Limits(),
        link=link,
    )


def stored(con):
    return db.query(con, "SELECT respondent_id, \"DLit100\" FROM store.responses ORDER BY 1")


def test_three_links_one_submits_the_other_two_cannot_answer_as_that_person(setup):
    con, _cat, c, _req = setup
    pairs = links.issue(con, c, ["101", "102", "103"])
    assert [p[0] for p in pairs] == ["101", "102", "103"]
    assert all(len(t) >= 32 for _, t in pairs) and len({t for _, t in pairs}) == 3
    tokens = dict(pairs)
    # only hashes are stored
    kept = db.query(con, "SELECT token_hash FROM store.campaign_links")["token_hash"].tolist()
    assert not set(tokens.values()) & set(kept) and set(kept) == {links.hash_token(t) for t in tokens.values()}

    first = links.resolve(con, tokens["101"])
    assert first.respondent_id == "101"
    send(setup, "999", link=first)  # the typed id is ignored: the link fixes it
    assert stored(con)["respondent_id"].tolist() == ["101"]

    # the other two answer as themselves only, whatever id reaches submit()
    for rid in ("102", "103"):
        other = links.resolve(con, tokens[rid])
        assert other.respondent_id == rid
        send(setup, "101", link=other, level=1)
    df = stored(con)
    assert df["respondent_id"].tolist() == ["101", "102", "103"]
    assert df.set_index("respondent_id").loc["101", "DLit100"] == 3  # 101's answers untouched

    # a used link cannot submit again (and resolves to "used": the page shows the result instead)
    with pytest.raises(links.LinkError) as exc:
        links.resolve(con, tokens["101"])
    assert exc.value.kind == "used" and exc.value.th
    with pytest.raises(links.LinkError):
        send(setup, "101", link=first, level=0)
    assert stored(con).set_index("respondent_id").loc["101", "DLit100"] == 3
    assert links.lookup(con, tokens["101"]).used
    assert links.result_batch(con, first) is not None


def test_two_tabs_cannot_both_submit_through_one_link(setup):
    con, _cat, c, _req = setup
    token = links.issue(con, c, ["101"])[0][1]
    a, b = links.resolve(con, token), links.resolve(con, token)  # both tabs opened the form
    send(setup, "", link=a)
    with pytest.raises(links.LinkError) as exc:
        send(setup, "", link=b, level=0)
    assert exc.value.kind == "used"
    n = db.scalar(con, "SELECT count(*) FROM store.campaign_submissions")
    assert n == 1 and stored(con)["DLit100"].tolist() == [3]  # the second answer was undone with the check


def test_concurrent_submissions_through_one_link_store_one(setup):
    con, _cat, c, _req = setup
    token = links.issue(con, c, ["101"])[0][1]
    opened = [links.resolve(con, token) for _ in range(4)]
    errors, done = [], []

    def go(link):
        try:
            done.append(send(setup, "", link=link))
        except links.LinkError as exc:
            errors.append(exc.kind)

    threads = [threading.Thread(target=go, args=(lk,)) for lk in opened]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(done) == 1 and errors == ["used"] * 3
    assert db.scalar(con, "SELECT count(*) FROM store.campaign_submissions") == 1


def test_revoked_link_is_refused_by_token_or_id(setup):
    con, _cat, c, _req = setup
    pairs = dict(links.issue(con, c, ["101", "102"]))
    assert links.revoke(con, c, "101") == 1
    assert links.revoke(con, c, pairs["102"]) == 1
    for t in pairs.values():
        with pytest.raises(links.LinkError) as exc:
            links.resolve(con, t)
        assert exc.value.kind == "revoked"
    assert links.active_ids(con, c) == []


def test_reissue_revokes_the_earlier_unused_link(setup):
    con, _cat, c, _req = setup
    old = links.issue(con, c, ["101"])[0][1]
    new = links.issue(con, c, ["101"])[0][1]
    with pytest.raises(links.LinkError):
        links.resolve(con, old)
    assert links.resolve(con, new).respondent_id == "101"


def test_closed_campaign_refuses_a_link(setup):
    con, _cat, c, _req = setup
    token = links.issue(con, c, ["101"])[0][1]
    opened = links.resolve(con, token)
    campaign.close(con, c.code)
    with pytest.raises(links.LinkError) as exc:
        links.resolve(con, token)
    assert exc.value.kind == "closed"
    with pytest.raises(campaign.CampaignError):
        send(setup, "", link=opened)
    with pytest.raises(links.LinkError):
        links.issue(con, campaign.get(con, c.code), ["102"])


def test_unknown_or_malformed_tokens(setup):
    con, *_ = setup
    for t in (None, "", "short", "x" * 32, "' OR 1=1 --"):
        with pytest.raises(links.LinkError) as exc:
            links.resolve(con, t)
        assert exc.value.kind == "unknown"


def test_links_only_refuses_the_open_link_and_the_open_link_still_works_otherwise(setup):
    con, _cat, c, _req = setup
    send(setup, "201")  # open link: the typed id is trusted
    assert "201" in stored(con)["respondent_id"].tolist()
    campaign.set_links_only(con, c.code, True)
    assert campaign.get(con, c.code).links_only
    with pytest.raises(campaign.SubmitError) as exc:
        send(setup, "202")
    assert "personal links only" in exc.value.en and "ลิงก์รายบุคคล" in exc.value.th
    token = links.issue(con, campaign.get(con, c.code), ["202"])[0][1]
    send(setup, "", link=links.resolve(con, token))
    assert "202" in stored(con)["respondent_id"].tolist()


def test_csv_of_ids_to_csv_of_links(setup):
    con, _cat, c, _req = setup
    data = "\ufeffrespondent_id,name\n１０１,ก\n 102 ,ข\n101,ซ้ำ\n\n๑๐๓,ค\n".encode("utf-8")
    ids = links.read_ids(data)
    assert ids == ["101", "102", "103"]  # canonical (full-width, Thai digits), duplicates dropped
    assert links.read_ids(b"101\n102\n") == ["101", "102"]  # no header: the first column
    pairs = links.issue(con, c, ids)
    out = links.links_csv(pairs, "https://skills.example.go.th/")
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"))))
    assert [r["respondent_id"] for r in rows] == ids
    for r, (_, token) in zip(rows, pairs):
        assert r["link"] == f"https://skills.example.go.th/assess?t={token}"
        assert links.resolve(con, r["link"].split("t=", 1)[1]).respondent_id == r["respondent_id"]


@pytest.mark.parametrize(
    "data, en", [(b"", "No respondent ids"), (b"id\n12\x003\n", "Line 2"), (b"\xff\xfe\x00", "UTF-8")]
)
def test_bad_csv_of_ids(data, en):
    with pytest.raises(campaign.CampaignError) as exc:
        links.read_ids(data)
    assert en in exc.value.en and exc.value.th


def test_ids_must_match_the_pattern_and_base_url_checked(setup):
    con, _cat, c, _req = setup
    with pytest.raises(campaign.CampaignError) as exc:
        links.issue(con, c, ["101", "abc"])
    assert "abc" in exc.value.en and db.scalar(con, "SELECT count(*) FROM store.campaign_links") == 0
    for bad in ("", "ftp://x", "javascript:alert(1)", "https://x y"):
        with pytest.raises(campaign.CampaignError):
            links.base_url(bad)


def test_link_submission_is_audited_in_the_same_transaction(setup):
    con, _cat, c, _req = setup
    token = links.issue(con, c, ["101"])[0][1]
    send(setup, "", link=links.resolve(con, token))
    log = audit.entries(con, ["link-submission"])
    assert log["who"].tolist() == ["personal link (101)"] and log["agency"].tolist() == ["กรม ก"]
    assert c.code in log["detail"].iloc[0]
