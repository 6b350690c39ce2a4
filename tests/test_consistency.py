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
    "pages/audit.py": "test_page_audit.py",
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
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
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
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "assert 'streamlit' not in sys.modules, 'framework pulled in streamlit'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


SQL_IN_TEXT = re.compile(
    r"\b(select|insert|update|delete)\b[^\"']*\bfrom\b|read_parquet|read_csv|duckdb\.connect", re.IGNORECASE
)


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
    on_disk = {
        p.relative_to(ROOT / "framework" / "sql").with_suffix("").as_posix()
        for p in (ROOT / "framework" / "sql").rglob("*.sql")
    }
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
        literals = [
            c.value
            for a in args
            for c in ast.walk(a)
            if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.endswith(".py")
        ]
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
    f.write_text(
        'def test_a():\n    run_page("coverage.py")\n    pages.run_page("trends.py", lang="en")\n'
        '    AppTest.from_file(str(ROOT / "pages" / "upload.py"))\n    run_page(state={})\n'
        '    at.switch_page("pages/sql.py")\n',
        encoding="utf-8",
    )
    assert pages_run_by(f) == {"pages/coverage.py", "pages/trends.py", "pages/upload.py", "app.py", "pages/sql.py"}


# --- size -----------------------------------------------------------------------------------------------------
def _line_counts() -> dict[str, int]:
    return {_rel(p): len(p.read_text(encoding="utf-8").splitlines()) for p in _py_files(*LAYERS)}


def _size_problems(counts: dict[str, int], allowed: set[str]) -> tuple[set[str], set[str]]:
    """(modules over MAX_LINES and not allowed, allow-list entries no longer over it: split, or gone)."""
    over = {name for name, n in counts.items() if n > MAX_LINES}
    stale = {name for name in allowed if counts.get(name, 0) <= MAX_LINES}
    return over - allowed, stale


def test_no_module_over_600_lines():
    over, stale = _size_problems(_line_counts(), OVERSIZE_ALLOWED)
    assert over == set(), f"modules over {MAX_LINES} lines: split them"
    # A listed module that has been split (gone or small) must leave the allow-list.
    assert stale == set(), f"remove from OVERSIZE_ALLOWED: {sorted(stale)}"


def test_the_size_rule_catches_big_modules_and_stale_allowances():
    counts = {"framework/big.py": MAX_LINES + 1, "framework/split.py": MAX_LINES, "framework/ok.py": 10}
    assert _size_problems(counts, set()) == ({"framework/big.py"}, set())
    assert _size_problems(counts, {"framework/big.py"}) == (set(), set())
    assert _size_problems(counts, {"framework/big.py", "framework/split.py", "framework/gone.py"}) == (
        set(),
        {"framework/split.py", "framework/gone.py"},
    )


