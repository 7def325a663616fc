"""A serving engine as the plan sees it: one specialist's engine release and the labels selecting its series."""

from __future__ import annotations

from dataclasses import dataclass

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
    """The catalog series of ``source`` (or its histogram part ``part``) under ``selector`` and the
    signal's own label values (e.g. vLLM's ``finished_reason``)."""
    matchers = [q.eq(k, v) for k, v in sorted({**selector, **dict(source.matchers)}.items())]
    name = f"{source.metric.name}_{part}" if part else source.metric.name
    return q.series(catalog, name, *matchers)
