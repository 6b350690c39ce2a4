"""The load run: N real Streamlit sessions over Streamlit's own websocket protocol, on loopback, bounded.

Run:  .venv/bin/python -m bench.load [--staff 10] [--executives 3] [--staff-seconds 45] [--pace 5]
                                     [--store embedded|pg|postgresql://...] [--db-pid PID] [--processes 1,2]
                                     [--deadline 400]
      (`make bench-load`, also part of `make bench`, runs the small defaults in about 3 minutes; the issue's
      sizes: `--staff 100 --executives 20 --staff-seconds 300`.)

For each configuration (1 app process; 2 only when the store is a URL: two processes cannot share the embedded
DuckDB file, which one process holds open for writing):
1. a store: embedded = a fresh temporary file (the app loads the demo survey into it on its first session);
   a URL = that database as it is (a campaign, submissions and one upload are added to it);
   a campaign opened with the CLI (`framework campaign open`) for the staff sessions' /assess?c=CODE;
2. the app processes (`streamlit run app.py` on free 127.0.0.1 ports, each its own process group, killed at the
   end whatever happens), with the app's own submission limits (`--campaign-rate` sets SKILLS_CAMPAIGN_RATE
   for a run; each session sends its own X-Forwarded-For address, as a proxy on this machine would, so the
   per-device limit stays as configured);
3. warm-up: /overview opened once per process (reported: the first open after a start, cold caches);
4. alone: one session answers the whole form, submits and starts over, then /overview three times (the first
   reads the new data version the submit made, the next two are warm): the server CPU per action with nothing
   else running (one more tab open, idle); then the executives open /overview all at once, nobody else on the app;
5. the staff sessions open /assess (spread over `--pace` seconds); then each gives 0-15 answers at once, not
   measured (`--no-prefill`: none), so that each starts the run at a different point of the form and the
   submissions come as a steady stream; they sit idle: memory per idle session = (RSS of the app processes with
   them - RSS before) / N;
6. the run: the staff answer at human pace (one answer every `--pace` s, +-30%), submit and start over, for
   `--staff-seconds` (longer if the executives or the upload are still going); at 30% of it the executives open
   /overview all at once again, now among the staff; when they are done, HR uploads a survey file through
   /upload (the upload widget's own HTTP PUT, then the import button). Sessions go to the processes round
   robin (sticky sessions, as a proxy with session affinity would do).
Every socket is closed and every server killed at the end, at the `--deadline` (whole run), on an error, on
Ctrl-C or SIGTERM. The Markdown tables are printed and written to `--out` (default bench/results/load.md).
The machine's load average is written with them: on a shared machine wall times are only comparable within
a run; the server CPU per action is the steadier figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench.load import report, scenarios, servers
from bench.load.protocol import ProtocolError, Session
from bench.load.scenarios import STAFF_ACTIONS, Recorder
from framework import settings

ROOT = servers.ROOT
OUT = ROOT / "bench" / "results" / "load.md"
EXEC_ALONE = "open /overview, nobody else on the app"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    p.add_argument(
        "--store",
        default="embedded",
        help="embedded (a temporary DuckDB file), a database URL, or pg: a private PostgreSQL server started for the "
        "run and stopped at its end (tests/pg_server.py; its CPU is reported)",
    )
    p.add_argument("--processes", default="1,2", help="app process counts to run (2+ only with a URL store)")
    p.add_argument("--staff", type=int, default=10, help="staff sessions answering the form")
    p.add_argument("--executives", type=int, default=3, help="executives opening /overview at once")
    p.add_argument("--staff-seconds", type=float, default=45.0, help="how long the staff answer")
    p.add_argument("--pace", type=float, default=5.0, help="seconds between a person's answers")
    p.add_argument("--no-upload", action="store_true", help="skip the HR upload")
    p.add_argument(
        "--no-prefill", dest="prefill", action="store_false", help="every person starts at the top of the form"
    )
    p.add_argument("--deadline", type=float, default=400.0, help="seconds for the whole run, all configurations")
    p.add_argument("--max-sessions", type=int, default=300, help="refuse to open more sessions than this")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds one request may wait for its run")
    p.add_argument(
        "--campaign-rate", type=int, default=None, help="SKILLS_CAMPAIGN_RATE of the app processes (default: the app's)"
    )
    p.add_argument(
        "--db-pid", type=int, help="the database server's main process (its CPU and its children's reported)"
    )
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    if args.staff + args.executives + 2 > args.max_sessions:
        p.error(f"{args.staff} staff + {args.executives} executives is over --max-sessions {args.max_sessions}")
    if args.staff < 1 or args.executives < 0 or args.pace <= 0 or args.staff_seconds <= 0:
        p.error("--staff >= 1, --executives >= 0, --pace > 0 and --staff-seconds > 0")
    return args


class Marks:
    """Server CPU seconds at named moments, and the CPU of windows between them."""

    def __init__(self, sv: servers.Servers):
        self.sv, self.at = sv, {}

    def mark(self, name: str) -> None:
        self.at[name] = (time.monotonic(), self.sv.cpu())

    def cpu(self, a: str, b: str) -> float:
        return self.at[b][1] - self.at[a][1]

    def secs(self, a: str, b: str) -> float:
        return self.at[b][0] - self.at[a][0]


class Gate:
    """Set once `n` parties have arrived (a party that failed arrives too, so nobody waits for it)."""

    def __init__(self, n: int):
        self.n, self.k, self.event = n, 0, asyncio.Event()

    def arrive(self) -> None:
        self.k += 1
        if self.k >= self.n:
            self.event.set()

    async def wait(self) -> None:
        await self.event.wait()


async def _staff_session(port, code, i, rec, stats, args, until, gates: tuple[Gate, Gate], go: asyncio.Event):
    """One staff member: opens the form (spread over the first `pace` seconds); once all have, gives a random
    number of answers at once (unmeasured: everyone starts the run at a different point of the form); waits
    for `go`, then answers at human pace."""
    rng = random.Random(args.seed * 1000 + i)
    ip = f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"
    s = Session(port, "assess", f"c={code}", forwarded_for=ip, timeout=args.timeout)
    pending = list(gates)

    def arrive() -> None:
        pending.pop(0).arrive()

    async def ready() -> None:
        arrive()
        await go.wait()

    try:
        await asyncio.sleep(rng.uniform(0, args.pace))
        await scenarios.timed(rec, "open /assess", s.open())
        stats["open"] = stats.get("open", 0) + 1
        arrive()
        await gates[0].wait()
        warm = rng.randrange(0, 16) if args.prefill else 0
        await scenarios.staff_forms(
            s, rec, f"LOAD{i:04d}", pace=args.pace, until=until, rng=rng, stats=stats, warm=warm, ready=ready
        )
    except Exception as exc:  # noqa: BLE001 - one person's failure is a figure of the run, not its end
        rec.fail("staff session ended early", f"{type(exc).__name__}: {exc}")
        while pending:
            arrive()
    finally:
        await s.close()


async def _rss(sv: servers.Servers) -> int:
    """The median of 5 readings 0.4 s apart (the allocator gives memory back in steps)."""
    readings = []
    for _ in range(5):
        readings.append(sv.rss())
        await asyncio.sleep(0.4)
    return sorted(readings)[2]


async def load(sv: servers.Servers, code: str, args, result: report.Result) -> None:
    """Steps 3-6 of the module's docstring against running servers; fills `result`."""
    ports, m, rec = sv.ports, Marks(sv), Recorder()
    cold = Recorder()
    cold_cpu = sv.cpu()
    for port in ports:  # 3. warm-up, one process at a time (the first session loads the demo survey)
        await scenarios.open_overview(port, cold, timeout=args.timeout, action="first /overview after start")
    cold_cpu = (sv.cpu() - cold_cpu) / len(ports)
    if cold.failures:
        raise ProtocolError("warm-up: " + next(iter(cold.failures.values()))[0])
    alone = await scenarios.probe(ports[0], code, sv.cpu, timeout=args.timeout)  # 4.
    m.mark("execs_alone")  # the executives' burst with nobody else on the app (the issue's "20 at once")
    await asyncio.gather(
        *(
            scenarios.open_overview(ports[i % len(ports)], rec, timeout=args.timeout, action=EXEC_ALONE)
            for i in range(args.executives)
        )
    )
    m.mark("execs_alone_done")

    stats: dict = {}
    end = [float("inf")]
    gates, go = (Gate(args.staff), Gate(args.staff)), asyncio.Event()
    await asyncio.sleep(1)
    rss0 = await _rss(sv)
    m.mark("open")
    tasks = [
        asyncio.create_task(_staff_session(ports[i % len(ports)], code, i, rec, stats, args, lambda: end[0], gates, go))
        for i in range(args.staff)
    ]
    try:
        await gates[0].wait()  # 5.
        m.mark("opened")
        n_open = stats.get("open", 0)
        cpu_open = m.cpu("open", "opened") / max(1, n_open)
        await gates[1].wait()
        await asyncio.sleep(2)
        rss1 = await _rss(sv)
        result.memory_mb = (rss1 - rss0) / max(1, n_open) / 2**20

        usage0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        db0 = servers.cpu_seconds(args.db_pid, reaped=True) if args.db_pid else 0.0
        end[0] = t0 + args.staff_seconds
        m.mark("start")
        go.set()  # 6.
        await asyncio.sleep(0.3 * args.staff_seconds)
        m.mark("exec")
        await asyncio.gather(
            *(scenarios.open_overview(ports[i % len(ports)], rec, timeout=args.timeout) for i in range(args.executives))
        )
        m.mark("exec_done")
        upload_said = "skipped (--no-upload)"
        if not args.no_upload:
            m.mark("upload")
            try:
                upload_said = await scenarios.hr_upload(ports[0], rec, timeout=args.timeout)
            except ProtocolError as exc:
                upload_said = f"failed: {exc}"
            m.mark("upload_done")
        end[0] = max(end[0], time.monotonic() + 2 * args.pace)  # the staff answer during all of it
        await asyncio.gather(*tasks)
        m.mark("stop")
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    usage1, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - t0
    db_cpu = servers.cpu_seconds(args.db_pid, reaped=True) - db0 if args.db_pid else None

    # CPU of the staff alone = the run less the executives' and the upload's windows; a burst's own CPU is its
    # window less the staff actions that ended in it, each at the staff's CPU per action (an estimate).
    windows = [("exec", "exec_done")] + ([] if args.no_upload else [("upload", "upload_done")])
    busy_cpu = sum(m.cpu(a, b) for a, b in windows)
    busy_secs = sum(m.secs(a, b) for a, b in windows)
    staff_cpu = m.cpu("start", "stop") - busy_cpu
    staff_secs = max(1e-9, m.secs("start", "stop") - busy_secs)
    rate = staff_cpu / staff_secs
    staff_n = rec.count(STAFF_ACTIONS, m.at["start"][0], m.at["stop"][0]) - sum(
        rec.count(STAFF_ACTIONS, m.at[a][0], m.at[b][0]) for a, b in windows
    )

    per_staff_action = staff_cpu / max(1, staff_n)

    def burst(a: str, b: str, n: int) -> float | None:
        """A burst's CPU per action: its window less the staff actions that ended in it (at their CPU each)."""
        own = m.cpu(a, b) - per_staff_action * rec.count(STAFF_ACTIONS, m.at[a][0], m.at[b][0])
        return own / n if n and own > 0 else None  # None: lost in the staff's share (not measurable here)

    def row(action, sessions, cpu_run=None):
        return report.Row(
            action, sessions, rec.times.get(action, []), alone.get(action), cpu_run, len(rec.failures.get(action, []))
        )

    n_staff, n_exec = args.staff, args.executives
    result.rows = [
        report.Row("first /overview after start", len(ports), cold.times["first /overview after start"], cold_cpu),
        row("open /assess", n_staff, cpu_open),
        *(row(a, n_staff) for a in STAFF_ACTIONS),
        report.Row("all staff actions (outside the bursts)", n_staff, [], None, per_staff_action, count=staff_n),
        report.Row(
            EXEC_ALONE,
            n_exec,
            rec.times.get(EXEC_ALONE, []),
            alone.get("open /overview"),
            m.cpu("execs_alone", "execs_alone_done") / max(1, len(rec.times.get(EXEC_ALONE, []))),
            len(rec.failures.get(EXEC_ALONE, [])),
        ),
        row("open /overview", n_exec, burst("exec", "exec_done", len(rec.times.get("open /overview", [])))),
        report.Row(scenarios.OVERVIEW_NEW_DATA, 1, [], alone.get(scenarios.OVERVIEW_NEW_DATA), count=1),
    ]
    if not args.no_upload:
        result.rows += [
            row("HR: send the file", 1),
            row("HR: import the file", 1, burst("upload", "upload_done", 1)),
        ]
    total_cpu = m.cpu("start", "stop")
    client_cpu = (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime)
    submitted = stats.get("submitted", 0)
    result.lines += [
        (
            f"submissions: {submitted} in {wall:.0f} s = {submitted / wall:.2f} per second; refused: "
            f"{stats.get('refused', 0)}"
        ),
        (
            f"the executives opened /overview at {m.secs('start', 'exec'):.0f} s, all {n_exec} done in "
            f"{m.secs('exec', 'exec_done'):.1f} s; HR upload: {upload_said[:160]}"
        ),
        (
            f"app processes: {total_cpu:.1f} CPU s in {wall:.0f} s (= {total_cpu / wall:.2f} cores busy on average); "
            f"the staff alone {rate:.2f} cores; the load client {client_cpu:.1f} CPU s"
        ),
        (
            f"RSS of the app processes: {rss0 / 2**20:.0f} MB before the staff opened /assess, "
            f"{rss1 / 2**20:.0f} MB with {n_open} idle sessions; at the end {sv.rss() / 2**20:.0f} MB"
        ),
    ]
    if db_cpu is not None:
        result.lines.append(
            f"database server (process {args.db_pid} and its children): {db_cpu:.1f} CPU s in the same {wall:.0f} s "
            f"(= {db_cpu / wall:.2f} cores), not counted in the app's CPU columns"
        )
    if staff_n:
        result.lines.append(
            f"at {per_staff_action:.2f} server CPU s per staff action, one fully busy core serves about "
            f"{1 / per_staff_action:.1f} actions a second = {args.pace / per_staff_action:.0f} people answering every "
            f"{args.pace:g} s (one app process runs its Python on about one core at most)"
        )
    if len(ports) > 1:
        result.lines.append(
            "the submission limits (per campaign code, per person, per device) are kept in each process: with "
            f"{len(ports)} processes each allows its own share"
        )
    for action, msgs in rec.failures.items():
        result.lines.append(f"failed: {action}: {len(msgs)} x, e.g. {msgs[0][:200]}")


