"""The checks against a running Prometheus: each reads the HTTP API and returns diagnostics.

Requests are few and bounded by the catalog, never by the cluster's size: one for the metric
names, one for the metadata, one per label the spec sets values of, one per histogram whose buckets
an SLO pins (plus one per missing bucket, to list the ones there are), one for the rules, one for
the targets (plus one per down target, at most :data:`DOWN_TARGETS_LOOKED_UP`).
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from guardiangen.diagnostics import (
    GG702_NO_SERIES,
    GG703_TYPE_DIFFERS,
    GG704_LABEL_VALUE,
    GG705_BUCKET_MISSING,
    GG706_RULES_NOT_LOADED,
    GG707_RULES_STALE,
    GG708_RULE_FAILING,
    GG709_TARGET_DOWN,
    Diagnostic,
    Severity,
    did_you_mean,
)
from guardiangen.doctor.client import Client
from guardiangen.doctor.expect import (
    Expected,
    RuleView,
    Selector,
    Where,
    canonical_query,
    duration_ms,
    promql_string,
)

DOWN_TARGETS_LOOKED_UP = 20
SHOWN = 8  # values, rules or metrics named in one message before "and N more"


@dataclass
class Seen:
    """What earlier checks learnt and later ones use."""

    names: frozenset[str] = frozenset()


Check = Callable[[Client, Expected, "Window", Seen], list[Diagnostic]]


@dataclass(frozen=True)
class Window:
    """The time range series must have samples in: the last ``seconds`` before ``end``."""

    seconds: float
    end: float

    @classmethod
    def last(cls, seconds: float) -> Window:
        return cls(seconds, time.time())

    def params(self) -> list[tuple[str, str]]:
        return [("start", f"{self.end - self.seconds:.3f}"), ("end", f"{self.end:.3f}")]

    def text(self) -> str:
        s = int(self.seconds)
        return f"{s // 3600}h" if s % 3600 == 0 else f"{s // 60}m" if s % 60 == 0 else f"{s}s"


def series_present(client: Client, exp: Expected, window: Window, seen: Seen) -> list[Diagnostic]:
    """GG702: series the rules read that Prometheus has no sample of in the window."""
    names = client.prometheus("/api/v1/label/__name__/values", window.params()) or []
    seen.names = frozenset(str(n) for n in names)
    missing: dict[str, list[str]] = {}  # catalog metric -> its missing series names
    for name in exp.series:
        if name not in seen.names:
            metric, _part = exp.catalog.resolve_series(name)
            missing.setdefault(metric.name, []).append(name)
    # A renamed metric is a name the catalog does not know (a known one is there for its own sake).
    known = set(exp.catalog.series_names())
    unknown = sorted(n for n in seen.names if n not in known) if missing else []
    out = []
    for family, series in missing.items():
        alerts = sorted({a for n in series for a in exp.alerts_reading(n)})
        readers = (
            f"alert {alerts[0]} depends on it"
            if len(alerts) == 1
            else f"alerts {_names(alerts)} depend on it"
            if alerts
            else "recording rules read it"
        )
        close = difflib.get_close_matches(series[0], unknown, n=1, cutoff=0.75)
        hint = f' (Prometheus has "{close[0]}": renamed?)' if close else ""
        out.append(
            _diag(
                exp.where_of(series[0]),
                GG702_NO_SERIES,
                f"no series of {_names(series)} on Prometheus in the last {window.text()}{hint}; {readers}: is its "
                f"exporter scraped, and is {family} its name in the version deployed?",
            )
        )
    return out


def metric_types(client: Client, exp: Expected, window: Window, seen: Seen) -> list[Diagnostic]:
    """GG703: a metric whose type in Prometheus' metadata is not the catalog's."""
    metadata = client.prometheus("/api/v1/metadata", [("limit_per_metric", "4")]) or {}
    out = []
    done: set[str] = set()
    for name in exp.series:
        metric, _part = exp.catalog.resolve_series(name)
        if metric.name in done or name not in seen.names:
            continue
        done.add(metric.name)
        entries = metadata.get(metric.name) or metadata.get(metric.name.removesuffix("_total")) or []
        types = sorted({str(e.get("type")) for e in entries} - {"unknown", "", "None"})
        if types and metric.type.value not in types:
            out.append(
                _diag(
                    exp.where_of(name),
                    GG703_TYPE_DIFFERS,
                    f"{metric.name} is a {' and a '.join(types)} on Prometheus, but a {metric.type.value} in "
                    "guardiangen's catalog, which the generated rules are built for: check the engine or exporter "
                    "version in the spec, or the metric's `type` in `metrics:`",
                )
            )
    return out


def label_values(client: Client, exp: Expected, window: Window, seen: Seen) -> list[Diagnostic]:
    """GG704: a label value the spec names that no series of the metrics selecting it carries."""
    present = {v: [m for m in v.metrics if m in seen.names] for v in exp.spec_values}
    by_label: dict[str, dict[str, None]] = {}  # label -> the present metrics selecting a value of it
    for v, found in present.items():
        if found:
            by_label.setdefault(v.label, {}).update(dict.fromkeys(found))
    out = []
    for label, selecting in sorted(by_label.items()):
        values: set[str] = set()
        for chunk in client.prometheus_each(f"/api/v1/label/{label}/values", list(selecting), window.params()):
            values.update(str(x) for x in chunk or [])
        for v in exp.spec_values:
            if v.label != label or not present[v] or v.value in values:
                continue
            shown = f"values seen: {_names(sorted(values))}" if values else f"none of them has a `{label}` label"
            guess = did_you_mean(v.value, values).strip(" ()")
            out.append(
                _diag(
                    v.where,
                    GG704_LABEL_VALUE,
                    f'no series of {_names(present[v])} has {label}="{v.value}" in the last {window.text()}, so the '
                    f"rules selecting it see nothing ({shown}{'; ' + guess if guess else ''})",
                )
            )
    return out


def buckets(client: Client, exp: Expected, window: Window, seen: Seen) -> list[Diagnostic]:
    """GG705: an SLO's pinned ``le`` bucket that the histogram on Prometheus does not have."""
    by_metric: dict[str, list[int]] = {}
    for i, need in enumerate(exp.buckets):
        if need.selector.name in seen.names:
            by_metric.setdefault(need.selector.name, []).append(i)
    out = []
    for name, indexes in by_metric.items():
        patterns = "|".join(sorted({exp.buckets[i].le_pattern for i in indexes}))
        found = client.prometheus(
            "/api/v1/series", [("match[]", f"{name}{{le=~{promql_string(patterns)}}}"), *window.params()]
        )
        for i in indexes:
            need = exp.buckets[i]
            pinned = Selector(name, (*need.selector.matchers, ("le", "=~", need.le_pattern)), need.selector.rule, "")
            if any(pinned.matches(s) for s in found or []):
                continue
            les = client.prometheus("/api/v1/label/le/values", [("match[]", need.selector.text()), *window.params()])
            if not les:
                continue  # no series at all: GG702 or GG704 says why
            bounds = sorted((str(x) for x in les), key=_as_float)
            out.append(
                _diag(
                    need.where,
                    GG705_BUCKET_MISSING,
                    f"{need.selector.text()} has no bucket le={need.threshold}, which the SLO's threshold needs "
                    f"(read by {need.selector.rule}); its buckets: {', '.join(bounds)}: use one of them, or configure "
                    "the bucket in the exporter",
                )
            )
    return out


