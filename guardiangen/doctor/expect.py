"""What a running cluster must show for the spec's render to work: read from the render itself.

The expectations come from the render: the rule groups as the renderer serializes them into the
rule files (the lines of the rendered files for positions), ``alertmanager.yml`` parsed back, and the
plan's SLOs, so ``doctor`` checks exactly what is deployed; and from the loaded spec document, so a
finding can point at the line that set a value:

- every raw series the rules read (recorded series are the rules' own output, not the cluster's);
- every label value a selector takes from the spec (a specialist's ``metric_label_value``, an
  engine's ``served_model_name`` or ``job`` ...), with the metrics that must carry it;
- every histogram bucket an SLO pins with an ``le`` matcher, with the spec field of its threshold;
- every rule group with its rules in canonical form, and the Alertmanager configuration.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import promql_parser as pp
from ruamel.yaml import YAML

from guardiangen.catalog import HISTOGRAM_PARTS, Catalog
from guardiangen.load import LoadedDoc, PathKey
from guardiangen.plan.model import Plan, RuleGroup
from guardiangen.promql.infer import label_matchers, selector_name, vector_selectors
from guardiangen.render.prometheus import RULES_DIR, group_dict
from guardiangen.spec.types import DurationError, parse_duration_ms

ALERTMANAGER_FILE = "alertmanager/alertmanager.yml"


@dataclass(frozen=True)
class Where:
    """A position in a file: the spec, or a rendered file (path relative to ``out``)."""

    path: str
    line: int = 0
    col: int = 0


@dataclass(frozen=True)
class Selector:
    """One vector selector of a generated rule."""

    name: str
    matchers: tuple[tuple[str, str, str], ...]  # (label, op, value), op one of = != =~ !~; no __name__
    rule: str  # the rule that reads it
    file: str  # the rendered rules file, relative to out

    def text(self) -> str:
        inner = ",".join(f"{k}{op}{promql_string(v)}" for k, op, v in self.matchers)
        return f"{self.name}{{{inner}}}" if inner else self.name

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a series with ``labels`` is selected (Prometheus semantics: regexes anchored)."""
        for k, op, v in self.matchers:
            have = labels.get(k, "")
            if (op == "=" and have != v) or (op == "!=" and have == v):
                return False
            if op in ("=~", "!~") and (re.fullmatch(v, have) is not None) != (op == "=~"):
                return False
        return True


@dataclass(frozen=True)
class SpecValue:
    """A label value the spec writes and the rules select on, and the metrics that must carry it."""

    label: str
    value: str
    metrics: tuple[str, ...]
    where: Where


@dataclass(frozen=True)
class BucketNeed:
    """An ``le`` bucket a rule pins (an SLO's threshold): ``selector`` without ``le`` must have it."""

    selector: Selector
    le_pattern: str  # the rule's ``le`` regex, e.g. ``10(\\.0)?``
    threshold: str  # the boundary as the rule names it, e.g. ``10``
    where: Where


@dataclass(frozen=True)
class RuleView:
    """A rule as Prometheus' ``/api/v1/rules`` shows it, in a form both sides can be compared in."""

    kind: str  # alerting | recording
    name: str
    query: str  # canonical PromQL (parsed and printed again)
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    for_ms: int
    keep_firing_ms: int


@dataclass(frozen=True)
class GroupView:
    name: str
    where: Where  # the group's `name:` line in the rendered rules file
    rules: tuple[RuleView, ...]


