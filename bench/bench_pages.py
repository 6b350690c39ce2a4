"""Server CPU of one page load: the first load (cold caches) and a warm load (a new session, same filters).

Run:  .venv/bin/python bench/bench_pages.py [--rows 100000] [--store FILE | --stores DIR] [--repeat 3] [--profile PAGE]

The store is generated like bench_analysis.py's (8 batches, 300 org units, random levels), or --store reuses a
file made before (`bench_analysis.py --child generate FILE N`). In a fresh process, for each page (overview,
home, coverage, readiness): one AppTest run in a new session with every Streamlit cache empty (cold), then
--repeat new sessions with the same filters (warm: what each of 20 executives opening the page at once costs;
the median). CPU time (time.process_time) of this process, so a busy machine does not inflate it.
Target (issue 22): an /overview warm load <= 0.15 s of CPU.
--profile PAGE prints the top functions (cProfile, cumulative) of that page's cold and warm loads.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_analysis import parse_rows

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# page label -> (script, session state seeded)
PAGES = {
    "overview": ("pages/overview.py", {}),
    "home": ("app.py", {}),
    "coverage": ("pages/coverage.py", {"cov_stage": "Developing"}),
    "readiness": ("pages/readiness.py", {}),
}
TARGET_WARM = 0.15


_SHARED: dict = {}  # AppTest internals shared by every run (see _load)
_PROFILE: list = []  # the profiler the script thread enables while a page runs (see _profile_script_thread)


def _load(script: str, state: dict):
    """A new session on `script`. AppTest scans every installed package for components and compiles the page
    on each new session, which a served app does once: both are reused (_SHARED, _share_script_cache), so they
    are not counted as the page's cost."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at._bidi_component_manager = _SHARED.get("components")
    if script != "app.py":
        at.switch_page(script)
    for k, v in state.items():
        at.session_state[k] = v
    return at


def _share_script_cache() -> None:
    """A served app compiles each page once (one ScriptCache per runtime); AppTest makes a new one per run."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def _profile_script_thread() -> None:
    """cProfile sees only the thread that enables it: the page runs in the script runner's thread."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def run_script(self, rerun_data):
        if not _PROFILE:
            return original(self, rerun_data)
        _PROFILE[0].enable()
        try:
            return original(self, rerun_data)
        finally:
            _PROFILE[0].disable()

    script_runner.ScriptRunner._run_script = run_script


def _cpu(script: str, state: dict, prof: cProfile.Profile | None = None) -> float:
    """CPU seconds of one AppTest run of `script` in a new session (the switch_page set-up not counted)."""
    at = _load(script, state)
    _PROFILE[:] = [prof] if prof else []
    t = time.process_time()
    at.run()
    cpu = time.process_time() - t
    _PROFILE.clear()
    assert not at.exception, [e.value for e in at.exception]
    return cpu


def _clear() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _top(prof: cProfile.Profile, n: int = 40) -> str:
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(n)
    return out.getvalue()


def serve(store: Path, repeat: int, profile: str | None) -> dict:
    os.environ["SKILLS_DB"] = str(store)
    os.environ.setdefault("SKILLS_DEMO", "0")
    _profile_script_thread()
    _share_script_cache()
    first = _load("app.py", {}).run()  # imports (streamlit, plotly, pandas) are not any page's cost
    from framework import thai_text

    thai_text.pieces("ความพร้อมด้านดิจิทัล")  # nor the Thai word list, loaded once per process
    _SHARED["components"] = first._bidi_component_manager
    out = {}
    for label, (script, state) in PAGES.items():
        _clear()
        cold_prof = cProfile.Profile() if profile == label else None
        cold = _cpu(script, state, cold_prof)
        warm_prof = cProfile.Profile() if profile == label else None
        warm = statistics.median(_cpu(script, state, warm_prof) for _ in range(repeat))
        out[label] = {"cold": cold, "warm": warm}
        if cold_prof:
            out[label]["profile"] = "COLD\n" + _top(cold_prof) + "\nWARM (all repeats)\n" + _top(warm_prof)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", default="100000", help="respondents of the generated store(s), comma-separated")
    ap.add_argument("--store", type=Path, help="reuse this store file instead of generating one")
    ap.add_argument(
        "--stores", type=Path, help="keep / reuse generated stores here (store-N.duckdb, as bench_analysis)"
    )
    ap.add_argument("--repeat", type=int, default=3, help="warm loads: median of this many new sessions")
    ap.add_argument("--profile", choices=sorted(PAGES), help="print this page's cProfile (cold and warm)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args, _ = ap.parse_known_args()  # bench/run.py passes the same arguments to every bench script
    if args.child:
        print(json.dumps(serve(Path(args.child), args.repeat, args.profile)))
        return 0
    if args.store:
        report(args.store.name, measure(args.store, args))
        return 0
    for n in parse_rows(args.rows):
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
            store = (args.stores / f"store-{n}.duckdb") if args.stores else Path(tmp) / "store.duckdb"
            if not store.exists():  # --stores: bench_analysis.py's stores of an earlier run are reused
                part = store.with_name(store.name + ".part")
                part.unlink(missing_ok=True)
                subprocess.run(
                    [sys.executable, str(ROOT / "bench" / "bench_analysis.py"), "--child", "generate", part, str(n)],
                    check=True,
                    capture_output=True,
                    cwd=ROOT,
                )
                part.replace(store)
            report(f"{n:,} respondents", measure(store, args))
    return 0


def measure(store: Path, args) -> dict:
    """The page loads of `store`, measured in a fresh process."""
    cmd = [sys.executable, __file__, "--child", str(store), "--repeat", str(args.repeat)]
    if args.profile:
        cmd += ["--profile", args.profile]
    res = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=ROOT)
    if res.returncode:
        raise SystemExit(f"page benchmark failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def report(what: str, out: dict) -> None:
    print(f"server CPU per page load (s), {what}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'page':12s}{'cold':>10s}{'warm':>10s}")
    for label, r in out.items():
        flag = ("  ok" if r["warm"] <= TARGET_WARM else "  MISSED") if label == "overview" else ""
        print(f"{label:12s}{r['cold']:10.3f}{r['warm']:10.3f}{flag}")
    for label, r in out.items():
        if "profile" in r:
            print(f"\n--- {label} ---\n{r['profile']}")


if __name__ == "__main__":
    sys.exit(main())
