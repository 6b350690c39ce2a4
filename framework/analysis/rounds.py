"""Survey rounds as the unit of analysis: which round of each agency a view is about, said in words.

A survey round is (agency, round date). Every survey view works on ONE round per agency: by default each
agency's latest round (Filters.round = "latest"); a date picks that round; "all" pools every round and is
only used when asked for. `describe` says it on every page ("Round of 30 Jun 2025; for agency B:
30 Jun 2024"; Thai: Buddhist-era dates); `with_round` gives each row of a view its round (the `round`
column of the CLI rows and exports and of the analyst tables); `change` is the readiness change since each agency's
previous round, shown only where both figures are shown.
"""

from __future__ import annotations

import pandas as pd

from framework import clock, db
from framework.analysis import source
from framework.analysis.base import has_store, params, weighted_n
from framework.analysis.filters import (
    KEY_EXPR,
    NONE_KEY,
    ROUND_ALL,
    ROUND_LATEST,
    ROUND_PREVIOUS,
    TOTAL_KEY,
    Filters,
)
from framework.analysis.memo import view
from framework.catalog import STAGES, Catalog, next_stage
from framework.clock import EN_MONTHS, TH_MONTHS  # noqa: F401


def date_text(key: str, lang: str) -> str:
    """A round key ("YYYY-MM-DD" or "—") in words: "30 Jun 2025", Thai "30 มิ.ย. 2568" (Buddhist era)."""
    return clock.date_text(key, lang)


@view
def chosen(con, filters: Filters | dict | None = None) -> pd.DataFrame:
    """The rounds the filters keep: one row per (agency, round) with its respondents, newest round first."""
    f = Filters.coerce(filters)
    if not has_store(con):
        return pd.DataFrame(columns=["agency", "round", "n"])
    src = source.pick(con)
    return db.query(
        con,
        f"WITH f AS ({src.filtered()}) SELECT agency, round_key AS round, {weighted_n(src)} AS n "
        "FROM f GROUP BY ALL ORDER BY round DESC, agency",
        params(con, f),
    )


@view
def describe(con, filters: Filters | dict | None = None, lang: str = "th") -> str:
    """Which round(s) the figures are about, in one sentence in the page language.

    One round per agency: the date most agencies share, then the others ("for agency B: 30 Jun 2024").
    Pooled rounds (round = "all", or an agency with several rounds kept) say so, as a warning.
    """
    f = Filters.coerce(filters)
    rounds = chosen(con, f)
    en = lang == "en"
    if rounds.empty:
        return "No survey round matches these filters." if en else "ไม่มีรอบสำรวจตามตัวกรองที่เลือก"
    per_agency = rounds.groupby("agency")["round"].nunique()
    if f.round == ROUND_ALL or (per_agency > 1).any():
        dates = ", ".join(date_text(r, lang) for r in sorted(rounds["round"].unique()))
        return (
            f"All rounds pooled ({dates}): each person is counted once per round, so people surveyed in "
            "several rounds count several times — compare rounds on the Trends page."
            if en
            else f"รวมทุกรอบสำรวจ ({dates}): นับแต่ละคนหนึ่งครั้งต่อรอบ ผู้ที่ตอบหลายรอบจึงถูกนับหลายครั้ง "
            "— เปรียบเทียบรอบต่าง ๆ ที่หน้าแนวโน้ม"
        )
    share = rounds.groupby("round")["agency"].nunique().reset_index()
    share = share.sort_values(["agency", "round"], ascending=False)
    main = share["round"].iloc[0]
    others = rounds[rounds["round"] != main].sort_values("agency")
    which = {ROUND_LATEST: ("Latest round", "รอบสำรวจล่าสุด"), ROUND_PREVIOUS: ("Previous round", "รอบสำรวจก่อนหน้า")}.get(
        f.round, ("Round", "รอบสำรวจ")
    )
    none = "not given" if en else "ไม่ระบุ"
    rest = "; ".join(
        (f"for {a if a != NONE_KEY else none}: " if en else f"สำหรับ {a if a != NONE_KEY else none}: ")
        + date_text(r, lang)
        for a, r in zip(others["agency"], others["round"])
    )
    if en:
        return f"{which[0]} of {date_text(main, lang)}" + (f"; {rest}" if rest else "")
    return f"{which[1]} {date_text(main, lang)}" + (f"; {rest}" if rest else "")


