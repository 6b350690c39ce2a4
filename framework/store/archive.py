"""A store that grows by rounds: archive a round to Parquet, drop it, restore it, query archived history.

Layout - one directory per (round, agency), whatever was asked (`--agency` only limits which are written):

    DIR/round=YYYY-MM-DD/agency_slug=<slug>/
        batches.parquet       the round's live batch rows of that agency (store.batches columns)
        responses.parquet     their responses (store.responses columns: keys + one UTINYINT column per unit)
        batch_files.parquet   each batch's original uploaded file (store.batch_files)
        replacements.parquet  whose answers in those batches a later upload replaced (store.replacements)
        superseded_responses.parquet  those replaced answers themselves (store.superseded_responses; version 2)
        manifest.json         archive and schema versions, round, agencies, batch ids, unit codes, per file:
                              rows, rows per batch, sha256 and a content fingerprint (bit_xor of row hashes,
                              with the DuckDB version that computed it); and its own sha256 (manifest_sha256)

`<slug>` is the agency name with path-unsafe characters replaced, plus 8 hex digits of its sha256 (two
names never share a directory); `_none` for batches without an agency. The partition key is
`agency_slug`, not `agency`, because DuckDB's hive partitioning would otherwise hide the files' own
`agency` column. The trash is never archived. A directory that already exists is never overwritten.

Safety: every part is written to a temporary directory (`.archive-<hex>` under the archive directory, held
with a lock while in use; a run first removes the ones a killed run left behind), re-read and checked (rows per file, per batch and
the content fingerprint against the store) before it is moved into place; only then, with `drop=True`,
the round's rows leave the store in ONE transaction that re-counts what it deletes. Any failure leaves
the store unchanged and no partial directory behind.

Restore (`restore_archive`) checks the manifest against its own sha256 and each file against the manifest
(sha256, rows, rows per batch, batch ids, round and agencies; the fingerprint too when the same DuckDB
version wrote it): a changed file or a hand-edited manifest is refused, nothing restored. It then puts the
rows back in one transaction, names and ids canonical (framework/names.py; variants of one person in an
archive written before schema 6 merged: store/canonical.py), under the store's rule that a person counts once
per round:
batches already in the store (live or trash) or people already stored in that round are refused.

History stays queryable without restoring: `history(con, DIR, "responses")` is a DuckDB relation over
every archived round (read_parquet, hive partitioning: columns `round` DATE and `agency_slug` added);
`attach_history(con, DIR)` creates the views `archived_batches`, `archived_responses` and
`archived_round_responses` (responses with their batch's round_date and agency).

A store file does not get smaller when rows are deleted (DuckDB reuses the free blocks but does not give
them back on CHECKPOINT); `compact(path)` copies the store into a fresh file and swaps it in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import stat
import time
import uuid
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from framework import db, names
from framework.errors import BilingualError
from framework.store import aggregates, canonical
from framework.store.keys import AGENCY_KEY
from framework.store.results import RoundConflict, id_list
from framework.store.rounds import clash_sql
from framework.store.schema import SCHEMA_VERSION

ARCHIVE_VERSION = 2
TABLES = ("batches", "responses", "batch_files", "replacements", "superseded_responses")  # write/restore order
TABLES_V1 = TABLES[:4]  # an archive of version 1 has no superseded_responses.parquet
STAGING = re.compile(r"^\.archive-[0-9a-f]{12}$")  # the temporary directories of archive_round
STALE_SECONDS = 3600.0  # a staging directory without its lock file, untouched this long, is a leftover
_UNSAFE = re.compile(r"[\s/\\=%:*?\"<>|\x00-\x1f]+")


class ArchiveError(BilingualError):
    """An archive, drop, restore or compaction that cannot be done (nothing in the store was changed)."""


def slug(agency: str | None) -> str:
    """The directory name of an agency: readable, path-safe, unique (sha256 prefix); `_none` when blank."""
    name = (agency or "").strip()
    if not name:
        return "_none"
    text = _UNSAFE.sub("_", name).strip("._")[:60]
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{text}-{digest}" if text else digest


def part_dir(root: str | Path, round_date: dt.date, agency_slug: str) -> Path:
    return Path(root) / f"round={round_date.isoformat()}" / f"agency_slug={agency_slug}"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _round(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ArchiveError(
            f"วันที่รอบสำรวจ \"{value}\" ไม่ถูกต้อง ใช้รูปแบบ ปปปป-ดด-วว เช่น 2025-06-30",
            f"round date \"{value}\" is not valid: use YYYY-MM-DD, e.g. 2025-06-30",
        ) from None


def _select(table: str) -> str:
    """The rows of one store table that belong to the batches in the temp table `archive_ids`."""
    order = {
        "responses": "batch_id, respondent_id",
        "replacements": "batch_id, respondent_id, replaced_at",
        "superseded_responses": "batch_id, respondent_id, replaced_at",
    }
    return (
        f"SELECT * FROM store.{table} WHERE batch_id IN (SELECT batch_id FROM archive_ids) "
        f"ORDER BY {order.get(table, 'batch_id')}"
    )


def _fingerprint(cur, relation_sql: str) -> str:
    """Order-independent content check: bit_xor of each row's hash (as text, for JSON)."""
    return str(cur.execute(f"SELECT coalesce(bit_xor(hash(x)), 0) FROM ({relation_sql}) x").fetchall()[0][0])


