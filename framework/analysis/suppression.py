"""Which figures are hidden, and why: the rules of Thailand's PDPA small-cell protection, in one auditable file.

Every survey view (coverage, readiness, blocking units, training needs, overview, trends) and so every page,
export, CLI command and analyst table applies these rules:

1. Blocks (analysis/disclosure.py): for everyone without the HR passphrase a figure is computed over the
   blocks of k or more people that lie wholly inside its selection, so no combination of figures reads
   anything about fewer than k people. `n` is the people the figure covers; `n_all` the people selected.
2. Hidden cells: a figure is hidden ("empty") when nobody is selected, ("small") when fewer than k people
   are selected or the figure covers fewer than the k chosen on the page, and ("pooled") when k or more
   people are selected but none of them is in a block inside the selection (they are all in small groups,
   counted in wider totals). Hidden means NaN, never 0. Head counts stay: they are not assessments.
3. Exact figures (the HR passphrase given, or local mode): every selected person counts; a figure over
   fewer than k people is hidden ("small").
4. Headline figures (training) are sums over shown figures only (`training_headline`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from framework.store.rounds import latest_round, previous_round
from framework.text import pick

# Why a cell is hidden.
HIDDEN_EMPTY = "empty"  # nobody selected
HIDDEN_SMALL = "small"  # fewer than k people selected (or covered)
HIDDEN_POOLED = "pooled"  # k or more selected, all of them in small groups counted only in wider totals
REASONS = (HIDDEN_EMPTY, HIDDEN_SMALL, HIDDEN_POOLED)
# Columns of population_atoms.sql. round_id (agency@round date) is one agency's round: the round choice
# "latest" (each agency's latest round) is a set of round_ids.
DIFF_DIMS = ("staff_group", "agency", "unit_key", "round_key", "round_id", "batch_id")
MEMO_LIMIT = 1024  # a Population's remembered counts and masks (it may serve every page at one data version)

_LABELS = {
    HIDDEN_EMPTY: ("ไม่มีผู้ตอบ", "no respondents"),
    HIDDEN_SMALL: ("ผู้ตอบน้อยกว่า {k} คน", "fewer than {k} respondents"),
    HIDDEN_POOLED: (
        ("ยังแสดงแยกไม่ได้: ทุกคนอยู่ในกลุ่มย่อยที่เล็กกว่า k คน (นับรวมในยอดรวมที่กว้างกว่า) หรือเป็นคำตอบแบบประเมินที่ยังไม่ครบรอบแสดงผล"),
        (
            "not shown on its own yet: everyone is in a group of fewer than k (counted in wider totals) "
            "or in a campaign's answers not yet released"
        ),
    ),
}


def reason_label(reason: str, lang: str, k: int | None = None) -> str:
    """A hidden reason in words (the one wording every page, chart and export uses)."""
    th, en = _LABELS.get(reason, ("ซ่อน", "hidden"))
    text = pick(lang, th, en)
    return text.format(k=k if k is not None else "k")


class Population:
    """Head counts of the whole store by every filter dimension, to size any product selection.

    A selection maps a dimension of DIFF_DIMS to the set of values kept; a dimension not in it is unfiltered.
    """

    def __init__(self, atoms: pd.DataFrame):
        self.atoms = atoms
        self.n = atoms["n"].to_numpy(dtype="int64") if len(atoms) else np.zeros(0, dtype="int64")
        # Each dimension as integer codes, so a selection's mask is a table lookup (not a string search); the
        # codes are taken from the column as it is (no Python string per atom).
        self._vocab, self._codes, self._uniq = {}, {}, {}
        for d in DIFF_DIMS:
            col = atoms[d].astype(str) if len(atoms) else pd.Series([], dtype=object)
            codes, uniq = pd.factorize(col)
            self._uniq[d] = np.array([str(v) for v in uniq], dtype=object)
            self._vocab[d] = {v: i for i, v in enumerate(self._uniq[d].tolist())}
            self._codes[d] = codes
        self.domain = {d: frozenset(self._uniq[d].tolist()) for d in DIFF_DIMS}
        self._counts: dict = {}
        self._extra: dict = {}  # other atoms columns (the batches' stage), factorised when first asked
        self._rounds: dict = {}
        self._masks: dict = {}

    @property
    def values(self) -> dict:
        """Each dimension's value per atom (strings)."""
        return {d: self._uniq[d][self._codes[d]] for d in DIFF_DIMS}

    def agency_rounds(self, which: str, batches: frozenset | None = None) -> frozenset:
        """The round_ids of each agency's latest round ("latest") or the dated one before it ("previous")
        among the batches kept: the one rule of which round is each agency's latest (filtered.sql binds it)."""
        key = (which, batches)
        if key not in self._rounds:
            self._rounds[key] = self._agency_rounds(which, batches)
        return self._rounds[key]

    def _agency_rounds(self, which: str, batches: frozenset | None) -> frozenset:
        keep = (self.n > 0) & (self._dim_mask("batch_id", frozenset(batches)) if batches else True)
        agencies, keys = self._uniq["agency"], self._uniq["round_key"]
        pairs = set(zip(self._codes["agency"][keep].tolist(), self._codes["round_key"][keep].tolist()))
        dated: dict = {}
        for agency, key in ((agencies[a], keys[r]) for a, r in pairs):
            dated.setdefault(agency, [])
            if key != "—":
                dated[agency].append(key)
        out = set()
        for agency, keys in dated.items():  # store.rounds: THE order of an agency's rounds
            chosen = latest_round(keys or ["—"]) if which == "latest" else previous_round(keys)
            if chosen is not None:
                out.add(f"{agency}@{chosen}")
        return frozenset(out)

    def count(self, selection: dict) -> int:
        """The people a product selection keeps."""
        key = tuple(sorted((d, tuple(sorted(v))) for d, v in selection.items()))
        if key not in self._counts:
            if len(self._counts) >= MEMO_LIMIT:  # a page-edge memo keeps one Population per data version
                self._counts.clear()
            self._counts[key] = int(self.n[self._mask(selection)].sum())
        return self._counts[key]

    def distinct(self, selection: dict, d: str) -> int:
        """How many values of dimension d the atoms a selection keeps hold (a missing value not counted)."""
        codes = self._codes[d][self._mask(selection)]
        return len(np.unique(codes[codes >= 0]))

    def people_by(self, selection: dict, column: str) -> dict:
        """The people a selection keeps per value of an atoms column (values of its kept atoms, missing ones
        left out; a value whose atoms hold nobody counts 0), as a groupby of the kept atoms sums them."""
        if column not in self._extra:
            codes, uniq = pd.factorize(self.atoms[column]) if len(self.atoms) else (np.zeros(0, int), [])
            self._extra[column] = (codes, list(uniq))
        codes, uniq = self._extra[column]
        mask = self._mask(selection) & (codes >= 0)
        people = np.bincount(codes[mask], weights=self.n[mask], minlength=len(uniq))
        present = np.bincount(codes[mask], minlength=len(uniq)) > 0
        return {uniq[i]: int(people[i]) for i in np.flatnonzero(present)}

    def kept(self, selection: dict) -> pd.DataFrame:
        """The atoms a product selection keeps (their rows of the atoms frame)."""
        return self.atoms[self._mask(selection)] if len(self.atoms) else self.atoms

    def _mask(self, selection: dict) -> np.ndarray:
        mask = np.ones(len(self.n), dtype=bool)
        for d, kept in selection.items():
            mask &= self._dim_mask(d, frozenset(kept))
        return mask

    def _dim_mask(self, d: str, kept: frozenset) -> np.ndarray:
        """The atoms whose value of dimension d is kept (one lookup table per dimension and value set)."""
        key = (d, kept)
        if key not in self._masks:
            if len(self._masks) >= MEMO_LIMIT:
                self._masks.clear()
            table = np.zeros(len(self._vocab[d]), dtype=bool)
            table[[self._vocab[d][v] for v in kept if v in self._vocab[d]]] = True
            self._masks[key] = table[self._codes[d]]
        return self._masks[key]


