"""framework.store.archive: a round to Parquet and back, the drop only after checked files, the once-per-round
rule on restore, tampered files refused, history queryable without restoring, compaction."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from framework import db
from framework.store import SurveyStore, archive
from framework.store.results import RoundConflict

GROUPS = ["ผู้บริหารระดับสูง", "ผู้ทำงานด้านบริการ", "ผู้ปฏิบัติงานด้านเทคโนโลยี", "ผู้ทำงานด้านนโยบายและวิชาการ"]
AGENCIES = ("กรมหนึ่ง", "กรม สอง/ทดสอบ")
ROUNDS = ("2024-06-30", "2025-06-30")
TABLES = {
    "batches": "batch_id",
    "responses": "batch_id, respondent_id",
    "batch_files": "batch_id",
    "replacements": "batch_id, respondent_id",
    "superseded_responses": "batch_id, respondent_id",
}


def survey(ids, tag: str) -> str:
    return "respondent_id,group,position,DLit100,DG100\n" + "".join(
        f"{p},{GROUPS[i % len(GROUPS)]},{tag},{i % 5},{(i + 2) % 5}\n" for i, p in enumerate(ids)
    )


def put(store: SurveyStore, tmp_path, ids, agency: str, round_date: str, tag: str, **kw):
    path = tmp_path / f"{abs(hash((tuple(ids), agency, round_date, tag)))}.csv"
    path.write_text(survey(ids, tag), encoding="utf-8")
    return store.ingest(path, agency=agency, stage="Developing", round_date=round_date, **kw)


@pytest.fixture
def store(tmp_path):
    """Two agencies x two rounds; in one round a replacement (so store.replacements has rows to archive)."""
    con = db.connect(tmp_path / "store.duckdb")
    s = SurveyStore(con)
    for a, agency in enumerate(AGENCIES):
        for r in ROUNDS:
            put(s, tmp_path, [f"P{a}{i}" for i in range(12)], agency, r, f"first {r}")
    res = put(s, tmp_path, [f"P0{i}" for i in range(3)], AGENCIES[0], ROUNDS[0], "again", on_conflict="replace")
    assert res.replaced == 3
    yield s
    con.close()


def snapshot(con, round_date: str, agency: str | None = None) -> dict[str, pd.DataFrame]:
    """Every row of the round (optionally one agency) in the four archived tables, in a stable order."""
    ids = "SELECT batch_id FROM store.batches WHERE round_date = $r AND ($a::VARCHAR IS NULL OR agency = $a)"
    return {
        t: db.query(
            con, f"SELECT * FROM store.{t} WHERE batch_id IN ({ids}) ORDER BY {order}", {"r": round_date, "a": agency}
        )
        for t, order in TABLES.items()
    }


def count(con, table: str = "responses") -> int:
    return db.scalar(con, f"SELECT count(*) FROM store.{table}")


def test_round_trip_archive_drop_restore_is_identical(store, tmp_path):
    con, out = store.con, tmp_path / "arch"
    before, other = snapshot(con, ROUNDS[0]), snapshot(con, ROUNDS[1])
    assert len(before["replacements"]) == 3 and len(before["batch_files"]) == 3
    assert len(before["superseded_responses"]) == 3
    manifests = archive.archive_round(con, out, ROUNDS[0], drop=True)
    assert {m["agency_slug"] for m in manifests} == {archive.slug(a) for a in AGENCIES}
    for m in manifests:  # the documented layout, with the manifest's counts and checksums
        part = out / f"round={ROUNDS[0]}" / f"agency_slug={m['agency_slug']}"
        assert sorted(p.name for p in part.iterdir()) == sorted([*(f"{t}.parquet" for t in TABLES), "manifest.json"])
        assert json.loads((part / "manifest.json").read_text(encoding="utf-8"))["files"]["responses.parquet"][
            "sha256"
        ] == archive.sha256(part / "responses.parquet")
    assert all(df.empty for df in snapshot(con, ROUNDS[0]).values())  # dropped, every table
    assert all(snapshot(con, ROUNDS[1])[t].equals(other[t]) for t in TABLES)  # the other round untouched
    restored = archive.restore_archive(con, out)
    assert sum(m["files"]["responses.parquet"]["rows"] for m in restored) == len(before["responses"])
    after = snapshot(con, ROUNDS[0])
    for t in TABLES:
        pd.testing.assert_frame_equal(after[t], before[t], check_dtype=True)


def test_one_agency_only(store, tmp_path):
    con = store.con
    keep = snapshot(con, ROUNDS[0], AGENCIES[0])
    (m,) = archive.archive_round(con, tmp_path / "arch", ROUNDS[0], agency=AGENCIES[1], drop=True)
    assert m["agencies"] == [AGENCIES[1]] and m["files"]["responses.parquet"]["rows"] == 12
    assert snapshot(con, ROUNDS[0], AGENCIES[1])["responses"].empty
    assert snapshot(con, ROUNDS[0], AGENCIES[0])["responses"].equals(keep["responses"])


def test_without_drop_the_store_is_unchanged_and_an_archive_is_never_overwritten(store, tmp_path):
    n = count(store.con)
    archive.archive_round(store.con, tmp_path / "arch", ROUNDS[1])
    assert count(store.con) == n
    with pytest.raises(archive.ArchiveError, match="already holds an archive"):
        archive.archive_round(store.con, tmp_path / "arch", ROUNDS[1], drop=True)
    assert count(store.con) == n


@pytest.mark.parametrize("breaks", ["unwritable", "verify", "disk"])
def test_a_failed_write_drops_nothing_and_leaves_no_partial_files(store, tmp_path, monkeypatch, breaks):
    con, n = store.con, count(store.con)
    out = tmp_path / "arch"
    if breaks == "unwritable":  # a regular file where the directory should be (fails even for root)
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "arch"
    elif breaks == "verify":  # the re-read file does not match the store
        monkeypatch.setattr(archive, "_fingerprint", lambda cur, sql: "not the file's")
    else:  # the disk fails while writing

        def full(path):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(archive, "sha256", full)
    with pytest.raises(archive.ArchiveError) as err:
        archive.archive_round(con, out, ROUNDS[0], drop=True)
    assert err.value.th and err.value.en and "nothing was" in err.value.en
    assert count(con) == n and count(con, "batches") == 5
    if breaks != "unwritable":
        assert list(out.iterdir()) == []  # the staging directory went away, no part was moved into place


def test_a_tampered_file_is_refused_on_restore(store, tmp_path):
    con, out = store.con, tmp_path / "arch"
    (m, _) = archive.archive_round(con, out, ROUNDS[0], drop=True)
    path = out / f"round={ROUNDS[0]}" / f"agency_slug={m['agency_slug']}" / "responses.parquet"
    table = pq.read_table(path)
    levels = table.column("DLit100").to_pylist()
    levels[0] = 4 if levels[0] != 4 else 3  # one level changed, same schema and row count
    pq.write_table(
        table.set_column(table.schema.get_field_index("DLit100"), "DLit100", pa.array(levels, type=pa.uint8())), path
    )
    with pytest.raises(archive.ArchiveError, match="sha256"):
        archive.restore_archive(con, out)
    assert snapshot(con, ROUNDS[0])["batches"].empty  # nothing restored, not even the untouched part


def test_restore_refuses_people_already_in_the_round(store, tmp_path):
    con, out = store.con, tmp_path / "arch"
    archive.archive_round(con, out, ROUNDS[0], agency=AGENCIES[1], drop=True)
    put(store, tmp_path, ["P10", "P11", "NEW"], AGENCIES[1], ROUNDS[0], "later")  # two of the same people
    n = count(con)
    with pytest.raises(RoundConflict) as err:
        archive.restore_archive(con, out)
    assert err.value.ids == ["P10", "P11"]
    assert count(con) == n
    # the same people in ANOTHER round do not clash: the rule is once per round
    archive.archive_round(con, tmp_path / "arch2", ROUNDS[1], agency=AGENCIES[1], drop=True)
    assert archive.restore_archive(con, tmp_path / "arch2")[0]["files"]["responses.parquet"]["rows"] == 12


def test_history_is_queryable_without_restoring(store, tmp_path):
    con, out = store.con, tmp_path / "arch"
    want = db.query(
        con,
        """SELECT b.round_date, count(*) AS n, avg(r.DLit100) AS mean FROM store.responses r
                            JOIN store.batches b USING (batch_id) GROUP BY 1 ORDER BY 1""",
    )
    for r in ROUNDS:
        archive.archive_round(con, out, r, drop=True)
    assert count(con) == 0
    rel = archive.history(con, out, "responses")
    assert {"round", "agency_slug", "respondent_id", "DLit100"} <= set(rel.columns)
    assert archive.attach_history(con, out) == ["archived_batches", "archived_responses", "archived_round_responses"]
    got = db.query(
        con,
        """SELECT round_date, count(*) AS n, avg(DLit100) AS mean FROM archived_round_responses
                           GROUP BY 1 ORDER BY 1""",
    )
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    with pytest.raises(archive.ArchiveError):
        archive.history(con, tmp_path / "nothing here")


def test_slugs_are_path_safe_and_distinct():
    names = ["กรม/หนึ่ง", "กรม_หนึ่ง", "กรม หนึ่ง", "a=b", "..", " "]
    slugs = [archive.slug(n) for n in names]
    assert len(set(slugs)) == len(slugs)
    assert all("/" not in s and "=" not in s and " " not in s and s not in ("", ".", "..") for s in slugs)
    assert archive.slug(None) == archive.slug("") == "_none"


def test_store_file_after_drop_and_after_compact(tmp_path, capsys):
    """DuckDB keeps a file's size after DELETE + CHECKPOINT (it reuses the blocks); compact gives them back."""
    path = tmp_path / "big.duckdb"
    con = db.connect(path)
    s = SurveyStore(con)
    for r in ROUNDS:
        put(s, tmp_path, [f"P{i}" for i in range(5)], AGENCIES[0], r, f"seed {r}")
    units = ", ".join(f"(hash(i, {j}) % 5)::UTINYINT" for j in range(len(s.unit_codes)))
    for bid, r in db.query(con, "SELECT batch_id, round_date::VARCHAR AS r FROM store.batches").itertuples(index=False):
        db.execute(
            con,
            f"INSERT INTO store.responses SELECT $b, 'X' || i, 'Executive', NULL, 'u', NULL, {units} "
            "FROM range($n) t(i)",
            {"b": bid, "n": 200000 if r == ROUNDS[0] else 5000},
        )
    db.execute(con, "CHECKPOINT store")
    full = path.stat().st_size
    archive.archive_round(con, tmp_path / "arch", ROUNDS[0], drop=True)  # drop ends with CHECKPOINT store
    dropped = path.stat().st_size
    fresh = archive.compact(con, path)
    con.close()
    fresh.replace(path)
    compacted = path.stat().st_size
    with capsys.disabled():
        print(
            f"\nstore file: {full / 1e6:.2f} MB full, {dropped / 1e6:.2f} MB after archive --drop + CHECKPOINT, "
            f"{compacted / 1e6:.2f} MB after compact"
        )
    assert compacted < 0.5 * full  # the archived round held 98% of the rows
    con = db.connect(path, read_only=True)
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 5005
    assert (
        db.scalar(
            con,
            "SELECT count(*) FROM duckdb_constraints() WHERE database_name = 'store' "
            "AND table_name = 'batches' AND constraint_type = 'PRIMARY KEY'",
        )
        == 1
    )
    con.close()


