"""House rules that keep the code base in shape: layers separated, SQL files used, every page tested, modules small.

Every rule walks its folder recursively (rglob), so a subpackage (framework/survey/, framework/analysis/,
framework/cli/, ...) is held to the same rules as a flat module.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from framework import sql

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600
LAYERS = ("framework", "ui", "pages")

# Every page in the menu (ui.shell.PAGES) -> the test module holding its AppTest. Named, not guessed: the
# test below checks that the module really runs that page (run_page / AppTest.from_file / switch_page).
PAGE_TESTS = {
    "app.py": "test_page_home.py",
    "pages/profiles.py": "test_page_profiles.py",
    "pages/pathway.py": "test_page_pathway.py",
    "pages/explorer.py": "test_page_explorer.py",
    "pages/requirements.py": "test_page_requirements.py",
    "pages/overview.py": "test_page_overview.py",
    "pages/coverage.py": "test_page_coverage.py",
    "pages/readiness.py": "test_page_readiness.py",
    "pages/trends.py": "test_page_trends.py",
    "pages/training.py": "test_page_training.py",
    "pages/respondent.py": "test_page_respondent.py",
    "pages/upload.py": "test_page_upload.py",
    "pages/sql.py": "test_page_sql.py",
    "pages/workshop.py": "test_page_assess_workshop.py",
    "pages/assess.py": "test_page_assess.py",
}

# Modules over MAX_LINES while this wave splits them into packages (issue 9). The lead empties this list
# after merging; a module not listed here fails the size rule, and a listed one that has shrunk fails too.
OVERSIZE_ALLOWED: set[str] = set()

RUNNERS = {"run_page", "from_file", "switch_page"}


def _py_files(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST) -> set[str]:
    """Top-level package names imported anywhere in the module (also inside functions)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.add(str(node.args[0].value).split(".")[0])
    return found


# --- layers ---------------------------------------------------------------------------------------------------
def test_framework_never_imports_streamlit_in_any_subfolder():
    files = _py_files("framework")
    assert len(files) > 20
    offenders = [_rel(p) for p in files if "streamlit" in _imports(ast.parse(p.read_text(encoding="utf-8")))]
    assert offenders == [], "framework/ must stay importable without Streamlit"


def test_framework_imports_without_streamlit():
    """Import every module of framework/, subpackages included, in a fresh interpreter."""
    modules = [_module(p) for p in _py_files("framework") if p.stem != "__main__"]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            "assert 'streamlit' not in sys.modules, 'framework pulled in streamlit'\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


SQL_IN_TEXT = re.compile(r"\b(select|insert|update|delete)\b[^\"']*\bfrom\b|read_parquet|read_csv|duckdb\.connect",
                         re.IGNORECASE)


@pytest.mark.parametrize("folder", ["pages", "ui"])
def test_pages_and_ui_hold_no_sql_and_no_file_reads(folder):
    files = _py_files(folder) + ([ROOT / "app.py"] if folder == "pages" else [])
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not SQL_IN_TEXT.search(node.value), f"{_rel(path)}: SQL: {node.value[:60]!r}"
        assert "duckdb" not in _imports(ast.parse(text)) or folder == "ui", f"{_rel(path)} imports duckdb"


def test_the_sql_rule_catches_sql():
    """The pattern above is not vacuous: it finds the SQL a page might be tempted to hold."""
    assert SQL_IN_TEXT.search("SELECT count(*) FROM store.responses")
    assert SQL_IN_TEXT.search("select * from read_parquet('x')")
    assert not SQL_IN_TEXT.search("Select the batches to delete")


# --- named SQL files ------------------------------------------------------------------------------------------
def test_every_sql_file_is_loaded_by_name():
    code = "\n".join(p.read_text(encoding="utf-8") for p in _py_files("framework"))
    loaded = set(re.findall(r"""load\(\s*["']([a-z0-9_/]+)["']\s*\)""", code))
    on_disk = {p.relative_to(ROOT / "framework" / "sql").with_suffix("").as_posix()
               for p in (ROOT / "framework" / "sql").rglob("*.sql")}
    assert on_disk, "no named queries"
    assert set(sql.names()) == on_disk, "sql.names() misses a .sql file in a subfolder"
    assert on_disk - loaded == set(), "unused .sql files"
    assert loaded - on_disk == set(), "load() of a missing .sql file"


# --- pages ----------------------------------------------------------------------------------------------------
def test_every_page_is_registered_and_every_registered_page_exists():
    from ui.shell import PAGES
    registered = {script for script, *_ in PAGES}
    on_disk = {"app.py"} | {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert on_disk == registered


def pages_run_by(test_file: Path) -> set[str]:
    """The pages a test module runs: calls to run_page / AppTest.from_file / switch_page and the page they name.

    `run_page()` without a script runs the home page (app.py); a script is named by a string literal
    ("coverage.py", "pages/coverage.py", or ROOT / "pages" / "upload.py").
    """
    ran = set()
    for node in ast.walk(ast.parse(test_file.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name not in RUNNERS:
            continue
        args = list(node.args) + [k.value for k in node.keywords if k.arg in ("script", "script_path", "page_path")]
        literals = [c.value for a in args for c in ast.walk(a)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.endswith(".py")]
        for lit in literals:
            base = Path(lit).name
            ran.add("app.py" if base == "app.py" else f"pages/{base}")
        if name == "run_page" and not node.args and not any(k.arg == "script" for k in node.keywords):
            ran.add("app.py")
    return ran


def test_every_page_has_its_own_apptest_module():
    from ui.shell import PAGES
    assert set(PAGE_TESTS) == {script for script, *_ in PAGES}, "PAGE_TESTS must name every page in the menu"
    for script, module in PAGE_TESTS.items():
        path = ROOT / "tests" / module
        assert path.is_file(), f"{script}: {module} missing"
        assert script in pages_run_by(path), f"{module} never runs {script}"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.FunctionDef) and n.name.startswith("test_") for n in tree.body), module


def test_pages_run_by_reads_the_calls_not_the_text(tmp_path):
    """A page's name in a comment or a string does not count as running it; each way to run a page does."""
    f = tmp_path / "test_x.py"
    f.write_text('# coverage.py is tested elsewhere\nNOTE = "trends.py"\n', encoding="utf-8")
    assert pages_run_by(f) == set()
    f.write_text('def test_a():\n    run_page("coverage.py")\n    pages.run_page("trends.py", lang="en")\n'
                 '    AppTest.from_file(str(ROOT / "pages" / "upload.py"))\n    run_page(state={})\n'
                 '    at.switch_page("pages/sql.py")\n', encoding="utf-8")
    assert pages_run_by(f) == {"pages/coverage.py", "pages/trends.py", "pages/upload.py", "app.py", "pages/sql.py"}


# --- size -----------------------------------------------------------------------------------------------------
def _line_counts() -> dict[str, int]:
    return {_rel(p): len(p.read_text(encoding="utf-8").splitlines()) for p in _py_files(*LAYERS)}


def test_no_module_over_600_lines():
    counts = _line_counts()
    over = {name for name, n in counts.items() if n > MAX_LINES}
    assert over - OVERSIZE_ALLOWED == set(), f"modules over {MAX_LINES} lines: split them"
    # A listed module that has been split (gone or small) must leave the allow-list.
    stale = {name for name in OVERSIZE_ALLOWED if counts.get(name, 0) <= MAX_LINES}
    assert stale == set(), f"remove from OVERSIZE_ALLOWED: {sorted(stale)}"


# --- text -----------------------------------------------------------------------------------------------------
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
