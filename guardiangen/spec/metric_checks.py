"""Checks of ``metric_slos`` and ``metric_alerts``: every SLI and alert held to the metric catalog.

A selector names a catalog metric (built-in, an engine's, or declared under ``metrics:``) of the
type its use needs, matched and grouped only by labels that metric has; a latency threshold is one
of the histogram's bucket boundaries; an alert's name fits the lint limit and is no other alert's;
its threshold is one the metric can reach. Like :mod:`.checks` they read the raw document, so they
run next to the model's own errors; anything malformed is the model's to report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from guardiangen.catalog import (
    DEFAULT_TARGET_LABELS,
    UNBOUNDED_LABEL_NAMES,
    MetricDefinition,
    MetricType,
    Scale,
    builtin_metrics,
)
from guardiangen.catalog import engines as eng
from guardiangen.catalog.engines import EngineVersionError
from guardiangen.diagnostics import (
    GG105_OUT_OF_RANGE,
    GG201_DUPLICATE,
    GG205_UNKNOWN_METRIC,
    GG206_INCONSISTENT,
    GG207_NOT_A_BUCKET,
    GG212_RESERVED_LABEL,
    GG218_METRIC_USE,
    did_you_mean,
)
from guardiangen.generated_labels import ALERT_NAME_MAX, ALERT_STATIC_LABELS, slo_id
from guardiangen.load import PathKey
from guardiangen.spec.findings import Finding, finite_number, raw_host_label
from guardiangen.spec.models import ALERT_PREFIX_PATTERN
from guardiangen.spec.types import NAME_PATTERN

SLO_ALERTS = ("ErrorBudgetBurn", "SloNoData")
"""The SLO alerts' names without the prefix (guardiangen.plan.slo.rules)."""
BUILTIN_SLO_KINDS = {"specialists": ("availability", "latency", "quality"), "guardians": ("coverage",)}
DEFAULT_PREFIX = "LLMGuardian"


def camel_name(name: str) -> str:
    """``queue-depth-high`` -> ``QueueDepthHigh``: a metric alert's name without the prefix."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name))


def value_range(m: MetricDefinition) -> tuple[Decimal | None, Decimal | None]:
    """The values an alert on ``m`` can see: a rate is never negative, a ratio stays in 0-1 and a
    percentage in 0-100; other gauges are unbounded."""
    if m.type is MetricType.COUNTER:
        return Decimal(0), None
    if m.scale is Scale.RATIO:
        return Decimal(0), Decimal(1)
    if m.scale is Scale.PERCENT:
        return Decimal(0), Decimal(100)
    return None, None


def unreachable(op: str, threshold: Decimal, low: Decimal | None, high: Decimal | None) -> str | None:
    """Why ``value <op> threshold`` can never be true (or is always true) within [low, high], or None."""
    if op in (">", ">=") and high is not None and (threshold > high or (op == ">" and threshold == high)):
        return f"the value is never {op} {threshold} (it is at most {high})"
    if op in ("<", "<=") and low is not None and (threshold < low or (op == "<" and threshold == low)):
        return f"the value is never {op} {threshold} (it is at least {low})"
    if op in (">", ">=") and low is not None and (threshold < low or (op == ">=" and threshold == low)):
        return f"the value is always {op} {threshold} (it is at least {low}): the alert would always fire"
    if op in ("<", "<=") and high is not None and (threshold > high or (op == "<=" and threshold == high)):
        return f"the value is always {op} {threshold} (it is at most {high}): the alert would always fire"
    return None


def findings(data: Any) -> Iterator[Finding]:
    """Every problem of the spec's ``metric_slos`` and ``metric_alerts``."""
    if not isinstance(data, dict):
        return
    metrics = known_metrics(data)
    yield from _slo_findings(data, metrics)
    yield from _alert_findings(data, metrics)


