"""Each lint rule: the shared good dashboard is clean, and one mutation yields exactly one finding.

Panel map of the fixture (see conftest.py): panels[0] = row 1 (expanded), panels[1] = timeseries 2,
panels[2] = heatmap 3, panels[3] = row 4 (collapsed) holding stat 5 and text 6.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import pytest

from guardiangen.diagnostics import Diagnostic, Severity
from guardiangen.lint.dashboards import expand_variables, lint_dashboards

PATH = "grafana/dashboards/overview.json"
D = 'dashboard "gg-overview": '
P2 = 'panel 2 "Request rate"'
P3 = 'panel 3 "Latency distribution"'
P5 = 'panel 5 "p99 latency" (in row 4 "Details")'
P6 = 'panel 6 "Notes" (in row 4 "Details")'
RATE = "[$__rate_interval]"
UID_RULE = "^[A-Za-z0-9_-]{1,40}$ (Grafana rejects other uids)"

Mutation = Callable[[dict[str, Any]], None]


def lint(dashboard: Mapping[str, Any], **kwargs: Any) -> list[Diagnostic]:
    return lint_dashboards({PATH: dashboard}, **kwargs)


def messages(diags: list[Diagnostic]) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in diags]


def p2(d: dict[str, Any]) -> dict[str, Any]:
    panel: dict[str, Any] = d["panels"][1]
    return panel


def p3(d: dict[str, Any]) -> dict[str, Any]:
    panel: dict[str, Any] = d["panels"][2]
    return panel


def p5(d: dict[str, Any]) -> dict[str, Any]:
    panel: dict[str, Any] = d["panels"][3]["panels"][0]
    return panel


def p6(d: dict[str, Any]) -> dict[str, Any]:
    panel: dict[str, Any] = d["panels"][3]["panels"][1]
    return panel


def var(d: dict[str, Any], index: int = 1) -> dict[str, Any]:
    variable: dict[str, Any] = d["templating"]["list"][index]
    return variable


def set_expr(expr: str) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        p2(d)["targets"][0]["expr"] = expr

    return mutate


def test_good_dashboard_is_clean(dashboard: dict[str, Any]) -> None:
    assert lint(dashboard) == []


# (id, mutation, expected messages; code GG410 unless stated)
BAD: list[tuple[str, Mutation, list[str]]] = [
    # -- invariants Grafana relies on --
    (
        "uid-illegal-characters",
        lambda d: d.update(uid="gg overview!"),
        ["dashboard \"gg overview!\": uid 'gg overview!' must match " + UID_RULE],
    ),
    (
        "uid-too-long",
        lambda d: d.update(uid="a" * 41),
        [f"dashboard \"{'a' * 41}\": uid '{'a' * 41}' must match " + UID_RULE],
    ),
    (
        "uid-missing",
        lambda d: d.pop("uid"),
        ["dashboard (no uid): uid None must match " + UID_RULE],
    ),
    ("title-missing", lambda d: d.pop("title"), [D + "has no title"]),
    (
        "panel-id-duplicate-across-row-nesting",
        lambda d: p5(d).update(id=2),
        [D + "panel id 2 is used by 2 panels; ids must be unique"],
    ),
    (
        "panel-id-missing",
        lambda d: p2(d).pop("id"),
        [D + 'panel #1 (no id) "Request rate" has no integer id'],
    ),
    (
        "gridpos-beyond-24-columns",
        lambda d: p2(d)["gridPos"].update(x=13),
        [D + f"{P2} gridPos {{x: 13, y: 1, w: 12, h: 8}}: x + w = 25 exceeds the 24-column grid"],
    ),
    (
        "gridpos-zero-width",
        lambda d: p2(d)["gridPos"].update(w=0),
        [D + f"{P2} gridPos {{x: 0, y: 1, w: 0, h: 8}}: w and h must be > 0"],
    ),
    (
        "gridpos-negative-x-in-collapsed-row",
        lambda d: p6(d)["gridPos"].update(x=-1),
        [D + f"{P6} gridPos {{x: -1, y: 10, w: 16, h: 4}}: x and y must be >= 0"],
    ),
    (
        "gridpos-not-integer",
        lambda d: p2(d)["gridPos"].update(w=12.5),
        [D + f"{P2} gridPos w must be integer(s)"],
    ),
    ("gridpos-missing", lambda d: p3(d).pop("gridPos"), [D + f"{P3} has no gridPos"]),
    ("overlap-top-level", lambda d: p3(d)["gridPos"].update(x=6), [D + f"{P2} overlaps {P3}"]),
    ("overlap-with-row", lambda d: p2(d)["gridPos"].update(h=9), [D + f'{P2} overlaps row 4 "Details"']),
    ("overlap-inside-collapsed-row", lambda d: p6(d)["gridPos"].update(x=4), [D + f"{P5} overlaps {P6}"]),
    (
        "expanded-row-with-nested-panels",
        lambda d: d["panels"][0]["panels"].append(
            {
                "id": 7,
                "type": "text",
                "title": "Hidden",
                "description": "Never shown.",
                "gridPos": {"x": 0, "y": 1, "w": 24, "h": 2},
            }
        ),
        [
            D + 'row 1 "Traffic" is expanded but holds 1 nested panel(s); Grafana only reads "panels" of '
            "collapsed rows, so move them after the row in the top-level list"
        ],
    ),
    # -- ported dashboard-linter rules --
    (
        "datasource-variable-missing",
        lambda d: d["templating"]["list"].pop(0),
        [D + 'has no templating variable "datasource" of type "datasource"'],
    ),
    (
        "datasource-variable-wrong-type",
        lambda d: var(d, 0).update(type="custom"),
        [D + 'has no templating variable "datasource" of type "datasource"'],
    ),
    (
        "panel-datasource-hardcoded-uid",
        lambda d: p2(d)["datasource"].update(uid="P1809F7CD0C75ACF3"),
        [D + f"{P2} datasource uid 'P1809F7CD0C75ACF3' is not one of ${{datasource}}"],
    ),
    (
        "panel-datasource-legacy-name",
        lambda d: p2(d).update(datasource="Prometheus"),
        [D + f"{P2} datasource 'Prometheus' is a legacy name; use {{type, uid}} with uid ${{datasource}}"],
    ),
    (
        "panel-datasource-missing",
        lambda d: p5(d).pop("datasource"),
        [D + f"{P5} has no datasource (Grafana would use the default one); use uid ${{datasource}}"],
    ),
    (
        "target-datasource-hardcoded-uid",
        lambda d: p2(d)["targets"][0]["datasource"].update(uid="other"),
        [D + f"{P2} target A datasource uid 'other' is not one of ${{datasource}}"],
    ),
    (
        "variable-datasource-hardcoded-uid",
        lambda d: var(d)["datasource"].update(uid="abc"),
        [D + "variable 'service' datasource uid 'abc' is not one of ${datasource}"],
    ),
    (
        "unit-missing-timeseries",
        lambda d: p2(d)["fieldConfig"]["defaults"].pop("unit"),
        [D + f'{P2} (timeseries) sets no unit; set fieldConfig.defaults.unit ("none" if unitless)'],
    ),
    (
        "unit-empty-stat",
        lambda d: p5(d)["fieldConfig"]["defaults"].update(unit=""),
        [D + f'{P5} (stat) sets no unit; set fieldConfig.defaults.unit ("none" if unitless)'],
    ),
    (
        "unit-missing-heatmap",
        lambda d: p3(d)["options"]["yAxis"].pop("unit"),
        [D + f'{P3} (heatmap) sets no unit; set fieldConfig.defaults.unit or options.yAxis.unit ("none" if unitless)'],
    ),
    ("title-missing-panel", lambda d: p2(d).pop("title"), [D + "panel 2 has no title"]),
    ("description-missing", lambda d: p6(d).pop("description"), [D + f"{P6} has no description"]),
    ("description-blank", lambda d: p5(d).update(description="  "), [D + f"{P5} has no description"]),
    ("targets-empty", lambda d: p2(d).update(targets=[]), [D + f"{P2} has no targets"]),
    ("targets-missing-on-stat", lambda d: p5(d).pop("targets"), [D + f"{P5} has no targets"]),
    (
        "rate-literal-range",
        set_expr('sum(rate(guardian_requests_total{service=~"$service"}[5m]))'),
        [D + f"{P2} target A rate() uses range [5m]; use {RATE}"],
    ),
    (
        "irate-literal-range",
        set_expr("sum(irate(guardian_requests_total[1h30m]))"),
        [D + f"{P2} target A irate() uses range [1h30m]; use {RATE}"],
    ),
    (
        "increase-interval-variable",
        set_expr("sum(increase(guardian_requests_total[$__interval]))"),
        [D + f"{P2} target A increase() uses range [$__interval]; use {RATE}"],
    ),
    (
        "increase-range-variable",
        set_expr("sum(increase(guardian_requests_total[${__range}]))"),
        [
            D + f"{P2} target A increase() uses range [${{__range}}] in a range query, so every point covers the "
            f"whole dashboard range; use {RATE}, or make the target instant"
        ],
    ),
    (
        "irate-range-variable-even-when-instant",
        lambda d: p2(d)["targets"][0].update(expr="sum(irate(guardian_requests_total[$__range]))", instant=True),
        [D + f"{P2} target A irate() uses range [$__range]; use {RATE}"],
    ),
    (
        "rate-range-variable-in-instant-and-range-query",
        lambda d: p2(d)["targets"][0].update(
            expr="sum(rate(guardian_requests_total[$__range]))", instant=True, range=True
        ),
        [
            D + f"{P2} target A rate() uses range [$__range] in a range query, so every point covers the "
            f"whole dashboard range; use {RATE}, or make the target instant"
        ],
    ),
    (
        "interval-variable-in-instant-query",
        lambda d: p2(d)["targets"][0].update(expr="sum(increase(guardian_requests_total[$__interval]))", instant=True),
        [D + f"{P2} target A increase() uses range [$__interval]; use {RATE}"],
    ),
    (
        "counter-aggregated-raw",
        set_expr("sum(guardian_requests_total)"),
        [D + f"{P2} target A uses counter guardian_requests_total outside rate()/irate()/increase()"],
    ),
    (
        "counter-bucket-raw",
        set_expr("histogram_quantile(0.99, sum by (le) (guardian_request_duration_seconds_bucket))"),
        [D + f"{P2} target A uses counter guardian_request_duration_seconds_bucket outside rate()/irate()/increase()"],
    ),
    (
        "counter-by-name-matcher",
        set_expr('sum({__name__="guardian_requests_count"})'),
        [D + f"{P2} target A uses counter guardian_requests_count outside rate()/irate()/increase()"],
    ),
    (
        "counter-in-over-time",
        set_expr("max_over_time(guardian_tokens_sum[$__rate_interval])"),
        [D + f"{P2} target A uses counter guardian_tokens_sum outside rate()/irate()/increase()"],
    ),
    (
        "expr-empty",
        set_expr("  "),
        ["GG401", D + f"{P2} target A has no PromQL expr"],
    ),
    (
        "variable-refresh-on-load",
        lambda d: var(d).update(refresh=1),
        [D + "variable 'service' has refresh 1; use 2 (on time range change) so its values follow the dashboard range"],
    ),
    (
        "variable-refresh-missing",
        lambda d: var(d).pop("refresh"),
        [
            D + "variable 'service' has refresh None; use 2 (on time range change) so its values follow the "
            "dashboard range"
        ],
    ),
    (
        "undeclared-variable-in-expr",
        set_expr('sum(rate(guardian_requests_total{cluster="$cluster"}[$__rate_interval]))'),
        [D + f"{P2} target A uses $cluster, which is not a templating variable"],
    ),
    (
        "undeclared-variable-in-variable-query",
        lambda d: var(d)["query"].update(query='label_values(guardian_requests_total{cluster="${cluster}"}, service)'),
        [D + "variable 'service' uses $cluster, which is not a templating variable"],
    ),
    (
        "undeclared-variable-in-repeat",
        lambda d: p2(d).update(repeat="node"),
        [D + f"{P2} repeat uses $node, which is not a templating variable"],
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), [pytest.param(m, e, id=i) for i, m, e in BAD])
def test_rule_reports_exactly_one_problem(dashboard: dict[str, Any], mutate: Mutation, expected: list[str]) -> None:
    mutate(dashboard)
    code = expected[0] if expected[0].startswith("GG") else "GG410"
    wanted = [(code, message) for message in expected if not message.startswith("GG")]
    diags = lint(dashboard)
    assert messages(diags) == wanted
    assert all(d.path == PATH and d.severity is Severity.ERROR for d in diags)


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        pytest.param("sum(rate(guardian_requests_total[$__rate_interval])", "unclosed left parenthesis", id="paren"),
        pytest.param("rate(guardian_requests_total)", "expected type matrix", id="type"),
        pytest.param('guardian_requests_total{service=~"$service",', "", id="selector"),
    ],
)
def test_unparsable_promql_is_gg401(dashboard: dict[str, Any], expr: str, fragment: str) -> None:
    set_expr(expr)(dashboard)
    [diag] = lint(dashboard)
    assert diag.code == "GG401"
    assert diag.message.startswith(D + f"{P2} target A PromQL does not parse: ")
    assert fragment in diag.message
    assert repr(expr) in diag.message  # the user's text, not the substituted one


def test_unparsable_variable_query_is_gg401(dashboard: dict[str, Any]) -> None:
    var(dashboard)["query"]["query"] = "label_values(guardian_requests_total{, service)"
    [diag] = lint(dashboard)
    assert diag.code == "GG401"
    assert diag.message.startswith(D + "variable 'service' PromQL does not parse: ")


# -- things that must stay clean ---------------------------------------------------------------


GOOD_EXPRS = [
    pytest.param(
        'sum by (service) (rate(guardian_requests_total{service=~"${service:regex}"}[${__rate_interval}]))',
        id="braced-and-formatted-variables",
    ),
    pytest.param('sum(rate(guardian_requests_total{service="[[service]]"}[$__rate_interval]))', id="legacy-brackets"),
    pytest.param(
        'label_replace(sum(rate(guardian_requests_total[$__rate_interval])), "svc", "$1", "service", "(.*)")',
        id="regex-backreference-is-not-a-variable",
    ),
    pytest.param("sum(increase(guardian_requests_total[$__rate_interval])) / $__range_s", id="bare-builtin"),
    pytest.param("max_over_time(rate(guardian_requests_total[$__rate_interval])[1h:])", id="counter-in-subquery"),
    pytest.param("guardian_queue_depth # a comment mentioning $nothing and don't", id="comment"),
    pytest.param("up == 1", id="gauge-needs-no-rate"),
]


@pytest.mark.parametrize("expr", GOOD_EXPRS)
def test_good_expressions_are_clean(dashboard: dict[str, Any], expr: str) -> None:
    set_expr(expr)(dashboard)
    assert messages(lint(dashboard)) == []


@pytest.mark.parametrize(
    "expr", ["sum(increase(guardian_requests_total[$__range]))", "sum(rate(guardian_requests_total[${__range}]))"]
)
def test_whole_range_is_allowed_in_instant_queries(dashboard: dict[str, Any], expr: str) -> None:
    # A stat of "requests in the selected range": one instant query at the end of the range, whose
    # window is exactly the dashboard range. Only rate() and increase() mean something there.
    p5(dashboard)["targets"][0].update(expr=expr, instant=True)
    assert messages(lint(dashboard)) == []


def test_variable_used_as_range_is_named_in_the_finding(dashboard: dict[str, Any]) -> None:
    set_expr("sum(rate(guardian_requests_total[[[service]]]))")(dashboard)
    assert messages(lint(dashboard)) == [("GG410", D + f"{P2} target A rate() uses range [[[service]]]; use {RATE}")]


def test_collapsed_row_children_live_in_their_own_plane(dashboard: dict[str, Any]) -> None:
    # Grafana moves a collapsed row's panels under the row when it expands, so their stored y may
    # coincide with top-level panels without any overlap on screen.
    for child in dashboard["panels"][3]["panels"]:
        child["gridPos"]["y"] = 1
    assert lint(dashboard) == []


def test_heatmap_unit_may_come_from_field_config(dashboard: dict[str, Any]) -> None:
    del p3(dashboard)["options"]["yAxis"]["unit"]
    p3(dashboard)["fieldConfig"]["defaults"]["unit"] = "s"
    assert lint(dashboard) == []


def test_extra_known_datasource_uid_is_accepted(dashboard: dict[str, Any]) -> None:
    p2(dashboard)["datasource"]["uid"] = "guardiangen-prometheus"
    p2(dashboard)["targets"][0]["datasource"]["uid"] = "guardiangen-prometheus"
    assert len(lint(dashboard)) == 2
    assert lint(dashboard, known_datasource_uids=("${datasource}", "guardiangen-prometheus")) == []


def test_targets_of_other_datasource_types_are_not_parsed_as_promql(dashboard: dict[str, Any]) -> None:
    loki = {"type": "loki", "uid": "guardiangen-loki"}
    p2(dashboard)["datasource"] = dict(loki)
    p2(dashboard)["targets"] = [{"refId": "A", "datasource": dict(loki), "expr": '{app="guardian"} |= "error"'}]
    assert lint(dashboard, known_datasource_uids=("${datasource}", "guardiangen-loki")) == []


def test_non_query_variables_need_no_refresh(dashboard: dict[str, Any]) -> None:
    dashboard["templating"]["list"].append({"name": "quantile", "type": "custom", "query": "0.5,0.9,0.99"})
    dashboard["templating"]["list"].append({"name": "by", "type": "custom", "query": "service,model"})
    # $quantile stands for a number and $by for a label: each placeholder must be tried both ways.
    set_expr(
        "histogram_quantile($quantile, sum by (le, $by) "
        "(rate(guardian_request_duration_seconds_bucket[$__rate_interval])))"
    )(dashboard)
    assert lint(dashboard) == []


@pytest.mark.parametrize(
    "query",
    [
        "label_values(service)",
        'label_values(guardian_requests_total{service=~"$service"}, service)',
        "query_result(up)",
    ],
)
def test_variable_query_forms(dashboard: dict[str, Any], query: str) -> None:
    var(dashboard)["query"] = query  # the older plain-string form
    assert lint(dashboard) == []


# -- across dashboards -------------------------------------------------------------------------


def test_uid_must_be_unique_across_dashboards(make_dashboard: Callable[..., dict[str, Any]]) -> None:
    diags = lint_dashboards({"a.json": make_dashboard("gg-x", "A"), "b.json": make_dashboard("gg-x", "B")})
    assert messages(diags) == [
        ("GG410", "dashboard uid 'gg-x' is also used by b.json"),
        ("GG410", "dashboard uid 'gg-x' is also used by a.json"),
    ]
    assert [d.path for d in diags] == ["a.json", "b.json"]


def test_title_must_be_unique_across_dashboards(make_dashboard: Callable[..., dict[str, Any]]) -> None:
    diags = lint_dashboards({"a.json": make_dashboard("gg-a", "Same"), "b.json": make_dashboard("gg-b", "Same")})
    assert messages(diags) == [
        ("GG410", "dashboard title 'Same' is also used by b.json"),
        ("GG410", "dashboard title 'Same' is also used by a.json"),
    ]


def test_distinct_dashboards_are_clean(make_dashboard: Callable[..., dict[str, Any]]) -> None:
    assert lint_dashboards({"a.json": make_dashboard("gg-a", "A"), "b.json": make_dashboard("gg-b", "B")}) == []


def test_non_object_dashboard_is_reported() -> None:
    diags = lint_dashboards({"x.json": []})  # type: ignore[dict-item]
    assert messages(diags) == [("GG410", "dashboard JSON is not an object")]


def test_malformed_panels_do_not_crash(dashboard: dict[str, Any]) -> None:
    dashboard["panels"].append("not a panel")
    assert messages(lint(dashboard)) == [("GG410", D + '"panels" holds 1 entries that are not objects')]


# -- placeholder substitution ------------------------------------------------------------------


def test_expand_variables_placeholders_depend_on_position() -> None:
    expanded = expand_variables(
        'rate(m{a="$x"}[$__rate_interval]) / $y + m2[$__interval] + m3[$__interval] / $__range_s'
    )
    assert expanded.variables == ["x", "__rate_interval", "y", "__interval", "__interval", "__range_s"]
    assert expanded.text == ('rate(m{a="gg_var_x"}[9876543ms]) / gg_var_y + m2[9876544ms] + m3[9876544ms] / 300')
    assert expanded.ranges == {timedelta(milliseconds=9876544): "$__interval"}


def test_expand_variables_ignores_escaped_quotes_and_comments() -> None:
    expanded = expand_variables('m{a="say \\"$x\\" [no range]"} # $commented [\n')
    assert expanded.variables == ["x"]
    assert expanded.text == 'm{a="say \\"gg_var_x\\" [no range]"} # $commented [\n'
