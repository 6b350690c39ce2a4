"""ui/cache.py: the page-edge caches shared by every session: a chart built once per input, the store's inputs
read once per data version, and a new data version (or another threshold or language) never served stale."""

from __future__ import annotations

import json

import pandas as pd

from framework import analysis
from framework.analysis import Filters, suppression
from tests.fixtures.analysis import pages, seed
from ui import cache, shell


def test_a_figure_is_built_once_per_builder_and_argument_content():
    built = []

    def bars(df: pd.DataFrame, lang: str, font_size: int = 14):
        built.append((lang, font_size))
        return {"lang": lang, "values": df["v"].tolist(), "font_size": font_size}

    df = pd.DataFrame({"v": [0.1, 0.2]})
    first = cache.figure(bars, df, "th", font_size=14)
    assert cache.figure(bars, df.copy(), "th", font_size=14) is first  # same content: the same shared figure
    assert len(built) == 1
    assert cache.figure(bars, df, "en", font_size=14)["lang"] == "en"  # another language
    assert cache.figure(bars, df, "th", font_size=22)["font_size"] == 22  # presentation mode's size
    changed = cache.figure(bars, pd.DataFrame({"v": [0.1, 0.3]}), "th", font_size=14)  # new data or threshold
    assert changed["values"] == [0.1, 0.3] and len(built) == 4


def test_the_store_inputs_are_kept_per_store_and_data_version(tmp_path, monkeypatch):
    path = seed.to_file(tmp_path / "s.duckdb", seed.basic)
    pages.use_store(monkeypatch, path)
    read = []
    real = suppression.Population.__init__

    def counting(self, atoms):
        read.append(len(atoms))
        real(self, atoms)

    monkeypatch.setattr(suppression.Population, "__init__", counting)
    store, ver = cache.key()
    assert cache.view(store, ver, analysis.survey_counts, Filters())["respondents"] == 13
    assert cache.view(store, ver, analysis.overview, Filters())["counts"]["respondents"] == 13
    assert len(read) == 1  # two views (the overview runs several inner views): the atoms read once
    assert cache.inputs(store, ver) is cache.inputs(store, ver)
    assert cache.inputs(store, ver + "|new") is not cache.inputs(store, ver)  # a new version: a new memo
    cache.view(store, ver + "|new", analysis.survey_counts, Filters())
    assert len(read) == 2
    shell._connection.clear()


def test_a_new_data_version_reaches_the_overview_page(tmp_path, monkeypatch):
    """A warm cache (same filters, new session) serves the same page; a batch added since is shown at once."""
    path = seed.to_file(tmp_path / "s.duckdb", seed.basic)
    pages.use_store(monkeypatch, path)

    def respondents(at) -> str:
        assert not at.exception
        return {m.label: m.value for m in at.metric}["Respondents"]

    at = pages.run_page("overview.py", lang="en", ov_agencies=[])
    assert respondents(at) == "13"
    assert respondents(pages.run_page("overview.py", lang="en", ov_agencies=[])) == "13"
    con = shell._connection(str(path))  # the app's own connection (the file is open in this process)
    seed.write(con, ["B2"], seed._b2_rows())
    assert respondents(pages.run_page("overview.py", lang="en", ov_agencies=[])) == "18"
    assert respondents(at.run()) == "18"  # the same session's next run reads the version again
    shell._connection.clear()


def test_the_overview_chart_follows_threshold_and_language(tmp_path, monkeypatch):
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))

    def spec(**state) -> dict:
        at = pages.run_page("overview.py", **state)
        assert not at.exception
        return json.loads(at.get("plotly_chart")[0].proto.spec)

    en = spec(lang="en")
    assert spec(lang="en") == en  # a new session, same filters: the same figure
    th = spec(lang="th")
    assert th["layout"]["title"] != en["layout"]["title"]
    low = spec(lang="en", ov_threshold=1)
    assert pages.values(low["data"][0]["x"]) != pages.values(en["data"][0]["x"])


def test_export_settings_read_the_target_levels_once_per_data_version(tmp_path, monkeypatch):
    """Issue 22: at t = 0 every /overview open put the levels in force into its export settings (two queries per
    agency round); now once per data version, and a new level set is in the next page's settings."""
    from framework import targets
    from tests.fixtures.analysis.seed import AGENCY
    from ui import filters

    path = seed.to_file(tmp_path / "s.duckdb", seed.basic)
    pages.use_store(monkeypatch, path)
    calls = []
    real = targets.settings
    monkeypatch.setattr(targets, "settings", lambda con, f: calls.append(f) or real(con, f))
    f = Filters(threshold=0, agencies=(AGENCY,))
    first = filters.export_settings(f)
    assert first["targets"] == {f"{AGENCY}@2024-01-15": "default 3"}
    assert filters.export_settings(f, stage="Early") == {**first, "stage": "Early"}
    assert len(calls) == 1
    con = shell._connection(str(path))  # the app's own connection (the file is open in this process)
    targets.set_level(con, AGENCY, "2024-01-15", "Early", "Executive", "DLit100", 2, who="HR", authorised=True)
    assert filters.export_settings(f)["targets"] == {f"{AGENCY}@2024-01-15": {"Early/Executive/DLit100": 2}}
    assert len(calls) == 2
    shell._connection.clear()