def rules(client: Client, exp: Expected, window: Window, seen: Seen) -> list[Diagnostic]:
    """GG706-GG708: generated groups not loaded, loaded from an older render, or failing."""
    data = client.prometheus("/api/v1/rules") or {}
    loaded: dict[str, list[dict[str, Any]]] = {}
    for g in data.get("groups") or []:
        loaded.setdefault(str(g.get("name")), []).append(g)
    out = []
    rendered_files = {_basename(g.where.path): g.where.path for g in exp.groups}
    rendered_names = {g.name for g in exp.groups}
    for group in exp.groups:
        copies = loaded.get(group.name, [])
        if not copies:
            out.append(
                _diag(
                    group.where,
                    GG706_RULES_NOT_LOADED,
                    f'rule group "{group.name}" is not loaded on Prometheus: add {group.where.path} to its '
                    "`rule_files` and reload it",
                )
            )
            continue
        for copy in copies:
            views = [_loaded_view(r) for r in copy.get("rules") or []]
            problems = _rule_differences(group.rules, tuple(views))
            if problems:
                out.append(
                    _diag(
                        group.where,
                        GG707_RULES_STALE,
                        f'Prometheus evaluates another version of rule group "{group.name}" (from {copy.get("file")}): '
                        f"{_names(problems, 3)}; deploy {group.where.path} and reload Prometheus",
                    )
                )
            for r in copy.get("rules") or []:
                if r.get("health") == "err":
                    out.append(
                        _diag(
                            group.where,
                            GG708_RULE_FAILING,
                            f'rule {r.get("name")} of group "{group.name}" fails to evaluate: {r.get("lastError")}',
                        )
                    )
    for name, copies in sorted(loaded.items()):
        for copy in copies:
            file = str(copy.get("file", ""))
            if name not in rendered_names and _basename(file) in rendered_files:
                out.append(
                    _diag(
                        Where(rendered_files[_basename(file)]),
                        GG707_RULES_STALE,
                        f'Prometheus evaluates rule group "{name}" from {file}, which the fresh render of this file no '
                        "longer has: deploy the fresh render and reload Prometheus",
                    )
                )
    return out


