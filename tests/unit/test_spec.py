"""Spec models: strict types, exact numbers, durations, and the reference spec."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from guardiangen.load import load_text
from guardiangen.spec import parse_spec
from guardiangen.spec.types import format_duration_ms, parse_duration_ms
from guardiangen.starter import STARTER

ROOT = Path(__file__).resolve().parents[2]


def _parse(text: str):  # type: ignore[no-untyped-def]
    doc, diags = load_text(text, "c.yaml")
    assert doc is not None, diags
    return parse_spec(doc)


def test_reference_spec_is_valid() -> None:
    spec, diags = _parse((ROOT / "specs" / "cluster.yaml").read_text())
    assert diags == []
    assert spec is not None
    assert len(spec.specialists) >= 4
    assert len({g.type for g in spec.guardians}) >= 3
    assert len(spec.gpu_inventory.models) >= 2
    kinds = {k for r in spec.alerting.receivers for k in ("slack", "pagerduty", "email", "webhook") if getattr(r, k)}
    assert kinds == {"slack", "pagerduty", "email", "webhook"}
    assert spec.logging is not None


def test_reference_spec_starts_with_schema_modeline() -> None:
    first = (ROOT / "specs" / "cluster.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=./cluster.schema.json"


def test_starter_is_valid() -> None:
    spec, diags = _parse(STARTER)
    assert diags == [] and spec is not None


def test_objectives_are_exact_decimals() -> None:
    spec, _ = _parse((ROOT / "specs" / "cluster.yaml").read_text())
    assert spec is not None
    slo = spec.specialists[0].slos.availability
    assert slo is not None
    assert slo.objective_percent == Decimal("99.9")
    assert 1 - slo.objective_percent / 100 == Decimal("0.001")


@pytest.mark.parametrize(
    ("text", "ms", "canonical"),
    [
        ("30s", 30_000, "30s"),
        ("90s", 90_000, "1m30s"),
        ("1h30m", 5_400_000, "1h30m"),
        ("30d", 2_592_000_000, "30d"),
        ("1w", 604_800_000, "7d"),
        ("250ms", 250, "250ms"),
    ],
)
def test_durations(text: str, ms: int, canonical: str) -> None:
    assert parse_duration_ms(text) == ms
    assert format_duration_ms(ms) == canonical


@pytest.mark.parametrize("bad", ["", "5", "5 m", "m5", "1.5h", "-1m", "5M"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_duration_ms(bad)


def test_numbers_as_strings_are_refused() -> None:
    _, diags = _parse(STARTER.replace("objective_percent: 99.9", 'objective_percent: "99.9"'))
    assert [d.code for d in diags] == ["GG105"] or [d.code for d in diags] == ["GG107"]
    assert "expected a number, got a string" in diags[0].message


def test_spec_is_frozen() -> None:
    spec, _ = _parse(STARTER)
    assert spec is not None
    with pytest.raises(ValidationError):
        spec.metadata.name = "other"  # type: ignore[misc]


def test_the_checks_report_one_finding_type() -> None:
    """The raw-document checks, the version gate and the profile checks all report a Finding."""
    from guardiangen.diagnostics import Severity
    from guardiangen.spec import checks, output_checks, version_checks
    from guardiangen.spec.findings import Finding
    from guardiangen.spec.models import OutputProfile

    spec, _ = _parse(STARTER.replace("  dashboard_base_url:", "  dashboard_folder: a/b\n  dashboard_base_url:"))
    assert spec is not None
    too_high = "    model: codellama-34b-instruct\n    thresholds: {latency_p95_max_seconds: 90}\n"
    doc, _ = load_text(STARTER.replace("    model: codellama-34b-instruct\n", too_high), "c.yaml")
    assert doc is not None
    found = [
        *checks._findings(doc.data),
        *version_checks.version_findings({"defaults": {"alertmanager_version": "0.21.0"}}),
        *output_checks.findings(spec, OutputProfile.KUBERNETES),
    ]
    assert [type(f) for f in found] == [Finding] * 3
    assert [f.code for f in found] == ["GG206", "GG209", "GG210"]
    assert all(f.severity is Severity.ERROR for f in found)


def test_each_shared_constant_has_one_home() -> None:
    """Severities, the alerts' own label names and the label-name syntax are defined once; the
    spec, the plan, the rule linters and the catalog read the same objects."""
    from guardiangen import catalog, generated_labels
    from guardiangen.catalog import model as catalog_model
    from guardiangen.plan import model as plan_model
    from guardiangen.promql import names
    from guardiangen.spec import models, types

    override_severity = models.AlertOverride.model_fields["severity"].annotation
    assert models.Severity is generated_labels.Severity and override_severity == generated_labels.Severity | None
    assert names.SEVERITIES is generated_labels.SEVERITIES == ("critical", "warning", "info")
    for name in ("LABEL_SEVERITY", "LABEL_TEAM", "LABEL_COMPONENT", "LABEL_SPECIALIST", "LABEL_GUARDIAN", "LABEL_SLO"):
        assert getattr(plan_model, name) is getattr(generated_labels, name)
    assert plan_model.LABEL_BURN_TIER is generated_labels.LABEL_BURN_TIER
    assert set(generated_labels.STATIC_LABELS) <= set(models.RESERVED_CLUSTER_LABELS)
    assert types.LABEL_NAME_PATTERN is catalog_model.LABEL_NAME_PATTERN is catalog.LABEL_NAME_PATTERN
    assert types.LabelName is catalog_model.LabelName


def test_validate_loads_only_load_spec_and_catalog() -> None:
    """`guardiangen validate` stays off the plan, the renderers and the PromQL builders (start-up time)."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys; from guardiangen import pipeline\n"
        "for p in ('specs/cluster.yaml', 'tests/invalid/route-never-matches.yaml'): pipeline.validate(p)\n"
        "print(json.dumps(sorted({m.split('.')[1] for m in sys.modules if m.startswith('guardiangen.')})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(proc.stdout))
    assert loaded <= {"catalog", "diagnostics", "generated_labels", "load", "pipeline", "spec", "syntax"}, loaded
