"""The survey store: an embedded DuckDB file attached as `store` (batches + one row per respondent)."""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
from framework import db, survey
from framework.catalog import Catalog, STAGES
from framework.paths import DEMO_DIR

# Columns of store.responses before the unit columns; one UTINYINT column per unit code follows
# (framework order), NULL = not assessed.
RESPONSE_KEYS = ("batch_id", "respondent_id", "staff_group", "agency", "org_unit", "position")


def ensure_schema(con: duckdb.DuckDBPyConnection, unit_codes: list[str]) -> None:
    """Create the store tables if missing (idempotent). Unit codes come from the catalogue, never user text."""
    con.execute("""
        CREATE TABLE IF NOT EXISTS store.batches (
            batch_id      VARCHAR PRIMARY KEY,
            file_name     VARCHAR NOT NULL,
            content_hash  VARCHAR NOT NULL,
            agency        VARCHAR,
            stage         VARCHAR,
            round_date    DATE,
            uploaded_at   TIMESTAMP NOT NULL,
            rows_read     INTEGER NOT NULL,
            accepted      INTEGER NOT NULL,
            rejected      INTEGER NOT NULL,
            is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
            source_format VARCHAR,
            encoding      VARCHAR
        )""")
    unit_cols = ",\n".join(f"{db.ident(code)} UTINYINT" for code in unit_codes)
    con.execute(f"""
        CREATE TABLE IF NOT EXISTS store.responses (
            batch_id      VARCHAR NOT NULL,
            respondent_id VARCHAR NOT NULL,
            staff_group   VARCHAR NOT NULL,
            agency        VARCHAR,
            org_unit      VARCHAR,
            position      VARCHAR,
            {unit_cols}
        )""")


# --- the store object ---------------------------------------------------------------------------------------

Progress = Callable[[float, str, str], None]  # (fraction 0-1, Thai step, English step)


@dataclass
class IngestResult:
    """What one upload did: counts, problems (row, column, value, reason, fix), rejected rows, notices."""
    batch_id: str | None
    file_name: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    respondents: int = 0
    duplicate: bool = False
    source_format: str | None = None
    encoding: str | None = None
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=survey.PROBLEM_COLUMNS))
    rejected_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    notices: list[survey.Notice] = field(default_factory=list)
    problems_truncated: bool = False
    seconds: float = 0.0

    def to_json(self) -> dict:
        """The CLI's JSON object (errors in English; reason_th kept alongside)."""
        errors = [{"row": None if pd.isna(r.row) else int(r.row), "column": r.column,
                   "value": None if r.value is None or (isinstance(r.value, float) and pd.isna(r.value)) else str(r.value),
                   "reason": r.reason_en, "reason_th": r.reason_th}
                  for r in self.problems.itertuples(index=False)]
        return {"batch_id": self.batch_id, "file_name": self.file_name, "rows_read": self.rows_read,
                "accepted": self.accepted, "rejected": self.rejected, "respondents": self.respondents,
                "duplicate": self.duplicate, "format": self.source_format, "encoding": self.encoding,
                "errors": errors, "errors_truncated": self.problems_truncated,
                "notices": [{"level": n.level, "column": n.column, "text": n.en, "text_th": n.th}
                            for n in self.notices]}


