"""`guardiangen doctor` against real Prometheus and Alertmanager servers (see conftest.py).

Each state is checked by what doctor reports and where: the codes it finds must be exactly the
faults the state injected (no finding is allowed to come from a healthy part of the cluster), each
positioned at the spec line or rendered file that the fault concerns.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.doctor.conftest import REPLICA_JOB, Stack, run_doctor, spec_position
from tests.e2e.processes import free_port

pytestmark = pytest.mark.e2e

REMOVED_METRIC = "specialist_timeouts_total"  # the rules' SpecialistTimeoutsHigh reads it
RENAMED = ('guardian_type="watcher"', 'guardian_type="watcher-v2"')
DROPPED_BUCKET = re.compile(
    r'^specialist_request_duration_seconds_bucket\{[^}]*specialist_type="beta-svc"[^}]*le="1\.0"[^}]*\} .*\n', re.M
)
UNLOADED = "node"  # the rules file the stale Prometheus is not given
RETYPED = ("# TYPE specialist_tokens_per_second gauge", "# TYPE specialist_tokens_per_second counter")


def drift(text: str) -> str:
    """The exposition of a cluster that moved away from its spec."""
    gone = (REMOVED_METRIC, f"# HELP {REMOVED_METRIC} ", f"# TYPE {REMOVED_METRIC} ")
    text = "".join(line + "\n" for line in text.splitlines() if not line.startswith(gone))
    return DROPPED_BUCKET.sub("", text).replace(*RENAMED).replace(*RETYPED)


def older_spec(text: str) -> str:
    """The spec as it was when the deployed files were rendered: another threshold, another route."""
    assert "error_ratio_max_percent: 5" in text and "receivers: [gpu-ops]" in text
    return text.replace("error_ratio_max_percent: 5", "error_ratio_max_percent: 10").replace(
        "receivers: [gpu-ops]", "receivers: [pager]"
    )


def _servers(stack: Stack, *extra: str) -> list[str]:
    args = ["--prometheus", stack.prometheus.url, "--format", "json", *extra]
    return args + (["--alertmanager", stack.alertmanager.url] if stack.alertmanager else [])


def _codes(findings: list[dict[str, Any]]) -> set[str]:
    return {f["code"] for f in findings}


def _one(findings: list[dict[str, Any]], code: str, needle: str) -> dict[str, Any]:
    matching = [f for f in findings if f["code"] == code and needle in f["message"]]
    assert len(matching) == 1, f"{code} with {needle!r}: {matching or findings}"
    return matching[0]


@pytest.fixture(scope="module")
def healthy(stack_factory: Callable[..., Stack]) -> Stack:
    return stack_factory("healthy")


@pytest.fixture(scope="module")
def drifted(stack_factory: Callable[..., Stack]) -> Stack:
    return stack_factory("drifted", rewrite=drift, with_alertmanager=False, replica_goes_down=True)


@pytest.fixture(scope="module")
def stale(stack_factory: Callable[..., Stack]) -> Stack:
    return stack_factory("stale", deployed_from=older_spec, unloaded=UNLOADED)


def test_healthy_cluster_has_no_findings(healthy: Stack) -> None:
    run = run_doctor(healthy.spec, *_servers(healthy))
    assert (run.code, run.findings) == (0, []), run.stdout + run.stderr
    text = run_doctor(healthy.spec, "--prometheus", healthy.prometheus.url, "--alertmanager", healthy.alertmanager.url)  # type: ignore[union-attr]
    assert text.code == 0 and "Prometheus and Alertmanager match" in text.stdout, text.stdout + text.stderr


def test_drifted_cluster_names_each_fault_at_its_spec_line(drifted: Stack) -> None:
    run = run_doctor(drifted.spec, *_servers(drifted))
    assert run.code == 1, run.stdout + run.stderr
    findings = run.findings
    assert _codes(findings) == {"GG702", "GG703", "GG704", "GG705", "GG709"}, findings
    spec = str(drifted.spec)

    removed = _one(findings, "GG702", REMOVED_METRIC)
    assert (removed["path"], removed["line"], removed["col"]) == (
        spec,
        *spec_position(drifted.spec, r"^(specialists):"),
    )
    assert "SpecialistTimeoutsHigh" in removed["message"]

    renamed = _one(findings, "GG704", 'guardian_type="watcher"')
    assert (renamed["path"], renamed["line"], renamed["col"]) == (
        spec,
        *spec_position(drifted.spec, r"- name: (watcher)"),
    )
    assert 'did you mean "watcher-v2"?' in renamed["message"], renamed

    bucket = _one(findings, "GG705", "le=1")
    assert (bucket["line"], bucket["col"]) == spec_position(drifted.spec, r"threshold_seconds: (1)$")
    assert 'specialist_type="beta-svc"' in bucket["message"], bucket
    assert "its buckets: 0.1, 0.5, 2.0, 5.0," in bucket["message"], bucket  # the served ones, 1.0 dropped

    down = _one(findings, "GG709", f'of job "{REPLICA_JOB}" is down')
    # the first spec value a selector of its series takes: the first specialist's SLO rules select it
    assert (down["line"], down["col"]) == spec_position(drifted.spec, r"- name: (alpha)")
    assert "it exports specialist_requests_total, which the rules read" in down["message"], down

    retyped = _one(findings, "GG703", "specialist_tokens_per_second")
    assert "counter on Prometheus" in retyped["message"] and "gauge in guardiangen's catalog" in retyped["message"]


def test_stale_deployment_is_named_with_the_rendered_files(stale: Stack) -> None:
    run = run_doctor(stale.spec, *_servers(stale, "--out", "deploy/out"))
    assert run.code == 1, run.stdout + run.stderr
    findings = run.findings
    assert _codes(findings) == {"GG706", "GG707", "GG710"}, findings
    unloaded = [f for f in findings if f["code"] == "GG706"]
    assert unloaded and all(f["path"] == f"deploy/out/prometheus/rules/{UNLOADED}.yml" for f in unloaded), unloaded
    assert all(
        "is not loaded on Prometheus: add deploy/out/prometheus/rules/node.yml" in f["message"] for f in unloaded
    )
    rules = [f for f in findings if f["code"] == "GG707"]
    assert all(f["path"].startswith("deploy/out/prometheus/rules/") and f["line"] > 0 for f in rules), rules
    assert any("SpecialistErrorRatioHigh: expression and annotations differ" in f["message"] for f in rules), rules
    (am,) = [f for f in findings if f["code"] == "GG710"]
    assert am["path"] == "deploy/out/alertmanager/alertmanager.yml"
    assert 'receiver: loaded "pager", rendered "gpu-ops"' in am["message"], am


def test_unreachable_server_is_one_finding_without_traceback(healthy: Stack) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    run = run_doctor(healthy.spec, "--prometheus", url)
    assert run.code == 1 and "Traceback" not in run.stderr + run.stdout, run.stderr
    assert run.stdout.startswith(f"{url}: error[GG701] series: cannot reach Prometheus at {url}: "), run.stdout
    assert "1 error(s), 0 warning(s)" in run.stdout


def test_a_server_that_is_not_prometheus_is_named(healthy: Stack) -> None:
    assert healthy.alertmanager is not None
    run = run_doctor(healthy.spec, "--prometheus", healthy.alertmanager.url, "--format", "json")
    assert run.code == 1, run.stderr
    (finding,) = run.findings
    assert finding["code"] == "GG701" and "Prometheus API" in finding["message"], finding


def test_request_budget_stops_with_what_was_not_checked(healthy: Stack) -> None:
    run = run_doctor(healthy.spec, *_servers(healthy, "--max-requests", "2"))
    assert run.code == 1, run.stdout + run.stderr
    (finding,) = run.findings
    assert finding["code"] == "GG711"
    assert "request budget (2)" in finding["message"] and "not checked: label values" in finding["message"], finding


def test_github_format_and_fail_on(drifted: Stack) -> None:
    run = run_doctor(drifted.spec, "--prometheus", drifted.prometheus.url, "--format", "github")
    assert run.code == 1
    assert all(line.startswith("::error file=") for line in run.stdout.splitlines()), run.stdout


def test_a_server_that_never_answers_ends_the_run_at_the_timeout(healthy: Stack) -> None:
    with socket.socket() as silent:  # accepts connections into its backlog and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        run = run_doctor(healthy.spec, "--prometheus", url, "--timeout", "3", "--format", "json")
    assert run.code == 1, run.stderr
    (finding,) = run.findings
    assert finding["code"] == "GG701" and "no answer within 3s" in finding["message"], finding


@contextmanager
def _serving(answer: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A loopback HTTP server whose every GET is ``answer``; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_credentials_come_from_a_file_and_a_refusal_says_so(healthy: Stack, tmp_path: Path) -> None:
    seen: list[str | None] = []

    def refuse(request: BaseHTTPRequestHandler) -> None:
        seen.append(request.headers.get("Authorization"))
        request.send_response(401)
        request.end_headers()

    token = tmp_path / "token"
    token.write_text("s3cret\n")
    with _serving(refuse) as url:
        run = run_doctor(healthy.spec, "--prometheus", url, "--token-file", str(token), "--format", "json")
        unauthenticated = run_doctor(healthy.spec, "--prometheus", url, "--format", "json")
    assert seen == ["Bearer s3cret", None]
    assert [f["code"] for f in run.findings] == ["GG701"] and "HTTP 401" in run.findings[0]["message"]
    assert "give credentials" in unauthenticated.findings[0]["message"]
    missing = run_doctor(healthy.spec, "--prometheus", url, "--token-file", str(tmp_path / "absent"))
    assert missing.code == 2 and "--token-file: cannot read" in missing.stderr, missing.stderr


def test_answers_of_another_shape_are_findings_not_tracebacks(healthy: Stack) -> None:
    def odd(request: BaseHTTPRequestHandler) -> None:  # valid JSON, the API's envelope, no API's payload
        body = b'{"status": "success", "data": 5}'
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    with _serving(odd) as url:
        run = run_doctor(healthy.spec, "--prometheus", url, "--alertmanager", url, "--format", "json")
    assert run.code == 1 and "Traceback" not in run.stderr, run.stderr
    assert run.findings and {f["code"] for f in run.findings} == {"GG701"}, run.findings
    assert any("answered in a shape its API does not have" in f["message"] for f in run.findings), run.findings
