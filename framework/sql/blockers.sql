-- Per unit required at a stage: respondents whose profile requires it (n) and those of them who meet it.
-- <pairs>: per unit a struct (n = respondents whose profile requires it, m = those meeting it) named by its code.
WITH f AS ({filtered}),
agg AS (SELECT count(*) AS n_total, {pairs} FROM f),
u AS (UNPIVOT agg ON COLUMNS(* EXCLUDE (n_total)) INTO NAME code VALUE s)
SELECT u.code, units.group_key, units.ord AS unit_ord, units.name_th, units.name_en,
       n_total, s.n AS n, s.m AS met
FROM u JOIN units ON units.code = u.code
ORDER BY units.ord
