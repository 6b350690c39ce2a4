"""Issue 10 item 1 and 3: rounds as the unit of analysis, and the change between rounds.

Store: agency A surveyed on 2024-06-30 (12 people) and 2025-06-30 (15 people), agency B only on 2024-06-30
(10 people). Every view works on each agency's latest round by default (A 2025 + B 2024 = 25 people), a date
picks one round, "all" pools them; the round is said in words and carried by every row.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from framework import analysis
from framework.analysis import AnalysisError, Filters, rounds
from framework.catalog import Catalog
from framework.store import ensure_schema

A, B = "กรมเอ", "กรมบี"
D1, D2 = "2024-06-30", "2025-06-30"


def build(con, batches: list[tuple], people: list[tuple]) -> None:
    """batches: (batch_id, agency, round date | None, uploaded day); people: (batch_id, id, group, DLit100 level)."""
    codes = Catalog(con).unit_codes()
    ensure_schema(con, codes)
    for bid, agency, day, up in batches:
        con.execute(
            "INSERT INTO store.batches (batch_id, file_name, content_hash, agency, stage, round_date, "
            "uploaded_at, rows_read, accepted, rejected) VALUES (?, ?, ?, ?, 'Early', ?, ?, 0, 0, 0)",
            [bid, bid + ".csv", "h" + bid, agency, day and dt.date.fromisoformat(day), dt.datetime(2025, 1, up)],
        )
    con.executemany(
        'INSERT INTO store.responses (batch_id, respondent_id, staff_group, "DLit100") VALUES (?, ?, ?, ?)', people
    )


def rows(bid: str, n: int, group: str = "Service", met: int = 0, start: int = 0) -> list[tuple]:
    """n people of one batch; the first `met` meet DLit100 (level 3), the rest do not (level 1)."""
    return [(bid, f"p{start + i}", group, 3 if i < met else 1) for i in range(n)]


@pytest.fixture
def con(store_con):
    build(
        store_con,
        [("a1", A, D1, 1), ("a2", A, D2, 2), ("b1", B, D1, 3)],
        rows("a1", 12, met=3) + rows("a2", 15, met=9) + rows("b1", 10, met=5, start=100),
    )
    return store_con


def total_n(con, **f) -> int:
    cov = analysis.coverage(con, f, stage="Early", by="agency")
    return int(cov[cov["is_total"] & (cov["code"] == "DLit100")]["n"].iloc[0])


def test_latest_round_of_each_agency_is_the_default(con):
    assert Filters().round == "latest" and Filters().as_dict()["round"] == "latest"
    assert total_n(con) == 15 + 10  # A's 2025 round + B's only round
    assert total_n(con, round="all") == 12 + 15 + 10
    assert total_n(con, round=D1) == 12 + 10 and total_n(con, round=D2) == 15
    assert analysis.survey_counts(con)["respondents"] == 25
    assert analysis.overview(con)["counts"]["respondents"] == 25
    ready = analysis.readiness(con, by="agency")
    assert dict(zip(ready["key"], ready["n"])) == {A: 15, B: 10, analysis.TOTAL_KEY: 25}


def test_the_latest_round_follows_the_batch_filter(con):
    assert total_n(con, batches=["a1"]) == 12  # A's latest among the batches kept: 2024


def test_round_choice_is_checked_in_both_languages():
    assert Filters(round=" ALL ").round == "all" and Filters(round="2025-06-30").round == D2
    for bad in ("yesterday", "2025-13-01", "2025/06/30"):
        with pytest.raises(AnalysisError) as exc:
            Filters(round=bad)
        assert "latest" in exc.value.en and "รอบสำรวจ" in exc.value.th


def test_every_row_carries_its_round(con):
    cov = analysis.with_round(con, {}, analysis.coverage(con, stage="Early", by="agency"), "agency")
    assert dict(zip(cov["key"], cov["round"])) == {A: D2, B: D1, analysis.TOTAL_KEY: f"{D1}+{D2}"}
    ready = analysis.with_round(con, {"round": "all"}, analysis.readiness(con, {"round": "all"}), "group")
    assert set(ready["round"]) == {"all"} and list(ready.columns[:3]) == ["by", "round", "key"]
    ready = analysis.with_round(con, {"round": D1}, analysis.readiness(con, {"round": D1}), "group")
    assert set(ready.loc[ready["n"] > 0, "round"]) == {D1} and set(ready.loc[ready["n"] == 0, "round"]) == {""}


def test_describe_says_the_round_in_words(con):
    assert rounds.describe(con, {}, "en") == f"Latest round of 30 Jun 2025; for {B}: 30 Jun 2024"
    assert rounds.describe(con, {}, "th") == f"รอบสำรวจล่าสุด 30 มิ.ย. 2568; สำหรับ {B}: 30 มิ.ย. 2567"
    assert rounds.describe(con, {"agencies": [A]}, "en") == "Latest round of 30 Jun 2025"
    assert rounds.describe(con, {"agencies": [A]}, "th") == "รอบสำรวจล่าสุด 30 มิ.ย. 2568"  # Buddhist era
    assert rounds.describe(con, {"round": D1}, "en") == "Round of 30 Jun 2024"
    pooled = rounds.describe(con, {"round": "all"}, "en")
    assert pooled.startswith("All rounds pooled (30 Jun 2024, 30 Jun 2025)")
    assert rounds.describe(con, {"round": "all"}, "th").startswith("รวมทุกรอบสำรวจ (30 มิ.ย. 2567, 30 มิ.ย. 2568)")
    assert rounds.date_text("—", "en") == "no date"


def test_trends_keep_every_round(con):
    tr = analysis.trends(con, {}, stage="Early", unit="DLit100")
    assert tr["rounds"] == [D1, D2]


def test_pooled_and_latest_never_differ_by_fewer_than_k(store_con):
    """Over rounds: A's earlier round holds 3 people, so pooled minus latest must not give their figure.

    Without the passphrase the 3 are in no disclosure block (fewer than k in their batch and agency): the
    pooled total covers the same 20 people as the latest round, with the same figure."""
    build(store_con, [("a1", A, D1, 1), ("a2", A, D2, 2)], rows("a1", 3, met=3) + rows("a2", 20, met=4))
    shown = {}
    for choice in ("latest", "all", D1, D2):
        cov = analysis.coverage(store_con, {"round": choice}, stage="Early", by="group")
        tot = cov[cov["is_total"] & (cov["code"] == "DLit100")].iloc[0]
        if pd.isna(tot["hidden"]):
            shown[choice] = (int(tot["n"]), float(tot["met"]))
    assert shown, "some total must be shown"
    sizes = sorted({n for n, _ in shown.values()})
    assert all(b - a >= 5 for a, b in itertools.pairwise(sizes)), shown
    assert D1 not in shown  # the earlier round alone: 3 < k
    assert shown["all"] == shown["latest"] == shown[D2] == (20, 4.0)  # all - latest: 0 people, 0 met


def test_overview_change_since_the_previous_round(con):
    now = analysis.overview(con, {"agencies": [A]}, stage="Early")
    before = analysis.overview(con, {"agencies": [A], "round": D1}, stage="Early")
    assert now["since"] == [D1]
    assert now["change"]["readiness"] == pytest.approx(round((now["readiness"] - before["readiness"]) * 100, 1))
    assert now["change"]["readiness"] != 0
    # B has no earlier round: no change, and a chosen date or pooled rounds show none either.
    assert analysis.overview(con, {"agencies": [B]})["change"]["readiness"] is None
    assert analysis.overview(con, {"agencies": [A], "round": "all"})["change"]["readiness"] is None


def test_no_change_when_the_previous_round_is_hidden(store_con):
    """The previous round (A 3 + B 3 people) is hidden: 6 >= k selected, but each agency's 3 are in no disclosure
    block ("pooled"); this round (A 12 + B 10) is shown."""
    build(
        store_con,
        [("a1", A, D1, 1), ("a2", A, D2, 2), ("b1", B, D1, 3), ("b2", B, D2, 4)],
        rows("a1", 3, met=1)
        + rows("a2", 12, met=6)
        + rows("b1", 3, met=1, start=100)
        + rows("b2", 10, met=5, start=100),
    )
    ov = analysis.overview(store_con, {}, stage="Early")
    assert ov["readiness"] is not None and ov["since"] == [D1]
    before = analysis.overview(store_con, {"round": "previous"}, stage="Early")
    assert before["readiness"] is None and set(before["by_stage"]["hidden"]) == {analysis.HIDDEN_POOLED}
    assert ov["change"] == dict.fromkeys(ov["change"])  # every change hidden with it
    # With the passphrase the previous round is exact (6 >= k people): the change is shown.
    exact = analysis.overview(store_con, {"authorised": True}, stage="Early")
    assert exact["change"]["readiness"] is not None


def test_coverage_change_shows_only_cells_shown_in_both_rounds(store_con):
    build(
        store_con,
        [("a1", A, D1, 1), ("a2", A, D2, 2)],
        rows("a1", 8, "Service", met=2)
        + rows("a1", 3, "Executive", met=1, start=50)
        + rows("a1", 6, "Academic", met=3, start=70)
        + rows("a2", 9, "Service", met=6)
        + rows("a2", 7, "Executive", met=7, start=50)
        + rows("a2", 6, "Academic", met=2, start=70),
    )
    ch = analysis.coverage_change(store_con, {}, stage="Early", by="group")
    now = analysis.coverage(store_con, {}, stage="Early", by="group").set_index(["key", "code"])
    before = analysis.coverage(store_con, {"round": "previous"}, stage="Early", by="group").set_index(["key", "code"])
    for r in ch.itertuples():
        a, b = now.loc[(r.key, r.code)], before.loc[(r.key, r.code)]
        both = pd.isna(a["hidden"]) and pd.isna(b["hidden"])
        assert pd.isna(r.change) != both, (r.key, r.code)
        if both:
            assert r.change == pytest.approx(round((a["coverage"] - b["coverage"]) * 100, 1))
        else:
            assert r.hidden is not None and pd.isna(r.coverage) and pd.isna(r.coverage_prev)
    dl = ch[ch["code"] == "DLit100"].set_index("key")
    assert dl.loc["Service", "change"] == pytest.approx(round((6 / 9 - 2 / 8) * 100, 1))
    assert pd.isna(dl.loc["Executive", "change"])  # 3 Executives before: hidden then, so no change
    with pytest.raises(AnalysisError):
        analysis.coverage_change(store_con, {"round": "all"})


def test_definitions_say_what_a_round_is_and_how_people_are_counted():
    assert "**Survey round**" in analysis.DEFINITIONS_EN and "once per round" in analysis.DEFINITIONS_EN
    assert "**รอบสำรวจ**" in analysis.DEFINITIONS_TH and "นับครั้งเดียวต่อรอบ" in analysis.DEFINITIONS_TH


def test_analyst_tables_carry_the_round(con):
    from framework import analyst

    tables = analyst.survey_aggregates(con, min_cell=5, threshold=3)
    ready = tables["readiness"].to_pandas()
    agency = ready[ready["by"] == "agency"]
    assert dict(zip(agency["key"], agency["round"])) == {A: D2, B: D1, analysis.TOTAL_KEY: f"{D1}+{D2}"}
    assert int(agency[agency["key"] == analysis.TOTAL_KEY]["n"].iloc[0]) == 25  # the latest rounds
    assert "round" in tables["coverage"].column_names


def test_exports_name_the_round_they_hold(con):
    assert rounds.settings_label(con, {}) == f"latest {D1}+{D2}"
    assert rounds.settings_label(con, {"agencies": [A]}) == f"latest {D2}"
    assert rounds.settings_label(con, {"round": "all"}) == "all" and rounds.settings_label(con, {"round": D1}) == D1
