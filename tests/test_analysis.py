"""framework.analysis against the hand-computed fixture in tests/fixtures/analysis/seed.py."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from framework import analysis
from framework.analysis import Filters, TOTAL_KEY
from tests.fixtures.analysis import seed, truth


@pytest.fixture
def con(store_con):
    seed.basic(store_con)
    return store_con


@pytest.fixture
def con2(store_con):
    seed.two_rounds(store_con)
    return store_con


def cell(df, key, code="DLit100"):
    row = df[(df["key"] == key) & (df["code"] == code)]
    assert len(row) == 1, (key, code)
    return row.iloc[0]


def rcell(df, key, stage="Early"):
    row = df[(df["key"] == key) & (df["stage"] == stage)]
    assert len(row) == 1, (key, stage)
    return row.iloc[0]


def test_coverage_by_group_hand_computed(con):
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    e = cell(cov, "Executive")
    assert (e["n"], e["met"], e["coverage"]) == (6, 3, 0.5)
    assert e["required"] and pd.isna(e["hidden"])
    t = cell(cov, TOTAL_KEY)
    assert (t["n"], t["met"]) == (13, 7) and t["coverage"] == pytest.approx(7 / 13)
    # Rows in framework order, all 39 units for 6 groups + total.
    assert len(cov) == 39 * 7
    assert list(dict.fromkeys(cov["code"]))[:3] == ["DLit100", "DLit200", "DLit300"]
    assert list(dict.fromkeys(cov["key"])) == ["Executive", "Management", "Academic", "Service",
                                               "Technologist", "Others", TOTAL_KEY]


def test_unit_not_assessed_counts_as_not_met(con):
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    e = cell(cov, "Executive", "DTr300")
    assert (e["n"], e["met"], e["coverage"]) == (6, 0, 0.0)   # nobody assessed: 0, not hidden, not NaN
    # E4 has nothing assessed, yet is counted in n.
    assert cell(cov, "Executive", "DLit400")["met"] == 2      # E1 (4), E2 (3); E3 has 2


def test_small_cell_and_complementary_suppression(con):
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    o = cell(cov, "Others")
    assert o["n"] == 2 and o["hidden"] == analysis.HIDDEN_SMALL
    assert math.isnan(o["met"]) and math.isnan(o["coverage"])
    # Total 7 - Executive 3 would give Service + Others = 4: Service is hidden too. Its people are all in
    # org unit กองบริการ, whose 7 (filter org unit = กองบริการ) minus Service's 5 would give the 2 Others:
    # filter differencing (rule 7) hides it before the complementary rule has to.
    s = cell(cov, "Service")
    assert s["n"] == 5 and s["hidden"] == analysis.HIDDEN_COMPLEMENT and math.isnan(s["coverage"])
    # Staff groups with no respondents: hidden as empty, never 0.
    m = cell(cov, "Management")
    assert m["n"] == 0 and m["hidden"] == analysis.HIDDEN_EMPTY and math.isnan(m["coverage"])
    # No leak: for every unit, the total minus shown parts never isolates exactly one non-empty hidden part.
    for code, g in cov.groupby("code"):
        parts = g[~g["is_total"] & (g["n"] > 0)]
        assert parts["hidden"].notna().sum() != 1, code


def recover_hidden(df, set_cols, amount, value):
    """What a reader recomputes by subtraction: per set, total minus shown parts over the hidden parts' n."""
    found = {}
    for keys, g in df.groupby(set_cols):
        tot = g[g["is_total"]]
        if tot.empty or tot["hidden"].notna().any():
            continue
        parts = g[~g["is_total"] & (g["n"] > 0)]
        shown, hid = parts[parts["hidden"].isna()], parts[parts["hidden"].notna()]
        if hid.empty:
            continue
        left = float((tot[value] * tot["n"]).iloc[0]) - float((shown[value] * shown["n"]).sum())
        found[keys] = (left, int(hid["n"].sum()), len(hid), float(tot[value].iloc[0]))
    return found


def test_no_hidden_cell_recomputable_as_zero_or_full(con):
    """Total minus the shown parts must never pin the hidden parts to 0% or 100% (unless the total is)."""
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    spm = cov[cov["code"] == "SPM100"].set_index("key")
    # Executive 1/6, total 1/13: Service + Others would be 0 of 7, so Executive is hidden too.
    assert spm.loc["Executive", "hidden"] == analysis.HIDDEN_COMPLEMENTARY
    assert spm.loc[TOTAL_KEY, "coverage"] == pytest.approx(1 / 13)
    for (code,), (left, n_hid, k_hid, total) in recover_hidden(cov, ["code"], "met", "coverage").items():
        assert k_hid != 1, code
        if 0 < total < 1:
            assert 1e-9 < left < n_hid - 1e-9, code
    ready = analysis.readiness(con, Filters(), by="group")
    for (stage,), (left, n_hid, k_hid, total) in recover_hidden(ready, ["stage"], "readiness", "readiness").items():
        assert k_hid != 1 and (total in (0, 1) or 1e-9 < left < n_hid - 1e-9), stage


