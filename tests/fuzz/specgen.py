"""Hypothesis strategies for random VALID ``cluster.yaml`` documents, built as plain dicts.

Every constraint the spec states (patterns, ranges, uniqueness, references, GPU capacity, bucket
boundaries, version gates) is respected by construction, so a spec drawn here that validation
refuses, or that renders into something our checks or the real tools reject, is a product bug.

The total number of SLOs is capped: each one adds a few hundred promtool test cases to render.
"""

from __future__ import annotations

import io
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

from guardiangen.catalog import build_catalog
from guardiangen.spec.alert_names import (
    GPU_ALERTS,
    GUARDIAN_ALERTS,
    NODE_ALERTS,
    POSTGRES_ALERTS,
    SPECIALIST_ALERTS,
)

Spec = dict[str, Any]

_CATALOG = build_catalog()
LATENCY_BUCKETS: tuple[float, ...] = tuple(_CATALOG.get("specialist_request_duration_seconds").buckets)
SCORE_BUCKETS: tuple[float, ...] = tuple(_CATALOG.get("specialist_quality_score").buckets)
EVALUATION_BUCKETS: tuple[float, ...] = tuple(_CATALOG.get("guardian_evaluation_duration_seconds").buckets)

MAX_SLOS = 3
GUARDIAN_TYPES = ("quality", "safety", "performance", "factuality", "compliance", "bias")
DURATIONS_SHORT = ("15s", "30s", "1m")
OBJECTIVES = (90, 95, 99, 99.5, 99.9, 99.95, 97.5)
PERIODS = ("7d", "28d", "30d")
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# ------------------------------------------------------------------------------------ scalars

name_st = st.from_regex(r"[a-z][a-z0-9]{0,7}([_-][a-z0-9]{1,5}){0,2}", fullmatch=True).filter(lambda s: len(s) <= 30)
label_value_st = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,20}", fullmatch=True)
label_name_st = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
# Free text: printable, single line (the Text pattern: no `$`, `{`, `}`, which Grafana and Go
# templates would interpret), including quotes, YAML indicators and Ruby-looking text.
text_st = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="${}"),
    max_size=40,
).filter(lambda t: not t.startswith(("?", ":", "-"))) | st.sampled_from(
    ["", "plain words", 'say "hi"', "#[x] %y", "a: b - c", "q ? r", "ünïcødé ✓"]
)
# (ruamel, which guardiangen reads with, refuses a flow-context plain scalar starting with an
# indicator such as `?5p` that PyYAML writes; a user's YAML tool may differ, so the strategy avoids it)
percent_st = st.integers(1, 100) | st.sampled_from([0.5, 12.5, 99.9, 0.01])
ratio_st = st.sampled_from([0, 0.05, 0.1, 0.25, 0.5, 0.8, 0.99, 1])
positive_st = st.sampled_from([0.001, 0.05, 0.5, 1, 2, 10, 30, 120, 1500])


def within(buckets: tuple[float, ...]) -> st.SearchStrategy[float | int]:
    """A p95 threshold the histogram can measure: between its first and last finite bucket bound."""
    low, high = round(buckets[0] * 1000), round(buckets[-1] * 1000)
    return st.sampled_from(buckets).map(lambda b: _num(b)) | st.integers(low, high).map(lambda m: _num(m / 1000))


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


# ------------------------------------------------------------------------------------ sections


@st.composite
def slo_common(draw: st.DrawFn) -> Spec:
    out: Spec = {"objective_percent": draw(st.sampled_from(OBJECTIVES))}
    if draw(st.booleans()):
        out["period"] = draw(st.sampled_from(PERIODS))
    if draw(st.booleans()):
        out["burn_alerts"] = {"page": draw(st.booleans()), "ticket": draw(st.booleans())}
    if draw(st.booleans()):
        out["no_data"] = draw(st.sampled_from(["ignore", "alert"]))
    return out


@st.composite
def specialist_thresholds(draw: st.DrawFn) -> Spec:
    out: Spec = {}
    for key, strategy in (
        ("timeout_ratio_max_percent", percent_st),
        ("error_ratio_max_percent", percent_st),
        ("latency_p95_max_seconds", within(LATENCY_BUCKETS)),
        ("quality_mean_min", ratio_st),
        ("throughput_drop_percent", percent_st),
        ("tokens_per_second_min", positive_st),
    ):
        if draw(st.booleans()):
            out[key] = draw(strategy)
    return out


