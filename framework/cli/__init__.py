"""Command line: `python -m framework <command>`; each area registers its own sub-commands.

This module owns what every command shares:
- `parser()` / `main(argv)`: the argument parser and the one error style. Every error a user can cause
  (a bad flag, a missing or locked store, a refused file, a wrong passphrase) is ONE line on stderr,
  `error: <English> / <Thai>`, and exit status 2; never a traceback.
- `open_store()`: the one way a command opens the survey store (missing, locked and unreadable files
  explained the same way for every command).
- `authorised()`: whether a command may go below the k floor, get exact figures (`survey_access()`) or read
  row-level data (HR passphrase).
  The passphrase is never needed on the command line (where every local user sees it in `ps`): it is asked
  for at a terminal prompt (getpass) when a command needs it, or read from standard input with
  `--passphrase-stdin` (or `--passphrase -`). `--passphrase VALUE` still works for old scripts, with a
  warning. Every check goes through `framework.access.attempt` (the Throttle and its log).
- `note()`: an action for the audit log (framework.audit: sign-in, upload, delete, restore, purge, campaign
  changes, personal links, k lowered, row-level export), written when the command ends, as
  "command line (<os user>)", into the store the command used (never the passphrase).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

from framework import settings
from framework.errors import BilingualError

# Each module defines register(subparsers) and sets `func` (args -> exit code) on its parsers.
COMMAND_MODULES = (
    "framework.cli.catalog",
    "framework.cli.survey",
    "framework.cli.analysis",
    "framework.cli.export",
    "framework.cli.campaign",
    "framework.cli.archive",
    "framework.cli.migrate",
)
PROG = "python -m framework"


class UsageError(BilingualError):
    """A bad command-line input or an unusable store: printed as one line (English / Thai), exit status 2."""


def line(exc: BilingualError) -> str:
    """The one-line form of a bilingual error: `error: <English> / <Thai>` (no line breaks)."""
    text = f"error: {exc.en} / {exc.th}"
    return " ".join(text.split())


class _Parser(argparse.ArgumentParser):
    """argparse with its errors raised as UsageError (one bilingual line) instead of usage + exit."""

    def error(self, message: str):
        raise UsageError(
            f"คำสั่งไม่ถูกต้อง: {message} (ดูวิธีใช้ด้วย `{self.prog} --help`)", f"{message} (see `{self.prog} --help`)"
        )


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="OCSC digital-skills framework: catalogue, surveys, analysis, exports.")
    sub = p.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status (0 ok, 1 a negative result such as `check`, 2 a user error)."""
    import duckdb

    from framework.cli.text import echo

    args = None
    try:
        settings.check_all()  # a bad environment variable: one line, before anything runs
        args = parser().parse_args(argv)
        read_passphrase(args)
        return int(args.func(args) or 0)
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    except BilingualError as exc:  # UsageError, SurveyFileError, AnalysisError, access refusals
        echo(line(exc), err=True)
        return 2
    except (duckdb.Error, OSError) as exc:  # e.g. another program changed the store at the same moment
        from framework.storage import write_failure

        if (failure := write_failure(exc)) is not None:  # a full disk: where to free space; nothing stored
            echo(line(failure), err=True)
            return 2
        if not isinstance(exc, duckdb.Error):
            raise
        first = _first_line(exc)
        echo(
            line(
                UsageError(
                    f"คลังแบบสำรวจแจ้งข้อผิดพลาด ({first}) ลองสั่งใหม่อีกครั้ง",
                    f"the survey store reported an error ({first}); run the command again",
                )
            ),
            err=True,
        )
        return 2
    except KeyboardInterrupt:
        echo(line(UsageError("ยกเลิกแล้ว", "interrupted")), err=True)
        return 130
    finally:
        _flush_audit(args)


# --- the audit log ---------------------------------------------------------------------------------------------
_AUDIT: list[tuple[str, str | None, str | None]] = []


