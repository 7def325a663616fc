"""Real Prometheus and Alertmanager servers on loopback for ``guardiangen doctor``, in three states.

The end-to-end test's spec and synthetic exporter are reused (tests/e2e). Each state starts its own
exporter, Prometheus and (where the state needs one) Alertmanager, waits until Prometheus has
scraped the exporter and evaluated every rule once, and stops them all afterwards:

* ``healthy``: the exporter serves every catalog series the spec implies; Prometheus loads the fresh
  render's rules and Alertmanager its configuration;
* ``drifted``: the exporter serves what a cluster that moved away from the spec would: one metric
  gone, a label value renamed, a bucket dropped and a type changed; and a second exporter of the
  rules' series was scraped and is gone (its target down);
* ``stale``: the exporter is healthy, but Prometheus and Alertmanager load the render of an older
  version of the spec (another threshold, another route), and one rules file is not loaded.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from guardiangen import pipeline
from tests.alertmanager.helpers import render_to
from tests.e2e import exporter as exporter_mod
from tests.e2e import scenario
from tests.e2e.conftest import E2E_SPEC, Rendered, prometheus_config, pytest_runtest_makereport  # noqa: F401
from tests.e2e.processes import Server, ServerSpec, get_json, require_binary, start, wait_for

READY_DEADLINE = 60.0  # seconds for the first scrape and the first evaluation of every group


@dataclass(frozen=True)
class Stack:
    """A running state: the spec doctor checks, and the servers."""

    spec: Path
    prometheus: Server
    alertmanager: Server | None


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def findings(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads(self.stdout)
        return data


def run_doctor(spec: Path, *args: str) -> Run:
    """`guardiangen doctor` as a user runs it: a separate process, its exit code and output."""
    proc = subprocess.run(
        [sys.executable, "-m", "guardiangen", "doctor", str(spec), *args],
        capture_output=True,
        text=True,
        timeout=180,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def spec_position(spec: Path, pattern: str) -> tuple[int, int]:
    """1-based (line, column) of the value matched by the first group of ``pattern`` in the spec text."""
    for number, line in enumerate(spec.read_text(encoding="utf-8").splitlines(), start=1):
        m = re.search(pattern, line)
        if m:
            return number, m.start(1) + 1
    raise AssertionError(f"{pattern!r} is not in {spec}")


def write_spec(workdir: Path, name: str, edit: Callable[[str], str] = lambda t: t) -> Path:
    text = edit(E2E_SPEC.read_text(encoding="utf-8"))
    path = workdir / name / E2E_SPEC.name
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def rendered(spec: Path, out: Path) -> Rendered:
    result = pipeline.validate(str(spec))
    assert result.spec is not None, "\n".join(d.format_text() for d in result.diagnostics)
    render_to(result.spec, out)
    return Rendered(result.spec, pipeline.catalog(result.spec), out)


def _alertmanager(workdir: Path, config: Path) -> Server:
    exe = require_binary("prometheus-alertmanager", "prometheus-alertmanager")
    return start(
        ServerSpec(
            name=f"alertmanager-{workdir.name}",
            argv=lambda port: [
                exe,
                f"--config.file={config}",
                f"--storage.path={workdir / 'alertmanager-data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            workdir=workdir,
        )
    )


REPLICA_JOB = "e2e-replica"  # a second exporter's job: scraped once, then gone


def _prometheus(
    workdir: Path,
    rules: Rendered,
    exporter: exporter_mod.Exporter,
    alertmanager: str,
    *,
    unloaded: str | None,
    replica: exporter_mod.Exporter | None,
) -> Server:
    exe = require_binary("prometheus", "prometheus")
    config = workdir / "prometheus.yml"
    settings = prometheus_config(rules, exporter.address, alertmanager)
    if unloaded is not None:
        settings["rule_files"] = [f for f in settings["rule_files"] if Path(f).stem != unloaded]
    if replica is not None:
        job = {"job_name": REPLICA_JOB, "honor_labels": True, "static_configs": [{"targets": [replica.address]}]}
        settings["scrape_configs"].append(job)
    config.write_text(json.dumps(settings, indent=2))
    return start(
        ServerSpec(
            name=f"prometheus-{workdir.name}",
            argv=lambda port: [
                exe,
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'prometheus-data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            workdir=workdir,
        )
    )


def _ready(prometheus: Server) -> None:
    """Wait until the exporter was scraped and every group evaluated every few seconds has run once."""

    def evaluated() -> bool | None:
        groups = get_json(prometheus.url + "/api/v1/rules")["data"]["groups"]
        targets = get_json(prometheus.url + "/api/v1/targets")["data"]["activeTargets"]
        scraped = bool(targets) and all(t["health"] == "up" for t in targets)
        # Groups with a long interval (the SLO ticket tiers') are left alone: doctor does not wait either.
        done = groups and all(r.get("health") != "unknown" for g in groups if g["interval"] <= 5 for r in g["rules"])
        return True if scraped and done else None

    wait_for("the first scrape and rule evaluation", evaluated, prometheus.log_report, READY_DEADLINE)


def _target_down(prometheus: Server, job: str) -> None:
    def down() -> bool | None:
        targets = get_json(prometheus.url + "/api/v1/targets")["data"]["activeTargets"]
        return True if any(t["labels"]["job"] == job and t["health"] == "down" for t in targets) else None

    wait_for(f"the target of job {job} to be down", down, prometheus.log_report, READY_DEADLINE)


@pytest.fixture(scope="module")
def stack_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Stack]]:
    """Start a state; everything started is stopped when the module ends."""
    started: list[Any] = []

    def make(
        name: str,
        *,
        deployed_from: Callable[[str], str] = lambda t: t,
        rewrite: Callable[[str], str] | None = None,
        with_alertmanager: bool = True,
        unloaded: str | None = None,
        replica_goes_down: bool = False,
    ) -> Stack:
        """``unloaded``: a rules file Prometheus is not given; ``replica_goes_down``: a second exporter
        (serving ``specialist_requests_total`` only) is scraped, then stopped, so its target is down."""
        workdir = tmp_path_factory.mktemp(f"doctor-{name}")
        spec = write_spec(workdir, "spec")
        fresh = rendered(spec, workdir / "out")
        deployed = rendered(write_spec(workdir, "deployed", deployed_from), workdir / "deployed-out")
        series = scenario.build(fresh.spec, faults=False)
        exporter = exporter_mod.serve(fresh.catalog, series, origin=time.time() - 600, rewrite=rewrite)
        started.append(exporter)
        am = _alertmanager(workdir, deployed.alertmanager_config) if with_alertmanager else None
        if am is not None:
            started.append(am)
        replica = None
        if replica_goes_down:
            requests = [x for x in series if x.metric == "specialist_requests_total"]
            replica = exporter_mod.serve(fresh.catalog, requests, origin=time.time() - 600)
            started.append(replica)
        prom = _prometheus(
            workdir, deployed, exporter, am.url if am else "http://127.0.0.1:9", unloaded=unloaded, replica=replica
        )
        started.append(prom)
        _ready(prom)
        if replica is not None:
            replica.stop()
            started.remove(replica)
            _target_down(prom, REPLICA_JOB)
        return Stack(spec, prom, am)

    try:
        yield make
    finally:
        for thing in reversed(started):
            thing.stop()
