"""A throw-away PostgreSQL cluster for tests and benchmarks.

``initdb`` into a temporary directory, the server listening only on a Unix socket in
that directory (no TCP port to collide with anyone), ``fsync=off`` because the cluster
dies with the test run. ``initdb`` and ``postgres`` refuse to run as root, so when we
are root the cluster belongs to ``nobody`` and its commands run through ``runuser``.

``kill()`` (SIGKILL of the postmaster, as a crash would) and ``restart()`` let fault
tests take the database away under a running bot.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

PG_BIN_CANDIDATES = (
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
)
SUPERUSER = "keepword"
UNPRIVILEGED = "nobody"


def find_pg_bin() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or None when not installed."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    for candidate in PG_BIN_CANDIDATES:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _dbname(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


class TempCluster:
    def __init__(self, *, settings: dict[str, str] | None = None) -> None:
        pg_bin = find_pg_bin()
        if pg_bin is None:
            raise RuntimeError(
                "PostgreSQL is not installed: `make test` installs the Debian package "
                "`postgresql`; or apt-get install postgresql"
            )
        self.bin = pg_bin
        self.root = Path(tempfile.mkdtemp(prefix="keepword-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.log = self.root / "server.log"
        self.port = 5432  # only names the socket file; no TCP listener is opened
        self.settings = {
            "fsync": "off",
            "full_page_writes": "off",
            "max_connections": "100",
            "shared_buffers": "32MB",
            **(settings or {}),
        }
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, user=UNPRIVILEGED)
        os.chmod(self.root, 0o755)
        self._run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--no-instructions",
            ]
        )
        self.start()

    def _run(self, argv: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        if self._as_root:
            argv = ["runuser", "-u", UNPRIVILEGED, "--", *argv]
        # pg_ctl itself gives up after 60 s (-t 60); this bounds every other call too.
        return subprocess.run(
            argv,
            check=check,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=90,
        )

    # --- life cycle ------------------------------------------------------------------
    def start(self) -> None:
        options = " ".join(
            [
                f"-k {self.socket_dir}",
                "-c listen_addresses=''",
                f"-p {self.port}",
                *(f"-c {key}={value}" for key, value in self.settings.items()),
            ]
        )
        argv = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        argv += ["-w", "-t", "60", "-o", options, "start"]
        # Right after a kill the old backends may still hold shared memory for a moment.
        deadline = time.monotonic() + 20
        while True:
            result = self._run(argv, check=False)
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not start: {result.stderr}\n{self.server_log()}")
            time.sleep(0.2)

    def stop(self, mode: str = "fast") -> None:
        self._run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
            check=False,
        )

    def pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        try:
            return int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would; its backends exit on their own."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self._alive(pid):
            time.sleep(0.05)

    @staticmethod
    def _alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        # A killed child of ours stays a zombie until reaped; pg_ctl's children are not ours.
        try:
            return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
        except OSError:
            return False

    def is_running(self) -> bool:
        pid = self.pid()
        return pid is not None and self._alive(pid)

    def restart(self) -> None:
        self.stop("immediate")
        self.start()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    # --- databases -------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def create_database(self, name: str | None = None) -> str:
        """A fresh, empty database; returns its URL. Each test gets its own."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = _dbname(url)
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def database_dir(self, url: str) -> Path:
        """Where one database's files live (to look for text left in them)."""
        name = _dbname(url)
        with psycopg.connect(self.url(), autocommit=True) as conn:
            row = conn.execute(
                "SELECT oid FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
        assert row is not None
        return self.data / "base" / str(row[0])