@st.composite
def overrides(draw: st.DrawFn, names: tuple[str, ...]) -> list[Spec]:
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=2))
    out = []
    for alert in chosen:
        o: Spec = {"alert": alert}
        if draw(st.booleans()):
            o["enabled"] = draw(st.booleans())
        if draw(st.booleans()):
            o["severity"] = draw(st.sampled_from(["critical", "warning", "info"]))
        if draw(st.booleans()):
            o["for_duration"] = draw(st.sampled_from(["1m", "5m", "1h"]))
        out.append(o)
    return out


@st.composite
def gpu_inventory(draw: st.DrawFn) -> Spec:
    model_names = draw(st.lists(name_st, min_size=1, max_size=2, unique=True))
    models = [
        {
            "name": n,
            "product_name": draw(st.sampled_from(["NVIDIA A100-SXM4-80GB", "NVIDIA H100 80GB HBM3", "Tesla T4"])),
            "memory_gib": draw(st.integers(1, 4096)),
            "max_temperature_celsius": draw(st.integers(40, 120)),
        }
        for n in model_names
    ]
    node_names = draw(st.lists(name_st, min_size=1, max_size=3, unique=True))
    hosts = draw(st.lists(label_value_st, min_size=len(node_names), max_size=len(node_names), unique=True))
    nodes = []
    for n, host in zip(node_names, hosts, strict=True):
        node: Spec = {"name": n, "gpu_model": draw(st.sampled_from(model_names)), "gpu_count": draw(st.integers(1, 8))}
        # hostname defaults to the name; an explicit one must not equal another node's name or host
        if draw(st.booleans()) and host not in node_names:
            node["hostname"] = host
        nodes.append(node)
    hostnames = [str(x.get("hostname", x["name"])) for x in nodes]
    if len(set(hostnames)) != len(hostnames):
        for x in nodes:
            x.pop("hostname", None)
    out: Spec = {"models": models, "nodes": nodes}
    if draw(st.booleans()):
        out["exporter"] = draw(st.sampled_from(["dcgm", "nvidia_smi"]))
    if draw(st.booleans()):
        out["host_label"] = draw(st.sampled_from(["Hostname", "hostname", "host", "node_name"]))
    if draw(st.booleans()):
        out["thresholds"] = {
            "utilization_high_percent": draw(percent_st),
            "memory_used_high_percent": draw(percent_st),
            "temperature_margin_celsius": draw(st.integers(0, 50)),
        }
    return out


@st.composite
def receivers(draw: st.DrawFn, am_version: str) -> tuple[list[Spec], bool]:
    """1-5 receivers with every kind represented over the examples; returns (receivers, uses e-mail)."""
    names = draw(st.lists(name_st, min_size=1, max_size=5, unique=True))
    url_file_ok = am_version != "0.25.0"
    out = []
    any_email = False
    for n in names:
        kinds = draw(st.sets(st.sampled_from(["slack", "pagerduty", "email", "webhook"]), min_size=1, max_size=3))
        r: Spec = {"name": n}
        if "slack" in kinds:
            r["slack"] = {
                "api_url_file": f"/etc/alertmanager/secrets/slack-{n}",
                "channel": draw(st.from_regex(r"[#@][a-z0-9._-]{1,20}", fullmatch=True)),
            }
            if draw(st.booleans()):
                r["slack"]["send_resolved"] = draw(st.booleans())
        if "pagerduty" in kinds:
            r["pagerduty"] = {"routing_key_file": f"/etc/alertmanager/secrets/pd-{n}"}
        if "email" in kinds:
            any_email = True
            r["email"] = {
                "to": draw(
                    st.lists(
                        st.from_regex(r"[a-z0-9._+-]{1,12}@[a-z0-9-]{1,10}\.example", fullmatch=True),
                        min_size=1,
                        max_size=2,
                        unique=True,
                    )
                )
            }
        if "webhook" in kinds:
            if url_file_ok and draw(st.booleans()):
                hook: Spec = {"url_file": f"/etc/alertmanager/secrets/hook-{n}"}
            else:
                hook = {"url": draw(st.sampled_from(["http://hook.svc:8080/alerts", "https://example.com/a?b=c&d=e"]))}
            if draw(st.booleans()):
                hook["bearer_token_file"] = f"/etc/alertmanager/secrets/token-{n}"
            r["webhook"] = hook
        out.append(r)
    return out, any_email