# --- issue 20 point 9: superseded answers archived and restored; the manifest checked against the files -------
def test_superseded_answers_travel_with_the_round(store, tmp_path):
    con, out = store.con, tmp_path / "arch"
    before = snapshot(con, ROUNDS[0])
    archive.archive_round(con, out, ROUNDS[0], drop=True)
    assert count(con, "superseded_responses") == 0 and count(con, "replacements") == 0  # dropped with the round
    other = db.connect(tmp_path / "other.duckdb")  # a new store: everything must come from the archive
    try:
        s2 = SurveyStore(other)
        archive.restore_archive(other, out)
        after = snapshot(other, ROUNDS[0])
        for t in TABLES:
            pd.testing.assert_frame_equal(after[t], before[t], check_dtype=True)
        # The restored records work: deleting the correcting upload brings the replaced answers back live.
        again = db.scalar(other, "SELECT DISTINCT replaced_by FROM store.replacements")
        first = db.scalar(other, "SELECT DISTINCT batch_id FROM store.superseded_responses")
        assert s2.delete(again)
        assert db.scalar(other, "SELECT count(*) FROM store.responses WHERE batch_id = $b", {"b": first}) == 12
        from framework.store import aggregates

        assert aggregates.fresh(other)
    finally:
        other.close()


def _part(out):
    """The part holding the round's superseded answers."""
    (part,) = [
        p.parent
        for p in out.glob("round=*/agency_slug=*/manifest.json")
        if json.loads(p.read_text(encoding="utf-8"))["files"]["superseded_responses.parquet"]["rows"]
    ]
    return part


