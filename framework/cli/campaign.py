"""Commands of the campaign area (registered by framework.cli): campaign open | list | close | links | revoke."""

from __future__ import annotations

import json

from framework.cli import (
    UsageError,
    add_format,
    add_passphrase,
    authorised,
    note,
    open_store,
)
from framework.cli.text import echo


def _campaign():
    from framework import campaign  # imported on use, so `--help` stays quick

    return campaign


def _catalog():
    from framework.catalog import Catalog

    return Catalog.open()


def _hr(args, what_th: str, what_en: str) -> None:
    """Opening or closing a campaign needs the HR passphrase when one is configured."""
    if not authorised(args.passphrase):
        raise UsageError(
            f"{what_th}ต้องใช้รหัสผ่าน HR: ใส่ด้วย --passphrase-stdin (หรือพิมพ์เมื่อโปรแกรมถาม) ไม่มีข้อมูลใดถูกเปลี่ยน",
            f"{what_en} needs the HR passphrase: give it with --passphrase-stdin (or type it when "
            "asked at a terminal); nothing was changed",
        )


def _wrap(fn):
    """CampaignError -> UsageError (one bilingual line, exit 2)."""

    def run(args):
        cmp = _campaign()
        try:
            return fn(args, cmp)
        except cmp.CampaignError as exc:
            raise UsageError(exc.th, exc.en) from None

    return run


def _show(c, as_json: bool) -> None:
    if as_json:
        echo(json.dumps(c.to_json(), ensure_ascii=False), json=True)
    else:
        echo(
            f"{c.code}  {c.url_path}  {c.agency} · {c.stage} · round {c.round_date} · {c.status()}"
            + (f" · closes {c.closes}" if c.closes else "")
        )


@_wrap
def _open(args, cmp) -> int:
    _hr(args, "การเปิดแบบประเมิน", "opening a campaign")
    with open_store(args.db, write=True) as con:
        from framework.store import SurveyStore

        cat = _catalog()
        SurveyStore(con, cat)  # the store's own tables first (a fresh file)
        c = cmp.open_campaign(
            con,
            cat,
            agency=args.agency,
            stage=args.stage,
            round_date=args.round,
            closes=args.closes,
            org_units=args.org_unit,
            id_pattern=args.id_pattern,
            links_only=args.links_only,
        )
    note(
        "campaign-open",
        c.agency,
        f"campaign {c.code}, round {c.round_date}" + (", personal links only" if c.links_only else ", open link"),
    )
    _show(c, args.format == "json")
    return 0


@_wrap
def _list(args, cmp) -> int:
    with open_store(args.db, write=True) as con:
        rows = cmp.list_campaigns(con)
    if args.format == "json":
        echo(json.dumps([c.to_json() for c in rows], ensure_ascii=False), json=True)
    elif not rows:
        echo("no campaigns / ยังไม่มีแบบประเมิน")
    for c in rows if args.format != "json" else ():
        _show(c, False)
    return 0


@_wrap
def _close(args, cmp) -> int:
    _hr(args, "การปิดแบบประเมิน", "closing a campaign")
    with open_store(args.db, write=True) as con:
        c = cmp.close(con, args.code)
    if c is None:
        err = cmp.unknown_code(args.code)
        raise UsageError(err.th, err.en)
    note("campaign-close", c.agency, f"campaign {c.code}")
    _show(c, args.format == "json")
    return 0


def _known(con, cmp, code: str):
    c = cmp.get(con, code)
    if c is None:
        err = cmp.unknown_code(code)
        raise UsageError(err.th, err.en)
    return c


