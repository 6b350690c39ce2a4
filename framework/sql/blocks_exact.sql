-- The tail of filtered.sql for exact figures (the HR passphrase given, or local mode): every row the filters
-- keep; each row is its own block (one staff group, one org unit).
SELECT sel.*, TRUE AS single_group, TRUE AS single_unit, sel.staff_group AS blk_groups
FROM sel
