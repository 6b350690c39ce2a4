"""analysis/memo.py: inside one view computation an input is read once; nothing outlives the call."""

from __future__ import annotations

from framework import analysis, db
from framework.analysis import Filters, memo, suppression


def test_once_reads_an_input_once_per_view_and_never_caches_across_calls():
    calls = []

    @memo.once
    def read(con, what):
        calls.append(what)
        return len(calls)

    @memo.view
    def outer(con):
        return read(con, "a"), read(con, "a"), read(con, "b"), inner(con)

    @memo.view
    def inner(con):  # a view called by a view shares the caller's memo
        return read(con, "a")

    assert outer("con") == (1, 1, 2, 1) and calls == ["a", "b"]
    assert outer("con") == (3, 3, 4, 3)  # a new call reads again
    assert read("con", "a") == 5 and read("con", "a") == 6  # outside a view: every call reads


def test_a_view_reads_the_population_atoms_once(demo_store, monkeypatch):
    """The overview runs several inner views (counts, readiness now and before, blockers); the store-wide
    atoms of rule 7 are one query for all of them."""
    con = db.connect(demo_store, read_only=True)
    built = []
    real = suppression.Population.__init__

    def counting(self, atoms):
        built.append(len(atoms))
        real(self, atoms)

    monkeypatch.setattr(suppression.Population, "__init__", counting)
    analysis.overview(con, Filters())
    assert len(built) == 1 and built[0] > 0
    analysis.overview(con, Filters())  # the next call reads them again (no cache)
    assert len(built) == 2
    con.close()
