-- Head counts of every respondent (no filter) by each filter dimension: the atoms the filter-differencing
-- rule (analysis/suppression.py, rule 7) sums to size any population a filter selection can show.
-- <filtered>: filtered.sql, run with every filter NULL and every round ('all'); <n>: sum of the rows' weights.
WITH f AS ({filtered})
SELECT staff_group, agency, unit_key, round_key, round_id, batch_id, {n} AS n
FROM f
GROUP BY ALL
