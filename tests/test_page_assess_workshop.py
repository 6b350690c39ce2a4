"""AppTest of pages/workshop.py (/workshop): HR-gated; opens a campaign; the live count and suppressed heatmap."""

from __future__ import annotations

import base64
import datetime as dt
import json

import numpy as np
import pytest
from conftest import run_page
from test_page_assess import app  # noqa: F401  (the store + campaign fixture)

from framework import analysis, campaign


@pytest.fixture
def store(app):  # noqa: F811
    """A fresh store (no demo), local mode; returns the app's own connection getter."""
    return app[1]


def heat_values(at) -> list:
    """The coverage values the page's heatmap colours (hidden cells are not among them)."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    out = []
    for t in spec["data"]:
        if t.get("type") != "heatmap" or t.get("name") != "coverage":
            continue
        z = t["z"]
        if isinstance(z, dict):  # plotly's typed array: {"dtype", "bdata", "shape"}
            z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"])
        out += [float(v) for v in np.asarray(z, dtype="float64").ravel() if not np.isnan(v)]
    return out


def test_passphrase_gates_everything(store, monkeypatch):
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "hr-secret")
    at = run_page("workshop.py", state={"lang": "en"})
    assert not at.exception and not at.get("plotly_chart") and not at.get("form")
    assert any("HR passphrase" in w.value for w in at.warning)
    at.text_input(key="ws_pass").input("hr-secret").run()
    assert not at.exception and at.text_input(key="ws_agency")


def test_open_campaign_then_live_count_and_suppressed_heatmap(store, catalog):
    con = store()
    made = campaign.open_campaign(con, catalog, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    page = run_page("workshop.py", state={"lang": "en"})
    assert not page.exception and page.selectbox(key="ws_code").value == made.code
    assert any(made.url_path in c.value for c in page.code)
    if campaign.qr.available():  # segno installed (requirements.txt): the QR code is shown
        assert len(page.get("image")) == 1
    else:
        assert not page.get("image") and any("segno" in c.value for c in page.caption)
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Submissions (people)"] == "0" and not page.get("plotly_chart")
    req = catalog.profile_units("Early", "Service")["code"].tolist()
    for i in range(3):
        campaign.submit(con, catalog, made, f"p{i}", "Service", None, {u: 4 for u in req})
    page = run_page("workshop.py", state={"lang": "en"})
    assert {m.label: m.value for m in page.metric}["Submissions (people)"] == "3"
    # k = 5 (the floor): three people are too few, every cell of the shown heatmap is hidden
    assert not any(heat_values(page)), "a figure under k respondents is shown"
    cov = analysis.coverage(
        con,
        analysis.Filters(agencies=("กรมทดสอบ",), rounds=("2025-06-30",), batches=tuple(campaign.batch_ids(con, made))),
        stage="Early",
    )
    assert cov["coverage"].isna().all()
    # The room sees what everyone without the passphrase sees: no k below the floor, HR's live figures never.
    assert page.number_input(key="ws_k").min == analysis.default_min_cell()
    assert any("0 of 3 answers shown so far" in c.value for c in page.caption)
    for i in range(3, 6):
        campaign.submit(con, catalog, made, f"p{i}", "Service", None, {u: 4 for u in req})
    page = run_page("workshop.py", state={"lang": "en"})
    # Six answers, released at the fifth change of the cell: Service shows at 100 %, over the first five.
    assert not page.exception and 1.0 in heat_values(page)
    assert any("5 of 6 answers shown so far" in c.value for c in page.caption)
    assert any("change after every 5 new or changed answers" in c.value for c in page.caption)


def test_open_through_the_form(store):
    at = run_page("workshop.py", state={"lang": "en"})
    at.text_input(key="ws_agency").input("กรมทดสอบ")
    at.selectbox(key="ws_stage").select("Mature")
    at.date_input(key="ws_round").set_value(dt.date(2025, 6, 30))
    at.text_area(key="ws_units").input("กอง 1\nกอง 2")
    next(b for b in at.button if b.proto.is_form_submitter).click().run()
    assert not at.exception and at.success and "Campaign opened" in at.success[0].value
    camps = campaign.list_campaigns(store())
    assert [(c.agency, c.stage, c.org_units) for c in camps] == [("กรมทดสอบ", "Mature", ("กอง 1", "กอง 2"))]
    at.button(key="ws_close").click().run()
    assert campaign.get(store(), camps[0].code).status() == "closed"


def _panel(at):
    return [e for e in at.expander if e.label == "Choices and controls"]


def test_presentation_folds_the_controls_until_something_there_needs_doing(store, catalog, monkeypatch):
    """Issue 21: presenting, the passphrase, campaign form and choices sit in one expander, open only while the
    passphrase is not yet given or no campaign exists; then collapsed, the QR code and the room get the screen."""
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "hr-secret")
    at = run_page("workshop.py", state={"lang": "en"}, query={"present": "1"})
    assert len(_panel(at)) == 1 and _panel(at)[0].proto.expanded  # the passphrase is needed
    assert _panel(at)[0].text_input(key="ws_pass")
    at.text_input(key="ws_pass").input("hr-secret").run()
    assert not at.exception and _panel(at)[0].text_input(key="ws_agency")  # no campaign yet: still open
    campaign.open_campaign(store(), catalog, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    at.run()
    assert not at.exception and not _panel(at)[0].proto.expanded  # now folded away
    inside = {w.key for w in _panel(at)[0].text_input} | {w.key for w in _panel(at)[0].number_input}
    assert {"ws_agency", "ws_k"} <= inside  # the passphrase box emptied:
    assert "ws_pass_lock" in {b.key for b in _panel(at)[0].button}  # its lock button instead
    if campaign.qr.available():
        assert len(at.get("image")) == 1 and not _panel(at)[0].get("image")  # the QR code outside the panel
    assert not _panel(run_page("workshop.py", state={"lang": "en"}))  # not presenting


def test_presentation_folds_the_controls_as_soon_as_the_passphrase_is_accepted(store, catalog, monkeypatch):
    """Issue 21 walk: with a campaign open, the run that accepts the passphrase folds the panel (it runs again
    with the gate passed), and the panel is a keyed, stateful expander whose identity follows `expanded`, so
    the browser cannot keep it open as it was."""
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "hr-secret")
    campaign.open_campaign(store(), catalog, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    at = run_page("workshop.py", state={"lang": "en"}, query={"present": "1"})
    assert _panel(at)[0].proto.expanded and _panel(at)[0].proto.id  # stateful: the server says open or not
    opened = _panel(at)[0].proto.id
    at.text_input(key="ws_pass").input("hr-secret").run()
    assert not at.exception and not _panel(at)[0].proto.expanded  # folded in the same interaction
    assert _panel(at)[0].proto.id != opened  # another identity: the browser's open state is not carried over
    if campaign.qr.available():
        assert len(at.get("image")) == 1  # the QR code, outside the folded panel
