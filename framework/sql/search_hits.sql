-- Search every framework text by substring: $needle is already lower-cased with spaces removed.
WITH docs AS (
    SELECT 'unit' AS kind, code, code AS unit_code, name_th AS text_th, name_en AS text_en, ord AS o, 1 AS k FROM units
    UNION ALL SELECT 'element', code, unit_code, name_th, name_en, ord, 2 FROM elements
    UNION ALL SELECT 'criterion', code, unit_code, text_th, text_en, ord, 3 FROM criteria
    UNION ALL SELECT 'knowledge', id, NULL, text_th, text_en, ord, 4 FROM knowledge
    UNION ALL SELECT 'experience', id, NULL, text_th, text_en, ord, 5 FROM experience
    UNION ALL SELECT 'attribute', id, NULL, text_th, text_en, ord, 6 FROM attributes
    UNION ALL SELECT 'competency', id, NULL, name_th, name_en, ord, 7 FROM competencies
),
scored AS (
    SELECT *,
        CASE WHEN lower(code) = $needle THEN 0
             WHEN starts_with(lower(code), $needle) THEN 1
             ELSE 2 END AS rank
    FROM docs
    WHERE strpos(lower(code), $needle) > 0
       OR strpos(regexp_replace(lower(text_th), '\s+', '', 'g'), $needle) > 0
       OR strpos(regexp_replace(lower(coalesce(text_en, '')), '[\s_\-]+', '', 'g'), $needle) > 0
)
SELECT kind, code, unit_code, text_th, text_en, rank
FROM scored
ORDER BY rank, k, o
LIMIT $limit
