"""Recorded engine expositions (tests/fixtures/engines) as series for the loopback exporter.

A recording is one scrape: it fixes the metric names, label names and values and the histogram
distributions a real engine exposes, but holds no rate. Served through :mod:`.exporter`, each
recorded series keeps its labels and stays what it was: a gauge its recorded value, a histogram its
recorded distribution over the buckets (the share of observations in each), a counter grows. Rates
are made up (:data:`PER_SECOND`); everything else is the engine's. Families the catalogue does not
have are left out (tests/unit/test_engine_expositions.py lists them with the reason), and so are
labels it does not list; a catalogued label the recording lacks gets the value ``0``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from guardiangen.catalog import Catalog, MetricType
from tests.e2e.exporter import Counter, Gauge, Histogram, Series, Value

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "engines"
PER_SECOND = 2.0  # observations or increments per second of every recorded series: a scrape has no rate


def recorded_series(file: str, catalog: Catalog, **relabel: str) -> list[Series]:
    """The series of recording ``file`` that ``catalog`` knows, labels narrowed to the catalogued ones.

    ``relabel`` replaces label values (``model_name="..."``), as a relabelling rule would."""
    text = (FIXTURES / file).read_text(encoding="utf-8")
    out: dict[tuple[str, tuple[tuple[str, str], ...]], Value] = {}
    buckets: dict[tuple[str, tuple[tuple[str, str], ...]], dict[float, float]] = defaultdict(dict)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            name = sample.name
            if name.endswith("_created"):
                continue
            histogram_part = name.endswith(("_bucket", "_sum", "_count")) and name.rsplit("_", 1)[0] in catalog
            metric_name = name.rsplit("_", 1)[0] if histogram_part else name
            if metric_name not in catalog and family.type == "counter":
                metric_name = family.name  # the parser spells every counter sample `<family>_total`
            if metric_name not in catalog:
                continue
            m = catalog.get(metric_name)
            labels = {k: v for k, v in sample.labels.items() if k in m.labels}
            labels = {**{k: "0" for k in m.labels}, **labels, **{k: v for k, v in relabel.items() if k in m.labels}}
            key = (m.name, tuple(sorted(labels.items())))
            if m.type is MetricType.HISTOGRAM:
                if name.endswith("_bucket"):
                    buckets[key][float(sample.labels["le"])] = sample.value
            elif m.type is MetricType.COUNTER:
                out[key] = Counter(PER_SECOND)
            elif m.type is MetricType.GAUGE:
                out[key] = Gauge(sample.value)
    for key, cumulative in buckets.items():
        out[key] = Histogram(PER_SECOND, _shares(cumulative))
    return [Series(name, labels, value) for (name, labels), value in sorted(out.items())]


def _shares(cumulative: dict[float, float]) -> dict[float, float]:
    """The share of observations in each bucket, observed at its upper bound (+Inf: twice the last
    finite one); an empty recorded histogram puts every observation in its first bucket."""
    bounds = sorted(cumulative)
    total = cumulative[bounds[-1]]
    finite = [b for b in bounds if not math.isinf(b)]
    if total <= 0 or not finite:
        return {finite[0] if finite else 1.0: 1.0}
    shares: dict[float, float] = {}
    below = 0.0
    for b in bounds:
        count = cumulative[b] - below
        below = cumulative[b]
        if count > 0:
            shares[finite[-1] * 2 if math.isinf(b) else b] = count / total
    return shares
