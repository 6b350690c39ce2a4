"""framework.respondents on a hand-built store: exact statuses, readiness, next stage, errors, search, the IDP HTML.

Batch B1 (agency กรมทดลอง, stage Early, round 2025-01-15), threshold 3 unless stated:
  E-001 Executive (Early profile: DLit100 DLit400 DG100 DS100 SPM100 DL100 DL300 DTr100 DTr200):
    DLit100=4 DLit400=3 DG100=2 DS100=- SPM100=0 DL100=3 DL300=1 DTr100=- DTr200=3, plus DG600=3 DT300=4.
    t=3: met DLit100 DLit400 DL100 DTr200 (4/9); develop DG100 SPM100 DL300; not assessed DS100 DTr100.
    t=2: DG100 met too (5/9). Developing adds DG600 DT300 DT600 DS200 DS400 SPM300 DL200 (7); met 6/16.
  A-1 Academic, nothing assessed; its Developing profile drops DLit700 (required at Early).
  <b>&"x' OR '1'='1 (Service), 50%_off (Service), 50x-off (Service): ids for escaping and literal search.
Batch B2 (no agency, no stage, no round): E-001 again (Executive, every unit 4) and P-000..P-059 (Others).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from framework import db
from framework import respondents as rsp
from framework.catalog import Catalog
from framework.store import ensure_schema

EARLY_EXEC = ["DLit100", "DLit400", "DG100", "DS100", "SPM100", "DL100", "DL300", "DTr100", "DTr200"]
E001 = {
    "DLit100": 4,
    "DLit400": 3,
    "DG100": 2,
    "SPM100": 0,
    "DL100": 3,
    "DL300": 1,
    "DTr200": 3,
    "DG600": 3,
    "DT300": 4,
}
EVIL = "<b>&\"x' OR '1'='1"


@pytest.fixture
def con(store_path):
    con = db.connect(store_path)
    codes = Catalog(con).unit_codes()
    ensure_schema(con, codes)
    con.execute(
        "INSERT INTO store.batches (batch_id, file_name, content_hash, agency, stage, round_date, uploaded_at, "
        "rows_read, accepted, rejected) VALUES ('B1', 'b1.csv', 'h1', 'กรมทดลอง', 'Early', DATE '2025-01-15', "
        "TIMESTAMP '2025-01-16 09:00', 6, 6, 0), ('B2', 'b2.csv', 'h2', NULL, NULL, NULL, "
        "TIMESTAMP '2024-01-01 09:00', 61, 61, 0)"
    )
    rows = [
        ("B1", "E-001", "Executive", None, "กองแผน", "ผู้อำนวยการกอง", E001),
        ("B1", "A-1", "Academic", "กรมอื่น", None, None, {}),
        ("B1", EVIL, "Service", None, None, None, {"DLit100": 3}),
        ("B1", "50%_off", "Service", None, None, None, {}),
        ("B1", "50x-off", "Service", None, None, None, {}),
        ("B2", "E-001", "Executive", None, None, None, {c: 4 for c in codes}),
    ]
    rows += [("B2", f"P-{i:03d}", "Others", None, None, None, {}) for i in range(60)]
    cols = ", ".join(
        ["batch_id", "respondent_id", "staff_group", "agency", "org_unit", "position"] + [f'"{c}"' for c in codes]
    )
    con.executemany(
        f"INSERT INTO store.responses ({cols}) VALUES ({', '.join('?' * (6 + len(codes)))})",
        [list(r[:6]) + [r[6].get(c) for c in codes] for r in rows],
    )
    yield con
    con.close()


@pytest.fixture
def cat(con):
    return Catalog(con)


def statuses(units: pd.DataFrame) -> dict:
    return dict(zip(units["code"], units["status"]))


# --- plan -----------------------------------------------------------------------------------------------------
def test_plan_statuses_levels_and_readiness(con, cat):
    p = rsp.plan(con, cat, "B1", "E-001", "Early")
    assert p.units["code"].tolist() == EARLY_EXEC
    assert statuses(p.units) == {
        "DLit100": "met",
        "DLit400": "met",
        "DG100": "develop",
        "DS100": "not assessed",
        "SPM100": "develop",
        "DL100": "met",
        "DL300": "develop",
        "DTr100": "not assessed",
        "DTr200": "met",
    }
    levels = [None if pd.isna(v) else int(v) for v in p.units["level"]]
    assert levels == [4, 3, 2, None, 0, 3, 1, None, 3]
    assert p.units["met"].tolist() == [True, True, False, False, False, True, False, False, True]
    assert p.counts() == {"required": 9, "met": 4, "develop": 3, "not_assessed": 2}
    assert p.readiness == pytest.approx(4 / 9)
    assert (p.staff_group, p.agency, p.org_unit, p.position) == ("Executive", "กรมทดลอง", "กองแผน", "ผู้อำนวยการกอง")
    assert (p.batch_stage, p.round_date) == ("Early", dt.date(2025, 1, 15))
    assert p.persona("en") == cat.profile("Early", "Executive").persona_en
    assert p.persona("th") == cat.profile("Early", "Executive").persona_th
    assert (
        p.units.loc[p.units["code"] == "DG100", "group_name_en"].item()
        == cat.groups().set_index("key").loc["DG", "name_en"]
    )


def test_threshold_changes_what_is_met(con, cat):
    p2 = rsp.plan(con, cat, "B1", "E-001", "Early", threshold=2)
    assert statuses(p2.units)["DG100"] == "met" and p2.readiness == pytest.approx(5 / 9)
    assert p2.counts() == {"required": 9, "met": 5, "develop": 2, "not_assessed": 2}
    p4 = rsp.plan(con, cat, "B1", "E-001", "Early", threshold=4)
    assert [c for c, s in statuses(p4.units).items() if s == "met"] == ["DLit100"]
    assert statuses(p4.units)["DS100"] == "not assessed"  # not assessed whatever the threshold


def test_next_stage_preview_marks_added_units(con, cat):
    p = rsp.plan(con, cat, "B1", "E-001", "Early")
    assert p.next_stage == "Developing"
    nu = p.next_units
    added = nu.loc[nu["scope"] == rsp.NEXT, "code"].tolist()
    assert added == ["DG600", "DT300", "DT600", "DS200", "DS400", "SPM300", "DL200"]
    assert set(nu.loc[nu["scope"] == rsp.CURRENT, "code"]) == set(EARLY_EXEC)
    assert statuses(nu)["DG600"] == "met" and statuses(nu)["DT600"] == "not assessed"
    assert p.next_readiness == pytest.approx(6 / 16) and p.next_dropped == []
    assert p.next_persona("en") == cat.profile("Developing", "Executive").persona_en
    assert rsp.plan(con, cat, "B1", "E-001", "Mature").next_stage is None


def test_not_assessed_person_and_dropped_units(con, cat):
    p = rsp.plan(con, cat, "B1", "A-1", "Early")
    assert set(p.units["status"]) == {"not assessed"} and p.readiness == 0
    assert p.counts()["not_assessed"] == len(cat.profile_units("Early", "Academic"))
    assert p.next_dropped == ["DLit700"]
    assert p.agency == "กรมอื่น"  # the row's own agency wins over the batch's


def test_same_id_in_another_batch_is_another_person(con, cat):
    p = rsp.plan(con, cat, "B2", "E-001", "Early")
    assert set(p.units["status"]) == {"met"} and p.readiness == 1
    assert p.agency is None and p.batch_stage is None and p.round_date is None


def test_plan_agrees_with_the_analysis_readiness_rule(con, cat):
    """The analysis views' readiness of a set is the mean of these per-person shares."""
    from framework import analysis

    # exact figures (authorised): one person is in no disclosure block of >= k
    ready = analysis.readiness(
        con, {"batches": ["B1"], "staff_groups": ["Executive"], "min_cell": 1, "authorised": True}
    )
    early = ready[(ready["stage"] == "Early") & (ready["key"] == "Executive")]
    assert early["readiness"].item() == pytest.approx(rsp.plan(con, cat, "B1", "E-001", "Early").readiness)


