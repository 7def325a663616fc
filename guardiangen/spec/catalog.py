"""The spec's metric catalog: the built-in exporters its settings select, plus its own ``metrics:``."""

from __future__ import annotations

from guardiangen.catalog import Catalog, CatalogError, build_catalog, engines
from guardiangen.catalog.engines import EngineRelease
from guardiangen.diagnostics import GG206_INCONSISTENT
from guardiangen.spec.findings import Finding
from guardiangen.spec.models import ClusterSpec


def catalog_for(spec: ClusterSpec) -> Catalog:
    """Raises :class:`~guardiangen.catalog.CatalogError` on a clash the spec checks report."""
    return build_catalog(
        gpu_exporter=spec.gpu_inventory.exporter.value,
        gpu_host_label=spec.gpu_inventory.host_label_used,
        postgres_enabled=spec.postgres is not None,
        extra=tuple(spec.metrics),
        engines=engine_releases(spec),
    )


def engine_releases(spec: ClusterSpec) -> tuple[EngineRelease, ...]:
    """The catalogued engine release of each specialist that names an engine, in specialist order."""
    return tuple(
        engines.release(s.engine.name.value, s.engine.version) for s in spec.specialists if s.engine is not None
    )


def catalog_findings(spec: ClusterSpec) -> list[Finding]:
    """What the catalog refuses of a spec whose checks passed: nothing, as the checks report every
    refusal where it is written (``guardiangen.spec.checks``). A guard, so that one they miss is
    still a finding at ``metrics`` rather than a crash when the spec is planned."""
    try:
        catalog_for(spec)
    except CatalogError as exc:
        return [Finding(("metrics",), GG206_INCONSISTENT, f"the metric catalog refuses: {p}") for p in exc.problems]
    return []
