"""The whole plan of one spec, area by area."""

from __future__ import annotations

from guardiangen.catalog import Catalog
from guardiangen.parallel import call
from guardiangen.plan import alerting, dashboards, deployment, logging, rules, runbooks, slo
from guardiangen.plan.cluster import cluster_of, prometheus_features
from guardiangen.plan.model import Plan, RulesPlan
from guardiangen.spec.models import ClusterSpec, OutputProfile


def build_plan(spec: ClusterSpec, catalog: Catalog, profile: OutputProfile | None = None) -> Plan:
    """Everything to emit for a spec that validated (``pipeline.validate``), as plain sorted data.

    ``profile`` replaces the spec's ``output.profile`` (``--target``). Component rules come first,
    then SLO rules; the SLOs are planned in a forked child beside the component rules when there is
    a second CPU (:mod:`guardiangen.parallel`)."""
    planned = call(slo.build, spec, catalog)
    try:
        component = rules.build(spec, catalog)
        slos, slo_rules = planned.result()
    finally:
        planned.stop()
    merged = RulesPlan(
        groups=component.groups + slo_rules.groups,
        tests=component.tests + slo_rules.tests,
        test_copies=component.test_copies + slo_rules.test_copies,
    )
    alerts = alerting.build(spec, catalog, merged)
    return Plan(
        cluster=cluster_of(spec),
        catalog=catalog,
        prometheus=prometheus_features(spec),
        rules=merged,
        slos=slos,
        alerting=alerts,
        dashboards=dashboards.build(spec, slos),
        logging=logging.build(spec),
        deployment=deployment.build(spec, profile),
        runbooks=runbooks.build(spec, catalog, merged, slos, alerts.inhibit_rules),
    )