def _counts(cur, relation_sql: str) -> dict[str, int]:
    return {
        b: int(n)
        for b, n in cur.execute(f"SELECT batch_id, count(*) FROM ({relation_sql}) GROUP BY batch_id").fetchall()
    }


def _write_part(cur, tmp: Path, round_date: dt.date, agency_slug: str, batches: list[tuple]) -> dict:
    """Write one (round, agency) part into `tmp`, re-read every file, check it; return its manifest."""
    ids = [b for b, _ in batches]
    cur.execute("CREATE OR REPLACE TEMP TABLE archive_ids (batch_id VARCHAR)")
    cur.executemany("INSERT INTO archive_ids VALUES (?)", [[b] for b in ids])
    tmp.mkdir(parents=True)
    files = {}
    for table in TABLES:
        path = tmp / f"{table}.parquet"
        cur.sql(_select(table)).to_parquet(str(path), compression="zstd")
        expected = {
            "rows": int(cur.execute(f"SELECT count(*) FROM ({_select(table)})").fetchall()[0][0]),
            "per_batch": _counts(cur, _select(table)),
            "fingerprint": _fingerprint(cur, _select(table)),
        }
        arch = cur.read_parquet(str(path))  # re-read the file as written
        found = {
            "rows": int(arch.count("*").fetchall()[0][0]),
            "per_batch": {b: int(n) for b, n in arch.aggregate("batch_id, count(*)", "batch_id").fetchall()},
            "fingerprint": str(
                arch.query("archived", "SELECT coalesce(bit_xor(hash(a)), 0) FROM archived a").fetchall()[0][0]
            ),
        }
        if found != expected:
            raise ArchiveError(
                f"ตรวจไฟล์ {path.name} ที่เขียนแล้วไม่ตรงกับคลัง ({found['rows']:,} แถว จาก "
                f"{expected['rows']:,}) ไม่ได้เก็บถาวรและไม่ได้ลบข้อมูลใด",
                f"{path.name} as written does not match the store ({found['rows']:,} rows of "
                f"{expected['rows']:,}); nothing was archived or removed",
            )
        files[path.name] = {
            "rows": expected["rows"],
            "per_batch": expected["per_batch"],
            "fingerprint": expected["fingerprint"],
            "sha256": sha256(path),
            "bytes": path.stat().st_size,
        }
    units = [
        c
        for (c,) in cur.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'store' AND table_name = 'responses' "
            "ORDER BY column_index"
        ).fetchall()
    ][6:]
    manifest = {
        "format": "ocsc-digital-skills survey archive",
        "archive_version": ARCHIVE_VERSION,
        "schema_version": SCHEMA_VERSION,
        "round": round_date.isoformat(),
        "agency_slug": agency_slug,
        "agencies": sorted({a for _, a in batches if a is not None}),
        "batches": ids,
        "unit_codes": units,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duckdb_version": duckdb.__version__,
        "files": files,
    }
    manifest["manifest_sha256"] = manifest_digest(manifest)
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def manifest_digest(manifest: dict) -> str:
    """sha256 of the manifest's content (every field but this digest), as canonical JSON."""
    body = {k: v for k, v in manifest.items() if k not in ("manifest_sha256", "path")}
    return hashlib.sha256(
        json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    ).hexdigest()


