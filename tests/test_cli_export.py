"""`python -m framework export`: every table and format, filters, suppression, passphrase, exit 2 on bad input."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import FIXTURES

from framework import cli
from framework.outputs import export

sys.path.insert(0, str(FIXTURES / "export"))
from export_seed import AGENCY, INJECTED_ORG_UNIT, seed


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """One seeded store for the module: export only reads it."""
    path = tmp_path_factory.mktemp("cli-export") / "store.duckdb"
    seed(path)
    return path


@pytest.fixture(autouse=True)
def _no_secrets_file(monkeypatch):
    """The repository's own secrets.toml (if any) must not decide these tests."""
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: None)
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)


def main(*argv) -> int:
    return cli.main([str(a) for a in argv])


def read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig")
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name=0)
    return pd.read_parquet(path)


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_units_round_trip_every_format(tmp_path, catalog, fmt):
    out = tmp_path / f"units.{fmt}"
    assert main("export", "units", "--format", fmt, "--out", out) == 0
    back, units = read(out), catalog.units()
    assert back["code"].tolist() == units["code"].tolist()
    assert back["name_th"].tolist() == units["name_th"].tolist()  # Thai intact
    assert back["n_elements"].sum() == units["n_elements"].sum() == 115


def test_filters_criteria_of_one_unit_and_format_from_extension(tmp_path, catalog):
    out = tmp_path / "c.parquet"
    assert main("export", "criteria", "--unit", "DLit100", "--out", out) == 0
    back = read(out)
    assert set(back["unit_code"]) == {"DLit100"} and len(back) == len(catalog.criteria("DLit100"))