@st.composite
def quiet_hours(draw: st.DrawFn) -> list[Spec]:
    names = draw(st.lists(name_st, max_size=2, unique=True))
    out = []
    for n in names:
        q: Spec = {"name": n}
        has_days = draw(st.booleans())
        if has_days:
            a, b = sorted(draw(st.lists(st.sampled_from(WEEKDAYS), min_size=2, max_size=2)), key=WEEKDAYS.index)
            q["weekdays"] = [a] if a == b else [f"{a}:{b}"]
        if not has_days or draw(st.booleans()):
            start = draw(st.integers(0, 23 * 60 + 58))
            end = draw(st.integers(start + 1, 24 * 60))
            q["times"] = [{"start": f"{start // 60:02d}:{start % 60:02d}", "end": f"{end // 60:02d}:{end % 60:02d}"}]
        if draw(st.booleans()):
            q["location"] = draw(st.sampled_from(ZONES))
        out.append(q)
    return out


@st.composite
def routes(draw: st.DrawFn, receiver_names: list[str], intervals: list[str], teams: list[str]) -> list[Spec]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        labels: Spec = {}
        if draw(st.booleans()):
            labels["severity"] = draw(st.sampled_from(["critical", "warning", "info"]))
        if not labels or draw(st.booleans()):
            labels["team"] = draw(st.sampled_from(teams))
        r: Spec = {
            "match_labels": labels,
            "receivers": draw(st.lists(st.sampled_from(receiver_names), min_size=1, max_size=2, unique=True)),
        }
        if draw(st.booleans()):
            r["continue_matching"] = draw(st.booleans())
        if len(intervals) > 0 and draw(st.booleans()):
            r["mute_during"] = draw(st.lists(st.sampled_from(intervals), min_size=1, unique=True))
        if draw(st.booleans()):
            r["group_by"] = draw(st.lists(st.sampled_from(["alertname", "team", "slo", "cluster"]), unique=True))
        if draw(st.booleans()):
            r["repeat_interval"] = draw(st.sampled_from(["1h", "12h", "1d"]))
        out.append(r)
    return out


@st.composite
def logging_section(draw: st.DrawFn) -> Spec:
    es: Spec = {
        "hosts": draw(
            st.lists(
                st.sampled_from(["https://es.logging.svc:9200", "http://es-2:9200", "https://10.0.0.1"]),
                min_size=1,
                max_size=2,
                unique=True,
            )
        )
    }
    if draw(st.booleans()):
        es["major_version"] = draw(st.sampled_from([7, 8]))
    creds = draw(st.sampled_from(["none", "user", "api_key"]))
    if creds == "user":
        es["user"] = draw(st.from_regex(r"[A-Za-z0-9._-]{1,12}", fullmatch=True))
        es["password_env"] = draw(st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True))
    elif creds == "api_key":
        es["api_key_env"] = draw(st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True))
    if draw(st.booleans()):
        es["ca_file"] = "/etc/fluentd/certs/ca.crt"
    if draw(st.booleans()):
        es["verify_tls"] = draw(st.booleans())
    source_names = draw(st.lists(name_st, min_size=1, max_size=2, unique=True))
    comp_names = draw(st.lists(name_st, min_size=1, max_size=3, unique=True))
    values = draw(
        st.lists(
            st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True),
            min_size=len(comp_names),
            max_size=len(comp_names) + 2,
            unique=True,
        )
    )
    components: list[Spec] = [{"name": n, "component_values": [values[i]]} for i, n in enumerate(comp_names)]
    for extra in values[len(comp_names) :]:
        components[0]["component_values"].append(extra)
    out: Spec = {
        "elasticsearch": es,
        "sources": [
            {"name": n, "path": f"/var/log/containers/{n}-*.log", "format": draw(st.sampled_from(["cri", "json"]))}
            for n in source_names
        ],
        "components": components,
    }
    if draw(st.booleans()):
        out["data_stream_namespace"] = draw(st.from_regex(r"[a-z0-9_]{1,12}", fullmatch=True))
    if draw(st.booleans()):
        out["buffer"] = {
            "chunk_limit_size": draw(st.sampled_from(["8m", "512k", "1g", "1048576"])),
            "total_limit_size": draw(st.sampled_from(["2g", "64m"])),
            "overflow_action": draw(st.sampled_from(["block", "drop_oldest_chunk", "throw_exception"])),
            "flush_interval": draw(st.sampled_from(["1s", "5s", "1m"])),
            "retry_timeout": draw(st.sampled_from(["1h", "30m", "1d"])),
        }
    if draw(st.booleans()):
        out["fluentd_metrics_port"] = draw(st.integers(1024, 65535))
    return out


