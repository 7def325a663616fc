"""The plan: everything to emit for one spec, as plain, frozen, sorted data.

It is the renderers' only input: a renderer serializes the plan and never looks at the spec again
(an import-linter contract forbids ``guardiangen.render`` to import ``guardiangen.spec``). Each
area has a module of its own here; this package re-exports their types, and :class:`Plan` holds
one of each.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardiangen.catalog import Catalog
from guardiangen.plan.model.alerting import (
    AlertingPlan,
    ChildRoute,
    EmailConfig,
    GlobalSettings,
    InhibitRule,
    PagerDutyConfig,
    Receiver,
    RouteTree,
    RoutingRow,
    SlackConfig,
    SmtpSettings,
    TimeInterval,
    TimeIntervalsKey,
    TimeRange,
    WebhookConfig,
)
from guardiangen.plan.model.cluster import Cluster, PrometheusFeatures
from guardiangen.plan.model.dashboards import (
    DashboardsPlan,
    Datasource,
    InventoryNode,
    PanelThresholds,
    SliLines,
    WatchingGuardian,
)
from guardiangen.plan.model.deployment import DeploymentPlan
from guardiangen.plan.model.engines import EngineView, engine_series
from guardiangen.plan.model.logging import LoggingPlan
from guardiangen.plan.model.rules import (
    LABEL_BURN_TIER,
    LABEL_COMPONENT,
    LABEL_GUARDIAN,
    LABEL_SEVERITY,
    LABEL_SLO,
    LABEL_SPECIALIST,
    LABEL_TEAM,
    AlertRuleTest,
    ExpectedAlert,
    ExpectedSample,
    InputSeries,
    Labels,
    PromqlExprTest,
    Rule,
    RuleGroup,
    RulesPlan,
    UnitTestCase,
    UnitTestFile,
    labels,
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
from guardiangen.plan.model.slo import SloPlan, SloWindowSeries

__all__ = [
    "LABEL_BURN_TIER",
    "LABEL_COMPONENT",
    "LABEL_GUARDIAN",
    "LABEL_SEVERITY",
    "LABEL_SLO",
    "LABEL_SPECIALIST",
    "LABEL_TEAM",
    "AlertRuleTest",
    "AlertingPlan",
    "ChildRoute",
    "Cluster",
    "DashboardsPlan",
    "Datasource",
    "DeploymentPlan",
    "EmailConfig",
    "EngineView",
    "ExpectedAlert",
    "ExpectedSample",
    "GlobalSettings",
    "InhibitRule",
    "Inhibition",
    "InputSeries",
    "InventoryNode",
    "Labels",
    "LoggingPlan",
    "PagerDutyConfig",
    "PanelThresholds",
    "Plan",
    "PrometheusFeatures",
    "PromqlExprTest",
    "Query",
    "Receiver",
    "RecordedInput",
    "RouteTree",
    "RoutingRow",
    "Rule",
    "RuleGroup",
    "RulesPlan",
    "RunbookPage",
    "RunbookSection",
    "RunbooksPlan",
    "SlackConfig",
    "SliLines",
    "SloPlan",
    "SloWindowSeries",
    "SmtpSettings",
    "SpecSetting",
    "TimeInterval",
    "TimeIntervalsKey",
    "TimeRange",
    "UnitTestCase",
    "UnitTestFile",
    "WatchingGuardian",
    "WebhookConfig",
    "engine_series",
    "labels",
]


@dataclass(frozen=True)
class Plan:
    """Everything to emit for one spec."""

    cluster: Cluster
    catalog: Catalog  # the spec's metric catalog: the dashboards build their queries from it
    prometheus: PrometheusFeatures
    rules: RulesPlan
    slos: tuple[SloPlan, ...]
    alerting: AlertingPlan
    dashboards: DashboardsPlan
    logging: LoggingPlan | None  # None: the spec ships no logs, no Fluentd configuration
    deployment: DeploymentPlan
    runbooks: RunbooksPlan
