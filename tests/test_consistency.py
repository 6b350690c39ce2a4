"""House rules that keep the code base in shape: SQL files used, pages registered, layers separated."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from framework import sql

ROOT = Path(__file__).resolve().parent.parent


def _py_sources(folder: str) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in (ROOT / folder).rglob("*.py")}


def test_every_sql_file_is_loaded_by_name():
    code = "\n".join(_py_sources("framework").values())
    loaded = set(re.findall(r"""load\(\s*["']([a-z0-9_]+)["']\s*\)""", code))
    assert sql.names(), "no named queries"
    assert set(sql.names()) - loaded == set(), "unused .sql files"
    assert loaded - set(sql.names()) == set(), "load() of a missing .sql file"


def test_every_page_is_registered_and_every_registered_page_exists():
    from ui.shell import PAGES
    registered = {script for script, *_ in PAGES}
    on_disk = {"app.py"} | {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert on_disk == registered


def test_every_page_has_an_apptest():
    from ui.shell import PAGES
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_page_*.py"))
    for script, *_ in PAGES:
        name = Path(script).name
        assert name in tests, f"no AppTest runs {script}"


def test_framework_imports_without_streamlit():
    modules = sorted(p.stem for p in (ROOT / "framework").glob("*.py") if p.stem not in ("__main__",))
    code = ("import sys\n" + "".join(f"import framework.{m}\n" for m in modules) +
            "assert 'streamlit' not in sys.modules, 'framework pulled in streamlit'\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_pages_hold_no_sql_and_no_file_reads():
    pattern = re.compile(r"\b(select|insert|update|delete)\b[^\"']*\bfrom\b|read_parquet|read_csv|duckdb\.connect",
                         re.IGNORECASE)
    for path, text in _py_sources("pages").items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not pattern.search(node.value), f"{path.name}: SQL in a page: {node.value[:60]!r}"
        assert "import duckdb" not in text, path.name


def test_repository_text_is_utf8():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    checked = 0
    for name in tracked:
        path = ROOT / name
        if "fixtures" in path.parts or not path.is_file():
            continue  # survey fixtures are deliberately in other encodings
        if path.suffix in (".py", ".sql", ".yaml", ".md", ".toml", ".txt", ".csv", ".ini", ".json"):
            path.read_bytes().decode("utf-8")
            checked += 1
    assert checked > 30
