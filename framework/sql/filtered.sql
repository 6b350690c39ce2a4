-- Respondents (or cells of respondents) kept by the survey filters (every filter is a bound parameter;
-- NULL = no filter). <rows>: the source (analysis/source.py): store.responses with its org unit key, or
-- store.agg_cells at threshold $t (one row per batch, agency, org unit, staff group, with counts).
-- Adds the analysis keys: agency (falls back to the batch's), round, round_id (agency@round:
-- one agency's round), the batch's stage.
-- $round picks ONE round per agency: an ISO date 'YYYY-MM-DD' = that round; 'all' or NULL = every round
-- pooled; 'latest' / 'previous' = the agency rounds in $round_ids, which analysis/base.py params() resolves
-- (suppression.Population.agency_rounds: each agency's latest round among the live batches the batch filter
-- keeps, or the dated round before it); without them 'latest' keeps nobody, never every round.
-- A person counts once per round: identity = (agency, respondent id) within a round; the store guarantees
-- it on every ingest and restore (refuse / replace / skip), so the views count rows.
-- <blocks>: the tail that keeps whole disclosure blocks (analysis/disclosure.py): blocks_exact.sql keeps
-- every row kept by the filters; blocks_public.sql only the rows of blocks wholly inside the selection, and
-- says per row whether its block lies in one staff group / one org unit (single_group, single_unit) and
-- which staff groups it spans (blk_groups).
WITH k AS (
    SELECT r.* EXCLUDE (agency),
           {agency_key}                                                   AS agency,
           coalesce(CAST(b.round_date AS VARCHAR), '—')                  AS round_key,
           b.stage                                                       AS batch_stage
    FROM ({rows}) r
    JOIN store.batches b USING (batch_id)
    WHERE ($batches::VARCHAR[] IS NULL OR list_contains($batches::VARCHAR[], r.batch_id))
),
sel AS (
SELECT k.*, k.agency || '@' || k.round_key AS round_id
FROM k
WHERE ($agencies::VARCHAR[] IS NULL OR list_contains($agencies::VARCHAR[], k.agency))
  AND ($org_units::VARCHAR[] IS NULL OR list_contains($org_units::VARCHAR[], k.unit_key))
  AND ($staff_groups::VARCHAR[] IS NULL OR list_contains($staff_groups::VARCHAR[], k.staff_group))
  AND ($rounds::VARCHAR[] IS NULL OR list_contains($rounds::VARCHAR[], k.round_key))
  AND ($round::VARCHAR IS NULL OR $round::VARCHAR = 'all'
       OR k.round_key = $round::VARCHAR
       OR list_contains(coalesce($round_ids::VARCHAR[], []), k.agency || '@' || k.round_key))
)
{blocks}
