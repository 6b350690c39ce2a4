"""Charts built once per distinct input and shared by every session (a page's figure at the page edge).

A plotly figure takes tens of milliseconds of CPU to build and validate; twenty people opening the same page
with the same filters would build the same figure twenty times. `figure(build, *args, **kwargs)` returns the
figure `build` (a function of framework.outputs) makes of these arguments, built on the first call only: the
cache key is the builder's name and the arguments' content (the view's result frame, the language, the font
size ...), so another threshold, language, size or a new data version (a different frame) is another figure.
The figure is shared, never copied: callers only read it (st.plotly_chart serialises it; the export buttons
deep-copy it before retitling).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

_BUILDERS: dict[str, Callable] = {}


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
