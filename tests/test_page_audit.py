"""AppTest of pages/audit.py (/audit): HR-gated; the log newest first, filtered by action and agency; CSV download."""

from __future__ import annotations

import pytest
from conftest import run_page

from framework import access, audit

SECRET = "audit-page-secret"


@pytest.fixture
def page_store(tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    monkeypatch.setenv("SKILLS_DB", str(path))
    monkeypatch.setenv("SKILLS_DEMO", "0")
    monkeypatch.setenv(access.ENV, SECRET)
    monkeypatch.setattr(access, "THROTTLE", access.Throttle())
    return path


def shared(path):
    from ui import shell

    return shell._connection(str(path))


def test_audit_page_is_gated_lists_newest_first_filters_and_downloads(page_store):
    at = run_page("audit.py", state={"lang": "en"})
    assert not at.exception and not at.dataframe
    assert any("needs the HR passphrase" in w.value for w in at.warning)
    con = shared(page_store)
    audit.record(con, "command line (hr)", "upload", "กรม ก", "a.csv: batch 1")
    audit.record(con, "command line (hr)", "delete", "กรม ข", "batch 2")
    at.text_input(key="audit_pass").input(SECRET).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Action"].tolist() == ["HR sign-in", "delete (to the trash)", "upload"]  # newest first
    assert table["Who"].tolist()[0] == "HR (passphrase)"
    assert SECRET not in " ".join(map(str, table.to_numpy().ravel()))
    at.multiselect(key="au_actions").set_value(["upload"]).run()
    assert at.dataframe[0].value["Agency"].tolist() == ["กรม ก"]
    at.multiselect(key="au_actions").set_value([]).run()
    at.multiselect(key="au_agencies").set_value(["กรม ข"]).run()
    assert at.dataframe[0].value["Detail"].tolist() == ["batch 2"]
    assert any(b.key == "au_dl_csv" for b in at.get("download_button"))
