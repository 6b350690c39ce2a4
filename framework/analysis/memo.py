"""One computation's shared inputs: while a view runs, the catalogue frame, the population atoms and the
source choice are read once, however many inner views (overview -> readiness, blockers -> coverage ...) ask.

Not a cache: the memo opens when the outermost `@view` function is called and is gone when it returns, so
nothing outlives one call (caching across reruns stays at the page edge, in Streamlit). The page edge may
hand several view calls one memo (`shared`): it holds that memo per store and data version (ui/cache.py),
so the store's inputs (every `@once` input takes the connection alone: none depends on the filters) are read
once for every view of every page at that version, not once per view.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

_MEMO: ContextVar[dict | None] = ContextVar("analysis_memo", default=None)


def view(fn):
    """A public view: opens the memo for its duration unless a calling view already did."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        if _MEMO.get() is not None:
            return fn(*args, **kwargs)
        token = _MEMO.set({})
        try:
            return fn(*args, **kwargs)
        finally:
            _MEMO.reset(token)

    return wrapper


def once(fn):
    """An input read at most once per connection within the running view (every call outside a view runs)."""

    @wraps(fn)
    def wrapper(con, *args):
        memo = _MEMO.get()
        if memo is None:
            return fn(con, *args)
        key = (fn.__module__, fn.__qualname__, id(con), args)
        if key not in memo:
            memo[key] = fn(con, *args)
        return memo[key]

    return wrapper


@contextmanager
def shared(memo: dict) -> Iterator[None]:
    """Views called inside the block read their `@once` inputs from (and add them to) `memo`, which the caller
    keeps for one store at one data version (a new version must get a new dict)."""
    token = _MEMO.set(memo)
    try:
        yield
    finally:
        _MEMO.reset(token)
