"""A TCP proxy in front of the test MariaDB whose cut is a network failure, for every reader alike.

Killing server-side connections is not enough for connectorx: it reads in pages, each on a new connection,
and a page already in the client's buffers survives a KILL. After a cut, every open connection is shut
down and every new one is closed at once, so whichever connection the reader uses next is lost.

It runs in its own process (connectorx may hold the GIL while it connects, which would starve a proxy
thread): `CuttableProxy.start(host, port)`, then `.cut()` returns once every connection is down.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading


class CuttableProxy:
    def __init__(self, process: subprocess.Popen[str], port: int):
        self.process = process
        self.port = port

    @classmethod
    def start(cls, target_host: str, target_port: int) -> CuttableProxy:
        process = subprocess.Popen(
            [sys.executable, __file__, target_host, str(target_port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        return cls(process, int(process.stdout.readline()))

    def cut(self) -> None:
        self.process.stdin.write("cut\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "cut":
            raise RuntimeError("the proxy did not confirm the cut")


class _Proxy:
    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.is_cut = threading.Event()

    def accept_forever(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if self.is_cut.is_set():
                _shut(client)
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def cut(self) -> None:
        self.is_cut.set()
        with self.lock:
            for sock in self.sockets:
                _shut(sock)
            self.sockets.clear()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(1 << 16):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _shut(sink)


def _shut(sock: socket.socket) -> None:
    """Shut down first: it wakes a thread blocked in recv on the socket, which a close alone would not."""
    for step in (lambda: sock.shutdown(socket.SHUT_RDWR), sock.close):
        with contextlib.suppress(OSError):
            step()


if __name__ == "__main__":
    proxy = _Proxy((sys.argv[1], int(sys.argv[2])))
    threading.Thread(target=proxy.accept_forever, daemon=True).start()
    print(proxy.listener.getsockname()[1], flush=True)
    for line in sys.stdin:
        if line.strip() == "cut":
            proxy.cut()
            print("cut", flush=True)