@view
def round_column(con, f: Filters, by: str, keys: pd.Series) -> list[str]:
    """Each row's round: "all" when rounds are pooled, else the round date(s) of the row's people
    ("2025-06-30"; several agencies in different rounds: "2024-06-30+2025-06-30"). `keys` are the view's
    keys (TOTAL_KEY = every key)."""
    if f.round == ROUND_ALL:
        return [ROUND_ALL] * len(keys)
    df = db.query(
        con,
        f"WITH f AS ({source.pick(con).filtered()}) SELECT {KEY_EXPR[by]} AS key, round_key FROM f GROUP BY ALL",
        params(con, f),
    )
    per_key = df.groupby("key")["round_key"].agg(lambda s: "+".join(sorted(set(s)))).to_dict()
    every = "+".join(sorted(set(df["round_key"])))
    return [every if k == TOTAL_KEY else per_key.get(k, "") for k in keys]


@view
def with_round(con, filters: Filters | dict | None, df: pd.DataFrame, by: str) -> pd.DataFrame:
    """A coverage or readiness frame with a `round` column after `by` (round_column): what the CLI rows,
    CLI exports and the analyst tables carry."""
    f = Filters.coerce(filters)
    out = df.copy()
    out.insert(list(out.columns).index("by") + 1, "round", round_column(con, f, by, out["key"]))
    return out


@view
def settings_label(con, filters: Filters | dict | None = None) -> str:
    """The round as export settings and file names carry it: "all", a date, or "latest 2025-06-30"
    ("latest 2024-06-30+2025-06-30" when agencies' latest rounds differ), so a file says which round it holds."""
    f = Filters.coerce(filters)
    if f.round != ROUND_LATEST:
        return f.round
    dates = sorted(chosen(con, f)["round"].unique())
    return f"{ROUND_LATEST} {'+'.join(dates)}".strip()


@view
def has_previous(con, filters: Filters | dict | None = None) -> bool:
    """Whether the change since the previous round applies: the latest round is chosen and some agency
    kept by the filters has an earlier dated round."""
    f = Filters.coerce(filters)
    return f.round == ROUND_LATEST and not chosen(con, f.with_(round=ROUND_PREVIOUS)).empty


