-- Readiness per key (and per outer key) at each stage: per respondent, the share of the units their
-- profile (stage, staff group) requires that they meet; then mean, fully-ready share and required units.
-- <met_stage> / <req_stage>: CASE staff_group WHEN ... expressions built from the catalogue.
WITH f AS ({filtered}),
p AS (
    SELECT {keys},
           {met_Early} AS m_e, {req_Early} AS q_e,
           {met_Developing} AS m_d, {req_Developing} AS q_d,
           {met_Mature} AS m_m, {req_Mature} AS q_m
    FROM f
),
agg AS (
    SELECT {key_names}, grouping({last_name}) = 1 AS is_total, count(*) AS n,
           avg(m_e / q_e) AS r_e, count(*) FILTER (WHERE m_e = q_e) AS f_e, avg(q_e) AS u_e,
           avg(m_d / q_d) AS r_d, count(*) FILTER (WHERE m_d = q_d) AS f_d, avg(q_d) AS u_d,
           avg(m_m / q_m) AS r_m, count(*) FILTER (WHERE m_m = q_m) AS f_m, avg(q_m) AS u_m
    FROM p
    GROUP BY GROUPING SETS (({group_names}), ({outer_names}))
)
SELECT {key_names}, is_total, n, 'Early' AS stage, 1 AS stage_ord, r_e AS readiness, f_e AS fully, u_e AS required_units FROM agg
UNION ALL
SELECT {key_names}, is_total, n, 'Developing', 2, r_d, f_d, u_d FROM agg
UNION ALL
SELECT {key_names}, is_total, n, 'Mature', 3, r_m, f_m, u_m FROM agg