@dataclass(frozen=True)
class Expected:
    spec_path: str
    series: dict[str, tuple[Selector, ...]]  # raw series name -> its selectors, in render order
    records: frozenset[str]
    spec_values: tuple[SpecValue, ...]
    buckets: tuple[BucketNeed, ...]
    groups: tuple[GroupView, ...]
    alertmanager: Any  # the rendered alertmanager.yml as data, or None when the render has none
    alertmanager_where: Where
    catalog: Catalog
    metric_places: dict[str, Where] = field(default_factory=dict)  # series name -> its `metrics:` entry
    section_places: dict[str, Where] = field(default_factory=dict)  # top-level spec key -> its position
    readers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # series name -> rules reading it

    def alerts_reading(self, name: str) -> list[str]:
        """The alerts that read series ``name``, directly or through recorded series, sorted."""
        alerts: set[str] = set()
        todo, done = [name], {name}
        while todo:
            for rule in self.readers.get(todo.pop(), ()):
                if rule in self.records and rule not in done:
                    done.add(rule)
                    todo.append(rule)
                elif rule not in self.records:
                    alerts.add(rule)
        return sorted(alerts)

    @functools.cached_property
    def _value_places(self) -> dict[tuple[str, str], Where]:
        return {(v.label, v.value): v.where for v in self.spec_values}

    def where_of(self, name: str) -> Where:
        """The spec place that makes the rules read series ``name``: its own `metrics:` entry, or the
        first spec value among its selectors' matchers (e.g. an engine's ``served_model_name``), or
        the section whose entries the exporter's metrics are about, or the spec file itself."""
        if name in self.metric_places:
            return self.metric_places[name]
        for sel in self.series.get(name, ()):
            for k, op, v in sel.matchers:
                if op == "=" and (k, v) in self._value_places:
                    return self._value_places[(k, v)]
        metric, _part = self.catalog.resolve_series(name)
        return self.section_places.get(_EXPORTER_SECTIONS.get(metric.exporter, ""), Where(self.spec_path))


def expected(doc: LoadedDoc, plan: Plan, files: Mapping[str, bytes], out: str) -> Expected:
    """Everything the cluster should show for the render ``files`` of the spec ``doc``."""
    groups: list[GroupView] = []
    selectors: list[Selector] = []
    records: set[str] = set()
    by_file: dict[str, list[RuleGroup]] = {}
    for rule_group in plan.rules.groups:
        by_file.setdefault(rule_group.file, []).append(rule_group)
    for file, file_groups in sorted(by_file.items()):
        relpath = f"{RULES_DIR}/{file}.yml"
        text = files[relpath].decode("utf-8")
        shown = f"{out}/{relpath}"
        lines = {m.group(1): text.count("\n", 0, m.start()) + 1 for m in _GROUP_LINE.finditer(text)}
        for g in file_groups:
            # The group as the rules file holds it: the fields the target Prometheus version accepts.
            group = group_dict(g, plan.prometheus)
            views = []
            for rule in group["rules"]:
                name = rule.get("record") or rule.get("alert")
                records.update([rule["record"]] if "record" in rule else [])
                ast = pp.parse(rule["expr"])
                selectors.extend(_selectors(ast, name, shown))
                views.append(_rule_view(rule, group.get("labels") or {}, _canonical(ast)))
            where = Where(shown, lines.get(g.name, 0), 3 if g.name in lines else 0)
            groups.append(GroupView(g.name, where, tuple(views)))
    readers: dict[str, dict[str, None]] = {}
    for sel in selectors:
        readers.setdefault(sel.name, {})[sel.rule] = None
    series: dict[str, list[Selector]] = {}
    for sel in selectors:
        if sel.name not in records and _in_catalog(plan.catalog, sel.name):
            series.setdefault(sel.name, []).append(sel)
    scalars = _spec_scalars(doc.data)
    values = _spec_values(series, scalars, doc)
    am_text = files.get(ALERTMANAGER_FILE)
    return Expected(
        spec_path=doc.path,
        series={k: tuple(v) for k, v in series.items()},
        records=frozenset(records),
        spec_values=values,
        buckets=_buckets(series, plan, doc),
        groups=tuple(groups),
        alertmanager=None if am_text is None else YAML(typ="safe").load(am_text.decode("utf-8")),
        alertmanager_where=Where(f"{out}/{ALERTMANAGER_FILE}"),
        catalog=plan.catalog,
        metric_places=_metric_places(doc, plan.catalog),
        readers={k: tuple(v) for k, v in readers.items()},
        section_places={
            k: Where(doc.path, *doc.positions.of_key((k,))) for k in doc.data if (k,) in doc.positions.keys
        },
    )


