"""End to end: the real Alertmanager, fed alerts through its v2 API, delivers each one to exactly the
receivers the routing table expects, and holds back the alerts inhibition should mute.

Every receiver of tests/alertmanager/e2e-cluster.yaml is a webhook to a local HTTP server, at a path
named after the receiver; group_wait/group_interval of 1s keep the run to a few seconds.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from guardiangen.plan.model import RulesPlan
from guardiangen.plan.routing import expected_receivers, routing_table
from guardiangen.spec.models import ClusterSpec
from tests.alertmanager.helpers import E2E_SPEC, binary, load_data, render_to, spec_of

pytestmark = pytest.mark.e2e

CASE = "e2e_case"  # label naming the test case of each posted alert; no route or rule looks at it
DEADLINE = 20.0  # seconds; a healthy run needs 2-3


@dataclass
class Sink:
    """A local webhook endpoint: records (path, receiver, alert case) for every firing alert delivered."""

    server: ThreadingHTTPServer
    deliveries: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def by_case(self) -> dict[str, list[str]]:
        with self.lock:
            out: dict[str, list[str]] = {}
            for path, receiver, case in self.deliveries:
                assert path == f"/{receiver}", f"receiver {receiver} posted to {path}"
                out.setdefault(case, []).append(receiver)
            return {case: sorted(receivers) for case, receivers in out.items()}


@pytest.fixture
def sink() -> Iterator[Sink]:
    holder: list[Sink] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            s = holder[0]
            with s.lock:
                for alert in body["alerts"]:
                    if alert["status"] == "firing":
                        s.deliveries.append((self.path, body["receiver"], alert["labels"].get(CASE, "?")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(Sink(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read() or b"null")


def _post(url: str, payload: Any) -> None:
    req = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200


def _wait(what: str, ok: Callable[[], bool], describe: Callable[[], str], deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if ok():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {deadline}s waiting for {what}\n{describe()}")


@dataclass
class Running:
    url: str
    spec: ClusterSpec
    log: Path

    def log_tail(self) -> str:
        return "alertmanager log (tail):\n" + "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


@pytest.fixture
def alertmanager(tmp_path: Path, sink: Sink) -> Iterator[Running]:
    exe = binary("prometheus-alertmanager")
    text = E2E_SPEC.read_text(encoding="utf-8").replace("http://127.0.0.1:9/", f"http://127.0.0.1:{sink.port}/")
    (tmp_path / "e2e-cluster.yaml").write_text(text, encoding="utf-8")
    spec = spec_of(load_data(tmp_path / "e2e-cluster.yaml"), tmp_path)
    config = render_to(spec, tmp_path / "out")
    log = tmp_path / "alertmanager.log"
    for _attempt in range(3):  # a free port can be taken between probing and binding; retry then
        port = _free_port()
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [
                    exe,
                    f"--config.file={config}",
                    f"--storage.path={tmp_path / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--cluster.listen-address=",  # no gossip: a single instance, no settle wait
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        running = Running(f"http://127.0.0.1:{port}", spec, log)
        try:
            if _ready(running, proc):
                yield running
                return
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if "address already in use" not in log.read_text(errors="replace"):
            break
    pytest.fail(f"Alertmanager did not become ready\n{running.log_tail()}")


def _ready(running: Running, proc: subprocess.Popen[bytes]) -> bool:
    end = time.monotonic() + 15
    while time.monotonic() < end and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{running.url}/-/ready", timeout=1) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.05)
    return False


def _cases(spec: ClusterSpec) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]], set[str]]:
    """(inhibiting sources, other alerts, cases that must be inhibited), each alert by case name."""
    alerts: dict[str, dict[str, str]] = {}
    for i, row in enumerate(routing_table(spec, RulesPlan())):
        alerts[f"row{i:02d}"] = {**dict(row.labels), "alertname": f"E2ERow{i:02d}"}
    base = {**spec.metadata.alert_labels, "team": "ml-core", "component": "specialist"}
    sources = {
        "critical": {**base, "alertname": "E2EInhibit", "severity": "critical", "specialist": "alpha"},
        "page": {**base, "alertname": "E2EBurnPage", "severity": "critical", "burn_tier": "page",
                 "slo": "alpha-availability", "specialist": "alpha"},
    }  # fmt: skip
    alerts.update(
        {
            # Same alertname and specialist as the critical one: muted.
            "warning-muted": {**sources["critical"], "severity": "warning"},
            # Another specialist: delivered.
            "warning-other": {**sources["critical"], "severity": "warning", "specialist": "beta"},
            # Ticket tier of the SLO whose page tier fires: muted; of another SLO: delivered.
            "ticket-muted": {**sources["page"], "alertname": "E2EBurnTicket", "severity": "warning",
                             "burn_tier": "ticket"},
            "ticket-other": {**sources["page"], "alertname": "E2EBurnTicket", "severity": "warning",
                             "burn_tier": "ticket", "slo": "beta-availability", "specialist": "beta"},
        }
    )  # fmt: skip
    return sources, alerts, {"warning-muted", "ticket-muted"}


def _payload(cases: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    return [
        {"labels": {**labels, CASE: case}, "annotations": {"summary": f"e2e {case}"}}
        for case, labels in sorted(cases.items())
    ]


def test_alerts_reach_exactly_their_receivers(alertmanager: Running, sink: Sink) -> None:
    started = time.monotonic()
    spec = alertmanager.spec
    sources, others, muted = _cases(spec)
    everything = {**sources, **others}
    expected = {
        case: sorted(expected_receivers(spec.alerting, labels))
        for case, labels in everything.items()
        if case not in muted
    }
    assert len(expected) >= 15 and len(set(map(tuple, expected.values()))) >= 6  # many distinct routings

    # Sources first, so the inhibitor knows them before the targets' groups flush.
    _post(f"{alertmanager.url}/api/v2/alerts", _payload(sources))
    _post(f"{alertmanager.url}/api/v2/alerts", _payload(others))

    def suppressed() -> set[str]:
        alerts = _get(f"{alertmanager.url}/api/v2/alerts")
        return {a["labels"][CASE] for a in alerts if a["status"]["inhibitedBy"]}

    def report() -> str:
        got = sink.by_case()
        diff = {c: (expected.get(c, []), got.get(c, [])) for c in sorted(set(expected) | set(got))}
        lines = [f"  {c}: expected {e}, got {g}" for c, (e, g) in diff.items() if e != g]
        return "mismatches (expected, delivered):\n" + "\n".join(lines) + "\n" + alertmanager.log_tail()

    _wait("every expected delivery", lambda: all(sink.by_case().get(c) == r for c, r in expected.items()), report)
    _wait("inhibition of the muted alerts", lambda: suppressed() == muted, lambda: f"suppressed: {suppressed()}")
    # The muted alerts' groups flush together with the others; give a straggler one more group_wait.
    time.sleep(1.2)
    assert sink.by_case() == expected, report()
    assert time.monotonic() - started < 30
