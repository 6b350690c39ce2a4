"""One command-line dialect (issue 23, point 5): every command that prints takes `--format` (text or csv for
people, json for scripts); `--json`, hidden from --help, still means `--format json`."""

from __future__ import annotations

import argparse
import json

import pytest

from framework.cli import main, parser

# `export` writes a file: its --format is the file's format (csv, xlsx, parquet), not what it prints.
FILE_FORMAT = {"export"}


def _leaves(p: argparse.ArgumentParser, path=()):
    subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, p
        return
    for name, child in subs[0].choices.items():
        yield from _leaves(child, path + (name,))


COMMANDS = [(path, p) for path, p in _leaves(parser()) if path[0] not in FILE_FORMAT]


def test_every_command_is_covered():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {
        "build",
        "check",
        "ingest",
        "batches",
        "delete",
        "restore",
        "purge",
        "coverage",
        "readiness",
        "campaign open",
        "campaign list",
        "campaign close",
        "archive",
        "archive-restore",
        "compact",
    } <= names


@pytest.mark.parametrize("path, p", COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_every_command_takes_format_json_and_the_json_alias(path, p):
    options = {o: a for a in p._actions for o in a.option_strings}
    fmt, alias = options["--format"], options["--json"]
    assert "json" in fmt.choices and fmt.default in fmt.choices and fmt.default in ("text", "csv", "json")
    assert alias.dest == "format" and alias.const == "json" and alias.help == argparse.SUPPRESS
    assert "--json" not in p.format_help()  # documented once: --format


def test_the_export_format_is_the_file_format():
    p = dict(_leaves(parser()))[("export",)]
    assert "--json" not in {o for a in p._actions for o in a.option_strings}


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_format_json_and_json_print_the_same(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    for cmd in (["batches"], ["batches", "--deleted"], ["campaign", "list"], ["compact"]):
        code1, out1, err1 = run(capsys, *cmd, "--db", db, "--format", "json")
        code2, out2, err2 = run(capsys, *cmd, "--db", db, "--json")
        assert code1 == code2 == 0 and err1 == err2 == "", (cmd, err1, err2)
        if cmd[0] == "compact":  # sizes may differ between two compactions
            assert json.loads(out1).keys() == json.loads(out2).keys()
        else:
            assert out1 == out2 and json.loads(out1) == []


def test_text_is_the_default_for_people(tmp_path, capsys):
    code, out, _err = run(capsys, "batches", "--db", tmp_path / "s.duckdb")
    assert code == 0 and out.startswith("no batches")
    code, out, _err = run(capsys, "batches", "--db", tmp_path / "s.duckdb", "--format", "text")
    assert code == 0 and out.startswith("no batches")


def test_delete_says_what_it_did_in_json(tmp_path, capsys, demo_store):
    from framework import db

    con = db.connect(demo_store, read_only=True)
    batch = db.scalar(con, "SELECT min(batch_id) FROM store.batches")
    con.close()
    for cmd, key in (("delete", "deleted"), ("restore", "restored"), ("delete", "deleted"), ("purge", "purged")):
        code, out, err = run(capsys, cmd, batch, "--db", demo_store, "--format", "json")
        assert code == 0 and json.loads(out) == {"batch_id": batch, key: True}, (cmd, err)


def test_check_in_json(capsys):
    code, out, _err = run(capsys, "check", "--format", "json")
    data = json.loads(out)
    assert data["up_to_date"] == (code == 0) == (data["stale"] == [])


def test_an_unknown_format_is_one_bilingual_line(tmp_path, capsys):
    code, out, err = run(capsys, "batches", "--db", tmp_path / "s.duckdb", "--format", "yaml")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "--format" in err
