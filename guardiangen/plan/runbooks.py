"""The runbook pages of the plan: one per alert name, one section per rule of that name.

A section says, for one owner: which fields of ``cluster.yaml`` set the alert's threshold, severity
and ``for:`` and their values in this spec (as the lines to edit), the exact expression and the
value it compares, the recording rules it reads (followed through recording rules that read
recording rules), the first queries to run with the owner's selectors filled in, who is notified
(the spec's routing semantics, :func:`guardiangen.plan.routing.matching_routes`) and what mutes it.

Everything is read from the finished rules plan, so a page describes exactly the rule that is
deployed: a threshold in a page is the number in the rule's expression, set from the spec path the
page names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from guardiangen import promql as q
from guardiangen.catalog import Catalog, MetricDefinition, MetricType, Part
from guardiangen.plan.model import (
    LABEL_BURN_TIER,
    LABEL_COMPONENT,
    LABEL_GUARDIAN,
    LABEL_SEVERITY,
    LABEL_SLO,
    LABEL_SPECIALIST,
    LABEL_TEAM,
    InhibitRule,
    Rule,
    RulesPlan,
    SloPlan,
)
from guardiangen.plan.model.runbooks import (
    Inhibition,
    Query,
    RecordedInput,
    RunbookPage,
    RunbookSection,
    RunbooksPlan,
    SpecSetting,
)
from guardiangen.plan.routing import expected_receivers, matching_routes
from guardiangen.plan.rules.core import rate_window
from guardiangen.promql.infer import label_matchers, parse, selector_name, strip, value_side, vector_selectors
from guardiangen.spec.alert_names import ALERTS, AlertInfo
from guardiangen.spec.metric_checks import camel_name
from guardiangen.spec.models import ClusterSpec
from guardiangen.syntax import SPEC_PATH

_ITEM = re.compile(r"^([a-z_]+)\[([^\]]*)\]$")
# The spec's lists of named owners, and the alert label that names an item of each; the owner kind
# of an AlertInfo is the name of its list in the singular.
_OWNER_LABEL = {"specialists": LABEL_SPECIALIST, "guardians": LABEL_GUARDIAN}
# Where each kind of component alert's alert_overrides live.
_OVERRIDES = {
    "specialist": "specialists[{}].alert_overrides",
    "guardian": "guardians[{}].alert_overrides",
    "gpu": "gpu_inventory.alert_overrides",
    "node": "node_thresholds.alert_overrides",
    "postgres": "postgres.alert_overrides",
}


def build(
    spec: ClusterSpec,
    catalog: Catalog,
    rules: RulesPlan,
    slos: Sequence[SloPlan],
    inhibit_rules: Sequence[InhibitRule],
) -> RunbooksPlan:
    """A page per alert name of ``rules``, sorted by name; sections in the rules' order."""
    ctx = _Context(spec, catalog, rules, {s.id: s for s in slos}, tuple(inhibit_rules))
    by_name = rules.alerts_by_name()
    pages = tuple(ctx.page(name, by_name[name]) for name in sorted(by_name))
    return RunbooksPlan(pages=pages, cluster=spec.metadata.name)


def page_file(alert: str) -> str:
    """The page of an alert in the runbooks directory: its name in lowercase, as ``{alert}`` in
    ``defaults.runbook_url_pattern`` is replaced."""
    return f"{alert.lower()}.md"


@dataclass(frozen=True)
class _Selector:
    name: str
    matchers: tuple[tuple[str, str, str], ...]  # (label, op, value), as written

    def equalities(self) -> dict[str, str]:
        return {label: value for label, op, value in self.matchers if op == "="}


@dataclass(frozen=True)
class _Source:
    """A catalog metric an alert reads, directly or through recording rules."""

    metric: str
    matchers: tuple[tuple[str, str], ...]
    parts: tuple[str, ...]  # "" for a counter or gauge, else the histogram parts read

    @property
    def series(self) -> tuple[str, ...]:
        return tuple(f"{self.metric}_{part}" if part else self.metric for part in self.parts)


_Setting = tuple[SpecSetting, "_Edit"]


