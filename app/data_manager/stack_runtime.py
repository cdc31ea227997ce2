"""The local stack's runtime contract: the files its processes coordinate through, and its ports.

Every file lives in the data dir (`.data/`, or `DATA_PLATFORM_DATA_DIR`):

- `serve.pid`: written by `data-manager serve --pidfile` at start, removed at exit. Read by
  `locations add/remove` and `reload`, which send that process SIGHUP to re-read the registry.
- `restart-requests/<location>`: created by `data-manager reload` (CODE_SERVER_MODE=direct).
  Read by serve's supervisor, which restarts that code server and then deletes the file.
- `workspace.yaml`: written by `serve --local-workspace` on every registry change, pointing at
  127.0.0.1. Read by the webserver and the daemon that `make dev` starts, and by `reload` to wait for it.
- `daemon-workspace.sha256`: written by `make dev` each time it (re)starts the daemon: the digest
  of the workspace that daemon read. Read by `locations add` to wait until the daemon knows a new
  location, and by `make dev` to restart the daemon when the workspace changed.
- `code-server-groups`: written by serve whenever it starts or stops a code server: one process
  group id per line. Read by `make dev` when serve died outright (kill -9), to stop the code servers
  it left behind before it starts serve again.

Code servers listen on the registry's ports plus `LOCAL_PORT_OFFSET` (0 unless a second stack, such
as the tests', runs beside yours); everything that reaches a local code server asks `served_registry`.
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

from data_manager.atomic_files import write_atomic
from data_manager.locations.registry import Registry
from data_manager.locations.registry_store import load_registry
from data_manager.paths import ProjectPaths
from data_manager.settings import env_int

PIDFILE = "serve.pid"
RESTART_REQUESTS_DIR = "restart-requests"
LOCAL_WORKSPACE = "workspace.yaml"
DAEMON_DIGEST = "daemon-workspace.sha256"
CODE_SERVER_GROUPS = "code-server-groups"


def with_port_offset(registry: Registry, offset: int) -> Registry:
    """The registry with every port moved by `offset` (the registry file itself never changes)."""
    if not offset:
        return registry
    moved = [location.model_copy(update={"port": location.port + offset}) for location in registry.code_locations]
    return registry.model_copy(update={"code_locations": moved})


def served_registry(paths: ProjectPaths) -> Registry:
    """The registry as the local code servers serve it: ports moved by `LOCAL_PORT_OFFSET`."""
    return with_port_offset(load_registry(paths.registry), env_int("LOCAL_PORT_OFFSET"))


# -- serve.pid ------------------------------------------------------------------------------------
def pidfile(paths: ProjectPaths) -> Path:
    return paths.data_dir / PIDFILE


def supervisor_pid(paths: ProjectPaths) -> int | None:
    """The pid of the local `data-manager serve`, or None when none runs."""
    try:
        pid = int(pidfile(paths).read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def signal_supervisor(paths: ProjectPaths) -> bool:
    """Ask a local `data-manager serve` to re-read the registry. False when none runs."""
    pid = supervisor_pid(paths)
    if pid is None:
        return False
    os.kill(pid, signal.SIGHUP)
    return True


# -- restart-requests/ ----------------------------------------------------------------------------
def restart_request_file(paths: ProjectPaths, name: str) -> Path:
    return paths.data_dir / RESTART_REQUESTS_DIR / name


def pending_restarts(paths: ProjectPaths) -> set[str]:
    folder = paths.data_dir / RESTART_REQUESTS_DIR
    return {request.name for request in folder.iterdir()} if folder.is_dir() else set()


# -- workspace.yaml and the daemon's digest of it -------------------------------------------------
def local_workspace(paths: ProjectPaths) -> Path:
    return paths.data_dir / LOCAL_WORKSPACE


def digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def workspace_digest(paths: ProjectPaths) -> str:
    """Digest of the local workspace file as it is now ("" when missing)."""
    try:
        return digest(local_workspace(paths).read_bytes())
    except FileNotFoundError:
        return ""


def record_daemon_workspace(paths: ProjectPaths, workspace_digest_: str) -> None:
    write_atomic(paths.data_dir / DAEMON_DIGEST, workspace_digest_)


def daemon_workspace_digest(paths: ProjectPaths) -> str:
    try:
        return (paths.data_dir / DAEMON_DIGEST).read_text()
    except FileNotFoundError:
        return ""


def daemon_knows(paths: ProjectPaths, workspace_text: str) -> bool:
    """The daemon read this workspace (True when no `make dev` records one, as under compose)."""
    marker = paths.data_dir / DAEMON_DIGEST
    return not marker.exists() or marker.read_text() == digest(workspace_text)


# -- code-server-groups ---------------------------------------------------------------------------
def record_code_server_groups(paths: ProjectPaths, pgids: list[int]) -> None:
    write_atomic(paths.data_dir / CODE_SERVER_GROUPS, "".join(f"{pgid}\n" for pgid in sorted(pgids)))


def code_server_groups(paths: ProjectPaths) -> list[int]:
    try:
        text = (paths.data_dir / CODE_SERVER_GROUPS).read_text()
    except FileNotFoundError:
        return []
    return [int(line) for line in text.split() if line.isdigit()]


def free_port_offset(attempts: int = 50) -> int:
    """A `LOCAL_PORT_OFFSET` at which no port of the registry's range is in use (tests, benchmarks)."""
    import random
    import socket

    from data_manager.locations.registry import PORT_RANGE

    def free(port: int) -> bool:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
        return True

    for _ in range(attempts):
        offset = random.randrange(2000, 20000)
        if all(free(port + offset) for port in PORT_RANGE):
            return offset
    raise RuntimeError("no free block of code-server ports found")
