-- Respondents kept by the survey filters (every filter is a bound parameter; NULL = no filter).
-- Adds the analysis keys: agency (falls back to the batch's), org unit, round, round_id (agency@round:
-- one agency's round), the batch's stage.
-- $round picks ONE round per agency: 'latest' = each agency's latest round among the live batches the
-- batch filter keeps; 'previous' = the dated round before it (for the change between rounds); an ISO date
-- 'YYYY-MM-DD' = that round; 'all' or NULL = every round pooled.
WITH k AS (
    SELECT r.* EXCLUDE (agency),
           coalesce(nullif(trim(coalesce(r.agency, b.agency)), ''), '—') AS agency,
           coalesce(nullif(trim(r.org_unit), ''), '—')                   AS unit_key,
           coalesce(CAST(b.round_date AS VARCHAR), '—')                  AS round_key,
           b.round_date                                                  AS _round_date,
           b.stage                                                       AS batch_stage,
           dense_rank() OVER (PARTITION BY coalesce(nullif(trim(coalesce(r.agency, b.agency)), ''), '—')
                              ORDER BY b.round_date DESC NULLS LAST)     AS _round_rank
    FROM store.responses r
    JOIN store.batches b USING (batch_id)
    WHERE ($batches::VARCHAR[] IS NULL OR list_contains($batches::VARCHAR[], r.batch_id))
)
SELECT k.* EXCLUDE (_round_date, _round_rank), k.agency || '@' || k.round_key AS round_id
FROM k
WHERE ($agencies::VARCHAR[] IS NULL OR list_contains($agencies::VARCHAR[], k.agency))
  AND ($org_units::VARCHAR[] IS NULL OR list_contains($org_units::VARCHAR[], k.unit_key))
  AND ($staff_groups::VARCHAR[] IS NULL OR list_contains($staff_groups::VARCHAR[], k.staff_group))
  AND ($rounds::VARCHAR[] IS NULL OR list_contains($rounds::VARCHAR[], k.round_key))
  AND ($round::VARCHAR IS NULL OR $round::VARCHAR = 'all'
       OR ($round::VARCHAR = 'latest' AND k._round_rank = 1)
       OR ($round::VARCHAR = 'previous' AND k._round_rank = 2 AND k._round_date IS NOT NULL)
       OR k.round_key = $round::VARCHAR)
