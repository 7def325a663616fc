"""Validation never passes what the plan or a renderer refuses.

Specs near the edges of what validation accepts (:mod:`.edges`) are validated in every profile;
each one that validates must plan and render in that profile, through the pipeline phases that
``guardiangen render --target`` runs, without an exception (the CLI's exit 3). Its plan must also
stay inside what validation assumed about the generated rules: every rule label is one of the
generated rules' own (``guardiangen.generated_labels``), a catalog label, an ``alert_labels``
entry or the cluster label (so stamping the cluster label can never clash), and every alert
carries only label values the route checks consider possible.

Four examples by default, a few seconds each; ``GG_FUZZ_EXAMPLES=10`` runs ten times as many.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given

from guardiangen import pipeline
from guardiangen.plan.model import Plan
from guardiangen.spec.models import ClusterSpec, OutputProfile
from tests.fuzz.edges import specs_near_the_edges
from tests.fuzz.harness import diagnostic_problems, explain, fuzz, label_problems, short, write_spec
from tests.fuzz.specgen import to_yaml


def _render(spec: ClusterSpec, profile: OutputProfile, text: str) -> Plan:
    """The plan and files of ``guardiangen render --target <profile>``; an exception fails the test."""
    try:
        plan = pipeline.plan(spec, profile)
        files = pipeline.render(plan, "cluster.yaml")
    except Exception as exc:
        raise AssertionError(
            f"validate accepted the spec for --target {profile.value}, but rendering it raised "
            f"{type(exc).__name__}: {exc}\n--- spec ---\n{short(text)}"
        ) from exc
    assert files, "nothing rendered"
    return plan


@fuzz(4)
@given(data=specs_near_the_edges())
def test_a_spec_that_validates_renders_in_every_profile(data: dict[str, Any]) -> None:
    text = to_yaml(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_spec(Path(tmp), text)
        for profile in OutputProfile:
            result = pipeline.validate(str(path), profile)
            problems = diagnostic_problems(result.diagnostics, path, path.read_bytes())
            assert not problems, "\n".join(problems) + "\n" + explain(result.diagnostics)
            if result.spec is None:
                continue
            plan = _render(result.spec, profile, text)
            problems = label_problems(result.spec, plan)
            assert not problems, "\n".join(problems[:20]) + "\n--- spec ---\n" + short(text)