def test_architecture_names_every_module():
    """docs/ARCHITECTURE.md describes every module of framework/ and ui/ (by its file name)."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [
        _rel(p)
        for p in _py_files("framework", "ui")
        if p.name not in ("__init__.py", "__main__.py") and not re.search(rf"(?<![\w.]){re.escape(p.name)}", text)
    ]
    assert missing == [], f"describe in docs/ARCHITECTURE.md: {missing}"


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


# --- text from data is shown as text (framework/text.py) --------------------------------------------------------
# Streamlit renders Markdown in these calls' first argument (body or widget label): links and images render
# (an image is fetched by every viewer), and so do Streamlit's :color[...] and :material/...: directives.
# Every piece of text a page puts there is a literal, a number, a translated constant, or wrapped in
# framework.text.md() (text.html() inside unsafe_allow_html HTML); a few trusted values are listed by name.
MARKDOWN_CALLS = {
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "write",
    "title",
    "header",
    "subheader",
    "toast",
    "expander",
    "popover",
    "button",
    "download_button",
    "link_button",
    "page_link",
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "text_input",
    "text_area",
    "number_input",
    "slider",
    "select_slider",
    "date_input",
    "file_uploader",
    "metric",
    "tabs",
}
NOT_STREAMLIT = {
    "summary",
    "rules",
    "pv",
    "analysis",
    "analysis_charts",
    "charts",
    "re",
    "np",
    "pd",
    "f",
}  # f.write(...): a file
ESCAPERS = {"md", "text.md"}  # Markdown text
HTML_ESCAPERS = {"html", "text.html"}  # HTML text (inside st.markdown(..., unsafe_allow_html=True))
PASS_THROUGH = {"tr", "shell.tr", "escape", "html.escape"}  # safe when every argument is safe
# A format spec a str would take too (width, alignment, precision) passes the text through; any other spec
# ("{n:,}", "{v:.0%}", "{d:+d}", "{t:%H:%M}") only formats a number or a date.
TEXT_SPEC = re.compile(r"^(.?[<>^=])?\d*(\.\d+)?s?$")
# Values that never come from a file, a form or a URL: numbers, catalogue labels and texts (committed YAML),
# translated constants, dates and codes the app makes. Named one by one, per file; a name trusted in one file
# is not trusted in another.
TRUSTED_EVERYWHERE = {
    "stages[]",
    "pv.text",
    "p.persona",
    "u[code]",  # catalogue: stage names, unit names and codes, personas
    "th",
    "en",  # the (Thai, English) pair of a translated constant
    "len",
    "f.min_cell",  # numbers
    "summary.met_words",
    "summary.met_clause",
    "summary.below_words",
    "rsp.met_note",  # the threshold in words (program text and a number)
}
TRUSTED_IN = {
    "app.py": {
        "meta[circular]",
        "meta[source_sha256]",
        "meta[title_en]",
        "meta[title_th]",
        "stage_name",
        "demo",
        "personas[]",
    },
    "pages/assess.py": {
        "groups[]",
        "stages.get",
        "tag",
        "r[element]",
        "details[]",  # form.unit_details (catalogue text), cached per language at the page edge (issue 22)
        "label",
    },
    "pages/explorer.py": {
        "group",
        "unit",
        "names.get",
        "element[element_code]",
        "c[criterion_code]",
        "lines",
        "hits_table",
        "int",
        "sum",
    },
    "pages/overview.py": {"n_hidden", "pts", "start", "then"},
    "pages/pathway.py": {"html"},
    "pages/profiles.py": {
        "names[]",
        "names.get",
        "gkey",
        "primary",
        "alt",
        "label",
        "element[element_code]",
        "lines",
        "_items",
        "p.role",
        "c[definition_th]",
        "level",
    },
    "pages/readiness.py": {"by_labels[]"},
    "pages/respondent.py": {
        "names[]",
        "e[code]",
        "p.next_persona",
        "p.next_dropped",
        "rsp.status_label",
        "rsp.FIND_LIMIT",
    },
    "pages/sql.py": {"analyst.DERIVED[]", "mb", "shell.hr_refusal", "k_floor"},
    "pages/training.py": {"head.units_hidden"},
    "pages/upload.py": {"day", "stage_label", "lang", "res.batch_id", "res.encoding", "survey.rules.markdown"},
    "pages/workshop.py": {
        "hidden",
        "made.code",
        "clock.time_text",
        "floor",
        "shown[released]",
        "shown[live]",
        "counts[people]",
        "counts[round_people]",
        "last",
    },
    "ui/downloads.py": {"_label", "labels[]", "helps[]"},
    "ui/filters.py": {
        "access.min_cell_floor",
        "help",
        "label",
        "since",
        "summary.markdown",
        "refusal",
        "analysis.hidden_note",
        "analysis.DEFINITIONS_TH",
        "analysis.DEFINITIONS_EN",
    },
    "ui/shell.py": {"script", "title_th", "title_en", "sec_th", "sec_en", "why_th", "why_en", "refusal", "label"},
    "ui/targets.py": {"targets.DEFAULT_LEVEL"},
    "ui/widget_text.py": {"block"},
}


def _dotted(node: ast.AST) -> str:
    """`a.b.c` for attributes; `x[key]` for a constant subscript, `x[]` for any other; '' otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    if isinstance(node, ast.Subscript):
        base = _dotted(node.value)
        key = node.slice.value if isinstance(node.slice, ast.Constant) else ""
        return f"{base}[{key}]" if base else ""
    return ""


def unescaped(node: ast.AST, html_ok: bool = False, trusted: frozenset = frozenset()) -> list[str]:
    """The pieces of `node` (an expression shown as Markdown) that are neither literal nor escaped nor trusted."""
    if isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.JoinedStr):
        return [bad for v in node.values for bad in unescaped(v, html_ok, trusted)]
    if isinstance(node, ast.FormattedValue):
        spec = (
            "".join(c.value for c in node.format_spec.values if isinstance(c, ast.Constant)) if node.format_spec else ""
        )
        if node.format_spec and node.conversion == -1 and spec and not TEXT_SPEC.match(spec):
            return []
        if node.conversion in (ord("r"), ord("a")):
            return [ast.unparse(node.value) + "!r"]
        return unescaped(node.value, html_ok, trusted)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return unescaped(node.left, html_ok, trusted) + unescaped(node.right, html_ok, trusted)
    if isinstance(node, ast.IfExp):
        return unescaped(node.body, html_ok, trusted) + unescaped(node.orelse, html_ok, trusted)
    if isinstance(node, ast.BoolOp):
        return [bad for v in node.values for bad in unescaped(v, html_ok, trusted)]
    if isinstance(node, ast.Call):
        name = _dotted(node.func)
        if name in ESCAPERS or (html_ok and name in HTML_ESCAPERS):
            return []
        if isinstance(node.func, ast.Attribute) and node.func.attr == "join" and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, (ast.GeneratorExp, ast.ListComp)):
                return unescaped(arg.elt, html_ok, trusted)
            return unescaped(arg, html_ok, trusted)
        if name in PASS_THROUGH:
            args = [a.value if isinstance(a, ast.Starred) else a for a in node.args]
            return [bad for a in args for bad in unescaped(a, html_ok, trusted)]
        if name in trusted:
            return []
        return [ast.unparse(node)]
    name = _dotted(node)
    if name and (name in trusted or name.split("[")[0] + "[]" in trusted or name.isupper()):
        return []  # UPPER_CASE: a module constant (CSS, catalogue keys) or a Streamlit-independent constant
    return [ast.unparse(node)]