@st.composite
def user_metrics(draw: st.DrawFn) -> list[Spec]:
    """Extra metrics of the `metrics:` list: a counter pair (subset_of), a gauge, a histogram."""
    prefix = draw(st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True))
    labels = draw(st.lists(label_name_st, max_size=2, unique=True))
    out: list[Spec] = [
        {"name": f"{prefix}_requests_total", "type": "counter", "labels": labels, "unit": "requests"},
        {
            "name": f"{prefix}_failures_total",
            "type": "counter",
            "labels": labels,
            "unit": "events",
            "subset_of": f"{prefix}_requests_total",
            "help": draw(text_st),
        },
    ]
    if draw(st.booleans()):
        out.append(
            {
                "name": f"{prefix}_queue_ratio",
                "type": "gauge",
                "scale": "ratio",
                "unit": "ratio",
                "labels": labels,
                "high_cardinality_labels": labels[:1],
                "exporter": draw(text_st)[:100],
            }
        )
    if draw(st.booleans()):
        out.append(
            {"name": f"{prefix}_wait_seconds", "type": "histogram", "unit": "seconds", "buckets": [0.1, 0.5, 1, 5]}
        )
    return draw(st.permutations(out))


# ------------------------------------------------------------------------------------ the spec


@st.composite
def valid_specs(draw: st.DrawFn, *, tool_compatible: bool = False, max_specialists: int = 6) -> Spec:
    """A random valid spec; ``tool_compatible`` keeps versions at what promtool 2.42 / amtool 0.25 know."""
    am_version = "0.25.0" if tool_compatible else draw(st.sampled_from(["0.25.0", "0.26.0", "0.27.0"]))
    prom_version = "2.42.0" if tool_compatible else draw(st.sampled_from(["2.42.0", "2.45.0", "2.53.0"]))
    teams = draw(st.lists(name_st, min_size=1, max_size=3, unique=True))
    names = draw(st.lists(name_st, min_size=1, max_size=max_specialists, unique=True))
    gpu = draw(gpu_inventory())
    capacity = {n["name"]: n["gpu_count"] for n in gpu["nodes"]}
    slo_slots = draw(
        st.lists(
            st.tuples(st.sampled_from(names), st.sampled_from(["availability", "latency", "quality"])),
            max_size=MAX_SLOS,
            unique=True,
        )
    )
    specialists = []
    label_values: set[str] = set()
    for n in names:
        s: Spec = {"name": n, "team": draw(st.sampled_from(teams)), "model": draw(text_st)}
        if draw(st.booleans()):
            s["description"] = draw(text_st)
        if draw(st.booleans()):
            value = draw(label_value_st)
            if value not in names and value not in label_values:
                s["metric_label_value"] = value
        label_values.add(str(s.get("metric_label_value", n)))
        if draw(st.booleans()):
            nodes = draw(st.lists(st.sampled_from(sorted(capacity)), min_size=1, unique=True))
            room = min(capacity[x] for x in nodes)
            if room >= 1:
                per = draw(st.integers(1, room))
                for x in nodes:
                    capacity[x] -= per
                s["gpu_placement"] = {"nodes": nodes, "gpus_per_node": per}
        slos: Spec = {}
        for owner, kind in slo_slots:
            if owner != n:
                continue
            slo = draw(slo_common())
            if kind == "latency":
                slo["threshold_seconds"] = _num(draw(st.sampled_from(LATENCY_BUCKETS)))
            if kind == "quality":
                slo["minimum_score"] = _num(draw(st.sampled_from(SCORE_BUCKETS)))
            slos[kind] = slo
        if slos:
            s["slos"] = slos
        thresholds = draw(specialist_thresholds())
        if thresholds:
            s["thresholds"] = thresholds
        ov = draw(overrides(SPECIALIST_ALERTS))
        if ov:
            s["alert_overrides"] = ov
        specialists.append(s)

    guardians = []
    guardian_names = draw(st.lists(name_st, max_size=3, unique=True))
    guardian_values: set[str] = set()
    for g_name in guardian_names:
        g: Spec = {
            "name": g_name,
            "type": draw(st.sampled_from(GUARDIAN_TYPES)),
            "team": draw(st.sampled_from(teams)),
            "watches": draw(st.lists(st.sampled_from(names), min_size=1, unique=True)),
        }
        if draw(st.booleans()):
            g["model"] = draw(text_st)
        if draw(st.booleans()):
            value = draw(label_value_st)
            if value not in guardian_names and value not in guardian_values:
                g["metric_label_value"] = value
        guardian_values.add(str(g.get("metric_label_value", g_name)))
        if draw(st.booleans()):
            g["thresholds"] = {
                "evaluation_latency_p95_max_seconds": draw(within(EVALUATION_BUCKETS)),
                "false_positive_rate_max": draw(ratio_st),
                "prediction_accuracy_min": draw(ratio_st),
                "evaluation_coverage_min_percent": draw(percent_st),
            }
        if len(slo_slots) < MAX_SLOS and draw(st.booleans()):
            g["slos"] = {"coverage": draw(slo_common())}
            slo_slots.append((g_name, "coverage"))
        ov = draw(overrides(GUARDIAN_ALERTS))
        if ov:
            g["alert_overrides"] = ov
        guardians.append(g)

    # Routes match teams that own something: a team no alert carries is a route that never matches.
    owner_teams = sorted({s["team"] for s in specialists} | {g["team"] for g in guardians})
    recv, any_email = draw(receivers(am_version))
    receiver_names = [r["name"] for r in recv]
    intervals = draw(quiet_hours())
    alerting: Spec = {
        "receivers": recv,
        "default_receiver": draw(st.sampled_from(receiver_names)),
        "routes": draw(routes(receiver_names, [q["name"] for q in intervals], owner_teams)),
    }
    if intervals:
        alerting["quiet_hours"] = intervals
    if any_email or draw(st.booleans()):
        smtp: Spec = {"smarthost": "smtp.example.com:587", "sender": "alerts@example.com"}
        if draw(st.booleans()):
            smtp["auth_username"] = "alertmanager"
            smtp["auth_password_file"] = "/etc/alertmanager/secrets/smtp"
        if draw(st.booleans()):
            smtp["require_tls"] = draw(st.booleans())
        alerting["smtp"] = smtp
    if draw(st.booleans()):
        alerting["group_by"] = draw(
            st.lists(st.sampled_from(["alertname", "cluster", "specialist", "team"]), min_size=1, unique=True)
        )
    if draw(st.booleans()):
        alerting["inhibition"] = {
            "critical_suppresses_warning": draw(st.booleans()),
            "faster_burn_suppresses_slower": draw(st.booleans()),
        }
    for key, choices in (
        ("resolve_timeout", ["1m", "5m"]),
        ("group_wait", ["10s", "30s"]),
        ("group_interval", ["1m", "5m"]),
        ("repeat_interval", ["1h", "4h"]),
    ):
        if draw(st.booleans()):
            alerting[key] = draw(st.sampled_from(choices))

    cluster = draw(name_st)
    alert_labels = draw(
        st.dictionaries(st.sampled_from(["cluster", "environment", "region", "tier"]), label_value_st, max_size=2)
    )
    spec: Spec = {
        "apiVersion": "guardiangen/v1",
        "kind": "Cluster",
        "metadata": {"name": cluster, "environment": draw(name_st)},
        "defaults": {
            "runbook_url_pattern": draw(
                st.sampled_from(["https://runbooks.example.com/{alert}", "http://wiki/x/{alert}.md?a=1&b=2"])
            ),
            "dashboard_base_url": draw(st.sampled_from(["https://grafana.example.com", "http://g:3000/sub"])),
            "prometheus_datasource": {
                "name": draw(text_st) or "Prometheus",
                "uid": "prom",
                "url": "http://prometheus:9090",
            },
            "alertmanager_datasource": {
                "name": draw(text_st) or "Alertmanager",
                "uid": "am",
                "url": "http://alertmanager:9093",
            },
            "prometheus_version": prom_version,
            "alertmanager_version": am_version,
        },
        "specialists": specialists,
        "gpu_inventory": gpu,
        "alerting": alerting,
    }
    if alert_labels:
        spec["metadata"]["alert_labels"] = alert_labels
    if draw(st.booleans()):
        spec["metadata"]["description"] = draw(text_st)
    if draw(st.booleans()):
        spec["defaults"]["scrape_interval"] = draw(st.sampled_from(DURATIONS_SHORT))
        spec["defaults"]["rule_evaluation_interval"] = draw(st.sampled_from(DURATIONS_SHORT))
    if draw(st.booleans()):
        spec["defaults"]["alert_name_prefix"] = draw(st.from_regex(r"[A-Z][A-Za-z0-9]{0,10}", fullmatch=True))
    if draw(st.booleans()):
        spec["defaults"]["dashboard_folder"] = draw(
            text_st.filter(lambda t: "/" not in t and t.strip() not in ("", ".", ".."))
        )
    if guardians:
        spec["guardians"] = guardians
    if draw(st.booleans()):
        spec["node_thresholds"] = {
            "cpu_utilization_max_percent": draw(percent_st),
            "memory_utilization_max_percent": draw(percent_st),
            "disk_utilization_max_percent": draw(percent_st),
        }
    if draw(st.booleans()):
        spec.setdefault("node_thresholds", {})["team"] = draw(st.sampled_from(teams))
    if draw(st.booleans()):
        spec.setdefault("node_thresholds", {})["alert_overrides"] = draw(overrides(NODE_ALERTS))
    if draw(st.booleans()):
        gpu["team"] = draw(st.sampled_from(teams))
    if draw(st.booleans()):
        gpu["alert_overrides"] = draw(overrides(GPU_ALERTS))
    if draw(st.booleans()):
        spec["postgres"] = {"team": draw(st.sampled_from(teams))}
        if draw(st.booleans()):
            spec["postgres"]["connection_utilization_max_percent"] = draw(percent_st)
            spec["postgres"]["mean_query_time_max_seconds"] = draw(positive_st)
        if draw(st.booleans()):
            spec["postgres"]["alert_overrides"] = draw(overrides(POSTGRES_ALERTS))
    if draw(st.booleans()):
        spec["logging"] = draw(logging_section())
    if draw(st.integers(0, 3)) == 0:
        spec["metrics"] = draw(user_metrics())
    output: Spec = {}
    if draw(st.booleans()):
        output["profile"] = draw(st.sampled_from(["plain", "kubernetes", "thanos", "mimir"]))
    if draw(st.booleans()):
        label = draw(st.sampled_from(["cluster", "k8s_cluster", "tenant"]))
        host_label = gpu.get("host_label", "Hostname")
        if label != host_label and alert_labels.get(label, cluster) == cluster:
            output["cluster_label"] = label
    if output:
        spec["output"] = output
    return spec


# ------------------------------------------------------------------------------------ YAML text


def to_yaml(data: Any, *, flow: bool | None = False, ascii_only: bool = False, fast: bool = False) -> str:
    """YAML text of plain data, as a user might write it (block style, unicode kept unless ``ascii_only``).

    ``fast`` uses PyYAML's C emitter (YAML 1.1 quoting); callers check that guardiangen reads it back.
    """
    if fast:
        import yaml as pyyaml  # type: ignore[import-untyped]

        dumper = getattr(pyyaml, "CSafeDumper", pyyaml.SafeDumper)
        return str(
            pyyaml.dump(
                data,
                Dumper=dumper,
                allow_unicode=not ascii_only,
                width=4096,
                sort_keys=False,
                default_flow_style=flow,
            )
        )
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.allow_unicode = not ascii_only
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()
