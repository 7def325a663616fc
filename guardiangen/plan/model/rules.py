"""Rule groups and their promtool unit tests, as plain frozen data.

Rule content lives here once, so every output profile (plain files, PrometheusRule, Thanos, Mimir)
carries identical rules.
"""

from __future__ import annotations

from dataclasses import dataclass

# The labels every generated alert carries (routing and inhibition rely on these names), re-exported.
from guardiangen.generated_labels import LABEL_BURN_TIER as LABEL_BURN_TIER
from guardiangen.generated_labels import LABEL_COMPONENT as LABEL_COMPONENT
from guardiangen.generated_labels import LABEL_GUARDIAN as LABEL_GUARDIAN
from guardiangen.generated_labels import LABEL_SEVERITY as LABEL_SEVERITY
from guardiangen.generated_labels import LABEL_SLO as LABEL_SLO
from guardiangen.generated_labels import LABEL_SPECIALIST as LABEL_SPECIALIST
from guardiangen.generated_labels import LABEL_TEAM as LABEL_TEAM

Labels = tuple[tuple[str, str], ...]  # sorted (name, value) pairs


def labels(**kv: str) -> Labels:
    return tuple(sorted(kv.items()))


@dataclass(frozen=True)
class Rule:
    """A recording rule (``record`` set) or an alerting rule (``alert`` set)."""

    expr: str
    record: str | None = None
    alert: str | None = None
    for_: str | None = None  # Prometheus duration text, e.g. "5m"
    keep_firing_for: str | None = None
    labels: Labels = ()
    annotations: Labels = ()

    @property
    def name(self) -> str:
        return self.record or self.alert or ""

    @property
    def is_alert(self) -> bool:
        return self.alert is not None


@dataclass(frozen=True)
class RuleGroup:
    name: str
    rules: tuple[Rule, ...]
    interval: str | None = None
    limit: int | None = None
    labels: Labels = ()  # group labels: only emitted for Prometheus >= 3.0
    # Which rules file the group is written to, without extension, e.g. "specialists".
    file: str = "rules"


# ---- promtool unit tests (format: prometheus docs "Unit testing for rules") ----


@dataclass(frozen=True)
class InputSeries:
    series: str  # e.g. 'specialist_requests_total{specialist_type="code",status="error"}'
    values: str  # expanding notation, e.g. "0+10x30"


@dataclass(frozen=True)
class ExpectedAlert:
    labels: Labels
    annotations: Labels


@dataclass(frozen=True)
class AlertRuleTest:
    eval_time: str
    alertname: str
    exp_alerts: tuple[ExpectedAlert, ...] = ()  # empty: asserts silence


@dataclass(frozen=True)
class ExpectedSample:
    labels: str  # 'metric{a="b"}'
    value: str  # exact decimal text, compared by promtool as float


@dataclass(frozen=True)
class PromqlExprTest:
    expr: str
    eval_time: str
    exp_samples: tuple[ExpectedSample, ...] = ()


@dataclass(frozen=True)
class UnitTestCase:
    """One promtool test group: input series plus the assertions over them."""

    name: str
    interval: str
    input_series: tuple[InputSeries, ...]
    alert_rule_tests: tuple[AlertRuleTest, ...] = ()
    promql_expr_tests: tuple[PromqlExprTest, ...] = ()
    external_labels: Labels = ()


@dataclass(frozen=True)
class UnitTestFile:
    """A promtool test file covering the rules files named in ``rule_files`` (without extension)."""

    name: str
    rule_files: tuple[str, ...]
    evaluation_interval: str
    tests: tuple[UnitTestCase, ...]
    # Group names in evaluation order. Without it promtool evaluates groups in random order, so a
    # group reading another group's output sees this or the previous evaluation, at random.
    group_eval_order: tuple[str, ...] = ()
    # Rule sets that are this test's rules with other owners' names in them: the test stands for
    # them too (see guardiangen.plan.shapes). Each is (rules file, name): a whole file when the
    # name is the file's, else the groups ``<name>-*`` in it (an SLO in a file of several).
    covers: tuple[tuple[str, str], ...] = ()
    # Where ``rule_files`` are, relative to the test file: the deployed rules, or ``rules`` beside
    # the tests for copies of some of their groups (RulesPlan.test_copies).
    rules_dir: str = "../rules"


@dataclass(frozen=True)
class RulesPlan:
    groups: tuple[RuleGroup, ...] = ()
    tests: tuple[UnitTestFile, ...] = ()
    # Copies of deployed groups, in files of their own that tests load alone (never deployed):
    # an SLO tested apart from the other SLOs of its rules file.
    test_copies: tuple[RuleGroup, ...] = ()

    def alerts(self) -> tuple[Rule, ...]:
        return tuple(r for g in self.groups for r in g.rules if r.is_alert)

    def alerts_by_name(self) -> dict[str, list[Rule]]:
        """The alerts by name, names in the order they first appear, rules in their order."""
        by_name: dict[str, list[Rule]] = {}
        for rule in self.alerts():
            assert rule.alert is not None
            by_name.setdefault(rule.alert, []).append(rule)
        return by_name
