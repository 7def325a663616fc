"""The spec's metric catalog: the built-in exporters its settings select, plus its own ``metrics:``."""

from __future__ import annotations

from guardiangen.catalog import Catalog, build_catalog
from guardiangen.spec.models import ClusterSpec


def catalog_for(spec: ClusterSpec) -> Catalog:
    """Raises :class:`~guardiangen.catalog.CatalogError` on a clash the spec checks report."""
    return build_catalog(
        gpu_exporter=spec.gpu_inventory.exporter.value,
        gpu_host_label=spec.gpu_inventory.host_label,
        postgres_enabled=spec.postgres is not None,
        extra=tuple(spec.metrics),
    )
