"""Fixtures of the end-to-end run: the test spec rendered, a webhook sink, the synthetic exporter, and
real Alertmanager and Prometheus processes on loopback, started once per module and always stopped.

A failing test gets the tail of every running server's log attached to its report.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from guardiangen import pipeline
from guardiangen.catalog import Catalog
from guardiangen.render.prometheus import RULES_DIR
from guardiangen.spec.models import ClusterSpec
from tests.alertmanager.helpers import load_data, render_to
from tests.e2e import exporter as exporter_mod
from tests.e2e import scenario, webhook
from tests.e2e.processes import STARTED, Server, ServerSpec, require_binary, start

HERE = Path(__file__).resolve().parent
E2E_SPEC = HERE / "e2e-cluster.yaml"

# The exporter "has been running" this long when the test starts, and Prometheus gets that past
# backfilled: `rate(x[5m])` divides by the whole 5 minutes, so over a TSDB only seconds old it
# reads a fraction of the true rate (an idle CPU looks 99% busy). Longer than every range the rules
# take over raw series (5m rates, 10m XID changes). The SLO windows sum recorded 5m rates, which
# exist from Prometheus' start on; being ratios of sums, a short past does not skew them.
HISTORY_SECONDS = 15 * 60
HISTORY_STEP = 15.0
JOB = "e2e-exporter"  # scrape job of the exporter


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when == "call" and report.failed:
        for server in STARTED:
            report.sections.append((f"{server.name} log", server.log_report()))


@dataclass(frozen=True)
class Rendered:
    spec: ClusterSpec
    catalog: Catalog
    out: Path

    @property
    def rule_files(self) -> list[Path]:
        return sorted((self.out / RULES_DIR).glob("*.yml"))

    def rule_groups(self) -> dict[str, int]:
        """Rule count of every group in the rendered rule files, by group name."""
        return {g["name"]: len(g["rules"]) for f in self.rule_files for g in load_data(f)["groups"]}

    @property
    def alertmanager_config(self) -> Path:
        return self.out / "alertmanager" / "alertmanager.yml"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def sink() -> Iterator[webhook.WebhookSink]:
    s = webhook.serve()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def rendered(workdir: Path, sink: webhook.WebhookSink) -> Rendered:
    """The test spec with its receivers pointed at the sink, validated and rendered as `guardiangen render` does."""
    text = E2E_SPEC.read_text(encoding="utf-8").replace(webhook.PLACEHOLDER, sink.url)
    (workdir / "spec").mkdir()
    path = workdir / "spec" / E2E_SPEC.name
    path.write_text(text, encoding="utf-8")
    result = pipeline.validate(str(path))
    assert result.spec is not None, "\n".join(d.format_text() for d in result.diagnostics)
    catalog = pipeline.catalog(result.spec)
    out = workdir / "out"
    render_to(result.spec, out)
    return Rendered(result.spec, catalog, out)


@pytest.fixture(scope="module")
def exporter(rendered: Rendered) -> Iterator[exporter_mod.Exporter]:
    e = exporter_mod.serve(rendered.catalog, scenario.build(rendered.spec), origin=time.time() - HISTORY_SECONDS)
    try:
        yield e
    finally:
        e.stop()


@pytest.fixture(scope="module")
def alertmanager(workdir: Path, rendered: Rendered) -> Iterator[Server]:
    exe = require_binary("prometheus-alertmanager", "prometheus-alertmanager")
    server = start(
        ServerSpec(
            name="alertmanager",
            argv=lambda port: [
                exe,
                f"--config.file={rendered.alertmanager_config}",
                f"--storage.path={workdir / 'alertmanager-data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",  # a single instance: no gossip, no settle wait
            ],
            workdir=workdir,
        )
    )
    try:
        yield server
    finally:
        server.stop()


def prometheus_config(rendered: Rendered, exporter_address: str, alertmanager_url: str) -> dict[str, Any]:
    """prometheus.yml: the rendered rule files, one scrape job for the exporter, our Alertmanager."""
    defaults = rendered.spec.defaults
    return {
        "global": {
            "scrape_interval": str(defaults.scrape_interval),
            # A scrape may take at most one interval (the default 10s would be refused as too long).
            "scrape_timeout": str(defaults.scrape_interval),
            "evaluation_interval": str(defaults.rule_evaluation_interval),
        },
        "rule_files": [str(p) for p in rendered.rule_files],
        "alerting": {
            "alertmanagers": [
                {
                    "api_version": "v2",
                    "static_configs": [{"targets": [alertmanager_url.removeprefix("http://")]}],
                }
            ]
        },
        "scrape_configs": [
            {
                "job_name": JOB,
                # Keep what the exporter says where it clashes with target labels (nvidia_smi's
                # host is `instance`); DCGM's `Hostname` is kept either way.
                "honor_labels": True,
                "static_configs": [{"targets": [exporter_address]}],
            }
        ],
    }


def backfill(rendered: Rendered, exporter: exporter_mod.Exporter, data: Path, workdir: Path) -> None:
    """Write the exporter's past (from its origin until now) into Prometheus' TSDB as blocks."""
    promtool = require_binary("promtool", "prometheus")
    source = workdir / "history.om"
    source.write_text(
        exporter_mod.history(
            rendered.catalog,
            exporter.series,
            exporter.origin,
            time.time(),
            HISTORY_STEP,
            {"job": JOB, "instance": exporter.address},
        )
    )
    proc = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, f"promtool backfill failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def prometheus(
    workdir: Path, rendered: Rendered, exporter: exporter_mod.Exporter, alertmanager: Server
) -> Iterator[Server]:
    exe = require_binary("prometheus", "prometheus")
    data = workdir / "prometheus-data"
    backfill(rendered, exporter, data, workdir)
    config = workdir / "prometheus.yml"
    # JSON is YAML; Prometheus reads it as its config.
    config.write_text(json.dumps(prometheus_config(rendered, exporter.address, alertmanager.url), indent=2))
    server = start(
        ServerSpec(
            name="prometheus",
            argv=lambda port: [
                exe,
                f"--config.file={config}",
                f"--storage.tsdb.path={data}",
                f"--web.listen-address=127.0.0.1:{port}",
                # Re-send firing alerts every second, not every minute: a first send that raced the
                # Alertmanager is repeated at once. Rules and their `for:` are untouched.
                "--rules.alert.resend-delay=1s",
            ],
            workdir=workdir,
        )
    )
    try:
        yield server
    finally:
        server.stop()