# --- staging directories: one prefix, locked while in use, leftovers of a killed run removed -----------------
def _lock(path: Path):
    """An exclusive lock on `path` (created), held until the returned file is closed; None when not taken."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, staging directories are then swept by age alone
        return None
    fh = open(path, "a+b")  # noqa: SIM115
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def sweep_staging(root: str | Path, *, older_than: float = STALE_SECONDS, now: float | None = None) -> int:
    """Remove the `.archive-<hex>` directories a killed archive run left in `root`; returns how many.

    Only this prefix, only directories (not links) of this user, and only stale ones: a directory whose
    `.lock` no running archive holds, or, without a `.lock`, one untouched for `older_than` seconds.
    Never raises."""
    limit = (time.time() if now is None else now) - older_than
    uid = os.getuid() if hasattr(os, "getuid") else None
    removed = 0
    try:
        entries = [p for p in Path(root).iterdir() if STAGING.match(p.name)]
    except OSError:
        return 0
    for p in entries:
        try:
            st = p.lstat()
            if not stat.S_ISDIR(st.st_mode) or (uid is not None and st.st_uid != uid):
                continue
            lock = p / ".lock"
            if lock.is_file():
                held = _lock(lock)
                if held is None:  # a running archive holds it (or no lock can be taken here)
                    continue
                held.close()
            elif st.st_mtime >= limit:
                continue
            shutil.rmtree(p)
            removed += 1
        except OSError:
            continue
    return removed


def archive_round(con, out_dir: str | Path, round_date, agency: str | None = None, drop: bool = False) -> list[dict]:
    """Archive a round's live batches (optionally one agency's) under `out_dir`; with drop=True remove them
    from the store afterwards, in one transaction. Returns each part's manifest (with its `path`)."""
    round_d = _round(round_date)
    agency = names.name(agency) or None
    rows = db.query(
        con,
        """SELECT batch_id, agency FROM store.batches WHERE round_date = $round
                            AND ($agency::VARCHAR IS NULL OR trim(agency) = $agency) ORDER BY batch_id""",
        {"round": round_d, "agency": agency},
    )
    who = f" ({agency})" if agency else ""
    if rows.empty:
        raise ArchiveError(
            f"ไม่มีชุดข้อมูลที่ใช้อยู่ในรอบ {round_d.isoformat()}{who} (ดูด้วยคำสั่ง batches)",
            f"no live batches in round {round_d.isoformat()}{who} (see the `batches` command)",
        )
    parts: dict[str, list[tuple]] = {}
    for b, a in rows.itertuples(index=False):
        a = None if pd.isna(a) else a
        parts.setdefault(slug(a), []).append((b, a))
    root = Path(out_dir)
    targets = {s: part_dir(root, round_d, s) for s in parts}
    for target in targets.values():
        if target.exists():
            raise ArchiveError(
                f"มีที่เก็บถาวร {target} อยู่แล้ว: ใช้โฟลเดอร์อื่น หรือย้ายโฟลเดอร์นั้นออกก่อน ไม่มีข้อมูลใดถูกเปลี่ยน",
                f"{target} already holds an archive: give another --out or move it away first; nothing was changed",
            )
    if root.is_dir():
        sweep_staging(root)  # what a killed run left behind (its lock is no longer held)
    staging = root / f".archive-{uuid.uuid4().hex[:12]}"
    manifests, held = [], None
    try:
        try:
            staging.mkdir(parents=True)
            held = _lock(staging / ".lock")  # in use: no other run's sweep removes it
        except OSError as exc:
            raise ArchiveError(
                f"สร้างโฟลเดอร์ {root} ไม่ได้ ({exc.strerror or exc}) เลือกโฟลเดอร์ที่เขียนได้ ไม่มีข้อมูลใดถูกเปลี่ยน",
                f"cannot write to {root} ({exc.strerror or exc}): choose a writable --out; nothing was changed",
            ) from None
        cur = con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")  # one consistent snapshot of the store for every file
            for s, batches in parts.items():
                m = _write_part(cur, staging / s, round_d, s, batches)
                manifests.append(m)
            cur.execute("ROLLBACK")  # read only: the temp table of ids goes with it
        finally:
            cur.close()
        for m in manifests:
            targets[m["agency_slug"]].parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / m["agency_slug"], targets[m["agency_slug"]])
            m["path"] = str(targets[m["agency_slug"]])
    except (OSError, duckdb.IOException) as exc:  # e.g. the disk filled up while writing
        exc = exc if isinstance(exc, OSError) else OSError(str(exc).splitlines()[0])
        raise ArchiveError(
            f"เขียนที่เก็บถาวรใน {root} ไม่สำเร็จ ({exc.strerror or exc}) ไม่มีข้อมูลใดถูกลบ",
            f"writing the archive in {root} failed ({exc.strerror or exc}); nothing was removed from the store",
        ) from None
    finally:
        if held is not None:
            held.close()
        shutil.rmtree(staging, ignore_errors=True)
    if drop:
        drop_batches(con, manifests)
    return manifests


