"""GPU quantities independent of the exporter profile (``catalog.gpu``): DCGM or nvidia_smi.

Rules and dashboards ask for "GPU utilization as a ratio" and get the right metric, scale and
arithmetic for the chosen exporter. Per-GPU results carry ``catalog.gpu.gpu_label`` and, for the
host, ``catalog.gpu.host_label``.
"""

from __future__ import annotations

from guardiangen.catalog import Catalog, Scale
from guardiangen.promql.build import changes, increase, value
from guardiangen.promql.expr import Expr, Matcher, series
from guardiangen.promql.ops import add, as_ratio, ratio


def utilization(catalog: Catalog, *matchers: Matcher) -> Expr:
    """GPU utilization as a 0-1 ratio: ``DCGM_FI_DEV_GPU_UTIL / 100`` or the nvidia_smi ratio."""
    util = value(series(catalog, catalog.gpu.utilization, *matchers))
    return as_ratio(util) if util.meta.effective_scale is Scale.PERCENT else util


def memory_used_ratio(catalog: Catalog, *matchers: Matcher) -> Expr:
    """Framebuffer memory in use, 0-1: DCGM ``used / (used + free)``, nvidia_smi ``used / total``."""
    gpu = catalog.gpu
    used = value(series(catalog, gpu.memory_used, *matchers))
    if gpu.memory_total is not None:
        return ratio(used, value(series(catalog, gpu.memory_total, *matchers)))
    assert gpu.memory_free is not None
    free = value(series(catalog, gpu.memory_free, *matchers))
    return ratio(used, add(used, free))


def temperature(catalog: Catalog, *matchers: Matcher) -> Expr:
    """GPU die temperature in degrees Celsius."""
    return value(series(catalog, catalog.gpu.temperature, *matchers))


def power(catalog: Catalog, *matchers: Matcher) -> Expr:
    """GPU power draw in watts."""
    return value(series(catalog, catalog.gpu.power, *matchers))


def xid_events(catalog: Catalog, range_: str, *matchers: Matcher) -> Expr:
    """How many XID errors appeared in ``range_`` (> 0 means at least one).

    DCGM holds the last XID in a gauge, so this is ``changes(DCGM_FI_DEV_XID_ERRORS[w])`` (a repeat
    of the same XID code is not seen); nvidia_smi counts per code, so ``increase(...[w])``.
    """
    s = series(catalog, catalog.gpu.xid, *matchers)
    if catalog.gpu.xid_kind == "counter":
        return increase(s, range_)
    return changes(s, range_)