def configurations(args) -> list[tuple[int, str | None]]:
    """(process count, why it is skipped or None)."""
    out = []
    for n in sorted({int(x) for x in args.processes.split(",") if x.strip()}):
        skip = None
        if n > 1 and args.store == "embedded":
            skip = (
                f"{n} app processes: not run on the embedded store (one DuckDB file is opened for writing by one "
                "process; run with --store pg or --store postgresql://... for this configuration)"
            )
        out.append((n, skip))
    return out


def run_config(n: int, args, deadline: float) -> report.Result:
    """One configuration, from a fresh store (or the URL's) to killed servers."""
    label = "embedded DuckDB" if args.store == "embedded" else "database URL"
    label = "PostgreSQL" if args.store.startswith(("postgresql:", "postgres:")) else label
    result = report.Result(f"{n} app process{'es' if n > 1 else ''}, {label} store")
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        store = str(Path(tmp) / "skills.duckdb") if args.store == "embedded" else args.store
        rate = {} if args.campaign_rate is None else {"SKILLS_CAMPAIGN_RATE": str(args.campaign_rate)}
        env = servers.app_env(store, **rate)
        code = servers.open_campaign(env)
        with servers.Servers(n, env, Path(tmp)) as sv:
            left = deadline - time.monotonic()
            if left <= 10:
                raise TimeoutError("no time left for this configuration")
            try:
                asyncio.run(asyncio.wait_for(load(sv, code, args, result), left))
            except TimeoutError:
                result.complete = False
                result.lines.append(f"STOPPED at the deadline (--deadline {args.deadline:.0f} s): figures incomplete")
            except ProtocolError as exc:
                result.complete = False
                result.lines.append(f"STOPPED: {exc}")
                log = Path(tmp) / "streamlit-0.log"
                tail = log.read_text(encoding="utf-8", errors="replace")[-1500:] if log.exists() else ""
                print(tail, file=sys.stderr)
    result.lines.append(
        f"{campaign_rate_words(args.campaign_rate)}; "
        f"{args.staff} staff, one answer every {args.pace:g} s, {args.staff_seconds:g} s"
    )
    return result


