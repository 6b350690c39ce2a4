"""Rounds: a survey round is (agency, round date), with the agency's stage for that round.

Identity of a person = (agency, respondent id) within a round; `clash_sql` finds the stored answers of
the same people in a round (used by ingest and by restore). `check_metadata` holds the upload rules, the
same for the upload page and `python -m framework ingest`: agency, stage and round date must be given; a
round date before the framework (18 May 2018) or more than FUTURE_MARGIN_DAYS ahead is refused
(`round_date_problem`, which `SurveyStore.ingest` and campaigns enforce for every writer); a stage other
than the agency's previous round, or a round date in the future (within the margin), needs an explicit
confirmation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from framework import db, names
from framework.store.keys import AGENCY_KEY, NONE_KEY
from framework.survey import Notice

# The round dates a survey of this framework can have: not before its circular (ว 6, 18 May 2018), not more
# than a small margin ahead (a round planned to end next month; 9999-12-31 would become the latest round).
EARLIEST_ROUND = dt.date(2018, 5, 18)
FUTURE_MARGIN_DAYS = 90


def round_date_problem(round_date: dt.date | None, today: dt.date | None = None) -> tuple[str, str] | None:
    """(Thai, English) saying why `round_date` cannot be a survey round and how to fix it; None when it can."""
    if round_date is None:
        return None
    latest = (today or dt.date.today()) + dt.timedelta(days=FUTURE_MARGIN_DAYS)
    when = round_date.isoformat()
    if round_date < EARLIEST_ROUND:
        return (
            (
                f"วันที่รอบสำรวจ {when} อยู่ก่อนกรอบทักษะดิจิทัลประกาศใช้ (18 พ.ค. 2561 / 2018-05-18) "
                "ตรวจปี (ใช้ ค.ศ. ไม่ใช่ พ.ศ.) แล้วใส่วันที่ตั้งแต่ 2018-05-18"
            ),
            (
                f"The round date {when} is before the digital-skills framework was published (2018-05-18): "
                "check the year (Common Era, not the Buddhist year) and give a date from 2018-05-18 on"
            ),
        )
    if round_date > latest:
        return (
            (
                f"วันที่รอบสำรวจ {when} อยู่ในอนาคตเกิน {FUTURE_MARGIN_DAYS} วัน (หลัง {latest.isoformat()}) "
                "ตรวจปี (ใช้ ค.ศ. ไม่ใช่ พ.ศ.) แล้วใส่วันที่ของรอบสำรวจจริง"
            ),
            (
                f"The round date {when} is more than {FUTURE_MARGIN_DAYS} days ahead (after {latest.isoformat()}): "
                "check the year (Common Era, not the Buddhist year) and give the survey round's real date"
            ),
        )
    return None


def _undated(d) -> bool:
    return d is None or d == NONE_KEY or (not isinstance(d, str) and pd.isna(d))


def newest_first(dates) -> list:
    """THE order of an agency's rounds: dated rounds newest first, then an undated one (None / NaT / '—').

    Every "latest round" and "previous round" is chosen by it: the upload form's reference round
    (RoundsMixin.last_round) and the views' round choice (analysis.suppression.Population.agency_rounds,
    bound into filtered.sql as $round_ids)."""
    dates = list(dates)
    dated = sorted({d for d in dates if not _undated(d)}, reverse=True)
    return dated + [d for d in dates if _undated(d)][:1]


def latest_round(dates):
    """An agency's latest round among `dates` (newest_first); None when there is none."""
    order = newest_first(dates)
    return order[0] if order else None


def previous_round(dates):
    """An agency's dated round before its latest dated one (the change between rounds); None without one."""
    dated = [d for d in newest_first(dates) if not _undated(d)]
    return dated[1] if len(dated) >= 2 else None


def clash_sql(people: str) -> str:
    """Stored responses of the same people in round $round: `people` is a relation with
    (respondent_id, agency_key). Returns (batch_id, respondent_id, agency_key)."""
    return f"""
        SELECT r.batch_id, r.respondent_id, p.agency_key
        FROM ({people}) p
        JOIN store.responses r ON r.respondent_id = p.respondent_id
        JOIN store.batches b ON b.batch_id = r.batch_id
        WHERE b.round_date IS NOT DISTINCT FROM $round::DATE
          AND {AGENCY_KEY} = p.agency_key
        ORDER BY r.respondent_id, r.batch_id"""


def supersede(cur, batch_id: str) -> int:
    """Inside the caller's transaction: the stored answers listed in the registered relation `clash`
    (batch_id, respondent_id, agency_key) are replaced by `batch_id`'s. The earlier answers are kept
    (store.superseded_responses), never lost, and store.replacements says who replaced whom. Returns how many."""
    cur.execute(
        "INSERT INTO store.superseded_responses SELECT r.*, ?, now()::TIMESTAMP "
        "FROM store.responses r JOIN clash c USING (batch_id, respondent_id)",
        [batch_id],
    )
    cur.execute(
        "DELETE FROM store.responses r USING clash c "
        "WHERE r.batch_id = c.batch_id AND r.respondent_id = c.respondent_id"
    )
    cur.execute(
        "INSERT INTO store.replacements SELECT batch_id, respondent_id, agency_key, ?, now()::TIMESTAMP FROM clash",
        [batch_id],
    )
    return cur.execute("SELECT count(*) FROM clash").fetchall()[0][0]


