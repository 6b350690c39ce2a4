"""Issue 20 point 3: a full disk says so in one bilingual line, reads go on, and writes work again by themselves
once space returns (no restart). Reproduced on a real 4 MB tmpfs when the test runs as root (mount), else the
DuckDB errors it raises there are replayed."""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from framework import cli, db, storage
from framework.catalog import Catalog
from framework.store import SurveyStore

# What DuckDB 2.0 says on a full disk (copied from the tmpfs runs): a commit whose log cannot be written, and a
# checkpoint that cannot write the file (which invalidates the database until it is reattached).
WAL_FULL = (
    'TransactionContext Error: Failed to commit: Could not write file "{d}/store.duckdb.wal": No space left on device'
)
CHECKPOINT_FULL = (
    'TransactionContext Error: Failed to commit: Checkpoint failed for database "store". The '
    'database has been invalidated. Original error: Could not write file "{d}/store.duckdb": '
    "No space left on device"
)


def survey_csv(catalog: Catalog, n: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    codes = catalog.unit_codes()
    rows = ["respondent_id,group," + ",".join(codes)]
    rows += [f"R{seed}_{i},Executive," + ",".join(str(rnd.randint(0, 4)) for _ in codes) for i in range(n)]
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def tiny_disk(tmp_path):
    """A 4 MB tmpfs (needs root and mount); skipped where it cannot be made."""
    where = tmp_path / "disk"
    where.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)],
            check=False,
            capture_output=True,
        ).returncode
    ):
        pytest.skip("a tmpfs needs root and mount")
    yield where
    gc.collect()
    subprocess.run(["umount", "-l", str(where)], capture_output=True)  # noqa: PLW1510


def fill_up(where: Path, slack: int = 0) -> Path:
    """Eat the disk's free space but `slack` bytes."""
    filler = where / "filler"
    free = os.statvfs(where).f_bavail * os.statvfs(where).f_frsize
    with open(filler, "wb") as fh:
        try:
            fh.write(b"x" * max(0, free - slack))
        except OSError:
            pass
    return filler


def assert_one_bilingual_line(exc: storage.StoreWriteError, where: Path):
    assert isinstance(exc, storage.StoreFull)
    assert "The disk is full" in exc.en and "ดิสก์เต็ม" in exc.th and str(where) in exc.en and str(where) in exc.th
    assert "nothing" in exc.en and "ไม่มีข้อมูลใด" in exc.th
    assert "\n" not in exc.en and "\n" not in exc.th


def test_real_full_disk_message_reads_and_recovery(tiny_disk, catalog, tmp_path):
    con = db.connect(tiny_disk / "store.duckdb")
    store = SurveyStore(con, catalog)
    first = tmp_path / "first.csv"
    first.write_bytes(survey_csv(catalog, 50, 0))
    store.ingest(first, agency="A", stage="Early", round_date="2025-01-01")
    filler = fill_up(tiny_disk)
    big = tmp_path / "big.csv"
    big.write_bytes(survey_csv(catalog, 3000, 1))
    with pytest.raises(storage.StoreWriteError) as exc:
        store.ingest(big, agency="A", stage="Early", round_date="2025-01-02")
    assert_one_bilingual_line(exc.value, tiny_disk)
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 50  # nothing stored, reads go on
    with pytest.raises(duckdb.Error, match="invalidated"):  # a checkpoint on the full disk
        con.execute("CHECKPOINT store")
    with pytest.raises(duckdb.Error, match="invalidated"):  # ... the state of the issue
        con.execute("SELECT count(*) FROM store.responses")
    assert storage.recover(con)  # reattached, still full
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 50
    filler.unlink()  # space returns
    small = tmp_path / "small.csv"
    small.write_bytes(survey_csv(catalog, 30, 2))
    res = SurveyStore(con, catalog).ingest(small, agency="A", stage="Early", round_date="2025-01-03")
    assert res.accepted == 30 and db.scalar(con, "SELECT count(*) FROM store.responses") == 80
    con.close()


