-- Headline counts of the filtered respondents and the stage their batches declare.
WITH f AS ({filtered})
SELECT count(*) AS respondents,
       count(DISTINCT batch_id) AS batches,
       count(DISTINCT agency) AS agencies,
       count(DISTINCT unit_key) AS org_units,
       count(DISTINCT round_key) AS rounds,
       mode(batch_stage) AS stage,
       count(DISTINCT batch_stage) AS n_stages
FROM f
