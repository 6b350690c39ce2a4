-- The units one profile requires ($stage, $staff_group), in framework order, with their group.
SELECT u.code, u.group_key, cg.name_th AS group_name_th, cg.name_en AS group_name_en,
       u.name_th, u.name_en, pu.printed_ord, u.ord AS unit_ord
FROM profile_units pu
JOIN units u ON u.code = pu.unit_code
JOIN capability_groups cg ON cg.key = u.group_key
WHERE pu.stage = $stage AND pu.staff_group = $staff_group
ORDER BY u.ord
