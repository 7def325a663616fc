"""What a foreign PromQL expression means: AST helpers, result labels and value meaning.

:class:`Inference` resolves selectors against the catalog and against recording rules (traced
through their definitions, cycle-safe), and infers the labels of a result (:meth:`~Inference.labels`)
and what its value means (:meth:`~Inference.meta`) with the same rules the builders apply, so a
hand-written rule and a generated one get the same answer. :mod:`.analyze` builds the checks on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import promql_parser as pp

from guardiangen.catalog import Catalog, MetricDefinition, Part, Scale
from guardiangen.promql import meta as M
from guardiangen.promql.text import GRAFANA_WINDOWS

Node = Any  # promql_parser's AST classes carry no usable static types
T = TypeVar("T")
Labels = tuple[frozenset[str] | None, frozenset[str]]  # (label names or unknown, high-cardinality)

COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})
# Functions whose result means the same as their (first vector) argument.
PRESERVING_FUNCS = (
    frozenset({"abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max", "sort"})
    | frozenset({"sort_desc", "label_replace", "label_join", "avg_over_time", "min_over_time", "max_over_time"})
    | frozenset({"last_over_time", "quantile_over_time"})
)


def parse(text: str) -> Node:
    """Parse PromQL; Grafana range variables are read as ``5m``. Raises ValueError."""
    for var in GRAFANA_WINDOWS:
        text = text.replace(var, "5m")
    return pp.parse(text)


def strip(node: Node) -> Node:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


def literal(node: Node) -> Decimal | None:
    node = strip(node)
    if isinstance(node, pp.UnaryExpr) and isinstance(strip(node.expr), pp.NumberLiteral):
        return -Decimal(repr(strip(node.expr).val))
    return Decimal(repr(node.val)) if isinstance(node, pp.NumberLiteral) else None


def is_scalar(node: Node) -> bool:
    node = strip(node)
    if isinstance(node, pp.NumberLiteral):
        return True
    if isinstance(node, pp.UnaryExpr):
        return is_scalar(node.expr)
    if isinstance(node, pp.Call):
        return node.func.name in ("scalar", "time", "pi")
    if isinstance(node, pp.BinaryExpr):
        return is_scalar(node.lhs) and is_scalar(node.rhs)
    return False


def vector_selectors(node: Node) -> Iterator[Node]:
    """The vector selectors under ``node``, left to right (a range selector's own vector selector)."""
    if isinstance(node, pp.VectorSelector):
        yield node
    elif isinstance(node, pp.MatrixSelector):
        yield node.vector_selector
    elif isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr, pp.AggregateExpr)):
        yield from vector_selectors(node.expr)
    elif isinstance(node, pp.BinaryExpr):
        yield from vector_selectors(node.lhs)
        yield from vector_selectors(node.rhs)
    elif isinstance(node, pp.Call):
        for arg in node.args:
            yield from vector_selectors(arg)


# promql_parser's match operators (an Enum whose members are not hashable) as PromQL writes them.
_MATCH_OPS = ((pp.MatchOp.Equal, "="), (pp.MatchOp.NotEqual, "!="), (pp.MatchOp.Re, "=~"), (pp.MatchOp.NotRe, "!~"))


def label_matchers(node: Node) -> tuple[tuple[str, str, str], ...]:
    """A vector selector's matchers as ``(label, op, value)``, ``op`` as PromQL writes it, in the
    order written, without the one on ``__name__``."""
    return tuple(
        (str(m.name), next(text for member, text in _MATCH_OPS if m.op == member), str(m.value))
        for m in node.matchers.matchers
        if m.name != "__name__"
    )


def selector_name(node: Node) -> str | None:
    if node.name:
        return str(node.name)
    for m in node.matchers.matchers:
        if m.name == "__name__" and m.op == pp.MatchOp.Equal:
            return str(m.value)
    return None


def value_side(node: Node) -> Node:
    """The sub-expression whose value an alert reports as ``$value``."""
    node = strip(node)
    if isinstance(node, pp.BinaryExpr):
        op = str(node.op)
        if op in COMPARISONS and not (node.modifier and node.modifier.return_bool):
            return value_side(node.rhs if literal(node.lhs) is not None else node.lhs)
        if op in ("and", "unless"):
            return value_side(node.lhs)
    return node


