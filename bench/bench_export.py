"""Export and analyst timings (prints numbers)."""

import sys
import tempfile
import time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from framework import analyst, db
from framework.outputs import export, figure_files
from framework.store import ensure_schema


def t(label, fn, n=1):
    t0 = time.perf_counter()
    for _ in range(n):
        out = fn()
    dt = (time.perf_counter() - t0) / n
    size = len(out) if isinstance(out, (bytes, bytearray)) else ""
    print(f"{label:45s} {dt * 1000:9.1f} ms  {size}")
    return out


rng = np.random.default_rng(0)
con = db.connect()
codes = [r[0] for r in con.execute("select code from units order by ord").fetchall()]
N = 20000
df = pd.DataFrame(
    {
        "batch_id": "b1",
        "respondent_id": [f"R{i}" for i in range(N)],
        "staff_group": rng.choice(["Service", "Technologist", "Academic"], N),
        "agency": "กรมทดสอบ",
        "org_unit": rng.choice(["กองเทคโนโลยี", "=cmd", "สำนักงาน"], N),
        "position": "นักวิชาการ",
    }
)
for c in codes:
    df[c] = rng.integers(0, 5, N).astype("uint8")
s = export.settings({"source_sha256": "x", "circular": "y"}, "responses", {}, min_cell=5)
print(f"table {N} rows x {df.shape[1]} cols")
t("csv", lambda: export.to_csv(df))
t("xlsx", lambda: export.to_xlsx({"responses": df}, s))
t("parquet", lambda: export.to_parquet(df, s))
small = df.head(500)
t("csv 500 rows", lambda: export.to_csv(small), 5)
t("xlsx 500 rows", lambda: export.to_xlsx({"t": small}, s), 5)
t("parquet 500 rows", lambda: export.to_parquet(small, s), 5)
d = tempfile.mkdtemp()
path = d + "/s.duckdb"
c2 = db.connect(path)
ensure_schema(c2, codes)
c2.execute(
    "insert into store.batches values ('b1','f','h','กรมทดสอบ','Developing','2025-01-01',now(),?,?,0,false,'wide','utf-8')",
    [N, N],
)
c2.register("dfv", df)
c2.execute("insert into store.responses select * from dfv")
c2.unregister("dfv")
t(f"analyst.build ({N} respondents, aggregates)", lambda: analyst.build(c2, min_cell=5, threshold=3))
a = analyst.build(c2, min_cell=5, threshold=3, authorised=True)
t("analyst.run example 1", lambda: analyst.run(a, analyst.EXAMPLES[0][2]), 5)
t("analyst.run count(*) responses", lambda: analyst.run(a, "select staff_group, count(*) from responses group by 1"), 5)
fig = go.Figure(go.Heatmap(z=rng.random((39, 6)), y=codes, x=["ก", "ข", "ค", "ง", "จ", "ฉ"]))
t("chart html", lambda: figure_files.chart_html(fig))
t("chart png (first, starts chromium)", lambda: figure_files.chart_png(fig))
t("chart png (again)", lambda: figure_files.chart_png(fig))
