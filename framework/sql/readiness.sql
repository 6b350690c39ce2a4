-- Readiness per key (and per outer key) at each stage: per respondent, the share of the units their
-- profile (stage, staff group) requires that they meet; then mean, fully-ready share and required units.
-- Over weighted rows (analysis/source.py): a row stands for <weight> respondents, <met_stage> is the sum of
-- their met counts over the required units, <full_stage> how many of them meet all of them; <req_stage>:
-- CASE staff_group WHEN ... the number of units the profile requires. mean = sum(met / req) / respondents.
WITH f AS ({filtered}),
p AS (
    SELECT {keys}, {weight} AS w,
           {met_Early} AS m_e, {req_Early} AS q_e, {full_Early} AS f_e,
           {met_Developing} AS m_d, {req_Developing} AS q_d, {full_Developing} AS f_d,
           {met_Mature} AS m_m, {req_Mature} AS q_m, {full_Mature} AS f_m
    FROM f
),
agg AS (
    SELECT {key_names}, grouping({last_name}) = 1 AS is_total, coalesce(sum(w), 0)::BIGINT AS n,
           sum(m_e / q_e) / sum(w) AS r_e, coalesce(sum(f_e), 0)::BIGINT AS f_e, sum(q_e * w) / sum(w) AS u_e,
           sum(m_d / q_d) / sum(w) AS r_d, coalesce(sum(f_d), 0)::BIGINT AS f_d, sum(q_d * w) / sum(w) AS u_d,
           sum(m_m / q_m) / sum(w) AS r_m, coalesce(sum(f_m), 0)::BIGINT AS f_m, sum(q_m * w) / sum(w) AS u_m
    FROM p
    GROUP BY GROUPING SETS (({group_names}), ({outer_names}))
)
SELECT {key_names}, is_total, n, 'Early' AS stage, 1 AS stage_ord, r_e AS readiness, f_e AS fully, u_e AS required_units FROM agg
UNION ALL
SELECT {key_names}, is_total, n, 'Developing', 2, r_d, f_d, u_d FROM agg
UNION ALL
SELECT {key_names}, is_total, n, 'Mature', 3, r_m, f_m, u_m FROM agg
