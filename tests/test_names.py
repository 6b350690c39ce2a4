"""Issue 19 point 1: canonical names and ids on every write path (framework/names.py), the schema-6 upgrade
of a store written with look-alike variants, and the look-alike warning at upload."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import pytest

from framework import campaign, cli, db, names
from framework.store import (
    SCHEMA_VERSION,
    SurveyStore,
    aggregates,
    archive,
    schema_version,
)

AGENCY = "กรมผ\u0e39\u0e49ทดสอบ IT"  # SARA UU then MAI THO: the canonical order
SWAPPED = "กรมผ\u0e49\u0e39ทดสอบ IT"  # MAI THO then SARA UU: renders the same
CYRILLIC = "กรมผ\u0e39\u0e49ทดสอบ \u0406\u0422"  # Cyrillic І and Т: only looks the same
# Variants that are the same agency once canonical (issue 19's list and a few more).
SAME = [
    SWAPPED,
    "กรมผู้\u200bทดสอบ IT",
    "กรมผู้ทดสอบ\u2060 IT",
    "\u200eกรมผู้ทดสอบ IT",
    "กรมผู้ทดสอบ IT\r",
    "กรมผู้ทดสอบ\tIT",
    "\u202eกรมผู้ทดสอบ IT",
    "กรมผู้ทดสอบ ＩＴ",
    "กรมผู้ทดสอบ\u00a0 IT",
    "กรม\u00adผู้ทดสอบ IT",
    "กรมผู้ทดสอบ\u2028IT",
    " กรมผู้ทดสอบ  IT ",
]
ID = "1234567"
SAME_ID = ["１２３４５６７", "๑๒๓๔๕๖๗", "١٢٣٤٥٦٧", "123456７", "۱۲۳۴۵۶۷", " 1234567 "]
BAD_ID = {
    "123\u200b4567": "U+200B",
    "\u202e1234567": "U+202E",
    "123\u00ad4567": "U+00AD",
    "123\u20284567": "U+2028",
    "123\x0b4567": "U+000B",
    "123\x1b4567": "U+001B",
    "12\t34567": "U+0009",
}


def test_names_are_canonical():
    assert SWAPPED != AGENCY and names.name(SWAPPED) == AGENCY
    assert {names.name(v) for v in SAME} == {AGENCY}
    assert names.name(CYRILLIC) == CYRILLIC  # a different string: kept, warned about
    assert names.name("ก\u0e48\u0e34") == "ก\u0e34\u0e48"  # tone mark typed before the upper vowel
    assert names.name("น\u0e49\u0e4d\u0e32") == "น\u0e49\u0e33"  # NIKHAHIT + SARA AA = SARA AM
    assert names.name("Dept\tof\r\nIT") == "Dept of IT" and names.name(None) is None and names.name("\u200b") == ""


def test_ids_are_canonical_and_invisible_characters_refused():
    assert {names.respondent_id(v) for v in SAME_ID} == {ID}
    for bad, code in BAD_ID.items():
        with pytest.raises(names.IdError) as e:
            names.respondent_id(bad)
        assert code in e.value.en and code in e.value.th and "position" in e.value.en
    assert names.respondent_id("123\u200b4567", strict=False) == ID  # rows already stored: removed


def test_lookalike_names_the_existing_agency():
    assert names.lookalike(CYRILLIC, ["กรมอื่น", AGENCY]) == AGENCY
    assert names.lookalike(SWAPPED, [AGENCY]) is None  # the same agency: no warning
    assert names.lookalike("Dеpt of IT", ["Dept of IT"]) == "Dept of IT"  # Cyrillic е
    assert names.mixed_script("Dеpt of IT") == ["е U+0435"] and names.mixed_script("Отдел") == []
    th, en = names.lookalike_warning(CYRILLIC, [AGENCY])
    assert AGENCY in th and AGENCY in en and "U+0406" in en


# --- uploads ----------------------------------------------------------------------------------------------
@pytest.fixture
def store(store_con, catalog):
    return SurveyStore(store_con, catalog)


def write(path, header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def agencies(store):
    return sorted(a for (a,) in store.con.execute("SELECT DISTINCT agency FROM store.responses").fetchall())


def people(store):
    return store.con.execute("SELECT count(*), count(DISTINCT respondent_id) FROM store.responses").fetchone()


def test_thai_vowel_order_is_one_agency_and_its_people_count_once(store, tmp_path):
    rows = [[f"P{i}", "Service", i % 5] for i in range(5)]
    one = write(tmp_path / "a.csv", ["respondent_id", "group", "DLit100"], rows)
    two = write(tmp_path / "b.csv", ["respondent_id", "group", "DLit100", "DG100"], [r + [1] for r in rows])
    store.ingest(one, agency=AGENCY, stage="Early", round_date="2025-06-30")
    again = store.ingest(two, agency=SWAPPED, stage="Early", round_date="2025-06-30")
    assert again.refused and len(again.conflicts) == 5  # the same people in the same round
    store.ingest(two, agency=SWAPPED, stage="Early", round_date="2025-06-30", on_conflict="replace")
    assert store.agencies() == [AGENCY] and agencies(store) == [AGENCY]
    assert people(store) == (5, 5)
    n = store.con.execute("SELECT sum(n) FROM store.agg_cells WHERE t = 1").fetchone()[0]
    assert n == 5 and aggregates.check(store.con).empty


def test_agency_variants_in_a_file_merge_and_the_lookalike_warns(store, tmp_path):
    # (a lone CR inside a quoted cell is a CSV DuckDB cannot read at all: that variant is tested as an argument)
    rows = [[f"P{i}", "Service", a, 3] for i, a in enumerate([AGENCY, *SAME, CYRILLIC]) if "\r" not in a]
    res = store.ingest(
        write(tmp_path / "v.csv", ["respondent_id", "group", "agency", "DLit100"], rows),
        agency=AGENCY,
        stage="Early",
        round_date="2025-06-30",
    )
    assert res.accepted == len(rows) and agencies(store) == sorted([AGENCY, CYRILLIC])
    warn = [n for n in res.notices if n.level == "warning"]
    assert warn and AGENCY in warn[0].en and AGENCY in warn[0].th and CYRILLIC in warn[0].en


def test_id_variants_in_one_file_are_one_person_and_invisible_ones_rejected(store, tmp_path):
    rows = [[rid, "Service", 3] for rid in [ID, *SAME_ID, *BAD_ID]]
    res = store.ingest(
        write(tmp_path / "ids.csv", ["respondent_id", "group", "DLit100"], rows),
        agency="X",
        stage="Early",
        round_date="2025-06-30",
    )
    assert people(store) == (1, 1) and store.con.execute("SELECT respondent_id FROM store.responses").fetchone() == (
        ID,
    )
    reasons = res.problems["reason_en"].tolist()
    assert sum("duplicate respondent id: first seen on row 2" in r for r in reasons) == len(SAME_ID)
    for code in BAD_ID.values():
        assert any(code in r for r in reasons), code
    assert any("U+200B" in r for r in res.problems["reason_th"])
    assert res.rejected == len(SAME_ID) + len(BAD_ID) and len(res.rejected_rows) == res.rejected


def test_long_format_ids_and_names_are_canonical(store, tmp_path):
    rows = [
        ["๑๒๓", "Service", SWAPPED, "DLit100", 3],
        ["123", "Service", AGENCY, "DLit200", 2],
        ["9\u200b9", "Service", AGENCY, "DLit100", 1],
    ]
    res = store.ingest(
        write(tmp_path / "long.csv", ["respondent_id", "group", "agency", "code", "level"], rows),
        agency=AGENCY,
        stage="Early",
        round_date="2025-06-30",
    )
    assert res.source_format == "long" and res.respondents == 1
    assert store.con.execute("SELECT respondent_id, agency, DLit100, DLit200 FROM store.responses").fetchall() == [
        ("123", AGENCY, 3, 2)
    ]
    assert any("U+200B" in r for r in res.problems["reason_en"])


def test_metadata_check_canonicalises_and_warns(store, tmp_path):
    store.ingest(
        write(tmp_path / "a.csv", ["respondent_id", "group", "DLit100"], [["P1", "Service", 1]]),
        agency=AGENCY,
        stage="Early",
        round_date="2025-06-30",
    )
    check = store.check_metadata(SWAPPED + "\u200b", "Early", None)
    assert check.agency == AGENCY and check.lookalike is None and check.last["stage"] == "Early"
    check = store.check_metadata(CYRILLIC, "Early", None)
    assert check.lookalike and AGENCY in check.lookalike[1] and AGENCY in check.lookalike[0]


# --- the campaign form --------------------------------------------------------------------------------------
def test_digit_scripts_are_one_person_in_a_campaign(store, catalog):
    c = campaign.open_campaign(
        store.con,
        catalog,
        agency=SWAPPED + "\u200b",
        stage="Early",
        round_date="2025-06-30",
        org_units=["กอง\u200b 1"],
        id_pattern=r"\d{7}",
    )
    assert c.agency == AGENCY and list(c.org_units) == ["กอง 1"]
    req = catalog.profile_units("Early", "Service")["code"].tolist()
    for rid in [ID, "１２３４５６７", "๑๒๓๔๕๖๗", "١٢٣٤٥٦٧", "123456７"]:
        done = campaign.submit(
            store.con, catalog, c, rid, "Service", "กอง 1\u200b", {u: 3 for u in req}, limits=campaign.Limits()
        )
        assert done.respondent_id == ID
    assert people(store) == (1, 1)
    assert store.con.execute("SELECT org_unit FROM store.responses").fetchone() == ("กอง 1",)
    with pytest.raises(campaign.SubmitError) as e:
        campaign.submit(
            store.con, catalog, c, "123\u202e4567", "Service", None, {u: 3 for u in req}, limits=campaign.Limits()
        )
    assert "U+202E" in e.value.en and "U+202E" in e.value.th


# --- CLI arguments ------------------------------------------------------------------------------------------
def test_cli_arguments_are_canonical(tmp_path, capsys):
    db_file = tmp_path / "s.duckdb"

    def run(*args):
        code = cli.main([str(a) for a in args] + ["--db", str(db_file)])
        return SimpleNamespace(code=code, out=capsys.readouterr().out)

    f = write(tmp_path / "a.csv", ["respondent_id", "group", "DLit100"], [["๑", "Service", 1]])
    assert run("ingest", f, "--agency", SWAPPED + "\u2060", "--stage", "Early", "--round", "2025-06-30").code == 0
    assert (
        run("campaign", "open", "--agency", "\u200e" + SWAPPED, "--stage", "Early", "--round", "2025-06-30").code == 0
    )
    g = write(tmp_path / "b.csv", ["respondent_id", "group", "DLit100"], [["2", "Service", 1]])
    res = run("ingest", g, "--agency", CYRILLIC, "--stage", "Early", "--round", "2025-06-30")
    assert res.code == 0 and "looks like the existing" in res.out
    con = db.connect(db_file)
    assert con.execute("SELECT DISTINCT agency FROM store.campaigns").fetchall() == [(AGENCY,)]
    assert con.execute("SELECT agency, respondent_id FROM store.responses ORDER BY 2").fetchall() == [
        (AGENCY, "1"),
        (CYRILLIC, "2"),
    ]
    con.close()


# --- a store written before: the upgrade, the trash, the archive -----------------------------------------------
def old_style(store, tmp_path):
    """Three batches of one round stored with look-alike variants, as a store before schema 6 holds them."""
    for i, (rid, agency) in enumerate([("P1", AGENCY), ("P2", AGENCY), ("P3", AGENCY)]):
        store.ingest(
            write(tmp_path / f"o{i}.csv", ["respondent_id", "group", "DLit100"], [[rid, "Service", i]]),
            agency=agency,
            stage="Early",
            round_date="2025-06-30",
        )
    ids = store.batches().sort_values("uploaded_at")["batch_id"].tolist()
    con = store.con
    con.execute("UPDATE store.batches SET agency = ? WHERE batch_id = ?", [SWAPPED, ids[1]])
    con.execute(
        "UPDATE store.responses SET agency = ?, respondent_id = 'P\u200b1' WHERE batch_id = ?", [SWAPPED, ids[1]]
    )  # P1 again, written with a zero-width space, under the swapped vowels
    con.execute(
        "UPDATE store.responses SET respondent_id = '\uff30\uff11', org_unit = 'กอง\u00a01' WHERE batch_id = ?",
        [ids[2]],
    )  # P1 again, full-width
    with db.transaction(con) as cur:
        aggregates.rebuild(cur)
    return ids


@pytest.mark.embedded_only
def test_upgrade_merges_variants_and_reports_them(store, store_path, catalog, tmp_path):
    ids = old_style(store, tmp_path)
    store.con.execute("UPDATE store.store_info SET value = '5' WHERE key = 'schema_version'")
    store.con.close()
    con = db.connect(store_path)
    assert schema_version(con) == 5
    upgraded = SurveyStore(con, catalog)
    assert schema_version(con) == SCHEMA_VERSION == 7
    assert con.execute("SELECT batch_id, respondent_id, agency, org_unit FROM store.responses").fetchall() == [
        (ids[2], "P1", AGENCY, "กอง 1")
    ]  # the latest upload's answers
    assert sorted(
        con.execute("SELECT batch_id, respondent_id, replaced_by FROM store.superseded_responses").fetchall()
    ) == sorted([(ids[0], "P1", ids[2]), (ids[1], "P1", ids[2])])
    assert upgraded.agencies() == [AGENCY]
    assert aggregates.fresh(con) and aggregates.check(con).empty
    report = json.loads(con.execute("SELECT value FROM store.store_info WHERE key = 'upgrade_6'").fetchone()[0])
    assert report["people_merged"] == 2 and report["columns"]["batches.agency"]["variants"] == [[SWAPPED, AGENCY]]
    assert {m["superseded"] for m in report["merged"]} == {ids[0], ids[1]}
    # deleting the kept batch brings the earlier answers back (one of them), as after a replace
    assert upgraded.delete(ids[2]) and upgraded.restore(ids[2])
    assert con.execute("SELECT count(*) FROM store.responses").fetchone() == (1,)
    con.close()


@pytest.mark.embedded_only
def test_an_old_trashed_batch_restores_canonical(store, store_path, catalog, tmp_path):
    write(tmp_path / "t.csv", ["respondent_id", "group", "DLit100"], [["Q1", "Service", 1], ["Q2", "Service", 2]])
    store.ingest(tmp_path / "t.csv", agency=AGENCY, stage="Early", round_date="2025-06-30")
    (bid,) = store.batches()["batch_id"]
    assert store.delete(bid, "hr")
    store.con.execute("UPDATE store.trash_batches SET agency = ?", [SWAPPED + "\u200b"])
    store.con.execute("UPDATE store.trash_responses SET agency = ?, respondent_id = '\uff31\uff11'", [SWAPPED])
    store.con.execute("UPDATE store.store_info SET value = '5' WHERE key = 'schema_version'")
    store.con.close()
    con = db.connect(store_path)
    s = SurveyStore(con, catalog)
    assert s.restore(bid)
    assert con.execute("SELECT respondent_id, agency FROM store.responses").fetchall() == [("Q1", AGENCY)]
    assert s.agencies() == [AGENCY] and aggregates.check(con).empty
    con.close()


def test_an_archive_written_with_variants_restores_canonical(store, tmp_path):
    ids = old_style(store, tmp_path)
    parts = archive.archive_round(store.con, tmp_path / "arch", "2025-06-30", drop=True)  # one per agency as stored
    assert sorted(b for m in parts for b in m["batches"]) == sorted(ids) and store.batches().empty
    archive.restore_archive(store.con, tmp_path / "arch")
    assert store.con.execute("SELECT batch_id, respondent_id, agency FROM store.responses").fetchall() == [
        (ids[2], "P1", AGENCY)
    ]
    assert store.agencies() == [AGENCY]
    assert store.con.execute("SELECT count(*) FROM store.superseded_responses").fetchone() == (2,)
    assert aggregates.check(store.con).empty
