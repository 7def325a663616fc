"""Every string field of the spec, a base spec that sets all of them, and how to put a value into one.

The base spec holds a distinct, harmless *sentinel* in every open (non-enumerated) string field, so
a render of it shows where each field lands in every output. A field's value is written as
``prefix + value + suffix`` (its *shell*): the shell is what the field's pattern needs around the
interesting part (``https://...`` for URLs, ``/...`` for paths, ``...@example.com`` for e-mail).
"""

from __future__ import annotations

import copy
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from guardiangen.spec.errors import _flatten
from guardiangen.spec.models import ClusterSpec

PathKey = tuple[str | int, ...]
KEY = "{key}"  # path step: the (first) key of a mapping, not its value


@dataclass(frozen=True)
class Field:
    """One string field: where it is in the base spec and how a value is put there."""

    path: PathKey  # in the base spec; a final KEY means the mapping key of the parent's first entry
    prefix: str = ""
    suffix: str = ""
    case: str = "lower"  # how the sentinel is spelt: lower, upper, title
    closed: bool = False  # a fixed set of valid values (enum, version, duration): only refusal is checked
    variant: str = "main"  # which base spec (fields that exclude each other live in different ones)

    @property
    def dotted(self) -> str:
        """The path as diagnostics spell it (``specialists[0].description``)."""
        out = ""
        for part in self.path:
            if part == KEY:
                continue
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out

    @property
    def is_key(self) -> bool:
        return bool(self.path) and self.path[-1] == KEY


def sentinel(index: int, case: str = "lower") -> str:
    text = f"zq{index:03d}x"
    return {"lower": text, "upper": text.upper(), "title": "Zq" + text[2:]}[case]


# -------------------------------------------------------------------------------- the base specs