EDITS = {
    "rows": lambda m: m["files"]["responses.parquet"].update(rows=m["files"]["responses.parquet"]["rows"] - 1),
    "per_batch": lambda m: m["files"]["superseded_responses.parquet"].update(per_batch={}),
    "batches": lambda m: m.update(batches=m["batches"][1:]),
    "round": lambda m: m.update(round=ROUNDS[1]),
    "agencies": lambda m: m.update(agencies=["กรมอื่น"]),
    "sha256": lambda m: m["files"]["replacements.parquet"].update(sha256="0" * 64),
}


@pytest.mark.parametrize("redigest", [False, True], ids=["as-edited", "digest-recomputed"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_hand_edited_manifest_is_refused(store, tmp_path, edit, redigest):
    con, out = store.con, tmp_path / "arch"
    archive.archive_round(con, out, ROUNDS[0], drop=True)
    path = _part(out) / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    EDITS[edit](m)
    if redigest:  # someone who knows how the digest is made
        m["manifest_sha256"] = archive.manifest_digest(m)
    path.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    n = count(con)
    with pytest.raises(archive.ArchiveError) as err:
        archive.restore_archive(con, out)
    assert "nothing was restored" in err.value.en and "ไม่ได้กู้คืนข้อมูลใด" in err.value.th
    assert count(con) == n and count(con, "superseded_responses") == 0 and snapshot(con, ROUNDS[0])["batches"].empty


def test_a_changed_file_with_its_checksums_edited_is_refused(store, tmp_path):
    """A level changed in responses.parquet, and the manifest's sha256, bytes and digest made to fit."""
    con, out = store.con, tmp_path / "arch"
    archive.archive_round(con, out, ROUNDS[0], drop=True)
    part = _part(out)
    path = part / "responses.parquet"
    table = pq.read_table(path)
    levels = table.column("DLit100").to_pylist()
    levels[0] = 4 if levels[0] != 4 else 3
    pq.write_table(
        table.set_column(table.schema.get_field_index("DLit100"), "DLit100", pa.array(levels, type=pa.uint8())), path
    )
    m = json.loads((part / "manifest.json").read_text(encoding="utf-8"))
    m["files"]["responses.parquet"].update(sha256=archive.sha256(path), bytes=path.stat().st_size)
    m["manifest_sha256"] = archive.manifest_digest(m)
    (part / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(archive.ArchiveError, match="fingerprint"):
        archive.restore_archive(con, out)
    assert snapshot(con, ROUNDS[0])["batches"].empty


def test_an_archive_of_version_1_still_restores(store, tmp_path):
    """Written before superseded answers were archived: no file for them, no manifest digest."""
    con, out = store.con, tmp_path / "arch"
    before = snapshot(con, ROUNDS[0])
    archive.archive_round(con, out, ROUNDS[0], drop=True)
    for mf in out.glob("round=*/agency_slug=*/manifest.json"):
        m = json.loads(mf.read_text(encoding="utf-8"))
        m["archive_version"] = 1
        del m["manifest_sha256"], m["files"]["superseded_responses.parquet"]
        (mf.parent / "superseded_responses.parquet").unlink()
        mf.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    archive.restore_archive(con, out)
    after = snapshot(con, ROUNDS[0])
    for t in ("batches", "responses", "batch_files", "replacements"):
        pd.testing.assert_frame_equal(after[t], before[t], check_dtype=True)