def test_requirements_with_thai_stage_and_group(tmp_path, catalog):
    out = tmp_path / "r.xlsx"
    assert main("export", "requirements", "--stage", "Developing", "--group", "Technologist", "--out", out) == 0
    back = read(out)
    assert set(back["stage"]) == {"Developing"} and set(back["staff_group"]) == {"Technologist"}
    assert back["required"].sum() == len(catalog.profile("Developing", "Technologist").units)
    wb = openpyxl.load_workbook(out)
    settings = {r[0]: r[3] for r in wb["settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["filters"] == "stage=Developing; group=Technologist"
    assert settings["framework_version"] == catalog.meta()["source_sha256"]


def test_out_folder_gets_a_safe_file_name(tmp_path, capsys):
    assert main("export", "profiles", "--group", "Service", "--format", "csv", "--out", tmp_path) == 0
    files = list(tmp_path.glob("profiles_group-Service_*.csv"))
    assert len(files) == 1 and str(files[0]) in capsys.readouterr().out
    assert len(read(files[0])) == 3


def test_coverage_is_suppressed_and_states_k(tmp_path, store):
    out = tmp_path / "cov.xlsx"
    assert (
        main(
            "export",
            "coverage",
            "--db",
            store,
            "--stage",
            "Developing",
            "--min-cell",
            5,
            "--threshold",
            3,
            "--out",
            out,
        )
        == 0
    )
    back = read(out)
    service = back[back["key"] == "Service"]
    assert (service["hidden"] == "small").all() and service["met"].isna().all()
    assert back.loc[back["is_total"], "met"].notna().all()
    settings = {r[0]: r[3] for r in openpyxl.load_workbook(out)["settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["min_cell"] == "5" and settings["threshold"] == "3"
    assert "by=group" in settings["filters"]


def test_lower_k_shows_more(tmp_path, store, monkeypatch):
    # k never goes below min(3, floor) (access.lowest_min_cell): a floor of 2 lets local mode use k = 2
    monkeypatch.setenv("SKILLS_MIN_CELL_FLOOR", "2")
    out = tmp_path / "cov.csv"
    assert main("export", "coverage", "--db", store, "--stage", "Developing", "--min-cell", 1, "--out", out) == 2
    assert main("export", "coverage", "--db", store, "--stage", "Developing", "--min-cell", 2, "--out", out) == 0
    back = read(out)
    assert back.loc[back["key"] == "Service", "met"].notna().all()


def test_readiness_by_agency(tmp_path, store):
    out = tmp_path / "ready.parquet"
    assert main("export", "readiness", "--db", store, "--by", "agency", "--out", out) == 0
    back = read(out)
    assert AGENCY in set(back["key"]) and set(back["stage"]) == {"Early", "Developing", "Mature"}
    assert export.parquet_settings(out.read_bytes())["filters"] == {
        "by": "agency",
        "round": "latest 2025-01-15",
        "targets": {f"{AGENCY}@2025-01-15": "default 3"},  # t = 0 by default: the target levels in force
    }  # the round it holds


def test_responses_need_the_passphrase(tmp_path, store, monkeypatch):
    monkeypatch.setenv("SKILLS_HR_PASSPHRASE", "ลับมาก")
    out = tmp_path / "resp.csv"
    assert main("export", "responses", "--db", store, "--out", out, "--passphrase", "wrong") == 2
    assert not out.exists()
    assert main("export", "responses", "--db", store, "--out", out, "--passphrase", "ลับมาก") == 0
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert len(back) == 7 and back["agency"].iloc[0] == AGENCY
    assert back["org_unit"].iloc[0] == "'" + INJECTED_ORG_UNIT  # formula neutralised
    assert back["DLit100"].tolist() == [0, 1, 2, 3, 4, 0, 1]


def test_responses_refused_without_passphrase_when_configured(tmp_path, store, monkeypatch, capsys):
    monkeypatch.setattr("framework.access.secrets_file_passphrase", lambda: "from-secrets-toml")
    assert main("export", "responses", "--db", store, "--out", tmp_path / "r.csv") == 2
    assert "--passphrase" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["export", "bogus", "--out", "x.csv"], "unknown table"),
        (["export", "units", "--out", "x.docx"], "unknown --format"),
        (["export", "units", "--format", "csv", "--out", "/nonexistent-dir/x.csv"], "does not exist"),
        (["export", "units", "--unit", "NOPE100", "--out", "x.csv"], "unknown --unit"),
        (["export", "units", "--stage", "Early", "--out", "x.csv"], "does not apply"),
        (["export", "profiles", "--stage", "Later", "--out", "x.csv"], "unknown --stage"),
        (["export", "profiles", "--group", "Pilots", "--out", "x.csv"], "unknown --group"),
        (["export", "coverage", "--by", "colour", "--out", "x.csv"], "unknown --by"),
        (["export", "coverage", "--min-cell", "abc", "--out", "x.csv"], "whole number"),
        (["export", "coverage", "--threshold", "9", "--out", "x.csv"], "--threshold"),
        (["export", "units", "--threshold", "3", "--out", "x.csv"], "does not apply"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith("error: ")
    en, th = err.split(" / ", 1)  # English, then Thai
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in th) and not any("\u0e00" <= ch <= "\u0e7f" for ch in en)
    assert not list(tmp_path.iterdir())


def test_missing_store_is_a_usage_error(tmp_path, capsys):
    assert main("export", "coverage", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "x.csv") == 2
    assert "no survey store" in capsys.readouterr().err


def test_unknown_agency_or_org_unit_is_refused_not_an_empty_file(tmp_path, store, capsys):
    out = tmp_path / "cov.csv"
    assert main("export", "coverage", "--db", store, "--agency", "กรมที่ไม่มี", "--out", out) == 2
    err = capsys.readouterr().err
    assert "unknown --agency กรมที่ไม่มี" in err and AGENCY in err and "ไม่พบ" in err and not out.exists()
    assert main("export", "readiness", "--db", store, "--org-unit", "กองไม่มี", "--out", out) == 2
    assert "unknown --org-unit" in capsys.readouterr().err and not out.exists()
    assert (
        main("export", "coverage", "--db", store, "--agency", AGENCY, "--org-unit", "กองเทคโนโลยีสารสนเทศ", "--out", out)
        == 0
    )
    assert read(out)["n"].max() > 0


def test_the_default_threshold_is_the_agencys_target_in_words(tmp_path, store):
    """No --threshold: t = 0, the agency's target levels, said in words in the settings sheet (never "0" alone)."""
    out = tmp_path / "cov.xlsx"
    assert main("export", "coverage", "--db", store, "--stage", "Developing", "--out", out) == 0
    settings = {r[0]: r[3] for r in openpyxl.load_workbook(out)["settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["threshold"].startswith("0 = ") and "the agency's target level (default 3)" in settings["threshold"]
    assert "targets=" in settings["filters"] and "default 3" in settings["filters"]  # no level set: the default


def test_aggregate_file_name_carries_threshold_and_k(tmp_path, store, capsys):
    assert (
        main(
            "export",
            "coverage",
            "--db",
            store,
            "--stage",
            "Developing",
            "--threshold",
            2,
            "--min-cell",
            3,
            "--format",
            "parquet",
            "--out",
            tmp_path,
        )
        == 0
    )
    files = list(
        tmp_path.glob("coverage_stage-Developing_by-group_round-latest-2025-01-15_threshold-2_min-cell-3_*.parquet")
    )
    assert len(files) == 1
    s = export.parquet_settings(files[0].read_bytes())
    assert (
        s["filters"] == {"stage": "Developing", "by": "group", "round": "latest 2025-01-15"}
        and s["threshold"] == 2
        and s["min_cell"] == 3
    )
