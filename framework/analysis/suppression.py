"""Small-cell suppression (Thailand's PDPA): every rule that hides a figure, in this one file so it can be audited.

The rules, applied to every view (coverage, readiness, blocking units, training needs, overview, trends) and
so to every page, export and CLI command built on them. k is the smallest cell shown (Filters.min_cell).

1. Small: a figure over fewer than k respondents is hidden ("small"); over none it is "empty". Hidden means
   NaN, never 0. Head counts (n) stay: they are not assessments.
2. Complementary: in each set of parts that add up to a shown total (e.g. one unit across staff groups),
   when exactly one non-empty part is hidden, the smallest other non-empty part is hidden too, so the total
   minus the shown parts never gives one part.
3. Extremes: while the hidden parts of a set together come out at 0% or 100% (total minus shown parts) and
   the total itself is neither, one more part is hidden (smallest first).
4. Other views: a cell another view of the same count hides (`already`) stays hidden and counts as a hidden
   part for rules 2-3 (training needs follow the coverage heatmap and the blocking units).
5. Blocking units (a subset of staff groups): hidden when the groups the unit does not apply to hold 1..k-1
   respondents, when exactly one group hidden on the heatmap is inside (or outside) the unit's groups, or
   when the heatmap's hidden groups inside (or outside) are all-or-none met while the figure is not.
6. Headline figures (training) are sums over shown figures only (`training_headline`).
7. Filter differencing ("complement"): every figure is over a population P picked by a product selection over
   the filter dimensions (staff group, agency, org unit, round, batch): per dimension either every value
   (no filter) or a set of values (the filters, narrowed by the row/column key and, for blocking units and
   training needs, by the staff groups whose profile requires the unit). The figure is hidden when
   (a) in P's tightest selection (per dimension, the values P's people hold), widening any non-empty set of
       its restricted dimensions back to every value adds 1..k-1 people (the people the filters leave out,
       relative to a population the same user can also be shown), or
   (b) a dimension the filters or the key keep to two or more values has one value holding 1..k-1 people
       of P (else P minus the same selection without that value gives them), or
   (c) a dimension the filters or the key keep to one value v, whose other values (the other filters the
       same) hold exactly one part of 1..k-1 people, and v is the smallest other non-empty part: the view
       broken down by that dimension hides v for rule 2, so a filter on v alone hides it as well (else the
       total minus v minus the other shown parts gives the small one).
   Why no two shown figures over nested populations P1 ⊃ P2 differ by 1..k-1 people: let M keep P1's
   filtered dimensions at the values P2's people hold and every other dimension whole. Then P2 ⊆ M ⊆ P1;
   P1 − M is a union of single-value slices of P1's filtered dimensions (each 0 or ≥ k by (b)); M is P2's
   tightest selection widened on some dimensions (0 or ≥ k more by (a)); a sum of two such numbers is 0 or
   ≥ k. (a) depends on P alone, so the same people get the same decision in every view. The cells hidden
   by this rule then count as hidden parts for rules 2-3 inside each view. Not proven: combinations of three
   or more figures from different selections beyond (c) (see the test's docstring).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

# Why a cell is hidden.
HIDDEN_EMPTY = "empty"                  # no respondents at all
HIDDEN_SMALL = "small"                  # fewer than k respondents
HIDDEN_COMPLEMENTARY = "complementary"  # hidden so a hidden part cannot be recomputed from the total
HIDDEN_COMPLEMENT = "complement"        # the people the filters leave out number 1..k-1 (rule 7)
REASONS = (HIDDEN_EMPTY, HIDDEN_SMALL, HIDDEN_COMPLEMENTARY, HIDDEN_COMPLEMENT)
# Columns of population_atoms.sql. round_id (agency@round date) is one agency's round: the round choice
# "latest" (each agency's latest round) is a set of round_ids, a product selection like any other filter.
DIFF_DIMS = ("staff_group", "agency", "unit_key", "round_key", "round_id", "batch_id")


class Population:
    """Head counts of the whole store by every filter dimension, to size any product selection (rule 7).

    A selection maps a dimension of DIFF_DIMS to the set of values kept; a dimension not in it is unfiltered.
    """

    def __init__(self, atoms: pd.DataFrame):
        self.n = atoms["n"].to_numpy(dtype="int64") if len(atoms) else np.zeros(0, dtype="int64")
        self.values = {d: atoms[d].astype(str).to_numpy() if len(atoms) else np.array([], dtype=str)
                       for d in DIFF_DIMS}
        self.domain = {d: frozenset(self.values[d]) for d in DIFF_DIMS}
        # Each dimension as integer codes, so a selection's mask is a table lookup (not a string search).
        self._vocab, self._codes = {}, {}
        for d in DIFF_DIMS:
            codes, uniq = pd.factorize(self.values[d])
            self._vocab[d] = {v: i for i, v in enumerate(uniq.tolist())}
            self._codes[d] = codes
        self._counts: dict = {}
        self._exposed: dict = {}
        self._rounds: dict = {}
        self._masks: dict = {}

    def agency_rounds(self, which: str, batches: frozenset | None = None) -> frozenset:
        """The round_ids of each agency's latest round ("latest") or the dated one before it ("previous")
        among the batches kept: the same choice as filtered.sql."""
        key = (which, batches)
        if key not in self._rounds:
            self._rounds[key] = self._agency_rounds(which, batches)
        return self._rounds[key]

    def _agency_rounds(self, which: str, batches: frozenset | None) -> frozenset:
        keep = (self.n > 0) & (np.isin(self.values["batch_id"], list(batches)) if batches else True)
        dated: dict = {}
        for agency, key in set(zip(self.values["agency"][keep], self.values["round_key"][keep])):
            dated.setdefault(agency, [])
            if key != "—":
                dated[agency].append(key)
        out = set()
        for agency, keys in dated.items():
            keys = sorted(keys, reverse=True)
            if which == "latest":
                out.add(f"{agency}@{keys[0] if keys else '—'}")
            elif len(keys) >= 2:
                out.add(f"{agency}@{keys[1]}")
        return frozenset(out)

    def normalise(self, selection: dict) -> dict:
        """Drop dimensions whose kept values cover every value present (the same people as no filter)."""
        return {d: frozenset(v) for d, v in selection.items()
                if v is not None and not frozenset(v) >= self.domain[d]}

    def count(self, selection: dict) -> int:
        key = tuple(sorted((d, tuple(sorted(v))) for d, v in selection.items()))
        if key not in self._counts:
            self._counts[key] = int(self.n[self._mask(selection)].sum())
        return self._counts[key]

    def canonical(self, selection: dict) -> dict:
        """The tightest product selection with the same people: per dimension, the values they hold."""
        mask = self._mask(self.normalise(selection))
        out = {}
        for d in DIFF_DIMS:
            support = frozenset(self.values[d][mask & (self.n > 0)])
            if not support >= self.domain[d]:
                out[d] = support
        return out

    def _mask(self, selection: dict) -> np.ndarray:
        mask = np.ones(len(self.n), dtype=bool)
        for d, kept in selection.items():
            mask &= self._dim_mask(d, frozenset(kept))
        return mask

    def _dim_mask(self, d: str, kept: frozenset) -> np.ndarray:
        """The atoms whose value of dimension d is kept (one lookup table per dimension and value set)."""
        key = (d, kept)
        if key not in self._masks:
            table = np.zeros(len(self._vocab[d]), dtype=bool)
            table[[self._vocab[d][v] for v in kept if v in self._vocab[d]]] = True
            self._masks[key] = table[self._codes[d]]
        return self._masks[key]

    def exposed(self, selection: dict, k: int, keyed: tuple = ()) -> bool:
        """Rule 7: whether a figure over this selection must be hidden so no filter difference gives 1..k-1 people.

        `keyed` are the dimensions the view breaks down by: there rule 2 itself hides the sibling (not (c)).
        """
        sel = self.normalise(selection)
        key = (tuple(sorted((d, tuple(sorted(v))) for d, v in sel.items())), int(k), tuple(keyed))
        if key not in self._exposed:
            self._exposed[key] = (self._widening_exposes(sel, k) or self._slice_exposes(sel, k)
                                  or self._sibling_exposes(sel, k, keyed))
        return self._exposed[key]

    def _widening_exposes(self, sel: dict, k: int) -> bool:
        """(a) on the canonical selection: widening any set of its restricted dimensions adds 1..k-1 people."""
        base = self.count(sel)
        if base == 0:
            return False
        tight = self.canonical(sel)
        dims = list(tight)
        for r in range(1, len(dims) + 1):
            for widen in combinations(dims, r):
                if 0 < self.count({d: v for d, v in tight.items() if d not in widen}) - base < k:
                    return True
        return False

    def _sibling_exposes(self, sel: dict, k: int, keyed: tuple = ()) -> bool:
        """(c) a dimension kept to one value v whose siblings (the other values, other filters the same) hold
        exactly one small part (1..k-1) and v is the smallest other non-empty one: the by-dimension view hides
        v for rule 2, so a filter on v alone must not show it either."""
        for d, kept in sel.items():
            if len(kept) != 1 or d in keyed:
                continue
            sizes = {w: self.count({**sel, d: frozenset([w])}) for w in self.domain[d]}
            if sum(1 for n in sizes.values() if 0 < n < k) != 1:
                continue
            others = sorted((n, str(w)) for w, n in sizes.items() if n >= k)
            if others and others[0][1] == str(next(iter(kept))):
                return True
        return False

    def _slice_exposes(self, sel: dict, k: int) -> bool:
        """(b) on the selection as filtered: a dimension kept to several values, one of which holds 1..k-1 people."""
        return any(len(kept) >= 2 and any(0 < self.count({**sel, d: frozenset([v])}) < k for v in kept)
                   for d, kept in sel.items())


def suppress(df: pd.DataFrame, k: int, values: list[str], sets: list[str],
             n: str = "n", part: str = "key", total: str = "is_total",
             amounts: list[str] | None = None, already: str | None = None) -> pd.DataFrame:
    """Hide every value over fewer than k respondents, plus complementary cells so none can be recomputed.

    `sets` are the columns whose equal values form one set of parts adding up to a total (e.g. one unit
    across staff groups). In each set, if exactly one non-empty part is hidden for being small, the
    smallest other non-empty part is hidden too. `amounts` are additive counts behind the values (between
    0 and n, e.g. `met`): while the hidden parts of a set together have 0 or all of their n (so the total
    minus the shown parts would give every hidden part as 0% or 100%), one more part is hidden.
    `already` names a column of reasons decided by another view of the same cells (e.g. the coverage
    heatmap): those cells stay hidden and count as hidden parts, so the rules above protect them too.
    Adds `hidden` (None, "empty", "small", "complementary"); hidden values become NaN.
    """
    out = df.copy()
    nn = out[n].fillna(0).astype("int64")
    hidden = pd.Series(None, index=out.index, dtype="object")
    hidden[nn == 0] = HIDDEN_EMPTY
    hidden[(nn > 0) & (nn < k)] = HIDDEN_SMALL
    if already is not None:
        hidden = hidden.where(hidden.notna() | out[already].isna(), out[already])
    parts = ~out[total].astype(bool) if total in out.columns else pd.Series(True, index=out.index)
    small_part = parts & hidden.notna() & (nn > 0)   # without `already`: the small parts
    keys = [out[c] for c in sets] if sets else [pd.Series(0, index=out.index)]
    set_id = pd.MultiIndex.from_arrays(keys).factorize()[0] if len(keys) > 1 else keys[0].factorize()[0]
    set_id = pd.Series(set_id, index=out.index)
    n_small = small_part.groupby(set_id).transform("sum")
    candidates = parts & hidden.isna() & (nn > 0) & (n_small == 1)
    if candidates.any():
        cand = pd.DataFrame({"set": set_id[candidates], "n": nn[candidates],
                             "part": out.loc[candidates, part].astype(str)})
        first = cand.sort_values(["set", "n", "part"]).groupby("set").head(1).index
        hidden[first] = HIDDEN_COMPLEMENTARY
    if amounts:
        _protect_extremes(out, hidden, nn, parts, set_id, amounts, part)
    out["hidden"] = hidden
    mask = hidden.notna()
    for col in values:
        out[col] = out[col].astype("float64")
        out.loc[mask, col] = np.nan
    return out


def _protect_extremes(out: pd.DataFrame, hidden: pd.Series, nn: pd.Series, parts: pd.Series,
                      set_id: pd.Series, amounts: list[str], part: str) -> None:
    """Hide more parts where the hidden ones together are all-met or none-met (recomputable as 0%/100%).

    Only where a total is shown and is not itself 0% or 100% (then every part is, shown or not).
    """
    tot = ~parts & hidden.isna()
    amount = {a: pd.to_numeric(out[a], errors="coerce").fillna(0).astype("float64") for a in amounts}
    size = nn.astype("float64")

    def extreme(s, n) -> pd.Series:
        return (s.abs() < 1e-9) | ((s - n).abs() < 1e-9)

    def exposed_sets(within: pd.Series | None = None) -> pd.Series:
        rows = within if within is not None else pd.Series(True, index=out.index)
        h = hidden.notna() & parts & (nn > 0) & rows
        sid = set_id[rows]
        hn = size.where(h, 0)[rows].groupby(sid).sum()
        tn = size.where(tot, 0)[rows].groupby(sid).sum()
        flag = pd.Series(False, index=hn.index)
        for a in amounts:
            hs = amount[a].where(h, 0)[rows].groupby(sid).sum()
            ts = amount[a].where(tot, 0)[rows].groupby(sid).sum()
            flag |= (hn > 0) & (tn > 0) & extreme(hs, hn) & ~extreme(ts, tn)
        return flag[flag].index

    groups = set_id.groupby(set_id).groups
    for sid in exposed_sets():
        rows = pd.Index(groups[sid])
        within = pd.Series(out.index.isin(rows), index=out.index)
        while len(exposed_sets(within)):
            shown = rows[hidden[rows].isna().to_numpy() & parts[rows].to_numpy() & (nn[rows] > 0).to_numpy()]
            if not len(shown):
                break
            order = pd.DataFrame({"n": nn[shown], "part": out.loc[shown, part].astype(str)}, index=shown)
            hidden[order.sort_values(["n", "part"]).index[0]] = HIDDEN_COMPLEMENTARY


def _all_or_none(hidden_parts: pd.DataFrame, met: int, n: int) -> bool:
    """Whether hidden parts together are all met or none met while the figure over their set is neither."""
    hn, hm = int(hidden_parts["n"].sum()), int(hidden_parts["met"].sum())
    return hn > 0 and hm in (0, hn) and 0 < met < n


def blocker_exposes(parts: pd.DataFrame, inside: set, hidden_groups: set, met: int, n: int,
                    met_total: int, n_total: int) -> bool:
    """Rule 5 (beyond the rest < k test): would showing a blocking unit's figure expose a heatmap-hidden group?

    `parts` are the unit's staff-group counts (key, n, met); `inside` the groups the unit applies to;
    `hidden_groups` the groups the heatmap hides for it.
    """
    ph = parts[parts["key"].isin(hidden_groups)]
    within = ph["key"].isin(inside)
    return (len(hidden_groups & inside) == 1 or len(hidden_groups - inside) == 1
            # The heatmap's hidden groups inside (or outside) the ones the unit applies to, all met or
            # none met, while this figure (or the rest) is neither: recomputable as 0% or 100%.
            or _all_or_none(ph[within], met, n) or _all_or_none(ph[~within], met_total - met, n_total - n))


def hide_blockers(df: pd.DataFrame, k: int) -> pd.Series:
    """Rules 1, 5 and 7 for the blocking-unit frame (columns n, rest, split, complement): the `hidden` reasons."""
    n, rest = df["n"].astype("int64"), df["rest"].astype("int64")
    hidden = pd.Series(None, index=df.index, dtype="object")
    hidden[df["complement"].notna()] = HIDDEN_COMPLEMENT
    hidden[((rest > 0) & (rest < k)) | df["split"].astype(bool)] = HIDDEN_COMPLEMENTARY
    hidden[(n > 0) & (n < k)] = HIDDEN_SMALL
    hidden[n == 0] = HIDDEN_EMPTY
    return hidden


@dataclass(frozen=True)
class TrainingHeadline:
    """The training page's headline figures, summed over shown unit totals only (hidden ones left out)."""
    units: int               # unit totals in the table (shown and hidden)
    units_shown: int
    units_with_needs: int    # shown units with at least one person to develop
    person_units: int        # sum of shown not_met_n
    required: int            # sum of shown required_n
    share_not_assessed: float | None   # None when no unit is shown

    @property
    def units_hidden(self) -> int:
        return self.units - self.units_shown


