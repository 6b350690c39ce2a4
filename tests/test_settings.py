"""Configuration has one home (issue 23, point 1): framework/settings.py lists every environment variable,
types and checks it at start, and README's table is that registry."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT, run_page

from framework import access, clock, paths, pdf, settings

NAMES = [s.name for s in settings.SETTINGS]


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in NAMES:
        if name != "SKILLS_DB":
            monkeypatch.delenv(name, raising=False)


# --- README ---------------------------------------------------------------------------------------------------
def _readme_table() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("|")]
    assert lines[0] == "| variable | default | allowed | meaning |", lines[0]
    return [[c.strip() for c in ln.strip("|").split(" | ")] for ln in lines[2:]]


def test_readme_configuration_table_is_the_registry():
    rows = _readme_table()
    assert [r[0].strip("`") for r in rows] == NAMES  # exactly the registry's names, in its order
    for (name, default, allowed, meaning), s in zip(rows, settings.SETTINGS):
        assert default == (f"`{s.default}`" if s.default is not None else "*(none)*"), name
        assert allowed == s.allowed()[1], name
        assert meaning == s.description_en, name


def test_every_setting_has_both_languages_and_a_valid_default():
    for s in settings.SETTINGS:
        assert s.description_en and re.search("[\u0e00-\u0e7f]", s.description_th), s.name
        assert all(s.allowed()), s.name
        if s.default is not None:
            s.parse(s.default)  # the default itself is allowed


# --- only framework/settings.py reads the environment --------------------------------------------------------
# Allowed exceptions, each with its reason: not a setting read.
ENV_COPY_ALLOWED = {"framework/analyst.py"}  # the analyst worker process inherits the whole environment


def _env_reads(tree: ast.AST) -> list[int]:
    """Lines reading os.environ / os.getenv (a write `os.environ[X] = ...` for a library is not a read)."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and {a.name for a in node.names} & {"environ", "getenv", "environb"}
        ):
            found.append(node.lineno)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ("environ", "getenv", "environb")
        ):
            parent = parents.get(node)
            if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store):
                continue
            found.append(node.lineno)
    return sorted(found)


def _python_files() -> list[Path]:
    files = [p for folder in ("framework", "ui", "pages") for p in (ROOT / folder).rglob("*.py")]
    return sorted(files + [ROOT / "app.py"])


def test_only_settings_reads_the_environment():
    bad = []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel == "framework/settings.py":
            continue
        lines = _env_reads(ast.parse(path.read_text(encoding="utf-8")))
        if rel in ENV_COPY_ALLOWED:
            assert lines, f"{rel} no longer copies the environment: remove it from ENV_COPY_ALLOWED"
            continue
        bad += [f"{rel}:{n}" for n in lines]
    assert bad == [], f"read settings through framework.settings.get: {bad}"


def test_the_environment_rule_catches_reads():
    code = (
        'import os\nfrom os import getenv\na = os.environ.get("SKILLS_DB")\nb = os.environ["X"]\n'
        'c = os.getenv("Y")\nos.environ["BROWSER_PATH"] = "z"\n'
    )
    assert _env_reads(ast.parse(code)) == [2, 3, 4, 5]


def test_every_skills_variable_named_in_the_code_is_registered():
    named = set()
    for path in _python_files():
        named |= set(re.findall(r"\$?\b(SKILLS_[A-Z_]+)\b", path.read_text(encoding="utf-8")))
    assert named <= set(NAMES), sorted(named - set(NAMES))