def drop_batches(con, manifests: list[dict]) -> None:
    """Remove the archived batches from the store in one transaction; aborts (nothing removed) if the store
    no longer holds exactly the rows the manifests counted."""
    with db.transaction(con) as cur:
        for m in manifests:
            for table in TABLES:
                want = m["files"][f"{table}.parquet"]["rows"]
                n = cur.execute(
                    f"DELETE FROM store.{table} WHERE batch_id IN (SELECT unnest(?::VARCHAR[]))", [m["batches"]]
                ).fetchall()[0][0]
                if n != want:
                    raise ArchiveError(
                        f"คลังเปลี่ยนไประหว่างเก็บถาวร (store.{table}: {n:,} แถว ไม่ใช่ {want:,}) ไม่ได้ลบข้อมูลใด "
                        "ที่เก็บถาวรยังอยู่ สั่งใหม่โดยใช้โฟลเดอร์อื่น",
                        f"the store changed while archiving (store.{table}: {n:,} rows, not {want:,}); nothing "
                        "was removed; the archive was kept, run again with another --out",
                    )
        aggregates.refresh(cur, [b for m in manifests for b in m["batches"]])
    db.execute(con, "CHECKPOINT store")


# --- restore ------------------------------------------------------------------------------------------------
def manifests_in(path: str | Path) -> list[Path]:
    """The part directories under `path`: the part itself, a round directory, or an archive root."""
    root = Path(path)
    if (root / "manifest.json").is_file():
        return [root]
    found = sorted(root.glob("agency_slug=*/manifest.json")) + sorted(root.glob("round=*/agency_slug=*/manifest.json"))
    if not found:
        raise ArchiveError(f"ไม่พบที่เก็บถาวร (manifest.json) ใน {root}", f"no archive (manifest.json) found in {root}")
    return [m.parent for m in found]


