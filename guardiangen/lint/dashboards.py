"""Lint Grafana dashboard JSON (classic model): Grafana's own invariants plus ported linter rules.

Two families of checks, all reported as :class:`~guardiangen.diagnostics.Diagnostic` values:

* invariants Grafana relies on but does not enforce loudly (uid format and uniqueness, unique titles,
  unique panel ids, a sane non-overlapping ``gridPos`` layout): breaking them makes provisioning skip
  dashboards or silently re-lays them out;
* rules ported from grafana/dashboard-linter (datasource variable and references, units, titles and
  descriptions, targets present, ``$__rate_interval``, counters only under ``rate``, PromQL parses,
  query variables refresh on time change, every ``$var`` is declared).

Ranges: ``rate``/``irate``/``increase`` use ``[$__rate_interval]``, with one exception that
guardiangen's own stat panels rely on: ``rate``/``increase`` over ``[$__range]`` in an *instant*
target ("requests in the selected range", evaluated once at the range's end). The same range in a
range query is reported, because every point would then cover the whole dashboard range.

PromQL is inspected through ``promql_parser``'s AST, never with regexes, after Grafana variables have
been replaced by placeholders (see :func:`expand_variables`). Only the standard library and
``promql_parser`` are used, so linting does not pull in the dashboard builder.

Layout choice: Grafana keeps one flat top-level list in which an *expanded* row is followed by its
panels, while a *collapsed* row carries its panels in ``row.panels`` with the coordinates they get when
the row is expanded (Grafana moves them as a block under the row at that moment). So the top-level list
(rows included) is checked for overlap as one plane, and each collapsed row's children are checked as
a separate plane of their own. An expanded row must have no nested panels: Grafana only reads
``row.panels`` for collapsed rows, so such panels would never be shown.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from guardiangen.catalog import Catalog, MetricType
from guardiangen.diagnostics import GG401_PROMQL_SYNTAX, GG410_DASHBOARD, Diagnostic, error, sort_unique

UID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
GRID_COLUMNS = 24
DATASOURCE_VARIABLE = "datasource"
# Functions whose argument is meant to be a counter, and whose range should be $__rate_interval.
RATE_FUNCTIONS = frozenset({"rate", "irate", "increase"})
# In an instant query (evaluated once, at the end of the dashboard range) these may cover exactly the
# dashboard range: "requests in the selected range" on a stat panel. In a range query every point
# would cover the whole range again, so there it stays an error; irate only reads the last two
# samples whatever the range, so $__range means nothing to it.
WHOLE_RANGE_FUNCTIONS = frozenset({"rate", "increase"})
WHOLE_RANGE_VARIABLES = frozenset({"$__range", "${__range}"})
COUNTER_SUFFIXES = ("_total", "_bucket", "_sum", "_count")
# Panels that display numbers on a scale, so an unset unit misleads the reader.
UNIT_PANEL_TYPES = frozenset({"timeseries", "stat", "gauge", "bargauge", "histogram", "heatmap"})
# Panels that by design have no queries.
NO_QUERY_PANEL_TYPES = frozenset({"row", "text", "dashlist", "news", "alertlist", "annolist"})
# Refresh "on time range change": label_values() results otherwise go stale when the range moves.
REFRESH_ON_TIME_RANGE_CHANGE = 2

# Grafana's variable syntaxes: ${name}, ${name:format}, ${name.field}, $name, [[name]], [[name:format]].
# Names must start with a letter or "_" so that regex back-references such as "$1" in label_replace()
# are not mistaken for variables.
_VAR_RE = re.compile(
    r"\$\{(?P<braced>[A-Za-z_]\w*)(?:[.:][^}]*)?\}"
    r"|\$(?P<plain>[A-Za-z_]\w*)"
    r"|\[\[(?P<legacy>[A-Za-z_]\w*)(?::[^\]]*)?\]\]"
)
# A range of this odd length marks where $__rate_interval stood; other variables inside [...] get the
# following milliseconds, so a finding can name the original text. Nobody writes such ranges by hand.
_RATE_INTERVAL_MS = 9_876_543
_BARE_BUILTIN = "300"  # $__range_s and friends outside [...] are numbers
_BARE_NUMBER = "1"
# A user variable outside [...] and strings may stand for a name (metric, label) or a number
# (histogram_quantile($q, ...)); up to this many are tried in every combination, more only all-or-none.
_MAX_MIXED_BARE = 4
_LABEL_VALUES_RE = re.compile(r"^\s*label_values\s*\((?P<body>.*)\)\s*$", re.DOTALL)
_QUERY_RESULT_RE = re.compile(r"^\s*query_result\s*\((?P<body>.*)\)\s*$", re.DOTALL)


@dataclass
class Expanded:
    """A query with Grafana variables replaced so that it can be parsed as PromQL."""

    text: str
    variables: list[str] = field(default_factory=list)
    # placeholder range -> the variable text it replaced
    ranges: dict[timedelta, str] = field(default_factory=dict)
    # text as pieces, and the indexes of pieces that are user variables outside strings and ranges:
    # those may stand for a name or a number, so variants() can swap them
    _pieces: list[str] = field(default_factory=list, repr=False)
    _bare: list[int] = field(default_factory=list, repr=False)

    def variants(self) -> Iterator[str]:
        """``text`` first, then the same with bare user variables read as numbers instead of names."""
        yield self.text
        if not self._bare:
            return
        count = len(self._bare)
        if count <= _MAX_MIXED_BARE:
            choices = list(itertools.product((False, True), repeat=count))[1:]
        else:
            choices = [(True,) * count]
        for numeric in choices:
            pieces = list(self._pieces)
            for slot, as_number in zip(self._bare, numeric, strict=True):
                if as_number:
                    pieces[slot] = _BARE_NUMBER
            yield "".join(pieces)


def expand_variables(query: str) -> Expanded:
    """Replace Grafana variables by placeholders valid at their position.

    Inside ``[...]`` a duration (``$__rate_interval`` gets a recognisable one), inside a string literal
    a plain word, elsewhere an identifier (built-ins such as ``$__range_s`` become a number).
    """
    result = Expanded("")
    out = result._pieces
    quote: str | None = None
    depth = 0
    i = 0
    while i < len(query):
        match = _VAR_RE.match(query, i)
        if match:
            name = match.group("braced") or match.group("plain") or match.group("legacy")
            result.variables.append(name)
            placeholder = _placeholder(name, match.group(0), quote is not None, depth > 0, result)
            if placeholder.startswith("gg_var_") and quote is None:
                result._bare.append(len(out))
            out.append(placeholder)
            i = match.end()
            continue
        char = query[i]
        if quote is not None:
            if char == "\\" and quote != "`":
                out.append(query[i : i + 2])
                i += 2
                continue
            if char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
        elif char == "#":  # a PromQL comment runs to the end of the line; keep it verbatim
            end = query.find("\n", i)
            end = len(query) if end < 0 else end
            out.append(query[i:end])
            i = end
            continue
        elif char == "[":
            depth += 1
        elif char == "]":
            depth = max(0, depth - 1)
        out.append(char)
        i += 1
    result.text = "".join(out)
    return result


def _placeholder(name: str, original: str, in_string: bool, in_range: bool, result: Expanded) -> str:
    if in_string:
        return f"gg_var_{name}"
    if in_range:
        if name == "__rate_interval":
            return f"{_RATE_INTERVAL_MS}ms"
        for span, text in result.ranges.items():
            if text == original:
                return f"{int(span.total_seconds() * 1000)}ms"
        millis = _RATE_INTERVAL_MS + 1 + len(result.ranges)
        result.ranges[timedelta(milliseconds=millis)] = original
        return f"{millis}ms"
    if name.startswith("__"):
        return _BARE_BUILTIN
    return f"gg_var_{name}"


@dataclass(frozen=True)
class _Panel:
    panel: Mapping[str, Any]
    label: str  # 'panel 5 "p99" (in row 4 "Details")': names the panel in every finding


@dataclass
class _Linter:
    path: str
    dashboard: Mapping[str, Any]
    known_uids: Collection[str]
    catalog: Catalog | None = None
    diags: list[Diagnostic] = field(default_factory=list)

    def is_counter(self, name: str) -> bool:
        """Whether series ``name`` only makes sense under rate(): a counter or a histogram/summary part.

        The catalog's type decides for its metrics (Triton's ``nv_inference_pending_request_count``
        is a gauge); other names are judged by their suffix."""
        if self.catalog is not None:
            try:
                metric, part = self.catalog.resolve_series(name)
            except KeyError:
                pass
            else:
                return part != "" or metric.type is MetricType.COUNTER
        return name.endswith(COUNTER_SUFFIXES)

    @property
    def name(self) -> str:
        uid = self.dashboard.get("uid")
        return f'dashboard "{uid}"' if isinstance(uid, str) else "dashboard (no uid)"

    def report(self, message: str, code: str = GG410_DASHBOARD) -> None:
        self.diags.append(error(self.path, 0, 0, code, f"{self.name}: {message}"))

    # -- structure -------------------------------------------------------------------------------

    def top_level(self) -> list[_Panel]:
        return [_Panel(p, _panel_label(p, i)) for i, p in enumerate(self._objects(self.dashboard, "panels"))]

    def nested(self, row: _Panel) -> list[_Panel]:
        return [
            _Panel(p, f"{_panel_label(p, i)} (in {row.label})")
            for i, p in enumerate(self._objects(row.panel, "panels"))
        ]

    def all_panels(self) -> Iterator[_Panel]:
        for item in self.top_level():
            yield item
            if item.panel.get("type") == "row":
                yield from self.nested(item)

    def variables(self) -> list[Mapping[str, Any]]:
        templating = self.dashboard.get("templating")
        return self._objects(templating, "list") if isinstance(templating, Mapping) else []

    def _objects(self, owner: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = owner.get(key, [])
        if not isinstance(value, list):
            self.report(f'"{key}" is not a list')
            return []
        items = [v for v in value if isinstance(v, Mapping)]
        if len(items) != len(value):
            self.report(f'"{key}" holds {len(value) - len(items)} entries that are not objects')
        return items

    # -- invariants ------------------------------------------------------------------------------

    def check_uid(self) -> None:
        uid = self.dashboard.get("uid")
        if not isinstance(uid, str) or not UID_RE.match(uid):
            self.report(f"uid {uid!r} must match {UID_RE.pattern} (Grafana rejects other uids)")
        title = self.dashboard.get("title")
        if not isinstance(title, str) or not title.strip():
            self.report("has no title")

    def check_panel_ids(self) -> None:
        seen: Counter[Any] = Counter()
        for item in self.all_panels():
            pid = item.panel.get("id")
            if not _is_int(pid):
                self.report(f"{item.label} has no integer id")
            else:
                seen[pid] += 1
        for pid, count in sorted(seen.items()):
            if count > 1:
                self.report(f"panel id {pid} is used by {count} panels; ids must be unique")

    def check_layout(self) -> None:
        top = self.top_level()
        self._check_plane(top)
        for row in top:
            if row.panel.get("type") != "row":
                continue
            children = self.nested(row)
            if not row.panel.get("collapsed") and children:
                self.report(
                    f"{row.label} is expanded but holds {len(children)} nested panel(s); Grafana only reads "
                    '"panels" of collapsed rows, so move them after the row in the top-level list'
                )
            elif children:
                self._check_plane(children)  # labels already say "(in row ...)"

    def _check_plane(self, items: Sequence[_Panel]) -> None:
        boxes: list[tuple[_Panel, tuple[int, int, int, int]]] = []
        for item in items:
            box = self._grid_box(item)
            if box is not None:
                boxes.append((item, box))
        for index, (first, (x1, y1, w1, h1)) in enumerate(boxes):
            for second, (x2, y2, w2, h2) in boxes[index + 1 :]:
                if x1 < x2 + w2 and x2 < x1 + w1 and y1 < y2 + h2 and y2 < y1 + h1:
                    self.report(f"{first.label} overlaps {second.label}")

    def _grid_box(self, item: _Panel) -> tuple[int, int, int, int] | None:
        grid = item.panel.get("gridPos")
        if not isinstance(grid, Mapping):
            self.report(f"{item.label} has no gridPos")
            return None
        bad = [key for key in ("x", "y", "w", "h") if not _is_int(grid.get(key))]
        if bad:
            self.report(f"{item.label} gridPos {', '.join(bad)} must be integer(s)")
            return None
        x, y, w, h = (int(grid[key]) for key in ("x", "y", "w", "h"))
        problems = []
        if x < 0 or y < 0:
            problems.append("x and y must be >= 0")
        if w <= 0 or h <= 0:
            problems.append("w and h must be > 0")
        if x + w > GRID_COLUMNS:
            problems.append(f"x + w = {x + w} exceeds the {GRID_COLUMNS}-column grid")
        if problems:
            self.report(f"{item.label} gridPos {{x: {x}, y: {y}, w: {w}, h: {h}}}: {'; '.join(problems)}")
            return None
        return x, y, w, h

    # -- ported dashboard-linter rules -------------------------------------------------------------

    def check_datasource_variable(self) -> None:
        if not any(v.get("type") == "datasource" and v.get("name") == DATASOURCE_VARIABLE for v in self.variables()):
            self.report(f'has no templating variable "{DATASOURCE_VARIABLE}" of type "datasource"')

    def check_datasources(self) -> None:
        for item in self.all_panels():
            targets = _targets(item.panel)
            if not targets:
                continue
            self._check_ref(item.panel.get("datasource"), item.label)
            for target in targets:
                if "datasource" in target:
                    self._check_ref(target["datasource"], _target_label(item, target))
        for var in self.variables():
            if var.get("type") == "query":
                self._check_ref(var.get("datasource"), _variable_label(var))

    def _check_ref(self, ref: Any, label: str) -> None:
        known = ", ".join(sorted(self.known_uids))
        if ref is None:
            self.report(f"{label} has no datasource (Grafana would use the default one); use uid {known}")
        elif not isinstance(ref, Mapping):
            self.report(f"{label} datasource {ref!r} is a legacy name; use {{type, uid}} with uid {known}")
        elif ref.get("uid") not in self.known_uids:
            self.report(f"{label} datasource uid {ref.get('uid')!r} is not one of {known}")

    def check_units(self) -> None:
        for item in self.all_panels():
            kind = item.panel.get("type")
            if kind not in UNIT_PANEL_TYPES:
                continue
            units = [_get(item.panel, "fieldConfig", "defaults", "unit")]
            if kind == "heatmap":  # a heatmap's scale is its y axis; Grafana keeps that unit in options
                units.append(_get(item.panel, "options", "yAxis", "unit"))
            if not any(isinstance(unit, str) and unit.strip() for unit in units):
                where = "fieldConfig.defaults.unit"
                if kind == "heatmap":
                    where += " or options.yAxis.unit"
                self.report(f'{item.label} ({kind}) sets no unit; set {where} ("none" if unitless)')

    def check_titles(self) -> None:
        for item in self.all_panels():
            if item.panel.get("type") == "row":
                continue
            for key in ("title", "description"):
                value = item.panel.get(key)
                if not isinstance(value, str) or not value.strip():
                    self.report(f"{item.label} has no {key}")

    def check_targets_present(self) -> None:
        for item in self.all_panels():
            if item.panel.get("type") not in NO_QUERY_PANEL_TYPES and not _targets(item.panel):
                self.report(f"{item.label} has no targets")

    def check_variables(self) -> None:
        for var in self.variables():
            if var.get("type") != "query":
                continue
            label = _variable_label(var)
            if var.get("refresh") != REFRESH_ON_TIME_RANGE_CHANGE:
                self.report(
                    f"{label} has refresh {var.get('refresh')!r}; use {REFRESH_ON_TIME_RANGE_CHANGE} "
                    "(on time range change) so its values follow the dashboard range"
                )
            query = var.get("query")
            if isinstance(query, Mapping):
                query = query.get("query")
            if isinstance(query, str):
                self._check_variable_query(query, label)

    def _check_variable_query(self, query: str, label: str) -> None:
        expanded = expand_variables(query)
        self._check_declared(expanded.variables, label)
        candidates = [promql for text in expanded.variants() if (promql := _variable_promql(text)) is not None]
        if candidates:
            self._parse(candidates, query, label)

    def check_queries(self) -> None:
        for item in self.all_panels():
            repeat = item.panel.get("repeat")
            if isinstance(repeat, str) and repeat:
                self._check_declared([repeat], f"{item.label} repeat")
            for target in _targets(item.panel):
                if _is_promql(item.panel, target):
                    instant = target.get("instant") is True and target.get("range") is not True
                    self._check_target(_target_label(item, target), target.get("expr"), instant=instant)

    def _check_target(self, label: str, expr: Any, *, instant: bool = False) -> None:
        if not isinstance(expr, str) or not expr.strip():
            self.report(f"{label} has no PromQL expr", GG401_PROMQL_SYNTAX)
            return
        expanded = expand_variables(expr)
        self._check_declared(expanded.variables, label)
        tree = self._parse(list(expanded.variants()), expr, label)
        if tree is not None:
            self._check_rates(tree, expanded, label, instant=instant)

    def _parse(self, variants: Sequence[str], original: str, label: str) -> Any:
        """The tree of the first variant that parses; otherwise report the first variant's error."""
        import promql_parser

        first_error: ValueError | None = None
        for text in variants:
            try:
                return promql_parser.parse(text)
            except ValueError as exc:
                first_error = first_error or exc
        self.report(f"{label} PromQL does not parse: {first_error} in {original.strip()!r}", GG401_PROMQL_SYNTAX)
        return None

    def _check_rates(self, tree: Any, expanded: Expanded, label: str, *, instant: bool) -> None:
        import promql_parser as pp

        def check_range(function: str, text: str) -> None:
            if text in WHOLE_RANGE_VARIABLES and function in WHOLE_RANGE_FUNCTIONS:
                if not instant:
                    self.report(
                        f"{label} {function}() uses range [{text}] in a range query, so every point covers the "
                        "whole dashboard range; use [$__rate_interval], or make the target instant"
                    )
                return
            self.report(f"{label} {function}() uses range [{text}]; use [$__rate_interval]")

        rate_interval = timedelta(milliseconds=_RATE_INTERVAL_MS)
        inside_rate = [0]  # depth of enclosing rate/irate/increase calls during the walk
        bare_counters: list[str] = []

        def is_rate(node: Any) -> bool:
            return isinstance(node, pp.Call) and node.func.name in RATE_FUNCTIONS

        def pre(node: Any) -> None:
            if is_rate(node):
                inside_rate[0] += 1
                arg = node.args[0] if node.args else None
                span = getattr(arg, "range", None)
                if isinstance(span, timedelta) and span != rate_interval:
                    check_range(node.func.name, expanded.ranges.get(span) or pp.display_duration(span))
            elif isinstance(node, pp.VectorSelector) and not inside_rate[0]:
                name = _metric_name(node)
                if name and self.is_counter(name) and name not in bare_counters:
                    bare_counters.append(name)

        def post(node: Any) -> None:
            if is_rate(node):
                inside_rate[0] -= 1

        pp.walk(tree, pre, post)
        for name in bare_counters:
            self.report(f"{label} uses counter {name} outside rate()/irate()/increase()")

    def _check_declared(self, names: Sequence[str], label: str) -> None:
        declared = {v.get("name") for v in self.variables()}
        for name in dict.fromkeys(names):  # once each, in order of appearance
            # Grafana reserves the "__" prefix for its built-ins ($__rate_interval, $__range, ...).
            if not name.startswith("__") and name not in declared:
                self.report(f"{label} uses ${name}, which is not a templating variable")


