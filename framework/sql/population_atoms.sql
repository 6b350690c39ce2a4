-- Head counts of every respondent (no filter) by each filter dimension: the atoms the filter-differencing
-- rule (analysis/suppression.py, rule 7) sums to size any population a filter selection can show.
-- <filtered>: filtered_responses.sql, run with every filter NULL.
WITH f AS ({filtered})
SELECT staff_group, agency, unit_key, round_key, batch_id, count(*) AS n
FROM f
GROUP BY ALL