def targets(client: Client, exp: Expected, window: Window, seen: Seen) -> list[Diagnostic]:
    """GG709: a down scrape target whose series the rules read (by its job in the spec, or by what it exported)."""
    data = client.prometheus("/api/v1/targets", [("state", "active")]) or {}
    jobs = {v.value: v.where for v in exp.spec_values if v.label == "job"}
    down = [t for t in data.get("activeTargets") or [] if t.get("health") == "down"]
    out = []
    for n, t in enumerate(down):
        labels = t.get("labels") or {}
        job, instance = str(labels.get("job", "")), str(labels.get("instance", ""))
        why = f'scrape target {instance} of job "{job}" is down ({t.get("lastError") or "no reason given"})'
        if job in jobs:
            out.append(_diag(jobs[job], GG709_TARGET_DOWN, f"{why}: the spec selects this job"))
            continue
        if n >= DOWN_TARGETS_LOOKED_UP:
            continue
        selector = f"{{job={promql_string(job)},instance={promql_string(instance)}}}"
        names = client.prometheus("/api/v1/label/__name__/values", [("match[]", selector), *window.params()]) or []
        ours = sorted(set(names) & exp.series.keys())
        if ours:
            out.append(
                _diag(
                    exp.where_of(ours[0]), GG709_TARGET_DOWN, f"{why}: it exports {_names(ours)}, which the rules read"
                )
            )
    if len(down) > DOWN_TARGETS_LOOKED_UP:
        out.append(
            _diag(
                Where(client.base_url),
                GG709_TARGET_DOWN,
                f"{len(down)} scrape targets are down; doctor looked at the first {DOWN_TARGETS_LOOKED_UP} only",
                Severity.WARNING,
            )
        )
    return out


CHECKS: tuple[tuple[str, Check], ...] = (
    ("series", series_present),
    ("metric types", metric_types),
    ("label values", label_values),
    ("SLO buckets", buckets),
    ("rule groups", rules),
    ("scrape targets", targets),
)


def _rule_differences(rendered: Sequence[RuleView], loaded: Sequence[RuleView]) -> list[str]:
    """What differs between a rendered group's rules and the loaded ones, one phrase per rule."""
    out = []
    theirs = {(r.kind, r.name, r.labels): r for r in loaded}
    ours = {(r.kind, r.name, r.labels): r for r in rendered}
    for key, r in ours.items():
        other = theirs.get(key)
        if other is None:
            same_name = [x for x in loaded if x.name == r.name and x.kind == r.kind]
            out.append(f"{r.name} has other labels" if same_name else f"{r.name} is not loaded")
            continue
        fields = [
            what
            for what, a, b in (
                ("expression", r.query, other.query),
                ("annotations", r.annotations, other.annotations),
                ("for", r.for_ms, other.for_ms),
                ("keep_firing_for", r.keep_firing_ms, other.keep_firing_ms),
            )
            if a != b
        ]
        if fields:
            out.append(f"{r.name}: {' and '.join(fields)} differ")
    out += [f"{r.name} is loaded but no longer rendered" for key, r in theirs.items() if key not in ours]
    if not out and [r.name for r in rendered] != [r.name for r in loaded]:
        out.append("the rules are in another order")
    return out


def _loaded_view(rule: dict[str, Any]) -> RuleView:
    labels = rule.get("labels") or {}
    annotations = rule.get("annotations") or {}
    return RuleView(
        kind=str(rule.get("type")),
        name=str(rule.get("name")),
        query=canonical_query(str(rule.get("query", ""))),
        labels=tuple(sorted((str(k), str(v)) for k, v in labels.items())),
        annotations=tuple(sorted((str(k), str(v)) for k, v in annotations.items())),
        for_ms=duration_ms(rule.get("duration") or 0),
        keep_firing_ms=duration_ms(rule.get("keepFiringFor") or 0),
    )


def _diag(where: Where, code: str, message: str, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(where.path, where.line, where.col, code, message, severity)


def _names(items: Iterable[str], shown: int = SHOWN) -> str:
    items = list(items)
    head = ", ".join(items[:shown])
    return head + (f" and {len(items) - shown} more" if len(items) > shown else "")


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _as_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")