def change(now: float | None, before: float | None) -> float | None:
    """Change in percentage points, or None when either figure is hidden (or absent)."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return round((float(now) - float(before)) * 100, 1)


@view
def declared(con, filters: Filters | dict | None = None) -> pd.DataFrame:
    """The stage each agency kept by the filters declared for its chosen round (store.batches.stage of the
    round's batches; several batches declaring different stages: the one of most respondents, a tie going to
    the earlier stage). One row per agency: agency, round, stage (None when not declared), n; by agency.
    Head counts and batch metadata only (no figure about anyone's answers)."""
    f = Filters.coerce(filters)
    cols = ["agency", "round", "stage", "n"]
    if not has_store(con):
        return pd.DataFrame(columns=cols)
    src = source.pick(con)
    df = db.query(
        con,
        f"WITH f AS ({src.filtered()}) SELECT agency, round_key AS round, batch_stage AS stage, "
        f"{weighted_n(src)} AS n FROM f GROUP BY ALL",
        params(con, f),
    )
    if df.empty:
        return pd.DataFrame(columns=cols)
    order = {s: i for i, s in enumerate(STAGES)}
    df["_ord"] = df["stage"].map(order).fillna(len(order))
    df["_round_n"] = df.groupby(["agency", "round"])["n"].transform("sum")
    df = df.sort_values(["agency", "round", "n", "_ord"], ascending=[True, False, False, True], kind="stable")
    out = df.groupby("agency", sort=True).head(1).copy()  # newest round (several only when rounds are pooled)
    out["n"] = out["_round_n"]
    out["stage"] = out["stage"].where(out["stage"].isin(STAGES), None)
    return out[cols].reset_index(drop=True)


def default_stage(con, filters: Filters | dict | None = None) -> str | None:
    """THE default stage of a survey view: with one agency kept, the stage it declared for its chosen round;
    with several, the stage of most respondents (survey_counts: the figure is then pooled, and says so)."""
    d = declared(con, filters)
    if len(d) == 1:
        return d["stage"].iloc[0]
    from framework.analysis.overview_view import survey_counts

    return survey_counts(con, filters).get("stage")


def _stage_names(con, lang: str) -> dict:
    s = Catalog(con).stages()
    return dict(zip(s["key"], s["name_en" if lang == "en" else "name_th"]))


@view
def stage_text(con, filters: Filters | dict | None = None, stage: str = "Early", lang: str = "th") -> str:
    """Which stage a figure is against, in words: the stage the agency declared for its round, the next one
    after it, or another stage chosen; with several agencies, that they are pooled, each at its own stage.

    "Against Developing: the stage กรมX declared for its 30 Jun 2025 round." / "Pooled: 2 agencies at their own
    stages (A: Developing, 30 Jun 2025; B: Early, 30 Jun 2025); every figure here is against Developing for
    all of them — choose one agency to see it against its own stage." Empty when the filters keep nobody."""
    d = declared(con, filters)
    if d.empty:
        return ""
    en = lang == "en"
    names = _stage_names(con, lang)
    none = "not given" if en else "ไม่ระบุ"
    at = names.get(stage, stage)

    def who(a):
        return none if a == NONE_KEY else a

    if len(d) == 1:
        a, r, s = who(d["agency"].iloc[0]), d["round"].iloc[0], d["stage"].iloc[0]
        when = date_text(r, lang)
        if s is None:
            return (
                f"Against {at}: {a} declared no stage for its {when} round."
                if en
                else f"เทียบกับ{at}: {a} ไม่ได้ระบุระยะสำหรับรอบ {when}"
            )
        if stage == s:
            return (
                f"Against {at}: the stage {a} declared for its {when} round."
                if en
                else f"เทียบกับ{at}: ระยะที่ {a} ระบุสำหรับรอบ {when}"
            )
        if stage == next_stage(s):
            return (
                f"Against {at}, the next stage after {names[s]}, the stage {a} declared for its {when} round."
                if en
                else f"เทียบกับ{at} ระยะถัดจาก{names[s]} ซึ่งเป็นระยะที่ {a} ระบุสำหรับรอบ {when}"
            )
        return (
            f"Against {at}, not the stage {a} declared for its {when} round ({names[s]})."
            if en
            else f"เทียบกับ{at} ซึ่งไม่ใช่ระยะที่ {a} ระบุสำหรับรอบ {when} ({names[s]})"
        )
    each = "; ".join(
        f"{who(a)}: {names.get(s, none) if s else none}, {date_text(r, lang)}"
        for a, r, s in zip(d["agency"], d["round"], d["stage"])
    )
    kinds = [names[s] for s in STAGES if s in set(d["stage"])]
    if en:
        return (
            f"Pooled: {len(d)} agencies, each at its own stage (stages {' and '.join(kinds) or none} — {each}); "
            f"every figure here is against {at} for all of them — choose one agency to see it against its "
            "own stage."
        )
    return (
        f"รวมหลายหน่วยงาน: {len(d)} หน่วยงาน แต่ละหน่วยงานอยู่ในระยะของตนเอง ({' และ '.join(kinds) or none} — {each}) "
        f"ทุกตัวเลขในหน้านี้เทียบกับ{at}สำหรับทุกหน่วยงาน — เลือกหน่วยงานเดียวเพื่อดูเทียบกับระยะของหน่วยงานนั้นเอง"
    )
