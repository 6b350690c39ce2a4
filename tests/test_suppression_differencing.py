"""Issue 11 item 1: filter differencing. Every pair of filter selections on small random data, every shown figure.

The store holds a few staff groups x agencies x org units, some of them small. For every selection of staff
groups (none = all, or any non-empty subset) x agencies x org units, the coverage heatmap (columns = staff
group and = agency) and the blocking units are computed; each shown figure's population (the respondents it
is over) is worked out independently in pandas from the raw rows. Then:
- no two shown figures whose populations are nested differ by 1..k-1 people (else their difference is the
  hidden figure of those people);
- the same population always shows the same figure;
- inside each heatmap, no hidden cell can be recomputed by subtraction (total minus shown parts) nor pinned
  to 0% or 100%.
"""
from __future__ import annotations

import datetime as dt
import itertools
import random

import pandas as pd
from framework import analysis, db
from framework.analysis import TOTAL_KEY, Filters
from framework.catalog import Catalog
from framework.store import aggregates, ensure_schema

GROUPS = ("Executive", "Service", "Technologist")
AGENCIES = ("A", "B")
ORG_UNITS = ("U1", "U2")
CODE = "DLit100"
K = 5


def _subsets(values):
    return [()] + [c for r in range(1, len(values) + 1) for c in itertools.combinations(values, r)]


