"""The trash: a deleted batch is moved, whole, out of the live tables; restore brings it back; purge ends it.

`delete` moves the batch row to store.trash_batches (with deleted_at / deleted_by) and its responses to
store.trash_responses in one transaction, so every reader of store.batches / store.responses stops seeing
it without a change; the earlier answers that the batch had replaced (store.superseded_responses) come
back live, so deleting a correction never makes people vanish. `restore` moves the batch back, replacing
those earlier answers again, unless other people of it are meanwhile in the same round again
(RoundConflict with the ids). `purge` removes a trashed batch for good, with its original file.
"""

from __future__ import annotations

import pandas as pd

from framework import db, survey
from framework.store import aggregates, campaign_batch, files
from framework.store.keys import name_key
from framework.store.locks import write_lock
from framework.store.results import RoundConflict, id_list
from framework.store.rounds import clash_sql


class TrashMixin:
    """Delete (to the trash), restore, purge, the trash list and each batch's original file."""

    def delete(self, batch_id: str, deleted_by: str | None = None) -> bool:
        """Move one live batch and its responses to the trash; False when there is no such live batch."""
        with write_lock(self.con), db.transaction(self.con) as cur:
            if not cur.execute("SELECT count(*) FROM store.batches WHERE batch_id = ?", [batch_id]).fetchone()[0]:
                return False
            cur.execute(
                "INSERT INTO store.trash_batches SELECT *, now()::TIMESTAMP, ? FROM store.batches WHERE batch_id = ?",
                [deleted_by, batch_id],
            )
            cur.execute(
                "INSERT INTO store.trash_responses SELECT * FROM store.responses WHERE batch_id = ?", [batch_id]
            )
            cur.execute("DELETE FROM store.responses WHERE batch_id = ?", [batch_id])
            cur.execute("DELETE FROM store.batches WHERE batch_id = ?", [batch_id])
            # The answers this batch replaced come back (their batch is live); the replacement record stays,
            # so a restore knows whose answers it replaces again.
            back = "FROM store.superseded_responses WHERE replaced_by = $b AND batch_id IN (SELECT batch_id FROM store.batches)"
            cur.execute(
                f"INSERT INTO store.responses SELECT * EXCLUDE (replaced_by, replaced_at) {back}", {"b": batch_id}
            )
            cur.execute(f"DELETE {back}", {"b": batch_id})
            came_back = [
                b
                for (b,) in cur.execute(
                    "SELECT DISTINCT batch_id FROM store.replacements WHERE replaced_by = ?", [batch_id]
                ).fetchall()
            ]
            aggregates.refresh(cur, [batch_id, *came_back])
        return True

    def restore(self, batch_id: str) -> bool:
        """Bring a trashed batch back whole; False when it is not in the trash.

        Raises RoundConflict (nothing changed) when some of its people are stored in the same round again.
        """
        with write_lock(self.con), db.transaction(self.con) as cur:
            row = cur.execute("SELECT round_date FROM store.trash_batches WHERE batch_id = ?", [batch_id]).fetchone()
            if row is None:
                return False
            people = (
                f"SELECT respondent_id, {name_key('agency')} AS agency_key "
                "FROM store.trash_responses WHERE batch_id = $batch"
            )
            sql = clash_sql(people)
            clash = cur.execute(sql, db.bind(sql, {"round": row[0], "batch": batch_id})).fetchall()
            replaced = set(
                cur.execute(
                    "SELECT batch_id, respondent_id FROM store.replacements WHERE replaced_by = ?", [batch_id]
                ).fetchall()
            )
            again = [(b, rid) for b, rid, _ in clash if (b, rid) in replaced]  # its own replacements: again
            ids = sorted({rid for b, rid, _ in clash if (b, rid) not in replaced})
            if ids:
                raise RoundConflict(
                    f"กู้คืนชุด {batch_id} ไม่ได้: ผู้ตอบ {len(ids):,} คนของชุดนี้มีคำตอบในรอบเดียวกันอยู่แล้ว "
                    f"(จากชุดอื่น): {id_list(ids)} — ลบหรือแทนที่คำตอบเหล่านั้นก่อน ไม่มีข้อมูลใดถูกเปลี่ยน",
                    f"Cannot restore batch {batch_id}: {len(ids):,} of its respondents are already stored in the "
                    f"same round (from another batch): {id_list(ids)}. Delete or replace those answers first. "
                    "Nothing was changed.",
                    ids,
                )
            for b, rid in again:
                cur.execute(
                    "INSERT INTO store.superseded_responses SELECT *, ?, now()::TIMESTAMP FROM store.responses "
                    "WHERE batch_id = ? AND respondent_id = ?",
                    [batch_id, b, rid],
                )
                cur.execute("DELETE FROM store.responses WHERE batch_id = ? AND respondent_id = ?", [b, rid])
            cur.execute(
                "INSERT INTO store.batches SELECT * EXCLUDE (deleted_at, deleted_by) FROM store.trash_batches "
                "WHERE batch_id = ?",
                [batch_id],
            )
            cur.execute(
                "INSERT INTO store.responses SELECT * FROM store.trash_responses WHERE batch_id = ?", [batch_id]
            )
            cur.execute("DELETE FROM store.trash_responses WHERE batch_id = ?", [batch_id])
            cur.execute("DELETE FROM store.trash_batches WHERE batch_id = ?", [batch_id])
            aggregates.refresh(cur, [batch_id, *(b for b, _ in again)])
        return True

    def purge(self, batch_id: str) -> bool:
        """Remove a trashed batch for good (its responses and original file); False when it is not in the trash."""
        with db.transaction(self.con) as cur:
            if not cur.execute("SELECT count(*) FROM store.trash_batches WHERE batch_id = ?", [batch_id]).fetchone()[0]:
                return False
            for table in (
                "trash_responses",
                "trash_batches",
                "batch_files",
                "replacements",
                "superseded_responses",
                "campaign_submissions",
            ):
                cur.execute(f"DELETE FROM store.{table} WHERE batch_id = ?", [batch_id])
            cur.execute("DELETE FROM store.replacements WHERE replaced_by = ?", [batch_id])
        return True

    def trashed(self) -> pd.DataFrame:
        """The trash: every deleted batch with deleted_at / deleted_by and its respondents, last deleted first."""
        return db.query(
            self.con,
            """
            SELECT t.*, coalesce(n.respondents, 0) AS respondents
            FROM store.trash_batches t
            LEFT JOIN (SELECT batch_id, count(*) AS respondents FROM store.trash_responses GROUP BY batch_id) n
                   USING (batch_id)
            ORDER BY t.deleted_at DESC, t.batch_id""",
        )

    def original_name(self, batch_id: str) -> str | None:
        """The kept original file's name, without reading its bytes; None when not kept."""
        name = db.scalar(self.con, "SELECT file_name FROM store.batch_files WHERE batch_id = $b", {"b": batch_id})
        code = (
            None
            if name
            else db.scalar(
                self.con, "SELECT any_value(code) FROM store.campaign_submissions WHERE batch_id = $b", {"b": batch_id}
            )
        )
        return name or (campaign_batch.file_name(code) if code else None)

    def original(self, batch_id: str) -> tuple[str, bytes] | None:
        """(file name, bytes) of the file a batch was imported from; None when not kept (e.g. purged)."""
        df = db.query(
            self.con, "SELECT file_name, data, size FROM store.batch_files WHERE batch_id = $b", {"b": batch_id}
        )
        if df.empty:  # a campaign batch: its submissions, as a CSV
            return campaign_batch.submissions_file(self.con, batch_id)
        return df["file_name"].iloc[0], files.original(df["data"].iloc[0], df["size"].iloc[0])

    def _refuse_if_in_trash(self, content_hash: str) -> None:
        """The same file again while its batch is in the trash: say so (restore it, or purge it first)."""
        df = db.query(
            self.con,
            "SELECT batch_id, deleted_at FROM store.trash_batches WHERE content_hash = $h",
            {"h": content_hash},
        )
        if not df.empty:
            bid, when = df["batch_id"].iloc[0], pd.Timestamp(df["deleted_at"].iloc[0]).strftime("%Y-%m-%d %H:%M")
            raise survey.SurveyFileError(
                f"ไฟล์นี้อยู่ในถังขยะ (ชุด {bid} ลบเมื่อ {when}) — กู้คืนชุดนั้นจากถังขยะ หรือล้างออกจากถังขยะก่อน"
                "แล้วจึงนำเข้าใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                f"This file is in the trash (batch {bid}, deleted {when}) - restore that batch from the trash, or "
                "purge it first to import the file again. Nothing was stored.",
            )
