"""doctor's comparisons that need no server: Alertmanager configurations, rule expressions, spec places.

The live behaviour is tested against real servers in tests/doctor; these pin the rules of
equivalence that those tests rely on, with inputs shaped like Alertmanager's and Prometheus' own
printing (taken from the servers in tests/doctor, Alertmanager 0.25 and Prometheus 2.42).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardiangen import pipeline
from guardiangen.doctor.alertmanager import differences
from guardiangen.doctor.expect import canonical_query, expected, locate

RENDERED = {
    "route": {
        "receiver": "fallback",
        "group_wait": "30s",
        "repeat_interval": "24h",
        "routes": [{"receiver": "pager", "matchers": ['severity="critical"', 'team="ml-core"']}],
    },
    "receivers": [{"name": "fallback", "webhook_configs": [{"url": "http://hook:9/x"}]}, {"name": "pager"}],
    "templates": ["templates/*.tmpl"],
}
# What Alertmanager's /api/v2/status prints for the same file: defaults added, matchers reordered and
# quoted its way, durations in its own units, the template path absolute, the URL a secret.
LOADED = {
    "global": {"resolve_timeout": "5m"},
    "route": {
        "receiver": "fallback",
        "group_wait": "30s",
        "repeat_interval": "1d",
        "continue": False,
        "routes": [{"receiver": "pager", "matchers": ["team=ml-core", 'severity = "critical"'], "continue": False}],
    },
    "receivers": [
        {"name": "pager"},
        {"name": "fallback", "webhook_configs": [{"send_resolved": True, "url": "<secret>", "max_alerts": 0}]},
    ],
    "templates": ["/etc/alertmanager/templates/*.tmpl"],
}


def test_alertmanager_equivalent_printing_is_no_difference() -> None:
    assert list(differences(RENDERED, LOADED)) == []


@pytest.mark.parametrize(
    ("edit", "expected_line"),
    [
        (lambda d: d["route"]["routes"][0].update(receiver="chat"), 'route.routes[0].receiver: loaded "chat"'),
        (lambda d: d["route"]["routes"][0]["matchers"].pop(), "route.routes[0].matchers: loaded {team="),
        (lambda d: d["route"].update(group_wait="1m"), 'route.group_wait: loaded "1m", rendered "30s"'),
        (lambda d: d["route"]["routes"].append({"receiver": "x"}), "route.routes: 2 loaded, 1 rendered"),
        (lambda d: d["receivers"].pop(0), 'receivers: "pager" is not loaded'),
        (lambda d: d["receivers"].append({"name": "old"}), 'receivers: "old" is loaded but no longer rendered'),
        (lambda d: d.update(templates=["/etc/other/*.tmpl"]), "templates: templates/*.tmpl is not loaded"),
    ],
)
def test_alertmanager_each_kind_of_difference_is_named(edit: object, expected_line: str) -> None:
    import copy

    loaded = copy.deepcopy(LOADED)
    edit(loaded)  # type: ignore[operator]
    found = list(differences(RENDERED, loaded))
    assert len(found) == 1 and found[0].startswith(expected_line), found


def test_prometheus_printing_of_a_rule_equals_the_rendered_text() -> None:
    # Prometheus 2.42 prints matchers sorted by name and regexes with doubled backslashes.
    rendered = 'sum(rate(x_bucket{specialist_type="a",le=~"1(\\\\.0)?"}[5m])) or on() y{slo="s"} * 0'
    printed = 'sum(rate(x_bucket{le=~"1(\\\\.0)?",specialist_type="a"}[5m])) or on () y{slo="s"} * 0'
    assert canonical_query(rendered) == canonical_query(printed)
    assert canonical_query(rendered) != canonical_query(rendered.replace('"a"', '"b"'))
    assert canonical_query(rendered) != canonical_query(rendered.replace("[5m]", "[10m]"))


def test_locate_follows_named_list_items() -> None:
    data = {"specialists": [{"name": "a"}, {"name": "b", "slos": {"latency": {"threshold_seconds": 1}}}]}
    assert locate(data, "specialists[b].slos.latency") == ("specialists", 1, "slos", "latency")
    assert locate(data, "specialists[c].slos") is None


def test_expectations_of_the_reference_spec_point_into_it() -> None:
    path = str(Path(__file__).resolve().parents[2] / "specs" / "cluster.yaml")
    validated = pipeline.validate(path)
    assert validated.spec is not None and validated.document is not None
    plan = pipeline.plan(validated.spec)
    exp = expected(validated.document, plan, pipeline.render(plan, "cluster.yaml"), "out")
    text = Path(path).read_text(encoding="utf-8").splitlines()
    # Every latency SLO's pinned bucket points at the line of its threshold in the spec.
    assert exp.buckets
    for need in exp.buckets:
        assert need.where.line > 0
        line = text[need.where.line - 1]
        assert ("threshold" in line or "minimum_score" in line) and need.threshold in line, (need, line)
    # Every spec value a selector takes is written on its line, at its column.
    for value in exp.spec_values:
        line = text[value.where.line - 1]
        assert line[value.where.col - 1 :].lstrip("\"'").startswith(value.value), (value, line)
    # Recorded series are the rules' own: never expected from the cluster.
    assert not exp.series.keys() & exp.records
