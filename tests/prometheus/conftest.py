"""Fixtures of the Prometheus rules tests: the reference spec, its plan and its rendered tree."""

from __future__ import annotations

import pytest

from guardiangen.plan.model import Plan
from guardiangen.spec.models import ClusterSpec
from tests.conftest import REFERENCE_SPEC, valid_spec
from tests.prometheus.helpers import Rendered, plan_of, render


@pytest.fixture(scope="session")
def reference_spec() -> ClusterSpec:
    return valid_spec(REFERENCE_SPEC)


@pytest.fixture(scope="session")
def reference_plan(reference_spec: ClusterSpec) -> Plan:
    return plan_of(reference_spec)


@pytest.fixture(scope="session")
def reference_tree(reference_spec: ClusterSpec, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The reference spec rendered into a temporary directory (as ``guardiangen render`` would)."""
    return render(reference_spec, tmp_path_factory.mktemp("reference") / "out")
