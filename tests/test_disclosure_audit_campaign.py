"""Issue 18: the disclosure audit of a campaign filling one answer at a time (the states before and after each
submission, one answer given again), every state's figures collected as equations and audited with the LP of
test_disclosure_audit.py (see its docstring). A file of its own so the two long audits run on two test workers."""

from __future__ import annotations

import random

import pandas as pd
from test_disclosure_audit import CODE, K, Model, audit, collect, make, small_groups

from framework import analysis, campaign
from framework.analysis import TOTAL_KEY, Filters
from framework.catalog import Catalog
from framework.store import SurveyStore


def test_a_campaign_filling_one_answer_at_a_time_discloses_nobody(store_con):
    """The states of a campaign (before / after each submission, one answer given again) are all collected."""
    raw = make(store_con, 3)
    cat = Catalog(store_con)
    SurveyStore(store_con, cat)
    agency, day = "A", raw.loc[raw["agency"] == "A", "date"].max()
    c = campaign.open_campaign(store_con, cat, agency=agency, stage="Early", round_date=day, org_units=["U1"])
    rng = random.Random(5)
    model = Model(raw)
    equations, targets, pinned = [], set(), set()
    people = raw.copy()
    states = 0
    submits = [(f"c{i}", rng.choice(("Service", "Technologist"))) for i in range(13)]
    submits.insert(9, submits[2])  # one person answers again, differently
    levels: dict = {}
    for i, (pid, group) in enumerate(submits):
        level = 5 - levels[pid] if pid in levels else rng.choice([1, 4])  # answering again: differently
        levels[pid] = level
        required = cat.profile_units("Early", group)["code"].tolist()
        campaign.submit(store_con, cat, c, pid, group, "U1", {u: level for u in required}, limits=campaign.Limits())
        batch = campaign.batch_ids(store_con, c)[0]
        people = people[~(people["campaign"] & (people["pid"] == pid))]
        var = len(raw) + i
        new = {
            "batch": batch,
            "pid": pid,
            "group": group,
            "agency": agency,
            "unit": "U1",
            "date": day,
            "level": level if CODE in required else None,
            "campaign": True,
            "var": var,
        }
        new["met"] = (new["level"] or 0) >= 3
        model.raw = pd.concat([model.raw, pd.DataFrame([new])], ignore_index=True)
        people = pd.concat([people, pd.DataFrame([new])], ignore_index=True)
        live = model.raw[model.raw["var"].isin(people["var"])]
        model.release(live[live["campaign"]])
        kept = {v for members in model.released.values() for _, v in members}
        released = model.raw[model.raw["var"].isin(kept)]
        batches = (batch,)
        states += collect(
            store_con,
            model,
            live,
            [
                {"round": "latest", "agencies": (agency,), "batches": batches},
                {"round": "latest", "agencies": (agency,)},
                {"round": "latest", "agencies": (agency,), "staff_groups": ("Service",)},
                {"round": "all"},
            ],
            equations,
            targets,
            pinned,
            released=released,
        )
    targets |= small_groups(model.raw)
    found = audit(len(model.raw), equations, targets, pinned)
    shown = analysis.coverage(store_con, Filters(agencies=(agency,), batches=(batch,), min_cell=K), stage="Early")
    print(
        f"\ncampaign: {len(submits)} submissions, {states} shown figures over the states, "
        f"{len(targets)} small groups audited, {len(found)} disclosed"
    )
    assert shown[(shown["key"] != TOTAL_KEY) & shown["hidden"].isna()].shape[0] > 0  # the room sees numbers
    assert not found, found[:5]