@_wrap
def _links(args, cmp) -> int:
    """Personal links: a CSV of ids in, a CSV of id + link out (--out, else standard output)."""
    _hr(args, "การออกลิงก์รายบุคคล", "issuing personal links")
    from pathlib import Path

    try:
        data = Path(args.ids).read_bytes()
    except OSError as exc:
        raise UsageError(
            f"อ่านไฟล์ {args.ids} ไม่ได้: {exc.strerror or exc}", f"cannot read {args.ids}: {exc.strerror or exc}"
        ) from None
    ids = cmp.links.read_ids(data)
    cmp.links.base_url(args.base_url)
    with open_store(args.db, write=True) as con:
        c = _known(con, cmp, args.code)
        if args.links_only and not c.links_only:
            c = cmp.set_links_only(con, c.code, True)
            note("campaign-mode", c.agency, f"campaign {c.code}: personal links only")
        pairs = cmp.links.issue(con, c, ids)
    out = cmp.links.links_csv(pairs, args.base_url)
    note("links-issued", c.agency, f"campaign {c.code}: {len(pairs)} link(s)")
    if args.out:
        try:
            Path(args.out).write_bytes(out)
        except OSError as exc:
            raise UsageError(
                f"เขียนไฟล์ {args.out} ไม่ได้: {exc.strerror or exc}", f"cannot write {args.out}: {exc.strerror or exc}"
            ) from None
        echo(
            f"{args.out} ({len(pairs)} links; only their hashes are kept, so keep this file) / "
            f"ออกลิงก์ {len(pairs)} ลิงก์ (เก็บไฟล์นี้ไว้ ระบบเก็บเฉพาะค่าแฮช)"
        )
    else:
        echo(out.decode("utf-8-sig").replace("\r\n", "\n"), end="")
    return 0


@_wrap
def _revoke(args, cmp) -> int:
    _hr(args, "การยกเลิกลิงก์รายบุคคล", "revoking a personal link")
    with open_store(args.db, write=True) as con:
        c = _known(con, cmp, args.code)
        n = cmp.links.revoke(con, c, args.id)
    if not n:
        raise UsageError(
            f"ไม่มีลิงก์ที่ใช้ได้ของ {args.id} ในแบบประเมิน {c.code} (ยังไม่ออก ส่งแล้ว หรือยกเลิกแล้ว)",
            f"no active link for {args.id} in campaign {c.code} (never issued, answered, or revoked)",
        )
    note("link-revoked", c.agency, f"campaign {c.code}: respondent {args.id}")
    echo(f"revoked {n} link(s) of {args.id} in campaign {c.code} / ยกเลิกลิงก์ของ {args.id} แล้ว")
    return 0


def _common(p) -> None:
    """--db and --format, the same on every campaign command."""
    p.add_argument("--db", help="survey store file (default $SKILLS_DB or var/skills.duckdb)")
    add_format(p)


def register(sub) -> None:
    """Add `campaign open|list|close` to the parser."""
    p = sub.add_parser("campaign", help="self-assessment campaigns: a link /assess?c=CODE per agency round")
    cs = p.add_subparsers(dest="campaign_command", required=True)
    o = cs.add_parser("open", help="open a campaign for an agency's round; prints its code and link")
    o.add_argument("--agency", required=True)
    o.add_argument("--stage", required=True, help="Early, Developing or Mature (Thai names accepted)")
    o.add_argument("--round", required=True, help="survey round date YYYY-MM-DD")
    o.add_argument("--closes", help="last day answers are taken, YYYY-MM-DD")
    o.add_argument("--org-unit", action="append", default=[], help="an org unit to offer (repeat the flag)")
    o.add_argument("--id-pattern", help=r"regular expression the whole respondent id must match, e.g. '\d{7}'")
    o.add_argument(
        "--links-only",
        action="store_true",
        help="personal links only: the open link (which trusts typed ids) is refused",
    )
    add_passphrase(o, "opening a campaign")
    c = cs.add_parser("close", help="close a campaign (no more answers)")
    c.add_argument("code")
    add_passphrase(c, "closing a campaign")
    li = cs.add_parser("list", help="list campaigns")
    lk = cs.add_parser("links", help="issue personal links: a CSV of ids in, a CSV of id,link out (mail merge)")
    lk.add_argument("code")
    lk.add_argument("--ids", required=True, help="CSV of respondent ids (a respondent_id column, or the first column)")
    lk.add_argument("--base-url", required=True, help="the app's address, e.g. https://skills.example.go.th")
    lk.add_argument("--out", help="write the CSV of links here (default: standard output)")
    lk.add_argument("--links-only", action="store_true", help="also make the campaign personal links only")
    add_passphrase(lk, "issuing personal links")
    rv = cs.add_parser("revoke", help="revoke a person's unused personal link (by respondent id or token)")
    rv.add_argument("code")
    rv.add_argument("id", help="the respondent id (or the link's token)")
    add_passphrase(rv, "revoking a personal link")
    for parser, func in ((o, _open), (c, _close), (li, _list), (lk, _links), (rv, _revoke)):
        _common(parser)
        parser.set_defaults(func=func)
