"""Offline semantic checks of PromQL text against the catalog (the engine of the rule lint).

:class:`Analyzer` parses an expression with ``promql_parser`` and walks the AST: unknown metrics,
type misuse (rate of a gauge, raw counters, bare histograms), grouping by high-cardinality labels,
``histogram_quantile`` without ``sum by (le, ...)``, vector matching that can never match, and
``le`` matchers that break under Prometheus 3. Findings carry a diagnostic code but no position:
the caller knows where the text came from. Inference of labels and meaning lives in :mod:`.infer`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import promql_parser as pp

from guardiangen.catalog import HISTOGRAM_PARTS, MetricType
from guardiangen.catalog import engines as engine_catalog
from guardiangen.catalog.builtin import foreign_gpu_metric
from guardiangen.diagnostics import (
    GG401_PROMQL_SYNTAX,
    GG402_UNKNOWN_METRIC,
    GG403_TYPE_MISUSE,
    GG404_HIGH_CARDINALITY,
    GG407_QUANTILE_WITHOUT_LE,
    GG409_DEPRECATED_METRIC,
    Severity,
    did_you_mean,
)
from guardiangen.promql.infer import (
    COMPARISONS,
    Inference,
    Labels,
    Node,
    has_comparison,
    is_scalar,
    literal,
    parse,
    selector_name,
    strip,
    value_side,
)

__all__ = ["COMPARISONS", "Analyzer", "Finding", "Labels", "has_comparison", "parse", "value_side"]

# Functions and aggregations that may see a raw counter (or a histogram's _bucket/_sum/_count).
COUNTER_CONSUMERS = frozenset({"rate", "irate", "increase", "resets", "timestamp", "count", "group"}) | frozenset(
    {"absent", "absent_over_time", "present_over_time", "count_over_time"}
)
DELTA_LIKE = frozenset({"delta", "idelta", "deriv", "predict_linear", "holt_winters", "double_exponential_smoothing"})
COUNTER_ONLY = frozenset({"rate", "irate", "increase", "resets"})


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    severity: Severity = Severity.ERROR


class Analyzer(Inference):
    """Inference plus the checks of the lint."""

    def check(self, text: str) -> tuple[Node | None, list[Finding]]:
        """Parse and check one expression: (AST or None, findings)."""
        try:
            ast = parse(text)
        except ValueError as exc:
            return None, [Finding(GG401_PROMQL_SYNTAX, f"PromQL does not parse: {exc}")]
        out: list[Finding] = []
        self._walk(ast, None, out)
        return ast, out

    def _walk(self, node: Node, consumer: str | None, out: list[Finding]) -> None:
        if isinstance(node, pp.ParenExpr):
            self._walk(node.expr, consumer, out)
        elif isinstance(node, (pp.UnaryExpr, pp.SubqueryExpr)):
            self._walk(node.expr, None, out)
        elif isinstance(node, pp.VectorSelector):
            self._selector(node, consumer, out)
        elif isinstance(node, pp.MatrixSelector):
            self._selector(node.vector_selector, consumer, out)
        elif isinstance(node, pp.Call):
            self._call(node, out)
            for arg in node.args:
                self._walk(arg, node.func.name, out)
        elif isinstance(node, pp.AggregateExpr):
            self._aggregate(node, out)
            self._walk(node.expr, str(node.op), out)
        elif isinstance(node, pp.BinaryExpr):
            self._matching(node, out)
            self._walk(node.lhs, None, out)
            self._walk(node.rhs, None, out)

    def _selector(self, node: Node, consumer: str | None, out: list[Finding]) -> None:
        name = selector_name(node)
        for m in node.matchers.matchers:
            if m.name in ("le", "quantile") and m.op == pp.MatchOp.Equal and re.fullmatch(r"[+-]?\d+", m.value):
                out.append(
                    Finding(
                        GG403_TYPE_MISUSE,
                        f'{m.name}="{m.value}" stops matching on Prometheus 3, which '
                        f'stores "{m.value}.0"; use {m.name}=~"{m.value}(\\\\.0)?"',
                        Severity.WARNING,
                    )
                )
        if name is None:
            return
        if name in self.records:
            self._labels_exist(node, name, self.labels(node)[0], out)
            return
        resolved = self.resolve(name)
        if resolved is None:
            out.append(Finding(GG402_UNKNOWN_METRIC, self._unknown(name)))
            return
        metric, part = resolved
        self._labels_exist(node, name, self.catalog.label_names(metric, part), out)
        self._deprecated(name, metric.name, part, out)
        if metric.type is MetricType.HISTOGRAM and part == "":
            out.append(
                Finding(
                    GG403_TYPE_MISUSE,
                    f'"{name}" is a histogram: only {name}_bucket, {name}_sum and '
                    f"{name}_count exist, so this selects nothing. Use histogram_quantile over "
                    f"sum by (le, ...) (rate({name}_bucket[w])), or rate(_sum) / rate(_count) "
                    "for the mean",
                )
            )
        elif metric.type is MetricType.COUNTER or part:
            if consumer in DELTA_LIKE:
                out.append(
                    Finding(
                        GG403_TYPE_MISUSE, f'{consumer}() on counter "{name}" ignores resets: use increase() or rate()'
                    )
                )
            elif consumer not in COUNTER_CONSUMERS:
                out.append(
                    Finding(
                        GG403_TYPE_MISUSE,
                        f'counter "{name}" used without rate(), irate() or increase(): '
                        "its raw value only grows and resets on restart",
                    )
                )
        elif consumer in COUNTER_ONLY:
            hint = (
                " It holds the value of the last XID error: use changes() or compare it."
                if "XID" in name
                else " Use it directly or with *_over_time()."
            )
            out.append(Finding(GG403_TYPE_MISUSE, f'{consumer}() needs a counter, but "{name}" is a gauge.{hint}'))

    def _labels_exist(self, node: Node, name: str, labels: frozenset[str] | None, out: list[Finding]) -> None:
        if labels is None:
            return
        for m in node.matchers.matchers:
            if m.name not in labels and m.name != "__name__":
                out.append(
                    Finding(
                        GG402_UNKNOWN_METRIC,
                        f'"{name}" has no label "{m.name}"' + did_you_mean(m.name, labels),
                        Severity.WARNING,
                    )
                )

    def _deprecated(self, name: str, metric: str, part: str, out: list[Finding]) -> None:
        """A name a serving engine replaced (``catalog.engines.deprecations()``), unless the catalog
        holds that engine's metrics without the replacement: then the engine release the spec names
        is older than the rename and the old name is the only one it has."""
        old = _deprecations().get(metric)
        if old is None:
            return
        if old.replacement not in self.catalog and any(m.exporter == old.engine for m in self.catalog):
            return
        title = engine_catalog.title(old.engine)
        instead = f"{old.replacement}_{part}" if part else old.replacement
        out.append(
            Finding(
                GG409_DEPRECATED_METRIC,
                f'"{name}" is deprecated: {title} {old.since} replaced {old.name} with {old.replacement}; '
                f"use {instead}",
                Severity.WARNING,
            )
        )

    def _unknown(self, name: str) -> str:
        exporting = _engine_releases().get(name)
        if exporting is not None:
            engine, versions = exporting
            title = engine_catalog.title(engine)
            where = f"{title} {versions[0]}" if len(versions) == 1 else f"{title} {versions[0]} to {versions[-1]}"
            renamed = next((d for d in _deprecations().values() if name in _series_of(d.name)), None)
            hint = f"; {title} {renamed.since} replaced it with {renamed.replacement}" if renamed is not None else ""
            if any(m.exporter == engine for m in self.catalog):
                return (
                    f'"{name}" is a {title} metric, but the {title} release the spec names does not export it '
                    f"(catalogued in {where}{hint})"
                )
            return f'"{name}" is a {title} metric (catalogued in {where}{hint}), but the spec runs no {title}'
        if ":" in name:
            return f'"{name}" looks like a recording rule, but no rule in these files records it'
        foreign = foreign_gpu_metric(name, self.catalog.gpu.exporter)
        if foreign is None:
            choices = (*self.catalog.series_names(), *self.records)
            return f'metric "{name}" is not in the catalog' + did_you_mean(name, choices)
        other, role = foreign
        gpu = self.catalog.gpu
        message = f'metric "{name}" belongs to the {other} GPU exporter, but the spec uses {gpu.exporter}'
        if role in ("memory_used", "memory_free", "memory_total"):
            used, rest = gpu.memory_used, gpu.memory_total or gpu.memory_free
            return message + f" (use {used} and {rest})"
        if role is not None:
            equivalent = getattr(gpu, role)
            note = f", on a {gpu.utilization_scale.value} scale" if role == "utilization" else ""
            return message + f" (use {equivalent}{note})"
        return message

    def _call(self, node: Node, out: list[Finding]) -> None:
        if node.func.name != "histogram_quantile" or len(node.args) != 2:
            return
        q = literal(node.args[0])
        if q is not None and not 0 <= q <= 1:
            out.append(Finding(GG403_TYPE_MISUSE, f"histogram_quantile({q}, ...): a quantile is between 0 and 1"))
        if not self._summed_by_le(node.args[1]):
            out.append(
                Finding(
                    GG407_QUANTILE_WITHOUT_LE,
                    "histogram_quantile over bucket rates that are not summed by (le, ...) "
                    "gives one quantile per series (per pod or instance); use histogram_quantile"
                    "(q, sum by (le, <labels>) (rate(x_bucket[w])))",
                )
            )

    def _summed_by_le(self, node: Node) -> bool:
        node = strip(node)
        if isinstance(node, pp.AggregateExpr) and str(node.op) == "sum" and node.modifier is not None:
            by = node.modifier.type == pp.AggModifierType.By
            return bool(("le" in node.modifier.labels) == by)
        if isinstance(node, pp.VectorSelector) and (name := selector_name(node)) in self.records:
            return self.traced(str(name), self._summed_by_le, False)
        return False

    def _aggregate(self, node: Node, out: list[Finding]) -> None:
        if node.modifier is None:
            return
        _, high = self.labels(node.expr)
        listed = set(node.modifier.labels)
        kept = high & listed if node.modifier.type == pp.AggModifierType.By else high - listed
        if kept:
            out.append(
                Finding(
                    GG404_HIGH_CARDINALITY,
                    f"{node.op} keeps high-cardinality label(s) {', '.join(sorted(kept))}: "
                    "they have unbounded values; aggregate them away",
                )
            )

    def _matching(self, node: Node, out: list[Finding]) -> None:
        mod = node.modifier
        if str(node.op) == "or" or is_scalar(node.lhs) or is_scalar(node.rhs):
            return
        on = mod is not None and mod.matching is not None and mod.matching.type == pp.LabelModifierType.Include
        if on or (mod is not None and mod.group_labels):
            return
        ignoring = set(mod.matching.labels) if mod is not None and mod.matching else set()
        left, right = self.labels(node.lhs)[0], self.labels(node.rhs)[0]
        if left is None or right is None or left - ignoring == right - ignoring:
            return
        only_l, only_r = sorted(left - right - ignoring), sorted(right - left - ignoring)
        out.append(
            Finding(
                GG403_TYPE_MISUSE,
                f"`{node.op}` between vectors with different labels (left only: "
                f"{', '.join(only_l) or '-'}; right only: {', '.join(only_r) or '-'}) never matches; "
                "aggregate both sides to the same labels or use on (...)",
                Severity.WARNING,
            )
        )

    def absolute_subset_rate(self, ast: Node) -> Finding | None:
        """An alert thresholding the plain rate of a counter that counts a subset of another
        (errors of requests): it pages on busy services and never on quiet ones."""
        node = value_side(ast)
        while True:
            node = strip(node)
            if isinstance(node, pp.AggregateExpr) and str(node.op) in ("sum", "avg", "max", "min"):
                node = node.expr
            elif isinstance(node, pp.VectorSelector) and (name := selector_name(node)) in self.records:
                return self.traced(str(name), self.absolute_subset_rate, None)
            else:
                break
        if not (isinstance(node, pp.Call) and node.func.name in ("rate", "irate", "increase") and node.args):
            return None
        arg = strip(node.args[0])
        name = selector_name(arg.vector_selector) if isinstance(arg, pp.MatrixSelector) else None
        resolved = self.resolve(name) if name else None
        if resolved is None or resolved[0].subset_of is None:
            return None
        total = resolved[0].subset_of
        return Finding(
            GG403_TYPE_MISUSE,
            f'alert compares the absolute {node.func.name} of "{name}" with a fixed '
            "threshold: it fires on busy services and never on quiet ones; alert on the ratio "
            f"{name} / {total} (against the SLO) instead",
        )


@functools.cache
def _deprecations() -> Mapping[str, engine_catalog.Deprecation]:
    return {d.name: d for d in engine_catalog.deprecations()}


@functools.cache
def _engine_releases() -> Mapping[str, tuple[str, tuple[str, ...]]]:
    """Every series name of a catalogued engine metric -> (engine, the catalogued releases that have it)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for engine in engine_catalog.ENGINES:
        for version in engine_catalog.catalogued_versions(engine):
            for m in engine_catalog.release(engine, version).metrics:
                parts = ("", *HISTOGRAM_PARTS) if m.type is MetricType.HISTOGRAM else ("",)
                for part in parts:
                    found.setdefault(f"{m.name}_{part}" if part else m.name, (engine, []))[1].append(version)
    return {name: (engine, tuple(versions)) for name, (engine, versions) in found.items()}


def _series_of(name: str) -> frozenset[str]:
    """``name`` and, should it be a histogram's, its ``_bucket``/``_sum``/``_count`` series."""
    return frozenset((name, *(f"{name}_{part}" for part in HISTOGRAM_PARTS)))