def _tampered(part: Path, what_th: str, what_en: str) -> ArchiveError:
    return ArchiveError(
        f"ที่เก็บถาวร {part} ไม่ตรงกับ manifest.json ({what_th}) ไฟล์หรือ manifest ถูกแก้ไข "
        "ไม่ได้กู้คืนข้อมูลใด ใช้สำเนาที่เก็บถาวรที่ไม่ถูกแก้ไข",
        f"the archive {part} does not match its manifest.json ({what_en}): a file or the manifest "
        "was edited; nothing was restored; use an unedited copy of the archive",
    )


def _load_manifest(part: Path, store_units: list[str]) -> tuple[dict, tuple[str, ...]]:
    """The part's manifest, checked against its own digest and each file's sha256; and the tables it holds."""
    try:
        m = json.loads((part / "manifest.json").read_text(encoding="utf-8"))
        files, version = m["files"], int(m.get("archive_version", 99))
        if not isinstance(files, dict) or not all(isinstance(f, dict) for f in files.values()):
            raise TypeError("files is not an object of objects")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ArchiveError(
            f"อ่าน {part / 'manifest.json'} ไม่ได้ ({exc}) ไม่มีข้อมูลใดถูกเปลี่ยน",
            f"cannot read {part / 'manifest.json'} ({exc}); nothing was changed",
        ) from None
    if version > ARCHIVE_VERSION or m.get("schema_version", 99) > SCHEMA_VERSION:
        raise ArchiveError(
            f"ที่เก็บถาวร {part} สร้างโดยโปรแกรมรุ่นใหม่กว่า ปรับรุ่นโปรแกรมก่อน",
            f"the archive {part} was written by a newer version of the program; update it first",
        )
    if version >= 2 and m.get("manifest_sha256") != manifest_digest(m):
        raise _tampered(part, "sha256 ของ manifest.json เอง", "the manifest's own sha256")
    tables = TABLES if version >= 2 else TABLES_V1
    for table in tables:
        name = f"{table}.parquet"
        path = part / name
        if name not in files or not path.is_file() or sha256(path) != files[name].get("sha256"):
            raise ArchiveError(
                f"ไฟล์ {path} หายไปหรือถูกแก้ไข (sha256 ไม่ตรงกับ manifest.json) ไม่ได้กู้คืนข้อมูลใด",
                f"{path} is missing or was changed (its sha256 does not match manifest.json); nothing was restored",
            )
    extra = [u for u in m.get("unit_codes", []) if u not in store_units]
    if extra:
        raise ArchiveError(
            f"ที่เก็บถาวร {part} มีหน่วยความรู้ที่คลังนี้ไม่มี ({', '.join(extra)}) ไม่ได้กู้คืนข้อมูลใด",
            f"the archive {part} holds units this store does not have ({', '.join(extra)}); nothing was restored",
        )
    return m, tables


def _verify_part(cur, part: Path, m: dict, tables: tuple[str, ...]) -> None:
    """Inside restore's transaction, the registered files (arch_<table>) against every count of the manifest:
    rows, rows per batch, the batch ids, round and agencies, and the fingerprint when this DuckDB version
    computed it (another version may hash rows differently)."""
    same_engine = m.get("duckdb_version") == duckdb.__version__
    for table in tables:
        want, rel = m["files"][f"{table}.parquet"], f"arch_{table}"
        rows = int(cur.execute(f"SELECT count(*) FROM {rel}").fetchall()[0][0])
        if rows != want.get("rows"):
            raise _tampered(part, f"{table}: {rows:,} แถว", f"{table}: {rows:,} rows, not {want.get('rows')}")
        if _counts(cur, f"SELECT * FROM {rel}") != want.get("per_batch"):
            raise _tampered(part, f"{table}: จำนวนแถวต่อชุด", f"{table}: rows per batch")
        if same_engine and _fingerprint(cur, f"SELECT * FROM {rel}") != want.get("fingerprint"):
            raise _tampered(part, f"{table}: เนื้อหา", f"{table}: content fingerprint")
    ids = sorted(b for (b,) in cur.execute("SELECT batch_id FROM arch_batches").fetchall())
    if ids != sorted(m.get("batches") or []):
        raise _tampered(part, "รายการชุด", "batch ids")
    rounds = {str(d) for (d,) in cur.execute("SELECT DISTINCT round_date FROM arch_batches").fetchall()}
    agencies = sorted(
        a for (a,) in cur.execute("SELECT DISTINCT agency FROM arch_batches WHERE agency IS NOT NULL").fetchall()
    )
    if rounds != {str(m.get("round"))} or agencies != m.get("agencies"):
        raise _tampered(part, "รอบหรือหน่วยงาน", "round or agencies")