def lint_dashboard_dir(
    path: Path,
    *,
    label: str | None = None,
    known_datasource_uids: Collection[str] = ("${datasource}",),
    catalog: Catalog | None = None,
) -> list[Diagnostic]:
    """Lint every ``*.json`` dashboard directly in ``path`` (``guardiangen lint`` on a rendered tree).

    ``catalog`` gives the metric types (which series are counters); without it the suffix decides.

    Findings are positioned at ``<label>/<file name>`` (``label`` defaults to ``path`` as given);
    unreadable or invalid JSON is reported, not raised, and a missing directory is a finding too.
    """
    prefix = label if label is not None else path.as_posix()
    if not path.is_dir():
        return [error(prefix, 0, 0, GG410_DASHBOARD, "no such dashboard directory: run `guardiangen render` first")]
    dashboards: dict[str, Any] = {}
    diags: list[Diagnostic] = []
    for file in sorted(path.glob("*.json")):
        rel = f"{prefix}/{file.name}"
        try:
            dashboards[rel] = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            diags.append(error(rel, 0, 0, GG410_DASHBOARD, f"cannot read dashboard JSON: {exc}"))
    linted = lint_dashboards(dashboards, known_datasource_uids=known_datasource_uids, catalog=catalog)
    return sort_unique([*diags, *linted])


