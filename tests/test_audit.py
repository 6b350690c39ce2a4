"""The audit log (issue 19 point 4): append-only, one line per action on the pages and the CLI, never the passphrase."""

from __future__ import annotations

import datetime as dt
import io
import re
import sys

import pytest
from conftest import FIXTURES, ROOT, run_page
from streamlit.testing.v1 import AppTest

from framework import access, audit, cli, db

SECRET = "ลับ-hr-phrase-42"


def _con(path):
    """The page's own cached connection when a page holds the file, else a new one (the CLI's file)."""
    from ui import shell

    return shell._connection(str(path)), False


def log(path, page=True) -> list[tuple]:
    con = _con(path)[0] if page else db.connect(path)
    try:
        return [
            tuple(r)
            for r in db.query(
                con, 'SELECT who, action, agency, detail FROM store.audit_log ORDER BY "at", rowid'
            ).itertuples(index=False)
        ]
    finally:
        if not page:
            con.close()


def everything(path, page=True) -> str:
    con = _con(path)[0] if page else db.connect(path)
    try:
        return " ".join(str(v) for row in con.execute("SELECT * FROM store.audit_log").fetchall() for v in row)
    finally:
        if not page:
            con.close()


def test_no_code_path_updates_or_deletes_the_log():
    pattern = re.compile(r"(UPDATE|DELETE\s+FROM|DROP\s+TABLE|TRUNCATE|ALTER\s+TABLE)[^;\"']*audit_log", re.IGNORECASE)
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("framework", "ui", "pages")
        for p in (ROOT / folder).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    offenders += [
        str(p.relative_to(ROOT))
        for p in (ROOT / "framework" / "sql").rglob("*.sql")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_record_keeps_the_passphrase_out(store_con, monkeypatch):
    monkeypatch.setenv(access.ENV, SECRET)
    assert audit.record(store_con, f"HR {SECRET}", "sign-in", f"a{SECRET}", f"typed {SECRET} here")
    audit.record(store_con, "x", "upload", detail="page secret", secret="page secret")  # the Streamlit secret
    rows = audit.entries(store_con)
    text = " ".join(str(v) for v in rows.to_numpy().ravel())
    assert SECRET not in text and "page secret" not in text and "***" in text
    assert rows["action"].tolist() == ["upload", "sign-in"]  # newest first
    with pytest.raises(ValueError):
        audit.record(store_con, "x", "no-such-action")


# --- the pages ---------------------------------------------------------------------------------------------------
@pytest.fixture
def page_store(tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    monkeypatch.setenv("SKILLS_DB", str(path))
    monkeypatch.setenv("SKILLS_DEMO", "0")
    monkeypatch.setenv(access.ENV, SECRET)
    monkeypatch.setattr(access, "THROTTLE", access.Throttle())
    from ui import shell

    monkeypatch.setattr(shell, "menu", lambda: None)
    return path


def test_upload_page_signs_in_uploads_deletes_restores_purges(page_store):
    from test_page_upload import fill, upload

    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=30)
    at.session_state["lang"] = "en"
    at.run()
    at.text_input(key="up_pass").input(SECRET).run()
    at = upload(fill(at), "wide_utf8_comma.csv")
    assert not at.exception
    batch = db.scalar(_con(page_store)[0], "SELECT batch_id FROM store.batches")
    at.selectbox(key="up_del_batch").set_value(batch).run()
    at.text_input(key="up_who").input("Somchai").run()
    at.checkbox(key="up_del_confirm").check().run()
    at = at.button(key="up_del_go").click().run()
    at.selectbox(key="up_trash_batch").set_value(batch).run()
    at = at.button(key="up_restore").click().run()
    at.selectbox(key="up_del_batch").set_value(batch).run()
    at.checkbox(key="up_del_confirm").check().run()
    at = at.button(key="up_del_go").click().run()
    at.selectbox(key="up_trash_batch").set_value(batch).run()
    at.checkbox(key="up_purge_confirm").check().run()
    at = at.button(key="up_purge").click().run()
    assert not at.exception
    rows = log(page_store)
    assert [r[1] for r in rows] == ["sign-in", "upload", "delete", "restore", "delete", "purge"]
    assert {r[0] for r in rows} == {"HR (passphrase)"}
    assert [r[2] for r in rows[1:]] == ["กรมทดสอบ"] * 5
    assert "wide_utf8_comma.csv" in rows[1][3] and "Somchai" in rows[2][3]
    assert SECRET not in everything(page_store)


def test_workshop_open_and_close_are_logged(page_store):
    at = run_page("workshop.py", state={"lang": "en"})
    at.text_input(key="ws_pass").input(SECRET).run()
    at.text_input(key="ws_agency").input("กรมทดสอบ")
    at.selectbox(key="ws_stage").select("Mature")
    at.date_input(key="ws_round").set_value(dt.date(2025, 6, 30))
    next(b for b in at.button if b.proto.is_form_submitter).click().run()
    at.button(key="ws_close").click().run()
    assert not at.exception
    rows = log(page_store)
    assert [r[1] for r in rows] == ["sign-in", "campaign-open", "campaign-close"]
    assert {r[0] for r in rows} == {"HR (passphrase)"} and rows[1][2] == rows[2][2] == "กรมทดสอบ"
    assert SECRET not in everything(page_store)


def test_local_mode_is_named_as_such(page_store, monkeypatch, catalog):
    monkeypatch.delenv(access.ENV)
    at = run_page("workshop.py", state={"lang": "en"})
    at.text_input(key="ws_agency").input("กรม ข")
    at.selectbox(key="ws_stage").select("Early")
    at.date_input(key="ws_round").set_value(dt.date(2025, 6, 30))
    next(b for b in at.button if b.proto.is_form_submitter).click().run()
    assert log(page_store) == [("local mode", "campaign-open", "กรม ข", log(page_store)[0][3])]


# --- the command line ----------------------------------------------------------------------------------------
@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: SECRET)
    monkeypatch.delenv(access.ENV, raising=False)
    monkeypatch.setattr(access, "THROTTLE", access.Throttle())
    return tmp_path / "cli.duckdb"