def restore_archive(con, path: str | Path) -> list[dict]:
    """Put archived parts back into the store, all in one transaction; returns their manifests.

    Refused (nothing changed) when the manifest or a file does not match (see _load_manifest, _verify_part),
    when a batch is already in the store (live or in the trash), or when a person is already stored in that
    round (RoundConflict). The superseded answers and replacement records come back with their batches."""
    store_units = [
        c
        for (c,) in db.query(
            con, "SELECT column_name FROM duckdb_columns() WHERE database_name = 'store' AND table_name = 'responses'"
        ).itertuples(index=False)
    ]
    parts = [(p, *_load_manifest(p, store_units)) for p in manifests_in(path)]
    restored: list[str] = []
    with db.transaction(con) as cur:
        for part, m, tables in parts:
            files = {table: pq.read_table(part / f"{table}.parquet") for table in tables}
            for table in tables:
                cur.register(f"arch_{table}", files[table])
            _verify_part(cur, part, m, tables)
            for table in tables:  # names and ids as every write stores them (an archive from before schema 6)
                cur.register(f"arch_{table}", canonical.arrow(files[table]))
            _refuse_present(cur, part, tables, restored)
            for table in tables:
                n = cur.execute(f"INSERT INTO store.{table} BY NAME SELECT * FROM arch_{table}").fetchall()[0][0]
                if n != m["files"][f"{table}.parquet"]["rows"]:
                    raise _tampered(part, f"{table}: {n:,} แถว", f"{table}: {n:,} rows restored")
            for table in tables:
                cur.unregister(f"arch_{table}")
            restored += m["batches"]
            m["path"] = str(part)
        canonical.merge_people(cur, restored)  # variants of one person in an old archive: one stays live
        aggregates.refresh(cur, restored)
    return [m for _, m, _ in parts]


def _refuse_present(cur, part: Path, tables: tuple[str, ...] = TABLES, restored: list[str] = ()) -> None:
    """Inside restore's transaction: refuse batches already in the store (or their superseded answers, left
    by an archive of version 1), or people already in the round (but for the batches this restore put back:
    variants of one person in parts written before schema 6, merged afterwards)."""
    held = "SELECT batch_id FROM store.batches UNION ALL SELECT batch_id FROM store.trash_batches"
    if "superseded_responses" in tables:
        held += " UNION ALL SELECT batch_id FROM store.superseded_responses"
    there = [
        b
        for (b,) in cur.execute(
            f"SELECT DISTINCT batch_id FROM arch_batches WHERE batch_id IN ({held}) ORDER BY 1"
        ).fetchall()
    ]
    if there:
        raise ArchiveError(
            f"ชุด {', '.join(there)} จาก {part} อยู่ในคลังแล้ว (ใช้อยู่หรือในถังขยะ) ไม่ได้กู้คืนข้อมูลใด",
            f"batch {', '.join(there)} from {part} is already in the store (live or in the trash); "
            "nothing was restored",
        )
    for (round_d,) in cur.execute("SELECT DISTINCT round_date FROM arch_batches").fetchall():
        people = (
            f"SELECT r.respondent_id, {AGENCY_KEY} AS agency_key "
            "FROM arch_responses r JOIN arch_batches b USING (batch_id) "
            "WHERE b.round_date IS NOT DISTINCT FROM $round::DATE"
        )
        sql = clash_sql(people)
        ids = sorted(
            {rid for b, rid, _ in cur.execute(sql, db.bind(sql, {"round": round_d})).fetchall() if b not in restored}
        )
        if ids:
            raise RoundConflict(
                f"กู้คืน {part} ไม่ได้: ผู้ตอบ {len(ids):,} คนมีคำตอบในรอบ {round_d} อยู่แล้ว: {id_list(ids)} "
                "ลบคำตอบเหล่านั้นก่อน ไม่มีข้อมูลใดถูกเปลี่ยน",
                f"cannot restore {part}: {len(ids):,} of its respondents are already stored in round {round_d}: "
                f"{id_list(ids)}. Delete those answers first. Nothing was changed.",
                ids,
            )


