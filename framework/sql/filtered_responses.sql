-- Respondents kept by the survey filters (every filter is a bound parameter; NULL = no filter).
-- Adds the analysis keys: agency (falls back to the batch's), org unit, round, the batch's stage.
SELECT r.* EXCLUDE (agency),
       coalesce(nullif(trim(coalesce(r.agency, b.agency)), ''), '—') AS agency,
       coalesce(nullif(trim(r.org_unit), ''), '—')                   AS unit_key,
       coalesce(CAST(b.round_date AS VARCHAR), '—')                  AS round_key,
       b.stage                                                       AS batch_stage
FROM store.responses r
JOIN store.batches b USING (batch_id)
WHERE ($batches::VARCHAR[] IS NULL OR list_contains($batches::VARCHAR[], r.batch_id))
  AND ($agencies::VARCHAR[] IS NULL
       OR list_contains($agencies::VARCHAR[], coalesce(nullif(trim(coalesce(r.agency, b.agency)), ''), '—')))
  AND ($org_units::VARCHAR[] IS NULL
       OR list_contains($org_units::VARCHAR[], coalesce(nullif(trim(r.org_unit), ''), '—')))
  AND ($staff_groups::VARCHAR[] IS NULL OR list_contains($staff_groups::VARCHAR[], r.staff_group))
  AND ($rounds::VARCHAR[] IS NULL
       OR list_contains($rounds::VARCHAR[], coalesce(CAST(b.round_date AS VARCHAR), '—')))
