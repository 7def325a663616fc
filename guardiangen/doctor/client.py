"""A read-only HTTP client for the Prometheus and Alertmanager APIs, with a shared budget.

Only GET requests are sent, so ``doctor`` can never change a server. Every request draws on one
:class:`Budget` (a request count and a deadline for the whole run), so a slow or huge cluster makes
the run stop with a clear finding instead of hanging. Failures become :class:`ServerError` with a
one-line reason; the caller turns them into diagnostics.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_URL = 6000  # bytes of a GET URL; longer `match[]` lists are split over several requests
MAX_RESPONSE = 256 * 1024 * 1024  # bytes of one response body
PER_REQUEST_TIMEOUT = 15.0  # seconds, or less when the run's deadline is nearer


class ServerError(Exception):
    """The server cannot be reached, refused the request, or answered in a way its API does not."""


class BudgetExceeded(Exception):
    """The run's request count or time is used up."""


@dataclass
class Budget:
    """How many requests the whole run may send, and until when (``time.monotonic()``)."""

    max_requests: int
    deadline: float
    used: int = 0

    @classmethod
    def of(cls, max_requests: int, seconds: float) -> Budget:
        return cls(max_requests, time.monotonic() + seconds)

    def take(self) -> float:
        """Spend one request; the timeout it may take. Raises BudgetExceeded when none is left."""
        left = self.deadline - time.monotonic()
        if self.used >= self.max_requests:
            raise BudgetExceeded(f"the request budget ({self.max_requests}) is used up")
        if left <= 0:
            raise BudgetExceeded("the time budget is used up")
        self.used += 1
        return min(PER_REQUEST_TIMEOUT, left)


@dataclass(frozen=True)
class Credentials:
    """How to authenticate; read from files or the environment by the CLI, never from the command line."""

    bearer_token: str | None = None
    basic_auth: tuple[str, str] | None = None
    ca_file: str | None = None

    def headers(self) -> dict[str, str]:
        if self.bearer_token:
            return {"Authorization": f"Bearer {self.bearer_token}"}
        if self.basic_auth:
            token = base64.b64encode(":".join(self.basic_auth).encode()).decode()
            return {"Authorization": f"Basic {token}"}
        return {}


@dataclass
class Client:
    """One server: ``name`` (Prometheus or Alertmanager) and its base URL, e.g. ``http://prom:9090``."""

    name: str
    base_url: str
    budget: Budget
    credentials: Credentials = field(default_factory=Credentials)

    def get(self, path: str, params: Sequence[tuple[str, str]] = ()) -> Any:
        """The decoded JSON body of ``GET base_url + path``."""
        url = self.base_url.rstrip("/") + path + (("?" + urllib.parse.urlencode(params)) if params else "")
        timeout = self.budget.take()
        request = urllib.request.Request(url, headers={"Accept": "application/json", **self.credentials.headers()})
        context = ssl.create_default_context(cafile=self.credentials.ca_file) if url.startswith("https:") else None
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as resp:
                body = resp.read(MAX_RESPONSE + 1)
        except urllib.error.HTTPError as exc:
            raise ServerError(self._http_problem(path, exc)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                reason = f"no answer within {timeout:.0f}s"
            raise ServerError(f"cannot reach {self.name} at {self.base_url}: {reason}") from None
        if len(body) > MAX_RESPONSE:
            raise ServerError(f"{self.name} answered {path} with more than {MAX_RESPONSE // 2**20} MiB")
        try:
            return json.loads(body)
        except ValueError:
            raise ServerError(
                f"{self.base_url}{path} did not answer JSON: is {self.base_url} the {self.name} API?"
            ) from None

    def prometheus(self, path: str, params: Sequence[tuple[str, str]] = ()) -> Any:
        """The ``data`` of a Prometheus API answer (``/api/v1/...``)."""
        doc = self.get(path, params)
        if not isinstance(doc, dict) or doc.get("status") not in ("success", "error"):
            raise ServerError(f"{self.base_url}{path} is not a Prometheus API answer: is {self.base_url} Prometheus?")
        if doc["status"] == "error":
            raise ServerError(f"{self.name} refused {path}: {doc.get('errorType', '')}: {doc.get('error', '')}")
        return doc.get("data")

    def prometheus_each(self, path: str, matches: Sequence[str], params: Sequence[tuple[str, str]] = ()) -> list[Any]:
        """:meth:`prometheus` once per chunk of ``match[]`` selectors that fits in a URL."""
        chunks: list[list[str]] = [[]]
        size = 0
        for m in matches:
            cost = len(urllib.parse.quote(m)) + 10
            if chunks[-1] and size + cost > MAX_URL:
                chunks.append([])
                size = 0
            chunks[-1].append(m)
            size += cost
        return [self.prometheus(path, [*(("match[]", m) for m in chunk), *params]) for chunk in chunks if chunk]

    def _http_problem(self, path: str, exc: urllib.error.HTTPError) -> str:
        where = f"{self.name} at {self.base_url}"
        if exc.code in (401, 403):
            return f"{where} refused {path} with HTTP {exc.code}: give credentials (--token-file or --basic-auth-file)"
        if exc.code == 404:
            return f"{where} has no {path} (HTTP 404): is {self.base_url} the {self.name} API, with its path prefix?"
        try:
            detail = json.loads(exc.read(4096) or b"{}").get("error", "")
        except (ValueError, AttributeError, OSError):
            detail = ""
        return f"{where} answered {path} with HTTP {exc.code}" + (f": {detail}" if detail else "")
