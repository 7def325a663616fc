"""End to end on the real servers: Prometheus loads the generated rules, scrapes the synthetic
exporter (tests/e2e/scenario.py), evaluates every rule cleanly, raises exactly the alerts the
scenario's faults call for, and the real Alertmanager, configured from the generated
alertmanager.yml, delivers each firing one to the webhook receivers the spec's routes name.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest

from guardiangen.catalog.model import MetricType
from guardiangen.plan.routing import expected_receivers
from tests.e2e import exporter as exporter_mod
from tests.e2e import scenario
from tests.e2e.conftest import Rendered
from tests.e2e.processes import Server, get_json, require_binary, wait_for
from tests.e2e.webhook import WebhookSink

pytestmark = pytest.mark.e2e

DEADLINE = 30.0  # seconds per wait; a healthy run needs a few
SHORT_GROUP_SECONDS = 10  # groups evaluated at least this often must have run before the rules are judged
# Labels that tell this scenario's alerts apart and say where they go. `instance` (the exporter's
# address, a new port each run) is left out; annotations are not compared.
KEY_LABELS = (
    "alertname",
    "severity",
    "team",
    "component",
    "specialist",
    "guardian",
    "slo",
    "burn_tier",
    "Hostname",
    "UUID",
)

Key = tuple[tuple[str, str], ...]
State = Literal["firing", "pending"]


@dataclass(frozen=True)
class Expected:
    alert: str  # without the spec's alert_name_prefix
    labels: Mapping[str, str]  # every key label besides alertname
    state: State = "firing"
    # Where the test spec's routes send it, read off by hand (a pending alert goes nowhere).
    receivers: tuple[str, ...] = field(default=())


_ALPHA = {"component": "specialist", "specialist": "alpha", "team": "ml-core"}
_WATCHER = {"component": "guardian", "guardian": "watcher", "team": "guardian-ops"}
_HOT_NODE, _HOT_INDEX = scenario.HOT_GPU

EXPECTED: tuple[Expected, ...] = (
    # alpha: 20% errors, 5% timeouts. Routes: (critical, ml-core) -> ml-core-pager; ml-core -> ml-core-chat.
    Expected("SpecialistErrorRatioHigh", {**_ALPHA, "severity": "warning"}, receivers=("ml-core-chat",)),
    Expected("SpecialistTimeoutsHigh", {**_ALPHA, "severity": "critical"}, receivers=("ml-core-pager",)),
    # ... and burns its 99% availability SLO's budget 20x: the page tier (critical) fires at once.
    Expected("ErrorBudgetBurn", {**_ALPHA, "severity": "critical", "slo": "alpha-availability", "burn_tier": "page"},
             receivers=("ml-core-pager",)),
    # watcher evaluates nothing of beta's. No team route for guardian-ops: by severity, pager or chat.
    Expected("GuardianEvaluationsMissing", {**_WATCHER, "specialist": "beta", "severity": "critical"},
             receivers=("pager",)),
    Expected("GuardianCoverageLow", {**_WATCHER, "severity": "warning"}, receivers=("chat",)),
    # GPU faults: the spec cannot shorten a GPU alert's `for:` (5m, 10m), so these are only pending.
    Expected(
        "GpuTemperatureHigh",
        {"component": "gpu", "severity": "warning", "Hostname": _HOT_NODE,
         "UUID": scenario.gpu_uuid(_HOT_NODE, _HOT_INDEX)},
        state="pending",
    ),
    Expected(
        "GpusMissing",
        {"component": "gpu", "severity": "warning", "Hostname": "gpu-02.e2e.internal"},
        state="pending",
    ),
)  # fmt: skip


def key_of(labels: Mapping[str, str]) -> Key:
    return tuple(sorted((k, v) for k, v in labels.items() if k in KEY_LABELS))


def expected_by_key(rendered: Rendered) -> dict[Key, Expected]:
    prefix = rendered.spec.defaults.alert_name_prefix
    return {key_of({**e.labels, "alertname": prefix + e.alert}): e for e in EXPECTED}


def api(server: Server, path: str) -> Any:
    body = get_json(server.url + path)
    assert body["status"] == "success", body
    return body["data"]


def fmt(states: Mapping[Key, str]) -> str:
    return "\n".join(f"  {state:8} {dict(key)}" for key, state in sorted(states.items())) or "  (none)"


def diff(want: Mapping[Key, str], got: Mapping[Key, str]) -> str:
    """What differs between the expected and the active alerts, then both in full."""
    missing = {k: v for k, v in want.items() if k not in got}
    extra = {k: v for k, v in got.items() if k not in want}
    state = {k: f"{got[k]} (expected {v})" for k, v in want.items() if k in got and got[k] != v}
    return (
        f"missing:\n{fmt(missing)}\nunexpected:\n{fmt(extra)}\nin another state:\n{fmt(state)}\n"
        f"expected:\n{fmt(want)}\nactive:\n{fmt(got)}"
    )


def wait_scraped(prometheus: Server) -> None:
    def up() -> bool | None:
        targets = api(prometheus, "/api/v1/targets")["activeTargets"]
        return True if targets and all(t["health"] == "up" for t in targets) else None

    wait_for("the exporter target to be up", up, lambda: str(api(prometheus, "/api/v1/targets")), DEADLINE)


def query_error(prometheus: Server, expr: str) -> str | None:
    """The error of an instant query of ``expr`` (None when it evaluates)."""
    url = f"{prometheus.url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    try:
        body = get_json(url)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}: {exc.read().decode(errors='replace')}"
    return None if body["status"] == "success" else str(body)


def instant(prometheus: Server, expr: str) -> list[Any]:
    """The result of an instant query of ``expr`` now."""
    result: list[Any] = api(prometheus, f"/api/v1/query?{urllib.parse.urlencode({'query': expr})}")["result"]
    return result


def active_alerts(prometheus: Server) -> dict[Key, str]:
    """Every pending or firing alert, by key: its state."""
    out: dict[Key, str] = {}
    for a in api(prometheus, "/api/v1/alerts")["alerts"]:
        key = key_of(a["labels"])
        assert key not in out, f"two active alerts share the key {dict(key)}: add a label to KEY_LABELS"
        out[key] = a["state"]
    return out


# ---------------------------------------------------------------------------------------- tests


def test_scenario_serves_every_catalog_metric(rendered: Rendered) -> None:
    """The exporter stands in for every real one: each catalog metric is served, as the catalog types it."""
    served = scenario.build(rendered.spec)
    assert exporter_mod.check(rendered.catalog, served) == []
    assert {s.metric for s in served} == {m.name for m in rendered.catalog if m.exporter != "prometheus"}
    text = exporter_mod.exposition(rendered.catalog, served, elapsed=10.0)
    for m in rendered.catalog:
        if m.type is MetricType.HISTOGRAM:
            assert f"{m.name}_bucket{{" in text and 'le="+Inf"' in text


def test_a_missing_server_binary_fails_the_run() -> None:
    """CI installs the servers; without one the e2e run must fail loudly, never skip."""
    with pytest.raises(pytest.fail.Exception, match="install the Debian package `no-such-package`"):
        require_binary("guardiangen-no-such-server", "no-such-package")


def test_every_rule_evaluates_cleanly(prometheus: Server, rendered: Rendered) -> None:
    """All rendered groups load, and every rule evaluates with health "ok" and no error."""
    bad = unhealthy_rules(prometheus, rendered)
    assert not bad, "rules that fail to evaluate:\n" + "\n".join(bad)


def unhealthy_rules(prometheus: Server, rendered: Rendered) -> list[str]:
    """Every rule of the rendered groups that does not evaluate cleanly, once the frequent groups ran.

    A group whose interval is longer than the run (the SLO "long" groups: 2m at least) first runs at
    an offset Prometheus derives from a hash of its name, anywhere in that interval. Until it has
    run, each of its rules' expressions goes through the query API instead, against the same data.
    """
    rendered_groups = rendered.rule_groups()
    assert rendered_groups, f"no rule groups in {rendered.rule_files}: nothing to run end to end"
    wait_scraped(prometheus)

    def groups() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = api(prometheus, "/api/v1/rules")["groups"]
        return found

    def evaluated() -> list[dict[str, Any]] | None:
        found = groups()
        # A rule's health is "unknown" until its first evaluation.
        short = [g for g in found if g["interval"] <= SHORT_GROUP_SECONDS]
        return found if short and all(r["health"] != "unknown" for g in short for r in g["rules"]) else None

    loaded = wait_for("every frequent rule group to be evaluated", evaluated, lambda: str(groups()), DEADLINE)
    assert {g["name"]: len(g["rules"]) for g in loaded} == rendered_groups
    bad: list[str] = []
    for g in loaded:
        for r in g["rules"]:
            where = f"{g['name']} / {r['name']}"
            if r["health"] == "unknown":
                error = query_error(prometheus, r["query"])
                if error:
                    bad.append(f"{where} (not run yet, queried): {error}")
            elif r["health"] != "ok" or r.get("lastError"):
                bad.append(f"{where}: health={r['health']} error={r.get('lastError', '')}")
    return bad


def test_exactly_the_expected_alerts_fire(prometheus: Server, rendered: Rendered) -> None:
    """The faults raise their alerts (firing, or pending where `for:` is long), and no other alert is active."""
    want = {key: e.state for key, e in expected_by_key(rendered).items()}
    wait_scraped(prometheus)

    def describe() -> str:
        return diff(want, active_alerts(prometheus))

    wait_for(
        "exactly the expected alerts to be active",
        lambda: True if active_alerts(prometheus) == want else None,
        describe,
        DEADLINE,
    )
    # Steady state: a few evaluations later still exactly these, none resolved, none added.
    time.sleep(3 * rendered.spec.defaults.rule_evaluation_interval.ms / 1000)
    assert active_alerts(prometheus) == want, describe()

    # Alerting rules of a group that has not run yet (see test_every_rule_evaluates_cleanly) cannot be
    # in the API's list; their expressions must select nothing now, or they would fire later.
    groups = api(prometheus, "/api/v1/rules?type=alert")["groups"]
    waiting = [r for g in groups for r in g["rules"] if r["health"] == "unknown"]
    loud = {r["name"]: found for r in waiting if (found := instant(prometheus, r["query"]))}
    assert not loud, f"alerts not evaluated yet whose expressions select series: {loud}"

    # Prometheus expanded every annotation template against the real series without an error.
    for a in api(prometheus, "/api/v1/alerts")["alerts"]:
        notes = a["annotations"]
        assert {"summary", "description", "runbook_url"} <= set(notes), a
        broken = {k: v for k, v in notes.items() if "error expanding template" in v or "{{" in v or "<no value>" in v}
        assert not broken, f"{a['labels']['alertname']}: {broken}"


def test_firing_alerts_reach_their_receivers(
    prometheus: Server, alertmanager: Server, sink: WebhookSink, rendered: Rendered
) -> None:
    """Prometheus hands the firing alerts to Alertmanager, which delivers each to exactly its routed receivers."""
    want = {key: set(e.receivers) for key, e in expected_by_key(rendered).items() if e.state == "firing"}

    def delivered() -> dict[Key, set[str]]:
        out: dict[Key, set[str]] = {}
        for d in sink.snapshot():
            assert d.path == f"/{d.receiver}", f"receiver {d.receiver} posted to {d.path}"
            if d.status == "firing":
                out.setdefault(key_of(dict(d.labels)), set()).add(d.receiver)
        return out

    def describe() -> str:
        got = delivered()
        lines = [f"  {dict(k)}: expected {sorted(want.get(k, ()))}, got {sorted(got.get(k, ()))}" for k in want | got]
        held = [a["labels"] for a in get_json(alertmanager.url + "/api/v2/alerts")]
        return "deliveries:\n" + "\n".join(lines) + f"\nAlertmanager holds: {held}"

    wait_for("every expected delivery", lambda: True if delivered() == want else None, describe, DEADLINE)

    # Alertmanager holds exactly the firing alerts, none inhibited, and routes each where the spec's
    # routing semantics (evaluated on the real labels) and the hand-written expectation agree.
    held = get_json(alertmanager.url + "/api/v2/alerts")
    assert {key_of(a["labels"]) for a in held} == set(want), describe()
    cluster = rendered.spec.metadata.alert_labels
    for a in held:
        assert cluster.items() <= a["labels"].items(), f"without the spec's alert_labels {cluster}: {a['labels']}"
        receivers = want[key_of(a["labels"])]
        assert set(expected_receivers(rendered.spec.alerting, a["labels"])) == receivers, a["labels"]
        assert {r["name"] for r in a["receivers"]} == receivers, a
        assert a["status"]["state"] == "active" and not a["status"]["inhibitedBy"], a
    # A group flush after the last delivery brings nothing new.
    time.sleep(2 * rendered.spec.alerting.group_interval.ms / 1000)
    assert delivered() == want, describe()
