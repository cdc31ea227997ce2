"""Keep Rust panic reports and connection-pool logs of native readers (connectorx) off the terminal.

When connectorx loses its connection it panics: Rust's panic hook writes the message and a backtrace
straight to file descriptor 2, before Python sees an exception. When it cannot connect, its pool (r2d2)
logs one `[time ERROR r2d2] ...` line per retry there. The sync already turns that exception
into one clear line, so while a native read runs, fd 2 goes through a pipe whose reader forwards
everything except panic reports. Nesting (several readers at once) is counted; the last one restores fd 2.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator

_PANIC = re.compile(rb"^thread '.*' (?:\(\d+\) )?panicked at ")
_POOL_LOG = re.compile(rb"^\[\S+ +(?:ERROR|WARN) +r2d2\] ")
_MAX_MESSAGE_LINES = 50


def _may_start_a_report(partial: bytes) -> bool:
    """Whether a partial line could still become a panic report or a pool log line (then it waits)."""
    if b"thread '".startswith(partial[:8]):
        return True
    return partial.startswith(b"[") and (b"] " not in partial or _POOL_LOG.match(partial) is not None)


class PanicFilter:
    """Line filter dropping `thread '...' panicked at` reports (message, backtrace and closing note) and
    r2d2's retry log lines."""

    def __init__(self) -> None:
        self.state = "pass"  # pass | message | backtrace
        self.message_lines = 0
        self.pending = b""

    def feed(self, data: bytes) -> bytes:
        """Filtered output for `data`; a trailing partial line is held back only if it may start a panic."""
        self.pending += data
        out = []
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            if self._keep(line):
                out.append(line + b"\n")
        if self.state == "pass" and self.pending and not _may_start_a_report(self.pending):
            out.append(self.pending)  # progress bars redraw without newlines: forward them at once
            self.pending = b""
        return b"".join(out)

    def flush(self) -> bytes:
        rest, self.pending = self.pending, b""
        return rest if self.state == "pass" else b""

    def _keep(self, line: bytes) -> bool:
        if self.state == "pass":
            if _POOL_LOG.match(line):
                return False
            if _PANIC.match(line):
                self.state, self.message_lines = "message", 0
                return False
            return True
        if self.state == "message":
            self.message_lines += 1
            if line.startswith(b"note: "):
                self.state = "pass"
            elif line.strip() == b"stack backtrace:":
                self.state = "backtrace"
            elif self.message_lines > _MAX_MESSAGE_LINES:
                self.state = "pass"
                return True
            return False
        # backtrace: indented frames, then an optional closing note
        if line[:1] in (b" ", b"\t") or line.startswith(b"note: "):
            if line.startswith(b"note: "):
                self.state = "pass"
            return False
        self.state = "pass"
        return self._keep(line)


class _Redirect:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.saved_fd: int | None = None
        self.write_fd: int | None = None
        self.thread: threading.Thread | None = None

    def enter(self) -> None:
        with self.lock:
            self.users += 1
            if self.users > 1:
                return
            _flush_python_stderr()
            read_fd, write_fd = os.pipe()
            self.saved_fd = os.dup(2)
            os.dup2(write_fd, 2)
            self.write_fd = write_fd
            self.thread = threading.Thread(
                target=_forward, args=(read_fd, self.saved_fd), name="rust-panic-filter", daemon=True
            )
            self.thread.start()

    def exit(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users > 0 or self.saved_fd is None or self.write_fd is None:
                return
            _flush_python_stderr()
            os.dup2(self.saved_fd, 2)
            os.close(self.write_fd)  # the forwarder sees end-of-file once fd 2 no longer points at the pipe
            if self.thread is not None:
                self.thread.join(timeout=5)
            os.close(self.saved_fd)
            self.saved_fd = self.write_fd = self.thread = None


def _flush_python_stderr() -> None:
    with contextlib.suppress(Exception):
        sys.stderr.flush()


def _forward(read_fd: int, target_fd: int) -> None:
    panic_filter = PanicFilter()
    try:
        while data := os.read(read_fd, 65536):
            if out := panic_filter.feed(data):
                os.write(target_fd, out)
        if rest := panic_filter.flush():
            os.write(target_fd, rest)
    except OSError:
        pass
    finally:
        os.close(read_fd)


_REDIRECT = _Redirect()


@contextlib.contextmanager
def rust_panics_hidden() -> Iterator[None]:
    """While inside, Rust panic reports written to fd 2 are dropped; everything else passes through."""
    _REDIRECT.enter()
    try:
        yield
    finally:
        _REDIRECT.exit()