class _Records:
    """The recording rules of one series name, indexed by their static labels (the cluster's left
    out), so that finding those a selector can select is no scan of all of them: an SLO's series
    are recorded once per SLO."""

    def __init__(self, rules: list[tuple[Rule, str, str]], cluster_labels: frozenset[str]) -> None:
        self.rules = rules  # (rule, group name, file), in the plan's order
        self.static = [tuple((k, v) for k, v in rule.labels if k not in cluster_labels) for rule, _, _ in rules]
        self.fixing: dict[str, dict[str, set[int]]] = {}  # label -> value -> the rules fixing it so
        for i, static in enumerate(self.static):
            for k, v in static:
                self.fixing.setdefault(k, {}).setdefault(v, set()).add(i)
        everyone = set(range(len(rules)))
        self.unfixing = {k: everyone.difference(*by_value.values()) for k, by_value in self.fixing.items()}

    def selected_by(self, want: Mapping[str, str]) -> list[tuple[Rule, str, str]]:
        """The rules, in order, whose static labels agree with the equality matchers ``want``."""
        # Those must be among the rules that leave the label out or fix it to the wanted value, for
        # each wanted label: take the fewest such, then check each in full.
        sizes = [
            (len(self.unfixing[k]) + len(self.fixing[k].get(v, ())), k, v) for k, v in want.items() if k in self.fixing
        ]
        if sizes:
            _, label, value = min(sizes)
            order: Iterable[int] = sorted(self.unfixing[label] | self.fixing[label].get(value, set()))
        else:
            order = range(len(self.rules))
        return [self.rules[i] for i in order if all(want.get(k, v) == v for k, v in self.static[i])]


