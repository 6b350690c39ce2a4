"""`python -m framework archive / archive-restore / compact`, in-process (cli.main + capsys), one store per test."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from framework import cli, db

AGENCY = "กรมทดสอบเก็บถาวร"
GROUPS = ["ผู้บริหารระดับสูง", "ผู้ทำงานด้านบริการ", "ผู้ปฏิบัติงานด้านเทคโนโลยี"]
THAI = re.compile(r"[\u0e00-\u0e7f]")


@pytest.fixture
def run(capsys, tmp_path):
    """cli.main on this test's store; returns (returncode, stdout, stderr, json when --json)."""
    db_file = tmp_path / "store.duckdb"

    def call(*args):
        code = cli.main([str(a) for a in args] + ["--db", str(db_file)])
        out = capsys.readouterr()
        data = json.loads(out.out) if "--json" in args and out.out.strip() else None
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err, json=data)

    call.db = db_file
    return call


@pytest.fixture
def stored(run, tmp_path):
    """Two rounds of the same 10 people (the trash holds a third batch, which is never archived)."""
    for r in ("2024-06-30", "2025-06-30", "2023-06-30"):
        path = tmp_path / f"{r}.csv"
        path.write_text(
            "respondent_id,group,DLit100,DG100\n"
            + "".join(f"P{i},{GROUPS[i % 3]},{i % 5},{(i + len(r)) % 5}\n" for i in range(10))
            + f"P99,{GROUPS[0]},{int(r[3]) % 5},1\n",
            encoding="utf-8",
        )
        assert run("ingest", path, "--agency", AGENCY, "--stage", "Early", "--round", r).returncode == 0
    trashed = next(b for b in run("batches", "--json").json if str(b["round_date"]).startswith("2023"))["batch_id"]
    assert run("delete", trashed).returncode == 0
    return run


def responses(run, round_date: str):
    con = db.connect(run.db, read_only=True)
    try:
        return db.query(
            con,
            """SELECT r.* FROM store.responses r JOIN store.batches b USING (batch_id)
                                WHERE b.round_date = $r ORDER BY respondent_id""",
            {"r": round_date},
        )
    finally:
        con.close()


def bilingual_error(res) -> None:
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.startswith("error: ") and THAI.search(res.stderr) and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_archive_drop_restore_round_trip(stored, tmp_path):
    before = responses(stored, "2024-06-30")
    res = stored("archive", "--round", "2024-06-30", "--out", tmp_path / "arch", "--drop", "--json")
    assert res.returncode == 0, res.stderr
    (part,) = res.json["parts"]
    assert part["respondents"] == 11 and part["agencies"] == [AGENCY] and res.json["dropped"]
    assert "/round=2024-06-30/agency_slug=" in part["path"]
    assert set(part["files"]) == {
        "batches.parquet",
        "responses.parquet",
        "batch_files.parquet",
        "replacements.parquet",
        "superseded_responses.parquet",
    }
    assert responses(stored, "2024-06-30").empty and len(responses(stored, "2025-06-30")) == 11
    assert [b["round_date"] for b in stored("batches", "--json").json] == ["2025-06-30"]
    res = stored("archive-restore", tmp_path / "arch")
    assert res.returncode == 0, res.stderr
    assert "restored 2024-06-30" in res.stdout
    assert responses(stored, "2024-06-30").equals(before)
    again = stored("archive", "--restore", tmp_path / "arch")  # the same people twice in a round: refused
    bilingual_error(again)
    assert "already in the store" in again.stderr and responses(stored, "2024-06-30").equals(before)


def test_archive_without_drop_keeps_the_store(stored, tmp_path):
    res = stored("archive", "--round", "2025-06-30", "--out", tmp_path / "arch")
    assert res.returncode == 0 and "the store is unchanged" in res.stdout
    assert len(responses(stored, "2025-06-30")) == 11


def test_unwritable_out_is_a_bilingual_error_and_changes_nothing(stored, tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    before = responses(stored, "2024-06-30")
    res = stored("archive", "--round", "2024-06-30", "--out", tmp_path / "a-file" / "arch", "--drop")
    bilingual_error(res)
    assert "nothing was changed" in res.stderr
    assert responses(stored, "2024-06-30").equals(before)


def test_a_tampered_archive_is_refused(stored, tmp_path):
    assert stored("archive", "--round", "2024-06-30", "--out", tmp_path / "arch", "--drop").returncode == 0
    (path,) = (tmp_path / "arch").glob("round=*/agency_slug=*/batches.parquet")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    res = stored("archive-restore", tmp_path / "arch")
    bilingual_error(res)
    assert "sha256" in res.stderr and responses(stored, "2024-06-30").empty


@pytest.mark.parametrize(
    "args",
    [
        ("archive", "--out", "x"),
        ("archive", "--round", "2024-13-45", "--out", "x"),
        ("archive", "--round", "2022-06-30", "--out", "x"),
    ],
)
def test_bad_input_is_one_bilingual_line(stored, args):
    bilingual_error(stored(*args))


@pytest.mark.parametrize("command", [("archive", "--round", "2024-06-30", "--out", "x"), ("compact",)])
def test_a_missing_store_is_refused_not_created(run, command):
    bilingual_error(run(*command))
    assert not run.db.exists()


def test_compact_gives_the_space_back(stored, tmp_path):
    con = db.connect(stored.db)
    units = ", ".join(["(hash(i) % 5)::UTINYINT"] * (len(con.execute("DESCRIBE store.responses").fetchall()) - 6))
    bid = db.scalar(con, "SELECT batch_id FROM store.batches WHERE round_date = '2024-06-30'")
    db.execute(
        con,
        f"INSERT INTO store.responses SELECT $b, 'X' || i, 'Executive', NULL, 'u', NULL, {units} "
        "FROM range(200000) t(i)",
        {"b": bid},
    )
    con.close()
    res = stored("archive", "--round", "2024-06-30", "--out", tmp_path / "arch", "--drop", "--json")
    assert res.returncode == 0, res.stderr
    dropped = res.json["store_bytes_after"]
    res = stored("compact", "--json")
    assert res.returncode == 0, res.stderr
    assert res.json["bytes_before"] == dropped and res.json["bytes_after"] < 0.5 * dropped
    assert len(responses(stored, "2025-06-30")) == 11
    assert stored("batches", "--deleted", "--json").json[0]["respondents"] == 11  # the trash came along


def test_a_retry_removes_what_a_killed_archive_left_behind(stored, tmp_path):
    """Issue 20 point 8: stale `.archive-<hex>` folders of a killed run go; one in use, or not ours, stays."""
    import fcntl
    import os

    out = tmp_path / "arch"
    killed, running, old, recent = (out / f".archive-{c * 12}" for c in "abcd")
    for d in (killed, running, old, recent, out / ".archive-notours", out / ".other-0123456789ab"):
        (d / "x").mkdir(parents=True)
        (d / "x" / "responses.parquet").write_bytes(b"partial")
    (killed / ".lock").touch()  # its process died: nobody holds the lock
    held = open(running / ".lock", "a+b")  # noqa: SIM115 - another archive run, still writing
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.utime(old, (1_000_000_000, 1_000_000_000))  # no lock file (older program), untouched for years
    try:
        res = stored("archive", "--round", "2024-06-30", "--out", out)
        assert res.returncode == 0, res.stderr
    finally:
        held.close()
    assert not killed.exists() and not old.exists()
    assert running.exists() and recent.exists() and (out / ".archive-notours").exists()
    assert (out / ".other-0123456789ab").exists()
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["round=2024-06-30"]