def reasons(n: pd.Series, n_all: pd.Series, k: int) -> pd.Series:
    """Rule 2: why each figure is hidden (None where shown), from the people it covers and those selected."""
    n = pd.Series(n)
    people = n.fillna(0).to_numpy(dtype="int64")
    selected = pd.Series(n_all, index=n.index).fillna(0).to_numpy(dtype="int64")
    hidden = np.full(len(people), np.nan, dtype=object)  # NaN where shown, as pd.Series(None, dtype=object) gives
    hidden[(selected >= k) & (people == 0)] = HIDDEN_POOLED
    hidden[(people > 0) & (people < k)] = HIDDEN_SMALL
    hidden[(selected > 0) & (selected < k)] = HIDDEN_SMALL
    hidden[selected == 0] = HIDDEN_EMPTY
    return pd.Series(hidden, index=n.index, dtype="object")


def hide(df: pd.DataFrame, k: int, values: list[str], n: str = "n", n_all: str = "n_all") -> pd.DataFrame:
    """Add `hidden` (rule 2) and set the hidden rows' `values` to NaN."""
    out = df.copy()
    out["hidden"] = reasons(out[n], out[n_all], k)
    mask = out["hidden"].notna().to_numpy()
    for col in values:
        v = out[col].astype("float64").to_numpy(copy=True)
        v[mask] = np.nan
        out[col] = v
    return out