def test_unknown_respondent_and_batch_messages_in_both_languages(con, cat):
    with pytest.raises(rsp.RespondentError) as err:
        rsp.plan(con, cat, "B1", "E-999", "Early")
    e = err.value
    assert "E-999" in e.th and "ไม่พบผู้ตอบ" in e.th and "B1" in e.th
    assert "E-999" in e.en and "No respondent" in e.en and e.message("en") == e.en
    assert re.search(r"[\u0E00-\u0E7F]", e.message("th"))
    with pytest.raises(rsp.RespondentError) as err:
        rsp.plan(con, cat, "NOPE", "E-001", "Early")
    assert "NOPE" in err.value.en and "No batch" in err.value.en and "ไม่พบชุดข้อมูล" in err.value.th
    with pytest.raises(rsp.RespondentError, match="Unknown stage"):
        rsp.plan(con, cat, "B1", "E-001", "Expert")
    with pytest.raises(rsp.RespondentError, match="Threshold"):
        rsp.plan(con, cat, "B1", "E-001", "Early", threshold=5)


def test_respondent_id_is_bound_not_interpolated(con, cat):
    with pytest.raises(rsp.RespondentError):
        rsp.plan(con, cat, "B1", "x' OR '1'='1", "Early")
    p = rsp.plan(con, cat, "B1", EVIL, "Early")
    assert p.respondent_id == EVIL and statuses(p.units)["DLit100"] == "met"


# --- find -----------------------------------------------------------------------------------------------------
def test_find_by_substring_case_insensitive_with_batch_columns(con):
    df = rsp.find(con, "B1", "e-00")
    assert df["respondent_id"].tolist() == ["E-001"]
    row = df.iloc[0]
    assert (row["batch_id"], row["staff_group"], row["org_unit"], row["batch_agency"]) == (
        "B1",
        "Executive",
        "กองแผน",
        "กรมทดลอง",
    )
    both = rsp.find(con, None, "E-001")
    assert both["batch_id"].tolist() == ["B1", "B2"]  # newest round first, undated last


