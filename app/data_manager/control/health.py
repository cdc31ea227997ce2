"""gRPC health of code servers: the same check as `dagster api grpc-health-check`, without importing dagster."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2
from grpc_health.v1.health_pb2_grpc import HealthStub

from data_manager.errors import EXIT_FAILURE, UserError
from data_manager.locations.registry import CodeLocation


@dataclass(frozen=True)
class HealthResult:
    name: str
    address: str
    serving: bool
    detail: str


def check_server(host: str, port: int, timeout: float = 5.0) -> tuple[bool, str]:
    """Ask the Dagster gRPC server's health service whether it is SERVING."""
    with grpc.insecure_channel(f"{host}:{port}") as channel:
        try:
            response = HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="DagsterApi"), timeout=timeout)
        except grpc.RpcError as exc:
            return False, exc.code().name.lower() if hasattr(exc, "code") else "unreachable"
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    return status == "SERVING", status.lower()


def wait_until_serving(host: str, port: int, timeout_s: float = 120, process: subprocess.Popen | None = None) -> float:
    """Seconds until the code server at host:port is SERVING (its code is loaded by then).

    Fails early when `process`, the server being waited for, exits.
    """
    started = time.monotonic()
    while not check_server(host, port, timeout=2)[0]:
        if process is not None and process.poll() is not None:
            raise UserError(f"the code server on port {port} exited with {process.returncode}", exit_code=EXIT_FAILURE)
        if time.monotonic() - started > timeout_s:
            raise UserError(f"no code server serving on {host}:{port} after {timeout_s:.0f}s", exit_code=EXIT_FAILURE)
        time.sleep(0.05)
    return time.monotonic() - started


def check_locations(locations: list[CodeLocation], host: str | None = None, timeout: float = 5.0) -> list[HealthResult]:
    """Health of every location, checked in parallel. `host` overrides the registry host."""

    def one(location: CodeLocation) -> HealthResult:
        target = host or location.host
        serving, detail = check_server(target, location.port, timeout)
        return HealthResult(location.name, f"{target}:{location.port}", serving, detail)

    if not locations:
        return []
    with ThreadPoolExecutor(max_workers=min(16, len(locations))) as pool:
        return list(pool.map(one, locations))


def check_workspace(locations: list[CodeLocation]) -> list[HealthResult]:
    """Whether the webserver has every enabled location LOADED (a server can be SERVING a failed import)."""
    from data_manager import webserver

    try:
        statuses = webserver.location_statuses()
    except (webserver.WebserverUnavailable, webserver.WebserverError) as exc:
        raise UserError(f"webserver {webserver.default_webserver_url()}: {exc}", exit_code=EXIT_FAILURE) from None
    results = []
    for location in locations:
        status, error = statuses.get(location.name, ("MISSING", "not in the webserver's workspace"))
        loaded = status == "LOADED" and not error
        results.append(HealthResult(location.name, "webserver", loaded, error or status.lower()))
    return results