def lint_dashboards(
    dashboards: Mapping[str, Mapping[str, Any]],
    *,
    known_datasource_uids: Collection[str] = ("${datasource}",),
    catalog: Catalog | None = None,
) -> list[Diagnostic]:
    """Lint dashboards keyed by their relative file path; the path is each finding's position."""
    diags: list[Diagnostic] = []
    for path, dashboard in sorted(dashboards.items()):
        if not isinstance(dashboard, Mapping):
            diags.append(error(path, 0, 0, GG410_DASHBOARD, "dashboard JSON is not an object"))
            continue
        linter = _Linter(path, dashboard, frozenset(known_datasource_uids), catalog)
        linter.check_uid()
        linter.check_panel_ids()
        linter.check_layout()
        linter.check_datasource_variable()
        linter.check_datasources()
        linter.check_units()
        linter.check_titles()
        linter.check_targets_present()
        linter.check_variables()
        linter.check_queries()
        diags.extend(linter.diags)
    diags.extend(_check_unique(dashboards, "uid"))
    diags.extend(_check_unique(dashboards, "title"))
    return sort_unique(diags)


def _check_unique(dashboards: Mapping[str, Mapping[str, Any]], key: str) -> list[Diagnostic]:
    # Provisioning refuses to save dashboards that share a uid (or a title in one folder).
    owners: dict[str, list[str]] = {}
    for path, dashboard in dashboards.items():
        value = dashboard.get(key) if isinstance(dashboard, Mapping) else None
        if isinstance(value, str):
            owners.setdefault(value, []).append(path)
    diags = []
    for value, paths in owners.items():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(sorted(p for p in paths if p != path))
                diags.append(error(path, 0, 0, GG410_DASHBOARD, f"dashboard {key} {value!r} is also used by {others}"))
    return diags