def base_spec(variant: str = "main") -> dict[str, Any]:
    """A valid spec with every optional string field present (values are replaced by sentinels)."""
    spec: dict[str, Any] = {
        "apiVersion": "guardiangen/v1",
        "kind": "Cluster",
        "metadata": {
            "name": "fuzz",
            "environment": "test",
            "alert_labels": {"region": "eu"},
            "description": "cluster",
        },
        "defaults": {
            "scrape_interval": "30s",
            "rule_evaluation_interval": "30s",
            "alert_name_prefix": "Fuzz",
            "runbook_url_pattern": "https://runbooks.example.com/{alert}",
            "dashboard_base_url": "https://grafana.example.com",
            "dashboard_folder": "folder",
            "prometheus_datasource": {"name": "Prom", "uid": "prom", "url": "http://prometheus:9090"},
            "alertmanager_datasource": {"name": "AM", "uid": "am", "url": "http://alertmanager:9093"},
            "prometheus_version": "2.42.0",
            "alertmanager_version": "0.25.0",
        },
        "specialists": [
            {
                "name": "code",
                "description": "writes code",
                "team": "platform",
                "model": "codellama",
                "metric_label_value": "code-value",
                "gpu_placement": {"nodes": ["node-a"], "gpus_per_node": 2},
                "engine": {
                    "name": "vllm",
                    "version": "0.13.0",
                    "served_model_name": "codellama/CodeLlama-34b",
                    "job": "vllm",
                    "namespace": "llm",
                    "thresholds": {"waiting_requests_max": 10},
                },
                "slos": {"availability": {"objective_percent": 99, "period": "30d", "no_data": "alert"}},
                "thresholds": {"latency_p95_max_seconds": 10, "quality_mean_min": 0.7},
                "alert_overrides": [{"alert": "SpecialistQualityLow", "severity": "critical", "for_duration": "5m"}],
            },
            {"name": "math", "team": "reasoning", "model": "deepseek"},
        ],
        "guardians": [
            {
                "name": "judge",
                "type": "quality",
                "description": "judges",
                "team": "platform",
                "model": "judge-8b",
                "metric_label_value": "judge-value",
                "watches": ["code", "math"],
                "alert_overrides": [{"alert": "GuardianAccuracyLow", "severity": "info", "for_duration": "5m"}],
            }
        ],
        "gpu_inventory": {
            "exporter": "dcgm",
            "host_label": "Hostname",
            "exporter_version": "4.5.3-4.8.2",
            "models": [
                {"name": "a100", "product_name": "NVIDIA A100", "memory_gib": 80, "max_temperature_celsius": 85}
            ],
            "nodes": [
                {"name": "node-a", "hostname": "host-a", "gpu_model": "a100", "gpu_count": 8},
                {"name": "node-b", "gpu_model": "a100", "gpu_count": 8},
            ],
            "team": "gpu-ops",
            "alert_overrides": [{"alert": "GpuXidErrors", "severity": "critical", "for_duration": "1m"}],
        },
        "node_thresholds": {
            "team": "infra",
            "alert_overrides": [{"alert": "NodeDiskUtilizationHigh", "severity": "info", "for_duration": "1h"}],
        },
        "postgres": {
            "team": "platform",
            "alert_overrides": [{"alert": "PostgresConnectionsHigh", "severity": "info", "for_duration": "1h"}],
        },
        "alerting": {
            "resolve_timeout": "5m",
            "group_by": ["alertname", "specialist"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "smtp": {
                "smarthost": "smtp.example.com:587",
                "sender": "alerts@example.com",
                "auth_username": "user",
                "auth_password_file": "/etc/am/smtp",
            },
            "receivers": [
                {
                    "name": "everything",
                    "slack": {"api_url_file": "/etc/am/slack", "channel": "#alerts"},
                    "pagerduty": {"routing_key_file": "/etc/am/pd"},
                    "email": {"to": ["oncall@example.com"]},
                    "webhook": {"url": "http://hook:8080/x", "bearer_token_file": "/etc/am/token"},
                },
                {"name": "fallback", "slack": {"api_url_file": "/etc/am/slack2", "channel": "#other"}},
            ],
            "default_receiver": "fallback",
            "routes": [
                {
                    "match_labels": {"team": "platform"},
                    "receivers": ["everything"],
                    "mute_during": ["nights"],
                    "group_by": ["alertname"],
                    "repeat_interval": "1h",
                }
            ],
            "quiet_hours": [
                {
                    "name": "nights",
                    "weekdays": ["monday:friday"],
                    "times": [{"start": "00:00", "end": "06:00"}],
                    "location": "Europe/Berlin",
                }
            ],
        },
        "logging": {
            "elasticsearch": {
                "hosts": ["https://es.example.com:9200"],
                "user": "fluentd",
                "password_env": "ES_PASSWORD",
                "ca_file": "/etc/fluentd/ca.crt",
            },
            "sources": [{"name": "containers", "path": "/var/log/containers/*.log"}],
            "components": [{"name": "specialists", "component_values": ["specialist"]}],
            "data_stream_namespace": "prod",
            "buffer": {
                "path": "/var/log/fluentd/buffers",
                "chunk_limit_size": "8m",
                "total_limit_size": "2g",
                "flush_interval": "5s",
                "retry_max_interval": "30s",
                "retry_timeout": "1h",
                "secondary_path": "/var/log/fluentd/failed",
            },
        },
        "metrics": [
            {
                "name": "fuzz_queue_depth",
                "type": "counter",
                "help": "queue depth",
                "exporter": "queue",
                "labels": ["queue"],
                "high_cardinality_labels": ["queue"],
                "subset_of": "fuzz_queue_total",
                "series_units": [{"label": "queue", "value": "fuzzy", "unit": "requests", "scale": "absolute"}],
            },
            {"name": "fuzz_queue_total", "type": "counter"},
            {"name": "fuzz_jobs_total", "type": "counter", "labels": ["shop", "status"]},
            {"name": "fuzz_wait_seconds", "type": "histogram", "labels": ["shop"], "buckets": [0.5, 1]},
        ],
        "metric_slos": [
            {
                "name": "jobs-ok",
                "team": "shop-team",
                "description": "jobs that do not fail",
                "objective_percent": 99,
                "period": "30d",
                "no_data": "alert",
                "events": {
                    "bad": {"metric": "fuzz_jobs_total", "matchers": {"shop": "north", "status": "error"}},
                    "total": {"metric": "fuzz_jobs_total", "matchers": {"shop": "north"}},
                },
            },
            {
                "name": "jobs-fast",
                "team": "shop-team",
                "objective_percent": 95,
                "latency": {"metric": "fuzz_wait_seconds", "matchers": {"shop": "north"}, "threshold": 0.5},
            },
        ],
        "metric_alerts": [
            {
                "name": "jobs-failing",
                "team": "shop-team",
                "description": "jobs fail",
                "metric": "fuzz_jobs_total",
                "matchers": {"status": "error"},
                "aggregation": "sum",
                "by": ["shop"],
                "comparison": ">",
                "threshold": 1,
                "for_duration": "5m",
                "severity": "warning",
            }
        ],
        "output": {
            "profile": "kubernetes",
            "cluster_label": "cluster",
            "kubernetes": {
                "namespace": "monitoring",
                "rule_labels": {"release": "prom"},
                "dashboard_label": {"grafana_dashboard": "1"},
                "folder_annotation": "grafana_folder",
                "alertmanager_secret_name": "am-secret",
            },
            "mimir": {"namespace": "fuzz"},
        },
    }
    if variant == "closed":
        # closed fields are only validated, never rendered: every SLO kind, every profile setting
        spec["specialists"][1]["slos"] = {
            "latency": {"objective_percent": 95, "threshold_seconds": 10, "period": "30d", "no_data": "alert"},
            "quality": {"objective_percent": 90, "minimum_score": 0.7, "period": "30d", "no_data": "alert"},
        }
        spec["guardians"][0]["slos"] = {"coverage": {"objective_percent": 99, "period": "30d", "no_data": "ignore"}}
        spec["specialists"][1]["engine"] = {
            "name": "vllm",
            "version": "0.13.0",
            "slos": {
                field: {"objective_percent": 95, "period": "30d", "no_data": "alert", **bound}
                for field, bound in (
                    ("availability", {}),
                    ("time_to_first_token", {"threshold_seconds": 1}),
                    ("inter_token_latency", {"threshold_seconds": 0.1}),
                    ("end_to_end_latency", {"threshold_seconds": 10}),
                    ("queue_time", {"threshold_seconds": 1}),
                )
            },
        }
        spec["output"]["thanos"] = {"partial_response_strategy": "warn"}
        spec["metrics"][1].update({"unit": "events", "scale": "absolute"})
    if variant in ("apikey", "am26"):
        # renders of these variants only look at a few fields: no SLOs (their promtool tests are slow)
        del spec["specialists"][0]["slos"]
    if variant == "apikey":
        es = spec["logging"]["elasticsearch"]
        del es["user"], es["password_env"]
        es["api_key_env"] = "ES_API_KEY"
    if variant == "mimir":
        spec["output"]["profile"] = "mimir"
    if variant == "am26":
        spec["defaults"]["alertmanager_version"] = "0.26.0"
        spec["alerting"]["receivers"][0]["webhook"] = {"url_file": "/etc/am/hook"}
    return spec


# -------------------------------------------------------------------------------- the field table

_O = Field  # short alias for the table below
FIELDS: tuple[Field, ...] = (
    _O(("metadata", "name")),
    _O(("metadata", "environment")),
    _O(("metadata", "alert_labels", KEY)),
    _O(("metadata", "alert_labels", "region")),
    _O(("metadata", "description")),
    _O(("defaults", "scrape_interval"), closed=True),
    _O(("defaults", "rule_evaluation_interval"), closed=True),
    _O(("defaults", "alert_name_prefix"), case="title"),
    _O(("defaults", "runbook_url_pattern"), prefix="https://runbooks.example.com/{alert}/"),
    _O(("defaults", "dashboard_base_url"), prefix="https://grafana.example.com/"),
    _O(("defaults", "dashboard_folder")),
    _O(("defaults", "prometheus_datasource", "name")),
    _O(("defaults", "prometheus_datasource", "uid")),
    _O(("defaults", "prometheus_datasource", "url"), prefix="http://prometheus:9090/"),
    _O(("defaults", "alertmanager_datasource", "name")),
    _O(("defaults", "alertmanager_datasource", "uid")),
    _O(("defaults", "alertmanager_datasource", "url"), prefix="http://alertmanager:9093/"),
    _O(("defaults", "prometheus_version"), closed=True),
    _O(("defaults", "alertmanager_version"), closed=True),
    _O(("specialists", 0, "name")),
    _O(("specialists", 0, "description")),
    _O(("specialists", 0, "team")),
    _O(("specialists", 0, "model")),
    _O(("specialists", 0, "metric_label_value")),
    _O(("specialists", 0, "gpu_placement", "nodes", 0)),
    _O(("specialists", 0, "engine", "name"), closed=True),
    _O(("specialists", 0, "engine", "version"), closed=True),
    _O(("specialists", 0, "engine", "served_model_name")),
    _O(("specialists", 0, "engine", "job")),
    _O(("specialists", 0, "engine", "namespace")),
    *(
        _O(("specialists", 1, "engine", "slos", field, key), closed=True, variant="closed")
        for field in ("availability", "time_to_first_token", "inter_token_latency", "end_to_end_latency", "queue_time")
        for key in ("period", "no_data")
    ),
    _O(("specialists", 0, "slos", "availability", "period"), closed=True),
    _O(("specialists", 0, "slos", "availability", "no_data"), closed=True),
    _O(("specialists", 0, "alert_overrides", 0, "alert"), closed=True),
    _O(("specialists", 0, "alert_overrides", 0, "severity"), closed=True),
    _O(("specialists", 0, "alert_overrides", 0, "for_duration"), closed=True),
    _O(("guardians", 0, "name")),
    _O(("guardians", 0, "type"), closed=True),
    _O(("guardians", 0, "description")),
    _O(("guardians", 0, "team")),
    _O(("guardians", 0, "model")),
    _O(("guardians", 0, "metric_label_value")),
    _O(("guardians", 0, "watches", 0)),
    _O(("guardians", 0, "slos", "coverage", "period"), closed=True, variant="closed"),
    _O(("guardians", 0, "slos", "coverage", "no_data"), closed=True, variant="closed"),
    _O(("specialists", 1, "slos", "latency", "period"), closed=True, variant="closed"),
    _O(("specialists", 1, "slos", "latency", "no_data"), closed=True, variant="closed"),
    _O(("specialists", 1, "slos", "quality", "period"), closed=True, variant="closed"),
    _O(("specialists", 1, "slos", "quality", "no_data"), closed=True, variant="closed"),
    _O(("guardians", 0, "alert_overrides", 0, "alert"), closed=True),
    _O(("guardians", 0, "alert_overrides", 0, "severity"), closed=True),
    _O(("guardians", 0, "alert_overrides", 0, "for_duration"), closed=True),
    _O(("gpu_inventory", "exporter"), closed=True),
    _O(("gpu_inventory", "host_label")),
    _O(("gpu_inventory", "exporter_version"), closed=True),
    _O(("gpu_inventory", "models", 0, "name")),
    _O(("gpu_inventory", "models", 0, "product_name")),
    _O(("gpu_inventory", "nodes", 0, "name")),
    _O(("gpu_inventory", "nodes", 0, "hostname")),
    _O(("gpu_inventory", "nodes", 0, "gpu_model")),
    _O(("gpu_inventory", "team")),
    _O(("gpu_inventory", "alert_overrides", 0, "alert"), closed=True),
    _O(("gpu_inventory", "alert_overrides", 0, "severity"), closed=True),
    _O(("gpu_inventory", "alert_overrides", 0, "for_duration"), closed=True),
    _O(("node_thresholds", "team")),
    _O(("node_thresholds", "alert_overrides", 0, "alert"), closed=True),
    _O(("node_thresholds", "alert_overrides", 0, "severity"), closed=True),
    _O(("node_thresholds", "alert_overrides", 0, "for_duration"), closed=True),
    _O(("postgres", "team")),
    _O(("postgres", "alert_overrides", 0, "alert"), closed=True),
    _O(("postgres", "alert_overrides", 0, "severity"), closed=True),
    _O(("postgres", "alert_overrides", 0, "for_duration"), closed=True),
    _O(("alerting", "resolve_timeout"), closed=True),
    _O(("alerting", "group_by", 0)),
    _O(("alerting", "group_wait"), closed=True),
    _O(("alerting", "group_interval"), closed=True),
    _O(("alerting", "repeat_interval"), closed=True),
    _O(("alerting", "smtp", "smarthost"), suffix=".example.com:587"),
    _O(("alerting", "smtp", "sender"), suffix="@example.com"),
    _O(("alerting", "smtp", "auth_username")),
    _O(("alerting", "smtp", "auth_password_file"), prefix="/etc/am/"),
    _O(("alerting", "receivers", 0, "name")),
    _O(("alerting", "receivers", 0, "slack", "api_url_file"), prefix="/etc/am/"),
    _O(("alerting", "receivers", 0, "slack", "channel"), prefix="#"),
    _O(("alerting", "receivers", 0, "pagerduty", "routing_key_file"), prefix="/etc/am/"),
    _O(("alerting", "receivers", 0, "email", "to", 0), suffix="@example.com"),
    _O(("alerting", "receivers", 0, "webhook", "url"), prefix="http://hook:8080/"),
    _O(("alerting", "receivers", 0, "webhook", "url_file"), prefix="/etc/am/", variant="am26"),
    _O(("alerting", "receivers", 0, "webhook", "bearer_token_file"), prefix="/etc/am/"),
    _O(("alerting", "default_receiver")),
    _O(("alerting", "routes", 0, "match_labels", KEY)),
    _O(("alerting", "routes", 0, "match_labels", "team")),
    _O(("alerting", "routes", 0, "receivers", 0)),
    _O(("alerting", "routes", 0, "mute_during", 0)),
    _O(("alerting", "routes", 0, "group_by", 0)),
    _O(("alerting", "routes", 0, "repeat_interval"), closed=True),
    _O(("alerting", "quiet_hours", 0, "name")),
    _O(("alerting", "quiet_hours", 0, "weekdays", 0), closed=True),
    _O(("alerting", "quiet_hours", 0, "times", 0, "start"), closed=True),
    _O(("alerting", "quiet_hours", 0, "times", 0, "end"), closed=True),
    # closed: valid values are the IANA zones Alertmanager's Go runtime knows
    _O(("alerting", "quiet_hours", 0, "location"), prefix="Europe/", closed=True),
    _O(("logging", "elasticsearch", "hosts", 0), prefix="https://", suffix=".example.com:9200"),
    _O(("logging", "elasticsearch", "user")),
    _O(("logging", "elasticsearch", "password_env"), case="upper"),
    _O(("logging", "elasticsearch", "api_key_env"), case="upper", variant="apikey"),
    _O(("logging", "elasticsearch", "ca_file"), prefix="/etc/fluentd/"),
    _O(("logging", "sources", 0, "name")),
    _O(("logging", "sources", 0, "path"), prefix="/var/log/"),
    _O(("logging", "sources", 0, "format"), closed=True),
    _O(("logging", "components", 0, "name")),
    _O(("logging", "components", 0, "component_values", 0)),
    _O(("logging", "data_stream_namespace")),
    _O(("logging", "buffer", "path"), prefix="/var/log/"),
    _O(("logging", "buffer", "chunk_limit_size"), closed=True),
    _O(("logging", "buffer", "total_limit_size"), closed=True),
    _O(("logging", "buffer", "flush_interval"), closed=True),
    _O(("logging", "buffer", "retry_max_interval"), closed=True),
    _O(("logging", "buffer", "retry_timeout"), closed=True),
    _O(("logging", "buffer", "secondary_path"), prefix="/var/log/"),
    _O(("metrics", 0, "name"), prefix="fuzz_"),
    _O(("metrics", 0, "type"), closed=True),
    _O(("metrics", 0, "help")),
    _O(("metrics", 0, "labels", 0)),
    _O(("metrics", 0, "high_cardinality_labels", 0)),
    _O(("metrics", 0, "exporter")),
    _O(("metrics", 0, "subset_of"), closed=True),  # must name another declared counter
    _O(("metrics", 0, "series_units", 0, "label")),  # one of the metric's labels (REFERENCES)
    _O(("metrics", 0, "series_units", 0, "value")),
    _O(("metrics", 0, "series_units", 0, "unit"), closed=True),
    _O(("metrics", 0, "series_units", 0, "scale"), closed=True),
    _O(("metrics", 1, "unit"), closed=True, variant="closed"),
    _O(("metrics", 1, "scale"), closed=True, variant="closed"),
    _O(("metric_slos", 0, "name")),
    _O(("metric_slos", 0, "team")),
    _O(("metric_slos", 0, "description")),
    _O(("metric_slos", 0, "period"), closed=True),
    _O(("metric_slos", 0, "no_data"), closed=True),
    # metric names and label names must name what `metrics:` declares: only refusal is checked
    _O(("metric_slos", 0, "events", "bad", "metric"), closed=True),
    _O(("metric_slos", 0, "events", "bad", "matchers", KEY), closed=True),
    _O(("metric_slos", 0, "events", "bad", "matchers", "shop")),
    _O(("metric_slos", 0, "events", "total", "metric"), closed=True),
    _O(("metric_slos", 0, "events", "total", "matchers", KEY), closed=True),
    _O(("metric_slos", 0, "events", "total", "matchers", "shop")),
    _O(("metric_slos", 1, "latency", "metric"), closed=True),
    _O(("metric_slos", 1, "latency", "matchers", KEY), closed=True),
    _O(("metric_slos", 1, "latency", "matchers", "shop")),
    _O(("metric_alerts", 0, "name")),
    _O(("metric_alerts", 0, "team")),
    _O(("metric_alerts", 0, "description")),
    _O(("metric_alerts", 0, "metric"), closed=True),
    _O(("metric_alerts", 0, "matchers", KEY), closed=True),
    _O(("metric_alerts", 0, "matchers", "status")),
    _O(("metric_alerts", 0, "aggregation"), closed=True),
    _O(("metric_alerts", 0, "by", 0), closed=True),
    _O(("metric_alerts", 0, "comparison"), closed=True),
    _O(("metric_alerts", 0, "for_duration"), closed=True),
    _O(("metric_alerts", 0, "severity"), closed=True),
    _O(("output", "profile"), closed=True),
    _O(("output", "cluster_label")),
    _O(("output", "kubernetes", "namespace")),
    _O(("output", "kubernetes", "rule_labels", KEY)),
    _O(("output", "kubernetes", "rule_labels", "release")),
    _O(("output", "kubernetes", "dashboard_label", KEY)),
    _O(("output", "kubernetes", "dashboard_label", "grafana_dashboard")),
    _O(("output", "kubernetes", "folder_annotation")),
    _O(("output", "kubernetes", "alertmanager_secret_name")),
    _O(("output", "thanos", "partial_response_strategy"), closed=True, variant="closed"),
    _O(("output", "mimir", "namespace"), variant="mimir"),
)
# Fields whose sentinel must stay the same in several places (references to a name).
REFERENCES: dict[PathKey, tuple[PathKey, ...]] = {
    ("specialists", 0, "name"): (("guardians", 0, "watches", 0),),
    ("gpu_inventory", "models", 0, "name"): (
        ("gpu_inventory", "nodes", 0, "gpu_model"),
        ("gpu_inventory", "nodes", 1, "gpu_model"),
    ),
    ("gpu_inventory", "nodes", 0, "name"): (("specialists", 0, "gpu_placement", "nodes", 0),),
    ("alerting", "receivers", 0, "name"): (("alerting", "routes", 0, "receivers", 0), ("alerting", "default_receiver")),
    ("alerting", "quiet_hours", 0, "name"): (("alerting", "routes", 0, "mute_during", 0),),
    ("metrics", 0, "labels", 0): (
        ("metrics", 0, "high_cardinality_labels", 0),
        ("metrics", 0, "series_units", 0, "label"),
    ),
}
REFERRING = {p for refs in REFERENCES.values() for p in refs}


def in_variant(f: Field, variant: str) -> bool:
    """Whether the base spec of ``variant`` has field ``f``."""
    if f.variant != "main":
        return f.variant == variant
    try:
        get_value(base_spec(variant), f.path)
    except (KeyError, IndexError):
        return False
    return True


def open_fields(variant: str) -> list[tuple[int, Field]]:
    """The open (not closed-set, not a reference) fields of ``variant``, with their sentinel index."""
    return [(i, f) for i, f in enumerate(FIELDS) if not f.closed and f.path not in REFERRING and in_variant(f, variant)]


# -------------------------------------------------------------------------------- setting values


def _parent(spec: Any, path: PathKey) -> Any:
    node = spec
    for part in path[:-1]:
        node = node[part]
    return node


def set_value(spec: dict[str, Any], path: PathKey, value: str) -> None:
    """Put ``value`` at ``path``; for a KEY path, rename the mapping's first key (keeping its value)."""
    if path[-1] == KEY:
        mapping = _parent(spec, path)
        old = next(iter(mapping))
        items = [(value if k == old else k, v) for k, v in mapping.items()]
        mapping.clear()
        mapping.update(items)
        return
    _parent(spec, path)[path[-1]] = value


def real_path(spec: dict[str, Any], path: PathKey) -> PathKey:
    """``path`` in ``spec``, following a renamed key: the value of a one-entry mapping whose key a
    KEY field changed is still that entry's value."""
    parent = _parent(spec, path)
    last = path[-1]
    if last == KEY:
        return (*path[:-1], next(iter(parent)))
    if path[:-1] in _DICT_FIELDS and isinstance(parent, dict) and last not in parent and len(parent) == 1:
        return (*path[:-1], next(iter(parent)))
    return path


def get_value(spec: dict[str, Any], path: PathKey) -> Any:
    if path[-1] == KEY:
        return next(iter(_parent(spec, path)))
    return _parent(spec, path)[real_path(spec, path)[-1]]


def with_values(variant: str, values: dict[int, str]) -> dict[str, Any]:
    """The base spec of ``variant`` with field ``i`` set to ``values[i]`` (its shell around it) and the
    sentinel in every other open field; references follow the name they refer to."""
    spec = copy.deepcopy(base_spec(variant))
    # mapping values before mapping keys: a value field names its entry by the original key
    for i, f in sorted(open_fields(variant), key=lambda item: item[1].is_key):
        inner = values.get(i, sentinel(i, f.case))
        full = f.prefix + inner + f.suffix
        set_value(spec, f.path, full)
        for ref in REFERENCES.get(f.path, ()):
            set_value(spec, ref, full)
    return spec


def with_closed_value(variant: str, field: Field, value: str) -> dict[str, Any]:
    spec = with_values(variant, {})
    set_value(spec, field.path, field.prefix + value + field.suffix)
    return spec


# -------------------------------------------------------------------------------- coverage


def model_string_paths() -> set[str]:
    """Every string-valued leaf of the spec model, spelt ``a.b[].c`` / ``a.d{key}`` / ``a.d{}``."""
    out: set[str] = set()

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            key = info.alias or name
            visit(info.annotation, f"{prefix}.{key}" if prefix else key)

    def visit(tp: Any, path: str) -> None:
        for c in _flatten(tp):
            origin = typing.get_origin(c)
            if origin in (list, tuple):
                visit(typing.get_args(c)[0], path + "[]")
            elif origin is dict:
                k, v = typing.get_args(c)
                visit(k, path + "{key}")
                visit(v, path + "{}")
            elif isinstance(c, type) and issubclass(c, BaseModel):
                walk(c, path)
            elif isinstance(c, type) and issubclass(c, str):
                out.add(path)

    walk(ClusterSpec, "")
    return out


def table_path(path: PathKey) -> str:
    """``("specialists", 0, "name")`` -> ``specialists[].name``; mapping keys/values as ``{key}``/``{}``."""
    out = ""
    for i, part in enumerate(path):
        if isinstance(part, int):
            out += "[]"
        elif part == KEY:
            out += "{key}"
        elif i > 0 and _is_mapping_value(path[:i]):
            out += "{}"
        else:
            out += f".{part}" if out else part
    return out


_DICT_FIELDS = {
    ("metadata", "alert_labels"),
    ("alerting", "routes", 0, "match_labels"),
    ("output", "kubernetes", "rule_labels"),
    ("output", "kubernetes", "dashboard_label"),
    ("metric_slos", 0, "events", "bad", "matchers"),
    ("metric_slos", 0, "events", "total", "matchers"),
    ("metric_slos", 1, "latency", "matchers"),
    ("metric_alerts", 0, "matchers"),
}


def _is_mapping_value(parent: PathKey) -> bool:
    return parent in _DICT_FIELDS