def has_comparison(node: Node) -> bool:
    """True when an alert expression filters on a condition (or is an absent() check)."""
    node = strip(node)
    if isinstance(node, pp.BinaryExpr):
        op = str(node.op)
        if op in COMPARISONS:
            return not (node.modifier and node.modifier.return_bool)
        if op in ("and", "or", "unless"):
            return has_comparison(node.lhs) or (op == "or" and has_comparison(node.rhs))
    return isinstance(node, pp.Call) and node.func.name in ("absent", "absent_over_time")


class Inference:
    """Inferences over PromQL ASTs, knowing the catalog and recording rules by name."""

    def __init__(
        self,
        catalog: Catalog,
        records: Mapping[str, str] | None = None,
        record_labels: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.records = dict(records or {})
        # Names of the static `labels:` a recording rule attaches: its series carry them too.
        self.record_labels = dict(record_labels or {})
        self._ast: dict[str, Node | None] = {}
        self._tracing: set[str] = set()

    def record_ast(self, name: str) -> Node | None:
        if name not in self._ast:
            try:
                self._ast[name] = parse(self.records[name])
            except ValueError:
                self._ast[name] = None
        return self._ast[name]

    def traced(self, name: str, fn: Callable[[Node], T], default: T) -> T:
        """``fn`` of the recorded expression ``name``; ``default`` if unknown, unparsable or cyclic."""
        ast = self.record_ast(name) if name in self.records and name not in self._tracing else None
        if ast is None:
            return default
        self._tracing.add(name)
        try:
            return fn(ast)
        finally:
            self._tracing.discard(name)

    def resolve(self, name: str) -> tuple[MetricDefinition, Part] | None:
        try:
            return self.catalog.resolve_series(name)
        except KeyError:
            return None

    def labels(self, node: Node) -> Labels:
        """Label names of the result (None if unknown) and which of them are high-cardinality."""
        node = strip(node)
        if isinstance(node, pp.UnaryExpr | pp.SubqueryExpr):
            return self.labels(node.expr)
        if isinstance(node, pp.MatrixSelector):
            return self.labels(node.vector_selector)
        if isinstance(node, pp.VectorSelector):
            name = selector_name(node)
            if name is None:
                return None, frozenset()
            if name in self.records:
                unknown: Labels = (None, frozenset())
                inner, high = self.traced(name, self.labels, unknown)
                return (None if inner is None else inner | self.record_labels.get(name, frozenset())), high
            resolved = self.resolve(name)
            if resolved is None:
                return None, frozenset()
            metric, part = resolved
            return self.catalog.label_names(metric, part), frozenset(metric.high_cardinality_labels)
        if isinstance(node, pp.AggregateExpr):
            if str(node.op) in ("topk", "bottomk", "limitk", "limit_ratio"):
                return self.labels(node.expr)
            inner, high = self.labels(node.expr)
            if node.modifier is None:
                return frozenset(), frozenset()
            listed = frozenset(node.modifier.labels)
            if node.modifier.type == pp.AggModifierType.By:
                return listed, high & listed
            return (None if inner is None else inner - listed), high - listed
        if isinstance(node, pp.Call):
            return self._call_labels(node)
        if isinstance(node, pp.BinaryExpr):
            return self._binary_labels(node)
        return frozenset(), frozenset()

    def _call_labels(self, node: Node) -> Labels:
        name = node.func.name
        if name in ("absent", "absent_over_time", "vector", "time", "scalar"):
            return None, frozenset()
        vectors = [a for a in node.args if not isinstance(strip(a), pp.NumberLiteral | pp.StringLiteral)]
        if not vectors:
            return frozenset(), frozenset()
        labels, high = self.labels(vectors[0])
        if name == "histogram_quantile" and labels is not None:
            labels = labels - {"le"}
        if name == "label_replace" and labels is not None and isinstance(node.args[1], pp.StringLiteral):
            labels = labels | {node.args[1].val}
        return labels, high

    def _binary_labels(self, node: Node) -> Labels:
        if is_scalar(node.lhs):
            return self.labels(node.rhs)
        left, high = self.labels(node.lhs)
        if is_scalar(node.rhs) or str(node.op) in ("and", "or", "unless"):
            return left, high
        mod = node.modifier
        if mod is not None and mod.group_labels is not None:
            side = node.rhs if mod.card == pp.VectorMatchCardinality.OneToMany else node.lhs
            base, high = self.labels(side)
            return (None if base is None else base | set(mod.group_labels)), high
        if mod is not None and mod.matching is not None:
            listed = frozenset(mod.matching.labels)
            if mod.matching.type == pp.LabelModifierType.Include:
                return listed, high & listed
            return (None if left is None else left - listed), high - listed
        return left, high

    def meta(self, node: Node) -> M.Meta:
        """What the value of ``node`` means, inferred like the builders do; ``UNKNOWN`` if unsure."""
        node = strip(node)
        if isinstance(node, pp.UnaryExpr | pp.SubqueryExpr):
            return self.meta(node.expr)
        if isinstance(node, pp.MatrixSelector):
            return self.meta(node.vector_selector)
        if isinstance(node, pp.VectorSelector):
            return self._selector_meta(node)
        if isinstance(node, pp.AggregateExpr):
            op, inner = str(node.op), self.meta(node.expr)
            if op == "sum":
                return M.summed(inner)
            if op in ("count", "count_values", "group"):
                return M.COUNT
            return inner if op in ("avg", "min", "max", "topk", "bottomk", "quantile", "limitk") else M.UNKNOWN
        if isinstance(node, pp.Call):
            return self._call_meta(node)
        if isinstance(node, pp.BinaryExpr):
            return self._binary_meta(node)
        return M.UNKNOWN

    def _selector_meta(self, node: Node) -> M.Meta:
        name = selector_name(node)
        if name is None:
            return M.UNKNOWN
        if name in self.records:
            return self.traced(name, self.meta, M.UNKNOWN)
        resolved = self.resolve(name)
        if resolved is None:
            return M.UNKNOWN
        metric, part = resolved
        equal = ((str(m.name), str(m.value)) for m in node.matchers.matchers if m.op == pp.MatchOp.Equal)
        return M.COUNT if part in ("bucket", "count") else M.of_metric(metric.selected(equal))

    def _call_meta(self, node: Node) -> M.Meta:
        name = node.func.name
        vectors = [a for a in node.args if not isinstance(strip(a), pp.NumberLiteral | pp.StringLiteral)]
        inner = self.meta(vectors[0]) if vectors else M.UNKNOWN
        if name in ("rate", "irate", "deriv"):
            return M.per_second(inner) if inner.is_known else M.UNKNOWN
        if name == "increase":
            return M.Meta(inner.scale, inner.unit) if inner.is_known else M.UNKNOWN
        if name in ("count_over_time", "changes", "resets"):
            return M.COUNT
        if name in ("absent", "absent_over_time", "present_over_time"):
            return M.Meta()
        if name == "sum_over_time":
            return M.summed(inner)
        if name == "histogram_quantile":
            return self._histogram_meta(node.args[1])
        if name in ("delta", "idelta"):
            return inner if inner.scale is Scale.ABSOLUTE else M.UNKNOWN
        return inner if name in PRESERVING_FUNCS else M.UNKNOWN

    def _histogram_meta(self, node: Node) -> M.Meta:
        found: list[M.Meta] = []

        def visit(n: Node) -> bool:
            if isinstance(n, pp.VectorSelector) and (name := selector_name(n)):
                if name in self.records:
                    found.append(self.traced(name, self._histogram_meta, M.UNKNOWN))
                elif (resolved := self.resolve(name)) and resolved[1] == "bucket":
                    found.append(M.of_metric(resolved[0]))
            return True

        pp.walk(node, visit)
        return found[0] if found and all(f == found[0] for f in found) else M.UNKNOWN

    def _binary_meta(self, node: Node) -> M.Meta:
        op = str(node.op)
        kl, kr = literal(node.lhs), literal(node.rhs)
        bool_ = bool(node.modifier and node.modifier.return_bool)
        if op in COMPARISONS:
            return M.Meta() if bool_ else self.meta(node.rhs if kl is not None else node.lhs)
        if op in ("and", "unless"):
            return self.meta(node.lhs)
        left = self.meta(node.lhs) if kl is None else M.UNKNOWN
        right = self.meta(node.rhs) if kr is None else M.UNKNOWN
        if op == "or":
            return M.combined(left, right)
        if op == "*":
            return M.times(left, kr) if kr is not None else M.times(right, kl) if kl is not None else M.UNKNOWN
        if op == "/":
            if kr is not None:
                return M.divided_by_number(left, kr)
            return M.UNKNOWN if kl is not None else M.divided(left, right)
        if op in ("+", "-"):
            if kr is not None:
                return M.offset(left, kr)
            return M.offset(right, kl) if kl is not None else M.combined(left, right)
        return M.UNKNOWN
