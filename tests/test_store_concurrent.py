"""Two tabs importing at once (issue 11 point 9): each gets a clean result, never a transaction traceback,
and every person is stored once."""

from __future__ import annotations

import threading

from framework import db
from framework.store import SurveyStore

ROWS = "respondent_id,group,unit,DLit100,DG100\n" + "".join(
    f"P{i},Service,กองกลาง,{i % 5},{(i + 1) % 5}\n" for i in range(300)
)


def _race(store, paths, **kw):
    results, errors = [None] * len(paths), []
    start = threading.Barrier(len(paths))

    def run(i):
        try:
            start.wait()
            results[i] = store.ingest(paths[i], agency="A", stage="Early", round_date="2025-06-30", **kw)
        except Exception as exc:  # noqa: BLE001 - the test reports any exception a user would see
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results, errors


def test_the_same_file_twice_at_once(store_path, catalog, tmp_path):
    path = tmp_path / "same.csv"
    path.write_text(ROWS, encoding="utf-8")
    con = db.connect(store_path)
    store = SurveyStore(con, catalog)
    results, errors = _race(store, [path, path])
    assert errors == []
    assert sorted(bool(r.batch_id and not r.duplicate and not r.refused) for r in results) == [False, True]
    assert con.execute("SELECT count(*), count(DISTINCT respondent_id) FROM store.responses").fetchone() == (300, 300)


def test_the_same_people_in_two_encodings_at_once(store_path, catalog, tmp_path):
    a, b = tmp_path / "utf8.csv", tmp_path / "cp874.csv"
    a.write_bytes(ROWS.encode("utf-8"))
    b.write_bytes(ROWS.encode("cp874"))
    con = db.connect(store_path)
    store = SurveyStore(con, catalog)
    results, errors = _race(store, [a, b])
    assert errors == []
    stored = [r for r in results if r.batch_id and not r.refused]
    assert len(stored) == 1 and any(r.refused for r in results)  # the second is refused as a clash
    assert con.execute("SELECT count(*), count(DISTINCT respondent_id) FROM store.responses").fetchone() == (300, 300)
