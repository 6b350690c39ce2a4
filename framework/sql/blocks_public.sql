-- The tail of filtered.sql for everyone without the HR passphrase (analysis/disclosure.py): only the rows of
-- blocks that lie wholly inside the selection. An atom (batch, agency, org unit, staff group) is a block of its
-- own unless listed: the filters keep or drop it whole. A pooled block is wholly inside when the weights of its
-- rows that the filters keep add up to its head count (filters keep or drop whole atoms). Atoms in no block
-- ($blk_none) are in no figure. $blk_*: the atoms of pooled blocks, as parallel lists; <weight>: a row's people.
, m AS (
    SELECT unnest($blk_atoms::VARCHAR[]) AS atom, unnest($blk_ids::VARCHAR[]) AS blk,
           unnest($blk_n::BIGINT[]) AS blk_n, unnest($blk_groups::VARCHAR[]) AS blk_groups,
           unnest($blk_single_unit::BOOLEAN[]) AS single_unit
),
keyed AS (
    SELECT sel.*, concat_ws(chr(31), sel.batch_id, sel.agency, sel.unit_key, sel.staff_group) AS atom_key FROM sel
)
SELECT keyed.* EXCLUDE (atom_key),
       coalesce(strpos(m.blk_groups, ',') = 0, TRUE) AS single_group,
       coalesce(m.single_unit, TRUE) AS single_unit,
       coalesce(m.blk_groups, keyed.staff_group) AS blk_groups
FROM keyed
LEFT JOIN m ON m.atom = keyed.atom_key
WHERE NOT list_contains($blk_none::VARCHAR[], keyed.atom_key)
QUALIFY m.blk IS NULL OR sum({weight}) OVER (PARTITION BY m.blk) = any_value(m.blk_n) OVER (PARTITION BY m.blk)
