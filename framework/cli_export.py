"""`python -m framework export TABLE --format csv|xlsx|parquet --out PATH`: the views' tables as files."""
from __future__ import annotations

import os
from pathlib import Path

from framework.cli import UsageError

TABLES = ("units", "elements", "criteria", "profiles", "requirements", "coverage", "readiness", "responses")
SURVEY_TABLES = ("coverage", "readiness", "responses")
PASSPHRASE_ENV = "SKILLS_HR_PASSPHRASE"


def register(sub) -> None:
    """Add `export` to the parser."""
    p = sub.add_parser("export", help="write a table (as filtered in the views) to CSV, XLSX or Parquet",
                       description="Write one table to a file. Survey aggregates are small-cell suppressed "
                                   "like the screen; row-level responses need the HR passphrase.")
    p.add_argument("table", help="one of: " + ", ".join(TABLES))
    p.add_argument("--format", dest="fmt", default=None,
                   help="csv, xlsx or parquet (default: from the --out extension)")
    p.add_argument("--out", required=True, help="output file, or an existing folder (a file name is made)")
    p.add_argument("--db", default=None, help="survey store file (default: $SKILLS_DB or var/skills.duckdb)")
    p.add_argument("--stage", help="Early, Developing or Mature (Thai names accepted)")
    p.add_argument("--group", action="append", help="staff group (repeat for several; Thai names accepted)")
    p.add_argument("--agency", action="append", help="agency (repeat for several)")
    p.add_argument("--unit", action="append", help="unit of capability code, e.g. DLit100 (repeat for several)")
    p.add_argument("--org-unit", dest="org_unit", action="append", help="org unit (coverage/readiness; repeat)")
    p.add_argument("--by", default=None, help="coverage/readiness breakdown: group, agency or unit")
    p.add_argument("--threshold", default=None, help="level counted as met (1-4, default 3)")
    p.add_argument("--min-cell", dest="min_cell", default=None,
                   help="hide figures over fewer than k respondents (default 5)")
    p.add_argument("--passphrase", default=None, help=f"HR passphrase for responses (or ${PASSPHRASE_ENV})")
    p.set_defaults(func=run)


