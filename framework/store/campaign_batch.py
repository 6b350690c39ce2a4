"""The campaign batch: all the submissions of one self-assessment campaign are ONE batch that grows.

A campaign's batch is a row of store.batches like any upload's, recognised by its `content_hash`, which is
`campaign:<code>` (never a sha256, so never taken for an uploaded file). It is created by the campaign's
first submission (file name `campaign-<code>.csv`, the campaign's agency, stage and round date); each later
submission appends the person's row to it, or replaces their earlier row in it. A person already in the
round through another batch (an HR upload) is replaced as an upload with on_conflict="replace" would: the
earlier answers go to store.superseded_responses and store.replacements, wherever they were, so nothing is
lost and a person counts once per round. Every submission runs through the uploads' row validation
(`SurveyStore._validate`) and refreshes the cells of the batches it touched (aggregates.refresh) in its
own transaction.

store.campaign_submissions keeps every submission's raw row (the answers JSON, as the one-row survey file
held them) with `seq` (1, 2, ... within the batch, the order of storing) and `submitted_at` (when the row
was stored in the batch). The live response of a person is their latest submission; replaced ones stay
in the log (and in store.superseded_responses). The batch's "original file" is this log as a CSV.

Deleting the campaign batch moves it whole to the trash (store/trash.py); while it is there, submissions
are refused (BatchInTrash): HR restores it, or purges it, after which the next submission starts a new
batch. Schema version 5 merges the one-person batches older versions made (one per submission) into one
batch per campaign (`merge_old_batches`).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import pandas as pd

from framework import db, names, survey
from framework.store.campaign_group import CampaignGroupMixin, Entry, file_name, source_key
from framework.store.keys import CAMPAIGN_KEY_PREFIX
from framework.store.results import IngestResult

KEY_PREFIX = CAMPAIGN_KEY_PREFIX
LOG = logging.getLogger("framework.store")

DDL = """
    CREATE TABLE IF NOT EXISTS store.campaign_submissions (
        code          VARCHAR NOT NULL,    -- the campaign
        batch_id      VARCHAR NOT NULL,    -- its batch
        seq           INTEGER NOT NULL,    -- 1, 2, ... within the batch: the order the rows were stored
        respondent_id VARCHAR NOT NULL,
        submitted_at  TIMESTAMP NOT NULL,  -- when this row was stored in (or replaced a row of) the batch
        answers       VARCHAR NOT NULL     -- JSON: the submitted row, column -> text, as the survey file held it
    )"""


def campaign_code(content_hash) -> str | None:
    """The campaign of a batch, from its content_hash; None for an uploaded file."""
    text = content_hash if isinstance(content_hash, str) else ""
    return text[len(KEY_PREFIX) :] if text.startswith(KEY_PREFIX) else None


def label(file_name: str, content_hash, respondents, lang: str = "th") -> str:
    """How a batch is named in lists and filters: an upload by its file name, a campaign as
    "แคมเปญ <code> (N คน)" / "campaign <code> (N people)"."""
    code = campaign_code(content_hash)
    if code is None:
        return str(file_name)
    n = 0 if respondents is None or pd.isna(respondents) else int(respondents)
    return (
        f"แคมเปญ {code} ({n:,} คน)" if lang == "th" else f"campaign {code} ({n:,} {'person' if n == 1 else 'people'})"
    )


class CampaignBatchMixin(CampaignGroupMixin):
    """SurveyStore.append / append_group (store/campaign_group.py): submissions into their campaigns' batches."""

    def append(
        self, path: str | Path, *, code: str, agency: str, stage: str, round_date, raw: dict, on_write=None
    ) -> IngestResult:
        """Validate a one-person survey file (the upload validation) and store the person in campaign `code`'s
        batch, replacing their earlier answers in the round. `raw` is the submitted row (kept in
        store.campaign_submissions). Nothing is stored when the row is rejected (batch_id None) or when the
        campaign's batch is in the trash (BatchInTrash). `on_write(cur)` runs first inside the write's
        transaction (a personal link marked used, the audit line): if it raises, nothing is stored."""
        stage_key, round_d = self._stage(stage), self._round(round_date)
        agency = names.name(agency) or None
        dec = survey.decode(Path(path))
        try:
            rows, res = self._validate(dec, file_name(code), "replace", lambda f, th, en: None)
            if res.respondents != 1:
                res.batch_id, res.accepted, res.respondents = None, 0, 0
                return res
        finally:
            dec.cleanup()
        entry = Entry(code, agency, stage_key, round_d, raw, on_write, rows=rows, accepted=res)
        self._write_group([entry])
        if entry.error is not None:
            raise entry.error
        return entry.result


