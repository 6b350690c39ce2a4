-- Training needs per staff group and unit, plus each unit's total: of the respondents whose role profile
-- (stage, their staff group) requires the unit, how many do not meet it (level unknown or below $t) and
-- how many were not assessed. Aggregate first, unpivot the small result.
-- <filtered>: filtered.sql over weighted rows (analysis/source.py); <need_counts>: one struct per catalogue
-- unit required at the stage, each sum filtered to the rows whose disclosure block lies within the staff
-- groups whose profile requires that unit; <key>: the staff-group key (KEY_EXPR: a row whose block spans
-- several staff groups counts in the total only). The grouping set () is the total. <who>: per set of staff
-- groups requiring some unit, whether the row's block lies within it (w0, w1 ...: the need counts' conditions).
WITH f AS ({filtered}),
fw AS (SELECT *, {who} FROM f),
agg AS (
    SELECT {key} AS key, grouping({key}) = 1 AS is_total, {need_counts}
    FROM fw
    GROUP BY GROUPING SETS (({key}), ())
),
long AS (UNPIVOT agg ON COLUMNS(* EXCLUDE (key, is_total)) INTO NAME code VALUE s)
SELECT key, is_total, code, s.required_n AS required_n, s.not_met_n AS not_met_n, s.not_assessed_n AS not_assessed_n
FROM long
WHERE s.required_n > 0
