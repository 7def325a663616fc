"""Fixtures of the Alertmanager tests: the reference spec rendered once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardiangen.spec.models import ClusterSpec
from tests.alertmanager.helpers import render_to
from tests.conftest import REFERENCE_SPEC, valid_spec


@pytest.fixture(scope="module")
def reference_spec() -> ClusterSpec:
    return valid_spec(REFERENCE_SPEC)


@pytest.fixture(scope="module")
def reference_config(reference_spec: ClusterSpec, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rendered reference `alertmanager.yml` (templates beside it, as in out/)."""
    return render_to(reference_spec, tmp_path_factory.mktemp("reference-out"))