def _variable_promql(query: str) -> str | None:
    """The PromQL inside a Prometheus variable query, if the query form has one."""
    if match := _LABEL_VALUES_RE.match(query):
        selector, comma, _label_name = match.group("body").rpartition(",")
        return selector if comma else None  # label_values(label) has no selector
    if match := _QUERY_RESULT_RE.match(query):
        return match.group("body")
    return None  # label_names(), metrics(regex) and friends carry no expression


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _targets(panel: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    targets = panel.get("targets")
    if panel.get("type") == "row" or not isinstance(targets, list):
        return []
    return [t for t in targets if isinstance(t, Mapping)]


def _is_promql(panel: Mapping[str, Any], target: Mapping[str, Any]) -> bool:
    # Targets of another datasource type (Loki, Elasticsearch...) carry other query languages.
    ref = target.get("datasource", panel.get("datasource"))
    kind = ref.get("type") if isinstance(ref, Mapping) else None
    return kind in (None, "prometheus")


def _metric_name(selector: Any) -> str | None:
    import promql_parser

    if selector.name:
        return str(selector.name)
    for matcher in selector.matchers.matchers:  # {__name__="x_total"}
        if matcher.name == "__name__" and matcher.op == promql_parser.MatchOp.Equal:
            return str(matcher.value)
    return None


def _panel_label(panel: Mapping[str, Any], index: int) -> str:
    pid = panel.get("id")
    ident = f"panel {pid}" if _is_int(pid) else f"panel #{index} (no id)"
    if panel.get("type") == "row":
        ident = ident.replace("panel", "row", 1)
    title = panel.get("title")
    return f'{ident} "{title}"' if isinstance(title, str) and title else ident


def _target_label(item: _Panel, target: Mapping[str, Any]) -> str:
    ref_id = target.get("refId")
    return f"{item.label} target {ref_id}" if isinstance(ref_id, str) and ref_id else f"{item.label} target"


def _variable_label(var: Mapping[str, Any]) -> str:
    return f"variable {var.get('name')!r}"
