-- Head counts of every respondent (no filter) by each filter dimension: the atoms the filter-differencing
-- rule (analysis/suppression.py, rule 7) sums to size any population a filter selection can show.
-- <filtered>: filtered.sql, run with every filter NULL and every round ('all'); <n>: sum of the rows' weights.
-- batch_stage (the stage the batch declares: one per batch) is carried for the headline counts.
WITH f AS ({filtered})
SELECT staff_group, agency, unit_key, round_key, round_id, batch_id, batch_stage, {n} AS n
FROM f
GROUP BY ALL
