"""Checks across the spec that a single field cannot see: uniqueness and references.

They read the raw document rather than the validated model, so they still run when some field is
invalid: a user sees a typo in a reference and an out-of-range number in the same run. Anything
malformed is skipped here; the model reports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from guardiangen.diagnostics import (
    GG105_OUT_OF_RANGE,
    GG201_DUPLICATE,
    GG202_UNKNOWN_SPECIALIST,
    GG203_UNKNOWN_GPU,
    GG204_UNKNOWN_RECEIVER,
    GG205_UNKNOWN_METRIC,
    GG206_INCONSISTENT,
    GG207_NOT_A_BUCKET,
    GG208_UNKNOWN_ALERT,
    GG211_GPU_OVERCOMMIT,
    Diagnostic,
    did_you_mean,
)
from guardiangen.load import PathKey, Positions
from guardiangen.spec import engine_checks, metric_checks
from guardiangen.spec.findings import Finding, diagnostics, finite_number, raw_host_label, warning
from guardiangen.spec.models import MAX_GPUS_PER_NODE
from guardiangen.spec.types import LABEL_NAME_PATTERN, DurationError, parse_duration_ms


def check(data: dict[str, Any], positions: Positions, path: str) -> list[Diagnostic]:
    """Every cross-field problem of the raw document ``data`` read from ``path``, positioned."""
    return diagnostics(_findings(data), path, positions)


def _items(data: Any, *path: str) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of the list at ``path`` with their indexes; malformed parts are skipped."""
    node = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, list):
        return []
    return [(i, item) for i, item in enumerate(node) if isinstance(item, dict)]


def _str(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) else None


def _strs(item: dict[str, Any], key: str) -> list[tuple[int, str]]:
    value = item.get(key)
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []


def _names(data: Any, *path: str) -> list[str]:
    return [n for _, item in _items(data, *path) if (n := _str(item, "name")) is not None]


def _findings(data: dict[str, Any]) -> Iterator[Finding]:
    for path, what in (
        (("specialists",), "specialist"),
        (("guardians",), "guardian"),
        (("gpu_inventory", "models"), "GPU model"),
        (("gpu_inventory", "nodes"), "GPU node"),
        (("alerting", "receivers"), "receiver"),
        (("alerting", "quiet_hours"), "quiet hours entry"),
        (("logging", "sources"), "log source"),
        (("logging", "components"), "log component"),
        (("metrics",), "metric"),
        (("metric_slos",), "metric SLO"),
        (("metric_alerts",), "metric alert"),
    ):
        yield from _unique(data, path, what)
    yield from _unique_label_values(data, ("specialists",), "metric_label_value", "specialist")
    yield from _unique_label_values(data, ("guardians",), "metric_label_value", "guardian")
    yield from _unique_label_values(data, ("gpu_inventory", "nodes"), "hostname", "GPU node")
    yield from _component_values(data)

    specialists = _names(data, "specialists")
    for i, g in _items(data, "guardians"):
        yield from _refs(
            ("guardians", i, "watches"), _strs(g, "watches"), specialists, GG202_UNKNOWN_SPECIALIST, "specialist"
        )
        seen: set[str] = set()
        for j, name in _strs(g, "watches"):
            if name in seen:
                yield Finding(("guardians", i, "watches", j), GG201_DUPLICATE, f'specialist "{name}" is watched twice')
            seen.add(name)

    models = _names(data, "gpu_inventory", "models")
    for i, n in _items(data, "gpu_inventory", "nodes"):
        if (model := _str(n, "gpu_model")) is not None and model not in models:
            yield Finding(
                ("gpu_inventory", "nodes", i, "gpu_model"),
                GG203_UNKNOWN_GPU,
                f'unknown GPU model "{model}"{did_you_mean(model, models)}',
            )
    yield from _gpu_capacity(data)
    yield from _alerting(data)
    yield from _slo_boundaries(data)
    yield from _alert_overrides(data)
    yield from _latency_thresholds(data)
    yield from _metric_collisions(data)
    yield from _alertmanager_version(data)
    yield from engine_checks.findings(data)
    yield from metric_checks.findings(data)


def _unique(data: Any, path: tuple[str, ...], what: str) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, item in _items(data, *path):
        name = _str(item, "name")
        if name is None:
            continue
        if name in first:
            yield Finding(
                (*path, i, "name"), GG201_DUPLICATE, f'duplicate {what} "{name}" (first at index {first[name]})'
            )
        else:
            first[name] = i


