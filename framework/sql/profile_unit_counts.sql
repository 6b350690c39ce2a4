-- Number of required units of each of the 18 role profiles (stage x staff group).
SELECT s.key AS stage, g.key AS staff_group, count(pu.unit_code) AS units,
       s.ord AS stage_ord, g.ord AS group_ord
FROM stages s
CROSS JOIN staff_groups g
LEFT JOIN profile_units pu ON pu.stage = s.key AND pu.staff_group = g.key
GROUP BY ALL
ORDER BY s.ord, g.ord
