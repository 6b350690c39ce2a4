"""Survey intake: a CSV or Excel file becomes validated rows for the store, or one bilingual refusal.

The steps, one module each (the file-format rules users read are in `rules.py`, the bounds in `limits.py`):
- `decode`    bytes -> UTF-8 text: encoding, hash, line count; binary, NUL, overlong-line and mixed-encoding refusals;
- `workbook`  an .xlsx's first worksheet -> UTF-8 CSV, after `bounds` has checked it cannot expand beyond limits;
- `layout`    the header -> fixed columns and unit/element codes (wide or long layout);
- `validate`  every row checked in SQL (`levels` holds the per-cell SQL); accepted rows left in a staging table;
- `templates` the CSV and Excel templates;
- `tempfiles` the intake's temp files (one prefix) and the sweep of those a killed process left behind.
Callers use the names re-exported here: `from framework import survey; survey.decode(...)`.
"""

from framework.survey import limits, rules, tempfiles
from framework.survey.base import (
    CHUNK,
    DEFAULT_THRESHOLD,
    LEVELS,
    MAX_PROBLEMS,
    THAI_DIGITS,
    Decoded,
    Layout,
    Notice,
    SurveyFileError,
    file_hash,
)
from framework.survey.check_parts import PROBLEM_COLUMNS, Checked, sheet_notice
from framework.survey.decode import decode
from framework.survey.layout import (
    CODE_IN_BRACKETS,
    CODE_LEADING,
    CODE_LIKE,
    KEY_ALIASES,
    code_candidates,
    plan_columns,
    read_header,
    resolve_code,
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
from framework.survey.tempfiles import sweep_stale as sweep_stale_temp
from framework.survey.tempfiles import temp_file
from framework.survey.templates import (
    TEMPLATE_ROWS,
    levels_table,
    template_csv,
    template_xlsx,
)
from framework.survey.validate import Validator
from framework.survey.workbook import OLE_MAGIC, ZIP_MAGIC, cell_text, read_workbook

__all__ = [
    "CHUNK",
    "CODE_IN_BRACKETS",
    "CODE_LEADING",
    "CODE_LIKE",
    "DEFAULT_THRESHOLD",
    "KEY_ALIASES",
    "LEVELS",
    "LEVEL_FIX",
    "MAX_PROBLEMS",
    "OLE_MAGIC",
    "PROBLEM_COLUMNS",
    "TEMPLATE_ROWS",
    "THAI_DIGITS",
    "ZIP_MAGIC",
    "Checked",
    "Decoded",
    "Layout",
    "Notice",
    "SurveyFileError",
    "Validator",
    "cell_text",
    "clean",
    "code_candidates",
    "decode",
    "file_hash",
    "group_fix",
    "level",
    "level_number",
    "level_ok",
    "levels_table",
    "limits",
    "plan_columns",
    "read_header",
    "read_workbook",
    "resolve_code",
    "rules",
    "sheet_notice",
    "sweep_stale_temp",
    "temp_file",
    "tempfiles",
    "template_csv",
    "template_xlsx",
    "unit_expressions",
]
