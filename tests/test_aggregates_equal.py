"""Issue 12's equality proof: every survey view computed from the write-time cells (store.agg_cells) equals the
same view computed from the raw responses, on random data, for every threshold 1-4, with filters and with
suppression (disclosure blocks, small and pooled cells) included.

The store is built through the real write paths (ingest with refuse/replace/skip, delete, restore), so
the cells compared are the ones those paths maintained. Counts and hiding reasons must be identical; shares
equal to 1e-12 (a sum of doubles in another order: DuckDB's own parallel sum is not bit-stable either).
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from framework import analysis, db
from framework.analysis import Filters, rounds, source
from framework.catalog import STAFF_GROUPS
from framework.store import SurveyStore, aggregates

A, B = "กรมหนึ่ง", "กรมสอง"
UNITS = ("กองแผน", " กองคลัง", "กองเทคโนโลยี ", "", "สำนักงานเลขานุการ")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("agg_equal")
    c = db.connect(tmp / "store.duckdb")
    store = SurveyStore(c)
    codes = store.unit_codes
    rng = random.Random(12)

    def put(name, agency, round_date, ids, row_agency=None, **kw):
        lines = ["respondent_id,group,agency,unit," + ",".join(codes)]
        for p in ids:
            # Most people mid-range, some all-met or none-met (the 0%/100% protection), 15% not assessed.
            style = rng.random()
            lv = [
                rng.choice(["", "0", "1", "2", "3", "4"]) if style < 0.8 else ("4" if style < 0.9 else "")
                for _ in codes
            ]
            lv = ["" if rng.random() < 0.15 else v for v in lv]
            group = rng.choice(STAFF_GROUPS[:4]) if rng.random() < 0.85 else rng.choice(STAFF_GROUPS)
            lines.append(
                f"{p},{group},{row_agency if row_agency is not None else ''},{rng.choice(UNITS)}," + ",".join(lv)
            )
        path = tmp / f"{name}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return store.ingest(path, agency=agency, stage=rng.choice(["Early", "Developing"]), round_date=round_date, **kw)

    put("a23", A, "2023-06-30", [f"A{i}" for i in range(70)])
    put("a24", A, "2024-06-30", [f"A{i}" for i in range(90)], row_agency=f" {A} ")
    put("a25", A, "2025-06-30", [f"A{i}" for i in range(110)])
    put("a25fix", A, "2025-06-30", [f"A{i}" for i in range(8)], on_conflict="replace")
    put("a25more", A, "2025-06-30", [f"A{i}" for i in range(100, 130)], on_conflict="skip")
    put("b24", B, "2024-06-30", [f"B{i}" for i in range(60)])
    gone = put("b25", B, "2025-06-30", [f"B{i}" for i in range(45)])
    put("b25fix", B, "2025-06-30", [f"B{i}" for i in range(5)], on_conflict="replace")
    store.delete(gone.batch_id, "hr")
    store.restore(gone.batch_id)
    put("nodate", None, None, [f"N{i}" for i in range(12)], row_agency="กรมสาม")
    assert aggregates.fresh(c) and aggregates.check(c).empty
    yield c
    c.close()


def filter_sets(con) -> dict[int, list[Filters]]:
    """Per threshold, the filter sets compared: latest / all / previous / a date, with batch, agency, staff group
    and org-unit filters and required-only, and k small or large enough that every hiding rule fires."""
    batches = db.query(con, "SELECT batch_id FROM store.batches ORDER BY batch_id")["batch_id"].tolist()
    return {
        1: [Filters(threshold=1, min_cell=3)],
        2: [Filters(threshold=2, min_cell=5, round="all", agencies=(A, "กรมสาม"), required_only=True)],
        3: [
            Filters(
                threshold=3,
                min_cell=10,
                staff_groups=("Executive", "Service", "Academic"),
                org_units=("กองแผน", "กองคลัง", "—"),
            )
        ],
        4: [
            Filters(threshold=4, min_cell=5, round="previous"),
            Filters(
                threshold=4,
                min_cell=2,
                round="2024-06-30",
                batches=tuple(batches[1:-1]),
                staff_groups=("Management", "Academic", "Service"),
            ),
        ],
    }


def views(con, f: Filters) -> dict:
    out = {
        "coverage by group": analysis.coverage(con, f, stage="Developing", by="group"),
        "coverage by agency": analysis.coverage(con, f, stage="Early", by="agency"),
        "coverage by unit": analysis.coverage(con, f, stage="Mature", by="unit"),
        "readiness by group": analysis.readiness(con, f, by="group"),
        "readiness by unit": analysis.readiness(con, f, by="unit"),
        "blockers": analysis.blockers(con, f, stage="Developing", top=None),
        "training needs": analysis.training_needs(con, f, "Early", by="group"),
        "counts": analysis.survey_counts(con, f),
        "rounds": rounds.chosen(con, f),
        "round column": rounds.round_column(con, f, "unit", pd.Series(["กองแผน", "—", analysis.TOTAL_KEY])),
    }
    ov = analysis.overview(con, f)
    out |= {
        f"overview {k}": ov[k]
        for k in (
            "counts",
            "stage",
            "hidden",
            "readiness",
            "fully_ready",
            "readiness_next",
            "change",
            "since",
            "stage_reached",
            "blockers_all",
            "by_stage",
        )
    }
    tr = analysis.trends(con, f, stage="Developing", unit="DLit100")
    out |= {"trends readiness": tr["readiness"], "trends coverage": tr["coverage"]}
    if f.round == "latest":
        out["coverage change"] = analysis.coverage_change(con, f, stage="Early", by="agency")
    return out


def same(a, b, where: str) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True),
            b.reset_index(drop=True),
            check_dtype=False,
            check_exact=False,
            rtol=1e-12,
            atol=1e-12,
            obj=where,
        )
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            same(a[k], b[k], f"{where}[{k}]")
    elif isinstance(a, (list, tuple)):
        assert list(a) == list(b), where
    elif isinstance(a, float) or isinstance(b, float):
        assert (a is None and b is None) or np.isclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True), where
    else:
        assert a == b, where


@pytest.mark.parametrize("t", [1, 2, 3, 4])
def test_every_view_from_the_cells_equals_the_view_from_the_responses(con, t):
    hidden_somewhere = set()
    sets = filter_sets(con)[t]
    for f in sets + [sets[0].with_(authorised=True)]:  # the disclosure blocks, and exact figures
        assert source.pick(con).name == source.CELLS
        cells = views(con, f)
        with source.forced(source.RESPONSES):
            raw = views(con, f)
        for name in raw:
            same(cells[name], raw[name], f"{name} at t={t}, {f}")
            if isinstance(raw[name], pd.DataFrame) and "hidden" in raw[name].columns:
                df = raw[name]
                hidden_somewhere |= set(df["hidden"].dropna())
                if {"n", "n_all"} <= set(df.columns) and (df["hidden"].isna() & (df["n"] < df["n_all"])).any():
                    hidden_somewhere.add("partial")
    # The comparison covered suppression and the blocks, not only exact figures.
    assert "small" in hidden_somewhere and {"pooled", "partial"} & hidden_somewhere


def test_the_fixture_data_is_not_degenerate(con):
    """Several agencies, rounds, org units and every staff group's cell sizes, with blanks and all-met people."""
    f = Filters(round="all", min_cell=1)
    assert analysis.survey_counts(con, f)["agencies"] == 3 and analysis.survey_counts(con, f)["rounds"] == 4
    cov = analysis.coverage(con, f.with_(threshold=4), stage="Early", by="unit")
    assert set(cov["key"]) >= {"กองแผน", "กองคลัง", "—"}
    assert db.scalar(con, "SELECT count(*) FROM store.superseded_responses") > 0
