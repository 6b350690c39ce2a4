"""Issue 20 point 7: user text printed by the CLI cannot drive the terminal (escapes, C1, DEL, bidi controls)."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from framework import cli
from framework.cli.text import escape

ROOT = Path(__file__).resolve().parent.parent
EVIL = "Evil\x1b[2K\rAgency A (verified)\x1b[31m"
BIDI = "กรม\u202eทดสอบ\x9b\x7f"
GROUPS = ["ผู้บริหารระดับสูง", "ผู้ทำงานด้านบริการ", "ผู้ปฏิบัติงานด้านเทคโนโลยี"]
RAW = ("\x1b", "\r", "\u202e", "\x9b", "\x7f")


def run(capsysbinary, *argv):
    code = cli.main([str(a) for a in argv])
    out = capsysbinary.readouterr()
    return code, out.out.decode("utf-8"), out.err.decode("utf-8")


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    """A store with one round of 12 people for each of two hostile agency names."""
    tmp = tmp_path_factory.mktemp("cli-text")
    db = tmp / "s.duckdb"
    for i, agency in enumerate((EVIL, BIDI)):
        path = tmp / f"{i}.csv"
        path.write_text(
            "respondent_id,group,DLit100,DG100\n"
            + "".join(f"P{j},{GROUPS[j % 3]},{j % 5},{i + 2}\n" for j in range(12)),
            encoding="utf-8",
        )
        assert (
            cli.main(
                [
                    "ingest",
                    str(path),
                    "--db",
                    str(db),
                    "--agency",
                    f"agency-{i}",
                    "--stage",
                    "Early",
                    "--round",
                    "2025-06-30",
                ]
            )
            == 0
        )
    # Ingest now stores canonical names (framework/names.py strips control and format characters), so the
    # hostile names are written as a store from before that (or another writer) would hold them.
    from framework import db as fdb
    from framework.store import aggregates

    con = fdb.connect(db)
    try:
        with fdb.transaction(con) as cur:
            for i, agency in enumerate((EVIL, BIDI)):
                cur.execute("UPDATE store.batches SET agency = ? WHERE agency = ?", [agency, f"agency-{i}"])
                cur.execute("UPDATE store.responses SET agency = ? WHERE agency = ?", [agency, f"agency-{i}"])
            aggregates.rebuild(cur)
    finally:
        con.close()
    return db


def test_escape_is_visible_and_leaves_thai_alone():
    assert escape(EVIL) == "Evil\\x1b[2K\\rAgency A (verified)\\x1b[31m"
    assert escape(BIDI) == "กรม\\u202eทดสอบ\\x9b\\x7f"
    assert escape("ผู้ทำงานด้านบริการ ก.พ. 2568") == "ผู้ทำงานด้านบริการ ก.พ. 2568"
    assert escape("a\u2066b\u2028c\ufeffd\U000e0041") == "a\\u2066b\\u2028c\\ufeffd\\U000e0041"
    assert escape("a\nb\tc", keep="\n") == "a\nb\\tc" and escape("a\nb") == "a\\nb"
    assert json.loads('"' + escape("x\u202ey\x9b\U000e0041", json=True) + '"') == "x\u202ey\x9b\U000e0041"


@pytest.mark.parametrize("by", ["agency", "group"])
def test_readiness_csv_escapes_agency_names(db_file, capsysbinary, by):
    code, out, err = run(capsysbinary, "readiness", "--by", by, "--db", db_file, "--format", "csv")
    assert code == 0, err
    assert not any(ch in out for ch in RAW)
    if by == "agency":
        keys = set(pd.read_csv(io.StringIO(out), keep_default_na=False)["key"])
        assert "Evil\\x1b[2K\\rAgency A (verified)\\x1b[31m" in keys and "กรม\\u202eทดสอบ\\x9b\\x7f" in keys


def test_readiness_json_keeps_the_text_but_not_the_raw_characters(db_file, capsysbinary):
    code, out, _ = run(capsysbinary, "readiness", "--by", "agency", "--db", db_file, "--format", "json")
    assert code == 0 and not any(ch in out for ch in RAW)
    assert {EVIL, BIDI} <= {row["key"] for row in json.loads(out)}  # a JSON reader gets the names back


def test_batches_table_json_and_errors_escape(db_file, capsysbinary):
    code, out, _ = run(capsysbinary, "batches", "--db", db_file)
    assert code == 0 and "Evil\\x1b[2K\\rAgency A" in out and not any(ch in out for ch in RAW)
    code, out, _ = run(capsysbinary, "batches", "--db", db_file, "--json")
    assert code == 0 and not any(ch in out for ch in RAW)
    assert {EVIL, BIDI} <= {b["agency"] for b in json.loads(out)}
    code, out, err = run(capsysbinary, "delete", "no\x1b]0;title\x07such\u202e", "--db", db_file)
    assert code == 2 and out == "" and "no\\x1b]0;title\\x07such\\u202e" in err
    assert not any(ch in err for ch in RAW + ("\x07",)) and err.count("\n") == 1


def test_every_cli_module_prints_through_echo():
    """One helper for every command: no print() or direct sys.stdout/sys.stderr writes in framework/cli/."""
    offenders = []
    for path in sorted((ROOT / "framework" / "cli").rglob("*.py")):
        if path.name == "text.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(f"{path.name}:{node.lineno} print()")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("stdout", "stderr")
                and getattr(node.value, "id", None) == "sys"
            ):
                offenders.append(f"{path.name}:{node.lineno} sys.{node.attr}")
    assert offenders == []
