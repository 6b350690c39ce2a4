"""Commands of a store that grows by rounds (registered by framework.cli): archive, archive-restore, compact.

    python -m framework archive --round YYYY-MM-DD [--agency A] --out DIR [--drop] [--db PATH] [--json]
    python -m framework archive-restore DIR [--db PATH] [--json]      (also: archive --restore DIR)
    python -m framework compact [--db PATH] [--json]

The layout, the checks and the history views are described in framework.store.archive.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from framework.cli import UsageError, add_format, open_store
from framework.cli.text import echo

DB_HELP = "survey store file (default $SKILLS_DB or var/skills.duckdb)"


def _target(db_arg: str | None) -> Path:
    """The store file; a missing one is refused (archive and compact never create it)."""
    from framework import pgstore
    from framework.paths import store_target

    target = store_target(db_arg)
    if pgstore.is_url(target):
        err = pgstore.refuse("การเก็บถาวรและการบีบอัดคลัง", "Archiving and compacting the store")
        raise UsageError(err.th, err.en)
    if not target.is_file():
        raise UsageError(f"ไม่พบคลังแบบสำรวจที่ {target}: ระบุ --db PATH", f"no survey store at {target}: give --db PATH")
    return target


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(str(path) + ".wal")) if p.exists())


def _summary(m: dict) -> dict:
    files = m["files"]
    return {
        "path": m["path"],
        "round": m["round"],
        "agencies": m["agencies"],
        "batches": m["batches"],
        "respondents": files["responses.parquet"]["rows"],
        "files": {k: {"rows": v["rows"], "sha256": v["sha256"]} for k, v in files.items()},
    }


def _archive(args) -> int:
    if args.restore:
        args.dir = args.restore
        return _restore(args)
    if not args.round or not args.out:
        raise UsageError(
            "ระบุ --round YYYY-MM-DD และ --out DIR (หรือ --restore DIR)",
            "give --round YYYY-MM-DD and --out DIR (or --restore DIR)",
        )
    from framework.store import SurveyStore
    from framework.store.archive import archive_round

    target = _target(args.db)
    before = _size(target)
    with open_store(args.db, write=True) as con:
        SurveyStore(con)  # the store's tables exist (and an older store is upgraded) before reading them
        manifests = archive_round(con, args.out, args.round, args.agency, drop=args.drop)
    out = {"round": args.round, "dropped": bool(args.drop), "parts": [_summary(m) for m in manifests]}
    if args.drop:
        out["store_bytes_before"], out["store_bytes_after"] = before, _size(target)
    if args.format == "json":
        echo(json.dumps(out, ensure_ascii=False), json=True)
        return 0
    for p in out["parts"]:
        echo(
            f"archived {p['round']} {', '.join(p['agencies']) or '—'}: {len(p['batches'])} batches, "
            f"{p['respondents']:,} respondents -> {p['path']}"
        )
    if args.drop:
        echo(
            f"dropped from the store / ลบออกจากคลังแล้ว (store file {before / 1e6:.1f} MB -> "
            f"{out['store_bytes_after'] / 1e6:.1f} MB; run `python -m framework compact` to give the space back)"
        )
    else:
        echo("the store is unchanged (add --drop to remove the round after archiving) / คลังไม่เปลี่ยน")
    return 0


def _restore(args) -> int:
    from framework.store import SurveyStore
    from framework.store.archive import restore_archive

    if not Path(args.dir).is_dir():
        raise UsageError(f"ไม่พบโฟลเดอร์ {args.dir}", f"no such directory: {args.dir}")
    with open_store(args.db, write=True) as con:
        SurveyStore(con)
        manifests = restore_archive(con, args.dir)
    parts = [_summary(m) for m in manifests]
    if args.format == "json":
        echo(json.dumps({"restored": parts}, ensure_ascii=False), json=True)
        return 0
    for p in parts:
        echo(
            f"restored {p['round']} {', '.join(p['agencies']) or '—'}: {len(p['batches'])} batches, "
            f"{p['respondents']:,} respondents from {p['path']} / กู้คืนแล้ว"
        )
    return 0


def _compact(args) -> int:
    from framework.store.archive import compact

    target = _target(args.db)
    before = _size(target)
    with open_store(args.db, write=True, survey=False) as con:
        fresh = compact(con, target)
    wal = Path(str(target) + ".wal")
    if wal.exists():  # never pair the fresh file with the old file's journal
        fresh.unlink(missing_ok=True)
        raise UsageError(
            f"คลัง {target} ยังมีบันทึก {wal.name} ค้างอยู่ ไม่ได้บีบอัด ปิดแอปแล้วสั่งใหม่",
            f"the store {target} still has its journal {wal.name}; nothing was compacted: stop the "
            "app and run the command again",
        )
    os.replace(fresh, target)  # the store is closed; the copy was checked table by table
    after = _size(target)
    if args.format == "json":
        echo(json.dumps({"store": str(target), "bytes_before": before, "bytes_after": after}), json=True)
    else:
        echo(f"compacted {target}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB / บีบอัดคลังแล้ว")
    return 0


def register(sub) -> None:
    """Add this area's sub-commands to the parser."""
    p = sub.add_parser(
        "archive",
        help="write a survey round to Parquet files (and with --drop remove it "
        "from the store); --restore DIR reads an archive back",
    )
    p.add_argument("--round", help="survey round date YYYY-MM-DD")
    p.add_argument("--agency", help="only this agency's batches of the round (default: every agency)")
    p.add_argument("--out", help="archive directory (round=.../agency_slug=.../ is created under it)")
    p.add_argument(
        "--drop", action="store_true", help="remove the round from the store once the files are written and checked"
    )
    p.add_argument("--restore", metavar="DIR", help="read an archive back into the store instead")
    p.add_argument("--db", help=DB_HELP)
    add_format(p)
    p.set_defaults(func=_archive)
    p = sub.add_parser(
        "archive-restore",
        help="read archived rounds back into the store (refused if their "
        "people are already there, or a file was changed)",
    )
    p.add_argument("dir", help="an archive directory, one round=... directory in it, or one part")
    p.add_argument("--db", help=DB_HELP)
    add_format(p)
    p.set_defaults(func=_restore)
    p = sub.add_parser(
        "compact",
        help="copy the store into a fresh file to give back the space of deleted or archived rows (stop the app first)",
    )
    p.add_argument("--db", help=DB_HELP)
    add_format(p)
    p.set_defaults(func=_compact)
