"""Group commit of campaign submissions: many people's rows stored in one transaction (issue 22).

`SurveyStore.append_group(entries)` stores a group of submissions (framework/campaign/commit.py gathers them
from the sessions submitting at the same time) exactly as storing them one after another would, in the given
order, but with the fixed costs paid once per group:
- the upload validation (`SurveyStore._validate`, the uploads' `survey.Validator`) runs once per chunk of rows
  written as one file (a person's n-th submission of the group goes into chunk n: the validator refuses an id
  twice in a file); a rejected row is that entry's alone (its reasons, found by its line);
- ONE transaction under the store's write lock: every entry's `on_write` (a personal link marked used, the
  audit line, the draft deleted, a result link), the campaign batch found or created, then set-wise per round
  (agency, round date): the people's earlier answers stored in the round superseded by their first submission
  of the group (`rounds.supersede`), each later submission of the same person superseding the one before it
  (store.superseded_responses / store.replacements, as a replace would), the last one live, the counters, the
  submissions log (`seq` in the order of the group), and the cells changed by what the group added and removed
  (aggregates.apply: the cells of those rows added or taken away, not the batches counted again).
Each entry ends with its own `result` or `error`. A refusal of one entry (its on_write raised, its campaign's
batch is in the trash) retries the group without it (and, for the trash, without its campaign's others); any
other failure falls back to one transaction per entry, so one submission never sinks the others.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from framework import db, names, survey
from framework.store import aggregates, campaign_rows
from framework.store.keys import CAMPAIGN_KEY_PREFIX, name_key
from framework.store.locks import write_lock
from framework.store.results import BatchInTrash, IngestResult
from framework.store.rounds import clash_sql, supersede

LOG = logging.getLogger("framework.store")


@dataclass
class Entry:
    """One submission of a group: where it goes, its row (`raw`: column -> text, the upload format, kept in
    store.campaign_submissions) and `on_write(cur)`, run first inside the write's transaction. After the group:
    `result` (stored: its batch_id; its row rejected by the upload validation: batch_id None and the reasons in
    `problems`) or `error` (its own refusal: the campaign's batch in the trash, what on_write raised, a failed
    write)."""

    code: str
    agency: str | None
    stage: str | None
    round_date: object
    raw: dict
    on_write: Callable | None = None
    result: IngestResult | None = None
    error: BaseException | None = None
    rows: pa.Table | None = field(default=None, repr=False)  # its accepted row, once validated
    accepted: IngestResult | None = field(default=None, repr=False)  # its validation's result, before the write


def _sum(frames: list) -> pd.DataFrame | None:
    """The cell frames of a group's rounds as one (aggregates.apply adds them up per cell)."""
    frames = [f for f in frames if f is not None]
    return pd.concat(frames, ignore_index=True) if frames else None


class _Refused(Exception):
    """Inside a group's transaction: this entry (with `same_code`, its campaign's others too) cannot be stored."""

    def __init__(self, entry: Entry, exc: BaseException, same_code: bool = False):
        super().__init__(str(exc))
        self.entry, self.exc, self.same_code = entry, exc, same_code


def source_key(code: str) -> str:
    """The campaign batch's content_hash."""
    return CAMPAIGN_KEY_PREFIX + code


def file_name(code: str) -> str:
    """The campaign batch's file name (also the name every submission had before schema version 5)."""
    return f"campaign-{code}.csv"