@dataclass(frozen=True)
class TrainingHeadline:
    """The training page's headline figures, summed over shown unit totals only (hidden ones left out)."""

    units: int  # unit totals in the table (shown and hidden)
    units_shown: int
    units_with_needs: int  # shown units with at least one person to develop
    person_units: int  # sum of shown not_met_n
    required: int  # sum of shown required_n
    share_not_assessed: float | None  # None when no unit is shown

    @property
    def units_hidden(self) -> int:
        return self.units - self.units_shown


def training_headline(totals: pd.DataFrame) -> TrainingHeadline:
    """Rule 6: headline figures from the unit totals of training_needs, over the shown ones only."""
    shown = totals[totals["hidden"].isna()]
    required = int(shown["required_n"].sum())
    return TrainingHeadline(
        units=len(totals),
        units_shown=len(shown),
        units_with_needs=int((shown["not_met_n"] > 0).sum()),
        person_units=int(shown["not_met_n"].sum()),
        required=required,
        share_not_assessed=float(shown["not_assessed_n"].sum() / required) if required else None,
    )


def hidden_counts(df: pd.DataFrame) -> dict:
    """How many cells are hidden and why (for the note under each table and chart)."""
    if "hidden" not in df.columns:
        return {h: 0 for h in REASONS}
    vc = df["hidden"].value_counts()
    return {h: int(vc.get(h, 0)) for h in REASONS}


def hidden_note(df: pd.DataFrame, k: int, lang: str, what_th: str = "ช่อง", what_en: str = "cells") -> str:
    """One sentence saying how many cells are hidden and why (and how many more people would show the
    nearest one), and how many shown figures cover only part of their people, in the page language."""
    c = hidden_counts(df)
    small = df[df["hidden"] == HIDDEN_SMALL] if "hidden" in df.columns else df.iloc[:0]
    more = None
    if "n_all" in df.columns and len(small):
        gaps = k - small["n_all"].astype("int64")
        gaps = gaps[gaps > 0]
        more = int(gaps.min()) if len(gaps) else None
    partial = 0
    if {"n", "n_all", "hidden"} <= set(df.columns):
        shown = df[df["hidden"].isna()]
        partial = int((shown["n"].fillna(0).astype("int64") < shown["n_all"].fillna(0).astype("int64")).sum())
    if lang == "en":
        text = (
            f"Hidden {what_en}: {c[HIDDEN_SMALL]} with fewer than {k} respondents"
            + (f" (the nearest needs {more} more)" if more else "")
            + (
                f", {c[HIDDEN_POOLED]} whose people are all in groups of fewer than {k} (counted in wider totals)"
                if c[HIDDEN_POOLED]
                else ""
            )
            + f", {c[HIDDEN_EMPTY]} with no respondents."
        )
        if partial:
            text += (
                f" {partial} shown {what_en} cover only the groups of {k} or more inside them; the rest "
                "are counted in wider totals."
            )
        return text + f" (PDPA: nothing about fewer than {k} people can be read from these figures.)"
    text = (
        f"{what_th}ที่ซ่อน: {c[HIDDEN_SMALL]} {what_th}มีผู้ตอบน้อยกว่า {k} คน"
        + (f" (ช่องที่ใกล้ที่สุดต้องการอีก {more} คน)" if more else "")
        + (
            f", {c[HIDDEN_POOLED]} {what_th}ที่ทุกคนอยู่ในกลุ่มย่อยที่เล็กกว่า {k} คน (นับรวมในยอดรวมที่กว้างกว่า)"
            if c[HIDDEN_POOLED]
            else ""
        )
        + f", {c[HIDDEN_EMPTY]} {what_th}ไม่มีผู้ตอบ"
    )
    if partial:
        text += f" — {partial} {what_th}ที่แสดงนับเฉพาะกลุ่มย่อยที่มีตั้งแต่ {k} คนขึ้นไป ส่วนที่เหลือนับรวมในยอดรวมที่กว้างกว่า"
    return text + f" (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล: ไม่มีตัวเลขใดอ่านข้อมูลของกลุ่มที่เล็กกว่า {k} คนได้)"