def test_extreme_protection_function():
    df = pd.DataFrame({"key": ["a", "b", "c", "d", TOTAL_KEY], "n": [2, 5, 6, 9, 22],
                       "met": [0, 0, 3, 4, 7], "is_total": [False] * 4 + [True]})
    df["v"] = df["met"] / df["n"]
    out = analysis.suppress(df, 5, ["met", "v"], sets=[], amounts=["met"])
    # a small, b complementary (both 0 met) -> c (next smallest) hidden as well.
    assert hid(out) == ["small", "complementary", "complementary", "", ""]
    # Without amounts the old rule stops at b.
    assert hid(analysis.suppress(df, 5, ["v"], sets=[]))[:3] == ["small", "complementary", ""]
    # A total at 0% says every part is 0% anyway: hiding more would protect nothing.
    zero = df.assign(met=0, v=0.0)
    assert hid(analysis.suppress(zero, 5, ["v"], sets=[], amounts=["met"]))[:3] == ["small", "complementary", ""]


def test_min_cell_change_shows_small_cells(con):
    cov = analysis.coverage(con, Filters(min_cell=2), stage="Early", by="group")
    assert cell(cov, "Others")["coverage"] == 0.5 and pd.isna(cell(cov, "Others")["hidden"])
    assert cell(cov, "Service")["coverage"] == 0.6


def test_threshold_changes_coverage_and_readiness(con):
    cov = analysis.coverage(con, Filters(threshold=2), stage="Early", by="group")
    assert cell(cov, "Executive")["coverage"] == pytest.approx(4 / 6)
    ready = analysis.readiness(con, Filters(threshold=2), by="group")
    assert rcell(ready, "Executive")["readiness"] == pytest.approx(15 / 54)
    cov4 = analysis.coverage(con, Filters(threshold=4), stage="Early", by="group")
    assert cell(cov4, "Executive")["met"] == 1


def hid(df):
    return df["hidden"].fillna("").tolist()


def test_complementary_suppression_function():
    df = pd.DataFrame({"set": ["a"] * 4 + ["b"] * 3,
                       "key": ["x", "y", "z", TOTAL_KEY, "x", "y", TOTAL_KEY],
                       "n": [3, 9, 6, 18, 7, 8, 15], "v": [1.0, 2.0, 3.0, 6.0, 1.0, 2.0, 3.0],
                       "is_total": [False, False, False, True, False, False, True]})
    out = analysis.suppress(df, 5, ["v"], sets=["set"])
    assert hid(out)[:4] == ["small", "", "complementary", ""]   # z (6) < y (9)
    assert out["hidden"].iloc[4:].isna().all()                                       # set b: nothing small
    assert out["v"].isna().tolist() == [True, False, True, False, False, False, False]
    # Two small parts protect each other: no complementary cell needed.
    two = analysis.suppress(df.assign(n=[3, 9, 2, 14, 7, 8, 15]), 5, ["v"], sets=["set"])
    assert hid(two)[:3] == ["small", "", "small"]
    # An empty part does not protect a small one.
    empty = analysis.suppress(df.assign(n=[3, 9, 0, 12, 7, 8, 15]), 5, ["v"], sets=["set"])
    assert hid(empty)[:3] == ["small", "complementary", "empty"]


def test_readiness_hand_computed(con):
    ready = analysis.readiness(con, Filters(), by="group")
    e = rcell(ready, "Executive")
    assert e["readiness"] == pytest.approx(13 / 54)
    assert e["fully_ready"] == pytest.approx(1 / 6)
    assert e["required_units"] == 9
    total = rcell(ready, TOTAL_KEY)
    # (13/9 + (8+1+1)/8 + 1/5) / 13 — Others' Early profile has 5 units; O1 meets DLit100.
    assert total["readiness"] == pytest.approx((13 / 9 + 10 / 8 + 1 / 5) / 13)
    assert total["fully_ready"] == pytest.approx(2 / 13)
    assert rcell(ready, "Service")["hidden"] == analysis.HIDDEN_COMPLEMENT
    assert math.isnan(rcell(ready, "Others")["readiness"])
    assert rcell(ready, "Academic")["hidden"] == analysis.HIDDEN_EMPTY
    assert rcell(ready, "Academic")["required_units"] == 9     # public profile fact stays


