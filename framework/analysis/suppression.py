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
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Why a cell is hidden.
HIDDEN_EMPTY = "empty"                  # no respondents at all
HIDDEN_SMALL = "small"                  # fewer than k respondents
HIDDEN_COMPLEMENTARY = "complementary"  # hidden so a hidden part cannot be recomputed from the total
REASONS = (HIDDEN_EMPTY, HIDDEN_SMALL, HIDDEN_COMPLEMENTARY)


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
    """Rules 1 and 5 for the blocking-unit frame (columns n, rest, split): the `hidden` reasons."""
    n, rest = df["n"].astype("int64"), df["rest"].astype("int64")
    hidden = pd.Series(None, index=df.index, dtype="object")
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
                f"{c[HIDDEN_EMPTY]} with no respondents (PDPA: personal assessments are not shown for small groups).")
    return (f"{what_th}ที่ซ่อน: {c[HIDDEN_SMALL]} {what_th}มีผู้ตอบน้อยกว่า {k} คน, "
            f"{c[HIDDEN_COMPLEMENTARY]} {what_th}ซ่อนเสริมเพื่อไม่ให้คำนวณย้อนจากยอดรวมได้, "
            f"{c[HIDDEN_EMPTY]} {what_th}ไม่มีผู้ตอบ (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล: ไม่แสดงผลประเมินรายบุคคลของกลุ่มเล็ก)")