def test_find_is_limited_to_50(con):
    assert len(rsp.find(con, "B2")) == rsp.FIND_LIMIT == 50
    assert rsp.find(con, "B2", "P-05")["respondent_id"].tolist() == [f"P-05{i}" for i in range(10)]


def test_search_text_is_literal_never_sql(con):
    before = con.execute("SELECT count(*) FROM store.responses").fetchone()[0]
    assert rsp.find(con, None, "' OR 1=1 --").empty
    assert rsp.find(con, None, "'; DROP TABLE store.responses; --").empty
    assert con.execute("SELECT count(*) FROM store.responses").fetchone()[0] == before == 66
    # LIKE wildcards are plain characters here: '%' and '_' match only themselves.
    assert rsp.find(con, "B1", "%")["respondent_id"].tolist() == ["50%_off"]
    assert rsp.find(con, "B1", "_")["respondent_id"].tolist() == ["50%_off"]
    assert rsp.find(con, "B1", "' OR '1'='1")["respondent_id"].tolist() == [EVIL]
    assert rsp.find(con, "B1", "50")["respondent_id"].tolist() == ["50%_off", "50x-off"]


def test_batches_newest_round_first(con, store_path, tmp_path):
    assert rsp.batches(con)["batch_id"].tolist() == ["B1", "B2"]
    empty = db.connect(tmp_path / "empty.duckdb")
    try:
        assert rsp.batches(empty).empty
    finally:
        empty.close()


# --- the printable IDP ----------------------------------------------------------------------------------------
def section(html: str, start: str, end: str | None) -> str:
    i = html.index(start)
    return html[i : html.index(end, i)] if end else html[i:]


def test_idp_html_lists_units_to_develop_with_elements(con, cat):
    p = rsp.plan(con, cat, "B1", "E-001", "Early")
    html = rsp.idp_html(p, cat, "en", today=dt.date(2025, 2, 1))
    develop = section(html, "Units to develop first", "Units already met")
    # Not assessed sits with the units to develop, in framework order, as on screen (pages/assess.py, respondent.py)
    assert re.findall(r'class="code">([^<]+)<', develop) == ["DG100", "DS100", "SPM100", "DL300", "DTr100"]
    for code in ("DG100", "SPM100", "DL300", "DS100", "DTr100"):
        for el in cat.elements(code)["code"]:
            assert el in develop
    assert "Development actions" in develop and "Target date" in develop
    assert "<h2>Units not assessed" not in html  # no section of their own (was in the PDF only)
    assert develop.count(">not assessed<") == 2
    met = section(html, "Units already met", "Looking ahead")
    assert re.findall(r'class="code">([^<]+)<', met) == ["DLit100", "DLit400", "DL100", "DTr200"]
    assert "DLit101" not in met  # elements only where there is something to learn
    ahead = section(html, "Looking ahead", "</footer>")
    assert re.findall(r'class="code">([^<]+)<', ahead) == [
        "DG600",
        "DT300",
        "DT600",
        "DS200",
        "DS400",
        "SPM300",
        "DL200",
    ]
    figures = section(html, '<div class="figures">', "</div></div>")
    assert "<b>5</b>To develop" in figures and "<b>2</b>of which not assessed" in figures  # 3 + 2, as on screen
    assert "44%" in html and "E-001" in html and "กรมทดลอง" in html and "2025-02-01" in html


def test_idp_html_is_thai_by_default(con, cat):
    p = rsp.plan(con, cat, "B1", "E-001", "Early")
    html = rsp.idp_html(p, cat)
    assert 'lang="th"' in html and "แผนพัฒนารายบุคคล" in html and "หน่วยที่ควรพัฒนาก่อน" in html
    assert "กิจกรรมการพัฒนา" in html and cat.profile("Early", "Executive").persona_th in html
    assert "Units to develop first" not in html


def test_idp_html_is_escaped_and_offline(con, cat):
    p = rsp.plan(con, cat, "B1", EVIL, "Early")
    html = rsp.idp_html(p, cat, "en")
    assert EVIL not in html and "<b>&" not in html
    assert "&lt;b&gt;&amp;&quot;x&#x27; OR &#x27;1&#x27;=&#x27;1" in html
    lowered = html.lower()
    for external in ("<script", "http://", "https://", "src=", "<link", "@import", "url("):
        assert external not in lowered, external
    assert "@page { size: A4" in html and "@media print" in html
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html


def test_uses_the_shared_query_layer_and_next_stage_map():
    """One copy of each helper: the catalogue's NEXT_STAGE, db.query / db.has_store (no private _q here)."""
    from framework import catalog

    assert rsp.NEXT_STAGE is catalog.NEXT_STAGE
    assert not hasattr(rsp, "_q")
    empty = db.connect()  # no store attached
    try:
        assert rsp.batches(empty).empty and "batch_id" in rsp.batches(empty).columns
    finally:
        empty.close()
