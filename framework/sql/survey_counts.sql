-- Headline counts of the filtered respondents and the stage their batches declare (the stage of the most
-- respondents; a tie goes to the earlier stage). <n>: sum of the rows' weights (analysis/source.py).
WITH f AS ({filtered}),
by_stage AS (SELECT batch_stage, {n} AS n FROM f WHERE batch_stage IS NOT NULL GROUP BY batch_stage)
SELECT (SELECT coalesce({n}, 0) FROM f) AS respondents,
       count(DISTINCT batch_id) AS batches,
       count(DISTINCT agency) AS agencies,
       count(DISTINCT unit_key) AS org_units,
       count(DISTINCT round_key) AS rounds,
       (SELECT batch_stage FROM by_stage
        ORDER BY n DESC, list_position(['Early', 'Developing', 'Mature'], batch_stage) LIMIT 1) AS stage,
       count(DISTINCT batch_stage) AS n_stages
FROM f