def test_the_app_says_so_serves_reads_and_recovers(tiny_disk, catalog, tmp_path, monkeypatch):
    path = tiny_disk / "page.duckdb"
    monkeypatch.setenv("SKILLS_DB", str(path))
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    monkeypatch.setenv("SKILLS_DEMO", "0")
    from ui import shell

    monkeypatch.setattr(shell, "menu", lambda: None)

    def upload(data: bytes, day):
        at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60)
        at.session_state["lang"] = "en"
        at.run()
        if any(w.key == "up_agency" for w in at.get("selectbox")):  # the agency is known already
            at.selectbox(key="up_agency").set_value("กรมทดสอบ").run()
        else:
            at.text_input(key="up_agency_new").input("กรมทดสอบ").run()
        at.selectbox(key="up_stage").set_value("Early")
        at.date_input(key="up_round").set_value(day).run()
        at.file_uploader(key="up_file").set_value(("s.csv", data, "text/csv")).run()
        return at.button(key="up_go").click().run()

    at = upload(survey_csv(catalog, 20, 0), dt.date(2025, 1, 1))
    assert not at.exception and at.success
    filler = fill_up(tiny_disk)
    at = upload(survey_csv(catalog, 3000, 1), dt.date(2025, 1, 2))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "The disk is full" in errors[0] and "\n" not in errors[0]
    con = shell._connection(str(path))
    with pytest.raises(duckdb.Error, match="invalidated"):
        con.execute("CHECKPOINT store")  # the invalidated store
    home = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not home.exception and not any("invalidated" in e.value for e in home.error)
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 20  # reads served, still full
    filler.unlink()
    at = upload(survey_csv(catalog, 10, 2), dt.date(2025, 1, 3))  # space back: no restart
    assert not at.exception and at.success and not at.error
    assert db.scalar(shell._connection(str(path)), "SELECT count(*) FROM store.responses") == 30
    shell._connection.clear()


def test_cli_says_where_to_free_space(tiny_disk, catalog, tmp_path, capsysbinary):
    store = tiny_disk / "cli.duckdb"
    db.connect(store).close()
    fill_up(tiny_disk, slack=0)
    f = tmp_path / "big.csv"
    f.write_bytes(survey_csv(catalog, 3000, 1))
    code = cli.main(
        ["ingest", str(f), "--agency", "A", "--stage", "Early", "--round", "2025-01-01", "--db", str(store)]
    )
    err = capsysbinary.readouterr().err.decode("utf-8")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "disk is full" in err and str(tiny_disk) in err and "nothing" in err and "ดิสก์เต็ม" in err
    assert "run the command again" not in err


# --- where no tmpfs can be made: the same errors, replayed -----------------------------------------------
@pytest.mark.parametrize("message", [WAL_FULL, CHECKPOINT_FULL])
def test_duckdb_full_disk_errors_become_one_bilingual_line(message, tmp_path):
    exc = duckdb.TransactionException(message.format(d=tmp_path))
    failure = storage.write_failure(exc)
    assert_one_bilingual_line(failure, tmp_path)
    assert storage.write_failure(OSError(28, "No space left on device", str(tmp_path / "x.csv"))) is not None
    assert storage.write_failure(ValueError("a bug")) is None


@pytest.mark.embedded_only
def test_a_failed_commit_in_a_transaction_raises_store_full(store_con, catalog, tmp_path):
    SurveyStore(store_con, catalog)
    with pytest.raises(storage.StoreFull), db.transaction(store_con) as cur:
        cur.execute("INSERT INTO store.store_info VALUES ('x', 'y')")
        raise duckdb.TransactionException(WAL_FULL.format(d=tmp_path))
    assert db.scalar(store_con, "SELECT count(*) FROM store.store_info WHERE key = 'x'") == 0
