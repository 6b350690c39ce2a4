"""Issue 20: Markdown and Plotly markup from data never reach the page as markup.

A store whose agencies are named `![a](http://127.0.0.1:9/x.png)` (an image every viewer would fetch) and
`<a href="http://x/phish">Sign in again</a>` (a link in a chart's labels), a campaign link `?c=[Sign in](//127.1)`:
the survey pages show those names as text. AppTest gives the Markdown a page sends (the element's body); the
real browser test (test_browser_markup.py) checks what Chromium then renders and fetches.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import demo_copy, run_page

from framework import db
from framework.store import aggregates
from framework.text import md

IMG = "![a](http://127.0.0.1:9/x.png)"
PHISH = '<a href="http://x/phish">Sign in again</a>'
LIVE = re.compile(r"(?<!\\)!?(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)<a\b|(?<!\\)<img\b")  # a link/image/tag left live


def hostile_store(path: Path, img: str = IMG, phish: str = PHISH) -> Path:
    """The demo store with its two agencies renamed `img` and `phish`; `img`'s rounds a day earlier, so the
    round line names it ("Latest round of 30 Jun 2025; for <img>: 29 Jun 2025")."""
    demo_copy(path)
    con = db.connect(path)
    try:
        first, second = [
            r[0] for r in con.execute("SELECT DISTINCT agency FROM store.batches ORDER BY agency").fetchall()
        ]
        with db.transaction(con) as cur:
            for table in ("store.batches", "store.responses"):
                cur.execute(
                    f"UPDATE {table} SET agency = CASE agency WHEN $1 THEN $2 WHEN $3 THEN $4 END "
                    "WHERE agency IN ($1, $3)",
                    [first, img, second, phish],
                )
            cur.execute(
                "UPDATE store.batches SET round_date = CAST(round_date - INTERVAL 1 DAY AS DATE) WHERE agency = $1",
                [img],
            )
            aggregates.rebuild(cur)
    finally:
        con.close()
    return path


@pytest.fixture
def hostile(tmp_path, monkeypatch) -> Path:
    path = hostile_store(tmp_path / "hostile.duckdb")
    monkeypatch.setenv("SKILLS_DB", str(path))
    return path


def markdown_bodies(at) -> list[str]:
    """Every text the page hands to Streamlit's Markdown renderer (body or label)."""
    out = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader"):
        out += [getattr(e, "body", None) or e.value for e in at.get(kind)]
    for kind in ("expander", "checkbox", "radio", "selectbox", "multiselect", "button", "text_input", "toggle"):
        out += [e.label for e in at.get(kind) if getattr(e, "label", None)]
    return [str(x) for x in out if x]


def assert_shown_as_text(at, *values: str) -> None:
    bodies = markdown_bodies(at)
    live = [b for b in bodies if LIVE.search(b)]
    assert live == [], f"markup left live: {live}"
    for v in values:
        assert not any(v in b for b in bodies), f"{v!r} reached the Markdown unescaped"


def test_the_live_markup_pattern_sees_what_md_neutralises():
    assert LIVE.search(IMG) and LIVE.search(PHISH) and LIVE.search("[Sign in](//127.1)")
    assert not LIVE.search(md(IMG)) and not LIVE.search(md(PHISH)) and not LIVE.search(md("[Sign in](//127.1)"))


@pytest.mark.parametrize("lang", ["en", "th"])
def test_round_line_names_the_image_agency_as_text_on_the_default_survey_pages(hostile, lang):
    for script in ("overview.py", "training.py", "coverage.py"):
        at = run_page(script, state={"lang": lang})
        assert not at.exception, script
        assert_shown_as_text(at, IMG, PHISH)
        assert any(md(IMG) in c.value for c in at.caption), f"{script}: the round line does not name the agency"


def test_scope_lists_the_chosen_agencies_as_text(hostile):
    at = run_page("overview.py", state={"lang": "en", "ov_agencies": [IMG, PHISH]})
    assert not at.exception
    scope = [c.value for c in at.caption if c.value.startswith("Scope:")]
    assert scope and md(IMG) in scope[0] and md(PHISH) in scope[0]
    assert_shown_as_text(at, IMG, PHISH)
    at = run_page("training.py", state={"lang": "th", "trn_agencies": [IMG]})
    assert not at.exception and any(md(IMG) in c.value for c in at.caption if c.value.startswith("ขอบเขต"))
    assert_shown_as_text(at, IMG, PHISH)


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


@pytest.mark.parametrize(
    "script, state",
    [
        ("coverage.py", {"cov_by": "agency", "cov_agencies": []}),
        ("readiness.py", {"rdy_by": "agency", "rdy_agencies": []}),
    ],
)
def test_chart_labels_hold_no_tag_from_an_agency_name(hostile, script, state):
    at = run_page(script, state={"lang": "en", **state})
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    texts = list(_strings(spec))
    assert not [t for t in texts if "<a" in t or "<img" in t], "a tag from the data reached a Plotly label"
    assert any("&lt;a href=" in t for t in texts), "the agency is shown (escaped) in the chart"


def test_campaign_code_from_the_url_is_shown_as_text(hostile):
    code = "[Sign in](//127.1)"
    at = run_page("assess.py", query={"c": code})
    assert not at.exception and at.error
    assert_shown_as_text(at, code.lower())


def test_trend_lines_name_an_agency_as_text():
    import pandas as pd

    from framework.outputs import analysis_charts
    from framework.text import plotly

    df = pd.DataFrame(
        {"round": ["2024-06-30", "2025-06-30"], "key": [PHISH, PHISH], "n": [10, 12], "readiness": [0.5, 0.6]}
    )
    fig = analysis_charts.trend_lines(df, "readiness", "en", {})
    assert fig.data[0].name == plotly(PHISH) and "&lt;a href=" in fig.data[0].hovertemplate
    assert not [t for t in _strings(json.loads(fig.to_json())) if "<a" in t]
