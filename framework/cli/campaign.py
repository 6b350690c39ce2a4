"""Commands of the campaign area (registered by framework.cli): campaign open | list | close."""
from __future__ import annotations

import json

from framework.cli import UsageError, add_format, add_passphrase, authorised, open_store
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
        raise UsageError(f"{what_th}ต้องใช้รหัสผ่าน HR: ใส่ด้วย --passphrase-stdin (หรือพิมพ์เมื่อโปรแกรมถาม) "
                         "ไม่มีข้อมูลใดถูกเปลี่ยน",
                         f"{what_en} needs the HR passphrase: give it with --passphrase-stdin (or type it when "
                         "asked at a terminal); nothing was changed")


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
        echo(f"{c.code}  {c.url_path}  {c.agency} · {c.stage} · round {c.round_date} · {c.status()}"
              + (f" · closes {c.closes}" if c.closes else ""))


@_wrap
def _open(args, cmp) -> int:
    _hr(args, "การเปิดแบบประเมิน", "opening a campaign")
    with open_store(args.db, write=True) as con:
        from framework.store import SurveyStore

        cat = _catalog()
        SurveyStore(con, cat)  # the store's own tables first (a fresh file)
        c = cmp.open_campaign(con, cat, agency=args.agency, stage=args.stage, round_date=args.round,
                              closes=args.closes, org_units=args.org_unit, id_pattern=args.id_pattern)
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
    _show(c, args.format == "json")
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
    add_passphrase(o, "opening a campaign")
    c = cs.add_parser("close", help="close a campaign (no more answers)")
    c.add_argument("code")
    add_passphrase(c, "closing a campaign")
    li = cs.add_parser("list", help="list campaigns")
    for parser, func in ((o, _open), (c, _close), (li, _list)):
        _common(parser)
        parser.set_defaults(func=func)