class SurveyStore:
    """The survey store on a `framework.db.connect(store)` connection: atomic ingest, batches, delete, demo."""

    def __init__(self, con, catalog: Catalog | None = None):
        self.con = con
        self.catalog = catalog or Catalog(con)
        self.unit_codes = self.catalog.unit_codes()
        with db.transaction(con) as cur:
            ensure_schema(cur, self.unit_codes)
            cur.execute("CREATE TABLE IF NOT EXISTS store.store_info (key VARCHAR PRIMARY KEY, value VARCHAR)")

    # -- queries ---------------------------------------------------------------------------------------
    def batches(self) -> pd.DataFrame:
        """Every batch, newest upload first."""
        return db.query(self.con, "SELECT * FROM store.batches ORDER BY uploaded_at DESC, batch_id")

    def find_hash(self, content_hash: str) -> str | None:
        return db.scalar(self.con, "SELECT batch_id FROM store.batches WHERE content_hash = $h", {"h": content_hash})

    def delete(self, batch_id: str) -> bool:
        """Remove one batch and its responses in one transaction; False when there is no such batch."""
        with db.transaction(self.con) as cur:
            found = cur.execute("SELECT count(*) FROM store.batches WHERE batch_id = ?", [batch_id]).fetchone()[0]
            cur.execute("DELETE FROM store.responses WHERE batch_id = ?", [batch_id])
            cur.execute("DELETE FROM store.batches WHERE batch_id = ?", [batch_id])
        return bool(found)

    # -- ingest ----------------------------------------------------------------------------------------
    def ingest(self, path: str | Path, *, file_name: str | None = None, agency: str | None = None,
               stage: str | None = None, round_date: dt.date | str | None = None, is_demo: bool = False,
               progress: Progress | None = None) -> IngestResult:
        """Validate a survey file and store its accepted rows as one batch, all or nothing.

        Raises survey.SurveyFileError (nothing stored) when the file cannot be read as a survey or the
        batch metadata is invalid. The same content twice is detected by hash and not stored again.
        """
        started = time.perf_counter()
        path = Path(path)
        name = file_name or path.name
        step = progress or (lambda f, th, en: None)
        stage_key = self._stage(stage)
        round_d = self._round(round_date)
        agency = (agency or "").strip() or None
        step(0.02, "ตรวจรหัสอักขระ", "Detecting the encoding")
        dec = survey.decode(path)
        try:
            existing = self.find_hash(dec.content_hash)
            if existing:
                old = self.batches().set_index("batch_id").loc[existing]
                return IngestResult(existing, name, int(old["rows_read"]), int(old["accepted"]),
                                    int(old["rejected"]), duplicate=True, source_format=old["source_format"],
                                    encoding=old["encoding"], seconds=time.perf_counter() - started)
            delim, header, skip = survey.read_header(dec.path)
            layout = survey.plan_columns(header, delim, self.catalog, skip)
            cur = self.con.cursor()
            val = survey.Validator(cur, self.catalog)
            try:
                step(0.15, "อ่านไฟล์", "Reading the file")
                checked = val.check(dec, layout)
                # The accepted rows leave the validating cursor's temp tables as Arrow, so the write can run in
                # its own transaction (temp-table row ids inside a transaction would break the row numbers).
                rows = cur.execute(f"FROM temp.{checked.staging}").to_arrow_table()
            finally:
                val.drop()
                cur.close()
            step(0.75, "บันทึกข้อมูล", "Saving")
            batch_id = dec.content_hash[:16]
            with db.transaction(self.con) as tx:
                tx.register("accepted_rows", rows)
                self._write(tx, checked, batch_id, name, dec, agency, stage_key, round_d, is_demo)
        finally:
            dec.cleanup()
        step(1.0, "เสร็จสิ้น", "Done")
        return IngestResult(batch_id, name, checked.rows_read, checked.accepted, checked.rejected,
                            checked.respondents, False, layout.format, dec.encoding, checked.problems,
                            checked.rejected_rows, checked.notices, checked.problems_truncated,
                            time.perf_counter() - started)

    def _write(self, cur, checked: survey.Checked, batch_id: str, name: str, dec: survey.Decoded,
               agency: str | None, stage: str | None, round_d: dt.date | None, is_demo: bool) -> None:
        """The batch row and its responses, inside the caller's transaction (a failure rolls both back)."""
        unit_cols = ", ".join(db.ident(c) for c in self.unit_codes)
        cur.execute("INSERT INTO store.batches VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?)",
                    [batch_id, name, dec.content_hash, agency, stage, round_d, checked.rows_read,
                     checked.accepted, checked.rejected, is_demo, checked.layout.format, dec.encoding])
        self._insert_responses(cur, checked, batch_id, agency, unit_cols)
        cur.execute("INSERT OR REPLACE INTO store.store_info VALUES ('had_batches', 'true')")

    def _insert_responses(self, cur, checked: survey.Checked, batch_id: str, agency: str | None,
                          unit_cols: str) -> None:
        cur.execute(f"""
            INSERT INTO store.responses (batch_id, respondent_id, staff_group, agency, org_unit, position, {unit_cols})
            SELECT ?, respondent_id, staff_group, coalesce(agency, ?), org_unit, position, {unit_cols}
            FROM accepted_rows""", [batch_id, agency])

    def _stage(self, stage: str | None) -> str | None:
        if stage is None or not str(stage).strip():
            return None
        key = stage if stage in STAGES else self.catalog.resolve_stage(stage)
        if key is None:
            raise survey.SurveyFileError(
                f"ไม่รู้จักระยะของหน่วยงาน \"{stage}\" — ใช้ Early, Developing หรือ Mature (ระยะเริ่มแรก, ระยะกำลังพัฒนา, "
                "ระยะสมบูรณ์) ไม่มีข้อมูลใดถูกบันทึก",
                f"Unknown agency stage \"{stage}\" - use Early, Developing or Mature. Nothing was stored.")
        return key

    @staticmethod
    def _round(value) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise survey.SurveyFileError(
                f"วันที่รอบสำรวจ \"{value}\" ไม่ถูกต้อง — ใช้รูปแบบ ปปปป-ดด-วว (ค.ศ.) เช่น 2025-06-30 ไม่มีข้อมูลใดถูกบันทึก",
                f"Survey round date \"{value}\" is not valid - use YYYY-MM-DD, e.g. 2025-06-30. "
                "Nothing was stored.") from None

    # -- demo ------------------------------------------------------------------------------------------
    def had_batches(self) -> bool:
        """True once any batch has ever been stored (deleting everything does not bring the demo back)."""
        return bool(db.scalar(self.con, "SELECT (SELECT count(*) FROM store.batches) "
                                        "+ (SELECT count(*) FROM store.store_info WHERE key = 'had_batches')"))

    def load_demo(self, demo_dir: Path = DEMO_DIR) -> list[IngestResult]:
        """Ingest the bundled demo batches (is_demo = true) listed in data/demo/manifest.json."""
        manifest = json.loads((Path(demo_dir) / "manifest.json").read_text(encoding="utf-8"))
        return [self.ingest(Path(demo_dir) / b["file"], agency=b["agency"], stage=b["stage"],
                            round_date=b["round_date"], is_demo=True) for b in manifest["batches"]]

    def ensure_demo(self, demo_dir: Path = DEMO_DIR) -> bool:
        """Load the demo survey only into a store that has never had a batch; idempotent. True if loaded."""
        if self.had_batches():
            return False
        self.load_demo(demo_dir)
        return True