def _unique_label_values(data: Any, path: tuple[str, ...], field: str, what: str) -> Iterator[Finding]:
    first: dict[str, tuple[int, str | None]] = {}
    for i, item in _items(data, *path):
        value = _str(item, field) or _str(item, "name")
        if value is None:
            continue
        if value in first and first[value][1] != _str(item, "name"):  # same name: reported as a duplicate name
            yield Finding(
                (*path, i),
                GG201_DUPLICATE,
                f'{what} {field} "{value}" is also used by index {first[value][0]}; their series would be merged',
            )
        first.setdefault(value, (i, _str(item, "name")))


def _component_values(data: Any) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for i, comp in _items(data, "logging", "components"):
        name = _str(comp, "name") or f"#{i}"
        for j, value in _strs(comp, "component_values"):
            if value in seen and seen[value] != name:
                yield Finding(
                    ("logging", "components", i, "component_values", j),
                    GG201_DUPLICATE,
                    f'component value "{value}" is already routed to "{seen[value]}"',
                )
            seen.setdefault(value, name)


def _refs(
    loc: PathKey, used: Sequence[tuple[int, str]], known: Sequence[str], code: str, what: str
) -> Iterator[Finding]:
    names = set(known)  # a guardian may watch thousands of specialists
    for i, name in used:
        if name not in names:
            yield Finding((*loc, i), code, f'unknown {what} "{name}"{did_you_mean(name, known)}')


def _gpu_capacity(data: Any) -> Iterator[Finding]:
    """Placements on unknown nodes are errors; more GPUs placed on a node than it has is a warning:
    ``gpu_placement`` documents where specialists run, and nothing generated depends on it, so an
    overbooked node (a fleet cloned from a template keeps its placements) must not block a render."""
    nodes = {n: (k, item) for k, item in _items(data, "gpu_inventory", "nodes") if (n := _str(item, "name"))}
    placed: dict[str, dict[str, int]] = {}  # node -> specialist -> GPUs
    for i, s in _items(data, "specialists"):
        placement = s.get("gpu_placement")
        if not isinstance(placement, dict):
            continue
        per_node = placement.get("gpus_per_node", 1)
        for j, node in _strs(placement, "nodes"):
            if node not in nodes:
                yield Finding(
                    ("specialists", i, "gpu_placement", "nodes", j),
                    GG203_UNKNOWN_GPU,
                    f'unknown GPU node "{node}"{did_you_mean(node, list(nodes))}',
                )
            elif isinstance(per_node, int) and not isinstance(per_node, bool):
                by = placed.setdefault(node, {})
                owner = _str(s, "name") or f"#{i}"
                by[owner] = by.get(owner, 0) + per_node
    for node, by in sorted(placed.items()):
        k, item = nodes[node]
        count, used = item.get("gpu_count"), sum(by.values())
        if isinstance(count, int) and not isinstance(count, bool) and used > count:
            yield warning(
                ("gpu_inventory", "nodes", k, "gpu_count"), GG211_GPU_OVERCOMMIT, _overcommit(node, count, by)
            )


def _overcommit(node: str, count: int, by: dict[str, int]) -> str:
    """What to change: the GPUs placed on ``node`` by each specialist in ``by``, and the ways out."""
    used = sum(by.values())
    shown = ", ".join(f"{name}: {n}" for name, n in list(by.items())[:3])
    more = f" and {len(by) - 3} more" if len(by) > 3 else ""
    who = "1 specialist" if len(by) == 1 else f"{len(by)} specialists"
    whom = "that specialist" if len(by) == 1 else f"enough of them to place {used - count} fewer"
    if used <= MAX_GPUS_PER_NODE:
        fix = f'raise its gpu_count to {used}, or take "{node}" out of the gpu_placement.nodes of {whom}'
    else:
        fix = f'take "{node}" out of the gpu_placement.nodes of {whom} (gpu_count is at most {MAX_GPUS_PER_NODE})'
    return (
        f'GPU node "{node}" has {count} GPUs, but the gpu_placement of {who} puts {used} on it ({shown}{more}); '
        f"{fix}. Placements only document the inventory: nothing generated depends on them"
    )


