"""Commands of the survey area (registered by framework.cli): ingest, batches, delete, restore, purge.

A deleted batch goes to the trash (who and when recorded); `restore` brings it back whole, `purge` removes
a trashed batch for good. `batches` lists the live batches, `batches --deleted` the trash.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pandas as pd

from framework.cli import UsageError, add_format, note, open_store
from framework.cli.text import echo, escape_frame

ON_CONFLICT = ("refuse", "replace", "skip")  # framework.store.ON_CONFLICT (not imported here: --help stays quick)
# `batches` text columns: what a person recognises a batch by first, the id last.
LIVE_COLUMNS = [
    "file_name",
    "agency",
    "round_date",
    "uploaded_at",
    "stage",
    "respondents",
    "rows_read",
    "accepted",
    "rejected",
    "replaced",
    "encoding",
    "batch_id",
]
TRASH_COLUMNS = [
    "file_name",
    "agency",
    "round_date",
    "uploaded_at",
    "deleted_at",
    "deleted_by",
    "respondents",
    "batch_id",
]


def _store(con):
    """The SurveyStore on an open_store() connection (imported on use, so `--help` stays quick)."""
    from framework.store import SurveyStore

    return SurveyStore(con)


def _who() -> str | None:
    """The operating-system user running the command (recorded in the trash), None when unknown."""
    try:
        return getpass.getuser() or None
    except Exception:  # noqa: BLE001 - no user name in this environment (getuser raises OSError/KeyError)
        return None


CONFIRM = ("stage", "future")  # framework.store.rounds.check_metadata's confirmation keys
FLAGS = {
    "choose or type the agency": "--agency NAME",
    "choose the agency's stage for this round": "--stage STAGE",
    "choose the survey round date": "--round YYYY-MM-DD",
}


def check_metadata(store, args) -> None:
    """The upload page's rules (SurveyStore.check_metadata): agency, stage and round required; a round date
    out of range refused; a changed stage or a future round only with --confirm stage / --confirm future."""
    check = store.check_metadata(args.agency, args.stage, store._round(args.round))
    if check.missing:
        flags = [FLAGS.get(en, en) for _, en in check.missing]
        raise UsageError(
            f"ต้องระบุ {' '.join(flags)} ไม่มีข้อมูลใดถูกบันทึก",
            f"give {' '.join(flags)}: the agency, its stage and the round date are stored with every "
            "answer; nothing was stored",
        )
    for th, en in check.refused:
        raise UsageError(f"{th} ไม่มีข้อมูลใดถูกบันทึก", f"{en}; nothing was stored")
    confirmed = set(args.confirm or ())
    for key, th, en in check.confirm:
        if key not in confirmed:
            raise UsageError(
                f"{th}: ถ้าถูกต้อง สั่งใหม่พร้อม --confirm {key} ไม่มีข้อมูลใดถูกบันทึก",
                f"{en}: if this is right, run again with --confirm {key}; nothing was stored",
            )


def _ingest(args) -> int:
    if not Path(args.file).is_file():
        raise UsageError(f"ไม่พบไฟล์: {args.file}", f"no such file: {args.file}")
    with open_store(args.db, write=True) as con:  # a refused file: SurveyFileError, one line from cli.main
        store = _store(con)
        check_metadata(store, args)
        res = store.ingest(
            args.file, agency=args.agency, stage=args.stage, round_date=args.round, on_conflict=args.on_conflict
        )
    if res.batch_id and not res.refused:
        note(
            "upload",
            args.agency,
            f"{Path(args.file).name}: batch {res.batch_id}, {res.respondents} people"
            + (" (same file again)" if res.duplicate else ""),
        )
    if args.format == "json":
        out = res.to_json()
        # `accepted` = respondents this command stored (0 when refused or the same file again);
        # `rows_accepted` = the file's rows that passed validation and were stored.
        out["rows_accepted"] = 0 if res.refused or res.duplicate else res.accepted
        out["accepted"] = res.respondents
        echo(json.dumps(out, ensure_ascii=False), json=True)
        return 0
    if res.refused:
        th, en = res.conflict_message()
        echo(f"{en}\n{th}")
        return 0
    state = "already stored (same content), not counted again" if res.duplicate else "stored"
    echo(
        f"batch {res.batch_id}: {state}; rows read {res.rows_read}, accepted {res.accepted}, "
        f"rejected {res.rejected}, respondents stored {res.respondents}"
    )
    if res.conflicts:
        th, en = res.conflict_message()
        echo(f"{en}\n{th}")
    for n in res.notices:
        echo(f"{n.level}: {n.en}")
    for p in res.problems.itertuples(index=False):
        echo(f"row {p.row} [{p.column}] {p.value!r}: {p.reason_en} - {p.fix_en}")
    return 0


def _dates(df: pd.DataFrame) -> pd.DataFrame:
    """round_date as YYYY-MM-DD, times to the minute (text) - the JSON keeps ISO timestamps."""
    df["round_date"] = [None if pd.isna(x) else pd.Timestamp(x).date().isoformat() for x in df["round_date"]]
    return df


def _batches(args) -> int:
    with open_store(args.db, write=True) as con:
        df = _dates(_store(con).batches(deleted=args.deleted))
    if args.format == "json":
        echo(df.to_json(orient="records", date_format="iso", force_ascii=False), json=True)
        return 0
    if not len(df):
        echo("the trash is empty / ถังขยะว่าง" if args.deleted else "no batches / ยังไม่มีชุดข้อมูล")
        return 0
    view = df[[c for c in (TRASH_COLUMNS if args.deleted else LIVE_COLUMNS) if c in df.columns]].copy()
    for col in ("uploaded_at", "deleted_at"):
        if col in view:
            view[col] = [("" if pd.isna(x) else pd.Timestamp(x).strftime("%Y-%m-%d %H:%M")) for x in view[col]]
    echo(escape_frame(view.fillna("")).to_string(index=False))
    return 0


def _not_found(batch_id: str, where_th: str, where_en: str, see: str) -> UsageError:
    return UsageError(
        f"ไม่พบชุด {batch_id} {where_th} (ดูรายการด้วย `python -m framework {see}`)",
        f"no batch {batch_id} {where_en} (see `python -m framework {see}`)",
    )


def _done(args, what: str) -> bool:
    """With --format json: print {"batch_id": ..., what: true} and say so (the caller prints nothing else)."""
    if args.format == "json":
        echo(json.dumps({"batch_id": args.batch_id, what: True}, ensure_ascii=False), json=True)
    return args.format == "json"


def _agency(store, batch_id: str, deleted: bool) -> str | None:
    df = store.batches(deleted=deleted)
    row = df[df["batch_id"] == batch_id]
    return None if row.empty or pd.isna(row["agency"].iloc[0]) else str(row["agency"].iloc[0])


def _delete(args) -> int:
    with open_store(args.db, write=True) as con:
        store = _store(con)
        agency = _agency(store, args.batch_id, False)
        deleted = store.delete(args.batch_id, deleted_by=_who())
    if deleted:
        note("delete", agency, f"batch {args.batch_id}")
    if not deleted:
        raise _not_found(args.batch_id, "ในชุดข้อมูลที่ใช้อยู่", "among the live batches", "batches")
    if _done(args, "deleted"):
        return 0
    echo(
        f"batch {args.batch_id} moved to the trash (restore it with `python -m framework restore "
        f"{args.batch_id}`) / ย้ายชุด {args.batch_id} ไปถังขยะแล้ว (กู้คืนได้ด้วยคำสั่ง restore)"
    )
    return 0


def _restore(args) -> int:
    with open_store(args.db, write=True) as con:  # a round clash: RoundConflict, one bilingual line, exit 2
        store = _store(con)
        agency = _agency(store, args.batch_id, True)
        restored = store.restore(args.batch_id)
    if restored:
        note("restore", agency, f"batch {args.batch_id}")
    if not restored:
        raise _not_found(args.batch_id, "ในถังขยะ", "in the trash", "batches --deleted")
    if _done(args, "restored"):
        return 0
    echo(f"batch {args.batch_id} restored from the trash / กู้คืนชุด {args.batch_id} จากถังขยะแล้ว")
    return 0


def _purge(args) -> int:
    with open_store(args.db, write=True) as con:
        store = _store(con)
        agency = _agency(store, args.batch_id, True)
        purged = store.purge(args.batch_id)
    if purged:
        note("purge", agency, f"batch {args.batch_id}")
    if not purged:
        raise _not_found(
            args.batch_id,
            "ในถังขยะ (ล้างได้เฉพาะชุดที่ลบไปถังขยะแล้ว)",
            "in the trash (only a batch already deleted to the trash can be purged)",
            "batches --deleted",
        )
    if _done(args, "purged"):
        return 0
    echo(f"batch {args.batch_id} purged for good, with its original file / ล้างชุด {args.batch_id} และไฟล์ต้นฉบับออกถาวรแล้ว")
    return 0


def register(sub) -> None:
    """Add this area's sub-commands to the parser."""
    db_help = "survey store file (default $SKILLS_DB or var/skills.duckdb)"
    p = sub.add_parser("ingest", help="validate a survey CSV and store its accepted rows as one batch")
    p.add_argument("file")
    p.add_argument("--db", help=db_help)
    p.add_argument("--agency", help="agency the answers belong to (required)")
    p.add_argument(
        "--stage", help="the agency's stage in this round: Early, Developing or Mature (Thai names accepted; required)"
    )
    p.add_argument("--round", help="survey round date YYYY-MM-DD (required; from 2018-05-18, at most 90 days ahead)")
    p.add_argument(
        "--confirm",
        action="append",
        choices=CONFIRM,
        metavar="{stage,future}",
        help="confirm what the upload page asks to confirm: a stage other than the agency's previous "
        "round (stage), a round date in the future (future); repeat for both",
    )
    p.add_argument(
        "--on-conflict",
        choices=ON_CONFLICT,
        default="refuse",
        help="respondents already stored in the same round (agency, round date): refuse the upload "
        "(default), replace their earlier answers, or skip them and import only the new people",
    )
    add_format(p)
    p.set_defaults(func=_ingest)
    p = sub.add_parser("batches", help="list stored survey batches (--deleted: the trash)")
    p.add_argument("--db", help=db_help)
    p.add_argument("--deleted", action="store_true", help="list the trash (who deleted each batch, and when)")
    add_format(p)
    p.set_defaults(func=_batches)
    for name, func, text in (
        ("delete", _delete, "move one survey batch and its responses to the trash (restore brings it back)"),
        ("restore", _restore, "bring a batch back from the trash, whole"),
        ("purge", _purge, "remove a batch from the trash for good, with its original file"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("batch_id")
        p.add_argument("--db", help=db_help)
        add_format(p)
        p.set_defaults(func=func)