# --- typed values -----------------------------------------------------------------------------------------------
def test_defaults_and_typed_values(monkeypatch, tmp_path):
    monkeypatch.delenv("SKILLS_DB")
    assert paths.store_path() == paths.ROOT / "var" / "skills.duckdb"
    assert settings.get("SKILLS_DEMO") is True and paths.demo_enabled()
    assert access.min_cell_floor() == 5 and access.DEFAULT_MIN_CELL_FLOOR == 5
    assert settings.get("SKILLS_CAMPAIGN_RATE") == 1200 and settings.get("SKILLS_CAMPAIGN_CLIENT_RATE") == 20
    assert pdf.chromium_path() == settings.CHROMIUM and settings.get("BROWSER_PATH") is None
    assert settings.get("SKILLS_TZ") == ZoneInfo("Asia/Bangkok") == clock.ZONE
    assert settings.get("SKILLS_HR_PASSPHRASE") is None and access.local_mode()
    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "s.duckdb"))
    monkeypatch.setenv("SKILLS_DEMO", " Off ")
    monkeypatch.setenv("SKILLS_MIN_CELL_FLOOR", "7")
    monkeypatch.setenv("SKILLS_CAMPAIGN_RATE", " 12 ")
    monkeypatch.setenv("SKILLS_CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.setenv("SKILLS_TZ", "UTC")
    assert paths.store_path() == tmp_path / "s.duckdb"
    assert not paths.demo_enabled() and access.min_cell_floor() == 7
    assert settings.get("SKILLS_CAMPAIGN_RATE") == 12 and pdf.chromium_path() == str(tmp_path / "chromium")
    assert settings.get("SKILLS_TZ") == ZoneInfo("UTC")
    settings.check_all()


def test_an_empty_value_is_unset(monkeypatch):
    for name in ("SKILLS_DEMO", "SKILLS_MIN_CELL_FLOOR", "SKILLS_TZ", "SKILLS_HR_PASSPHRASE"):
        monkeypatch.setenv(name, "  " if name != "SKILLS_HR_PASSPHRASE" else "")
    settings.check_all()
    assert paths.demo_enabled() and access.min_cell_floor() == 5 and access.local_mode()


def test_the_campaign_rates_come_from_settings(monkeypatch):
    from framework.campaign.submit import Limits

    monkeypatch.setenv("SKILLS_CAMPAIGN_RATE", "2")
    monkeypatch.setenv("SKILLS_CAMPAIGN_CLIENT_RATE", "3")
    limits = Limits()
    assert limits.per_code.limit == 2 and limits.per_client.limit == 3


def test_png_export_uses_the_one_chromium_path(monkeypatch, tmp_path):
    import kaleido

    from framework.outputs import figure_files

    fake = tmp_path / "chromium"
    fake.write_text("")
    monkeypatch.setenv("SKILLS_CHROMIUM", str(fake))
    monkeypatch.setenv("BROWSER_PATH", "placeholder")  # restored after the test, whatever _kaleido sets
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setattr(kaleido._global_server, "is_running", lambda: False)
    monkeypatch.setattr(kaleido, "start_sync_server", lambda **kw: None)
    monkeypatch.setattr(kaleido, "stop_sync_server", lambda **kw: None)
    figure_files._kaleido()
    assert os.environ["BROWSER_PATH"] == str(fake)
    monkeypatch.setenv("BROWSER_PATH", "/opt/other")  # kaleido's own variable wins when set
    figure_files._kaleido()
    assert os.environ["BROWSER_PATH"] == "/opt/other"


# --- bad values ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, value, rule",
    [
        ("SKILLS_CAMPAIGN_RATE", "abc", "a whole number from 1 to 100,000"),
        ("SKILLS_CAMPAIGN_CLIENT_RATE", "0", "a whole number from 1 to 100,000"),
        ("SKILLS_MIN_CELL_FLOOR", "0", "a whole number from 1 to 1,000"),
        ("SKILLS_MIN_CELL_FLOOR", "five", "a whole number from 1 to 1,000"),
        ("SKILLS_DEMO", "maybe", "one of 1, true"),
        ("SKILLS_TZ", "Mars/Olympus", "an IANA time zone name"),
        ("SKILLS_DB", "/", "a file path (not a folder)"),
    ],
)
def test_a_bad_value_is_one_bilingual_error(monkeypatch, name, value, rule):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingError) as err:
        settings.check_all()
    assert f"{name}={value!r}" in err.value.en and rule in err.value.en
    assert f"{name}={value!r}" in err.value.th and re.search("[\u0e00-\u0e7f]", err.value.th)
    with pytest.raises(settings.SettingError):
        settings.get(name)


def test_a_bad_floor_is_an_error_not_a_silent_default(monkeypatch):
    monkeypatch.setenv("SKILLS_MIN_CELL_FLOOR", "0")  # was quietly taken as 1
    with pytest.raises(settings.SettingError):
        access.min_cell_floor()


def test_every_bad_value_is_named_in_the_one_error(monkeypatch):
    monkeypatch.setenv("SKILLS_CAMPAIGN_RATE", "abc")
    monkeypatch.setenv("SKILLS_TZ", "nowhere")
    with pytest.raises(settings.SettingError) as err:
        settings.check_all()
    assert "SKILLS_CAMPAIGN_RATE" in err.value.en and "SKILLS_TZ" in err.value.en


def test_a_secret_is_never_shown():
    s = settings.BY_NAME["SKILLS_HR_PASSPHRASE"]
    err = s.error("hunter2")
    assert "hunter2" not in err.en + err.th and "(hidden)" in err.en


def test_a_bad_time_zone_does_not_break_import():
    env = {**os.environ, "SKILLS_TZ": "Mars/Olympus"}
    out = subprocess.run(
        [sys.executable, "-c", "from framework import clock; print(clock.ZONE)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "Asia/Bangkok"


@pytest.mark.parametrize("name, value", [("SKILLS_CAMPAIGN_RATE", "abc"), ("SKILLS_MIN_CELL_FLOOR", "0")])
def test_the_command_line_refuses_a_bad_value_in_one_line(tmp_path, name, value):
    env = {**os.environ, name: value, "SKILLS_DB": str(tmp_path / "s.duckdb")}
    out = subprocess.run(
        [sys.executable, "-m", "framework", "batches"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in out.stderr
    assert f"{name}={value!r}" in lines[0] and re.search("[\u0e00-\u0e7f]", lines[0])
    assert not (tmp_path / "s.duckdb").exists()  # nothing ran


def test_the_app_refuses_a_bad_value_at_start(monkeypatch):
    monkeypatch.setenv("SKILLS_CAMPAIGN_RATE", "abc")
    at = run_page()
    assert not at.exception
    assert len(at.error) == 1 and "SKILLS_CAMPAIGN_RATE" in at.error[0].value
    assert re.search("[\u0e00-\u0e7f]", at.error[0].value)  # Thai by default
    assert not at.metric  # the page stopped before its content
    at.session_state["lang"] = "en"
    at.run()
    assert "is not allowed" in at.error[0].value
