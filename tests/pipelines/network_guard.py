"""A test's network: names resolve only as the test says, and no socket connects beyond loopback.

This machine may send no packet to a non-loopback address, and the artifact checks must be proven
without one. `NetworkGuard.names` maps a host name to the addresses `socket.getaddrinfo` answers
(a list is answered one entry per lookup, the last one repeated: DNS rebinding); any other name fails
to resolve. A connect to a non-loopback address is refused before it leaves the process and recorded;
the fixture fails the test for it even when the code under test swallowed the error.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest


@dataclass
class NetworkGuard:
    names: dict[str, str | list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)
    blocked: list[object] = field(default_factory=list)

    def answer(self, host: str) -> str:
        entry = self.names[host]
        if isinstance(entry, str):
            return entry
        seen = self.lookups.count(host)
        return entry[min(seen, len(entry)) - 1]


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple):  # a Unix socket path
        return True
    try:
        return ipaddress.ip_address(str(address[0]).split("%")[0]).is_loopback
    except ValueError:
        return False  # a name: the real connect would resolve it


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    guard = NetworkGuard()
    real_getaddrinfo = socket.getaddrinfo
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else str(host)
        guard.lookups.append(name)
        if name in guard.names:
            address = guard.answer(name)
            kind = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(kind, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]
        try:
            ipaddress.ip_address(name)
        except ValueError:
            if name != "localhost":
                raise socket.gaierror(
                    socket.EAI_NONAME, f"{name}: not known (the test stubs name resolution)"
                ) from None
        return real_getaddrinfo(host, port, family, type, proto, flags)  # numeric or localhost: no lookup leaves

    def connect(sock: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            guard.blocked.append(address)
            raise ConnectionRefusedError(f"test network guard: no connection to {address} (not loopback)")
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: object) -> int:
        if not _is_loopback(address):
            guard.blocked.append(address)
            raise ConnectionRefusedError(f"test network guard: no connection to {address} (not loopback)")
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield guard
    assert not guard.blocked, f"the code tried to connect beyond loopback: {guard.blocked}"
