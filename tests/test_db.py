"""The query layer (framework/db.py): binding by declared name, strict templates, transactions, fingerprints."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from framework import db


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect(":memory:")
    yield c
    c.close()


def test_parameters_bound_by_declared_name_not_substring(con):
    # $t is a prefix of $threshold: only the names the statement declares are bound.
    got = db.query(con, "SELECT $threshold AS a", {"t": 1, "threshold": 3, "unused": 9})
    assert got["a"].tolist() == [3]
    assert db.declared("SELECT $t, $threshold") == {"t", "threshold"}


def test_names_in_strings_and_comments_are_not_parameters(con):
    text = "SELECT '$a' AS s, \"$b\" AS \"$b\" -- $c\n /* $d */ FROM (SELECT 1 AS \"$b\")"
    assert db.declared(text) == set()
    assert db.query(con, text, {"x": 1})["s"].tolist() == ["$a"]


def test_missing_parameter_raises(con):
    with pytest.raises(db.QueryError, match="threshold"):
        db.query(con, "SELECT $threshold", {"t": 1})


def test_positional_parameters_pass_through(con):
    assert db.scalar(con, "SELECT ? + ?", [2, 3]) == 5


def test_render_is_strict():
    assert db.render("SELECT {a} FROM {b} -- {doc}", a="1", b="t") == "SELECT 1 FROM t -- {doc}"
    with pytest.raises(db.QueryError, match="missing"):
        db.render("SELECT {a}, {b}", a="1")
    with pytest.raises(db.QueryError, match="unknown"):
        db.render("SELECT {a}", a="1", c="2")


def test_render_does_not_refill_inserted_text():
    # A part that itself contains {b} is inserted as is (one pass), unlike chained str.replace.
    assert db.render("{a} {b}", a="{b}", b="x") == "{b} x"


def test_ident_and_literal_quote():
    assert db.ident('we"ird') == '"we""ird"'
    assert db.literal("it's") == "'it''s'"


def test_transaction_commits_or_rolls_back(con):
    db.execute(con, "CREATE TABLE t_tx (i INTEGER)")
    with db.transaction(con) as cur:
        cur.execute("INSERT INTO t_tx VALUES (1)")
    with pytest.raises(RuntimeError), db.transaction(con) as cur:
        cur.execute("INSERT INTO t_tx VALUES (2)")
        raise RuntimeError("boom")
    assert db.query(con, "SELECT i FROM t_tx")["i"].tolist() == [1]


def test_arrow_returns_a_table(con):
    table = db.arrow(con, "SELECT 1 AS a UNION ALL SELECT 2")
    assert table.num_rows == 2 and table.column_names == ["a"]


def test_has_store_and_data_version(tmp_path):
    c = db.connect()
    assert not db.has_store(c) and db.data_version(c) == "none"
    c.close()
    from framework.store import SurveyStore

    path = tmp_path / "s.duckdb"
    c = db.connect(path)
    SurveyStore(c)
    assert db.has_store(c)
    v = db.data_version(c)
    c.close()
    # Stable across processes (the old version used Python's per-process hash()).
    code = (
        "import sys; sys.path.insert(0, '.'); from framework import db; "
        f"c = db.connect({str(path)!r}, read_only=True); print(db.data_version(c))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(db.PARQUET_DIR.parent.parent),
        env={"PYTHONHASHSEED": "123"},
    )
    assert out.stdout.strip() == v


def test_duckdb_threads_follow_the_setting(monkeypatch):
    """SKILLS_DUCKDB_THREADS caps the threads of every connection the program opens; unset: DuckDB's one per CPU."""
    monkeypatch.setenv("SKILLS_DUCKDB_THREADS", "1")
    assert db.scalar(db.connect(), "SELECT current_setting('threads')") == 1
    monkeypatch.delenv("SKILLS_DUCKDB_THREADS")
    assert (
        db.scalar(db.connect(), "SELECT current_setting('threads')")
        == duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    )