def submissions_file(con, batch_id: str) -> tuple[str, bytes] | None:
    """A campaign batch's "original file": every submission in the order stored (replaced ones included),
    as a UTF-8 CSV with `seq` and `submitted_at` first; None when the batch has no submissions kept."""
    df = db.query(
        con,
        "SELECT code, seq, submitted_at, answers FROM store.campaign_submissions WHERE batch_id = $b ORDER BY seq",
        {"b": batch_id},
    )
    if df.empty:
        return None
    rows = [json.loads(a) for a in df["answers"]]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["seq", "submitted_at", *columns])
    for seq, at, r in zip(df["seq"], df["submitted_at"], rows):
        w.writerow(
            [int(seq), pd.Timestamp(at).isoformat(sep=" ", timespec="seconds"), *(r.get(c, "") for c in columns)]
        )
    return file_name(df["code"].iloc[0]), out.getvalue().encode("utf-8-sig")


# --- schema version 5: the one-person batches of older versions, merged ------------------------------------
def _old_row(data: bytes) -> dict | None:
    """The one submitted row of an old per-submission file (a '#' line, the header, one row)."""
    try:
        lines = [ln for ln in bytes(data).decode("utf-8-sig").splitlines() if not ln.startswith("#")]
        rows = list(csv.DictReader(lines))
    except (UnicodeDecodeError, csv.Error):
        return None
    return rows[0] if len(rows) == 1 else None


def merge_old_batches(cur) -> list[dict]:
    """Inside the upgrade's transaction: every campaign's live batches named `campaign-<code>.csv` (of the
    campaign's agency and round) become ONE batch - the earliest keeps its id, the others' responses,
    superseded answers and replacement records move to it, their kept files become rows of
    store.campaign_submissions (submitted_at = the old batch's upload time). Batches in the trash stay there
    as they were (each restorable alone). Returns what was merged, per campaign. The caller rebuilds agg_cells."""
    cur.execute(DDL)
    tables = {
        t for (t,) in cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'").fetchall()
    }
    if "campaigns" not in tables:
        return []
    old = cur.execute("""
        SELECT c.code, b.batch_id, b.uploaded_at, b.content_hash
        FROM store.campaigns c JOIN store.batches b
          ON b.file_name = 'campaign-' || c.code || '.csv' AND b.round_date = c.round_date
         AND trim(b.agency) = c.agency
        ORDER BY c.code, b.content_hash = 'campaign:' || c.code DESC, b.uploaded_at, b.batch_id""").df()
    report = []
    for code, group in old.groupby("code", sort=True):
        ids = group["batch_id"].tolist()
        keep, others = ids[0], ids[1:]
        if not others and group["content_hash"].iloc[0] == source_key(code):
            continue  # merged already
        seq = cur.execute(
            "SELECT coalesce(max(seq), 0) FROM store.campaign_submissions WHERE batch_id = ?", [keep]
        ).fetchall()[0][0]
        kept = 0
        for bid, at in zip(group["batch_id"], group["uploaded_at"]):
            f = cur.execute("SELECT data FROM store.batch_files WHERE batch_id = ?", [bid]).fetchall()
            row = _old_row(f[0][0]) if f else None
            if row is None:
                continue
            seq += 1
            kept += 1
            cur.execute(
                "INSERT INTO store.campaign_submissions VALUES (?, ?, ?, ?, ?, ?)",
                [code, keep, seq, str(row.get("respondent_id", "")).strip(), at, json.dumps(row, ensure_ascii=False)],
            )
        moved = {"ids": others, "keep": keep}
        for table, column in (
            ("responses", "batch_id"),
            ("superseded_responses", "batch_id"),
            ("superseded_responses", "replaced_by"),
            ("replacements", "batch_id"),
            ("replacements", "replaced_by"),
        ):
            cur.execute(
                f"UPDATE store.{table} SET {column} = $keep WHERE {column} IN (SELECT unnest($ids::VARCHAR[]))", moved
            )
        cur.execute(
            """
            UPDATE store.batches SET content_hash = $key, uploaded_at = t.first, rows_read = t.rr,
                   accepted = t.acc, rejected = t.rej
            FROM (SELECT min(uploaded_at) AS first, sum(rows_read) AS rr, sum(accepted) AS acc,
                         sum(rejected) AS rej FROM store.batches
                  WHERE batch_id IN (SELECT unnest($all::VARCHAR[]))) t
            WHERE batch_id = $keep""",
            {"key": source_key(code), "all": ids, "keep": keep},
        )
        cur.execute("DELETE FROM store.batches WHERE batch_id IN (SELECT unnest(?::VARCHAR[]))", [others])
        cur.execute("DELETE FROM store.batch_files WHERE batch_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        people = cur.execute("SELECT count(*) FROM store.responses WHERE batch_id = ?", [keep]).fetchall()[0][0]
        report.append({"code": code, "batch_id": keep, "merged": len(ids), "submissions": kept, "people": people})
        LOG.info(
            "schema 5: campaign %s: %d batch(es) merged into %s (%d people, %d submissions kept)",
            code,
            len(ids),
            keep,
            people,
            kept,
        )
    return report