def _make(con, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    codes = Catalog(con).unit_codes()
    ensure_schema(con, codes)
    con.execute("INSERT INTO store.batches (batch_id, file_name, content_hash, agency, stage, round_date, "
                "uploaded_at, rows_read, accepted, rejected) VALUES ('B1', 'b.csv', 'h', 'A', 'Early', ?, ?, 0, 0, 0)",
                [dt.date(2024, 1, 1), dt.datetime(2024, 1, 1)])
    rows = []
    for g, a, u in itertools.product(GROUPS, AGENCIES, ORG_UNITS):
        for i in range(rng.choice([0, 1, 2, 3, 4, 6, 9])):          # many small atoms, some empty
            levels = {c: rng.choice([None, 1, 2, 3, 4]) for c in codes if rng.random() < 0.5 or c == CODE}
            rows.append({"respondent_id": f"{g[:2]}{a}{u}{i}", "staff_group": g, "agency": a, "org_unit": u,
                         **{c: levels.get(c) for c in codes}})
    raw = pd.DataFrame(rows)
    cols = ["respondent_id", "staff_group", "agency", "org_unit"] + list(codes)
    con.executemany(f"INSERT INTO store.responses (batch_id, {', '.join(repr(c).replace(chr(39), chr(34)) for c in cols)}) "
                    f"VALUES ('B1', {', '.join('?' * len(cols))})",
                    [[None if pd.isna(v) else v for v in r] for r in raw[cols].itertuples(index=False)])
    with db.transaction(con) as cur:          # the cells the views read (these rows bypassed the store)
        aggregates.rebuild(cur)
    return raw


def _people(raw, groups, agencies, units, key_col=None, key=None, within=None) -> frozenset:
    m = pd.Series(True, index=raw.index)
    for col, kept in (("staff_group", groups), ("agency", agencies), ("org_unit", units)):
        if kept:
            m &= raw[col].isin(kept)
    if key_col and key != TOTAL_KEY:
        m &= raw[key_col] == key
    if within is not None:
        m &= raw["staff_group"].isin(within)
    return frozenset(raw.loc[m, "respondent_id"])


def _recomputable(cov: pd.DataFrame) -> list:
    """Hidden cells a reader can recompute inside one heatmap: per unit, total minus the shown parts."""
    bad = []
    tot = cov[cov["is_total"]].set_index("code")
    parts = cov[~cov["is_total"] & (cov["n"] > 0)]
    hid_mask = parts["hidden"].notna()
    hid_n = parts["n"].where(hid_mask, 0).groupby(parts["code"]).sum()
    hid_count = hid_mask.groupby(parts["code"]).sum()
    shown_met = parts["met"].where(~hid_mask, 0).fillna(0).groupby(parts["code"]).sum()
    hid_keys = parts[hid_mask].groupby("code")["key"].apply(tuple)
    for code, t in tot.iterrows():
        n_hid = int(hid_count.get(code, 0))
        if pd.notna(t["hidden"]) or n_hid == 0 or hid_n.get(code, 0) == t["n"]:
            continue    # nothing hidden, or the hidden part is the total's own people (its figure is shown)
        left = t["met"] - shown_met.get(code, 0)
        if n_hid == 1 or (0 < t["met"] < t["n"] and left in (0, hid_n[code])):
            bad.append((code, hid_keys[code]))
    return bad


def test_no_two_shown_figures_differ_by_fewer_than_k_people(store_con, catalog):
    raw = _make(store_con, 11)
    levels = raw.set_index("respondent_id")[CODE]
    req = {g: set(catalog.con.execute("SELECT unit_code FROM profile_units WHERE stage = 'Early' AND staff_group = ?",
                                      [g]).df()["unit_code"]) for g in GROUPS}
    shown: dict[frozenset, dict] = {}      # population -> {figure: value}
    hidden_by_rule = 0
    # 8 staff-group choices x 4 agency choices x 2 org-unit choices = 64 selections (U2 alone mirrors U1).
    selections = list(itertools.product(_subsets(GROUPS), _subsets(AGENCIES), [(), ORG_UNITS[:1]]))
    for groups, agencies, units in selections:
        f = Filters(staff_groups=groups, agencies=agencies, org_units=units, min_cell=K)
        frames = []
        for by, col in (("group", "staff_group"), ("agency", "agency")):
            cov = analysis.coverage(store_con, f, "Early", by=by)
            assert _recomputable(cov) == [], (groups, agencies, units, by)
            frames.append(cov)
            for r in cov[cov["code"] == CODE].itertuples():
                people = _people(raw, groups, agencies, units, col, r.key)
                assert r.n == len(people)
                hidden_by_rule += r.hidden == analysis.HIDDEN_COMPLEMENT
                if pd.isna(r.hidden):
                    assert r.met == (levels.loc[list(people)] >= 3).sum()
                    got = shown.setdefault(people, {}).setdefault(("coverage", CODE), r.met)
                    assert got == r.met
        bl = analysis.blockers(store_con, f, "Early", top=None)
        for r in bl.itertuples():
            within = {g for g in GROUPS if r.code in req[g]}
            people = _people(raw, groups, agencies, units, within=within)
            assert r.n == len(people)
            if pd.isna(r.hidden):
                got = shown.setdefault(people, {}).setdefault(("coverage", r.code), r.met)
                assert got == r.met          # the same people show the same figure in every view
    pops = sorted(shown, key=len)
    assert len(selections) == 64 and len(pops) > 10
    leaks = []
    for small, big in itertools.combinations(pops, 2):
        if 0 < len(big) - len(small) < K and small < big:
            common = shown[small].keys() & shown[big].keys()
            if common:
                leaks.append((len(big), len(small), sorted(common)[:2]))
    assert leaks == [], (len(leaks), leaks[:5])
    assert hidden_by_rule > 0


def test_the_issue_example_is_hidden(store_con):
    """Agency X = 20 Service + 20 Academic + 3 Technologist: total 43 and Service + Academic 40 are never both shown."""
    codes = Catalog(store_con).unit_codes()
    ensure_schema(store_con, codes)
    store_con.execute("INSERT INTO store.batches (batch_id, file_name, content_hash, agency, stage, round_date, "
                      "uploaded_at, rows_read, accepted, rejected) VALUES ('B1', 'b', 'h', 'X', 'Early', NULL, ?, 0, 0, 0)",
                      [dt.datetime(2024, 1, 1)])
    rows = [(f"{g}{i}", g, lv) for g, n in (("Service", 20), ("Academic", 20), ("Technologist", 3))
            for i, lv in zip(range(n), itertools.cycle([1, 3, 4]))]
    store_con.executemany('INSERT INTO store.responses (batch_id, respondent_id, staff_group, "DLit100") '
                          "VALUES ('B1', ?, ?, ?)", rows)
    every = analysis.coverage(store_con, Filters(), "Early", by="agency")
    some = analysis.coverage(store_con, Filters(staff_groups=("Service", "Academic")), "Early", by="agency")
    x_all = every[(every["key"] == "X") & (every["code"] == "DLit100")].iloc[0]
    x_some = some[(some["key"] == "X") & (some["code"] == "DLit100")].iloc[0]
    assert (x_all["n"], x_some["n"]) == (43, 40)
    assert pd.notna(x_all["met"]) and x_some["hidden"] == analysis.HIDDEN_COMPLEMENT and pd.isna(x_some["met"])
    ready = analysis.readiness(store_con, Filters(staff_groups=("Service", "Academic")), by="agency")
    assert ready[ready["key"] == "X"]["hidden"].eq(analysis.HIDDEN_COMPLEMENT).all()
    ov = analysis.overview(store_con, Filters(staff_groups=("Service", "Academic")), stage="Early")
    assert ov["hidden"] and ov["readiness"] is None
    # With the passphrase's k = 3 the Technologists are no longer fewer than k: the figure is shown.
    assert pd.notna(analysis.coverage(store_con, Filters(staff_groups=("Service", "Academic"), min_cell=3),
                                      "Early", by="agency").query("key == 'X'")["met"].iloc[0])
    # The note says why.
    assert "leave out fewer than 5" in analysis.hidden_note(some, 5, "en")


def test_definitions_state_the_rule_in_both_languages():
    assert "Filter differencing" in analysis.DEFINITIONS_EN and "*k* − 1" in analysis.DEFINITIONS_EN
    assert "การหักลบระหว่างตัวกรอง" in analysis.DEFINITIONS_TH and "*k* − 1" in analysis.DEFINITIONS_TH


def test_rounds_and_batches_are_filter_dimensions_too(store_con):
    """seed.two_rounds: Executives 6 in round 2024-01-15 (batch B1) and 5 in 2024-07-15 (B2), 11 in all.

    At k = 6 the 5 of the second round are hidden; the first round's 6 would be shown, and the all-rounds 11
    minus them would give the 5. So the first round's Executive figure is hidden by filter differencing, in
    the trend and with a round or batch filter, while the all-rounds figure stays.
    """
    from tests.fixtures.analysis import seed
    seed.two_rounds(store_con)
    f = Filters(min_cell=6)
    every = analysis.coverage(store_con, f, "Early", by="group").query("code == 'DLit100'").set_index("key")
    assert every.loc["Executive", "n"] == 11 and pd.notna(every.loc["Executive", "met"])
    trend = analysis.trends(store_con, f, "Early", "DLit100")["coverage"].set_index(["round", "key"])
    assert trend.loc[("2024-01-15", "Executive"), "hidden"] == analysis.HIDDEN_COMPLEMENT
    assert trend.loc[("2024-07-15", "Executive"), "hidden"] == analysis.HIDDEN_SMALL
    for narrowed in (f.with_(rounds=("2024-01-15",)), f.with_(batches=("B1",))):
        cov = analysis.coverage(store_con, narrowed, "Early", by="group").query("code == 'DLit100'").set_index("key")
        assert cov.loc["Executive", "n"] == 6 and cov.loc["Executive", "hidden"] == analysis.HIDDEN_COMPLEMENT
        ready = analysis.readiness(store_con, narrowed, by="group").query("key == 'Executive'")
        assert ready["hidden"].eq(analysis.HIDDEN_COMPLEMENT).all()


def test_a_group_hidden_for_complementary_reasons_is_hidden_when_filtered_alone(store_con):
    """Executive 6, Service 5, Others 2, all in one agency and org unit. The heatmap hides Others (small) and
    Service (complementary). A filter on Service alone must not show Service's figure either (rule 7 (c)):
    the total 13 minus Executive 6 minus Service 5 would give the 2 Others."""
    from tests.fixtures.analysis import seed
    rows = [{"batch_id": "B1", "respondent_id": f"{g}{i}", "staff_group": g, "agency": None, "org_unit": "U",
             "levels": {"DLit100": 3 if i % 2 else 1}} for g, n in (("Executive", 6), ("Service", 5), ("Others", 2))
            for i in range(n)]
    seed.write(store_con, ["B1"], rows)
    cov = analysis.coverage(store_con, Filters(), "Early", by="group").query("code == 'DLit100'").set_index("key")
    assert cov.loc["Service", "hidden"] == analysis.HIDDEN_COMPLEMENTARY and pd.notna(cov.loc["Executive", "met"])
    alone = analysis.coverage(store_con, Filters(staff_groups=("Service",)), "Early", by="agency")
    total = alone.query("code == 'DLit100' and is_total").iloc[0]
    assert total["n"] == 5 and total["hidden"] == analysis.HIDDEN_COMPLEMENT and pd.isna(total["met"])
    ready = analysis.readiness(store_con, Filters(staff_groups=("Service",)), by="group")
    assert ready[ready["is_total"]]["hidden"].eq(analysis.HIDDEN_COMPLEMENT).all()
    # Executive alone stays shown: its figure is shown on the heatmap too.
    ex = analysis.coverage(store_con, Filters(staff_groups=("Executive",)), "Early", by="agency")
    assert pd.notna(ex.query("code == 'DLit100' and is_total")["met"].iloc[0])