class _Context:
    def __init__(
        self,
        spec: ClusterSpec,
        catalog: Catalog,
        rules: RulesPlan,
        slos: Mapping[str, SloPlan],
        inhibit_rules: tuple[InhibitRule, ...],
    ) -> None:
        self.spec, self.catalog, self.slos, self.inhibit_rules = spec, catalog, slos, inhibit_rules
        self.cluster_labels = frozenset(spec.metadata.alert_labels)
        by_record: dict[str, list[tuple[Rule, str, str]]] = {}
        for group in rules.groups:
            for rule in group.rules:
                if rule.record is not None:
                    by_record.setdefault(rule.record, []).append((rule, group.name, group.file))
        self.records = {name: _Records(found, self.cluster_labels) for name, found in by_record.items()}
        self.prefix = spec.defaults.alert_name_prefix
        self.window = rate_window(spec)
        # Labels that do not tell one rule of a name from another: where it goes, and the cluster's own.
        self.common_labels = frozenset({LABEL_SEVERITY, LABEL_TEAM, LABEL_COMPONENT, *self.cluster_labels})
        self.metric_alerts = {camel_name(a.name): a for a in spec.metric_alerts}
        self._selectors: dict[str, tuple[_Selector, ...]] = {}
        self._resolved: dict[str, tuple[MetricDefinition, Part] | None] = {}
        self._values: dict[str, Any] = {}  # spec paths looked up
        self._named: dict[str, dict[Any, Any]] = {}  # the items of a list in the spec by name
        self._picking: dict[str, dict[Any, list[int]]] = {}  # and their positions by name and hostname

    # ------------------------------------------------------------------------------ a page

    def page(self, name: str, rules: list[Rule]) -> RunbookPage:
        base = name.removeprefix(self.prefix)
        info = ALERTS.get(base)
        first = dict(rules[0].annotations)
        anchors: set[str] = set()
        sections = tuple(self.section(base, info, rule, anchors) for rule in rules)
        if info is not None:
            summary, threshold = info.summary, info.threshold
        elif base in self.metric_alerts:
            summary, threshold = first.get("summary", ""), f"metric_alerts[{self.metric_alerts[base].name}].threshold"
        else:
            summary = _slo_summary(base)
            threshold = "the SLO's objective and period (specialists[].slos, guardians[].slos, metric_slos[])"
        return RunbookPage(
            alert=name,
            file=page_file(name),
            url=first.get("runbook_url", ""),
            summary=summary,
            threshold=threshold,
            tuning=_tuning(base, info, base in self.metric_alerts),
            sections=sections,
        )

    def section(self, base: str, info: AlertInfo | None, rule: Rule, anchors: set[str]) -> RunbookSection:
        labels = dict(rule.labels)
        annotations = dict(rule.annotations)
        owner = f"metric alert {self.metric_alerts[base].name}" if base in self.metric_alerts else self.owner(labels)
        anchor = _unique(_slug(owner), anchors)
        node = parse(rule.expr)
        direct = self.selectors(rule.expr)
        reads = tuple(self.closure(direct))
        value = strip(value_side(node))
        value_text = "" if value is strip(node) else value.prettify()
        routes = matching_routes(self.spec.alerting, labels)
        receivers = expected_receivers(self.spec.alerting, labels)
        matchers = _equalities(direct)
        raw = self.raw(direct, reads, matchers)
        description = annotations.get("description", "")
        settings = list(self.settings(base, info, labels))
        return RunbookSection(
            anchor=anchor,
            owner=owner,
            labels=rule.labels,
            severity=labels.get(LABEL_SEVERITY, ""),
            for_=rule.for_,
            keep_firing_for=rule.keep_firing_for,
            expr=rule.expr,
            value=value_text,
            description=description,
            meaning=_meaning(description, labels),
            dashboard_url=annotations.get("dashboard_url", ""),
            settings=tuple(shown for shown, _ in settings),
            settings_yaml=settings_yaml(edit for _, edit in settings),
            reads=reads,
            queries=_distinct_queries(self.queries(rule, labels, value_text, direct, raw)),
            receivers=receivers,
            muted_during=tuple(dict.fromkeys(m for route in routes for m in route.mute_during)),
            inhibited_by=tuple(
                Inhibition(r.source, r.equal)
                for r in self.inhibit_rules
                if all(labels.get(k) == v for k, v in r.target)
            ),
            direct_series=tuple(dict.fromkeys(sel.name for sel in direct)),
            source_series=tuple(dict.fromkeys(name for source in raw for name in source.series)),
            matchers=tuple(sorted(matchers.items())),
        )

    def owner(self, labels: Mapping[str, str]) -> str:
        if LABEL_SLO in labels:
            tier = labels.get(LABEL_BURN_TIER)
            return f"SLO {labels[LABEL_SLO]}" + (f", {tier} tier" if tier else "")
        named = [f"{label} {labels[label]}" for label in (LABEL_GUARDIAN, LABEL_SPECIALIST) if label in labels]
        if named:
            return ", ".join(named)
        rest = [f"{k} {v}" for k, v in self.identity(labels)]
        component = _COMPONENTS.get(labels.get(LABEL_COMPONENT, ""), "cluster")
        return ", ".join(rest) if rest else f"the {component} fleet"

    def identity(self, labels: Mapping[str, str]) -> list[tuple[str, str]]:
        """The labels that tell this rule from the others of its name, sorted."""
        return [(k, v) for k, v in sorted(labels.items()) if k not in self.common_labels]

    # ------------------------------------------------------------------------ spec settings

    def settings(self, base: str, info: AlertInfo | None, labels: Mapping[str, str]) -> Iterator[_Setting]:
        if info is not None:
            for path in SPEC_PATH.findall(info.threshold):
                yield from self.resolved(path, labels)
            owner = labels.get(_OWNER_LABEL.get(f"{info.owner}s", ""), "")
            yield from self.override(_OVERRIDES[info.owner].format(owner), base)
        elif base in self.metric_alerts:
            a = self.metric_alerts[base]
            for field in ("threshold", "comparison", "aggregation", "for_duration", "severity"):
                yield self.setting(f"metric_alerts[{a.name}].{field}")
        elif LABEL_SLO in labels and labels[LABEL_SLO] in self.slos:
            yield from self.slo_settings(base, self.slos[labels[LABEL_SLO]], labels)

    def slo_settings(self, base: str, slo: SloPlan, labels: Mapping[str, str]) -> Iterator[_Setting]:
        path = slo.spec_path
        if base == "SloNoData":
            yield self.setting(f"{path}.no_data")
            return
        yield self.setting(f"{path}.objective_percent")
        yield self.setting(f"{path}.period")
        tier = labels.get(LABEL_BURN_TIER)
        if tier:
            yield self.setting(f"{path}.burn_alerts.{tier}")
        obj = self.lookup(path)
        for name in ("threshold_seconds", "minimum_score"):
            if getattr(obj, name, None) is not None:
                yield self.setting(f"{path}.{name}")
        if getattr(obj, "latency", None) is not None:
            yield self.setting(f"{path}.latency.threshold")

    def resolved(self, template: str, labels: Mapping[str, str]) -> Iterator[_Setting]:
        """The settings a path of an AlertInfo names, its list items picked by the alert's labels
        (all items of a list that no label picks, e.g. every GPU model)."""
        head, _, rest = template.partition("[]")
        if not rest:
            yield self.setting(template)
            return
        label = _OWNER_LABEL.get(head)
        if label is not None and label in labels:
            names = [labels[label]]
        else:  # the items the alert's labels name (a GPU model, a node's host), else all of them
            items = self.lookup(head)
            names = [item.name for item in self.picked(head, items, set(labels.values())) or items]
        for name in names:
            yield from self.resolved(f"{head}[{name}]{rest}", labels)

    def picked(self, path: str, items: Sequence[Any], values: set[str]) -> list[Any]:
        """The items of the list at ``path`` whose ``name`` or ``hostname`` is one of ``values``, in
        order (the list indexed by both once: a node alert picks one of every node)."""
        if path not in self._picking:
            self._picking[path] = {}
            for i, item in enumerate(items):
                for key in {getattr(item, "name", None), getattr(item, "hostname", None)}:
                    self._picking[path].setdefault(key, []).append(i)
        return [items[i] for i in sorted({i for value in values for i in self._picking[path].get(value, ())})]

    def override(self, path: str, base: str) -> Iterator[_Setting]:
        try:
            overrides = self.lookup(path)
        except LookupError:  # an optional block (postgres) that is absent has no alerts either
            return
        for o in overrides:
            if o.alert == base:
                values = {"enabled": o.enabled, "severity": o.severity, "for_duration": o.for_duration}
                text = ", ".join(f"{k}: {_yaml_value(v)}" for k, v in values.items() if v is not None)
                fields = {"alert": base, **{k: v for k, v in values.items() if v is not None}}
                yield SpecSetting(f"{path}[{base}]", text), _Edit(path, None, fields)

    def setting(self, path: str) -> _Setting:
        value = self.lookup(path)
        return SpecSetting(path, _yaml_value(value)), _Edit(path, value)

    def lookup(self, path: str) -> Any:
        """The value at ``path`` in the spec model; a list item is picked by its ``name`` (the first
        of that name). Remembered, with each list's items by name, so that a path costs no scan."""
        if path in self._values:
            return self._values[path]
        parent, _, last = path.rpartition(".")
        try:
            node = self.lookup(parent) if parent else self.spec
        except LookupError:
            raise LookupError(path) from None
        ((attr, item),) = _segments(last)
        if node is None or not hasattr(node, attr):
            raise LookupError(path)
        node = getattr(node, attr)
        if item is not None:
            items = f"{parent}.{attr}" if parent else attr
            if items not in self._named:
                self._named[items] = {}
                for x in node:
                    self._named[items].setdefault(getattr(x, "name", None), x)
            if item not in self._named[items]:
                raise LookupError(path)
            node = self._named[items][item]
        self._values[path] = node
        return node

    # --------------------------------------------------------------------- PromQL it reads

    def selectors(self, expr: str) -> tuple[_Selector, ...]:
        """The series selectors of ``expr``, in reading order, without repeats (cached by text)."""
        found = self._selectors.get(expr)
        if found is None:
            out: dict[_Selector, None] = {}
            for node in vector_selectors(parse(expr)):
                name = selector_name(node)
                if name is not None:
                    out[_Selector(name, label_matchers(node))] = None
            found = self._selectors[expr] = tuple(out)
        return found

    def recorded(self, sel: _Selector) -> list[tuple[Rule, str, str]]:
        """Recording rules whose output ``sel`` can select: by name, and by their static labels."""
        records = self.records.get(sel.name)
        return [] if records is None else records.selected_by(sel.equalities())

    def closure(self, direct: Iterable[_Selector]) -> Iterator[RecordedInput]:
        seen: set[tuple[str, tuple[tuple[str, str], ...], str]] = set()
        todo = list(direct)
        while todo:
            sel = todo.pop(0)
            for rule, group, file in self.recorded(sel):
                key = (sel.name, rule.labels, rule.expr)
                if key in seen:
                    continue
                seen.add(key)
                yield RecordedInput(sel.name, rule.labels, rule.expr, group, file)
                todo.extend(self.selectors(rule.expr))

    def raw(
        self, direct: Sequence[_Selector], reads: Sequence[RecordedInput], owner: Mapping[str, str]
    ) -> tuple[_Source, ...]:
        """The catalog metrics under an alert, each with the owner's equality matchers that apply to
        it (its own, and those of the alert's selectors, ``owner``, on labels the metric has) and
        the series of it that are read (a histogram's ``_bucket``, ``_sum``, ``_count``)."""
        found: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, None]] = {}
        for sel in (*direct, *(s for r in reads for s in self.selectors(r.expr))):
            resolved = self.resolve(sel.name)
            if resolved is None:  # a recorded series, or ALERTS
                continue
            metric, part = resolved
            own = sel.equalities()
            has = self.catalog.label_names(metric, part)
            matchers = {**{k: v for k, v in owner.items() if k in has and k not in own}, **own}
            matchers.pop("le", None)  # one query per histogram, whatever part of it was read
            found.setdefault((metric.name, tuple(sorted(matchers.items()))), {})[part] = None
        return tuple(_Source(base, matchers, tuple(parts)) for (base, matchers), parts in found.items())

    def resolve(self, series: str) -> tuple[MetricDefinition, Part] | None:
        """The catalog metric behind a series name, None for another series (remembered: the
        catalog's error for an unknown name searches every name for a suggestion)."""
        if series not in self._resolved:
            try:
                self._resolved[series] = self.catalog.resolve_series(series)
            except KeyError:
                self._resolved[series] = None
        return self._resolved[series]

    def queries(
        self,
        rule: Rule,
        labels: Mapping[str, str],
        value: str,
        direct: Sequence[_Selector],
        raw: Sequence[_Source],
    ) -> Iterator[Query]:
        if value:
            yield Query("The value the alert compares with its threshold", value)
        for sel in direct:
            if sel.name in self.records:
                yield Query(f"The recorded series `{sel.name}`", _selector_text(sel))
        for source in raw:
            yield Query(f"The source metric `{source.metric}`", self.raw_query(source))
        identity = tuple((k, "=", v) for k, v in self.identity(labels))
        firing = _selector_text(_Selector("ALERTS", (("alertname", "=", rule.alert or ""), *identity)))
        yield Query("When this alert was pending or firing (Prometheus' ALERTS series)", firing)

    def raw_query(self, source: _Source) -> str:
        """The source metric, read the way the alert reads it: a counter's rate, a histogram's 95th
        percentile (buckets read), mean (sum read) or rate (count read), a gauge's value."""
        metric = self.catalog.get(source.metric)
        series = q.series(self.catalog, metric, *(q.eq(k, v) for k, v in source.matchers))
        if metric.type is MetricType.COUNTER:
            return q.rate(series, self.window).text
        if metric.type is MetricType.HISTOGRAM:
            if "bucket" in source.parts:
                return q.quantile(0.95, series, self.window).text
            if "sum" in source.parts:
                return q.histogram_mean(series, self.window).text
            return q.observation_rate(series, self.window).text
        return q.value(series).text


