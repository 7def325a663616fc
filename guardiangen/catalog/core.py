"""The :class:`Catalog`: an immutable, name-sorted set of metric definitions plus the GPU profile."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import MappingProxyType
from typing import Literal, NoReturn

from guardiangen.catalog.builtin import GpuProfile
from guardiangen.catalog.model import MetricDefinition, MetricType
from guardiangen.diagnostics import did_you_mean

Part = Literal["", "bucket", "sum", "count"]
"""Which series of a metric: ``""`` the metric's own name, else a classic histogram's ``_<part>``."""

HISTOGRAM_PARTS: tuple[Part, ...] = ("bucket", "sum", "count")

DEFAULT_TARGET_LABELS: tuple[str, ...] = ("instance", "job")
"""Labels Prometheus attaches to every scraped series, on top of the exporter's own."""


class UnknownMetricError(KeyError):
    """A metric or series name the catalog does not define; the message suggests a close name."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.message = f'unknown metric "{name}"{did_you_mean(name, known)}'
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class CatalogError(ValueError):
    """The catalog cannot be built; ``problems`` lists every reason, sorted."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("; ".join(self.problems))


class Catalog:
    """Every metric rules and dashboards may use, immutable, iterated in name order.

    ``metric in catalog`` and :meth:`get` take metric names (a histogram's base name);
    :meth:`resolve_series` also takes the concrete series names ``x_bucket``/``x_sum``/``x_count``.
    """

    __slots__ = ("_by_name", "_gpu", "_postgres_enabled", "_series", "_target_labels")

    _by_name: MappingProxyType[str, MetricDefinition]
    _series: MappingProxyType[str, tuple[MetricDefinition, Part]]
    _gpu: GpuProfile
    _target_labels: tuple[str, ...]
    _postgres_enabled: bool

    def __init__(
        self,
        metrics: Iterable[MetricDefinition],
        *,
        gpu: GpuProfile,
        target_labels: Iterable[str] = DEFAULT_TARGET_LABELS,
        postgres_enabled: bool = False,
    ) -> None:
        problems: list[str] = []
        by_name: dict[str, MetricDefinition] = {}
        series: dict[str, tuple[MetricDefinition, Part]] = {}
        for m in metrics:
            if m.name in by_name:
                problems.append(_duplicate(m, by_name[m.name]))
                continue
            by_name[m.name] = m
            parts: tuple[Part, ...] = ("", *HISTOGRAM_PARTS) if m.type is MetricType.HISTOGRAM else ("",)
            for part in parts:
                sname = f"{m.name}_{part}" if part else m.name
                if sname in series and series[sname][0].name != m.name:
                    other = series[sname][0]
                    problems.append(f'series "{sname}" of metric "{m.name}" collides with metric "{other.name}"')
                series.setdefault(sname, (m, part))
        for m in by_name.values():
            if m.subset_of is None:
                continue
            total = by_name.get(m.subset_of)
            if total is None:
                problems.append(
                    f'metric "{m.name}" is a subset of unknown metric "{m.subset_of}"'
                    + did_you_mean(m.subset_of, by_name)
                )
            elif total.type is not MetricType.COUNTER:
                problems.append(f'metric "{m.name}" is a subset of "{total.name}", which is not a counter')
        if problems:
            raise CatalogError(problems)
        object.__setattr__(self, "_by_name", MappingProxyType(dict(sorted(by_name.items()))))
        object.__setattr__(self, "_series", MappingProxyType(dict(sorted(series.items()))))
        object.__setattr__(self, "_gpu", gpu)
        object.__setattr__(self, "_target_labels", tuple(sorted(set(target_labels))))
        object.__setattr__(self, "_postgres_enabled", postgres_enabled)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Catalog is immutable")

    def _identity(self) -> tuple[object, ...]:
        return (tuple(self._by_name.values()), self._gpu, self._target_labels, self._postgres_enabled)

    def __eq__(self, other: object) -> bool:
        """Equal catalogs hold the same metrics for the same exporter profile (a value, like the plan)."""
        return isinstance(other, Catalog) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __iter__(self) -> Iterator[MetricDefinition]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._by_name

    def __repr__(self) -> str:
        return f"Catalog({len(self)} metrics, gpu={self._gpu.exporter})"

    def get(self, name: str) -> MetricDefinition:
        """The metric called ``name``; :class:`UnknownMetricError` (a KeyError) with a suggestion."""
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownMetricError(name, self._by_name) from None

    def resolve_series(self, series_name: str) -> tuple[MetricDefinition, Part]:
        """The metric behind a concrete series name: ``x_bucket`` -> (histogram x, "bucket").

        A histogram's bare name resolves to ``(x, "")``: callers decide whether that is an error
        (it is in PromQL: a classic histogram has no series of that name).
        """
        try:
            return self._series[series_name]
        except KeyError:
            raise UnknownMetricError(series_name, self.series_names()) from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def series_names(self) -> tuple[str, ...]:
        """Every concrete series name (histograms contribute ``_bucket``, ``_sum``, ``_count``)."""
        return tuple(n for n, (m, part) in self._series.items() if part or m.type is not MetricType.HISTOGRAM)

    def label_names(self, metric: MetricDefinition, part: Part = "") -> frozenset[str]:
        """Labels a series of ``metric`` carries: its own, the target labels, and `le` on buckets."""
        extra = ("le",) if part == "bucket" else ()
        return frozenset((*metric.labels, *self._target_labels, *extra))

    @property
    def gpu(self) -> GpuProfile:
        """Which metrics and labels mean GPU utilization, memory, temperature, power, XID."""
        return self._gpu

    @property
    def target_labels(self) -> tuple[str, ...]:
        return self._target_labels

    @property
    def postgres_enabled(self) -> bool:
        return self._postgres_enabled


def _duplicate(new: MetricDefinition, old: MetricDefinition) -> str:
    where = "both in the spec" if new.exporter == old.exporter == "user" else f"{old.exporter} and {new.exporter}"
    return f'metric "{new.name}" is defined twice ({where})'