@dataclass
class MetaCheck:
    """The upload form's rules: what is missing, what is refused (Thai, English), and what needs a
    confirmation (key, Thai, English)."""

    missing: list[tuple[str, str]] = field(default_factory=list)
    confirm: list[tuple[str, str, str]] = field(default_factory=list)
    last: dict | None = None  # the agency's reference round: {"round_date", "stage"}
    refused: list[tuple[str, str]] = field(default_factory=list)
    agency: str | None = None  # the agency as it is stored (framework.names.name)
    lookalike: tuple[str, str] | None = None  # (Thai, English): it only looks like an existing agency

    def ready(self, confirmed: set[str] | frozenset = frozenset()) -> bool:
        """True when nothing is missing or refused and every confirmation asked for was given."""
        return not self.missing and not self.refused and all(key in confirmed for key, _, _ in self.confirm)


class RoundsMixin:
    """Round queries and the upload-metadata rules of SurveyStore."""

    def live_rounds(self) -> pd.DataFrame:
        """One row per live (agency, round date) with its stage (of the latest upload); newest round first."""
        return db.query(
            self.con,
            """
            SELECT agency, round_date, arg_max(stage, uploaded_at) AS stage
            FROM store.batches
            WHERE nullif(trim(agency), '') IS NOT NULL
            GROUP BY agency, round_date
            ORDER BY agency, round_date DESC NULLS LAST""",
        )

    def known_agencies(self) -> list[str]:
        """Every agency a stored answer has (the batches' and the files' agency columns), for look-alike checks."""
        return db.query(
            self.con,
            "SELECT agency FROM store.batches WHERE agency IS NOT NULL UNION "
            "SELECT agency FROM store.agg_cells WHERE agency IS NOT NULL",
        )["agency"].tolist()

    def lookalike_notices(self, agencies, given: str | None = None) -> list:
        """Upload notices (warning): each agency of an upload (its file's column, the one given) that only looks
        like a stored agency or another of the upload's, or mixes scripts (framework.names.lookalike_warning)."""
        mine = list(dict.fromkeys(a for a in [given, *agencies] if a))
        known = self.known_agencies()
        out = []
        for a in mine:
            if w := names.lookalike_warning(a, [*known, *(b for b in mine if b != a)]):
                out.append(Notice("warning", None, *w))
        return out

    def agencies(self) -> list[str]:
        """Agencies of the live batches, sorted."""
        return sorted(set(self.live_rounds()["agency"]))

    def last_round(self, agency: str | None, before: dt.date | None = None) -> dict | None:
        """The agency's latest round (on or before `before` when given, else its latest) as
        {"round_date": date | None, "stage": key | None}; None for an agency without batches."""
        rounds = self.live_rounds()
        rounds = rounds[rounds["agency"] == (names.name(agency) or "")]
        if rounds.empty:
            return None
        dates = [None if pd.isna(d) else pd.Timestamp(d).date() for d in rounds["round_date"]]
        if before is not None and any(d is not None and d <= before for d in dates):
            dates = [d if d is not None and d <= before else "" for d in dates]  # "": not a candidate
        date = latest_round(d for d in dates if d != "")
        return {"round_date": date, "stage": rounds["stage"].iloc[dates.index(date)]}

    def check_metadata(
        self, agency: str | None, stage: str | None, round_date: dt.date | None, today: dt.date | None = None
    ) -> MetaCheck:
        """What the upload form must still ask: missing fields, and confirmations for an unusual choice."""
        out = MetaCheck()
        agency = names.name(agency)
        if not agency:
            out.missing.append(("เลือกหรือพิมพ์ชื่อหน่วยงาน", "choose or type the agency"))
        if not stage:
            out.missing.append(("เลือกระยะของหน่วยงานในรอบนี้", "choose the agency's stage for this round"))
        if round_date is None:
            out.missing.append(("เลือกวันที่รอบสำรวจ", "choose the survey round date"))
        out.last = self.last_round(agency, round_date) if agency else None
        out.agency = agency or None
        out.lookalike = names.lookalike_warning(agency, self.known_agencies()) if agency else None
        key = self._stage(stage) if stage else None
        if out.last and key and out.last["stage"] and key != out.last["stage"]:
            when = out.last["round_date"].isoformat() if out.last["round_date"] else "—"
            out.confirm.append(
                (
                    "stage",
                    f"ระยะที่เลือก ({key}) ต่างจากรอบก่อนของหน่วยงานนี้ ({out.last['stage']}, รอบ {when})",
                    (
                        f"The stage chosen ({key}) differs from this agency's previous round "
                        f"({out.last['stage']}, round {when})"
                    ),
                )
            )
        problem = round_date_problem(round_date, today)
        if problem:
            out.refused.append(problem)
        elif round_date is not None and round_date > (today or dt.date.today()):
            out.confirm.append(
                (
                    "future",
                    f"วันที่รอบสำรวจ {round_date.isoformat()} อยู่ในอนาคต",
                    f"The round date {round_date.isoformat()} is in the future",
                )
            )
        return out
