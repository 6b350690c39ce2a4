-- Every (stage, staff group, unit) with whether the role profile requires the unit.
-- Framework order: stages, staff groups, then units by capability group and code.
SELECT s.key AS stage, g.key AS staff_group, u.code AS unit_code, u.group_key,
       u.name_th, u.name_en,
       pu.unit_code IS NOT NULL AS required,
       s.ord AS stage_ord, g.ord AS group_ord, u.ord AS unit_ord
FROM stages s
CROSS JOIN staff_groups g
CROSS JOIN units u
LEFT JOIN profile_units pu
  ON pu.stage = s.key AND pu.staff_group = g.key AND pu.unit_code = u.code
ORDER BY s.ord, g.ord, u.ord