def _items(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    node = data.get(key)
    return [(i, x) for i, x in enumerate(node) if isinstance(x, dict)] if isinstance(node, list) else []


def known_metrics(data: dict[str, Any]) -> dict[str, MetricDefinition]:
    """Every metric a selector may name in this spec, by name: the built-in exporters' its settings
    select, the engines' of its specialists, and each well-formed entry of ``metrics:``."""
    raw_gpu = data.get("gpu_inventory")
    gpu: dict[str, Any] = raw_gpu if isinstance(raw_gpu, dict) else {}
    exporter, host = gpu.get("exporter", "dcgm"), raw_host_label(gpu)
    if exporter not in ("dcgm", "nvidia_smi"):
        exporter = "dcgm"
    if not isinstance(host, str) or len(host) > 100 or not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", host):
        host = "Hostname"
    out = {
        m.name: m
        for m in builtin_metrics(
            gpu_exporter=exporter, gpu_host_label=host, postgres_enabled=data.get("postgres") is not None
        )
    }
    releases = []
    for _, s in _items(data, "specialists"):
        engine = s.get("engine")
        if isinstance(engine, dict) and engine.get("name") in eng.ENGINES and isinstance(engine.get("version"), str):
            try:
                releases.append(eng.release(engine["name"], engine["version"]))
            except EngineVersionError:
                continue  # engine_checks reports it
    for r in releases:  # not catalog.engine_metrics(): it hashes releases, which their mappings refuse
        for m in r.metrics:
            out.setdefault(m.name, m)
    for _, raw in _items(data, "metrics"):
        try:
            m = MetricDefinition.model_validate_json(json.dumps(raw), strict=True)
        except (ValidationError, TypeError, ValueError):
            continue  # the model reports it
        unbounded = (set(m.labels) & UNBOUNDED_LABEL_NAMES) - set(m.high_cardinality_labels)
        if unbounded:  # as the catalog marks them (guardiangen.catalog.build_catalog)
            m = m.model_copy(update={"high_cardinality_labels": (*m.high_cardinality_labels, *sorted(unbounded))})
        out.setdefault(m.name, m)
    return out


def _metric(
    metrics: Mapping[str, MetricDefinition],
    item: dict[str, Any],
    base: PathKey,
    allowed: tuple[MetricType, ...],
    use: str,
) -> tuple[MetricDefinition | None, list[Finding]]:
    """The metric ``item`` names if it exists and has one of the ``allowed`` types; the findings else."""
    name = item.get("metric")
    if not isinstance(name, str):
        return None, []
    m = metrics.get(name)
    if m is None:
        hint = did_you_mean(name, metrics)
        return None, [
            Finding(
                (*base, "metric"),
                GG205_UNKNOWN_METRIC,
                f'unknown metric "{name}"{hint}; declare it '
                "under `metrics:` (name, type, labels) or pick one `guardiangen metrics` lists",
            )
        ]
    if m.type not in allowed:
        types = " or ".join(t.value for t in allowed)
        return None, [
            Finding((*base, "metric"), GG218_METRIC_USE, f'"{name}" is a {m.type.value}; {use} needs a {types}')
        ]
    return m, []


def _labels(m: MetricDefinition) -> tuple[str, ...]:
    return (*m.labels, *DEFAULT_TARGET_LABELS)


def _matchers(m: MetricDefinition, item: dict[str, Any], base: PathKey) -> Iterator[Finding]:
    matchers = item.get("matchers")
    if not isinstance(matchers, dict):
        return
    known = _labels(m)
    for label in matchers:
        if isinstance(label, str) and label not in known:
            yield Finding(
                (*base, "matchers", label),
                GG205_UNKNOWN_METRIC,
                f'{m.name} has no label "{label}"{did_you_mean(label, known)} (labels: {", ".join(known)})',
                at_key=True,
            )


# ------------------------------------------------------------------------------------- SLOs


def _builtin_slo_ids(data: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, kinds in BUILTIN_SLO_KINDS.items():
        for _, owner in _items(data, key):
            slos, name = owner.get("slos"), owner.get("name")
            if isinstance(slos, dict) and isinstance(name, str):
                for kind in kinds:
                    if isinstance(slos.get(kind), dict):
                        out[slo_id(name, kind)] = f"{key[:-1]} {name}'s {kind} SLO"
    return out


def _slo_findings(data: dict[str, Any], metrics: Mapping[str, MetricDefinition]) -> Iterator[Finding]:
    builtin = _builtin_slo_ids(data)
    for i, slo in _items(data, "metric_slos"):
        base: PathKey = ("metric_slos", i)
        name = slo.get("name")
        if isinstance(name, str) and name in builtin:
            yield Finding((*base, "name"), GG201_DUPLICATE, f'SLO id "{name}" is already the id of the {builtin[name]}')
        events, latency = slo.get("events"), slo.get("latency")
        if isinstance(events, dict):
            yield from _events(metrics, events, (*base, "events"))
        if isinstance(latency, dict):
            yield from _latency(metrics, latency, (*base, "latency"))


def _events(metrics: Mapping[str, MetricDefinition], events: dict[str, Any], base: PathKey) -> Iterator[Finding]:
    found: dict[str, tuple[MetricDefinition, dict[str, Any]]] = {}
    for role in ("bad", "total"):
        sel = events.get(role)
        if not isinstance(sel, dict):
            continue
        use = "an events SLI counts events and"
        m, problems = _metric(metrics, sel, (*base, role), (MetricType.COUNTER, MetricType.HISTOGRAM), use)
        yield from problems
        if m is not None:
            label_problems = list(_matchers(m, sel, (*base, role)))
            yield from label_problems
            if not label_problems:
                found[role] = (m, sel)
    if len(found) == 2:
        (bad, bad_sel), (total, total_sel) = found["bad"], found["total"]
        bad_m, total_m = _str_map(bad_sel.get("matchers")), _str_map(total_sel.get("matchers"))
        if bad.name == total.name and bad_m.items() <= total_m.items():
            yield Finding(
                (*base, "bad"),
                GG206_INCONSISTENT,
                f"the bad events select every series the all events do ({bad.name}"
                f"{_matchers_text(bad_m)}), so every event would count as bad; narrow `bad.matchers`, e.g. "
                "`{status: error}`",
            )


def _str_map(value: Any) -> dict[str, str]:
    return (
        {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(value, dict) else {}
    )


def _matchers_text(matchers: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{k}={v}" for k, v in sorted(matchers.items())) + "}" if matchers else ""


def _latency(metrics: Mapping[str, MetricDefinition], latency: dict[str, Any], base: PathKey) -> Iterator[Finding]:
    m, problems = _metric(
        metrics, latency, base, (MetricType.HISTOGRAM,), "a latency SLI counts observations under a bucket boundary and"
    )
    yield from problems
    if m is None:
        return
    yield from _matchers(m, latency, base)
    value = finite_number(latency.get("threshold"))
    if value is None:
        return
    if m.buckets_at_run_time:
        yield Finding(
            (*base, "threshold"),
            GG218_METRIC_USE,
            f"{m.name} gets its bucket bounds when its exporter starts, so no threshold can be checked to be one "
            "of them; use an events SLI on counters instead",
        )
        return
    bounds = tuple(Decimal(repr(b)).normalize() for b in m.buckets)
    if value.normalize() not in bounds:
        listed = ", ".join(format(b, "f") for b in bounds)
        unit = "" if m.unit.value == "none" else f" ({m.unit.value})"
        yield Finding(
            (*base, "threshold"),
            GG207_NOT_A_BUCKET,
            f"{format(value.normalize(), 'f')} is not a bucket boundary of {m.name}, so the share of observations "
            f"under it cannot be counted exactly; choose one of{unit}: {listed}",
        )


# ------------------------------------------------------------------------------------ alerts


def _prefix(data: dict[str, Any]) -> str | None:
    """The spec's alert name prefix, None when it is not a valid one (that has its own finding)."""
    defaults = data.get("defaults")
    prefix = defaults.get("alert_name_prefix", DEFAULT_PREFIX) if isinstance(defaults, dict) else DEFAULT_PREFIX
    return prefix if isinstance(prefix, str) and re.fullmatch(ALERT_PREFIX_PATTERN, prefix) else None


def _alert_findings(data: dict[str, Any], metrics: Mapping[str, MetricDefinition]) -> Iterator[Finding]:
    from guardiangen.spec.alert_names import ALERTS

    valid_prefix = _prefix(data)
    prefix = valid_prefix or DEFAULT_PREFIX
    builtin = {*ALERTS, *SLO_ALERTS}
    seen: dict[str, str] = {}
    for i, alert in _items(data, "metric_alerts"):
        base: PathKey = ("metric_alerts", i)
        name = alert.get("name")
        # A name the `Name` pattern refuses is already reported (GG106); derived-name checks on it would only
        # repeat that finding in other words.
        if isinstance(name, str) and re.fullmatch(NAME_PATTERN, name):
            camel = camel_name(name)
            if camel in builtin:
                yield Finding(
                    (*base, "name"),
                    GG201_DUPLICATE,
                    f"{prefix}{camel} is already the name of a generated alert; choose another name",
                )
            elif camel in seen and seen[camel] != name:
                yield Finding(
                    (*base, "name"),
                    GG201_DUPLICATE,
                    f'{prefix}{camel} is also the alert name of metric alert "{seen[camel]}"',
                )
            seen.setdefault(camel, name)
            if valid_prefix is not None and len(prefix) + len(camel) > ALERT_NAME_MAX:
                yield Finding(
                    (*base, "name"),
                    GG105_OUT_OF_RANGE,
                    f"the alert name {prefix}{camel} has {len(prefix) + len(camel)} characters; alert names have at "
                    f"most {ALERT_NAME_MAX} (prefix included): shorten the name to at most "
                    f"{ALERT_NAME_MAX - len(prefix)} characters without its dashes",
                )
        use = "a threshold alert reads a counter's rate or a gauge's value and"
        m, problems = _metric(metrics, alert, base, (MetricType.COUNTER, MetricType.GAUGE), use)
        yield from problems
        if m is None:
            continue
        if m.subset_of is not None:
            yield Finding(
                (*base, "metric"),
                GG218_METRIC_USE,
                f"{m.name} counts a subset of {m.subset_of}: its rate rises and falls with the traffic, so judge it "
                f"as a share of {m.subset_of} with an events SLO in `metric_slos`",
            )
            continue
        yield from _matchers(m, alert, base)
        yield from _by(m, alert, base)
        value, op = finite_number(alert.get("threshold")), alert.get("comparison")
        if value is not None and isinstance(op, str):
            why = unreachable(op, value, *value_range(m))
            if why is not None:
                yield Finding((*base, "threshold"), GG105_OUT_OF_RANGE, f"{m.name}: {why}")


def _by(m: MetricDefinition, alert: dict[str, Any], base: PathKey) -> Iterator[Finding]:
    by = alert.get("by")
    if not isinstance(by, list):
        return
    known = _labels(m)
    for j, label in enumerate(by):
        if not isinstance(label, str):
            continue
        where = (*base, "by", j)
        if label in ALERT_STATIC_LABELS or label == "alertname":
            yield Finding(
                where,
                GG212_RESERVED_LABEL,
                f'"{label}" is a label the generated alerts set themselves; '
                "grouping by it would be overwritten: aggregate it away",
            )
        elif label not in known:
            yield Finding(
                where,
                GG205_UNKNOWN_METRIC,
                f'{m.name} has no label "{label}"{did_you_mean(label, known)} (labels: {", ".join(known)})',
            )
        elif label in m.high_cardinality_labels:
            yield Finding(
                where,
                GG218_METRIC_USE,
                f'"{label}" has unbounded values on {m.name} (high_cardinality_labels): one alert per value would '
                "flood the receivers; group by a label with few values",
            )
