"""A serving engine as the plan sees it: one specialist's engine release and the labels selecting its series."""

from __future__ import annotations

from dataclasses import dataclass, replace

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.catalog.engines import EngineRelease, Signal, SignalSource


@dataclass(frozen=True)
class EngineView:
    """The engine of one specialist that owns its engine series (see ``plan.rules.engines.engine_owners``)."""

    specialist: str  # the specialist's name in the spec
    team: str
    title: str  # the engine's name as people write it, e.g. ``vLLM``
    release: EngineRelease  # the catalogued release the spec's version resolves to
    requested_version: str  # the version the spec names (may be newer than the catalogued release)
    selector: tuple[tuple[str, str], ...]  # label values selecting the engine's series, sorted by label

    def source(self, signal: Signal) -> SignalSource | None:
        return self.release.signal(signal)

    def series(self, catalog: Catalog, source: SignalSource, part: str = "") -> q.Series:
        """``source``'s metric (or one of its histogram parts) with this engine's selector."""
        return engine_series(catalog, dict(self.selector), source, part)


def engine_series(catalog: Catalog, selector: dict[str, str], source: SignalSource, part: str = "") -> q.Series:
    """The catalog series of ``source`` (or its histogram part ``part``, else the part the signal
    reads) under ``selector`` and the signal's own label values (e.g. vLLM's ``finished_reason``),
    with the buckets of the specialist's own release."""
    matchers = [q.eq(k, v) for k, v in sorted({**selector, **dict(source.matchers)}.items())]
    part = part or source.part
    name = f"{source.metric.name}_{part}" if part else source.metric.name
    series = q.series(catalog, name, *matchers)
    # The catalog holds one definition per name (the newest release's, labels of all); the buckets
    # are the specialist's own release's, which another release of the same engine may not share.
    own = source.metric
    if (series.metric.buckets, series.metric.buckets_at_run_time) == (own.buckets, own.buckets_at_run_time):
        return series
    update = {"buckets": own.buckets, "buckets_at_run_time": own.buckets_at_run_time}
    return replace(series, metric=series.metric.model_copy(update=update))
