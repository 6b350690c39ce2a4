"""Issue 21 (1, 2): the executive's next step names the units of the stage it talks about, and "the next stage" is
one rule (catalog.next_stage of the agency's stage) with one answer on /overview and /readiness."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from framework import db
from framework.catalog import STAGES
from tests.fixtures.analysis import pages

NEXT = re.compile(r"next stage: (Early|Developing|Mature)", re.IGNORECASE)


def texts(at) -> list[str]:
    return [e.value for kind in ("info", "caption", "markdown", "success") for e in at.get(kind)]


def next_stages(at) -> set[str]:
    return {m.group(1) for t in texts(at) for m in NEXT.finditer(t)}


def latest_responses(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo store's latest round of each agency, and the framework's required units, in plain pandas."""
    con = db.connect(path, read_only=True)
    try:
        resp = con.execute("SELECT r.*, b.round_date FROM store.responses r JOIN store.batches b USING (batch_id)").df()
        req = con.execute("SELECT stage, staff_group, unit_code, unit_ord FROM profile_units").df()
    finally:
        con.close()
    resp = resp[resp["round_date"] == resp.groupby("agency")["round_date"].transform("max")]
    return resp, req


def lowest_coverage(resp: pd.DataFrame, req: pd.DataFrame, stage: str, t: int = 3) -> list[str]:
    """Units `stage` requires, by coverage among the respondents whose profile requires each (lowest first)."""
    rows = []
    for code, g in req[req["stage"] == stage].groupby("unit_code"):
        who = resp[resp["staff_group"].isin(set(g["staff_group"]))]
        rows.append((float((who[code] >= t).sum() / len(who)), int(g["unit_ord"].iloc[0]), code))
    return [c for _, _, c in sorted(rows)]


def readiness_at(resp: pd.DataFrame, req: pd.DataFrame, stage: str, t: int = 3) -> float:
    shares = []
    for group, who in resp.groupby("staff_group"):
        units = list(req[(req["stage"] == stage) & (req["staff_group"] == group)]["unit_code"])
        shares.append((who[units] >= t).sum(axis=1) / len(units))
    return float(pd.concat(shares).mean())


def test_next_step_names_the_units_of_the_stage_it_talks_about(tmp_path, monkeypatch):
    store = pages.demo_store(tmp_path / "demo.duckdb")
    resp, req = latest_responses(store)
    assert readiness_at(resp, req, "Developing") < 0.8  # so the advice is "raise readiness at Developing"
    want = lowest_coverage(resp, req, "Developing")[:3]
    mature_only = lowest_coverage(resp, req, "Mature")[:3]
    assert want != mature_only  # the old advice named Mature's units
    pages.use_store(monkeypatch, store)
    at = pages.run_page("overview.py", lang="en", ov_agencies=[])  # both agencies pooled (one by default)
    assert not at.exception
    box = " ".join(i.value for i in at.info)
    assert "raise readiness at Developing" in box
    said = re.search(r"start with the units (\w+) requires that have the lowest coverage: ([\w, ]+?)[;.]", box)
    assert said and said.group(1) == "Developing"
    assert said.group(2).split(", ") == want
    developing = set(req[req["stage"] == "Developing"]["unit_code"])
    assert set(said.group(2).split(", ")) <= developing
    # The chart and table below are for the same stage, and say so.
    assert any("units Developing requires with the lowest coverage" in h.value for h in at.subheader)
    assert list(at.dataframe[0].value["Code"])[:3] == want


@pytest.mark.parametrize("stage", ["Early", "Developing", "Mature"])
def test_overview_and_readiness_give_the_same_next_stage(tmp_path, monkeypatch, stage):
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    at = pages.run_page("overview.py", lang="en", ov_stage=stage)
    assert not at.exception
    want = {STAGES[STAGES.index(stage) + 1]} if stage != "Mature" else set()
    assert next_stages(at) == want
    at.switch_page("pages/readiness.py")
    at.run()
    assert not at.exception
    assert at.selectbox(key="rdy_stage").value == stage  # the agency's stage carries over
    assert next_stages(at) == want
    if stage == "Mature":
        assert any("Mature is the top stage" in c.value for c in at.caption)
        assert any(
            m.label == "Next stage" and m.value == "none (top stage)"
            for m in pages.run_page("overview.py", lang="en", ov_stage="Mature").metric
        )


def test_readiness_page_defaults_to_the_batches_stage_not_the_stage_reached(tmp_path, monkeypatch):
    """The demo's groups reach no stage at 80 %; the next stage is still the one after the agency's (Developing)."""
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))
    at = pages.run_page("readiness.py", lang="en")
    assert not at.exception
    assert at.dataframe[0].value.set_index("Staff group").loc["All", "Stage reached"] == "none yet"
    assert next_stages(at) == {"Mature"}
