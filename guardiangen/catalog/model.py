"""The typed form of a metric, shared by the built-in catalog and the spec's ``metrics:`` list."""

from __future__ import annotations

import math
from collections.abc import Iterable
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

METRIC_NAME_PATTERN = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"
LABEL_NAME_PATTERN = r"^[a-zA-Z_][a-zA-Z0-9_]*$"


class MetricType(str, Enum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


class Scale(str, Enum):
    """How a value reads: decides humanize functions in annotations and Grafana units."""

    RATIO = "ratio"  # 0-1
    PERCENT = "percent"  # 0-100
    ABSOLUTE = "absolute"  # a quantity in `unit`


class Unit(str, Enum):
    SECONDS = "seconds"
    MILLISECONDS = "milliseconds"
    MICROSECONDS = "microseconds"
    BYTES = "bytes"
    MEBIBYTES = "mebibytes"
    CELSIUS = "celsius"
    WATTS = "watts"
    JOULES = "joules"
    MILLIJOULES = "millijoules"
    REQUESTS = "requests"
    TOKENS = "tokens"
    TOKENS_PER_SECOND = "tokens_per_second"
    EVENTS = "events"
    SCORE = "score"
    RATIO = "ratio"
    PERCENT = "percent"
    CONNECTIONS = "connections"
    COUNT = "count"
    NONE = "none"


LabelName = Annotated[str, Field(pattern=LABEL_NAME_PATTERN, max_length=100)]


class SeriesUnit(BaseModel):
    """The series of a metric whose label has one value hold another unit than the metric's."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    label: Annotated[LabelName, Field(description="The label telling the series apart, e.g. `kv_cache_block_type`.")]
    value: Annotated[str, Field(max_length=200, description="The label's value on those series, e.g. `fraction`.")]
    unit: Annotated[Unit, Field(description="What one unit of those series' value measures.")]
    scale: Annotated[Scale, Field(description="`ratio`, `percent` or `absolute`, as for the metric.")] = Scale.ABSOLUTE


class MetricDefinition(BaseModel):
    """One metric as an exporter exposes it (for a histogram: the base name without _bucket)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: Annotated[
        str,
        Field(
            pattern=METRIC_NAME_PATTERN,
            max_length=200,
            description="Metric name as exported, e.g. `specialist_requests_total`; for a histogram "
            "the base name without `_bucket`/`_sum`/`_count`.",
        ),
    ]
    type: Annotated[MetricType, Field(description="Prometheus metric type: counter, gauge or histogram.")]
    help: Annotated[str, Field(max_length=500, description="One-line meaning of the metric.")] = ""
    unit: Annotated[Unit, Field(description="What one unit of the value measures.")] = Unit.NONE
    scale: Annotated[
        Scale,
        Field(
            description="`ratio` for 0-1 values, `percent` for 0-100 values, `absolute` for a quantity "
            "of `unit`. Chooses humanize functions and dashboard units."
        ),
    ] = Scale.ABSOLUTE
    labels: Annotated[
        tuple[LabelName, ...],
        Field(description="Label names the exporter attaches (not counting job/instance)."),
    ] = ()
    high_cardinality_labels: Annotated[
        tuple[LabelName, ...],
        Field(
            description="Labels with unbounded values; rules and dashboards never group by them "
            "and aggregate them away."
        ),
    ] = ()
    buckets: Annotated[
        tuple[float, ...],
        Field(description="Histogram bucket upper bounds (`le`), ascending; histograms only."),
    ] = ()
    buckets_at_run_time: Annotated[
        bool,
        Field(
            description="Histograms only: the exporter computes its bucket bounds when it starts (e.g. from "
            "the model's context length), so none are listed and no threshold can be checked against them."
        ),
    ] = False
    exporter: Annotated[
        str,
        Field(
            max_length=100,
            description="Where the metric comes from, e.g. `specialist_metrics`, `node_exporter`, `user`.",
        ),
    ] = "user"
    series_units: Annotated[
        tuple[SeriesUnit, ...],
        Field(
            description="Series of this metric that hold another unit, told apart by a label value: e.g. "
            "TensorRT-LLM's `nv_trt_llm_kv_cache_block_metrics` counts blocks, except its "
            '`kv_cache_block_type="fraction"` series, a 0-1 ratio. A selector matching that value reads '
            "that unit."
        ),
    ] = ()
    subset_of: Annotated[
        str | None,
        Field(
            pattern=METRIC_NAME_PATTERN,
            max_length=200,
            description="Counters only: the counter of all events this one counts a subset of (errors "
            "-> requests). Alerts judge it as a ratio of that counter, never as an absolute rate.",
        ),
    ] = None

    def selected(self, equal: Iterable[tuple[str, str]]) -> MetricDefinition:
        """This metric as the series with the label values ``equal`` read: with the unit and scale
        of the first :attr:`series_units` entry those values select, else unchanged."""
        chosen = set(equal)
        for u in self.series_units:
            if (u.label, u.value) in chosen:
                return self.model_copy(update={"unit": u.unit, "scale": u.scale})
        return self

    @model_validator(mode="after")
    def _consistent(self) -> MetricDefinition:
        if self.type is MetricType.HISTOGRAM:
            if not self.buckets and not self.buckets_at_run_time:
                raise ValueError("a histogram needs `buckets`")
            if not all(math.isfinite(b) for b in self.buckets):
                raise ValueError("bucket bounds must be finite numbers (the +Inf bucket is implicit)")
            if list(self.buckets) != sorted(set(self.buckets)):
                raise ValueError("`buckets` must be strictly ascending")
        elif self.buckets or self.buckets_at_run_time:
            raise ValueError("`buckets` and `buckets_at_run_time` are only allowed on a histogram")
        if self.buckets and self.buckets_at_run_time:
            raise ValueError("a histogram with `buckets_at_run_time` lists no `buckets`")
        if self.subset_of is not None:
            if self.type is not MetricType.COUNTER:
                raise ValueError("`subset_of` is only allowed on a counter")
            if self.subset_of == self.name:
                raise ValueError("`subset_of` names the metric itself")
        odd = sorted({u.label for u in self.series_units} - set(self.labels))
        if odd:
            raise ValueError(f"series_units name labels not in labels: {', '.join(odd)}")
        if len({(u.label, u.value) for u in self.series_units}) != len(self.series_units):
            raise ValueError("series_units names a label value twice")
        unknown = sorted(set(self.high_cardinality_labels) - set(self.labels))
        if unknown:
            raise ValueError(f"high_cardinality_labels not in labels: {', '.join(unknown)}")
        return self
