"""Servers the end-to-end test owns: binaries, free ports, start/ready/stop, logs, HTTP polling.

Every server started here is registered in :data:`STARTED` until it is stopped, so the conftest hook
can attach the tail of each log to a failing test's report.
"""

from __future__ import annotations

import ctypes
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

POLL = 0.2  # seconds between polls; rule evaluation and scrapes run every second in the test spec


def require_binary(name: str, package: str) -> str:
    """Path of a server binary; a clear failure (never a skip) when missing: CI installs it."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:
        pytest.fail(f"`{name}` not found on PATH or in /usr/bin: install the Debian package `{package}` (.ci/run does)")
    return path


def free_port() -> int:
    """A loopback port free right now (a server may still lose the race for it: callers retry)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str, timeout: float = 5) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read() or b"null")


def wait_for(what: str, probe: Callable[[], T | None], describe: Callable[[], str], deadline: float) -> T:
    """Poll ``probe`` until it returns something other than None; fail with ``describe()`` at the deadline."""
    end = time.monotonic() + deadline
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() >= end:
            pytest.fail(f"timed out after {deadline:.0f}s waiting for {what}\n{describe()}", pytrace=False)
        time.sleep(POLL)


@dataclass
class Server:
    """A started server process: its URL, its combined stdout/stderr log, and how to stop it."""

    name: str
    url: str
    log: Path
    proc: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def log_report(self, lines: int = 40) -> str:
        """Every warning and error the server logged, then the tail of its log."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        problems = [line for line in text.splitlines() if "level=warn" in line or "level=error" in line]
        return "warnings and errors:\n" + ("\n".join(problems) or "(none)") + "\n\ntail:\n" + self.log_tail(lines)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within a few seconds."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self in STARTED:
            STARTED.remove(self)


STARTED: list[Server] = []


@dataclass
class ServerSpec:
    """How to start one server: its argv for a given port, and the path that answers 200 once ready."""

    name: str
    argv: Callable[[int], Sequence[str]]
    workdir: Path
    ready_path: str = "/-/ready"
    ready_deadline: float = 20.0
    attempts: int = 3
    env: dict[str, str] | None = field(default=None)


def start(spec: ServerSpec) -> Server:
    """Start the server on a free loopback port and wait until it is ready; retries a lost port race."""
    log = spec.workdir / f"{spec.name}.log"
    server: Server | None = None
    for _attempt in range(spec.attempts):
        port = free_port()
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                list(spec.argv(port)),
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=spec.workdir,
                env=spec.env,
                preexec_fn=_die_with_parent if _LIBC is not None else None,
            )
        server = Server(spec.name, f"http://127.0.0.1:{port}", log, proc)
        STARTED.append(server)
        if _ready(server, spec.ready_path, spec.ready_deadline):
            return server
        server.stop()
        if "address already in use" not in log.read_text(errors="replace"):
            break
    assert server is not None
    pytest.fail(f"{spec.name} did not become ready\n{spec.name} log:\n{server.log_report()}", pytrace=False)


# Loaded in the parent: the forked child only makes the call (no dynamic loading between fork and exec).
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: get SIGKILL when the test process dies, even by SIGKILL (a CI
    timeout), so no server outlives its test. Linux only."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _ready(server: Server, path: str, deadline: float) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end and server.alive():
        try:
            with urllib.request.urlopen(server.url + path, timeout=1) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    return False