def campaign_rate_words(rate: int | None) -> str:
    """What the run's submission limit per campaign code was, against the app's default."""
    default = settings.default("SKILLS_CAMPAIGN_RATE")
    if rate is None:
        return f"submissions limited as the app does by default (SKILLS_CAMPAIGN_RATE {default} a minute per code)"
    return f"SKILLS_CAMPAIGN_RATE={rate} for the run (default {default} a minute per campaign code)"


def _terminate(signum, frame):
    raise KeyboardInterrupt  # unwinds through every `with Servers`, which kills the app processes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    deadline = time.monotonic() + args.deadline
    load_before = os.getloadavg()
    header = [
        "## Load run (bench/load)",
        "",
        (
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {os.cpu_count()} CPUs · load average "
            f"{load_before[0]:.1f} at the start (a machine shared with other work: wall times are noisy, CPU per "
            f"action is steadier) · `python -m bench.load {' '.join(argv if argv is not None else sys.argv[1:])}`"
        ),
        "",
    ]
    parts, status = [], 0
    with private_postgresql(args):
        status = _configurations(args, deadline, parts)
    parts.append(f"Load average at the end: {os.getloadavg()[0]:.1f}.\n")
    text = "\n".join(header + parts)
    with contextlib.suppress(OSError):
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"written to {args.out}")
    return status


@contextlib.contextmanager
def private_postgresql(args):
    """--store pg: a PostgreSQL server of its own for the run (tests/pg_server.py: its own data directory, socket
    and port), a database `load` in it; args.store becomes its URL and args.db_pid its main process. Stopped at
    the end whatever happens."""
    if args.store != "pg":
        yield
        return
    import psycopg

    from tests.pg_server import PgServer

    server = PgServer()
    try:
        admin = server.start()
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute("CREATE DATABASE load")
        args.store, args.db_pid = server.url("load"), server.pid
        yield
    finally:
        server.stop()


def _configurations(args, deadline: float, parts: list[str]) -> int:
    status = 0
    for n, skip in configurations(args):
        if skip:
            parts.append(f"### {n} app processes\n\n- {skip}\n")
            continue
        try:
            result = run_config(n, args, deadline)
            parts.append(report.table(result))
            status |= not result.complete
        except (RuntimeError, TimeoutError, OSError) as exc:
            parts.append(f"### {n} app process(es)\n\n- not run: {exc}\n")
            status = 1
        print(parts[-1], flush=True)
    return status