def _alerting(data: Any) -> Iterator[Finding]:
    alerting = data.get("alerting")
    if not isinstance(alerting, dict):
        return
    receivers = _names(data, "alerting", "receivers")
    default = _str(alerting, "default_receiver")
    if default is not None and default not in receivers:
        yield Finding(
            ("alerting", "default_receiver"),
            GG204_UNKNOWN_RECEIVER,
            f'unknown receiver "{default}"{did_you_mean(default, receivers)}',
        )
    intervals = _names(data, "alerting", "quiet_hours")
    for i, route in _items(data, "alerting", "routes"):
        yield from _refs(
            ("alerting", "routes", i, "receivers"),
            _strs(route, "receivers"),
            receivers,
            GG204_UNKNOWN_RECEIVER,
            "receiver",
        )
        yield from _refs(
            ("alerting", "routes", i, "mute_during"),
            _strs(route, "mute_during"),
            intervals,
            GG204_UNKNOWN_RECEIVER,
            "quiet hours entry",
        )
    if alerting.get("smtp") is None:
        for i, r in _items(data, "alerting", "receivers"):
            if r.get("email") is not None:
                yield Finding(
                    ("alerting", "receivers", i, "email"),
                    GG206_INCONSISTENT,
                    f'receiver "{_str(r, "name")}" sends e-mail but `alerting.smtp` is not set',
                )


_number = finite_number


def _slo_boundaries(data: Any) -> Iterator[Finding]:
    from guardiangen.catalog import build_catalog

    catalog = build_catalog()
    checks = (
        ("latency", "threshold_seconds", "specialist_request_duration_seconds"),
        ("quality", "minimum_score", "specialist_quality_score"),
    )
    for i, s in _items(data, "specialists"):
        slos = s.get("slos")
        if not isinstance(slos, dict):
            continue
        for kind, field, metric in checks:
            slo = slos.get(kind)
            value = _number(slo.get(field)) if isinstance(slo, dict) else None
            if value is None:
                continue
            buckets = catalog.get(metric).buckets
            if not any(Decimal(repr(b)) == value for b in buckets):
                listed = ", ".join(format(Decimal(repr(b)).normalize(), "f") for b in buckets)
                yield Finding(
                    ("specialists", i, "slos", kind, field),
                    GG207_NOT_A_BUCKET,
                    f"{value} is not a bucket boundary of {metric}; choose one of: {listed}",
                )


def _metric_collisions(data: Any) -> Iterator[Finding]:
    """What the catalog would refuse in ``metrics:``: a name or a series name (a histogram's
    ``_bucket``, ``_sum``, ``_count``) another metric already has, a ``subset_of`` that is unknown
    or not a counter."""
    from guardiangen.catalog import HISTOGRAM_PARTS, build_catalog

    gpu = data.get("gpu_inventory") if isinstance(data.get("gpu_inventory"), dict) else {}
    exporter = gpu.get("exporter", "dcgm")
    host_label = raw_host_label(gpu)
    if exporter not in ("dcgm", "nvidia_smi") or not isinstance(host_label, str):
        return
    # the model refuses anything else; the catalog would raise on it (fullmatch: `$` allows a final newline)
    if len(host_label) > 100 or not re.fullmatch(LABEL_NAME_PATTERN, host_label):
        return
    catalog = build_catalog(
        gpu_exporter=exporter, gpu_host_label=host_label, postgres_enabled=data.get("postgres") is not None
    )
    types = {m.name: m.type.value for m in catalog}
    builtin = set(types)
    declared = [(i, n, m) for i, m in _items(data, "metrics") if (n := _str(m, "name")) is not None]
    for _, name, m in declared:
        types.setdefault(name, str(m.get("type")))

    def series(name: str) -> tuple[str, ...]:
        parts = HISTOGRAM_PARTS if types.get(name) == "histogram" else ()
        return (name, *(f"{name}_{part}" for part in parts))

    owners = {s: name for name in builtin for s in series(name)}
    seen: set[str] = set()
    for i, name, m in declared:
        if name in builtin:
            yield Finding(
                ("metrics", i, "name"), GG201_DUPLICATE, f'metric "{name}" is already in the built-in catalog'
            )
        elif name not in seen:  # a second metric of one name is reported as a duplicate name
            seen.add(name)
            for s in series(name):
                if owners.setdefault(s, name) != name:
                    yield Finding(
                        ("metrics", i, "name"),
                        GG201_DUPLICATE,
                        f'series "{s}" of metric "{name}" is already a series of metric "{owners[s]}"',
                    )
        parent = _str(m, "subset_of")
        if parent is not None and parent not in types:
            yield Finding(
                ("metrics", i, "subset_of"),
                GG205_UNKNOWN_METRIC,
                f'"{name}" is declared a subset of unknown metric "{parent}"{did_you_mean(parent, types)}',
            )
        elif parent is not None and types[parent] != "counter":
            yield Finding(
                ("metrics", i, "subset_of"),
                GG206_INCONSISTENT,
                f'"{name}" is declared a subset of "{parent}", which is a {types[parent]}; subset_of names the '
                "counter of all events this one counts some of",
            )