_COMPONENTS = {"gpu": "GPU", "node": "node", "postgres": "PostgreSQL", "engine": "serving engine"}
# `{{ $value | humanizeX }}` or `{{ $value }}`, and `{{ $labels.name }}`, in a description.
_VALUE = re.compile(r"\{\{[^{}]*\$value[^{}]*\}\}")
_LABEL = re.compile(r"\{\{\s*\$labels\.(\w+)\s*\}\}")


def _meaning(description: str, labels: Mapping[str, str]) -> str:
    """The description as a reader of the page needs it: labels this rule fixes filled in, the
    value the notification would show named as such."""
    text = _LABEL.sub(lambda m: labels.get(m.group(1), f"*({m.group(1)})*"), description)
    return _VALUE.sub("*(the value)*", text)


def _distinct_queries(queries: Iterable[Query]) -> tuple[Query, ...]:
    """The queries without repeats of one PromQL text: the first title wins."""
    seen: dict[str, Query] = {}
    for query in queries:
        seen.setdefault(query.promql, query)
    return tuple(seen.values())


def _equalities(selectors: Iterable[_Selector]) -> dict[str, str]:
    """The equality matchers of ``selectors``, a later selector's value winning."""
    out: dict[str, str] = {}
    for sel in selectors:
        out.update(sel.equalities())
    return out


