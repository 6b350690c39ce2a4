"""Issue 21 point 5: target levels per agency, round, profile and unit (framework/targets.py), and t = 0
("meets the agency's target level") in every survey view, checked against plain pandas over the responses."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from test_aggregates_equal import A, B, con, same, views  # noqa: F401  (the random store of the equality proof)

from framework import analysis, db, targets
from framework.analysis import Filters, source
from framework.store import SurveyStore, aggregates

AG = "กรมทดสอบ"


@pytest.fixture()
def small(tmp_path):
    """Two rounds of one agency at the Developing stage, every staff group, random levels (some blank)."""
    c = db.connect(tmp_path / "store.duckdb")
    store = SurveyStore(c)
    codes = store.unit_codes
    rng = random.Random(5)
    for day, size in (("2024-06-30", 60), ("2025-06-30", 80)):
        lines = ["respondent_id,group,unit," + ",".join(codes)]
        for i in range(size):
            group = ("Executive", "Management", "Academic")[i % 3]
            lines.append(f"P{i},{group},กองหนึ่ง," + ",".join(rng.choice(["", "0", "1", "2", "3", "4"]) for _ in codes))
        path = tmp_path / f"{day}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        store.ingest(path, agency=AG, stage="Developing", round_date=day)
    yield c
    c.close()


def responses(c, day: str) -> pd.DataFrame:
    return db.query(
        c,
        "SELECT r.* FROM store.responses r JOIN store.batches b USING (batch_id) WHERE b.round_date = $d::DATE",
        {"d": day},
    )


def test_levels_are_stored_validated_and_versioned_per_round(small):
    key = ("Developing", "Executive", "DT600")
    assert targets.get(small, AG, "2025-06-30")[key] == targets.DEFAULT_LEVEL == 3
    targets.set_level(small, AG, "2024-06-30", *key, 2, who="HR", authorised=True)
    assert targets.get(small, AG, "2024-06-30")[key] == 2
    assert targets.get(small, AG, "2025-06-30")[key] == 2  # a later round inherits it
    assert targets.get(small, AG, "2023-06-30")[key] == 3  # an earlier one does not
    assert targets.get(small, "กรมอื่น", "2025-06-30")[key] == 3  # nor another agency
    targets.set_level(small, AG, "2025-06-30", *key, 3, who="HR", authorised=True)
    assert targets.get(small, AG, "2025-06-30")[key] == 3 and targets.get(small, AG, "2024-06-30")[key] == 2
    targets.set_level(small, AG, "2025-06-30", *key, 2, who="HR", authorised=True)  # = inherited: no row
    assert db.scalar(small, "SELECT count(*) FROM store.targets") == 1
    t = targets.table(small, AG, "2025-06-30").set_index(["stage", "staff_group", "unit_code"])
    assert not t.loc[key, "is_default"] and str(t.loc[key, "set_for"])[:10] == "2024-06-30"
    assert t["is_default"].sum() == len(t) - 1
    for bad in ({"level": 5}, {"level": 0}, {"unit": "DLit200"}, {"stage": "Late"}, {"authorised": False}):
        args = {"stage": "Developing", "group": "Executive", "unit": "DT600", "level": 2, "authorised": True} | bad
        with pytest.raises(targets.TargetError) as exc:
            targets.set_level(
                small,
                AG,
                "2025-06-30",
                args["stage"],
                args["group"],
                args["unit"],
                args["level"],
                who="HR",
                authorised=args["authorised"],
            )
        assert exc.value.th and exc.value.en and exc.value.th != exc.value.en
    assert targets.reset(small, AG, "2024-06-30", who="HR", authorised=True) == 1
    assert targets.get(small, AG, "2025-06-30")[key] == 3


def test_figures_at_t0_meet_each_units_target_level(small):
    """Executive Developing DT600 at target 2 (round 2025): coverage and readiness at t = 0 equal plain pandas."""
    targets.set_level(small, AG, "2025-06-30", "Developing", "Executive", "DT600", 2, who="HR", authorised=True)
    assert aggregates.fresh(small) and aggregates.check(small).empty
    f = Filters(threshold=0, min_cell=1, authorised=True, agencies=(AG,))
    df = responses(small, "2025-06-30")
    req = targets.get(small, AG, "2025-06-30")

    def target(g, code):
        return req.get(("Developing", g, code), 3)

    cov = analysis.coverage(small, f, stage="Developing", by="group").set_index(["key", "code"])
    for g in ("Executive", "Management"):
        mine = df[df["staff_group"] == g]
        for code in ("DT600", "DLit100"):
            expected = int((mine[code].fillna(0) >= target(g, code)).sum())
            assert cov.loc[(g, code), "met"] == expected, (g, code)
    ex = df[df["staff_group"] == "Executive"]
    assert (ex["DT600"] == 2).any()  # the target changes who meets it
    assert cov.loc[("Executive", "DT600"), "met"] > int((ex["DT600"] >= 3).sum())
    rd = analysis.readiness(small, f, by="group")
    row = rd[(rd["key"] == "Executive") & (rd["stage"] == "Developing")].iloc[0]
    units = [c for (s, g, c) in req if s == "Developing" and g == "Executive"]
    met = sum((ex[c].fillna(0) >= target("Executive", c)).astype(int) for c in units)
    assert row["readiness"] == pytest.approx((met / len(units)).mean(), abs=1e-12)
    assert row["fully_ready"] == pytest.approx((met == len(units)).mean(), abs=1e-12)
    # the 2024 round keeps the default
    old = analysis.coverage(small, f.with_(round="2024-06-30"), stage="Developing", by="group").set_index(
        ["key", "code"]
    )
    mine = responses(small, "2024-06-30")
    assert old.loc[("Executive", "DT600"), "met"] == int((mine[mine["staff_group"] == "Executive"]["DT600"] >= 3).sum())


def test_without_targets_t0_equals_t3(con):  # noqa: F811
    for f in (Filters(threshold=3, min_cell=3), Filters(threshold=3, min_cell=5, round="all").with_(authorised=True)):
        at3, at0 = views(con, f), views(con, f.with_(threshold=0))
        for name in at3:
            same(at3[name], at0[name], f"{name}: t = 0 without targets vs t = 3")


def test_cells_equal_responses_at_t0_with_targets(con):  # noqa: F811
    for args in (
        (A, "2024-06-30", "Developing", "Executive", "DLit100", 1),
        (A, "2025-06-30", "Early", "Management", "DLit400", 4),
        (A, "2023-06-30", "Developing", "Academic", "DLit100", 2),
        (B, "2025-06-30", "Early", "Executive", "DLit100", 1),
    ):
        targets.set_level(con, *args, who="HR", authorised=True)
    assert aggregates.fresh(con) and aggregates.check(con).empty
    f0 = Filters(threshold=0, min_cell=3)
    differs = False
    for f in (f0, f0.with_(round="all", min_cell=5), f0.with_(authorised=True), f0.with_(round="previous")):
        cells = views(con, f)
        with source.forced(source.RESPONSES):
            raw = views(con, f)
        for name in raw:
            same(cells[name], raw[name], f"{name} at t = 0, {f}")
        at3 = analysis.coverage(con, f.with_(threshold=3), stage="Developing", by="group")
        differs |= not at3["met"].fillna(-1).equals(cells["coverage by group"]["met"].fillna(-1))
    assert differs  # the targets changed figures, and both sources agree on them


def test_export_settings_carry_the_targets(small):
    targets.set_level(small, AG, "2025-06-30", "Developing", "Executive", "DT600", 2, who="HR", authorised=True)
    got = targets.settings(small, Filters(threshold=0, agencies=(AG,)))
    assert got[f"{AG}@2025-06-30"] == {"Developing/Executive/DT600": 2}
    assert got[f"{AG}@2024-06-30"] == "default 3"
    assert targets.settings(small, Filters(threshold=3)) == {}


def _figures(c, f):
    cov = analysis.coverage(c, f, stage="Developing", by="group")
    rd = analysis.readiness(c, f, by="group")
    return cov[["key", "code", "met", "coverage"]], rd[["key", "stage", "readiness", "fully_ready"]]


def test_the_default_threshold_is_the_agencys_target(small):
    """Issue 21 point 5: readiness means "meets the agency's target" by default. An agency that set nothing sees
    the figures of t = 3; once HR sets a target, the default figures follow it (and t = 3 stays as it was)."""
    f = Filters(min_cell=1, authorised=True, agencies=(AG,))
    assert f.threshold == analysis.DEFAULT_THRESHOLD == targets.TARGET
    assert analysis.defaults()["threshold"] == targets.TARGET
    at3 = _figures(small, f.with_(threshold=3))
    for got, want in zip(_figures(small, f), at3):
        pd.testing.assert_frame_equal(got, want)
    targets.set_level(small, AG, "2025-06-30", "Developing", "Executive", "DT600", 2, who="HR", authorised=True)
    cov, rd = _figures(small, f)
    assert not cov.equals(at3[0]) and not rd.equals(at3[1])
    for got, want in zip(_figures(small, f.with_(threshold=3)), at3):
        pd.testing.assert_frame_equal(got, want)
    ex = cov[(cov["key"] == "Executive") & (cov["code"] == "DT600")]["met"].iloc[0]
    assert ex > at3[0][(at3[0]["key"] == "Executive") & (at3[0]["code"] == "DT600")]["met"].iloc[0]


def test_the_idp_counts_against_the_agencys_target_by_default(small):
    from framework import respondents as rsp
    from framework.catalog import Catalog

    cat = Catalog(small)
    df = responses(small, "2025-06-30")
    ex = df[(df["staff_group"] == "Executive") & (df["DT600"] == 2)].iloc[0]
    batch, rid = ex["batch_id"], ex["respondent_id"]
    before = rsp.plan(small, cat, batch, rid, "Developing")
    assert before.threshold == targets.TARGET
    pd.testing.assert_frame_equal(before.units, rsp.plan(small, cat, batch, rid, "Developing", 3).units)
    targets.set_level(small, AG, "2025-06-30", "Developing", "Executive", "DT600", 2, who="HR", authorised=True)
    after = rsp.plan(small, cat, batch, rid, "Developing").units.set_index("code")
    assert after.loc["DT600", "target"] == 2 and after.loc["DT600", "met"]
    assert not rsp.plan(small, cat, batch, rid, "Developing", 3).units.set_index("code").loc["DT600", "met"]
    html = rsp.idp_html(rsp.plan(small, cat, batch, rid, "Developing"), cat, "en")
    assert "(≥ 2)" in html and "target level (0-4; default 3" in html and "level 0" not in html


def test_a_target_level_set_or_reset_is_a_new_data_version(small):
    """The pages' caches are keyed on db.data_version: a target changes figures at t = 0 (the default) without
    touching the batches, so it must change the version (it did not: figures stayed stale until a new upload)."""
    before = db.data_version(small)
    targets.set_level(small, AG, "2025-06-30", "Developing", "Executive", "DT600", 2, who="HR", authorised=True)
    after = db.data_version(small)
    assert after != before
    targets.set_level(small, AG, "2025-06-30", "Developing", "Executive", "DT600", 4, who="HR", authorised=True)
    assert db.data_version(small) not in (before, after)
