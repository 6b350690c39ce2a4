-- The tail of filtered.sql for everyone without the HR passphrase (analysis/disclosure.py): only the rows of
-- blocks that lie wholly inside the selection. A block is wholly inside when the weights of its rows that the
-- filters keep add up to its head count (filters keep or drop whole atoms, and a block is a set of atoms).
-- $blk_*: the partition, as parallel lists (one entry per atom in a block); <weight>: a row's respondents.
, m AS (
    SELECT unnest($blk_atoms::VARCHAR[]) AS atom, unnest($blk_ids::VARCHAR[]) AS blk,
           unnest($blk_n::BIGINT[]) AS blk_n, unnest($blk_groups::VARCHAR[]) AS blk_groups,
           unnest($blk_single_unit::BOOLEAN[]) AS single_unit
)
SELECT sel.*, strpos(m.blk_groups, ',') = 0 AS single_group, m.single_unit, m.blk_groups
FROM sel
JOIN m ON m.atom = concat_ws(chr(31), sel.batch_id, sel.agency, sel.unit_key, sel.staff_group)
QUALIFY sum({weight}) OVER (PARTITION BY m.blk) = any_value(m.blk_n) OVER (PARTITION BY m.blk)