def _selector_text(sel: _Selector) -> str:
    if not sel.matchers:
        return sel.name
    inner = ", ".join(f"{label}{op}{q.quote(value)}" for label, op, value in sel.matchers)
    return f"{sel.name}{{{inner}}}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add(candidate)
    return candidate


def _slo_summary(base: str) -> str:
    if base == "SloNoData":
        return "An SLO's SLI has no data, so its burn-rate alerts cannot fire."
    return "An SLO is spending its error budget faster than its objective allows."


def _tuning(base: str, info: AlertInfo | None, metric_alert: bool) -> str:
    if info is not None:
        where = _OVERRIDES[info.owner].format("<name>")
        first = (
            "Change the threshold in the fields shown under each owner."
            if SPEC_PATH.search(info.threshold)
            else "This alert has no threshold to change."
        )
        return (
            f"{first} To change the severity or `for:` of this alert for one owner, or to turn it off, add an "
            f"entry `{{alert: {base}, severity: ..., for_duration: ..., enabled: false}}` to `{where}`."
        )
    if metric_alert:
        return "Everything about this alert is its `metric_alerts` entry: the fields above."
    if base == "SloNoData":
        return "Set the SLO's `no_data: ignore` to drop this alert, after making sure the SLI's metrics are scraped."
    return (
        "A burn-rate alert has no threshold of its own: it fires when the SLO would spend its error budget "
        "too fast. Change the objective or the period, or turn a tier off under `burn_alerts`."
    )