def _int(flag: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{flag} must be a whole number, got {text!r}") from None


# --- building the table ----------------------------------------------------------------------
def _catalog(store: Path | None):
    from framework import db
    from framework.catalog import Catalog

    if store is None:
        return Catalog(db.connect())
    if not store.exists():
        raise UsageError(f"no survey store at {store} (upload a survey first, or pass --db PATH)")
    try:
        return Catalog(db.connect(store, read_only=True))
    except Exception as exc:  # a locked or corrupt file
        raise UsageError(f"cannot open the survey store {store}: {str(exc).splitlines()[0]}") from None


def _resolve(cat, args) -> dict:
    """Check every filter value against the catalogue; return the normalised filters."""
    from framework.catalog import STAFF_GROUPS, STAGES

    out: dict = {}
    if args.stage:
        stage = cat.resolve_stage(args.stage)
        if stage is None:
            raise UsageError(f"unknown --stage {args.stage!r}; use one of {', '.join(STAGES)}")
        out["stage"] = stage
    if args.group:
        groups = []
        for g in args.group:
            key = cat.resolve_staff_group(g)
            if key is None:
                raise UsageError(f"unknown --group {g!r}; use one of {', '.join(STAFF_GROUPS)}")
            groups.append(key)
        out["group"] = groups
    if args.agency:
        out["agency"] = [a.strip() for a in args.agency if a.strip()]
    if args.unit:
        out["unit"] = [u.strip() for u in args.unit if u.strip()]
    if args.org_unit:
        out["org_unit"] = [u.strip() for u in args.org_unit if u.strip()]
    return out


def streamlit_secret() -> str | None:
    """`hr_passphrase` from the app's secrets.toml, so the CLI is as locked as the app (no streamlit import)."""
    import tomllib

    from framework.paths import ROOT

    for path in (ROOT / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        try:
            with path.open("rb") as fh:
                value = tomllib.load(fh).get("hr_passphrase")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if value:
            return str(value)
    return None


def _units(cat, f: dict) -> list[str] | None:
    """Unit codes named by --unit (checked against the catalogue), or None for all."""
    if "unit" not in f:
        return None
    codes = cat.unit_codes()
    bad = [u for u in f["unit"] if u not in codes]
    if bad:
        raise UsageError(f"unknown --unit {', '.join(bad)}; unit codes look like DLit100 "
                         "(see `python -m framework export units`)")
    return f["unit"]


def _not_for(table: str, f: dict, *names: str) -> None:
    used = [n for n in names if n in f]
    if used:
        raise UsageError(f"--{used[0]} does not apply to {table}")


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


def survey_table(cat, table: str, f: dict, args):
    """coverage / readiness via framework.analysis (already suppressed), or responses (passphrase)."""
    from framework import analysis

    con = cat.con
    if not analysis.has_store(con):
        raise UsageError("the survey store holds no survey tables yet (upload a survey first)")
    if table == "responses":
        from framework import access

        passphrase = args.passphrase or os.environ.get(PASSPHRASE_ENV)
        secret = streamlit_secret()
        if not access.local_mode(secret) and not passphrase:
            raise UsageError(f"responses are row-level: give --passphrase or set ${PASSPHRASE_ENV}")
        if not access.verify(passphrase, secret):
            raise UsageError("wrong HR passphrase: row-level responses not exported")
        return _responses(cat, f)
    try:
        filters = analysis.Filters(
            staff_groups=tuple(f.get("group", ())), agencies=tuple(f.get("agency", ())),
            org_units=tuple(f.get("org_unit", ())),
            **({"threshold": args.threshold} if args.threshold is not None else {}),
            **({"min_cell": args.min_cell} if args.min_cell is not None else {}))
        if table == "coverage":
            units = _units(cat, f)
            df = analysis.coverage(con, filters, stage=f.get("stage", "Early"), by=args.by or "group")
            if units is not None:
                df = df[df["code"].isin(units)].reset_index(drop=True)
            return df, filters
        _not_for(table, f, "unit")
        df = analysis.readiness(con, filters, by=args.by or "group")
        if "stage" in f:
            df = df[df["stage"] == f["stage"]].reset_index(drop=True)
        return df, filters
    except analysis.AnalysisError as exc:
        raise UsageError(exc.en) from None


def _responses(cat, f: dict):
    """Row-level responses joined to their batch's stage and round, filtered; unit columns all or --unit."""
    _not_for("responses", f, "org_unit")
    codes = cat.unit_codes()
    units = _units(cat, f) or codes
    cols = ", ".join(f'r."{c}"' for c in units)
    query = (f"SELECT r.batch_id, r.respondent_id, r.staff_group, coalesce(r.agency, b.agency) AS agency, "
             f"r.org_unit, r.position, b.stage, b.round_date, {cols} "
             "FROM store.responses r JOIN store.batches b USING (batch_id) "
             "WHERE ($stage IS NULL OR b.stage = $stage) "
             "AND ($groups::VARCHAR[] IS NULL OR list_contains($groups::VARCHAR[], r.staff_group)) "
             "AND ($agencies::VARCHAR[] IS NULL "
             "     OR list_contains($agencies::VARCHAR[], coalesce(r.agency, b.agency))) "
             "ORDER BY b.round_date NULLS LAST, r.batch_id, r.respondent_id")
    return cat.q(query, {"stage": f.get("stage"), "groups": f.get("group"), "agencies": f.get("agency")})


# --- the command -----------------------------------------------------------------------------
def _format(args) -> str:
    from framework.export import FORMATS

    fmt = (args.fmt or Path(args.out).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt or '(none)'!r}; use csv, xlsx or parquet")
    return fmt


def _out_path(args, fmt: str, name: str) -> Path:
    out = Path(args.out)
    if out.is_dir():
        return out / name
    if not out.parent.exists():
        raise UsageError(f"folder {out.parent} does not exist (create it or choose another --out)")
    return out


def run(args) -> int:
    """Export one table; print the file written."""
    from framework import export
    from framework.paths import store_path

    table = args.table.lower()
    if table not in TABLES:
        raise UsageError(f"unknown table {args.table!r}; use one of {', '.join(TABLES)}")
    fmt = _format(args)
    args.threshold, args.min_cell = _int("--threshold", args.threshold), _int("--min-cell", args.min_cell)
    if args.min_cell is not None and args.min_cell < 1:
        raise UsageError("--min-cell must be 1 or more")
    if args.threshold is not None and not 1 <= args.threshold <= 4:
        raise UsageError("--threshold must be 1, 2, 3 or 4")
    if args.by is not None and args.by not in ("group", "agency", "unit"):
        raise UsageError(f"unknown --by {args.by!r}; use group, agency or unit")
    survey = table in SURVEY_TABLES
    cat = _catalog(Path(args.db) if args.db else store_path()) if survey else _catalog(None)
    try:
        f = _resolve(cat, args)
        threshold = min_cell = None
        if survey:
            if table == "responses":
                df = survey_table(cat, table, f, args)
            else:
                df, filters = survey_table(cat, table, f, args)
                threshold, min_cell = filters.threshold, filters.min_cell
        else:
            for flag in ("threshold", "min_cell", "passphrase"):
                if getattr(args, flag) is not None:
                    raise UsageError(f"--{flag.replace('_', '-')} does not apply to {table}")
            if args.by is not None:
                raise UsageError(f"--by does not apply to {table}")
            df = framework_table(cat, table, f)
        shown = dict(f)
        if table == "coverage":
            shown = {"stage": f.get("stage", "Early"), **shown}
        if survey and table != "responses":
            shown["by"] = args.by or "group"
        settings = export.settings(cat.meta(), table, shown, threshold=threshold, min_cell=min_cell)
        path = _out_path(args, fmt, export.filename(table, shown, fmt))
        data = export.table_bytes(fmt, df, settings)
    finally:
        cat.con.close()
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"{path} ({len(df)} rows, {fmt})")
    return 0
