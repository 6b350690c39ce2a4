"""Validation of a decoded survey file in SQL on one DuckDB cursor (`Validator`): every cell read as text into
temp tables, every line accounted for (accepted, rejected with a reason, or counted as blank), the problems
listed in Thai and English, and the accepted respondents left in a staging table for the store to insert.
Identifiers and constants go through `framework.db.ident` / `literal`; file text is only ever data.
"""

from __future__ import annotations

import uuid

import duckdb
import pandas as pd

from framework import names
from framework.catalog import Catalog, normalise_label
from framework.db import ident, literal
from framework.survey.base import MAX_PROBLEMS, Decoded, Layout, Notice, SurveyFileError
from framework.survey.canon import canon_map, value
from framework.survey.check_parts import (
    BARE,
    FIELD_COUNT,
    ID_CHECK,
    Checked,
    Raw,
    oversize,
    sheet_notice,
    shown,
    size_check,
)
from framework.survey.levels import (
    LEVEL_FIX,
    clean,
    group_fix,
    level,
    level_number,
    level_ok,
    unit_expressions,
)
from framework.survey.limits import MAX_CELL_CHARS, MAX_LINE_BYTES
from framework.survey.long_checks import LongChecks
from framework.survey.templates import EXAMPLE_ID


class Validator(LongChecks):
    """Validates a decoded survey file with SQL on one cursor; leaves accepted rows in a temp table."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, catalog: Catalog):
        self.cur = cur
        self.catalog = catalog
        self.tag = uuid.uuid4().hex[:10]
        self.temps: list[str] = []
        self.views: list[str] = []

    def _temp(self, stem: str) -> str:
        name = f"{stem}_{self.tag}"
        self.temps.append(name)
        return name

    def drop(self) -> None:
        """Drop every temp table and view this validation created."""
        for v in self.views:
            self.cur.execute(f"DROP VIEW IF EXISTS temp.{v}")
        for t in self.temps:
            self.cur.execute(f"DROP TABLE IF EXISTS temp.{t}")
        self.temps.clear()
        self.views.clear()

    # -- reading -----------------------------------------------------------------------------------------
    def load(self, dec: Decoded, layout: Layout) -> tuple[str, str]:
        """Read every cell as text into a temp table c0..cN; malformed lines go to a rejects table."""
        raw, rej, scan = self._temp("raw"), self._temp("rej"), self._temp("scan")
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(layout.header))) + "}"
        delim = {"\t": "\\t"}.get(layout.delimiter, layout.delimiter)
        line_max = MAX_LINE_BYTES + 1024
        read = (
            f"CREATE TEMP TABLE {raw} AS SELECT * FROM read_csv(?, header=true, skip={layout.skip}, "
            f"delim={literal(delim)}, quote='\"', escape='\"', columns={cols}, all_varchar=true, "
            f"ignore_errors=true, store_rejects=true, rejects_table={literal(rej)}, rejects_scan={literal(scan)}, "
            # DuckDB drops a line longer than max_line_size without a reject: decode() refuses any longer line.
            f"strict_mode=true, auto_detect=false, max_line_size={line_max}"
        )
        # With that max_line_size DuckDB's default buffer (16x) holds the whole file and one thread reads it; a
        # buffer of twice the line limit lets both threads read. That read is kept only when it is perfectly clean
        # (one record for every line, no reject); any other file is read again the way it always was.
        try:
            self.cur.execute(f"{read}, buffer_size={2 * line_max})", [str(dec.path)])
            clean = self.cur.execute(
                f"SELECT (SELECT count(*) FROM {raw}) = ? AND NOT EXISTS (FROM {rej})", [dec.lines - 1 - layout.skip]
            ).fetchone()[0]
        except duckdb.Error:
            clean = False
        if clean:
            return raw, rej
        for t in (raw, rej, scan):
            self.cur.execute(f"DROP TABLE IF EXISTS temp.{t}")
        try:
            self.cur.execute(read + ")", [str(dec.path)])
        except duckdb.Error as exc:
            raise SurveyFileError(
                f"อ่านไฟล์เป็น CSV ไม่ได้ ({str(exc).splitlines()[0][:200]}) — ตรวจว่าเป็น CSV และบันทึกใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                f"The file cannot be read as CSV ({str(exc).splitlines()[0][:200]}) - check it is a CSV and save it "
                "again. Nothing was stored.",
            ) from None
        return raw, rej

    def line_numbers(self, raw: str, rej: str, dec: Decoded, ncols: int, skip: int = 0) -> tuple[str, list[Notice]]:
        """Temp table rec -> line as Excel shows it (header = row 1); counts quoted line breaks and bad lines.
        Sets `self.empty_lines`: lines DuckDB skipped as empty (no record, no reject), counted as blank rows."""
        self.empty_lines, self._empties = 0, 0
        lines = self._temp("lines")
        nrec = self.cur.execute(f"SELECT count(*) FROM {raw}").fetchone()[0]
        rejects = self.cur.execute(f"SELECT line FROM {rej} ORDER BY line").fetchall()
        notes: list[Notice] = []
        simple = dec.lines - 1 - skip == nrec + len(rejects)
        # rejects before good record k: a reject on DuckDB line L sits after (L - 2 - earlier rejects) good ones.
        # Empty lines DuckDB skips (no record, no reject): their file line numbers, so every number reported is
        # the file's own line (issue 20). Counted in "compressed" lines (the file without them), then mapped back.
        emp = self._empty_lines(dec, skip) if not simple else None
        below = f"(SELECT count(*) FROM {emp} WHERE e < line)" if emp else "0"
        rj = self._temp("rj")
        self.cur.execute(
            f"CREATE TEMP TABLE {rj} AS SELECT DISTINCT line - {below} - 2 - {skip} "
            f"- (dense_rank() OVER (ORDER BY line) - 1) "
            f"AS good_before, dense_rank() OVER (ORDER BY line) AS n FROM {rej}"
        )
        if simple:  # no quoted line breaks: no running count of them either
            nl, prev = "0", "0"
        else:
            allcols = ", ".join(f"coalesce(c{i}, '')" for i in range(ncols))
            nl = f"length(concat({allcols})) - length(replace(concat({allcols}), chr(10), ''))"
            prev = "coalesce(sum(nl) OVER (ORDER BY rec ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
        self.cur.execute(f"""
            CREATE TEMP TABLE {lines} AS
            WITH r AS (SELECT rowid AS rec, {nl} AS nl FROM {raw}),
                 c AS (SELECT rec, {prev} AS prev_nl FROM r)
            SELECT c.rec, CAST(c.rec + 2 + {skip} + c.prev_nl + coalesce(j.n, 0) AS BIGINT) AS line
            FROM c ASOF LEFT JOIN (SELECT good_before, max(n) AS n FROM {rj} GROUP BY ALL) j ON c.rec >= j.good_before
        """)
        if emp:  # a compressed line L sits after every empty line whose compressed position is <= L
            self.cur.execute(f"""
                UPDATE {lines} SET line = {lines}.line + m.cnt
                FROM (SELECT l.rec, coalesce(a.cnt, 0) AS cnt FROM {lines} l
                      ASOF LEFT JOIN (SELECT adj, max(cnt) AS cnt FROM {emp} GROUP BY ALL) a ON l.line >= a.adj) m
                WHERE m.rec = {lines}.rec""")
        if not simple:
            breaks = self.cur.execute(f"SELECT coalesce(sum({nl}), 0) FROM {raw}").fetchone()[0]
            self.empty_lines = max(0, dec.lines - 1 - skip - nrec - int(breaks) - len(set(rejects)))
            total = self.cur.execute(f"SELECT coalesce(max(line), 1) FROM {lines}").fetchone()[0]
            if ((total < dec.lines and not rejects) or self.empty_lines) and not (
                emp and self._empties == self.empty_lines
            ):
                notes.append(
                    Notice(
                        "info",
                        None,
                        "ไฟล์มีบรรทัดว่างแทรกอยู่ (ข้ามไป) เลขแถวที่แจ้งอาจคลาดจากใน Excel เล็กน้อย",
                        "The file has blank lines in it (skipped); reported row numbers may be a little "
                        "off from what Excel shows.",
                    )
                )
        return lines, notes

    def _empty_lines(self, dec: Decoded, skip: int) -> str | None:
        """Temp table of the file's empty lines outside quotes after the header (e: line number; adj: the line
        of the file without them it precedes; cnt: running count), or None when there are none."""
        empties, line_no, inside = [], 0, False
        with open(dec.path, "rb") as fh:
            for raw_line in fh:
                line_no += 1
                if line_no > skip + 1 and not inside and raw_line.rstrip(b"\r\n") == b"":
                    empties.append(line_no)
                if raw_line.count(b'"') % 2:
                    inside = not inside
        self._empties = len(empties)
        if not empties:
            return None
        emp = self._temp("emp")
        self.cur.execute(f"CREATE TEMP TABLE {emp} (e BIGINT, adj BIGINT, cnt BIGINT)")
        self.cur.executemany(f"INSERT INTO {emp} VALUES (?, ?, ?)", [(e, e - i, i + 1) for i, e in enumerate(empties)])
        return emp

    # -- checks ------------------------------------------------------------------------------------------
    def _group_map(self, raw: str, col: str) -> str:
        gmap = self._temp("gmap")
        distinct = self.cur.execute(f"SELECT DISTINCT {col} AS raw FROM {raw} WHERE {col} IS NOT NULL").df()
        aliases = self.catalog.staff_group_aliases()
        distinct["key"] = [aliases.get(normalise_label(names.name(v))) for v in distinct["raw"]]
        self.cur.register(f"gmap_df_{self.tag}", distinct)
        self.cur.execute(f"CREATE TEMP TABLE {gmap} AS SELECT raw, key FROM gmap_df_{self.tag}")
        self.cur.unregister(f"gmap_df_{self.tag}")
        return gmap

    def check(self, dec: Decoded, layout: Layout, default_agency: str | None = None) -> Checked:
        raw, rej = self.load(dec, layout)
        n = len(layout.header)
        lines, notes = self.line_numbers(raw, rej, dec, n, layout.skip)
        if dec.sheet is not None:
            notes.append(sheet_notice(dec))
        notes += self._column_notes(raw, layout)
        example = self._drop_example_rows(raw, layout)
        if layout.format == "wide":
            result = self._check_wide(raw, lines, layout, notes)
        else:
            result = self._check_long(raw, lines, layout, notes)
        blank = self.cur.execute(f"SELECT count(*) FROM {raw}").fetchone()[0] - result.rows_read
        result, blank_lines = self._add_structural(result, rej, layout)
        blank += blank_lines + self.empty_lines
        result.blank_rows, result.example_rows = blank, example
        if result.rows_read == 0 and example:
            raise SurveyFileError(
                f"ไฟล์มีแต่แถวตัวอย่าง (รหัสผู้ตอบ {EXAMPLE_ID}) {example} แถว ซึ่งไม่นำเข้า — ใส่คำตอบหนึ่งแถวต่อผู้ตอบ"
                "หนึ่งคนใต้แถวตัวอย่าง (หรือแทนที่แถวนั้น) แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                f"The file holds only the template's example row ({example} row, respondent id {EXAMPLE_ID}), which is "
                "ignored - add one row per respondent under it (or in its place) and upload again. Nothing was stored.",
            )
        if result.rows_read == 0:
            raise SurveyFileError(
                "ไฟล์มีแต่หัวตาราง ไม่มีแถวคำตอบ (แถวว่างถูกข้าม) — ใส่คำตอบหนึ่งแถวต่อผู้ตอบหนึ่งคนใต้หัวตาราง "
                "แล้วอัปโหลดใหม่ ไม่มีข้อมูลใดถูกบันทึก",
                "The file has a header but no answer rows (blank rows are skipped) - add one row per respondent "
                "under the header and upload again. Nothing was stored.",
            )
        if example:
            result.notices.append(
                Notice(
                    "info",
                    None,
                    f"ข้ามแถวตัวอย่างของแม่แบบ {example:,} แถว (รหัสผู้ตอบ {EXAMPLE_ID}) ไม่นำเข้า",
                    f"Ignored {example:,} example row(s) of the template (respondent id {EXAMPLE_ID}): not imported.",
                )
            )
        if blank:
            result.notices.append(
                Notice(
                    "info",
                    None,
                    f"ข้ามแถวว่าง {blank:,} แถว (ทุกช่องว่าง ไม่มีข้อมูลให้นำเข้า)",
                    f"Skipped {blank:,} blank row(s) (every cell empty: nothing to import).",
                )
            )
        return result

    def _drop_example_rows(self, raw: str, layout: Layout) -> int:
        """Remove the templates' example row(s) before any check; return how many (reported, not rejected)."""
        if "respondent_id" not in layout.keys:
            return 0
        where = f"trim(c{layout.keys['respondent_id']}) = {literal(EXAMPLE_ID)}"
        n = self.cur.execute(f"SELECT count(*) FROM {raw} WHERE {where}").fetchone()[0]
        if n:
            self.cur.execute(f"DELETE FROM {raw} WHERE {where}")
        return n

    @staticmethod
    def _blank(alias: str, layout: Layout) -> str:
        """SQL: TRUE when every cell of the row is empty or spaces (Excel leaves such rows, e.g. ",,,,")."""
        order = [layout.keys["respondent_id"], layout.keys["group"]]
        order += [i for i in range(len(layout.header)) if i not in order]
        return " AND ".join(f"coalesce(trim({alias}.c{i}), '') = ''" for i in order)

    def _column_notes(self, raw: str, layout: Layout) -> list[Notice]:
        notes = []
        for i, name in layout.unknown_codes.items():
            filled = self.cur.execute(f"SELECT count({clean(f'c{i}')}) FROM {raw}").fetchone()[0]
            notes.append(
                Notice(
                    "warning",
                    name,
                    f"คอลัมน์ \"{name}\" ดูเหมือนรหัสหน่วยความสามารถแต่ไม่มีในกรอบ ก.พ. — ไม่ได้นำเข้าค่าในคอลัมน์นี้ "
                    f"({filled:,} ค่า) ส่วนอื่นของแต่ละแถวนำเข้าตามปกติ วิธีแก้: แก้หัวคอลัมน์เป็นรหัสที่ถูกต้อง (เช่น DLit300) "
                    "แล้วลบชุดข้อมูลนี้และอัปโหลดใหม่",
                    f"Column \"{name}\" looks like a unit code but is not in the OCSC framework - its {filled:,} values "
                    "were NOT imported (the rest of each row was). Fix: correct the header to a real code (e.g. DLit300), "
                    "then delete this batch and upload again.",
                )
            )
        if layout.ignored:
            names = ", ".join(layout.ignored.values())
            notes.append(Notice("info", None, f"คอลัมน์ที่ไม่ได้ใช้ (ข้ามไป): {names}", f"Columns not used (ignored): {names}"))
        return notes

    def _problem_sql(self, rows: str, checks: list[tuple[str, str, str, str, str, str]]) -> str:
        """UNION ALL of (condition, column label, value expr, reason_th, reason_en, fix pair) over bad rows."""
        parts = []
        for cond, column, expr, r_th, r_en, fix in checks:
            label = column if isinstance(column, Raw) else literal(column)
            parts.append(
                f"SELECT line AS \"row\", {label} AS \"column\", {shown(f'CAST({expr} AS VARCHAR)')} AS value, "
                f"{r_th} AS reason_th, "
                f"{r_en} AS reason_en, {literal(fix[0])} AS fix_th, {literal(fix[1])} AS fix_en, rec "
                f"FROM {rows} WHERE {cond}"
            )
        return " UNION ALL ".join(parts)

    def _finish(
        self, bad: str, problems_sql: str, layout: Layout, raw_cols: list[str]
    ) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
        names = [ident(h or f"column{i + 1}") for i, h in enumerate(layout.header)]
        if not self.cur.execute(f"SELECT count(*) FROM {bad}").fetchone()[0]:
            # No bad row: the same empty lists, typed alike, without planning the long problem queries.
            text = ", ".join(
                f"NULL::VARCHAR AS {c}" for c in ["column", "value", "reason_th", "reason_en", "fix_th", "fix_en"]
            )
            cells = ", ".join(f"NULL::VARCHAR AS {n}" for n in names)
            return (
                self.cur.execute(f'SELECT NULL::BIGINT AS "row", {text} WHERE false').df(),
                self.cur.execute(
                    f'SELECT NULL::BIGINT AS "row", {cells}, NULL::VARCHAR AS reason, '
                    f'NULL::VARCHAR AS reason_th WHERE false'
                ).df(),
                False,
            )
        probs = self.cur.execute(f"SELECT * FROM ({problems_sql}) ORDER BY rec, \"row\" LIMIT {MAX_PROBLEMS + 1}").df()
        truncated = len(probs) > MAX_PROBLEMS
        probs = probs.head(MAX_PROBLEMS)
        select = ", ".join(f"{shown(f'c{i}', over=MAX_CELL_CHARS)} AS {names[i]}" for i in range(len(layout.header)))
        rejected = self.cur.execute(f"""
            SELECT b.line AS "row", {select}, p.reason, p.reason_th FROM {bad} b
            JOIN (SELECT rec, string_agg("column" || ': ' || reason_en, '; ' ORDER BY "row") AS reason,
                         string_agg("column" || ': ' || reason_th, '; ' ORDER BY "row") AS reason_th
                  FROM ({problems_sql}) GROUP BY rec) p USING (rec)
            ORDER BY b.rec""").df()
        return probs.drop(columns=["rec"]), rejected, truncated

    def _map(self, raw: str, col: str, kind: str) -> str:
        """Temp table: the canonical form of each non-plain value of a column (survey/canon.py)."""
        return canon_map(self.cur, raw, col, kind, self._temp(f"canon_{col}"))

    def _name_columns(self, raw: str, k: dict, agg: str = "") -> tuple[dict[str, str], str]:
        """SQL of the agency, org unit and position columns as canonical names (framework.names.name), and
        the joins of their maps; a column the file does not have is NULL."""
        opt, joins = {}, ""
        for col in ("agency", "unit", "position"):
            if col not in k:
                opt[col] = "CAST(NULL AS VARCHAR)"
                continue
            c, m = f"c{k[col]}", f"nm_{col}"
            opt[col] = f"{agg}({value('r', c, m)})"
            joins += f" LEFT JOIN {self._map(raw, c, 'name')} {m} ON {m}.raw = r.{c}"
        return opt, joins

    def _check_wide(self, raw: str, lines: str, layout: Layout, notes: list[Notice]) -> Checked:
        k = layout.keys
        rid, grp = f"c{k['respondent_id']}", f"c{k['group']}"
        gmap = self._group_map(raw, grp)
        # A plain row (every level cell "0".."4" or empty) skips the full check here and the slow level parse in
        # the staging table; `plain` is computed once, in the inner query, and kept for the staging table.
        # "0".."4" tested as one byte in '0'..'4': the same cells as IN ('0', ..., '4'), and cheaper on 39 columns.
        fast = (
            " AND ".join(
                f"(r.c{i} IS NULL OR (strlen(r.c{i}) = 1 AND r.c{i} BETWEEN '0' AND '4'))" for i in layout.codes
            )
            or "TRUE"
        )
        full = " AND ".join(level_ok(f"c{i}") for i in layout.codes) or "TRUE"
        rows, bad = self._temp("rows"), self._temp("bad")
        self.cur.execute(f"""
            CREATE TEMP TABLE {rows} AS
            SELECT rec, line, rid, rid_th, rid_en, grp, key, CASE WHEN plain THEN true ELSE {full} END AS cells_ok,
                   big, plain
            FROM (SELECT r.rowid AS rec, l.line, {value('r', rid, 'im')} AS rid, im.bad_th AS rid_th,
                         im.bad_en AS rid_en, nullif(trim(r.{grp}), '') AS grp,
                         g.key, {fast} AS plain, {oversize('r', len(layout.header))} AS big, r.*
                  FROM {raw} r JOIN {lines} l ON l.rec = r.rowid LEFT JOIN {gmap} g ON g.raw = r.{grp}
                  LEFT JOIN {self._map(raw, rid, 'id')} im ON im.raw = r.{rid}
                  WHERE NOT ({self._blank('r', layout)}))""")
        # Repeated respondent ids: the window runs only over the rows whose id is repeated (usually none).
        dups = self._temp("dups")
        self.cur.execute(f"""
            CREATE TEMP TABLE {dups} AS
            SELECT rec, first_value(line) OVER (PARTITION BY rid ORDER BY rec) AS first_line,
                   row_number() OVER (PARTITION BY rid ORDER BY rec) AS dup_n
            FROM {rows} WHERE rid IN (SELECT rid FROM {rows} GROUP BY rid HAVING count(*) > 1)""")
        self.cur.execute(f"""
            CREATE TEMP TABLE {bad} AS
            SELECT x.*, d.first_line, coalesce(d.dup_n, 1) AS dup_n, r.*
            FROM {rows} x LEFT JOIN {dups} d ON d.rec = x.rec JOIN {raw} r ON r.rowid = x.rec
            WHERE x.rid IS NULL OR x.key IS NULL OR d.dup_n > 1 OR NOT x.cells_ok OR x.big IS NOT NULL
               OR x.rid_en IS NOT NULL""")
        fix_g = group_fix()
        checks = [
            (
                "rid IS NULL",
                layout.header[k["respondent_id"]],
                "NULL",
                "'ไม่มีรหัสผู้ตอบ'",
                "'respondent id is missing'",
                ("ใส่รหัสผู้ตอบที่ไม่ซ้ำกับแถวอื่น", "fill in a respondent id that no other row uses"),
            ),
            ID_CHECK(layout.header[k["respondent_id"]]),
            (
                "dup_n > 1",
                layout.header[k["respondent_id"]],
                "rid",
                "'รหัสผู้ตอบซ้ำกับแถวที่ ' || first_line || ' (เก็บแถวแรกไว้)'",
                "'duplicate respondent id: first seen on row ' || first_line || ' (that row is kept)'",
                ("ลบแถวที่ซ้ำ หรือแก้รหัสให้ไม่ซ้ำ", "remove the repeated row or give it its own id"),
            ),
            ("grp IS NULL", layout.header[k["group"]], "NULL", "'ไม่ได้ระบุกลุ่มบุคลากร'", "'staff group is missing'", fix_g),
            (
                "grp IS NOT NULL AND key IS NULL",
                layout.header[k["group"]],
                "grp",
                "'ไม่รู้จักกลุ่มบุคลากรนี้'",
                "'unknown staff group'",
                fix_g,
            ),
        ]
        for i in layout.codes:
            num = level_number(f"c{i}")
            checks.append(
                (
                    f"NOT {level_ok(f'c{i}')}",
                    layout.header[i],
                    f"c{i}",
                    (f"CASE WHEN {num} IS NULL THEN 'ระดับไม่ใช่ตัวเลข' ELSE 'ระดับต้องเป็นเลขจำนวนเต็ม 0–4' END"),
                    (
                        f"CASE WHEN {num} IS NULL THEN 'level is not a number' "
                        f"ELSE 'level must be a whole number 0-4' END"
                    ),
                    LEVEL_FIX,
                )
            )
        checks.append(size_check(layout))
        problems_sql = self._problem_sql(bad, checks)
        probs, rejected, truncated = self._finish(bad, problems_sql, layout, [])
        # In a plain row every level cell is "0".."4" or NULL, where level() is exactly the cast.
        available = {
            code: f"CASE WHEN x.plain THEN CAST(r.c{i} AS UTINYINT) ELSE {level(f'r.c{i}')} END"
            for i, code in layout.codes.items()
        }
        exprs, el_notes = unit_expressions(available, self.catalog)
        notes += el_notes
        # A view, not a table: the store reads the accepted rows once, straight from the query (no copy of
        # a million rows into a temp table first).
        staging = f"ok_{self.tag}"
        self.views.append(staging)
        opt, joins = self._name_columns(raw, k)
        units_sql = ", ".join(f"{e} AS {ident(u)}" for u, e in exprs.items())
        self.cur.execute(f"""
            CREATE TEMP VIEW {staging} AS
            SELECT x.rid AS respondent_id, x.key AS staff_group, {opt['agency']} AS agency,
                   {opt['unit']} AS org_unit, {opt['position']} AS position, {units_sql}
            FROM {rows} x JOIN {raw} r ON r.rowid = x.rec{joins}
            WHERE x.rec NOT IN (SELECT rec FROM {bad})
            ORDER BY x.rec""")
        total = self.cur.execute(f"SELECT count(*) FROM {rows}").fetchone()[0]
        accepted = total - self.cur.execute(f"SELECT count(*) FROM {bad}").fetchone()[0]  # bad: rows' own recs
        return Checked(layout, total, accepted, total - accepted, accepted, probs, rejected, notes, staging, truncated)

    def _add_structural(self, res: Checked, rej: str, layout: Layout) -> tuple[Checked, int]:
        """Lines DuckDB could not split into the header's columns: rejected whole, raw text kept; lines of bare
        delimiters (",,," shorter or longer than the header) hold nothing and are only counted as blank; every other
        line here is a rejected row, its text cut to 10,000 characters for the report."""
        df = self.cur.execute(f"""
            SELECT line, {shown('csv_line', 10_000)} AS csv_line, error_type, left(error_message, 500) AS error_message,
                   error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')
                   AND regexp_full_match(csv_line, {literal(BARE)}) AS bare
            FROM {rej} ORDER BY line""").df()
        if df.empty:
            return res, 0
        df = df.drop_duplicates("line")
        df["csv_line"] = df["csv_line"].astype(str).str.strip("\r\n")
        empty = df["bare"].fillna(False).astype(bool)
        df = df[~empty]
        if df.empty:
            return res, int(empty.sum())
        n = len(layout.header)
        probs = pd.DataFrame(
            {
                "row": df["line"].astype("int64"),
                "column": "",
                "value": df["csv_line"],
                "reason_th": [
                    f"จำนวนช่องไม่ตรงกับหัวตาราง (ต้องมี {n} ช่อง)" if t in FIELD_COUNT else f"อ่านแถวนี้เป็น CSV ไม่ได้ ({t})"
                    for t in df["error_type"]
                ],
                "reason_en": [
                    f"wrong number of fields (the header has {n}): {m.split(chr(10))[0]}"
                    if t in FIELD_COUNT
                    else f"this line cannot be read as CSV: {m.split(chr(10))[0]}"
                    for t, m in zip(df["error_type"], df["error_message"])
                ],
                "fix_th": "ตรวจเครื่องหมายคั่นและเครื่องหมายคำพูด (\") ในแถวนี้",
                "fix_en": "check the delimiters and quotes (\") on this row",
            }
        )
        rejected = pd.DataFrame(
            {
                "row": df["line"].astype("int64"),
                "raw_line": df["csv_line"],
                "reason": probs["reason_en"],
                "reason_th": probs["reason_th"],
            }
        )
        res.problems = (
            pd.concat([res.problems, probs], ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
        )
        res.rejected_rows = (
            pd.concat([res.rejected_rows, rejected], ignore_index=True)
            .sort_values("row", kind="stable")
            .reset_index(drop=True)
        )
        res.rows_read += len(df)
        res.rejected += len(df)
        return res, int(empty.sum())