# ------------------------------------------------------------------- the spec as paths and YAML


def _segments(path: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for part in path.split("."):
        m = _ITEM.match(part)
        out.append((m.group(1), m.group(2)) if m else (part, None))
    return out


def _yaml_value(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return _yaml_value(value.value)
    if isinstance(value, (Decimal, int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return value if re.fullmatch(r"[A-Za-z0-9_.\-/]+", value) else '"' + value.replace('"', '\\"') + '"'
    if hasattr(value, "model_dump"):  # a block, e.g. burn_alerts.page
        return ", ".join(f"{k}: {_yaml_value(v)}" for k, v in value.model_dump(mode="python").items())
    return str(value)


@dataclass(frozen=True)
class _Edit:
    """Where a setting is in cluster.yaml: a field's value, or an item appended to a list field."""

    path: str
    value: Any
    item: Mapping[str, Any] | None = None


def settings_yaml(edits: Iterable[_Edit]) -> str:
    """The lines of cluster.yaml that hold these settings, merged into one YAML document indented
    as the spec is (list items by their ``name``), ending in a newline; empty for none."""
    root: dict[str, Any] = {}
    for edit in edits:
        node = root
        segments = _segments(edit.path)
        for i, (attr, name) in enumerate(segments):
            last = i == len(segments) - 1
            if name is not None:
                node = node.setdefault(attr, _Named()).items.setdefault(name, {})
            elif not last:
                node = node.setdefault(attr, {})
            elif edit.item is not None:
                node.setdefault(attr, _Appended()).items.append(edit.item)
            else:
                node[attr] = _Leaf(edit.value)
    return "".join(_emit(root, ""))


@dataclass
class _Leaf:
    value: Any


@dataclass
class _Named:  # a list of named items: specialists, guardians, models ...
    items: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Appended:  # items to add to a list: alert_overrides entries
    items: list[Mapping[str, Any]] = field(default_factory=list)


def _emit(node: Mapping[str, Any], indent: str) -> Iterator[str]:
    for attr, child in node.items():
        if isinstance(child, _Leaf):
            yield f"{indent}{attr}: {_block(child.value, indent)}\n"
            continue
        yield f"{indent}{attr}:\n"
        if isinstance(child, _Named):
            for name, sub in child.items.items():
                yield f"{indent}  - name: {name}\n"
                yield from _emit(sub, indent + "    ")
        elif isinstance(child, _Appended):
            for item in child.items:
                for i, (k, v) in enumerate(item.items()):
                    yield f"{indent}{'  - ' if i == 0 else '    '}{k}: {_yaml_value(v)}\n"
        else:
            yield from _emit(child, indent + "  ")


def _block(value: Any, indent: str) -> str:
    if hasattr(value, "model_dump"):
        fields = value.model_dump(mode="python")
        return "".join(f"\n{indent}  {k}: {_yaml_value(v)}" for k, v in fields.items())
    if value is None:
        return "null  # not set"
    return _yaml_value(value)
