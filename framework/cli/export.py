"""`python -m framework export TABLE --format csv|xlsx|parquet --out PATH`: the views' tables as files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from framework.cli import (
    UsageError,
    add_passphrase,
    authorised,
    note,
    open_store,
    survey_access,
)
from framework.cli.text import echo

TABLES = ("units", "elements", "criteria", "profiles", "requirements", "coverage", "readiness", "responses")
SURVEY_TABLES = ("coverage", "readiness", "responses")


def register(sub) -> None:
    """Add `export` to the parser."""
    p = sub.add_parser(
        "export",
        help="write a table (as filtered in the views) to CSV, XLSX or Parquet",
        description="Write one table to a file. Survey aggregates are small-cell suppressed "
        "like the screen; row-level responses need the HR passphrase.",
    )
    p.add_argument("table", help="one of: " + ", ".join(TABLES))
    p.add_argument(
        "--format", dest="fmt", default=None, help="csv, xlsx or parquet (default: from the --out extension)"
    )
    p.add_argument("--out", required=True, help="output file, or an existing folder (a file name is made)")
    p.add_argument("--db", default=None, help="survey store file (default: $SKILLS_DB or var/skills.duckdb)")
    p.add_argument("--stage", help="Early, Developing or Mature (Thai names accepted)")
    p.add_argument("--group", action="append", help="staff group (repeat for several; Thai names accepted)")
    p.add_argument("--agency", action="append", help="agency (repeat for several)")
    p.add_argument("--unit", action="append", help="unit of capability code, e.g. DLit100 (repeat for several)")
    p.add_argument("--org-unit", dest="org_unit", action="append", help="org unit (coverage/readiness; repeat)")
    p.add_argument("--by", default=None, help="coverage/readiness breakdown: group, agency or unit")
    p.add_argument(
        "--round",
        default=None,
        help="coverage/readiness/responses: latest (default for coverage and readiness: each agency's "
        "latest round), all (every round pooled; the default for responses) or YYYY-MM-DD",
    )
    p.add_argument(
        "--threshold",
        default=None,
        help="what counts as met: 0 = the agency's target level per profile and unit (the default; 3 where "
        "the agency set none), or one level 1-4 for every unit",
    )
    p.add_argument(
        "--min-cell",
        dest="min_cell",
        default=None,
        help="hide figures over fewer than k respondents (default 5; below the floor, 5 unless "
        "$SKILLS_MIN_CELL_FLOOR says otherwise, only with the HR passphrase)",
    )
    add_passphrase(p, "row-level responses and a --min-cell below the floor")
    p.set_defaults(func=run)


def _int(flag: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(
            f"{flag} ต้องเป็นจำนวนเต็ม แต่ได้ {text!r}", f"{flag} must be a whole number, got {text!r}"
        ) from None


# --- building the table ----------------------------------------------------------------------
def _resolve(cat, args) -> dict:
    """Check every filter value against the catalogue; return the normalised filters."""
    from framework.catalog import STAFF_GROUPS, STAGES

    out: dict = {}
    if args.stage:
        stage = cat.resolve_stage(args.stage)
        if stage is None:
            raise UsageError(
                f"ไม่รู้จักระยะ --stage {args.stage!r} ใช้หนึ่งใน {', '.join(STAGES)}",
                f"unknown --stage {args.stage!r}; use one of {', '.join(STAGES)}",
            )
        out["stage"] = stage
    if args.group:
        groups = []
        for g in args.group:
            key = cat.resolve_staff_group(g)
            if key is None:
                raise UsageError(
                    f"ไม่รู้จักกลุ่มบุคลากร --group {g!r} ใช้หนึ่งใน {', '.join(STAFF_GROUPS)}",
                    f"unknown --group {g!r}; use one of {', '.join(STAFF_GROUPS)}",
                )
            groups.append(key)
        out["group"] = groups
    if args.agency:
        out["agency"] = [a.strip() for a in args.agency if a.strip()]
    if args.unit:
        out["unit"] = [u.strip() for u in args.unit if u.strip()]
    if args.org_unit:
        out["org_unit"] = [u.strip() for u in args.org_unit if u.strip()]
    return out


def _units(cat, f: dict) -> list[str] | None:
    """Unit codes named by --unit (checked against the catalogue), or None for all."""
    if "unit" not in f:
        return None
    codes = cat.unit_codes()
    bad = [u for u in f["unit"] if u not in codes]
    if bad:
        raise UsageError(
            f"ไม่รู้จักรหัสหน่วยความสามารถ --unit {', '.join(bad)} รหัสมีรูปแบบเช่น DLit100",
            f"unknown --unit {', '.join(bad)}; unit codes look like DLit100 (see `python -m framework export units`)",
        )
    return f["unit"]


def _not_for(table: str, f: dict, *names: str) -> None:
    used = [n for n in names if n in f]
    if used:
        raise UsageError(f"ใช้ --{used[0]} กับตาราง {table} ไม่ได้", f"--{used[0]} does not apply to {table}")


def framework_table(cat, table: str, f: dict):
    """units, elements, criteria, profiles or requirements, filtered like the views."""
    if table in ("units", "elements", "criteria"):
        _not_for(table, f, "stage", "group", "agency", "org_unit")
        units = _units(cat, f)
        df = {"units": cat.units, "elements": cat.elements, "criteria": cat.criteria}[table]()
        col = "code" if table == "units" else "unit_code"
        return df if units is None else df[df[col].isin(units)].reset_index(drop=True)
    if table == "profiles":
        _not_for(table, f, "agency", "unit", "org_unit")
        df = cat.table("profiles")
    else:  # requirements
        _not_for(table, f, "agency", "org_unit")
        df = cat.requirement_matrix(f.get("stage"))
        units = _units(cat, f)
        if units is not None:
            df = df[df["unit_code"].isin(units)]
    if "stage" in f:
        df = df[df["stage"] == f["stage"]]
    if "group" in f:
        df = df[df["staff_group"].isin(f["group"])]
    return df.reset_index(drop=True)


def survey_filters(f: dict, args):
    """The analysis Filters of the flags: k checked against the floor (--passphrase-stdin to go below it),
    exact figures only in local mode or with the HR passphrase (cli.survey_access)."""
    from framework import analysis

    k, exact = survey_access(args.min_cell, args.passphrase)
    return analysis.Filters(
        staff_groups=tuple(f.get("group", ())),
        agencies=tuple(f.get("agency", ())),
        org_units=tuple(f.get("org_unit", ())),
        min_cell=k,
        round=getattr(args, "round", None) or analysis.ROUND_LATEST,
        authorised=exact,
        **({"threshold": args.threshold} if args.threshold is not None else {}),
    )


def survey_table(con, cat, table: str, f: dict, args, filters) -> pd.DataFrame:
    """coverage / readiness via framework.analysis (suppressed as on screen), or responses (passphrase)."""
    from framework import analysis

    _known_values(con, f)
    if table == "responses":
        if not authorised(args.passphrase):
            raise UsageError(
                "responses เป็นข้อมูลรายบุคคล: ใส่รหัสผ่าน HR ด้วย --passphrase-stdin (หรือพิมพ์เมื่อโปรแกรมถาม)",
                "responses are row-level: give the HR passphrase with --passphrase-stdin "
                "(or type it when asked at a terminal)",
            )
        return _responses(con, cat, f, getattr(args, "round", None) or "all")
    if table == "coverage":
        units = _units(cat, f)
        by = args.by or "group"
        df = analysis.with_round(
            con, filters, analysis.coverage(con, filters, stage=f.get("stage", "Early"), by=by), by
        )
        return df if units is None else df[df["code"].isin(units)].reset_index(drop=True)
    _not_for(table, f, "unit")
    df = analysis.with_round(con, filters, analysis.readiness(con, filters, by=args.by or "group"), args.by or "group")
    return df if "stage" not in f else df[df["stage"] == f["stage"]].reset_index(drop=True)


def _known_values(con, f: dict) -> None:
    """An --agency or --org-unit the store does not hold is a typo, not an empty result."""
    from framework import analysis

    options = analysis.filter_options(con)
    for flag, key, known in (("agency", "agency", options["agencies"]), ("org-unit", "org_unit", options["org_units"])):
        bad = [v for v in f.get(key, ()) if v not in known]
        if bad:
            shown = ", ".join(map(str, known[:8])) + (" ..." if len(known) > 8 else "")
            raise UsageError(
                f"ไม่พบ --{flag} {', '.join(bad)} ในคลัง ค่าที่มี: {shown or '(ไม่มี)'}",
                f"unknown --{flag} {', '.join(bad)}; the store holds: {shown or '(none)'}",
            )


def _responses(con, cat, f: dict, round_: str) -> pd.DataFrame:
    """Row-level responses with their batch's stage and round; unit columns all or --unit.

    Filtered by framework/sql/filtered.sql over the responses, the rule of every view: agencies and org units
    compared trimmed, a missing one as '—'; the agency column shows that same key.
    """
    from framework import analysis, db
    from framework.analysis.base import round_ids
    from framework.analysis.source import RESPONSES, Source

    units = _units(cat, f) or cat.unit_codes()
    cols = ", ".join("f." + db.ident(c) for c in units)
    query = (
        "SELECT f.batch_id, f.respondent_id, f.staff_group, f.agency, f.org_unit, f.position, "
        f"f.batch_stage AS stage, b.round_date, {cols} "
        f"FROM ({Source(RESPONSES).filtered()}) f JOIN store.batches b USING (batch_id) "
        "WHERE ($stage IS NULL OR f.batch_stage = $stage) "
        "ORDER BY b.round_date NULLS LAST, f.batch_id, f.respondent_id"
    )
    return db.query(
        con,
        query,
        {
            "stage": f.get("stage"),
            "batches": None,
            "rounds": None,
            "staff_groups": f.get("group"),
            "agencies": f.get("agency"),
            "org_units": f.get("org_unit"),
            "round": analysis.check_round(round_),
            "round_ids": round_ids(con, analysis.check_round(round_)),
        },
    )


# --- the command -----------------------------------------------------------------------------


def _format(args) -> str:
    from framework.outputs.export import FORMATS

    fmt = (args.fmt or Path(args.out).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise UsageError(
            f"ไม่รู้จักรูปแบบ --format {fmt or '(ไม่ระบุ)'!r} ใช้ csv, xlsx หรือ parquet",
            f"unknown --format {fmt or '(none)'!r}; use csv, xlsx or parquet",
        )
    return fmt


def _out_path(args, fmt: str, name: str) -> Path:
    out = Path(args.out)
    if out.is_dir():
        return out / name
    if not out.parent.exists():
        raise UsageError(
            f"ไม่มีโฟลเดอร์ {out.parent} (สร้างก่อน หรือเลือก --out อื่น)",
            f"folder {out.parent} does not exist (create it or choose another --out)",
        )
    return out


def run(args) -> int:
    """Export one table; print the file written."""
    from framework import db, targets
    from framework.analysis import check_round, rounds
    from framework.catalog import Catalog
    from framework.outputs import export

    table = args.table.lower()
    if table not in TABLES:
        raise UsageError(
            f"ไม่รู้จักตาราง {args.table!r} ใช้หนึ่งใน {', '.join(TABLES)}",
            f"unknown table {args.table!r}; use one of {', '.join(TABLES)}",
        )
    fmt = _format(args)
    args.threshold, args.min_cell = _int("--threshold", args.threshold), _int("--min-cell", args.min_cell)
    if args.min_cell is not None and args.min_cell < 1:
        raise UsageError("--min-cell ต้องเป็น 1 ขึ้นไป", "--min-cell must be 1 or more")
    if args.threshold is not None and not 0 <= args.threshold <= 4:
        raise UsageError(
            "--threshold ต้องเป็น 0 (ระดับเป้าหมายของหน่วยงาน) หรือ 1, 2, 3, 4",
            "--threshold must be 0 (the agency's target levels) or 1, 2, 3, 4",
        )
    if args.by is not None and args.by not in ("group", "agency", "unit"):
        raise UsageError(
            f"ไม่รู้จัก --by {args.by!r} ใช้ group, agency หรือ unit", f"unknown --by {args.by!r}; use group, agency or unit"
        )
    survey = table in SURVEY_TABLES
    with open_store(args.db) if survey else db.connect() as con:
        cat = Catalog(con)
        f = _resolve(cat, args)
        if survey:
            filters = survey_filters(f, args) if table != "responses" else None
            df = survey_table(con, cat, table, f, args, filters)
        else:
            filters = None
            for flag in ("threshold", "min_cell", "passphrase", "by", "round"):
                if getattr(args, flag) is not None:
                    raise UsageError(
                        f"ใช้ --{flag.replace('_', '-')} กับตาราง {table} ไม่ได้",
                        f"--{flag.replace('_', '-')} does not apply to {table}",
                    )
            df = framework_table(cat, table, f)
        shown = dict(f)
        if table == "coverage":
            shown = {"stage": f.get("stage", "Early"), **shown}
        if filters is not None:
            shown["by"] = args.by or "group"
        if survey:
            shown["round"] = (
                rounds.settings_label(con, filters) if filters is not None else check_round(args.round or "all")
            )
        threshold, k = (filters.threshold, filters.min_cell) if filters is not None else (None, None)
        stated = dict(shown)
        if filters is not None and filters.threshold == targets.TARGET:  # the target levels in force, as the app
            stated["targets"] = targets.settings(con, filters)
        settings = export.settings(cat.meta(), table, stated, threshold=threshold, min_cell=k)
        # Named like the app's downloads: view, filters, then threshold and k of an aggregate, and the date.
        named = {**shown, **({"threshold": threshold, "min_cell": k} if filters is not None else {})}
        path = _out_path(args, fmt, export.filename(table, named, fmt))
        data = export.table_bytes(fmt, df, settings)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise UsageError(
            f"เขียนไฟล์ {path} ไม่ได้: {exc.strerror or exc}", f"cannot write {path}: {exc.strerror or exc}"
        ) from None
    if table == "responses":  # row-level: one line in the audit log (framework.audit)
        note("row-export", ", ".join(f.get("agency") or []) or None, f"responses: {path.name} ({len(df)} rows, {fmt})")
    echo(f"{path} ({len(df)} rows, {fmt})")
    return 0