# The spec section whose entries a built-in exporter's metrics describe (for a finding about a
# metric every entry's rules read, such as `specialist_requests_total`).
_EXPORTER_SECTIONS = {
    "specialist_metrics": "specialists",
    "ai_workload_metrics": "specialists",
    "guardian_metrics": "guardians",
    "dcgm_exporter": "gpu_inventory",
    "nvidia_gpu_exporter": "gpu_inventory",
    "node_exporter": "node_thresholds",
    "postgres_exporter": "postgres",
}
_GROUP_LINE = re.compile(r"^  - name: (.+)$", re.MULTILINE)


def canonical_query(text: str) -> str:
    """PromQL printed the one way promql-parser prints it, with each selector's matchers sorted, so
    that Prometheus' own printing of a rule (``/api/v1/rules``, which orders matchers its own way)
    and the rendered text compare equal when they mean the same."""
    try:
        ast = pp.parse(text)
    except ValueError:
        return " ".join(text.split())
    return _canonical(ast)


def _canonical(ast: Any) -> str:
    return _sorted_matchers(str(ast))


_STRING = r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`"""
# A string literal (left alone) or a selector's `{...}` (whose items are sorted).
_STRING_OR_BRACES = re.compile(rf"({_STRING})|\{{((?:[^{{}}\"'`]|{_STRING})*)\}}")
_ITEM = re.compile(rf"(?:[^,\"'`]|{_STRING})+")


