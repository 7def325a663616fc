"""Checks across the spec that a single field cannot see: uniqueness and references."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from guardiangen.diagnostics import Diagnostic, did_you_mean, error
from guardiangen.load import PathKey, Positions
from guardiangen.spec.models import ClusterSpec

Finding = tuple[PathKey, str, str]  # (where, code, message)


def check(spec: ClusterSpec, positions: Positions, path: str) -> list[Diagnostic]:
    out = []
    for loc, code, message in _findings(spec):
        line, col = positions.of_value(loc)
        out.append(error(path, line, col, code, message))
    return out


def _findings(spec: ClusterSpec) -> Iterator[Finding]:
    yield from _unique("specialists", [s.name for s in spec.specialists], "specialist")
    yield from _unique("guardians", [g.name for g in spec.guardians], "guardian")
    yield from _unique_values(
        "specialists", [s.label_value for s in spec.specialists], "metric_label_value", "specialist"
    )
    yield from _unique_values("guardians", [g.label_value for g in spec.guardians], "metric_label_value", "guardian")
    inv = spec.gpu_inventory
    yield from _unique(("gpu_inventory", "models"), [m.name for m in inv.models], "GPU model")
    yield from _unique(("gpu_inventory", "nodes"), [n.name for n in inv.nodes], "GPU node")
    yield from _unique_values(("gpu_inventory", "nodes"), [n.host for n in inv.nodes], "hostname", "GPU node")
    al = spec.alerting
    yield from _unique(("alerting", "receivers"), [r.name for r in al.receivers], "receiver")
    yield from _unique(("alerting", "quiet_hours"), [q.name for q in al.quiet_hours], "quiet hours entry")
    if spec.logging:
        yield from _unique(("logging", "sources"), [s.name for s in spec.logging.sources], "log source")
        yield from _unique(("logging", "components"), [c.name for c in spec.logging.components], "log component")
        seen: dict[str, str] = {}
        for i, comp in enumerate(spec.logging.components):
            for j, value in enumerate(comp.component_values):
                if value in seen and seen[value] != comp.name:
                    yield (
                        ("logging", "components", i, "component_values", j),
                        "GG201",
                        f'component value "{value}" is already routed to "{seen[value]}"',
                    )
                seen.setdefault(value, comp.name)

    specialists = [s.name for s in spec.specialists]
    for i, g in enumerate(spec.guardians):
        yield from _refs(("guardians", i, "watches"), g.watches, specialists, "GG202", "specialist")
        yield from _unique(("guardians", i, "watches"), g.watches, "watched specialist")

    models = [m.name for m in inv.models]
    for i, n in enumerate(inv.nodes):
        yield from _refs(
            ("gpu_inventory", "nodes", i, "gpu_model"),
            [n.gpu_model],
            models,
            "GG203",
            "GPU model",
            single=True,
        )
    yield from _gpu_capacity(spec)

    receivers = [r.name for r in al.receivers]
    yield from _refs(
        ("alerting", "default_receiver"), [al.default_receiver], receivers, "GG204", "receiver", single=True
    )
    intervals = [q.name for q in al.quiet_hours]
    for i, route in enumerate(al.routes):
        yield from _refs(("alerting", "routes", i, "receivers"), route.receivers, receivers, "GG204", "receiver")
        yield from _refs(
            ("alerting", "routes", i, "mute_during"),
            route.mute_during,
            intervals,
            "GG204",
            "quiet hours entry",
        )
    if al.smtp is None:
        for i, r in enumerate(al.receivers):
            if r.email is not None:
                yield (
                    ("alerting", "receivers", i, "email"),
                    "GG206",
                    f'receiver "{r.name}" sends e-mail but `alerting.smtp` is not set',
                )
    yield from _slo_boundaries(spec)
    yield from _metric_collisions(spec)


def _as_loc(base: str | PathKey) -> PathKey:
    return (base,) if isinstance(base, str) else base


def _unique(base: str | PathKey, names: Sequence[str], what: str) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in first:
            loc = (*_as_loc(base), i) if what.startswith("watched") else (*_as_loc(base), i, "name")
            yield (loc, "GG201", f'duplicate {what} "{name}" (first at index {first[name]})')
        else:
            first[name] = i


def _unique_values(base: str | PathKey, values: Sequence[str], field: str, what: str) -> Iterator[Finding]:
    counts = Counter(values)
    first: dict[str, int] = {}
    for i, value in enumerate(values):
        if counts[value] > 1 and value in first:
            yield (
                (*_as_loc(base), i),
                "GG201",
                f'{what} {field} "{value}" is also used by index {first[value]}; their series would be merged',
            )
        first.setdefault(value, i)


def _refs(
    loc: PathKey, used: Iterable[str], known: Sequence[str], code: str, what: str, *, single: bool = False
) -> Iterator[Finding]:
    for i, name in enumerate(used):
        if name not in known:
            where = loc if single else (*loc, i)
            yield (where, code, f'unknown {what} "{name}"{did_you_mean(name, known)}')


def _gpu_capacity(spec: ClusterSpec) -> Iterator[Finding]:
    nodes = {n.name: n for n in spec.gpu_inventory.nodes}
    placed: Counter[str] = Counter()
    last: dict[str, PathKey] = {}
    for i, s in enumerate(spec.specialists):
        if s.gpu_placement is None:
            continue
        for j, node in enumerate(s.gpu_placement.nodes):
            if node not in nodes:
                yield (
                    ("specialists", i, "gpu_placement", "nodes", j),
                    "GG203",
                    f'unknown GPU node "{node}"{did_you_mean(node, list(nodes))}',
                )
                continue
            placed[node] += s.gpu_placement.gpus_per_node
            last[node] = ("specialists", i, "gpu_placement", "gpus_per_node")
    for node, used in sorted(placed.items()):
        if used > nodes[node].gpu_count:
            yield (
                last[node],
                "GG206",
                f'GPU node "{node}" has {nodes[node].gpu_count} GPUs but specialists are placed on {used}',
            )


def _slo_boundaries(spec: ClusterSpec) -> Iterator[Finding]:
    from guardiangen.catalog import build_catalog

    catalog = build_catalog()
    checks = (
        ("latency", "threshold_seconds", "specialist_request_duration_seconds"),
        ("quality", "minimum_score", "specialist_quality_score"),
    )
    for i, s in enumerate(spec.specialists):
        for kind, field, metric in checks:
            slo = getattr(s.slos, kind)
            if slo is None:
                continue
            value: Decimal = getattr(slo, field)
            buckets = catalog.get(metric).buckets
            if not any(Decimal(repr(b)) == value for b in buckets):
                listed = ", ".join(_fmt(b) for b in buckets)
                yield (
                    ("specialists", i, "slos", kind, field),
                    "GG207",
                    f"{value} is not a bucket boundary of {metric}; choose one of: {listed}",
                )


def _fmt(b: float) -> str:
    return format(Decimal(repr(b)).normalize(), "f")


def _metric_collisions(spec: ClusterSpec) -> Iterator[Finding]:
    from guardiangen.catalog import build_catalog

    builtin = {
        m.name
        for m in build_catalog(
            gpu_exporter=spec.gpu_inventory.exporter.value,
            gpu_host_label=spec.gpu_inventory.host_label,
            postgres_enabled=spec.postgres is not None,
        )
    }
    seen: set[str] = set()
    for i, m in enumerate(spec.metrics):
        if m.name in builtin:
            yield (("metrics", i, "name"), "GG201", f'metric "{m.name}" is already in the built-in catalog')
        elif m.name in seen:
            yield (("metrics", i, "name"), "GG201", f'metric "{m.name}" is declared twice')
        seen.add(m.name)