# --- history and compaction -----------------------------------------------------------------------------------
def history(con, archive_dir: str | Path, table: str = "responses") -> duckdb.DuckDBPyRelation:
    """A DuckDB relation over one table of every archived part (columns `round` and `agency_slug` added)."""
    if table not in TABLES:
        raise ArchiveError(
            f"ไม่มีตาราง {table} ในที่เก็บถาวร (มี {', '.join(TABLES)})",
            f"an archive has no table {table} (it has {', '.join(TABLES)})",
        )
    pattern = Path(archive_dir) / "round=*" / "agency_slug=*" / f"{table}.parquet"
    try:
        return con.read_parquet(str(pattern), hive_partitioning=True, union_by_name=True)
    except duckdb.IOException:
        raise ArchiveError(f"ไม่พบที่เก็บถาวรใน {archive_dir}", f"no archive found in {archive_dir}") from None


def attach_history(con, archive_dir: str | Path) -> list[str]:
    """Create views archived_batches, archived_responses and archived_round_responses (responses with their
    batch's round_date and agency) over the archive; returns the view names."""
    history(con, archive_dir, "batches").create_view("archived_batches", replace=True)
    history(con, archive_dir, "responses").create_view("archived_responses", replace=True)
    db.execute(
        con,
        """CREATE OR REPLACE VIEW archived_round_responses AS
        SELECT b.round_date, b.agency AS batch_agency, b.stage, r.* EXCLUDE (round, agency_slug)
        FROM archived_responses r JOIN archived_batches b USING (batch_id)""",
    )
    return ["archived_batches", "archived_responses", "archived_round_responses"]


def compact(con, path: str | Path) -> Path:
    """Copy the attached store (at `path`) into a fresh file next to it, check every table's row count, and
    return the fresh file; the caller closes `con` and moves it over the store (see framework.cli.archive)."""
    fresh = Path(str(path) + ".compact")
    for leftover in (fresh, Path(str(fresh) + ".wal")):
        leftover.unlink(missing_ok=True)
    db.execute(con, "CHECKPOINT store")
    db.execute(con, f"ATTACH {db.literal(fresh)} AS store_compact")  # the store's own path, not user text
    try:
        db.execute(con, "COPY FROM DATABASE store TO store_compact")
        tables = [
            t
            for (t,) in db.query(
                con, "SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'"
            ).itertuples(index=False)
        ]
        for t in tables:
            a = db.scalar(con, f"SELECT count(*) FROM store.{db.ident(t)}")
            b = db.scalar(con, f"SELECT count(*) FROM store_compact.{db.ident(t)}")
            if a != b:
                raise ArchiveError(
                    f"สำเนาตาราง {t} ไม่ครบ ({b:,} จาก {a:,} แถว) ไม่ได้เปลี่ยนคลัง",
                    f"the copy of table {t} is incomplete ({b:,} of {a:,} rows); the store is unchanged",
                )
        db.execute(con, "CHECKPOINT store_compact")
    except BaseException:
        db.execute(con, "DETACH store_compact")
        fresh.unlink(missing_ok=True)
        raise
    db.execute(con, "DETACH store_compact")
    return fresh