def test_stage_reached(con2):
    f = Filters(min_cell=2)
    ready = analysis.readiness(con2, f, by="agency")
    reached = analysis.stage_reached(ready, 0.8).set_index("key")["stage_reached"]
    assert reached[seed.AGENCY2] == "Early"          # 5 executives all meet Early: 100%
    assert reached[seed.AGENCY] == "none"
    low = analysis.stage_reached(ready, 0.5).set_index("key")["stage_reached"]
    assert low[seed.AGENCY2] == "Developing"         # 9/16 = 0.5625 >= 0.5
    hidden = analysis.stage_reached(analysis.readiness(con2, Filters(), by="group"), 0.8)
    assert hidden.set_index("key")["stage_reached"].isna()["Others"]


def test_blockers_rank_and_complementary_hiding(con):
    bl = analysis.blockers(con, Filters(), stage="Developing", top=None)
    dl = bl.set_index("code")
    assert dl.loc["DLit100", "n"] == 13 and dl.loc["DLit100", "coverage"] == pytest.approx(7 / 13)
    # DS100 applies to 11 of 13: the other 2 (Others) could be recomputed from the overall coverage.
    assert dl.loc["DS100", "hidden"] == analysis.HIDDEN_COMPLEMENTARY and math.isnan(dl.loc["DS100", "coverage"])
    top = analysis.blockers(con, Filters(), stage="Developing", top=5)
    assert len(top) == 5 and top["hidden"].isna().all()
    assert top["coverage"].is_monotonic_increasing
    # DLit500 is required of Service only: its blocker figure would be Service's own coverage, which the
    # heatmap hides (Service minus the 7 of its org unit gives the 2 Others), so it is hidden and not ranked.
    assert dl.loc["DLit500", "hidden"] == analysis.HIDDEN_COMPLEMENTARY and "DLit500" not in set(top["code"])
    cov = analysis.coverage(con, Filters(), stage="Developing", by="group")
    assert cov[(cov["code"] == "DLit500") & (cov["key"] == "Service")]["hidden"].iloc[0] == "complement"
    # Every shown blocker equals the sum of its required staff groups' counts on the heatmap.
    for row in top.itertuples():
        parts = cov[(cov["code"] == row.code) & ~cov["is_total"] & cov["required"]]
        assert row.n == parts["n"].sum()


def test_blockers_never_isolate_a_group_hidden_on_the_heatmap(con):
    for stage in ("Early", "Developing", "Mature"):
        cov = analysis.coverage(con, Filters(), stage=stage, by="group")
        bl = analysis.blockers(con, Filters(), stage=stage, top=None)
        for row in bl[bl["hidden"].isna()].itertuples():
            g = cov[(cov["code"] == row.code) & ~cov["is_total"] & (cov["n"] > 0)]
            hidden_in = g[g["required"] & g["hidden"].notna()]
            hidden_out = g[~g["required"] & g["hidden"].notna()]
            assert len(hidden_in) != 1 and len(hidden_out) != 1, (stage, row.code)


def test_filters_are_bound_and_combine(con2):
    f = Filters(agencies=(seed.AGENCY2,), min_cell=2)
    cov = analysis.coverage(con2, f, stage="Early", by="group")
    assert cell(cov, TOTAL_KEY)["n"] == 5
    assert analysis.survey_counts(con2, Filters(rounds=("2024-01-15",)))["respondents"] == 13
    assert analysis.survey_counts(con2, Filters(batches=("B2",), staff_groups=("Executive",)))["respondents"] == 5
    assert analysis.survey_counts(con2, Filters(org_units=(seed.SERVICE_DIV,)))["respondents"] == 7
    # Quotes in a filter value are data, not SQL.
    assert analysis.survey_counts(con2, Filters(agencies=("x' OR '1'='1",)))["respondents"] == 0


def test_by_agency_and_unit_and_required_only(con):
    cov = analysis.coverage(con, Filters(), stage="Early", by="unit")
    assert cell(cov, seed.SERVICE_DIV)["n"] == 7 and cell(cov, seed.SERVICE_DIV)["met"] == 4
    assert cell(cov, seed.SECRETARIAT)["coverage"] == 0.5
    agency = analysis.coverage(con, Filters(), stage="Early", by="agency")
    assert set(agency["key"]) == {seed.AGENCY, TOTAL_KEY}          # agency falls back to the batch's
    only = analysis.coverage(con, Filters(staff_groups=("Executive",), required_only=True), stage="Early")
    assert set(only["code"]) == set(seed.EXEC_EARLY)
    assert set(only["key"]) == {"Executive", TOTAL_KEY}


