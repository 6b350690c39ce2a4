"""A private PostgreSQL server for the tests of the PostgreSQL store (framework/pgstore).

`PgServer` runs Debian's initdb/pg_ctl (as the `postgres` user when the tests run as root, which PostgreSQL
refuses) with its own data directory, port and socket directory, and always stops it (`stop()`, also at exit,
by process group if pg_ctl fails). `SKILLS_TEST_PG_URL` points the tests at a server already running instead.
Each test gets its own database, created from a template that already holds an empty store's tables.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def bindir() -> Path | None:
    """Where initdb and pg_ctl are (the newest Debian PostgreSQL), None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self):
        self.bin = bindir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (make test-pg installs it with apt)")
        self.dir = Path(tempfile.mkdtemp(prefix="skills-pg-"))
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        self.user = "postgres" if self.as_postgres else os.environ.get("USER", "postgres")
        self.pid: int | None = None

    def _run(self, *args: str, **kw) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

    def start(self) -> str:
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off -c max_connections=200"
        atexit.register(self.stop)
        self._run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start")
        self.pid = int((data / "postmaster.pid").read_text().split()[0])
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql:///{database}?host={self.dir}&port={self.port}&user=postgres"

    def stop(self) -> None:
        if self.pid is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop", timeout=30)
        except (subprocess.SubprocessError, OSError):
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        self.pid = None
        shutil.rmtree(self.dir, ignore_errors=True)


class Databases:
    """Databases of one server: `new()` makes an empty one or a copy of the store template."""

    def __init__(self, admin_url: str, url_of):
        self.admin_url, self.url_of, self.template = admin_url, url_of, None

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as c:
            c.execute(sql)

    def new(self, *, empty: bool = False) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        if empty:
            self._admin(f"CREATE DATABASE {name}")
            return self.url_of(name)
        if self.template is None:
            self.template = "skills_template_" + uuid.uuid4().hex[:8]
            self._admin(f"CREATE DATABASE {self.template}")
            from framework import db, pgstore
            from framework.store import SurveyStore

            con = db.connect(self.url_of(self.template))
            SurveyStore(con)
            pgstore.detach(con)
            con.close()
        self._admin(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return self.url_of(name)

    def drop(self, url: str) -> None:
        name = url.split("///", 1)[1].split("?", 1)[0]
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
