"""SurveyStore: atomic ingest with one count per person per round, the batch list, the demo hook.

A round is (agency, round date). A person is (agency, respondent id) within a round: an upload whose
accepted respondents are already stored in that round - from any earlier batch, whatever its encoding or
layout - is refused by default (`on_conflict="refuse"`), or replaces those people's earlier answers
("replace"), or imports only the new people ("skip"). The comparison is by content, after validation.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from framework import db, identity, names, survey
from framework.catalog import STAGES, Catalog
from framework.paths import DEMO_DIR
from framework.store import aggregates, files, spill
from framework.store.campaign_batch import CampaignBatchMixin
from framework.store.keys import name_key
from framework.store.locks import write_lock
from framework.store.results import ON_CONFLICT, IngestResult, Progress
from framework.store.rounds import RoundsMixin, clash_sql, round_date_problem, supersede
from framework.store.schema import ensure_schema
from framework.store.trash import TrashMixin


class SurveyStore(CampaignBatchMixin, TrashMixin, RoundsMixin):
    """The survey store on a `framework.db.connect(store)` connection: ingest, campaign appends, batches, trash,
    rounds, demo."""

    def __init__(self, con, catalog: Catalog | None = None):
        self.con = con
        self.catalog = catalog or Catalog(con)
        self.unit_codes = self.catalog.unit_codes()
        ensure_schema(con, self.unit_codes)

    # -- queries ---------------------------------------------------------------------------------------
    def batches(self, deleted: bool = False) -> pd.DataFrame:
        """Every live batch, newest upload first, with `respondents` (people stored now) and `replaced`
        (people whose answers a later upload replaced). deleted=True: the trash, with deleted_at/deleted_by."""
        if deleted:
            return self.trashed()
        return db.query(
            self.con,
            """
            SELECT b.*, coalesce(n.respondents, 0) AS respondents, coalesce(x.replaced, 0) AS replaced
            FROM store.batches b
            LEFT JOIN (SELECT batch_id, count(*) AS respondents FROM store.responses GROUP BY batch_id) n
                   USING (batch_id)
            LEFT JOIN (SELECT batch_id, count(*) AS replaced FROM store.replacements
                       WHERE replaced_by IN (SELECT batch_id FROM store.batches) GROUP BY batch_id) x
                   USING (batch_id)
            ORDER BY b.uploaded_at DESC, b.batch_id""",
        )

    def find_hash(self, content_hash: str) -> str | None:
        """The live batch with this content, if any."""
        return db.scalar(self.con, "SELECT batch_id FROM store.batches WHERE content_hash = $h", {"h": content_hash})

    # -- ingest ----------------------------------------------------------------------------------------
    def ingest(
        self,
        path: str | Path,
        *,
        file_name: str | None = None,
        agency: str | None = None,
        stage: str | None = None,
        round_date: dt.date | str | None = None,
        is_demo: bool = False,
        on_conflict: str = "refuse",
        progress: Progress | None = None,
        scope: tuple[str, ...] | None = None,
    ) -> IngestResult:
        """Validate a survey file and store its accepted rows as one batch, all or nothing.

        `scope` (framework.identity.row_scope of the signed-in person; None = any): a file whose batch or any
        row's `agency` is outside it is refused whole (SurveyFileError), nothing stored.

        Raises survey.SurveyFileError (nothing stored) when the file cannot be read as a survey or the
        batch metadata is invalid (an unknown stage, a round date before 2018-05-18 or too far ahead:
        rounds.round_date_problem). The same content twice is detected by hash and not stored again; the
        same people in the same round are handled by `on_conflict` (see the module docstring).
        """
        started = time.perf_counter()
        path = Path(path)
        name = file_name or path.name
        step = progress or (lambda f, th, en: None)
        stage_key = self._stage(stage)
        round_d = self._round(round_date)
        if problem := round_date_problem(round_d):
            raise survey.SurveyFileError(f"{problem[0]} ไม่มีข้อมูลใดถูกบันทึก", f"{problem[1]}. Nothing was stored.")
        agency = names.name(agency) or None  # the one rule of names (framework/names.py)
        if on_conflict not in ON_CONFLICT:
            raise survey.SurveyFileError(
                f"ไม่รู้จักตัวเลือก \"{on_conflict}\" สำหรับผู้ตอบที่มีอยู่แล้วในรอบ — ใช้ refuse, replace หรือ skip",
                f"Unknown on-conflict choice \"{on_conflict}\" - use refuse, replace or skip. Nothing was stored.",
            )
        step(0.02, "ตรวจรหัสอักขระ", "Detecting the encoding")
        with spill.bounded(self.con):  # DuckDB spills past INGEST_MEMORY_LIMIT instead of growing
            res = self._ingest(path, name, agency, stage_key, round_d, is_demo, on_conflict, step, scope)
        step(1.0, "เสร็จสิ้น", "Done")
        res.seconds = time.perf_counter() - started
        return res

    def _ingest(self, path, name, agency, stage_key, round_d, is_demo, on_conflict, step, scope=None) -> IngestResult:
        dec = survey.decode(path)
        try:
            existing = self.find_hash(dec.content_hash)
            if existing and scope is not None:  # another agency's file is not named to this person
                _refuse_outside(
                    scope,
                    [db.scalar(self.con, "SELECT agency FROM store.batches WHERE batch_id = $b", {"b": existing})],
                )
            if existing:
                old = db.query(
                    self.con,
                    "SELECT file_name, agency, round_date, rows_read, accepted, rejected, "
                    "source_format, encoding FROM store.batches WHERE batch_id = $b",
                    {"b": existing},
                ).iloc[0]
                # Nothing is stored or counted this time: accepted/rejected/respondents are this upload's (0);
                # the earlier batch's own counts are in `earlier`, for the message.
                return IngestResult(
                    existing,
                    name,
                    int(old["rows_read"]),
                    duplicate=True,
                    source_format=old["source_format"],
                    encoding=old["encoding"],
                    earlier=_earlier(old),
                )
            self._refuse_if_in_trash(dec.content_hash)
            with self._checked(dec, name, on_conflict, step) as (accepted, res):
                found = db.query(self.con, f"SELECT DISTINCT agency FROM {accepted} WHERE agency IS NOT NULL")
                if scope is not None:  # each row's agency, and the batch's (framework.store.keys.AGENCY_KEY)
                    _refuse_outside(scope, [names.name(a) or agency for a in found["agency"]] + [agency])
                res.notices += self.lookalike_notices(found["agency"].tolist(), agency)
                step(0.75, "บันทึกข้อมูล", "Saving")
                with write_lock(self.con):
                    again = self.find_hash(dec.content_hash)  # the same file from another tab meanwhile
                    if again:
                        res.batch_id, res.duplicate, res.accepted, res.respondents = again, True, 0, 0
                        res.rejected, res.problems = 0, res.problems.iloc[:0]
                        res.rejected_rows = res.rejected_rows.iloc[:0]
                        res.earlier = _earlier(
                            db.query(
                                self.con,
                                "SELECT file_name, agency, round_date, accepted, rejected FROM store.batches "
                                "WHERE batch_id = $b",
                                {"b": again},
                            ).iloc[0]
                        )
                    else:
                        with db.transaction(self.con) as tx:
                            # The accepted rows stay in DuckDB (a table every cursor sees, spilled to disk
                            # past the memory bound): the write reads them there, no copy through Python.
                            tx.execute(f"CREATE TEMP VIEW accepted_rows AS FROM {accepted}")
                            self._write(tx, res, path, dec, agency, stage_key, round_d, is_demo)
                            tx.execute("DROP VIEW accepted_rows")
        finally:
            dec.cleanup()
        return res

    def _validate(self, dec: survey.Decoded, name: str, on_conflict: str, step: Progress) -> tuple:
        """The one row validation of every upload and campaign submission: (accepted rows as Arrow, result).
        (A file's ingest keeps them in DuckDB instead: _checked.)"""
        with self._checked(dec, name, on_conflict, step, table=False) as (rows, res):
            return rows, res

    @contextmanager
    def _checked(
        self, dec: survey.Decoded, name: str, on_conflict: str, step: Progress, table: bool = True
    ) -> Iterator[tuple]:
        """Validate the file; yields (accepted rows, result). The accepted rows leave the validating cursor's
        temp tables (the write runs in its own transaction: temp-table row ids inside a transaction would break
        the row numbers) as a table of the in-memory database that every cursor sees, named by the yielded SQL
        name and dropped after the block (table=True), or as Arrow (table=False: a one-person submission)."""
        delim, header, skip = survey.read_header(dec.path)
        layout = survey.plan_columns(header, delim, self.catalog, skip)
        cur = self.con.cursor()
        val = survey.Validator(cur, self.catalog)
        accepted = f"memory.main.{db.ident('intake_' + val.tag)}"
        try:
            try:
                step(0.15, "อ่านไฟล์", "Reading the file")
                checked = val.check(dec, layout)
                if table:
                    cur.execute(f"CREATE TABLE {accepted} AS FROM temp.{checked.staging}")
                    rows = accepted
                else:
                    rows = cur.sql(f"FROM temp.{checked.staging}").to_arrow_table()
            finally:
                val.drop()
            res = IngestResult(
                dec.content_hash[:16],
                name,
                checked.rows_read,
                checked.accepted,
                checked.rejected,
                checked.respondents,
                False,
                layout.format,
                dec.encoding,
                checked.problems,
                checked.rejected_rows,
                checked.notices,
                checked.problems_truncated,
                on_conflict=on_conflict,
            )
            yield rows, res
        finally:
            if table:
                cur.execute(f"DROP TABLE IF EXISTS {accepted}")
            cur.close()

    def _write(
        self,
        cur,
        res: IngestResult,
        path: Path,
        dec: survey.Decoded,
        agency: str | None,
        stage: str | None,
        round_d: dt.date | None,
        is_demo: bool,
    ) -> None:
        """Inside the caller's transaction: the round check, then the batch row, its responses and its file."""
        people = f"SELECT respondent_id, {name_key('coalesce(agency, $agency)')} AS agency_key FROM accepted_rows"
        sql = clash_sql(people)  # on this cursor: it sees the registered rows and the open transaction
        clash = cur.execute(sql, db.bind(sql, {"round": round_d, "agency": agency})).df()
        res.conflicts = sorted(set(clash["respondent_id"]))
        if res.refused:
            res.batch_id, res.accepted, res.respondents = None, 0, 0
            return
        batch_id = res.batch_id
        cur.register("clash", clash)
        keep = "TRUE"
        if res.conflicts and res.on_conflict == "replace":
            res.replaced = supersede(cur, batch_id)
        elif res.conflicts:  # skip: only the people not yet in the round
            keep = (
                "NOT EXISTS (SELECT 1 FROM clash c WHERE c.respondent_id = a.respondent_id "
                f"AND c.agency_key = {name_key('coalesce(a.agency, $agency)')})"
            )
        stored = self._insert_responses(cur, batch_id, agency, keep)
        if res.on_conflict == "skip" and res.conflicts:
            res.skipped = res.respondents - stored
            res.accepted = stored if res.source_format == "long" else res.accepted - res.skipped
        res.respondents = stored
        cur.unregister("clash")
        cur.execute(
            "INSERT INTO store.batches VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                res.file_name,
                dec.content_hash,
                agency,
                stage,
                round_d,
                res.rows_read,
                res.accepted,
                res.rejected,
                is_demo,
                res.source_format,
                dec.encoding,
            ],
        )
        files.keep(cur, batch_id, res.file_name, path)
        cur.execute("INSERT OR REPLACE INTO store.store_info VALUES ('had_batches', 'true')")
        aggregates.refresh(cur, {batch_id, *clash["batch_id"]})  # its cells, and those it replaced answers of

    def _insert_responses(self, cur, batch_id: str, agency: str | None, keep: str = "TRUE") -> int:
        """Copy the accepted rows (those `keep` admits) into store.responses; returns how many."""
        unit_cols = ", ".join(db.ident(c) for c in self.unit_codes)
        sql = f"""
            INSERT INTO store.responses (batch_id, respondent_id, staff_group, agency, org_unit, position, {unit_cols})
            SELECT $batch, respondent_id, staff_group, coalesce(agency, $agency), org_unit, position, {unit_cols}
            FROM accepted_rows a WHERE {keep}"""
        return cur.execute(sql, db.bind(sql, {"batch": batch_id, "agency": agency})).fetchone()[0]

    def _stage(self, stage: str | None) -> str | None:
        if stage is None or not str(stage).strip():
            return None
        key = stage if stage in STAGES else self.catalog.resolve_stage(stage)
        if key is None:
            raise survey.SurveyFileError(
                f"ไม่รู้จักระยะของหน่วยงาน \"{stage}\" — ใช้ Early, Developing หรือ Mature (ระยะเริ่มแรก, ระยะกำลังพัฒนา, "
                "ระยะสมบูรณ์) ไม่มีข้อมูลใดถูกบันทึก",
                f"Unknown agency stage \"{stage}\" - use Early, Developing or Mature. Nothing was stored.",
            )
        return key

    @staticmethod
    def _round(value) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise survey.SurveyFileError(
                f"วันที่รอบสำรวจ \"{value}\" ไม่ถูกต้อง — ใช้รูปแบบ ปปปป-ดด-วว (ค.ศ.) เช่น 2025-06-30 ไม่มีข้อมูลใดถูกบันทึก",
                f"Survey round date \"{value}\" is not valid - use YYYY-MM-DD, e.g. 2025-06-30. Nothing was stored.",
            ) from None

    # -- demo ------------------------------------------------------------------------------------------
    def had_batches(self) -> bool:
        """True once any batch has ever been stored (deleting everything does not bring the demo back)."""
        return bool(
            db.scalar(
                self.con,
                "SELECT (SELECT count(*) FROM store.batches) "
                "+ (SELECT count(*) FROM store.store_info WHERE key = 'had_batches')",
            )
        )

    def load_demo(self, demo_dir: Path = DEMO_DIR) -> list[IngestResult]:
        """Ingest the bundled demo batches (is_demo = true) listed in data/demo/manifest.json."""
        manifest = json.loads((Path(demo_dir) / "manifest.json").read_text(encoding="utf-8"))
        return [
            self.ingest(
                Path(demo_dir) / b["file"],
                agency=b["agency"],
                stage=b["stage"],
                round_date=b["round_date"],
                is_demo=True,
            )
            for b in manifest["batches"]
        ]

    def ensure_demo(self, demo_dir: Path = DEMO_DIR) -> bool:
        """Load the demo survey only into a store that has never had a batch; idempotent. True if loaded."""
        if self.had_batches():
            return False
        self.load_demo(demo_dir)
        return True


def _earlier(row) -> dict:
    """The batch an identical file was stored as: its file name, agency, round date and counts."""
    rd = row["round_date"]
    return {
        "file_name": row["file_name"],
        "agency": None if pd.isna(row["agency"]) else row["agency"],
        "round_date": None if pd.isna(rd) else pd.Timestamp(rd).date(),
        "accepted": int(row["accepted"]),
        "rejected": int(row["rejected"]),
    }


def _refuse_outside(scope: tuple[str, ...], agencies: list) -> None:
    """SurveyFileError (nothing stored) when any of `agencies` is outside `scope` (framework.identity)."""
    outside = sorted({str(a or "—") for a in agencies if not identity.within(scope, a)})
    if outside:
        raise survey.SurveyFileError(
            f"ไฟล์นี้มีข้อมูลของหน่วยงานนอกสิทธิ์ของบัญชีนี้ ({', '.join(outside[:5])}) — ไม่มีข้อมูลใดถูกบันทึก นำเข้าได้เฉพาะหน่วยงานของคุณ",
            f"This file holds data of an agency outside this account's access ({', '.join(outside[:5])}). "
            "Nothing was stored; upload only your own agencies' data.",
        )
