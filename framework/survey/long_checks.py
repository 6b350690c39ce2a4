"""The long layout's checks (one row per person and unit): split from validate.py, whose Validator takes them in
as a mixin (the same temp tables, the same problem list and the same staging table as the wide layout)."""

from __future__ import annotations

from framework.db import ident, literal
from framework.survey.base import Layout, Notice
from framework.survey.canon import value
from framework.survey.check_parts import ID_CHECK, Checked, oversize, size_check
from framework.survey.layout import resolve_code
from framework.survey.levels import LEVEL_FIX, clean, group_fix, level, level_number, level_ok, unit_expressions


class LongChecks:
    """Validator's `_check_long` (the methods it calls live on Validator)."""

    def _check_long(self, raw: str, lines: str, layout: Layout, notes: list[Notice]) -> Checked:
        k = layout.keys
        rid, grp, code, lev = (f"c{k[x]}" for x in ("respondent_id", "group", "code", "level"))
        gmap = self._group_map(raw, grp)
        codes = {c.casefold(): c for c in self.catalog.unit_codes()}
        codes.update({c.casefold(): c for c in self.catalog.element_units()})
        cmap = self._temp("cmap")
        distinct = self.cur.execute(f"SELECT DISTINCT {code} AS raw FROM {raw} WHERE {code} IS NOT NULL").df()
        distinct["code"] = [resolve_code(v, codes) for v in distinct["raw"]]
        self.cur.register(f"cmap_df_{self.tag}", distinct)
        self.cur.execute(f"CREATE TEMP TABLE {cmap} AS SELECT raw, code FROM cmap_df_{self.tag}")
        self.cur.unregister(f"cmap_df_{self.tag}")
        rows, bad = self._temp("rows"), self._temp("bad")
        self.cur.execute(f"""
            CREATE TEMP TABLE {rows} AS
            WITH base AS (
              SELECT r.rowid AS rec, l.line, {value('r', rid, 'im')} AS rid, im.bad_th AS rid_th, im.bad_en AS rid_en,
                     nullif(trim(r.{grp}), '') AS grp,
                     g.key, nullif(trim(r.{code}), '') AS code_raw, m.code, {level_ok('r.' + lev)} AS level_ok,
                     {clean('r.' + lev)} AS level_raw, {level('r.' + lev)} AS lvl,
                     {oversize('r', len(layout.header))} AS big
              FROM {raw} r JOIN {lines} l ON l.rec = r.rowid LEFT JOIN {gmap} g ON g.raw = r.{grp}
              LEFT JOIN {cmap} m ON m.raw = r.{code} LEFT JOIN {self._map(raw, rid, 'id')} im ON im.raw = r.{rid}
              WHERE NOT ({self._blank('r', layout)}))
            SELECT *,
              CASE WHEN rid IS NULL OR code IS NULL THEN 1
                   ELSE row_number() OVER (PARTITION BY rid, code ORDER BY rec) END AS dup_n,
              first_value(line) OVER (PARTITION BY rid, code ORDER BY rec) AS first_line,
              count(DISTINCT key) OVER (PARTITION BY rid) AS n_keys
            FROM base""")
        own_bad = (
            "rid IS NULL OR key IS NULL OR code IS NULL OR NOT level_ok OR dup_n > 1 OR n_keys > 1 "
            "OR big IS NOT NULL OR rid_en IS NOT NULL"
        )
        self.cur.execute(f"""
            CREATE TEMP TABLE {bad} AS
            WITH flagged AS (SELECT *, ({own_bad}) AS own_bad FROM {rows}),
                 resp AS (SELECT rid, min(line) FILTER (WHERE own_bad) AS bad_line FROM flagged
                          WHERE rid IS NOT NULL GROUP BY rid)
            SELECT f.*, resp.bad_line, r.* FROM flagged f LEFT JOIN resp USING (rid) JOIN {raw} r ON r.rowid = f.rec
            WHERE f.own_bad OR resp.bad_line IS NOT NULL""")
        fix_g = group_fix()
        h = layout.header
        checks = [
            (
                "rid IS NULL",
                h[k["respondent_id"]],
                "NULL",
                "'ไม่มีรหัสผู้ตอบ'",
                "'respondent id is missing'",
                ("ใส่รหัสผู้ตอบในทุกแถว", "fill in the respondent id on every row"),
            ),
            ID_CHECK(h[k["respondent_id"]]),
            ("grp IS NULL", h[k["group"]], "NULL", "'ไม่ได้ระบุกลุ่มบุคลากร'", "'staff group is missing'", fix_g),
            (
                "grp IS NOT NULL AND key IS NULL",
                h[k["group"]],
                "grp",
                "'ไม่รู้จักกลุ่มบุคลากรนี้'",
                "'unknown staff group'",
                fix_g,
            ),
            (
                "n_keys > 1",
                h[k["group"]],
                "grp",
                "'ผู้ตอบคนเดียวกันมีกลุ่มบุคลากรต่างกันในแต่ละแถว'",
                "'the same respondent has different staff groups on different rows'",
                ("ใช้กลุ่มบุคลากรเดียวกันทุกแถวของผู้ตอบคนนี้", "use one staff group on all rows of this respondent"),
            ),
            (
                "code_raw IS NULL",
                h[k["code"]],
                "NULL",
                "'ไม่ได้ระบุรหัสหน่วยความสามารถ'",
                "'unit code is missing'",
                ("ใส่รหัสหน่วย เช่น DLit100", "fill in a unit code such as DLit100"),
            ),
            (
                "code_raw IS NOT NULL AND code IS NULL",
                h[k["code"]],
                "code_raw",
                "'ไม่มีรหัสนี้ในกรอบ ก.พ.'",
                "'unknown unit code (not in the OCSC framework)'",
                (
                    "ใช้รหัสหน่วย (DLit100 … DTr300) หรือรหัสความสามารถย่อย (DLit101 …) ที่มีในกรอบ",
                    "use a unit code (DLit100 ... DTr300) or element code (DLit101 ...) of the framework",
                ),
            ),
            (
                "NOT level_ok",
                h[k["level"]],
                "level_raw",
                f"CASE WHEN {level_number('level_raw')} IS NULL THEN 'ระดับไม่ใช่ตัวเลข' ELSE 'ระดับต้องเป็นเลขจำนวนเต็ม 0–4' END",
                (
                    f"CASE WHEN {level_number('level_raw')} IS NULL THEN 'level is not a number' "
                    "ELSE 'level must be a whole number 0-4' END"
                ),
                LEVEL_FIX,
            ),
            (
                "dup_n > 1",
                h[k["code"]],
                "code_raw",
                "'รหัสนี้ซ้ำสำหรับผู้ตอบคนเดียวกัน (แถวแรกคือแถวที่ ' || first_line || ')'",
                "'this code is repeated for the same respondent (first on row ' || first_line || ')'",
                ("ลบแถวที่ซ้ำ", "remove the repeated row"),
            ),
            (
                f"NOT ({own_bad}) AND bad_line IS NOT NULL",
                h[k["respondent_id"]],
                "rid",
                "'แถวอื่นของผู้ตอบคนนี้มีปัญหา (แถวที่ ' || bad_line || ') จึงไม่นำเข้าทั้งคน'",
                (
                    "'another row of this respondent has a problem (row ' || bad_line || '), so the whole respondent "
                    "is rejected'"
                ),
                ("แก้แถวที่มีปัญหาแล้วอัปโหลดใหม่", "fix the row with the problem and upload again"),
            ),
        ]
        checks.insert(-1, size_check(layout))
        problems_sql = self._problem_sql(bad, checks)
        probs, rejected, truncated = self._finish(bad, problems_sql, layout, [])
        pivot = self._temp("pivot")
        all_codes = list(self.catalog.unit_codes()) + list(self.catalog.element_units())
        present = [
            c for (c,) in self.cur.execute(f"SELECT DISTINCT code FROM {rows} WHERE code IS NOT NULL").fetchall()
        ]
        present = [c for c in all_codes if c in set(present)]
        aggs = ", ".join(f"max(lvl) FILTER (WHERE code = {literal(c)}) AS {ident(c)}" for c in present)
        opt, joins = self._name_columns(raw, k, "max")
        self.cur.execute(f"""
            CREATE TEMP TABLE {pivot} AS
            SELECT x.rid, any_value(x.key) AS key, min(x.rec) AS first_rec, {opt['agency']} AS agency,
                   {opt['unit']} AS org_unit, {opt['position']} AS position{', ' + aggs if aggs else ''}
            FROM {rows} x JOIN {raw} r ON r.rowid = x.rec{joins}
            WHERE x.rec NOT IN (SELECT rec FROM {bad})
            GROUP BY x.rid""")
        exprs, el_notes = unit_expressions({c: f"p.{ident(c)}" for c in present}, self.catalog)
        notes += el_notes
        staging = self._temp("ok")
        units_sql = ", ".join(f"{e} AS {ident(u)}" for u, e in exprs.items())
        self.cur.execute(f"""
            CREATE TEMP TABLE {staging} AS
            SELECT p.rid AS respondent_id, p.key AS staff_group, p.agency, p.org_unit, p.position, {units_sql}
            FROM {pivot} p ORDER BY p.first_rec""")
        total = self.cur.execute(f"SELECT count(*) FROM {rows}").fetchone()[0]
        nbad = self.cur.execute(f"SELECT count(*) FROM {bad}").fetchone()[0]
        respondents = self.cur.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
        return Checked(layout, total, total - nbad, nbad, respondents, probs, rejected, notes, staging, truncated)
