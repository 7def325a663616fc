"""The README's alert table is the output of alert_docs for the reference spec."""

from __future__ import annotations

import re

from guardiangen.plan.model import Plan
from guardiangen.readme.alerts import REGENERATE, SECTION, alerts_table_markdown
from guardiangen.spec.models import ClusterSpec
from tests.conftest import ROOT


def test_readme_alert_table_is_current(reference_spec: ClusterSpec, reference_plan: Plan) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {SECTION}:start -->\n(.*?)<!-- {SECTION}:end -->", readme, re.S)
    assert match, f"README.md has no {SECTION} markers"
    assert match.group(1) == alerts_table_markdown(reference_spec, reference_plan), (
        f"README alert table is stale; run: {REGENERATE}"
    )


def test_table_lists_every_alert_once_with_its_threshold_source(
    reference_spec: ClusterSpec, reference_plan: Plan
) -> None:
    table = alerts_table_markdown(reference_spec, reference_plan)
    names = {r.alert for r in reference_plan.rules.alerts()}
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(names)
    assert all(any(f"`{n}`" in row for row in rows) for n in names)
    quality = next(r for r in rows if "`LLMGuardianSpecialistQualityLow`" in r)
    assert "warning (critical for medical)" in quality
    assert "`specialists[].thresholds.quality_mean_min`" in quality
