"""What the store's operations return and raise: IngestResult, RoundConflict, the on-conflict choices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from framework import clock, survey
from framework.errors import BilingualError

Progress = Callable[[float, str, str], None]  # (fraction 0-1, Thai step, English step)

# What to do with respondents already stored in the same round (agency, round date):
ON_CONFLICT = ("refuse", "replace", "skip")


class RoundConflict(BilingualError):
    """Restoring a batch would count people twice in a round; `ids` are the clashing respondent ids."""

    def __init__(self, th: str, en: str, ids: list[str]):
        super().__init__(th, en)
        self.ids = ids


class BatchInTrash(BilingualError):
    """A campaign's batch is in the trash: its submissions are not taken until HR restores or purges it."""

    def __init__(self, batch_id: str, deleted_at=None):
        when = pd.Timestamp(deleted_at).strftime("%Y-%m-%d %H:%M") if deleted_at is not None else "—"
        super().__init__(
            f"ชุด {batch_id} อยู่ในถังขยะ (ลบเมื่อ {when}) — กู้คืนชุดนั้น หรือล้างออกจากถังขยะก่อน ไม่มีข้อมูลใดถูกบันทึก",
            f"Batch {batch_id} is in the trash (deleted {when}) - restore it, or purge it first. Nothing was stored.",
        )
        self.batch_id, self.deleted_at, self.when = batch_id, deleted_at, when


def id_list(ids: list[str], limit: int = 20) -> str:
    """Respondent ids for a message: the first `limit`, then how many more."""
    shown = ", ".join(ids[:limit])
    return shown + (f" … (+{len(ids) - limit})" if len(ids) > limit else "")


@dataclass
class IngestResult:
    """What one upload did: counts, problems (row, column, value, reason, fix), rejected rows, notices.

    `conflicts` lists the respondent ids already stored in the same round. With on_conflict="refuse" and
    conflicts, nothing is stored (`batch_id` None, `accepted` and `respondents` 0). `replaced` / `skipped`
    count the people handled by "replace" / "skip". `respondents` = people stored by this upload; with
    "skip" on a long-format file `accepted` also counts people (the skipped people's rows are not known).
    A file already stored (`duplicate`) stores nothing: `accepted`, `rejected` and `respondents` are 0 (this
    upload's counts), and `earlier` holds the earlier batch's file name, agency, round date and counts.
    """

    batch_id: str | None
    file_name: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    respondents: int = 0
    duplicate: bool = False
    source_format: str | None = None
    encoding: str | None = None
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=survey.PROBLEM_COLUMNS))
    rejected_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    notices: list[survey.Notice] = field(default_factory=list)
    problems_truncated: bool = False
    seconds: float = 0.0
    conflicts: list[str] = field(default_factory=list)
    on_conflict: str = "refuse"
    replaced: int = 0
    skipped: int = 0
    earlier: dict | None = None

    @property
    def refused(self) -> bool:
        """True when people already in the round stopped the upload (nothing stored)."""
        return bool(self.conflicts) and self.on_conflict == "refuse"

    def conflict_message(self) -> tuple[str, str]:
        """(Thai, English): who clashes and what each choice would do."""
        n, ids = len(self.conflicts), id_list(self.conflicts)
        if self.on_conflict == "replace":
            return (
                f"แทนที่คำตอบเดิมของผู้ตอบ {n:,} คนที่มีอยู่แล้วในรอบนี้: {ids}",
                f"Replaced the earlier answers of {n:,} respondent(s) already in this round: {ids}",
            )
        if self.on_conflict == "skip":
            return (
                f"ข้ามผู้ตอบ {n:,} คนที่มีอยู่แล้วในรอบนี้ (คำตอบเดิมคงไว้): {ids}",
                f"Skipped {n:,} respondent(s) already in this round (their earlier answers are kept): {ids}",
            )
        return (
            (
                f"ไม่ได้นำเข้า: ผู้ตอบ {n:,} คนในไฟล์นี้มีอยู่แล้วในรอบนี้ (หน่วยงานและวันที่รอบเดียวกัน) หนึ่งคนนับได้ครั้งเดียว"
                f"ต่อรอบ: {ids} — เลือก \"แทนที่\" เพื่อใช้คำตอบใหม่ หรือ \"ข้าม\" เพื่อนำเข้าเฉพาะคนใหม่ ไม่มีข้อมูลใดถูกบันทึก"
            ),
            (
                f"Not imported: {n:,} respondent(s) in this file are already stored in this round (same agency and "
                f"round date), and a person counts once per round: {ids}. Choose \"replace\" to use the new answers "
                "or \"skip\" to import only the new people. Nothing was stored."
            ),
        )

    def duplicate_message(self) -> tuple[str, str]:
        """(Thai, English): the file was stored before (which batch, agency, round, counts); nothing now."""
        e = self.earlier or {}
        rd = e.get("round_date")
        where_th = f"หน่วยงาน {e.get('agency') or '—'} รอบ {clock.date_text(rd, 'th') if rd else '—'}"
        where_en = f"agency {e.get('agency') or '—'}, round {clock.date_text(rd, 'en') if rd else '—'}"
        counts_th = f"รับเข้า {e.get('accepted', 0):,} ไม่รับ {e.get('rejected', 0):,} แถว" if e else ""
        counts_en = f"{e.get('accepted', 0):,} accepted, {e.get('rejected', 0):,} rejected" if e else ""
        return (
            (
                f"ไฟล์ {self.file_name} เคยนำเข้าแล้วเป็นชุด {self.batch_id} ({where_th}: {counts_th}) "
                "ครั้งนี้ไม่ได้บันทึกและไม่ได้นับซ้ำ: รับเข้า 0 แถว"
            ),
            (
                f"{self.file_name} was already imported as batch {self.batch_id} ({where_en}: {counts_en}); "
                "nothing was stored this time and nothing counted again: 0 rows accepted."
            ),
        )

    def to_json(self) -> dict:
        """The CLI's JSON object (errors in English; reason_th kept alongside)."""
        errors = [
            {
                "row": None if pd.isna(r.row) else int(r.row),
                "column": r.column,
                "value": None if r.value is None or (isinstance(r.value, float) and pd.isna(r.value)) else str(r.value),
                "reason": r.reason_en,
                "reason_th": r.reason_th,
            }
            for r in self.problems.itertuples(index=False)
        ]
        return {
            "batch_id": self.batch_id,
            "file_name": self.file_name,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "respondents": self.respondents,
            "duplicate": self.duplicate,
            "format": self.source_format,
            "encoding": self.encoding,
            "errors": errors,
            "errors_truncated": self.problems_truncated,
            "notices": [{"level": n.level, "column": n.column, "text": n.en, "text_th": n.th} for n in self.notices],
            "conflicts": len(self.conflicts),
            "conflict_ids": list(self.conflicts),
            "on_conflict": self.on_conflict,
            "refused": self.refused,
            "replaced": self.replaced,
            "skipped": self.skipped,
        }
