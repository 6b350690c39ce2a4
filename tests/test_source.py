"""The YAML source, the committed Parquet and the document agree."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from framework.catalog import build as build_mod
from framework.catalog.document import TABLES, SourceError, load_tables
from framework.paths import DOCUMENT, PARQUET_DIR, SOURCE_DIR

CODE = re.compile(r"(?<![A-Za-z])(DLit|DG|DTr|DT|DS|SPM|DL)(\d{3})(?:\.(\d+))?(?![\d])")


@pytest.fixture(scope="module")
def fresh():
    return load_tables()


def test_committed_parquet_equals_fresh_build():
    assert build_mod.stale_tables() == []


def test_stale_parquet_is_detected(tmp_path):
    out = tmp_path / "pq"
    build_mod.build(out_dir=out)
    assert build_mod.stale_tables(out_dir=out) == []
    (out / "units.parquet").unlink()
    assert build_mod.stale_tables(out_dir=out) == ["units"]


def test_build_is_deterministic(tmp_path):
    out1, out2 = tmp_path / "a", tmp_path / "b"
    build_mod.build(out_dir=out1)
    build_mod.build(out_dir=out2)
    for name in TABLES:
        assert (out1 / f"{name}.parquet").read_bytes() == (out2 / f"{name}.parquet").read_bytes(), name


def test_every_code_printed_in_the_document_is_in_the_tables(fresh):
    text = DOCUMENT.read_text(encoding="utf-8")
    printed = {m.group(0) for m in CODE.finditer(text)}
    known = set(fresh["units"]["code"]) | set(fresh["elements"]["code"]) | set(fresh["criteria"]["code"])
    assert len(printed) > 500
    assert printed - known == set()


def test_every_table_code_is_printed_in_the_document_or_recorded_in_errata(fresh):
    text = DOCUMENT.read_text(encoding="utf-8")
    printed = {m.group(0) for m in CODE.finditer(text)}
    known = set(fresh["units"]["code"]) | set(fresh["elements"]["code"]) | set(fresh["criteria"]["code"])
    unprinted = known - printed
    recorded = set(fresh["errata"]["row_key"])
    assert unprinted == {"DS102"}  # printed without its code; criteria DS102.1-3 identify it
    assert "DS102" in recorded


def test_errata_are_complete_records(fresh):
    er = fresh["errata"]
    assert len(er) >= 50
    assert er["erratum_id"].is_unique
    for col in ("table_name", "row_key", "field", "reason"):
        assert (er[col].str.len() > 0).all(), col
    assert (er["line"] > 0).all()
    lines = DOCUMENT.read_text(encoding="utf-8").split("\n")
    assert er["line"].max() <= len(lines)
    # Text corrections quote what the document prints, on the line they name (whitespace aside).
    text_fixes = er[(er["field"] != "structure") & (er["document_text"].str.len() > 0)]
    squash = lambda s: re.sub(r"\s+", "", s)
    misses = [
        r.erratum_id
        for r in text_fixes.itertuples()
        if squash(r.document_text)[:20] not in squash(" ".join(lines[max(0, r.line - 3) : r.line + 3]))
    ]
    assert len(misses) <= len(text_fixes) * 0.2, misses


def test_known_corrections_are_recorded(fresh):
    er = fresh["errata"]
    keys = set(zip(er["table_name"], er["row_key"]))
    assert ("elements", "DS102") in keys or ("units", "DS100") in keys
    assert any(er["corrected"].str.contains("ประสบการณ์") & er["document_text"].str.contains("ประสิทธิภาพ"))
    assert any(er["corrected"].str.contains("DTr200") & er["document_text"].str.contains("DTTr200"))


def test_inconsistent_source_is_refused(tmp_path):
    shutil.copytree(SOURCE_DIR, tmp_path / "src")
    prof = tmp_path / "src" / "profiles.yaml"
    data = yaml.safe_load(prof.read_text(encoding="utf-8"))
    data["profiles"][0]["units"].append("DLit999")
    prof.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SourceError, match="DLit999"):
        load_tables(tmp_path / "src")


def test_parquet_dir_holds_exactly_the_tables():
    assert sorted(p.stem for p in PARQUET_DIR.glob("*.parquet")) == sorted(TABLES)


def test_every_thai_text_is_printed_in_the_document_or_corrected_by_an_erratum(fresh):
    """Nothing is invented: each Thai text is the document's (spacing aside) unless an erratum explains it."""
    flat = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", DOCUMENT.read_text(encoding="utf-8")))
    keys = set(fresh["errata"]["row_key"])
    checked, unexplained = 0, []
    for table, key, cols in (
        ("units", "code", ["name_th"]),
        ("elements", "code", ["name_th"]),
        ("criteria", "code", ["text_th"]),
        ("knowledge", "id", ["text_th"]),
        ("experience", "id", ["text_th"]),
        ("attributes", "id", ["text_th"]),
        ("competencies", "id", ["name_th", "definition_th"]),
        ("profiles", "profile_id", ["persona_th", "role_th"]),
    ):
        for row in fresh[table].to_dict("records"):
            for col in cols:
                text = re.sub(r"\s+", "", row[col])
                checked += 1
                if text not in flat and row[key] not in keys:
                    unexplained.append((table, row[key], col))
    assert checked > 600
    assert unexplained == []
