"""Benchmark of the framework pages: switching a role profile (full AppTest rerun), the handout and the chart
builders. Target: a profile switch reruns in <= 0.5 s so a facilitator sees the new view at once."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SKILLS_DB", str(Path(tempfile.mkdtemp()) / "bench.duckdb"))

from streamlit.testing.v1 import AppTest

from framework.catalog import STAFF_GROUPS, STAGES, Catalog
from framework.catalog import profiles as profiles_view
from framework.handout import profile_handout
from framework.outputs import charts


def timed(fn, n: int = 5) -> float:
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    cat = Catalog()
    names = profiles_view.names(cat, "th")
    matrix = cat.requirement_matrix()
    print(f"handout (Mature x Technologist)      {timed(lambda: profile_handout(cat, 'Mature', 'Technologist')):.3f} s")
    print(
        f"requirement_heatmap (one stage)      {timed(lambda: charts.requirement_heatmap(matrix, 'Mature', 'th', names)):.3f} s"
    )
    print(
        f"pathway (data + chart)               "
        f"{timed(lambda: charts.pathway_chart(profiles_view.pathway(cat, 'Technologist').units, 'th', names)):.3f} s"
    )

    for page, widget, values in (
        ("pages/profiles.py", "prof_group", STAFF_GROUPS),
        ("pages/pathway.py", "path_group", STAFF_GROUPS),
        ("pages/requirements.py", "req_stage", STAGES),
        ("pages/explorer.py", "exp_group", ["DLit", "DG", "DT", "DS", "SPM", "DL", "DTr"]),
    ):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page(page)
        t = time.perf_counter()
        at.run()
        first = time.perf_counter() - t
        runs = []
        for v in list(values) * 2:
            at.segmented_control(key=widget).set_value(v)
            t = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - t)
        assert not at.exception, at.exception
        print(
            f"{page:<22} first run {first:.3f} s; switch median {statistics.median(runs):.3f} s, "
            f"max {max(runs):.3f} s over {len(runs)} switches (target <= 0.5 s)"
        )


if __name__ == "__main__":
    main()
