"""The typed metric catalog: every metric rules and dashboards may name, with type, unit and scale.

``build_catalog()`` assembles the built-in exporters (the reference instrumentation, Prometheus'
own ``up``, node_exporter, one GPU exporter profile, optionally postgres_exporter) plus metrics
declared in the spec, and refuses duplicates. ``format_table``/``to_json`` back
``guardiangen metrics [--format json]``. The catalog knows nothing about PromQL or any output
format; :mod:`guardiangen.promql` builds expressions from it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence

from guardiangen.catalog import builtin
from guardiangen.catalog.builtin import GpuExporter, GpuProfile, gpu_profile
from guardiangen.catalog.core import (
    DEFAULT_TARGET_LABELS,
    HISTOGRAM_PARTS,
    Catalog,
    CatalogError,
    Part,
    UnknownMetricError,
)
from guardiangen.catalog.engines import EngineRelease, parse_version
from guardiangen.catalog.model import (
    LABEL_NAME_PATTERN,
    METRIC_NAME_PATTERN,
    MetricDefinition,
    MetricType,
    Scale,
    SeriesUnit,
    Unit,
)

__all__ = [
    "DEFAULT_TARGET_LABELS",
    "HISTOGRAM_PARTS",
    "LABEL_NAME_PATTERN",
    "METRIC_NAME_PATTERN",
    "UNBOUNDED_LABEL_NAMES",
    "Catalog",
    "CatalogError",
    "GpuExporter",
    "GpuProfile",
    "MetricDefinition",
    "MetricType",
    "Part",
    "Scale",
    "SeriesUnit",
    "Unit",
    "UnknownMetricError",
    "build_catalog",
    "builtin_metrics",
    "engine_metrics",
    "format_table",
    "to_json",
]

UNBOUNDED_LABEL_NAMES = frozenset({"request_id", "trace_id", "span_id", "user_id", "session_id"})
"""Label names that are per-request identifiers: always high-cardinality, even if a spec forgets."""


@functools.lru_cache(maxsize=16)
def builtin_metrics(
    *, gpu_exporter: GpuExporter = "dcgm", gpu_host_label: str = "Hostname", postgres_enabled: bool = False
) -> tuple[MetricDefinition, ...]:
    """The built-in metric definitions for one exporter profile, unsorted (cached: they are immutable)."""
    groups = [
        builtin.specialist_metrics(),
        builtin.guardian_metrics(),
        builtin.ai_workload_metrics(),
        builtin.prometheus_metrics(),
        builtin.node_exporter_metrics(),
        builtin.gpu_metrics(gpu_exporter, gpu_host_label),
    ]
    if postgres_enabled:
        groups.append(builtin.postgres_metrics())
    return tuple(m for group in groups for m in group)


def build_catalog(
    *,
    gpu_exporter: GpuExporter = "dcgm",
    gpu_host_label: str = "Hostname",
    postgres_enabled: bool = False,
    extra: Sequence[MetricDefinition] = (),
    target_labels: Sequence[str] = DEFAULT_TARGET_LABELS,
    engines: Sequence[EngineRelease] = (),
) -> Catalog:
    """Built-ins for the chosen profile plus ``extra`` (the spec's ``metrics:``).

    ``engines`` adds the metrics of the serving-engine releases the spec's specialists run: a name two
    releases both export is defined by the newer one, with the labels of both (rules select it by
    the labels every release has). ``gpu_host_label`` names DCGM's host label (`Hostname`,
    `hostname` in newer releases); the nvidia_smi exporter adds none, so its host is ``instance``.
    Extra metrics' labels named in :data:`UNBOUNDED_LABEL_NAMES` are marked high-cardinality.
    Raises :class:`CatalogError` listing every duplicate, series-name collision or bad
    ``subset_of`` reference.
    """
    problems: list[str] = []
    if gpu_exporter not in ("dcgm", "nvidia_smi"):
        problems.append(f'unknown GPU exporter "{gpu_exporter}" (choose "dcgm" or "nvidia_smi")')
    if not re.fullmatch(LABEL_NAME_PATTERN, gpu_host_label):
        problems.append(f'GPU host label "{gpu_host_label}" is not a valid label name')
    for label in target_labels:
        if not re.fullmatch(LABEL_NAME_PATTERN, label):
            problems.append(f'target label "{label}" is not a valid label name')
    if problems:
        raise CatalogError(problems)
    builtins = builtin_metrics(
        gpu_exporter=gpu_exporter, gpu_host_label=gpu_host_label, postgres_enabled=postgres_enabled
    )
    known = {m.name: m for m in builtins}
    served = engine_metrics(engines)
    for m in served:
        if m.name in known:
            problems.append(f'engine metric "{m.name}" duplicates the built-in {known[m.name].exporter} metric')
        known[m.name] = m
    for m in extra:
        if m.name in known:
            problems.append(f'metric "{m.name}" from the spec duplicates the built-in {known[m.name].exporter} metric')
    if problems:
        raise CatalogError(problems)
    return Catalog(
        (*builtins, *served, *(_mark_unbounded(m) for m in extra)),
        gpu=gpu_profile(gpu_exporter, gpu_host_label),
        target_labels=target_labels,
        postgres_enabled=postgres_enabled,
    )


def engine_metrics(releases: Sequence[EngineRelease]) -> tuple[MetricDefinition, ...]:
    """The metrics of ``releases``, one per name: the newest release's definition, labels of all."""
    by_name: dict[str, MetricDefinition] = {}
    newest_first = sorted(set(releases), key=lambda r: (r.engine, parse_version(r.version)), reverse=True)
    for r in newest_first:
        for m in r.metrics:
            if m.name not in by_name:
                by_name[m.name] = m
            elif not set(m.labels) <= set(by_name[m.name].labels):
                old = by_name[m.name]
                by_name[m.name] = old.model_copy(update={"labels": tuple(dict.fromkeys((*old.labels, *m.labels)))})
    return tuple(_with_target_namespace(by_name[name]) for name in sorted(by_name))


