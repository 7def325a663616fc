"""Typed PromQL builders over the catalog, and offline analysis of foreign PromQL.

Build expressions only from catalog metrics; every builder refuses an illegal use with a
:class:`PromQLError` that says what to do instead::

    from guardiangen import promql as q

    req = q.series(catalog, "specialist_requests_total")
    err = q.series(catalog, "specialist_errors_total")
    by = ("specialist_type",)
    error_ratio = q.ratio(q.sum_by(q.rate(err, "5m"), *by), q.sum_by(q.rate(req, "5m"), *by))
    # sum by (specialist_type) (rate(specialist_errors_total[5m]))
    #   / (sum by (specialist_type) (rate(specialist_requests_total[5m])) > 0)
    p95 = q.quantile(0.95, q.series(catalog, "specialist_request_duration_seconds"), "5m", by)
    alert = q.gt(p95, 10)
    q.humanize_template(p95.meta)  # '{{ $value | humanizeDuration }}'

Every :class:`Expr` knows its ``meta`` (scale, unit, per-second), ``labels`` and ``shape``.
Ranges are parameters: ``"5m"`` in rules, ``"$__rate_interval"`` in dashboards.

Design notes (details in each module): label values are escaped for PromQL double-quoted strings
(:mod:`.text`); division is ``a / (b > 0)`` so zero traffic yields no sample rather than NaN or
+Inf (:mod:`.ops`); histogram bounds are matched with ``le=~"10(\\.0)?"`` so Prometheus 3's
``le`` normalization cannot break them (:mod:`.histogram`).
"""

from __future__ import annotations

from guardiangen.promql import gpu
from guardiangen.promql.analyze import Analyzer, Finding
from guardiangen.promql.build import (
    absent,
    aggregate,
    avg_by,
    changes,
    count_by,
    delta,
    deriv,
    increase,
    irate,
    label_replace,
    max_by,
    min_by,
    over_time,
    rate,
    recorded,
    sum_by,
    value,
)
from guardiangen.promql.expr import Expr, Matcher, Series, Shape, eq, ne, not_regex, regex, series
from guardiangen.promql.histogram import (
    bucket_rate,
    bucket_rates,
    fraction_above,
    fraction_below,
    histogram_mean,
    histogram_quantile,
    observation_rate,
    quantile,
)
from guardiangen.promql.infer import has_comparison, parse, value_side
from guardiangen.promql.meta import Meta, humanize_template
from guardiangen.promql.names import (
    ALERT_NAME_PATTERN,
    RECORD_NAME_PATTERN,
    SEVERITIES,
    check_alert_name,
    check_record_name,
)
from guardiangen.promql.ops import (
    add,
    and_,
    as_percent,
    as_ratio,
    binop,
    clamp,
    compare,
    ge,
    gt,
    le,
    lt,
    mul,
    number,
    or_,
    ratio,
    safe_div,
    sub,
    unless,
)
from guardiangen.promql.text import (
    GRAFANA_WINDOWS,
    PromQLError,
    escape_string,
    format_number,
    le_pattern,
    normalized_le,
    quote,
    window,
)

__all__ = [
    "ALERT_NAME_PATTERN",
    "GRAFANA_WINDOWS",
    "RECORD_NAME_PATTERN",
    "SEVERITIES",
    "Analyzer",
    "Expr",
    "Finding",
    "Matcher",
    "Meta",
    "PromQLError",
    "Series",
    "Shape",
    "absent",
    "add",
    "aggregate",
    "and_",
    "as_percent",
    "as_ratio",
    "avg_by",
    "binop",
    "bucket_rate",
    "bucket_rates",
    "changes",
    "check_alert_name",
    "check_record_name",
    "clamp",
    "compare",
    "count_by",
    "delta",
    "deriv",
    "eq",
    "escape_string",
    "format_number",
    "fraction_above",
    "fraction_below",
    "ge",
    "gpu",
    "gt",
    "has_comparison",
    "histogram_mean",
    "histogram_quantile",
    "humanize_template",
    "increase",
    "irate",
    "label_replace",
    "le",
    "le_pattern",
    "lt",
    "max_by",
    "min_by",
    "mul",
    "ne",
    "normalized_le",
    "not_regex",
    "number",
    "observation_rate",
    "or_",
    "over_time",
    "parse",
    "quantile",
    "quote",
    "rate",
    "ratio",
    "recorded",
    "regex",
    "safe_div",
    "series",
    "sub",
    "sum_by",
    "unless",
    "value",
    "value_side",
    "window",
]
