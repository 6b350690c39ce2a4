"""The self-assessment form's server cost (issue 22, point 3): CPU per /assess rerun and per submission.

Run:  .venv/bin/python bench/bench_form.py [--answers 12] [--sessions 3] [--submissions 30] [--profile]
      [--threads 20,50,100] [--total 300] [--part page,submit,concurrent]
      (`make bench` passes --rows: ignored here)

On a private copy of the demo store, with one campaign of the demo's first agency (Developing, 2025-06-30):
- page: /assess?c=CODE through streamlit.testing.v1.AppTest (the script runs in this process, so
  time.process_time counts the page's CPU, every thread of it; made server-like: the script compiled once per
  process, and an answer inside a fragment reruns that fragment alone, as the browser asks): the first load of
  a new session (the process's very first one apart: it opens the store and fills the caches), then typing the
  id (open link; its box's own fragment when the page has one), the staff group (the form's fragment), the id
  again once the units show, then one answer after another (a radio set, the rerun it triggers). "per answer" is the CPU of all the answers' reruns, plus any draft
  writes still pending after them (flushed and counted), divided by the answers; the median rerun is shown too.
  Done for the open link and a personal link (whose answers are kept as a server-side draft).
- submit: one submission after another, in this process, through the entry point the page calls
  (campaign.submit), CPU each; --profile prints cProfile's top entries.
- concurrent: N threads (20/50/100) each submitting as another person through the same entry point until
  --total submissions are stored: submissions per second (wall clock, so only comparable within a run on a busy
  machine), CPU per submission, and the exact-count checks (each person once, every submitter's own result).
The rate limits are raised for the benchmark (their defaults allow 30 a minute per campaign code).
The machine's load average is printed: on a shared machine the figures are comparable only within a run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # fragment_run: a fragment's rerun through AppTest

AGENCY = "กรมตัวอย่างดิจิทัล (DEMO ข้อมูลสาธิต)"
STAGE, ROUND = "Developing", "2025-06-30"
GROUP = "Service"


def cpu() -> float:
    return time.process_time()


def server_like() -> None:
    """AppTest compiles the script anew on every run (a new ScriptCache each time); the server compiles each
    script once per process (Runtime's one ScriptCache). One cache for every run, as on the server."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def _type_id(at, m: dict, value: str, into: str) -> None:
    """Type `value` in the id box and time its fragment's rerun into m[into]."""
    at.text_input(key="as_id").input(value)
    t0 = cpu()
    part_run(at, 1)
    m[into].append(cpu() - t0)


def part_run(at, part: int):
    """The rerun the browser asks for after a change in the form's fragment (part 0) or its id box (part 1), when
    the page has them (form and id box, then the answers: two or three fragments), else of the whole page. The tree AppTest keeps
    is then that fragment's alone: `at.run()` (not measured) draws the page again before the next step."""
    from fragment_run import fragment_ids, run_fragment

    ids = fragment_ids(at)
    return run_fragment(at, ids[part]) if len(ids) >= 2 else at.run()


def answer_run(at):
    """The rerun the browser asks for after an answer: of the answers' fragment when the page has one (only
    that part reruns: tests/fragment_run.py), else of the whole page."""
    from fragment_run import fragment_ids, run_fragment

    return run_fragment(at) if fragment_ids(at) else at.run()


class ScriptClock:
    """The CPU of the page script's own thread (Streamlit's ScriptRunner._run_script_thread: the script, its
    widgets' state and the deltas it sends), apart from AppTest's parsing of those deltas in the test thread;
    optionally a cProfile of that thread (cProfile sees only the thread that enabled it)."""

    def __init__(self):
        from streamlit.runtime.scriptrunner import script_runner

        self.spent, self.profiles, self.profiling = 0.0, [], False
        original = script_runner.ScriptRunner._run_script_thread
        clock = self

        def timed(runner):
            prof = cProfile.Profile() if clock.profiling else None
            t0 = time.thread_time()
            if prof:
                prof.enable()
            try:
                return original(runner)
            finally:
                if prof:
                    prof.disable()
                    clock.profiles.append(prof)
                clock.spent += time.thread_time() - t0

        script_runner.ScriptRunner._run_script_thread = timed

    def take(self) -> float:
        spent, self.spent = self.spent, 0.0
        return spent


def ms(x: float) -> str:
    return f"{x * 1000:7.1f} ms"


def build_store(folder: Path) -> Path:
    from framework import db
    from framework.store import SurveyStore

    path = folder / "demo.duckdb"
    con = db.connect(path)
    SurveyStore(con).ensure_demo()
    con.close()
    return path


def big_limits():
    from framework import campaign

    return campaign.Limits(
        per_code=campaign.RateLimiter(1_000_000),
        per_person=campaign.RateLimiter(1_000_000),
        per_client=campaign.RateLimiter(1_000_000),
    )


def flush_drafts() -> None:
    """Drafts still waiting to be written (when the form writes them later, off the answer's rerun)."""
    from framework.campaign import submit as sub

    flush = getattr(sub, "flush_drafts", None)
    if flush is not None:
        flush()


# --- page ----------------------------------------------------------------------------------------------------
def _campaign_with_links(store: Path, n: int):
    from framework import campaign, db
    from framework.campaign import links
    from framework.catalog import Catalog

    os.environ["SKILLS_DB"] = str(store)
    con = db.connect(store)
    c = campaign.open_campaign(con, Catalog(con), agency=AGENCY, stage=STAGE, round_date=ROUND)
    tokens = [t for _, t in links.issue(con, c, [f"link{i:03d}" for i in range(n)])]
    con.close()
    return c, tokens


def _session(query: dict):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/assess.py")
    for k, v in query.items():
        at.query_params[k] = v
    return at


def page_part(store: Path, answers: int, sessions: int, clock: ScriptClock) -> None:
    from framework.campaign import submit as sub

    sub.LIMITS = big_limits()
    c, tokens = _campaign_with_links(store, sessions)
    at = _session({"c": c.code})
    t0 = cpu()
    at.run()
    print(f"  first load, cold process (store opened, caches filled): {ms(cpu() - t0)} ({ms(clock.take())} script)")
    print("  (process = all CPU of this process, AppTest's parsing of the page included; script = the script thread)")
    for kind in ("open", "personal", "all units"):  # all units: the open link with "also rate the other units"
        m = {k: [] for k in ("load", "load_s", "id", "group", "id_after", "answer", "answer_s", "median", "median_s")}
        for s in range(sessions):
            at = _session({"t": tokens[s]} if kind == "personal" else {"c": c.code})
            clock.take()
            t0 = cpu()
            at.run()
            m["load"].append(cpu() - t0)
            m["load_s"].append(clock.take())
            assert not at.exception, at.exception
            if kind != "personal":
                _type_id(at, m, f"bench{s:04d}", "id")
                at.run()
            t0 = cpu()
            at.selectbox(key="as_group").select(GROUP)
            part_run(at, 0)
            m["group"].append(cpu() - t0)
            if kind != "personal":
                _type_id(at, m, f"bench{s:04d}b", "id_after")
            at.run()
            if kind == "all units":
                at.toggle(key="as_all").set_value(True).run()
            radios = [r.key for r in at.radio if r.key and r.key.startswith("as_u_")]
            n = min(answers, len(radios))
            each, each_s = [], []
            clock.take()
            t_all = cpu()
            for i in range(n):
                r = at.radio(key=radios[i])
                t0 = cpu()
                r.set_value(r.options[(i + s) % 5])
                answer_run(at)
                each.append(cpu() - t0)
                each_s.append(clock.take())
                assert not at.exception, at.exception
            flush_drafts()
            m["answer"].append((cpu() - t_all) / n)
            m["answer_s"].append((sum(each_s) + clock.take()) / n)
            m["median"].append(statistics.median(each))
            m["median_s"].append(statistics.median(each_s))
        med = {k: statistics.median(v) if v else float("nan") for k, v in m.items()}
        typed = "" if kind == "personal" else f"type the id {ms(med['id'])} (after the group {ms(med['id_after'])}); "
        print(
            f"  {kind:9s}: {len(radios)} units, medians of {sessions} sessions: first load {ms(med['load'])} ({ms(med['load_s'])} "
            f"script); {typed}staff group {ms(med['group'])} (first session {ms(m['group'][0])}); per answer {ms(med['answer'])} ({ms(med['answer_s'])} "
            f"script; all {answers} reruns + draft writes / answers), median answer rerun {ms(med['median'])} "
            f"({ms(med['median_s'])} script), worst session {ms(max(m['answer']))}"
        )


def profile_answers(store: Path, answers: int, clock: ScriptClock) -> None:
    """cProfile of the script thread during the answer reruns of one personal-link session (drafts included)."""
    _, tokens = _campaign_with_links(store, 1)
    at = _session({"t": tokens[0]})
    at.run()
    at.selectbox(key="as_group").select(GROUP).run()
    radios = [r.key for r in at.radio if r.key and r.key.startswith("as_u_")][:answers]
    clock.profiling, clock.profiles = True, []
    for i, key in enumerate(radios):
        r = at.radio(key=key)
        r.set_value(r.options[i % 5])
        answer_run(at)
    clock.profiling = False
    prof = cProfile.Profile()
    prof.enable()
    flush_drafts()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(*clock.profiles, prof, stream=out).sort_stats("cumulative").print_stats(30)
    print(f"  cProfile of the script thread over {len(radios)} answers (cumulative):")
    print("\n".join("    " + ln for ln in out.getvalue().splitlines()[:60]))


# --- submissions ---------------------------------------------------------------------------------------------
_REQUIRED: dict = {}


def _answers(cat, group: str, level: int) -> dict:
    """A form's answers (the units the profile requires, read once: the benchmark's own work is not measured)."""
    if group not in _REQUIRED:
        _REQUIRED[group] = cat.profile_units(STAGE, group)["code"].tolist()
    return dict.fromkeys(_REQUIRED[group], level)


def submit_part(store: Path, n: int, profile: bool) -> None:
    from framework import campaign, db
    from framework.catalog import Catalog

    con = db.connect(store)
    cat = Catalog(con)
    c = campaign.open_campaign(con, cat, agency=AGENCY, stage=STAGE, round_date=ROUND)
    limits = big_limits()
    campaign.submit(con, cat, c, "warm-up", GROUP, None, _answers(cat, GROUP, 2), limits=limits)
    spent = []
    prof = cProfile.Profile() if profile else None
    for i in range(n):
        t0 = cpu()
        if prof:
            prof.enable()
        campaign.submit(con, cat, c, f"solo{i:05d}", GROUP, None, _answers(cat, GROUP, i % 5), limits=limits)
        if prof:
            prof.disable()
        spent.append(cpu() - t0)
    print(f"  one at a time: CPU per submission median {ms(statistics.median(spent))}, max {ms(max(spent))} ({n})")
    if prof:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
        print("\n".join("    " + ln for ln in out.getvalue().splitlines()[:50]))
    con.close()


def _run_submitters(con, cat, c, k: int, total: int) -> tuple[dict, list, float, float]:
    """k threads submitting `total` people (each once) through campaign.submit: (results, errors, wall, CPU)."""
    from framework import campaign

    groups = ["Service", "Academic", "Executive", "Management", "Technologist", "Others"]
    limits = big_limits()
    jobs = list(range(total))
    lock, results, errors = threading.Lock(), {}, []
    start = threading.Barrier(k + 1)

    def worker(w: int) -> None:
        start.wait()
        while True:
            with lock:
                if not jobs:
                    return
                i = jobs.pop()
            rid, g = f"{c.code}-{i:05d}", groups[i % len(groups)]
            try:
                results[i] = campaign.submit(
                    con, cat, c, rid, g, None, _answers(cat, g, i % 5), client=f"w{w}", limits=limits
                )
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(repr(exc))

    pool = [threading.Thread(target=worker, args=(w,)) for w in range(k)]
    for t in pool:
        t.start()
    start.wait()
    t0, c0 = time.perf_counter(), cpu()
    for t in pool:
        t.join()
    return results, errors, time.perf_counter() - t0, cpu() - c0


def concurrent_part(store: Path, threads: list[int], total: int) -> None:
    from framework import campaign, db
    from framework.catalog import Catalog

    try:
        from framework.campaign.commit import committer  # the group commit (absent before issue 22)
    except ImportError:
        committer = None
    con = db.connect(store)
    cat = Catalog(con)
    for k in threads:
        c = campaign.open_campaign(con, cat, agency=AGENCY, stage=STAGE, round_date=ROUND)
        before = len(committer(con).groups) if committer else 0
        results, errors, wall, spent = _run_submitters(con, cat, c, k, total)
        where = {"h": "campaign:" + c.code}
        sql = "FROM store.responses r JOIN store.batches b USING (batch_id) WHERE b.content_hash = $h"
        rows = db.scalar(con, "SELECT count(*) " + sql, where)
        people = db.scalar(con, "SELECT count(DISTINCT respondent_id) " + sql, where)
        own = all(results[i].respondent_id == f"{c.code}-{i:05d}" for i in results)
        sizes = committer(con).groups[before:] if committer else []
        grouped = f", groups of median {statistics.median(sizes):.0f} (max {max(sizes)})" if sizes else ""
        print(
            f"  {k:3d} submitters: {total / wall:6.1f} submissions/s ({total} in {wall:5.1f} s wall), "
            f"CPU per submission {ms(spent / total)} (so about {total / spent:.0f}/s per free core){grouped}; "
            f"stored {rows} rows / {people} people, {len(results)} told stored, {len(errors)} errors, "
            f"own results {'yes' if own else 'NO'}"
        )
        if errors:
            print("    first error:", errors[0][:300])
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answers", type=int, default=12)
    ap.add_argument("--sessions", type=int, default=3)
    ap.add_argument("--submissions", type=int, default=30)
    ap.add_argument("--threads", default="20,50,100")
    ap.add_argument("--total", type=int, default=300)
    ap.add_argument("--part", default="page,submit,concurrent")
    ap.add_argument("--profile", action="store_true")
    args, _ = ap.parse_known_args()  # bench/run.py passes every script --rows
    parts = set(args.part.split(","))
    os.environ["SKILLS_DEMO"] = "0"
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-form-") as tmp:
        template = build_store(Path(tmp))

        def copy(name: str) -> Path:
            return Path(shutil.copyfile(template, Path(tmp) / name))

        if "page" in parts:
            print("/assess (AppTest in this process):")
            server_like()
            clock = ScriptClock()
            page_part(copy("page.duckdb"), args.answers, args.sessions, clock)
            if args.profile:
                profile_answers(copy("profile.duckdb"), args.answers, clock)
        if "submit" in parts:
            print("submissions, in-process (campaign.submit):")
            submit_part(copy("submit.duckdb"), args.submissions, args.profile)
        if "concurrent" in parts:
            print("submissions from many threads at once (campaign.submit):")
            concurrent_part(copy("concurrent.duckdb"), [int(x) for x in args.threads.split(",")], args.total)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
