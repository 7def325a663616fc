"""Build the target-neutral plan from a valid spec."""

from __future__ import annotations

from guardiangen.catalog import Catalog, build_catalog
from guardiangen.plan.model import Plan, RulesPlan
from guardiangen.spec.models import ClusterSpec


def catalog_for(spec: ClusterSpec) -> Catalog:
    return build_catalog(
        gpu_exporter=spec.gpu_inventory.exporter.value,
        gpu_host_label=spec.gpu_inventory.host_label,
        postgres_enabled=spec.postgres is not None,
        extra=tuple(spec.metrics),
    )


def build_plan(spec: ClusterSpec, catalog: Catalog) -> Plan:
    """Everything to emit, as plain sorted data: component rules first, then SLO rules."""
    from guardiangen.parallel import call
    from guardiangen.plan import rules, slo

    planned = call(slo.build, spec, catalog)  # in a forked child, beside the component rules, when it can
    try:
        component = rules.build(spec, catalog)
        slos, slo_rules = planned.result()
    finally:
        planned.stop()
    merged = RulesPlan(
        groups=component.groups + slo_rules.groups,
        tests=component.tests + slo_rules.tests,
        fixtures=component.fixtures + slo_rules.fixtures,
    )
    return Plan(rules=merged, slos=slos)