def _sorted_matchers(text: str) -> str:
    """``text`` with the comma-separated items of every ``{...}`` (outside strings) sorted."""

    def sort(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(1)
        return "{" + ",".join(sorted(x.strip() for x in _ITEM.findall(m.group(2)) if x.strip())) + "}"

    return _STRING_OR_BRACES.sub(sort, text)


def duration_ms(value: Any) -> int:
    """Milliseconds of a rule's ``for`` (text such as ``5m``) or the API's seconds (a number)."""
    if value in (None, ""):
        return 0
    if isinstance(value, (int, float)):
        return round(value * 1000)
    try:
        return parse_duration_ms(str(value))
    except DurationError:
        return -1


def _rule_view(rule: Mapping[str, Any], group_labels: Mapping[str, str], query: str) -> RuleView:
    return RuleView(
        kind="alerting" if "alert" in rule else "recording",
        name=str(rule.get("alert") or rule.get("record")),
        query=query,
        labels=tuple(sorted({**group_labels, **(rule.get("labels") or {})}.items())),
        annotations=tuple(sorted((rule.get("annotations") or {}).items())),
        for_ms=duration_ms(rule.get("for")),
        keep_firing_ms=duration_ms(rule.get("keep_firing_for")),
    )


def _selectors(ast: Any, rule: str, file: str) -> Iterator[Selector]:
    for node in vector_selectors(ast):
        name = selector_name(node)
        if name:
            yield Selector(name, label_matchers(node), rule, file)


def _in_catalog(catalog: Catalog, name: str) -> bool:
    try:
        catalog.resolve_series(name)
    except KeyError:
        return False
    return True


# Keys whose value is what a name *is* (not a reference to a name defined elsewhere, such as a
# specialist's `gpu_placement.nodes` or a guardian's `watches`): a finding points at the definition.
_DEFINING_KEYS = frozenset(
    {"name", "metric_label_value", "hostname", "model", "served_model_name", "job", "namespace", "product_name"}
)


def _spec_scalars(data: Any) -> dict[str, PathKey]:
    """Every string the spec writes, with the path of its definition: the first occurrence under one
    of :data:`_DEFINING_KEYS`, else the first occurrence (document order)."""
    first: dict[str, PathKey] = {}
    defining: dict[str, PathKey] = {}
    stack: list[tuple[Any, PathKey]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            stack.extend((v, (*path, k)) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in reversed(list(enumerate(node))))
        elif isinstance(node, str):
            first.setdefault(node, path)
            if path and path[-1] in _DEFINING_KEYS:
                defining.setdefault(node, path)
    return {**first, **defining}


def _spec_values(
    series: Mapping[str, list[Selector]], scalars: Mapping[str, PathKey], doc: LoadedDoc
) -> tuple[SpecValue, ...]:
    metrics: dict[tuple[str, str], dict[str, None]] = {}
    for name, sels in series.items():
        for sel in sels:
            for k, op, v in sel.matchers:
                if op == "=" and k != "le" and v in scalars:
                    metrics.setdefault((k, v), {})[name] = None
    out = []
    for (label, value), names in sorted(metrics.items(), key=lambda kv: (scalars[kv[0][1]], kv[0])):
        line, col = doc.positions.of_value(scalars[value])
        out.append(SpecValue(label, value, tuple(names), Where(doc.path, line, col)))
    return tuple(out)


_THRESHOLD_KEYS: tuple[PathKey, ...] = (("threshold_seconds",), ("minimum_score",), ("latency", "threshold"))


def _buckets(series: Mapping[str, list[Selector]], plan: Plan, doc: LoadedDoc) -> tuple[BucketNeed, ...]:
    """The pinned ``le`` buckets, each once per (selector without ``le``, boundary)."""
    slo_paths = {f"slo-{slo.id}.yml": slo.spec_path for slo in plan.slos}
    seen: dict[tuple[str, str], BucketNeed] = {}
    for name, sels in series.items():
        if not name.endswith("_bucket"):
            continue
        for sel in sels:
            le = next((v for k, op, v in sel.matchers if k == "le" and op in ("=", "=~")), None)
            if le is None:
                continue
            rest = Selector(sel.name, tuple(m for m in sel.matchers if m[0] != "le"), sel.rule, sel.file)
            key = (rest.text(), le)
            if key in seen:
                continue
            spec_path = slo_paths.get(sel.file.rsplit("/", 1)[-1])
            seen[key] = BucketNeed(rest, le, _boundary(le), _threshold_where(doc, spec_path))
    return tuple(seen.values())


def _boundary(pattern: str) -> str:
    """``10(\\.0)?`` -> ``10``, ``2\\.5`` -> ``2.5``: the number an ``le`` pattern stands for."""
    return pattern.replace("(\\.0)?", "").replace("\\", "")


def _threshold_where(doc: LoadedDoc, spec_path: str | None) -> Where:
    """The threshold field of the SLO at ``spec_path`` (e.g. ``specialists[code].slos.latency``)."""
    if spec_path is None:
        return Where(doc.path)
    path = locate(doc.data, spec_path)
    if path is None:
        return Where(doc.path)
    for tail in _THRESHOLD_KEYS:
        if (*path, *tail) in doc.positions.values:
            line, col = doc.positions.of_value((*path, *tail))
            return Where(doc.path, line, col)
    line, col = doc.positions.of_key(path)
    return Where(doc.path, line, col)


def locate(data: Any, spec_path: str) -> PathKey | None:
    """The document path of a plan's spec path: ``a[name].b`` picks the item of list ``a`` named ``name``."""
    path: list[str | int] = []
    node = data
    for part in spec_path.split("."):
        key, _, item = part.partition("[")
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
        path.append(key)
        if item:
            wanted = item.rstrip("]")
            index = next((i for i, x in enumerate(node or []) if isinstance(x, dict) and x.get("name") == wanted), None)
            if index is None:
                return None
            node = node[index]
            path.append(index)
    return tuple(path)


def _metric_places(doc: LoadedDoc, catalog: Catalog) -> dict[str, Where]:
    """Series names of the spec's own ``metrics:`` entries, with the entry's position."""
    places: dict[str, Where] = {}
    for i, entry in enumerate(doc.data.get("metrics") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or entry["name"] not in catalog:
            continue
        line, col = doc.positions.of_value(("metrics", i, "name"))
        metric = catalog.get(entry["name"])
        names = [metric.name, *(f"{metric.name}_{p}" for p in HISTOGRAM_PARTS)]
        places.update({n: Where(doc.path, line, col) for n in names})
    return places


def promql_string(value: str) -> str:
    """``value`` as a PromQL double-quoted string, for selectors sent in ``match[]``. Unlike
    :func:`guardiangen.promql.text.quote` (for rules written to files) it accepts any value a
    server reported, U+FFFD included."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
