-- Headline counts of the filtered respondents and the stage their batches declare (the stage of the most
-- respondents; a tie goes to the earlier stage). <n>: sum of the rows' weights (analysis/source.py).
-- The filtered rows are read once (a CTE read several times is planned and materialised several times).
WITH f AS ({filtered}),
g AS (SELECT batch_id, agency, unit_key, round_key, batch_stage, {n} AS n FROM f GROUP BY ALL),
s AS (SELECT batch_stage, sum(n) AS n FROM g WHERE batch_stage IS NOT NULL GROUP BY batch_stage)
SELECT coalesce(sum(n), 0)::BIGINT AS respondents,
       count(DISTINCT batch_id) AS batches,
       count(DISTINCT agency) AS agencies,
       count(DISTINCT unit_key) AS org_units,
       count(DISTINCT round_key) AS rounds,
       (SELECT batch_stage FROM s
        ORDER BY n DESC, list_position(['Early', 'Developing', 'Mature'], batch_stage) LIMIT 1) AS stage,
       count(DISTINCT batch_stage) AS n_stages
FROM g