class CampaignGroupMixin:
    """SurveyStore.append_group (see the module docstring)."""

    def append_group(self, entries: list[Entry]) -> None:
        """Store these submissions (of any campaigns of this store) as one group; each entry ends with its own
        `result` or `error` (see the module docstring)."""
        ready = []
        for e in entries:
            try:
                e.stage, e.round_date = self._stage(e.stage), self._round(e.round_date)
                e.agency = names.name(e.agency) or None
            except survey.SurveyFileError as exc:
                e.error = exc
                continue
            ready.append(e)
        chunks: list[dict[tuple, list[Entry]]] = []
        seen: dict[str, int] = {}
        for e in ready:
            rid = names.respondent_id(str(e.raw.get("respondent_id", "")))
            n = seen[rid] = seen.get(rid, -1) + 1
            while len(chunks) <= n:
                chunks.append({})
            chunks[n].setdefault(tuple(e.raw), []).append(e)  # one file has one header
        for chunk in chunks:
            for part in chunk.values():
                self._validate_group(part)
        self._write_group([e for e in ready if e.rows is not None])

    def _validate_group(self, entries: list[Entry]) -> None:
        """The upload validation of these entries' rows as one file (a header, one row each): an entry whose
        row is rejected gets its result (batch_id None, its own reasons), an accepted one its row (`rows`).
        Plain rows of a header the validator has checked once in this process skip the file
        (store/campaign_rows.py: the same row, its fixed cost paid once)."""
        import csv
        import io

        header = tuple(entries[0].raw)
        fast = campaign_rows.known(header)
        if fast is not None and fast.ok:
            slow = []
            for e in entries:
                if campaign_rows.plain(e.raw, self.unit_codes) and campaign_rows.group_key(e.raw, fast.aliases):
                    e.rows = campaign_rows.row(e.raw, self.unit_codes, fast.aliases, fast.schema)
                    e.accepted = IngestResult(
                        None,
                        file_name(e.code),
                        1,
                        1,
                        0,
                        1,
                        source_format=fast.source_format,
                        encoding=fast.encoding,
                        problems=fast.no_problems.copy(),
                        on_conflict="replace",
                    )
                else:
                    slow.append(e)
            if not slow:
                return
            entries = slow

        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(list(entries[0].raw))
        for e in entries:
            w.writerow(list(e.raw.values()))
        name = file_name(entries[0].code)
        fd, path = survey.temp_file(".csv")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(out.getvalue().encode("utf-8"))
            dec = survey.decode(Path(path))
            try:
                rows, res = self._validate(dec, name, "replace", lambda f, th, en: None)
            finally:
                dec.cleanup()
        except survey.SurveyFileError as exc:
            if len(entries) == 1:
                entries[0].error = exc
            else:  # the file as a whole refused: each row on its own
                for e in entries:
                    self._validate_group([e])
            return
        finally:
            os.unlink(path)
        at = {str(r): i for i, r in enumerate(rows.column("respondent_id").to_pylist())}
        problems = res.problems
        for line, e in enumerate(entries, start=2):  # line 1 is the header
            i = at.get(names.respondent_id(str(e.raw.get("respondent_id", ""))))
            mine = problems[problems["row"] == line] if "row" in problems else problems.iloc[:0]
            one = IngestResult(
                None,
                name,
                1,
                int(i is not None),
                int(i is None),
                int(i is not None),
                source_format=res.source_format,
                encoding=res.encoding,
                problems=mine.reset_index(drop=True),
                on_conflict="replace",
            )
            if i is None:
                e.result = one
            else:
                e.rows, e.accepted = rows.slice(i, 1), one
                if fast is None and campaign_rows.plain(e.raw, self.unit_codes):  # once per header and process
                    aliases = self.catalog.staff_group_aliases()
                    fast = campaign_rows.verify(header, e.raw, self.unit_codes, aliases, e.rows, one)

    def _write_group(self, entries: list[Entry]) -> None:
        """One transaction for these validated entries; each ends with its result or error."""
        pending = list(entries)
        while pending:
            results = {id(e): dataclasses.replace(e.accepted) for e in pending}
            try:
                with write_lock(self.con), db.transaction(self.con) as tx:
                    added, removed = self._write_entries(tx, pending, results)
                    aggregates.apply(tx, _sum(added), _sum(removed))  # the cells: what the group changed
            except _Refused as r:
                gone = [e for e in pending if e is r.entry or (r.same_code and e.code == r.entry.code)]
                for e in gone:
                    e.error = r.exc
                pending = [e for e in pending if all(e is not g for g in gone)]
                continue
            except Exception as exc:  # noqa: BLE001 - the group as a whole failed: one transaction per entry
                if len(pending) == 1:
                    pending[0].error = exc
                else:
                    LOG.warning("campaign group of %d not stored (%s): one by one", len(pending), exc)
                    for e in pending:
                        self._write_group([e])
                return
            for e in pending:
                e.result = results[id(e)]
            return

    def _write_entries(self, tx, pending: list[Entry], results: dict) -> tuple[list, list]:
        """Inside the group's transaction: everything but the cells; returns the cells of the rows it added and
        of those it removed (aggregates.cells_of, frames or None)."""
        for e in pending:
            if e.on_write is not None:
                try:
                    e.on_write(tx)
                except Exception as exc:
                    raise _Refused(e, exc) from exc
        batch_of: dict[str, str] = {}
        for e in pending:
            if e.code not in batch_of:
                try:
                    batch_of[e.code] = self._campaign_batch(tx, e, results[id(e)])
                except BatchInTrash as exc:
                    raise _Refused(e, exc, same_code=True) from exc
        added, removed = [], []
        rounds: dict[tuple, list[Entry]] = {}
        for e in pending:
            results[id(e)].batch_id = batch_of[e.code]
            rounds.setdefault((e.round_date, e.agency), []).append(e)
        for (round_d, agency), part in rounds.items():
            self._write_round(tx, part, round_d, agency, batch_of, results, added, removed)
        for bid in dict.fromkeys(batch_of.values()):
            mine = [results[id(e)] for e in pending if batch_of[e.code] == bid]
            tx.execute(
                "UPDATE store.batches SET rows_read = rows_read + ?, accepted = accepted + ?, "
                "rejected = rejected + ? WHERE batch_id = ?",
                [sum(r.rows_read for r in mine), sum(r.accepted for r in mine), sum(r.rejected for r in mine), bid],
            )
        self._log(tx, pending, batch_of)
        tx.execute("INSERT OR REPLACE INTO store.store_info VALUES ('had_batches', 'true')")
        return added, removed

    def _campaign_batch(self, cur, e: Entry, res: IngestResult) -> str:
        """The campaign's live batch, created by its first submission; BatchInTrash while it is in the trash."""
        key = source_key(e.code)
        row = cur.execute(
            "SELECT batch_id FROM store.batches WHERE content_hash = ? ORDER BY uploaded_at, batch_id LIMIT 1", [key]
        ).fetchall()
        if row:
            return row[0][0]
        gone = cur.execute(
            "SELECT batch_id, deleted_at FROM store.trash_batches WHERE content_hash = ? ORDER BY deleted_at DESC "
            "LIMIT 1",
            [key],
        ).fetchall()
        if gone:
            raise BatchInTrash(*gone[0])
        import secrets

        batch_id = secrets.token_hex(8)
        cur.execute(
            "INSERT INTO store.batches VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP, 0, 0, 0, false, ?, ?)",
            [batch_id, file_name(e.code), key, e.agency, e.stage, e.round_date, res.source_format, res.encoding],
        )
        return batch_id

    def _write_round(
        self, tx, part: list[Entry], round_d, agency, batch_of: dict, results: dict, added: list, removed: list
    ) -> None:
        """The rows of one round (agency, round date) of the group, in order: see the module docstring. The cells
        of the stored answers it supersedes go to `removed` (counted before they leave), of its rows to `added`."""
        rows = pa.concat_tables([e.rows for e in part], promote_options="default")
        rids = [str(r) for r in rows.column("respondent_id").to_pylist()]
        bids = [batch_of[e.code] for e in part]
        last, first, nxt = {}, {}, [None] * len(part)
        for i, rid in enumerate(rids):
            if rid in last:
                nxt[last[rid]] = bids[i]  # superseded by the same person's next submission of the group
            first.setdefault(rid, i)
            last[rid] = i
        live = [last[rid] == i for i, rid in enumerate(rids)]
        group_rows = rows.append_column("g_batch", pa.array(bids, pa.string()))
        group_rows = group_rows.append_column("g_next", pa.array(nxt, pa.string()))
        group_rows = group_rows.append_column("g_live", pa.array(live, pa.bool_()))
        tx.register("group_rows", group_rows)
        params = {"round": round_d, "agency": agency}
        try:
            key = name_key("coalesce(agency, $agency)")
            sql = clash_sql(f"SELECT DISTINCT respondent_id, {key} AS agency_key FROM group_rows")
            clash = tx.execute(sql, db.bind(sql, params)).df()
            if len(clash):  # the rows supersede() deletes: (batch_id, respondent_id) of the clash
                tx.register("clash_all", clash)
                try:
                    removed.append(
                        aggregates.cells_of(
                            tx, "(r.batch_id, r.respondent_id) IN (SELECT batch_id, respondent_id FROM clash_all)"
                        )
                    )
                finally:
                    tx.unregister("clash_all")
            by = clash["respondent_id"].astype(str).map(lambda rid: bids[first[rid]]) if len(clash) else None
            for bid in dict.fromkeys(by if by is not None else []):  # stored answers: replaced by the first one
                tx.register("clash", clash[by == bid].reset_index(drop=True))
                try:
                    supersede(tx, bid)
                finally:
                    tx.unregister("clash")
            stored = clash["respondent_id"].astype(str).value_counts().to_dict() if len(clash) else {}
            for i, (e, rid) in enumerate(zip(part, rids)):
                res = results[id(e)]
                earlier = stored.get(rid, 0) if first[rid] == i else 1
                res.conflicts, res.replaced = ([rid] if earlier else []), earlier
            units = ", ".join(db.ident(c) for c in self.unit_codes)
            columns = f"respondent_id, staff_group, coalesce(agency, $agency) AS agency, org_unit, position, {units}"
            if not all(live):  # a person twice in the group: each earlier submission replaced by the next
                sql = (
                    "INSERT INTO store.superseded_responses BY NAME SELECT g_batch AS batch_id, "
                    f"{columns}, g_next AS replaced_by, now()::TIMESTAMP AS replaced_at FROM group_rows WHERE NOT g_live"
                )
                tx.execute(sql, db.bind(sql, params))
                sql = (
                    f"INSERT INTO store.replacements SELECT g_batch, respondent_id, {key}, g_next, now()::TIMESTAMP "
                    "FROM group_rows WHERE NOT g_live"
                )
                tx.execute(sql, db.bind(sql, params))
            sql = (
                f"INSERT INTO store.responses (batch_id, respondent_id, staff_group, agency, org_unit, position, "
                f"{units}) SELECT g_batch, {columns} FROM group_rows WHERE g_live"
            )
            tx.execute(sql, db.bind(sql, params))
            # Every earlier row of these people in the round was superseded above: their rows in the batches
            # are now exactly the group's live ones.
            added.append(
                aggregates.cells_of(
                    tx,
                    "(r.batch_id, r.respondent_id) IN "
                    "(SELECT g_batch, CAST(respondent_id AS VARCHAR) FROM group_rows WHERE g_live)",
                )
            )
        finally:
            tx.unregister("group_rows")

    @staticmethod
    def _log(tx, pending: list[Entry], batch_of: dict) -> None:
        """Every submission's raw row into store.campaign_submissions, `seq` continuing each batch's, in order."""
        log = pd.DataFrame(
            {
                "code": [e.code for e in pending],
                "batch_id": [batch_of[e.code] for e in pending],
                "respondent_id": [str(e.rows.column("respondent_id")[0].as_py()) for e in pending],
                "answers": [json.dumps(e.raw, ensure_ascii=False) for e in pending],
            }
        )
        log["k"] = log.groupby("batch_id").cumcount() + 1
        tx.register("group_log", log)
        try:
            tx.execute("""
                INSERT INTO store.campaign_submissions
                SELECT l.code, l.batch_id, coalesce(m.seq, 0) + l.k, l.respondent_id, now()::TIMESTAMP, l.answers
                FROM group_log l
                LEFT JOIN (SELECT batch_id, max(seq) AS seq FROM store.campaign_submissions
                           WHERE batch_id IN (SELECT batch_id FROM group_log) GROUP BY batch_id) m USING (batch_id)
                ORDER BY l.batch_id, l.k""")
        finally:
            tx.unregister("group_log")
