"""What an artifact may read: files under ARTIFACT_ROOTS, and http(s) URLs of public hosts (or ARTIFACT_URL_ALLOW).

Checked when an artifact is registered and again whenever it is read. A path is resolved (symlinks,
`..`) before the check, and the file actually opened is checked once more through /proc/self/fd, so a
symlink swapped in between is caught. A URL's host is resolved and every address must be public:
not loopback, private, link-local (cloud metadata at 169.254.169.254), shared, reserved or multicast,
unless ARTIFACT_URL_ALLOW names the host or its network. The connection then goes to the address that
was checked (no second lookup a rebinding DNS server could answer differently), for the first request
and for each redirect. Reads stop at ARTIFACT_MAX_MB and FETCH_TIMEOUT_S.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore

from data_manager.errors import UserError
from data_manager.pipelines.limits import ExtractionError
from data_manager.settings import env, env_int

FETCH_TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 10.0
MAX_REDIRECTS = 5
READ_CHUNK = 1024 * 1024
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class ArtifactRefused(UserError):
    """A location the artifact may not read; one line naming it and the setting that decides."""


def max_bytes() -> int:
    return env_int("ARTIFACT_MAX_MB") * 1024 * 1024


def artifact_roots() -> list[Path]:
    """ARTIFACT_ROOTS resolved (relative ones start at the project home), or <data dir>/artifacts."""
    from data_manager.paths import ProjectPaths, project_root

    configured = [part.strip() for part in env("ARTIFACT_ROOTS").split(":") if part.strip()]
    if not configured:
        return [(ProjectPaths.discover().data_dir / "artifacts").resolve()]
    home = project_root()
    return [(Path(p).expanduser() if Path(p).expanduser().is_absolute() else home / p).resolve() for p in configured]


def _roots_text(roots: list[Path]) -> str:
    return ":".join(map(str, roots))


def inside_roots(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def check_path(location: str) -> Path:
    """The resolved path of an absolute `location` under ARTIFACT_ROOTS, or ArtifactRefused."""
    roots = artifact_roots()
    path = Path(location)
    if not path.is_absolute():
        raise ArtifactRefused(f"location: {location!r} is neither an absolute path nor an http(s) URL")
    resolved = path.resolve()
    if not inside_roots(resolved, roots):
        shown = f"{location} (resolves to {resolved})" if str(resolved) != location else location
        raise ArtifactRefused(f"location: {shown} is outside ARTIFACT_ROOTS ({_roots_text(roots)})")
    return resolved


@dataclass(frozen=True)
class UrlPolicy:
    """Which hosts and networks are allowed although not public (ARTIFACT_URL_ALLOW)."""

    hosts: frozenset[str]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @classmethod
    def from_env(cls) -> UrlPolicy:
        hosts, networks = set(), []
        for entry in (e.strip() for e in env("ARTIFACT_URL_ALLOW").split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def refusal(self, host: str, address: Address) -> str | None:
        """Why `host` at `address` may not be reached, or None."""
        if host.lower().rstrip(".") in self.hosts or any(address in network for network in self.networks):
            return None
        plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped else address
        if plain.is_global and not (plain.is_multicast or plain.is_reserved or plain.is_unspecified):
            return None
        kind = next(
            (name for name, flag in (("loopback", plain.is_loopback), ("link-local (cloud metadata)", plain.is_link_local),
                                     ("private", plain.is_private), ("multicast", plain.is_multicast)) if flag),
            "not public",
        )  # fmt: skip
        shown = host if host == str(address) else f"{host} ({address})"
        return f"{shown} is a {kind} address; add it to ARTIFACT_URL_ALLOW to allow it"


def resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ArtifactRefused(f"location: cannot resolve host {host}: {exc}") from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def checked_address(host: str, port: int, policy: UrlPolicy) -> Address:
    """The address to connect to: every address `host` resolves to must be allowed."""
    addresses = resolve(host, port)
    for address in addresses:
        problem = policy.refusal(host, address)
        if problem:
            raise ArtifactRefused(f"location: {problem}")
    return addresses[0]


def check_url(url: str, policy: UrlPolicy | None = None) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArtifactRefused(f"location: {safe_url(url)} is not an http(s) URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ArtifactRefused(f"location: {safe_url(url)} has an invalid port") from None
    checked_address(parts.hostname, port, policy or UrlPolicy.from_env())


def check_location(location: str) -> str:
    """`location` when an artifact may read it (checked at registration), else ArtifactRefused."""
    if location.startswith(("http://", "https://")):
        check_url(location)
        return location
    if "://" in location or location.startswith("file:"):
        raise ArtifactRefused(
            f"location: {safe_url(location)}: only http(s) URLs and absolute paths under ARTIFACT_ROOTS are read"
        )
    check_path(location)
    return location


def fetch_location(location: str, name: str) -> bytes:
    """The bytes at `location`, checked again now; ExtractionError (one line) when refused or unreadable."""
    try:
        if location.startswith(("http://", "https://")):
            return fetch_url(location, name)
        if "://" in location or location.startswith("file:"):
            check_location(location)
        return read_file(location, name)
    except ArtifactRefused as exc:
        raise ExtractionError(f"{name}: refused: {str(exc).removeprefix('location: ')}") from None


def read_file(location: str, name: str) -> bytes:
    check_path(location)
    limit = max_bytes()
    try:
        fd = os.open(location, os.O_RDONLY)
    except FileNotFoundError:
        raise ExtractionError(f"{name}: file {location} does not exist") from None
    except OSError as exc:
        raise ExtractionError(f"{name}: cannot read {location}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        opened = Path(f"/proc/self/fd/{fd}")
        real = Path(os.readlink(opened)) if opened.exists() else Path(location).resolve()
        roots = artifact_roots()
        if not inside_roots(real, roots):  # swapped for a symlink after the check
            raise ArtifactRefused(f"location: {location} now resolves to {real}, outside ARTIFACT_ROOTS")
        size = os.fstat(fd).st_size
        if size > limit:
            raise ExtractionError(f"{name}: {size} bytes is over ARTIFACT_MAX_MB ({limit // 2**20} MB)")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ExtractionError(f"{name}: over ARTIFACT_MAX_MB ({limit // 2**20} MB)")
    return data


class _CheckedBackend(httpcore.SyncBackend):
    """Connects only to addresses the policy allows, and to exactly the address it checked."""

    def __init__(self, policy: UrlPolicy) -> None:
        self.policy = policy

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:  # fmt: skip
        address = checked_address(host, port, self.policy)
        return super().connect_tcp(str(address), port, timeout, local_address, socket_options)


def fetch_url(url: str, name: str) -> bytes:
    """GET `url` (following up to MAX_REDIRECTS redirects, each checked), at most ARTIFACT_MAX_MB, FETCH_TIMEOUT_S."""
    policy, limit = UrlPolicy.from_env(), max_bytes()
    deadline = time.monotonic() + FETCH_TIMEOUT_S
    timeouts = {"connect": CONNECT_TIMEOUT_S, "read": FETCH_TIMEOUT_S, "write": FETCH_TIMEOUT_S, "pool": CONNECT_TIMEOUT_S}  # fmt: skip
    with httpcore.ConnectionPool(network_backend=_CheckedBackend(policy), max_connections=2) as pool:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, policy)
            try:
                with pool.stream("GET", url, headers={"User-Agent": "data-platform"}, extensions={"timeout": timeouts}) as response:  # fmt: skip
                    if response.status in (301, 302, 303, 307, 308):
                        location = _header(response, b"location")
                        if not location:
                            raise ExtractionError(f"{name}: GET {safe_url(url)} redirected without a Location")
                        url = urljoin(url, location)
                        continue
                    if response.status >= 400:
                        raise ExtractionError(f"{name}: GET {safe_url(url)} answered HTTP {response.status}")
                    declared = _header(response, b"content-length")
                    if declared.isdigit() and int(declared) > limit:
                        raise ExtractionError(f"{name}: {declared} bytes is over ARTIFACT_MAX_MB ({limit // 2**20} MB)")
                    chunks, size = [], 0
                    for chunk in response.iter_stream():
                        size += len(chunk)
                        if size > limit:
                            raise ExtractionError(f"{name}: over ARTIFACT_MAX_MB ({limit // 2**20} MB)")
                        if time.monotonic() > deadline:
                            raise ExtractionError(
                                f"{name}: GET {safe_url(url)} took longer than {FETCH_TIMEOUT_S:.0f}s"
                            )
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpcore.TimeoutException:
                raise ExtractionError(f"{name}: GET {safe_url(url)} timed out") from None
            except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
                raise ExtractionError(f"{name}: GET {safe_url(url)} failed: {type(exc).__name__}") from None
    raise ExtractionError(f"{name}: more than {MAX_REDIRECTS} redirects from {safe_url(url)}")


def _header(response: httpcore.Response, wanted: bytes) -> str:
    for key, value in response.headers:
        if key.lower() == wanted:
            return value.decode("latin-1")
    return ""


def safe_url(url: str) -> str:
    """A URL without its credentials and query (both may hold secrets), for messages and logs."""
    parsed = urlsplit(url)
    try:
        port = f":{parsed.port}" if parsed.port else ""
    except ValueError:
        port = ""
    return f"{parsed.scheme}://{parsed.hostname or ''}{port}{parsed.path}"
