"""Computing a pure function in a forked child while this process does other work.

For pure functions only: a forked child sees the same inputs (copy-on-write, nothing to serialize)
and computes the same value; only the result travels back, pickled through a pipe. It knows nothing
of what it computes (the plan uses it for the SLOs, the render loop for targets marked ``fork``).

Whatever goes wrong in the child (an exception, a crash, a kill, a result that cannot be read), the
parent computes the value itself, so the outcome and any error are exactly those of a sequential
run. ``GUARDIANGEN_JOBS=1`` computes everything in this process.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Generic, TypeVar


def enabled() -> bool:
    """Fork when the platform can and there is a second CPU to run the child on."""
    if os.environ.get("GUARDIANGEN_JOBS", "").strip() == "1" or not hasattr(os, "fork"):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return cpus > 1


R = TypeVar("R")

FALLBACKS: list[str] = []
"""Names of the functions that were computed in this process after their child failed (tests
check that a normal render has none, so the speed-up is not silently lost)."""


def call(fn: Callable[..., R], *args: object) -> Forked[R]:
    """Start computing ``fn(*args)`` in a forked child (when :func:`enabled`); ``.result()``
    returns its value, or computes it in this process if there is no child or it failed."""
    return Forked(fn, args, start=enabled())


class Forked(Generic[R]):
    """``fn(*args)`` computed by a forked process, and a thread in this one reading its result."""

    def __init__(self, fn: Callable[..., R], args: tuple[object, ...], *, start: bool) -> None:
        self.fn, self.args = fn, args
        self.pid: int | None = None
        self.status: int | None = None
        self.data = bytearray()
        if not start:
            return
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns, never runs the parent's exit handlers
            code = 1
            try:
                os.close(read_fd)
                payload = pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as pipe:
                    pipe.write(payload)
                code = 0
            except BaseException:  # reported by the exit code; the parent computes it again
                pass
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid = pid
        self.reader = threading.Thread(target=self._read, args=(read_fd,), daemon=True)
        self.reader.start()

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as pipe:
            while chunk := pipe.read(1 << 20):
                self.data += chunk

    def result(self) -> R:
        """The child's value; computed here when there is no child or it did not finish cleanly."""
        if self.pid is not None and self.status is None:
            self.reader.join()
            _, self.status = os.waitpid(self.pid, 0)
            if self.status == 0:
                try:
                    value: R = pickle.loads(self.data)
                    return value
                except Exception:
                    pass
            FALLBACKS.append(getattr(self.fn, "__qualname__", repr(self.fn)))
        return self.fn(*self.args)

    def stop(self) -> None:
        """Kill and reap the child if this process gives up on it (an exception, Ctrl-C)."""
        if self.pid is not None and self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.status = -signal.SIGKILL
