"""`python -m framework ingest --on-conflict`, `delete` to the trash, `batches --deleted`, `restore`, `purge`.

In-process (cli.main + capsys) on ONE store file per module; each test uses its own round date, so the
tests do not depend on each other's order.
"""

from __future__ import annotations

import getpass
import json
from types import SimpleNamespace

import pytest

from framework import cli

AGENCY = "กรมทดสอบคำสั่ง"
GROUPS = [
    "ผู้บริหารระดับสูง",
    "ผู้อำนวยการกอง",
    "ผู้ทำงานด้านบริการ",
    "ผู้ปฏิบัติงานด้านเทคโนโลยี",
    "ผู้ทำงานด้านนโยบายและวิชาการ",
    "ผู้ทำงานด้านบริการ",
    "ผู้ปฏิบัติงานด้านเทคโนโลยี",
    "ผู้ทำงานด้านบริการ",
]


def wide(ids, tag: str) -> str:
    """A wide survey of `ids`; `tag` (the position column) makes each test's files differ by content."""
    return "respondent_id,group,position,DLit100,DG100\r\n" + "".join(
        f"{p},{GROUPS[i % len(GROUPS)]},{tag},{i % 5},{(i + 2) % 5}\r\n" for i, p in enumerate(ids)
    )


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    return tmp_path_factory.mktemp("cli_rounds") / "store.duckdb"


@pytest.fixture
def run(capsys, db_file):
    """cli.main on the module's store; returns (returncode, stdout, stderr, json when --json)."""

    def call(*args):
        code = cli.main([str(a) for a in args] + ["--db", str(db_file)])
        out = capsys.readouterr()
        data = json.loads(out.out) if "--json" in args and out.out.strip() else None
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err, json=data)

    return call


@pytest.fixture
def files(tmp_path, request):
    """The same 8 people as UTF-8 and as Windows-874 (other bytes, same content), and 2 of them + 2 new;
    the levels differ from test to test (a file stored by another test would be 'the same content again')."""
    ids = [f"P{i}" for i in range(1, 9)]
    seed = request.node.name
    out = {}
    for name, text, enc in (
        ("utf8.csv", wide(ids, seed), "utf-8"),
        ("cp874.csv", wide(ids, seed), "cp874"),
        ("mixed.csv", wide(["P7", "P8", "N1", "N2"], seed), "utf-8"),
    ):
        (tmp_path / name).write_bytes(text.encode(enc))
        out[name] = tmp_path / name
    assert out["utf8.csv"].read_bytes() != out["cp874.csv"].read_bytes()
    return out


def ingest(run, path, round_date, *extra):
    return run("ingest", path, "--agency", AGENCY, "--stage", "Developing", "--round", round_date, *extra)


def live(run):
    return run("batches", "--json").json


def people(run, round_date) -> int:
    return sum(b["respondents"] for b in live(run) if b["round_date"] == round_date and b["agency"] == AGENCY)


def test_same_people_in_the_other_encoding_are_refused_by_default(run, files):
    r = "2025-01-31"
    first = ingest(run, files["utf8.csv"], r, "--json")
    assert first.returncode == 0 and (first.json["accepted"], first.json["conflicts"]) == (8, 0)
    again = ingest(run, files["cp874.csv"], r, "--json")
    assert again.returncode == 0, again.stderr
    assert again.json["encoding"] == "windows-874" and again.json["duplicate"] is False
    assert (again.json["conflicts"], again.json["accepted"], again.json["batch_id"]) == (8, 0, None)
    assert people(run, r) == 8
    text = ingest(run, files["cp874.csv"], r)
    assert text.returncode == 0 and "Not imported: 8 respondent(s)" in text.stdout
    assert "P1, P2, P3" in text.stdout and "ไม่ได้นำเข้า" in text.stdout  # the ids, in both languages
    assert people(run, r) == 8