def test_overview(con, catalog):
    ov = analysis.overview(con, Filters())
    assert ov["stage"] == "Early" and ov["next_stage"] == "Developing"
    assert ov["counts"]["respondents"] == 13 and ov["counts"]["org_units"] == 2
    assert ov["readiness"] == pytest.approx((13 / 9 + 10 / 8 + 1 / 5) / 13)
    assert ov["stage_reached"] == "none"
    # Under the target at Early: the blockers are Early's units (the stage the next step talks about).
    assert ov["work_stage"] == "Early"
    assert 0 < len(ov["blockers"]) <= 5
    # The blockers, against figures computed from the raw fixture rows in pandas (not by framework.analysis).
    raw = truth.frame(seed._b1_rows(), list(catalog.unit_codes()))
    want = truth.unit_coverage(raw, truth.required(catalog, "Early"))
    for row in ov["blockers"].itertuples():
        assert (row.n, row.met) == (want.loc[row.code, "n"], want.loc[row.code, "met"]), row.code
        assert row.coverage == pytest.approx(want.loc[row.code, "coverage"])
    assert ov["blockers"]["coverage"].is_monotonic_increasing
    # Every unit with a lower coverage than the fifth shown one, and not shown, is hidden (not forgotten).
    every = ov["blockers_all"].set_index("code")
    assert set(every.index[every["hidden"] != analysis.HIDDEN_EMPTY]) == set(want.index)
    fifth = ov["blockers"]["coverage"].iloc[-1]
    for code in want.index[want["coverage"] < fifth - 1e-12]:
        assert code in set(ov["blockers"]["code"]) or pd.notna(every.loc[code, "hidden"]), code
    assert every["hidden"].notna().any()
    small = analysis.overview(con, Filters(staff_groups=("Others",)))
    assert small["hidden"] and small["readiness"] is None and small["stage_reached"] is None


def test_trends_per_round(con2):
    t = analysis.trends(con2, Filters(), stage="Early", unit="DLit100")
    assert t["rounds"] == ["2024-01-15", "2024-07-15"]
    r = t["readiness"].set_index(["round", "key"])
    assert r.loc[("2024-07-15", "Executive"), "readiness"] == 1.0
    assert r.loc[("2024-01-15", "Executive"), "readiness"] == pytest.approx(13 / 54)
    c = t["coverage"].set_index(["round", "key"])
    assert c.loc[("2024-07-15", "Executive"), "coverage"] == 1.0
    assert c.loc[("2024-01-15", "Others"), "hidden"] == analysis.HIDDEN_SMALL


def test_bad_input_messages_in_thai_and_english(con):
    with pytest.raises(analysis.AnalysisError) as exc:
        analysis.coverage(con, Filters(), stage="Late")
    assert "Early" in exc.value.en and "ระยะ" in exc.value.th
    with pytest.raises(analysis.AnalysisError):
        Filters(threshold=7)
    with pytest.raises(analysis.AnalysisError):
        Filters(staff_groups=("Nobody",))
    with pytest.raises(analysis.AnalysisError):
        analysis.readiness(con, Filters(), by="province")


def test_hidden_note_counts_cells(con):
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    counts = analysis.hidden_counts(cov)
    # 39 Service cells hidden by filter differencing (one per unit) + 5 Executive cells protecting the
    # all-zero pair Service + Others on SPM100, DL100, DL300, DTr100, DTr200.
    assert counts == {"empty": 39 * 3, "small": 39, "complementary": 5, "complement": 39}
    en, th = analysis.hidden_note(cov, 5, "en"), analysis.hidden_note(cov, 5, "th")
    assert "39 with fewer than 5" in en and "39 because the filters leave out fewer than 5 people" in en
    assert "น้อยกว่า 5" in th and "39 ช่องซ่อนเพราะตัวกรองตัดผู้ตอบออกน้อยกว่า 5 คน" in th
    assert "filters leave out" not in analysis.hidden_note(cov.assign(hidden=None), 5, "en")


def test_empty_store(store_con, catalog):
    from framework.store import ensure_schema
    ensure_schema(store_con, catalog.unit_codes())
    assert analysis.survey_counts(store_con)["respondents"] == 0
    cov = analysis.coverage(store_con, Filters(), stage="Early")
    assert cov["coverage"].isna().all()
    assert analysis.overview(store_con)["readiness"] is None


def test_suppress_keeps_cells_another_view_hides():
    df = pd.DataFrame({"key": ["a", "b", "c", TOTAL_KEY], "n": [6, 7, 9, 22], "met": [3, 3, 4, 10],
                       "seen": [None, "complementary", None, None], "is_total": [False] * 3 + [True]})
    out = analysis.suppress(df, 5, ["met"], sets=[], amounts=["met"], already="seen")
    # b stays hidden as the other view decided; alone it could be recomputed, so a (smallest) joins it.
    assert hid(out) == ["complementary", "complementary", "", ""]
    assert hid(analysis.suppress(df, 5, ["met"], sets=[], amounts=["met"])) == ["", "", "", ""]