def run(capsysbinary, monkeypatch, *argv, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main([str(a) for a in argv])
    out = capsysbinary.readouterr()
    return code, out.out.decode("utf-8"), out.err.decode("utf-8")


def test_cli_upload_campaign_links_and_row_level_export_are_logged(cli_env, capsysbinary, monkeypatch, tmp_path):
    path = cli_env
    name = min((FIXTURES / "surveys").glob("*.csv"))
    code, out, err = run(
        capsysbinary,
        monkeypatch,
        "ingest",
        name,
        "--agency",
        "กรมทดสอบ",
        "--stage",
        "Early",
        "--round",
        "2025-06-30",
        "--db",
        path,
    )
    assert code == 0, err
    code, out, err = run(
        capsysbinary,
        monkeypatch,
        "campaign",
        "open",
        "--agency",
        "กรม ค",
        "--stage",
        "Early",
        "--round",
        "2025-06-30",
        "--json",
        "--db",
        path,
        "--passphrase-stdin",
        stdin=SECRET + "\n",
    )
    assert code == 0, err
    import json

    made = json.loads(out)["code"]
    ids = tmp_path / "ids.csv"
    ids.write_text("respondent_id\n101\n102\n", encoding="utf-8")
    code, out, err = run(
        capsysbinary,
        monkeypatch,
        "campaign",
        "links",
        made,
        "--ids",
        ids,
        "--base-url",
        "https://skills.example.go.th",
        "--db",
        path,
        "--passphrase-stdin",
        stdin=SECRET + "\n",
    )
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "respondent_id,link" and lines[1].startswith("101,https://skills.example.go.th/assess?t=")
    code, out, err = run(
        capsysbinary,
        monkeypatch,
        "campaign",
        "revoke",
        made,
        "102",
        "--db",
        path,
        "--passphrase-stdin",
        stdin=SECRET + "\n",
    )
    assert code == 0 and "revoked 1" in out, err
    code, out, err = run(
        capsysbinary, monkeypatch, "campaign", "close", made, "--db", path, "--passphrase-stdin", stdin=SECRET + "\n"
    )
    assert code == 0, err
    dest = tmp_path / "rows.csv"
    code, out, err = run(
        capsysbinary,
        monkeypatch,
        "export",
        "responses",
        "--format",
        "csv",
        "--out",
        dest,
        "--db",
        path,
        "--passphrase-stdin",
        stdin=SECRET + "\n",
    )
    assert code == 0, err
    rows = log(path, page=False)
    actions = [r[1] for r in rows]
    assert actions == [
        "upload",
        "sign-in",
        "campaign-open",
        "sign-in",
        "links-issued",
        "sign-in",
        "link-revoked",
        "sign-in",
        "campaign-close",
        "sign-in",
        "row-export",
    ]
    assert all(r[0].startswith("command line (") for r in rows)
    assert rows[0][2] == "กรมทดสอบ" and rows[2][2] == "กรม ค" and "rows.csv" in rows[-1][3]
    assert SECRET not in everything(path, page=False)