def test_replace_and_skip(run, files):
    r = "2025-02-28"
    assert ingest(run, files["utf8.csv"], r, "--json").json["accepted"] == 8
    skip = ingest(run, files["mixed.csv"], r, "--on-conflict", "skip", "--json")
    assert (skip.returncode, skip.json["conflicts"], skip.json["accepted"], skip.json["skipped"]) == (0, 2, 2, 2)
    assert people(run, r) == 10
    replace = ingest(run, files["cp874.csv"], r, "--on-conflict", "replace", "--json")
    assert (replace.returncode, replace.json["conflicts"], replace.json["accepted"]) == (0, 8, 8)
    assert people(run, r) == 10  # the 8 now from the Windows-874 batch, N1 and N2 from the skip batch
    by_file = {b["batch_id"]: b["respondents"] for b in live(run) if b["round_date"] == r}
    assert sorted(by_file.values()) == [0, 2, 8]
    bad = ingest(run, files["mixed.csv"], r, "--on-conflict", "merge")
    assert bad.returncode == 2 and "refuse" in bad.stderr


def test_delete_goes_to_the_trash_with_who_and_restore_brings_it_back(run, files):
    r = "2025-03-31"
    bid = ingest(run, files["utf8.csv"], r, "--json").json["batch_id"]
    d = run("delete", bid)
    assert d.returncode == 0 and "moved to the trash" in d.stdout and "ย้ายชุด" in d.stdout and "ถังขยะ" in d.stdout
    assert people(run, r) == 0
    trash = run("batches", "--deleted", "--json").json
    mine = [t for t in trash if t["batch_id"] == bid]
    assert len(mine) == 1 and mine[0]["deleted_by"] == getpass.getuser() and mine[0]["deleted_at"]
    text = run("batches", "--deleted").stdout
    assert bid in text and getpass.getuser() in text and "utf8.csv" in text
    ok = run("restore", bid)
    assert ok.returncode == 0 and "restored" in ok.stdout and "กู้คืน" in ok.stdout
    assert people(run, r) == 8 and bid not in [t["batch_id"] for t in run("batches", "--deleted", "--json").json]
    missing = run("restore", bid)  # no longer in the trash
    assert missing.returncode == 2 and missing.stdout == "" and missing.stderr.count("\n") == 1
    assert f"no batch {bid} in the trash" in missing.stderr and "ในถังขยะ" in missing.stderr


def test_restore_refused_when_the_people_are_back_in_the_round(run, files):
    r = "2025-04-30"
    bid = ingest(run, files["utf8.csv"], r, "--json").json["batch_id"]
    assert run("delete", bid).returncode == 0
    assert ingest(run, files["cp874.csv"], r, "--json").json["accepted"] == 8
    p = run("restore", bid)
    assert p.returncode == 2 and p.stdout == "" and p.stderr.count("\n") == 1
    assert f"Cannot restore batch {bid}: 8 of its respondents" in p.stderr and "P1, P2" in p.stderr
    assert f"กู้คืนชุด {bid} ไม่ได้" in p.stderr
    assert people(run, r) == 8 and bid in [t["batch_id"] for t in run("batches", "--deleted", "--json").json]


def test_purge_only_from_the_trash(run, files):
    r = "2025-05-31"
    bid = ingest(run, files["utf8.csv"], r, "--json").json["batch_id"]
    live_purge = run("purge", bid)  # a live batch is not purged: delete it first
    assert live_purge.returncode == 2 and "only a batch already deleted to the trash" in live_purge.stderr
    assert people(run, r) == 8
    assert run("delete", bid).returncode == 0
    p = run("purge", bid)
    assert p.returncode == 0 and "purged" in p.stdout and "ถาวร" in p.stdout
    assert bid not in [t["batch_id"] for t in run("batches", "--deleted", "--json").json]
    assert run("restore", bid).returncode == 2
    assert ingest(run, files["utf8.csv"], r, "--json").json["accepted"] == 8  # the file may come again


def test_batches_text_puts_name_agency_round_and_time_before_the_id(run, files):
    r = "2025-06-30"
    bid = ingest(run, files["utf8.csv"], r, "--json").json["batch_id"]
    lines = run("batches").stdout.splitlines()
    header = lines[0].split()
    assert header[:4] == ["file_name", "agency", "round_date", "uploaded_at"] and header[-1] == "batch_id"
    row = next(line for line in lines if bid in line)
    assert row.index("utf8.csv") < row.index(AGENCY) < row.index(r) < row.index(bid)
