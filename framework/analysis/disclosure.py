"""Disclosure control by design: every figure a user without the HR passphrase sees is a sum over blocks.

The method (see docs/ARCHITECTURE.md, "Disclosure control"): the people of each upload (batch) and agency
are split once into *blocks* of at least k people (k = the configured floor, `access.min_cell_floor()`),
and a figure over any selection of people (the filters, narrowed by a row or column of a view) is computed
over the blocks that lie wholly inside that selection, never over part of a block:

1. a cell of one org unit and one staff group with k or more people is a block of its own;
2. an org unit with no such cell but k or more people: its largest small cells, until they hold k, are a
   block (one org unit, several staff groups), so the unit's own figure is shown;
3. the remaining cells of one staff group (fewer than k people each) are pooled across the org units of the
   batch; the pool is a block when it holds k or more people;
4. what is left (staff groups whose pool is still under k) is pooled across staff groups; a block when it
   holds k or more people;
5. what is left after that (fewer than k people in the whole batch and agency) is in no figure at all.

Why nothing under k can be read, from any set of views, filters, rounds, thresholds or exports: every
published count is a sum of whole blocks' counts, so any combination of published figures (sums,
differences, a linear program over all of them) is a combination of block totals. A block total is a
figure about k or more people; nothing finer is in the published numbers. Blocks never span a batch or an
agency, so a filter on batch, agency or round keeps or drops whole blocks. The partition depends on the
head counts alone (not on answers, thresholds or stages), and uses the floor k for everyone without the
passphrase: a larger k chosen on a page only hides more figures of the same partition.

What it costs: a figure covers the people of the blocks inside its selection. In a breakdown by org unit a
unit's small staff groups (pooled in step 2) are counted in the staff-group and agency totals, not in the
unit's own figure; the view says how many people a figure covers (`n`) of how many are selected (`n_all`).

With the passphrase (or in local mode, no passphrase configured) figures are exact; a figure over fewer
than k people is hidden (suppression.py).
"""

from __future__ import annotations

import pandas as pd

SEP = "\x1f"  # joins an atom's key parts (never in a batch id, agency, org unit or staff group key)
POOLED = "\x1fpooled"  # the key of rows whose block spans several values of a view's key (dropped)
ATOM_DIMS = ("batch_id", "agency", "unit_key", "staff_group")
LEVEL_CELL, LEVEL_UNIT, LEVEL_GROUP, LEVEL_BATCH = 1, 2, 3, 4


def atom_key(batch_id, agency, unit_key, staff_group) -> str:
    """The key of one atom (the finest cell a block is made of), as filtered.sql spells it."""
    return SEP.join(str(x) for x in (batch_id, agency, unit_key, staff_group))


