-- Coverage counts per key (and per outer key, e.g. round) and unit: aggregate first, unpivot the small result.
-- <filtered>: filtered.sql over weighted rows (analysis/source.py); <keys>: key expressions from a whitelist;
-- <n>: sum of the rows' weights; <met_counts>: per catalogue unit code, one sum of the rows' met counts
-- ("m:<code>") and one of their assessed counts ("a:<code>"), over the same rows as n;
-- <unpivot_on>: the pairs ("m:<code>", "a:<code>") AS "<code>" (one row per unit: met, assessed).
-- The grouping set without the last key is the total.
WITH f AS ({filtered}),
agg AS (
    SELECT {keys}, grouping({last_key}) = 1 AS is_total, {n} AS n, {met_counts}
    FROM f
    GROUP BY GROUPING SETS (({group_keys}), ({outer_keys}))
)
UNPIVOT agg ON {unpivot_on} INTO NAME code VALUE met, assessed
