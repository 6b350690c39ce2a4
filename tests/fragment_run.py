"""AppTest and st.fragment: in the browser a widget inside a fragment reruns that fragment alone; AppTest
always reruns the whole script. `run_fragment(at)` makes the next run the one the browser asks for after a
change inside the page's fragment (a rerun naming the fragment), so tests and bench/bench_form.py see what the
server does then."""

from __future__ import annotations

import contextlib
import functools

from streamlit.testing.v1 import local_script_runner


def fragment_ids(at) -> list[str]:
    """The fragments the page registered, in registration order."""
    return list(at._fragment_storage._fragments)


@contextlib.contextmanager
def _scoped(fragment_id: str):
    original = local_script_runner.RerunData
    local_script_runner.RerunData = functools.partial(original, fragment_id_queue=[fragment_id])
    try:
        yield
    finally:
        local_script_runner.RerunData = original


def run_fragment(at, fragment_id: str | None = None):
    """Run `at` as a rerun of one fragment (default: the last one registered), widget changes included."""
    ids = fragment_ids(at)
    assert ids, "the page registered no fragment"
    with _scoped(fragment_id or ids[-1]):
        return at.run()