def _markdown_calls(tree: ast.AST):
    """(call, shown expression, html) for every Streamlit call's first argument and `help`, shown as Markdown."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        funcs = [node.func.body, node.func.orelse] if isinstance(node.func, ast.IfExp) else [node.func]
        if not any(
            isinstance(f, ast.Attribute) and f.attr in MARKDOWN_CALLS and _dotted(f.value) not in NOT_STREAMLIT
            for f in funcs
        ):
            continue
        html_ok = any(k.arg == "unsafe_allow_html" for k in node.keywords)
        shown = (
            node.args[0] if node.args else next((k.value for k in node.keywords if k.arg in ("body", "label")), None)
        )
        if shown is not None:
            yield node, shown, html_ok
        for k in node.keywords:
            if k.arg == "help":  # a widget's tooltip is Markdown too
                yield node, k.value, False


def markup_offenders(path: Path, trusted: set | None = None) -> list[str]:
    """`file:line: expression` for each piece of a Markdown call's text that is neither escaped nor trusted."""
    name = _rel(path) if path.is_relative_to(ROOT) else path.name
    allowed = frozenset(TRUSTED_EVERYWHERE | (TRUSTED_IN.get(name, set()) if trusted is None else trusted))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{name}:{call.lineno}: {bad}"
        for call, shown, html_ok in _markdown_calls(tree)
        for bad in unescaped(shown, html_ok, allowed)
    ]


def test_text_from_data_reaches_markdown_only_through_text_md():
    files = _py_files("pages", "ui") + [ROOT / "app.py"]
    offenders = [o for p in files for o in markup_offenders(p)]
    assert offenders == [], (
        "wrap data in framework.text.md() (html() in unsafe HTML), or name a trusted "
        "value in TRUSTED_IN:\n" + "\n".join(offenders)
    )
    assert set(TRUSTED_IN) <= {_rel(p) for p in files}, "TRUSTED_IN names a file that is gone"


def test_every_trusted_name_is_still_needed():
    """An allow-list entry no file needs any more leaves the list (so it cannot quietly trust new data)."""
    for name, allowed in TRUSTED_IN.items():
        for entry in allowed:
            assert markup_offenders(ROOT / name, allowed - {entry}), f"{name}: {entry!r} is no longer needed"


def test_the_markup_rule_catches_data_in_markdown(tmp_path):
    """The rule is not vacuous: each way data reached the page before issue 20 is caught; md() passes."""
    page = tmp_path / "page.py"
    page.write_text(
        'st.caption(":material/event: " + compute("describe_round", f))\n'  # the round line
        'st.caption(tr(f"Scope: {scope}", f"Scope: {scope}"))\n'  # agency names
        'st.markdown(f"**{escape(camp.agency)}** · x")\n'  # html.escape is not enough
        'st.warning(tr(f"unknown {raw!r}", f"unknown {raw!r}"))\n'  # a URL value, repr'd
        '(st.warning if w else st.info)(n.text(lang))\n'  # a notice naming a header
        'st.error(tr(*st.session_state["up_error"]))\n'  # a message naming a file
        'box.download_button(tr(f"Download {kept}", f"Download {kept}"), b)\n'  # a label naming a file
        'st.info(tr(f"{res.file_name} was imported", "x"))\n'
        'st.caption(tr(f"{md(scope)} · {n:,} · {v:.0%} · {t:%H:%M}", "x"))\n'  # escaped, numbers, a time
        'st.markdown(f"<div>{html(who)}</div>", unsafe_allow_html=True)\n'  # html() in unsafe HTML
        'st.markdown(f"{html(who)}")\n'  # ... but not in Markdown
        'f.write(data)\n',
        encoding="utf-8",
    )  # not Streamlit
    lines = [int(o.split(":")[1]) for o in markup_offenders(page, set())]
    assert sorted(set(lines)) == [1, 2, 3, 4, 5, 6, 7, 8, 11]