def note(action: str, agency: str | None = None, detail: str | None = None) -> None:
    """Record an action in the audit log when the command ends (framework.audit; who: the OS user)."""
    if (action, agency, detail) not in _AUDIT:
        _AUDIT.append((action, agency, detail))


def _flush_audit(args) -> None:
    """Write the noted actions into the command's store (opened for writing once the command's own
    connection is closed); a store that cannot take them gets a one-line warning, the command's result stands."""
    import duckdb

    events, _AUDIT[:] = list(_AUDIT), []
    if not events or args is None:
        return
    from framework import audit
    from framework.cli.text import echo
    from framework.paths import store_target

    target = store_target(getattr(args, "db", None))
    if isinstance(target, Path) and not target.is_file():
        return
    try:
        with open_store(target, write=True, survey=False) as con:
            for action, agency, detail in events:
                audit.record(con, audit.cli_who(), action, agency, detail)
    except (BilingualError, duckdb.Error, OSError) as exc:
        echo(f"warning: audit log not written / ไม่ได้เขียนบันทึกการใช้งาน ({_first_line(exc)})", err=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- the survey store ------------------------------------------------------------------------------------------
# DuckDB raises duckdb.IOException for a lock held by another process, with this message (before the path,
# so a path that happens to contain "lock" is not mistaken for it).
_LOCK_ERROR = re.compile(r"^(?:IO Error: )?Could not set lock on file\b")
_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def store_locked(exc: BaseException) -> bool:
    """Is this the DuckDB error for a store file whose lock another process holds?"""
    import duckdb

    return isinstance(exc, duckdb.IOException) and bool(_LOCK_ERROR.match(str(exc).strip()))


def open_store(path: str | Path | None = None, *, write: bool = False, survey: bool = True):
    """A `framework.db.connect()` connection with the survey store attached, or UsageError saying why not.

    `path` defaults to $SKILLS_DB or var/skills.duckdb. `write=True` (ingest, batches, delete) creates the
    file when absent; read-only commands refuse a missing file, and with `survey=True` a file without
    survey tables. A store another program holds (the running app) is one line naming the way out.
    The caller closes the connection (`with open_store(...) as con:`).
    """
    import duckdb

    from framework import db, pgstore
    from framework.paths import store_target
    from framework.survey.tempfiles import sweep_stale as sweep_stale_temp

    target = store_target(str(path) if path else None)
    sweep_stale_temp()  # intake temp files a killed import left behind (framework.survey.tempfiles)
    if pgstore.is_url(target):
        return _open_pg(target, write=write, survey=survey)
    if not write and not target.is_file():
        raise UsageError(
            f"ไม่พบคลังแบบสำรวจที่ {target}: นำเข้าแบบสำรวจก่อน หรือระบุ --db PATH",
            f"no survey store at {target}: upload a survey first, or give --db PATH",
        )
    try:
        con = db.connect(target, read_only=not write)
    except duckdb.Error as exc:
        if store_locked(exc):
            pid = _LOCK_PID.search(str(exc))
            who = f" (PID {pid.group(1)})" if pid else ""
            raise UsageError(
                f"ไฟล์คลังแบบสำรวจ {target} ถูกโปรแกรมอื่นใช้อยู่{who} (น่าจะเป็นแอปที่เปิดอยู่): ปิดโปรแกรมนั้นก่อน "
                "ใช้ปุ่มดาวน์โหลดหรือหน้านำเข้าในแอป หรือใช้ --db กับไฟล์อื่น ไม่มีข้อมูลใดถูกเปลี่ยน",
                f"the survey store {target} is in use by another program{who} (probably the running app): "
                "stop it, use the app's download buttons or upload page, or give --db another file; "
                "nothing was changed",
            ) from None
        first = _first_line(exc)
        raise UsageError(
            f"เปิดไฟล์คลังแบบสำรวจ {target} ไม่ได้ ({first}) ตรวจว่าเป็นไฟล์ .duckdb ของแอปนี้ ไม่มีข้อมูลใดถูกเปลี่ยน",
            f"the survey store {target} cannot be opened ({first}); check that it is this app's "
            ".duckdb file; nothing was changed",
        ) from None
    if survey and not write and not db.has_store(con):
        con.close()
        raise UsageError(
            f"{target} ยังไม่มีข้อมูลแบบสำรวจ: นำเข้าแบบสำรวจก่อน",
            f"{target} holds no survey tables yet: upload a survey first",
        )
    return con


def _open_pg(url: str, *, write: bool, survey: bool):
    """A connection to a PostgreSQL store (framework/pgstore): shared with the running app, never locked."""
    from framework import db

    try:
        con = db.connect(url)
    except Exception as exc:  # noqa: BLE001 - the driver's errors (no server, bad URL, no rights) are one line
        raise UsageError(
            f"เชื่อมต่อคลังแบบสำรวจ PostgreSQL ไม่ได้ ({_first_line(exc)}) ตรวจที่อยู่ใน SKILLS_DB หรือ --db "
            "และว่าเซิร์ฟเวอร์ทำงานอยู่ ไม่มีข้อมูลใดถูกเปลี่ยน",
            f"cannot connect to the PostgreSQL survey store ({_first_line(exc)}); check the URL in SKILLS_DB or "
            "--db and that the server is running; nothing was changed",
        ) from None
    if survey and not write and not db.has_store(con):
        con.close()
        raise UsageError(
            "คลังแบบสำรวจ PostgreSQL นี้ยังไม่มีข้อมูลแบบสำรวจ: นำเข้าแบบสำรวจก่อน",
            "this PostgreSQL survey store holds no survey tables yet: upload a survey first",
        )
    return con


# --- access ----------------------------------------------------------------------------------------------------
PROMPT = "HR passphrase / รหัสผ่าน HR: "


def read_passphrase(args) -> None:
    """Resolve the passphrase flags into `args.passphrase` before the command runs.

    `--passphrase-stdin` or `--passphrase -`: the first line of standard input (the way for scripts:
    `... --passphrase-stdin < file` or a pipe). `--passphrase VALUE`: accepted, with a one-line warning that
    other users of the computer can read it in `ps`. Neither: None (a terminal prompt later, if needed).
    """
    if not hasattr(args, "passphrase"):
        return
    from_stdin = getattr(args, "passphrase_stdin", False)
    if from_stdin and args.passphrase not in (None, "-"):
        raise UsageError(
            "ใช้ --passphrase หรือ --passphrase-stdin อย่างใดอย่างหนึ่ง",
            "give either --passphrase or --passphrase-stdin, not both",
        )
    if from_stdin or args.passphrase == "-":
        try:
            text = sys.stdin.readline()
        except (OSError, ValueError):
            text = ""
        args.passphrase = text.rstrip("\r\n") or None
        if args.passphrase is None:
            raise UsageError(
                "ไม่ได้รับรหัสผ่าน HR ทางอินพุตมาตรฐาน (--passphrase-stdin): ส่งรหัสผ่านเป็นบรรทัดแรก",
                "no HR passphrase on standard input (--passphrase-stdin): send it as the first line",
            )
    elif args.passphrase is not None:
        from framework.cli.text import echo

        echo(
            line(
                UsageError(
                    "รหัสผ่านที่ใส่ใน --passphrase ผู้ใช้อื่นของเครื่องนี้เห็นได้ (ps) ใช้ --passphrase-stdin หรือพิมพ์เมื่อโปรแกรมถาม แทน",
                    "--passphrase VALUE is visible to other users of this computer "
                    "(ps); use --passphrase-stdin, or type it when asked",
                )
            ).replace("error:", "warning:", 1),
            err=True,
        )


def _prompt() -> str | None:
    """Ask for the passphrase at a terminal (not echoed); None when standard input is not a terminal."""
    try:
        if not sys.stdin.isatty():
            return None
    except (AttributeError, OSError, ValueError):
        return None
    import getpass

    try:
        return getpass.getpass(PROMPT) or None
    except (EOFError, OSError):
        return None


def authorised(given: str | None) -> bool:
    """True in local mode (no passphrase configured) or when `given` (or, at a terminal, the one typed at
    the prompt) is the HR passphrase.

    The passphrase is configured by $SKILLS_HR_PASSPHRASE or the app's secrets file (framework.access);
    configuring it is not giving it. A wrong one is an error, not a quiet downgrade: the user asked for
    something it would unlock. Checks go through access.attempt: the Throttle's delay and its log.
    """
    from framework import access

    secret = access.secrets_file_passphrase()
    if access.local_mode(secret):
        return True
    if given is None:
        given = _prompt()
        if given is None:
            return False
    result = access.attempt(given, secret, session="cli", page="command line")  # logged, never the text
    if not result.ok and not result.checked:
        raise UsageError(
            f"รหัสผ่าน HR ผิดหลายครั้งเกินไป: รออีก {result.wait:.0f} วินาทีแล้วลองใหม่ ไม่ได้ตรวจรหัสผ่านนี้",
            f"too many wrong HR passphrases: wait {result.wait:.0f} s and try again; this one was not checked",
        )
    if not result.ok:
        raise UsageError("รหัสผ่าน HR ไม่ถูกต้อง: ไม่ได้เขียนหรือแสดงข้อมูลใด", "wrong HR passphrase: nothing was written")
    note("sign-in", detail="HR passphrase given to a command")  # never the passphrase itself
    return True


def survey_access(k: int | None, passphrase: str | None) -> tuple[int, bool]:
    """The k (smallest cell shown) of --min-cell, and whether the figures are exact (Filters.authorised).

    k below the configured floor only with the HR passphrase: one rule with the pages and the analyst SQL
    (framework.access.allowed_min_cell); without --min-cell, the default k (5), or the floor when one above
    it is configured. Exact figures in local mode or with the HR passphrase (given, or typed at the prompt a
    k below the floor asks for); otherwise every figure is a sum of whole disclosure blocks, as on the pages
    for anyone without the passphrase. The passphrase is checked once (one throttled, logged attempt).
    """
    from framework import access, analysis

    floor = access.min_cell_floor()
    if (k is not None and k < floor) or passphrase is not None:
        exact = authorised(passphrase)
    else:
        exact = access.local_mode(access.secrets_file_passphrase())
    if k is None:
        return max(analysis.Filters().min_cell, floor), exact
    try:
        allowed = access.allowed_min_cell(k, k >= floor or exact)
        if allowed < floor:
            note("k-lowered", detail=f"k = {allowed} (floor {floor}), command line")
        return allowed, exact
    except UsageError:
        raise
    except BilingualError as exc:
        raise UsageError(f"{exc.th} (--passphrase-stdin)", f"{exc.en} (--passphrase-stdin)") from None


def add_format(p: argparse.ArgumentParser, choices: tuple[str, ...] = ("text", "json"), default: str = "text") -> None:
    """`--format`, the one output flag of every command (issue 23): text (or csv) for people, json for scripts.
    `--json`, not listed in --help, means `--format json` (the flag older scripts use)."""
    p.add_argument(
        "--format", choices=choices, default=default, help=f"what to print: {' or '.join(choices)} (default {default})"
    )
    p.add_argument("--json", dest="format", action="store_const", const="json", help=argparse.SUPPRESS)


def add_passphrase(p: argparse.ArgumentParser, what: str) -> None:
    """The passphrase flags, the same on every command that has them (see read_passphrase)."""
    p.add_argument(
        "--passphrase-stdin",
        action="store_true",
        dest="passphrase_stdin",
        help=f"read the HR passphrase, needed for {what} when one is configured "
        "($SKILLS_HR_PASSPHRASE or .streamlit/secrets.toml), from the first line of standard "
        "input; at a terminal the command asks for it instead",
    )
    p.add_argument(
        "--passphrase",
        default=None,
        metavar="VALUE",
        help="the HR passphrase on the command line: visible to other users in `ps`, so a warning "
        "is printed; `-` reads it from standard input like --passphrase-stdin",
    )