def partition(atoms: pd.DataFrame, k: int, unpooled: frozenset = frozenset()) -> pd.DataFrame:
    """The blocks of the atoms (columns ATOM_DIMS + n; several rows of one atom are summed). The small cells of
    the batches in `unpooled` (campaign batches, released cell by cell: store/releases.py) stay in no block.

    Returns one row per atom: atom, blk, blk_n, blk_groups (its staff groups, sorted, comma separated),
    single_unit (the block lies in one org unit), level (1-4: the step of the module docstring; 0 and blk None
    for an atom in no block, step 5).
    """
    cols = ["atom", "blk", "blk_n", "blk_groups", "single_unit", "level"]
    if atoms is None or not len(atoms):
        return pd.DataFrame(columns=cols)
    a = atoms.groupby(list(ATOM_DIMS), as_index=False, sort=True)["n"].sum()
    a = a[a["n"] > 0]
    if not len(a):
        return pd.DataFrame(columns=cols)
    a = pd.DataFrame({d: a[d].astype(str) for d in ATOM_DIMS} | {"n": a["n"].astype("int64")})
    a["atom"] = a["batch_id"] + SEP + a["agency"] + SEP + a["unit_key"] + SEP + a["staff_group"]
    a["unit"] = a["batch_id"] + SEP + a["agency"] + SEP + a["unit_key"]
    big = a["n"] >= k
    # Step 1: a cell of k or more is a block of its own (one staff group, one org unit): no grouping needed.
    cells = a[big]
    cells = pd.DataFrame(
        {
            "atom": cells["atom"],
            "blk": "c" + SEP + cells["atom"],
            "blk_n": cells["n"],
            "blk_groups": cells["staff_group"],
            "single_unit": True,
            "level": LEVEL_CELL,
        }
    )
    if big.all():
        return cells.reset_index(drop=True)
    s = a[~big].copy()  # the small cells: steps 2-5 pool them (a batch in `unpooled` keeps them apart)
    s["blk"] = None
    s["level"] = 0
    small = ~s["batch_id"].isin(list(unpooled))
    # Step 2: an org unit with no cell of k but k or more people in small cells: its largest small cells
    # (until they reach k) pooled across staff groups, so the unit's own figure is shown.
    cand = s[small & ~s["unit"].isin(a.loc[big, "unit"].unique())]
    cand = cand[cand.groupby("unit")["n"].transform("sum") >= k]
    if len(cand):
        cand = cand.sort_values(["unit", "n", "staff_group"], ascending=[True, False, True])
        before = cand.groupby("unit")["n"].cumsum() - cand["n"]
        taken = cand.index[before < k]
        s.loc[taken, "blk"] = "u" + SEP + s.loc[taken, "unit"]
        s.loc[taken, "level"] = LEVEL_UNIT
    # Step 3: a staff group's (other) small cells pooled across org units (within one batch and agency).
    small &= s["blk"].isna()
    pool = s[small].groupby(["batch_id", "agency", "staff_group"])["n"].transform("sum")
    grouped = pool.index[pool >= k]
    s.loc[grouped, "blk"] = (
        "g" + SEP + s.loc[grouped, "batch_id"] + SEP + s.loc[grouped, "agency"] + SEP + s.loc[grouped, "staff_group"]
    )
    s.loc[grouped, "level"] = LEVEL_GROUP
    # Step 4: what is left, pooled across staff groups and org units (within one batch and agency).
    left = s["blk"].isna() & small
    rest = s[left].groupby(["batch_id", "agency"])["n"].transform("sum")
    pooled = rest.index[rest >= k]
    s.loc[pooled, "blk"] = "b" + SEP + s.loc[pooled, "batch_id"] + SEP + s.loc[pooled, "agency"]
    s.loc[pooled, "level"] = LEVEL_BATCH
    out = s[s["blk"].isna()].assign(blk_n=0, blk_groups=None, single_unit=False)[cols]
    p = s[s["blk"].notna()].copy()
    if len(p):
        g = p.groupby("blk", sort=False)
        p["blk_n"] = g["n"].transform("sum").astype("int64")
        # Its staff groups, sorted and comma separated.
        pairs = p[["blk", "staff_group"]].drop_duplicates().sort_values(["blk", "staff_group"])
        p["blk_groups"] = p["blk"].map(pairs.groupby("blk")["staff_group"].agg(",".join))
        p["single_unit"] = g["unit_key"].transform("nunique") == 1
    blocks = pd.concat([cells, p[cols]]).sort_index() if len(p) else cells
    blocks = blocks.astype({"blk_n": "int64", "single_unit": bool, "level": "int64"})
    return pd.concat([blocks, out], ignore_index=True) if len(out) else blocks.reset_index(drop=True)


def params(blocks: pd.DataFrame) -> dict:
    """The bound parameters of blocks_public.sql: the atoms of pooled blocks (parallel lists, unnested together)
    and the atoms in no block. An atom not listed is a block of its own (step 1): one row of the cells, kept or
    dropped whole by the filters, so it needs no check."""
    pooled = blocks[blocks["level"] > LEVEL_CELL]
    return {
        "blk_atoms": pooled["atom"].tolist(),
        "blk_ids": pooled["blk"].tolist(),
        "blk_n": [int(x) for x in pooled["blk_n"]],
        "blk_groups": pooled["blk_groups"].tolist(),
        "blk_single_unit": [bool(x) for x in pooled["single_unit"]],
        "blk_none": blocks.loc[blocks["blk"].isna(), "atom"].tolist(),
    }


def groups_of_span(span: str) -> frozenset:
    """The staff groups of a block's span (blk_groups)."""
    return frozenset(s for s in str(span).split(",") if s)
