"""The app processes of a load run: started on loopback ports, each in its own process group, always killed.

`Servers` is a context manager: `with Servers(n, store_env, log_dir) as s:` starts n `streamlit run app.py`
processes on free 127.0.0.1 ports (headless, no usage statistics), waits until each answers /_stcore/health,
and on the way out (also on an error or a timeout) kills each process group (SIGTERM, then SIGKILL).
`cpu_seconds()` and `rss_bytes()` read /proc/PID/stat and /proc/PID/status of the app processes (and their
children, if any), so a phase's server CPU is the difference of two readings.

`open_campaign(env)` opens the self-assessment campaign the staff sessions answer, through the CLI
(`python -m framework campaign open`), against the store the servers are given (SKILLS_DB in `env`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[2]
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
CAMPAIGN_AGENCY = "Load test agency (bench)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """pid and every descendant (the app starts none today; a future worker pool would count too)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    todo += [int(c) for c in f.read().split()]
    return out


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """utime + stime of a process and its live descendants, in seconds; `reaped`: also the children that ended and
    were waited for (a database server's connections that closed)."""
    total = 0
    for p in _children(pid):
        with contextlib.suppress(OSError), open(f"/proc/{p}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
            if reaped:
                total += int(fields[13]) + int(fields[14])  # cutime, cstime: waited-for children
    return total / CLK_TCK


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and its live descendants."""
    total = 0
    for p in _children(pid):
        with contextlib.suppress(OSError), open(f"/proc/{p}/statm", encoding="ascii") as f:
            total += int(f.read().split()[1]) * PAGE
    return total


def app_env(store: str, **extra: str) -> dict[str, str]:
    """The environment of the app processes and the CLI: the store, no usage statistics, no proxy on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("STREAMLIT_SERVER_ADDRESS")}
    env |= {
        "SKILLS_DB": store,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **extra,
    }
    return env


def open_campaign(env: dict[str, str], round_date: str = "2026-06-30") -> str:
    """Open the campaign the staff sessions answer; returns its code."""
    out = subprocess.run(
        [sys.executable, "-m", "framework", "campaign", "open", "--agency", CAMPAIGN_AGENCY, "--stage"]
        + ["Developing", "--round", round_date, "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"campaign open failed: {out.stderr.strip()}")
    return json.loads(out.stdout)["code"]


class Servers:
    """n app processes on loopback; `ports`, `pids`; killed on exit whatever happened."""

    def __init__(self, n: int, env: dict[str, str], log_dir: Path, *, start_timeout: float = 120.0):
        self.n, self.env, self.log_dir, self.start_timeout = n, env, Path(log_dir), start_timeout
        self.procs: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self._logs: list = []

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def __enter__(self) -> Self:
        try:
            for i in range(self.n):
                self._start(i)
            for proc, port in zip(self.procs, self.ports):
                self._wait_healthy(proc, port)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _start(self, i: int) -> None:
        port = free_port()
        log = open(self.log_dir / f"streamlit-{i}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self._logs.append(log)
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        cmd += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        self.procs.append(
            subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )
        self.ports.append(port)

    def _wait_healthy(self, proc: subprocess.Popen, port: int) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the app on port {port} exited ({proc.returncode}); see {self.log_dir}")
            with contextlib.suppress(OSError), opener.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as r:
                if r.status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"the app on port {port} did not answer within {self.start_timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM each process group, SIGKILL what is left after 10 s; logs closed."""
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for log in self._logs:
            log.close()
        self.procs, self._logs = [], []

    def cpu(self) -> float:
        return sum(cpu_seconds(p) for p in self.pids)

    def rss(self) -> int:
        return sum(rss_bytes(p) for p in self.pids)
