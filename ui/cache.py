"""Caching at the page edge, shared by every session: what a cached view is keyed on (the store and its data
version, read once per script run), the store's inputs every view reads (once per data version), and the charts
(built once per input).

- key(): (store path, db.data_version). The version is read once per script run: a page asks for it with every
  cached view it draws, and the survey pages never write, so it cannot change within their run.
- view(store, ver, fn, *args): `fn(connection, *args)` inside analysis.memo.shared with one memo per store and
  data version (st.cache_resource): the catalogue frame, the population atoms, the disclosure blocks and the
  source choice are read once for every view of every page at that version, not once per view. A new data
  version is a new memo.
- figure(build, *args): the plotly figure `build` (a function of framework.outputs) makes of these arguments,
  built on the first call only and shared: the cache key is the builder's name and the arguments' content (the
  view's result frame, the language, the font size ...), so another threshold, language, size or data version
  (a different frame) is another figure. Callers only read it (st.plotly_chart serialises it; the export
  buttons deep-copy it before retitling).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from framework import analysis
from framework.analysis import memo
from framework.paths import store_path
from ui import shell

_BUILDERS: dict[str, Callable] = {}
_RUN_ATTR = "_skills_data_version"  # on the ScriptRunContext: (the run's cursors dict, the version)


def version() -> str:
    """db.data_version of the store, read once per script run (ctx.cursors is a new dict at each run)."""
    ctx = get_script_run_ctx()
    seen = getattr(ctx, _RUN_ATTR, None)
    if seen is not None and seen[0] is ctx.cursors:
        return seen[1]
    ver = analysis.data_version(shell.connection())
    if ctx is not None:
        setattr(ctx, _RUN_ATTR, (ctx.cursors, ver))
    return ver


def key() -> tuple[str, str]:
    """What every cached view is keyed on besides its arguments: the store's path and content version."""
    return str(store_path()), version()


@st.cache_resource(show_spinner=False, max_entries=4)
def inputs(store: str, ver: str) -> dict:
    """The memo of the store's inputs (analysis.memo.shared) for one store at one data version."""
    return {}


def view(store: str, ver: str, fn: Callable, *args, **kwargs):
    """`fn(connection, *args, **kwargs)` with the store's inputs read once per data version, not once per view."""
    with memo.shared(inputs(store, ver)):
        return fn(shell.connection(), *args, **kwargs)


def _name(build: Callable) -> str:
    return f"{build.__module__}.{build.__qualname__}"


@st.cache_resource(show_spinner=False, max_entries=64)
def _built(name: str, args: tuple, kwargs: dict):
    return _BUILDERS[name](*args, **kwargs)


def figure(build: Callable, *args, **kwargs):
    """`build(*args, **kwargs)`, built once per builder and argument content and shared (read it, never change it)."""
    name = _name(build)
    _BUILDERS[name] = build
    return _built(name, args, kwargs)