ENGINE_TARGET_LABELS = ("namespace",)
"""Labels an engine's series get from their scrape target, not the engine: Kubernetes service
discovery adds ``namespace``, which ``specialists[].engine.namespace`` selects by."""


def _with_target_namespace(m: MetricDefinition) -> MetricDefinition:
    missing = [label for label in ENGINE_TARGET_LABELS if label not in m.labels]
    return m.model_copy(update={"labels": (*m.labels, *missing)}) if missing else m


def _mark_unbounded(m: MetricDefinition) -> MetricDefinition:
    missing = sorted((set(m.labels) & UNBOUNDED_LABEL_NAMES) - set(m.high_cardinality_labels))
    if not missing:
        return m
    high = tuple(label for label in m.labels if label in set(m.high_cardinality_labels) | set(missing))
    return m.model_copy(update={"high_cardinality_labels": high})


def format_table(catalog: Catalog) -> str:
    """A fixed-width table, one metric a line; high-cardinality labels are marked with ``*``."""
    header = ("NAME", "TYPE", "UNIT", "SCALE", "EXPORTER", "LABELS")
    rows = [header]
    for m in catalog:
        labels = ",".join(f"{label}*" if label in m.high_cardinality_labels else label for label in m.labels)
        rows.append((m.name, m.type.value, m.unit.value, m.scale.value, m.exporter, labels or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = ["  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]) for row in rows]
    footer = f"{len(catalog)} metrics; GPU exporter {catalog.gpu.exporter}; * = high-cardinality label"
    return "\n".join([*lines, footer]) + "\n"


def to_json(catalog: Catalog) -> str:
    """The catalog as deterministic JSON (sorted keys, 2-space indent, final newline)."""
    doc = {
        "gpu": {
            "exporter": catalog.gpu.exporter,
            "host_label": catalog.gpu.host_label,
            "gpu_label": catalog.gpu.gpu_label,
            "model_label": catalog.gpu.model_label,
        },
        "postgres_enabled": catalog.postgres_enabled,
        "target_labels": list(catalog.target_labels),
        "metrics": [m.model_dump(mode="json") for m in catalog],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