def training_headline(totals: pd.DataFrame) -> TrainingHeadline:
    """Rule 6: headline figures from the unit totals of training_needs, over the shown ones only."""
    shown = totals[totals["hidden"].isna()]
    required = int(shown["required_n"].sum())
    return TrainingHeadline(
        units=len(totals), units_shown=len(shown), units_with_needs=int((shown["not_met_n"] > 0).sum()),
        person_units=int(shown["not_met_n"].sum()), required=required,
        share_not_assessed=float(shown["not_assessed_n"].sum() / required) if required else None)


def hidden_counts(df: pd.DataFrame) -> dict:
    """How many cells are hidden and why (for the note under each table and chart)."""
    if "hidden" not in df.columns:
        return {h: 0 for h in REASONS}
    vc = df["hidden"].value_counts()
    return {h: int(vc.get(h, 0)) for h in REASONS}


def hidden_note(df: pd.DataFrame, k: int, lang: str, what_th: str = "ช่อง", what_en: str = "cells") -> str:
    """One sentence saying how many cells are hidden and why, in the page language."""
    c = hidden_counts(df)
    if lang == "en":
        return (f"Hidden {what_en}: {c[HIDDEN_SMALL]} with fewer than {k} respondents, "
                f"{c[HIDDEN_COMPLEMENTARY]} hidden so they cannot be recomputed from a total, "
                + (f"{c[HIDDEN_COMPLEMENT]} because the filters leave out fewer than {k} people "
                   "(they could be recomputed from the unfiltered figure), " if c[HIDDEN_COMPLEMENT] else "")
                + f"{c[HIDDEN_EMPTY]} with no respondents (PDPA: personal assessments are not shown for small groups).")
    return (f"{what_th}ที่ซ่อน: {c[HIDDEN_SMALL]} {what_th}มีผู้ตอบน้อยกว่า {k} คน, "
            f"{c[HIDDEN_COMPLEMENTARY]} {what_th}ซ่อนเสริมเพื่อไม่ให้คำนวณย้อนจากยอดรวมได้, "
            + (f"{c[HIDDEN_COMPLEMENT]} {what_th}ซ่อนเพราะตัวกรองตัดผู้ตอบออกน้อยกว่า {k} คน "
               "(คำนวณย้อนจากตัวเลขที่ไม่กรองได้), " if c[HIDDEN_COMPLEMENT] else "")
            + f"{c[HIDDEN_EMPTY]} {what_th}ไม่มีผู้ตอบ (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล: ไม่แสดงผลประเมินรายบุคคลของกลุ่มเล็ก)")