def _alertmanager_version(data: Any) -> Iterator[Finding]:
    """Settings the target Alertmanager version cannot express (GG209): validation is the one version gate."""
    from guardiangen.spec.version_checks import version_findings

    yield from version_findings(data)


def _alert_overrides(data: Any) -> Iterator[Finding]:
    """Each ``alert_overrides`` entry names an alert generated for that kind of owner, once."""
    from guardiangen.spec import alert_names as an

    owners: list[tuple[str, PathKey, Any, tuple[str, ...]]] = []
    for kind, known in (("specialist", an.SPECIALIST_ALERTS), ("guardian", an.GUARDIAN_ALERTS)):
        owners += [(kind, (f"{kind}s", i), owner, known) for i, owner in _items(data, f"{kind}s")]
    for kind, key, known in (
        ("GPU inventory", "gpu_inventory", an.GPU_ALERTS),
        ("node", "node_thresholds", an.NODE_ALERTS),
        ("PostgreSQL database", "postgres", an.POSTGRES_ALERTS),
    ):
        if isinstance(data.get(key), dict):
            owners.append((kind, (key,), data[key], known))
    for kind, base, owner, known in owners:
        seen: set[str] = set()
        for j, entry in _items(owner, "alert_overrides"):
            name = _str(entry, "alert")
            if name is None:
                continue
            loc = (*base, "alert_overrides", j, "alert")
            if name not in known:
                yield Finding(
                    loc,
                    GG208_UNKNOWN_ALERT,
                    f'no alert "{name}" is generated for a {kind}{did_you_mean(name, known)}; '
                    f"names (without the prefix): {', '.join(known)}",
                )
            elif name in seen:
                yield Finding(loc, GG201_DUPLICATE, f'alert "{name}" is overridden twice')
            else:
                yield from _longest_for(an.ALERTS[name], entry, (*base, "alert_overrides", j, "for_duration"))
            seen.add(name)


def _longest_for(info: Any, entry: dict[str, Any], loc: PathKey) -> Iterator[Finding]:
    """An event alert cannot wait longer than the event stays visible: it would never fire."""
    limit, text = info.longest_for_minutes, _str(entry, "for_duration")
    if limit is None or text is None:
        return
    try:
        ms = parse_duration_ms(text)
    except DurationError:
        return  # the model reports it
    if ms > limit * 60_000:
        yield Finding(
            loc,
            GG105_OUT_OF_RANGE,
            f"{info.name} sees an event for a limited time: with for_duration {text} one event could never "
            f"fire it; use at most {limit}m (or leave for_duration out)",
        )


def _latency_thresholds(data: Any) -> Iterator[Finding]:
    """A p95 threshold outside the histogram's finite buckets cannot be judged: histogram_quantile
    never exceeds the top bucket bound, and reads at least 95% of the first bound on any traffic."""
    from guardiangen.catalog import build_catalog

    catalog = build_catalog()
    for path, field, metric in (
        ("specialists", "latency_p95_max_seconds", "specialist_request_duration_seconds"),
        ("guardians", "evaluation_latency_p95_max_seconds", "guardian_evaluation_duration_seconds"),
    ):
        buckets = catalog.get(metric).buckets
        low, high = (Decimal(repr(b)).normalize() for b in (buckets[0], buckets[-1]))
        for i, item in _items(data, path):
            thresholds = item.get("thresholds")
            value = _number(thresholds.get(field)) if isinstance(thresholds, dict) else None
            if value is None or low <= value <= high:
                continue
            effect = "could never fire" if value > high else "would fire on any traffic"
            yield Finding(
                (path, i, "thresholds", field),
                GG206_INCONSISTENT,
                f"{value} is outside what {metric} can measure ({low:f} to {high:f} seconds): the p95 alert {effect}",
            )
