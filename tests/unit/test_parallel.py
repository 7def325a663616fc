"""Forked rendering gives the sequential render's files, and falls back to it when the child fails."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from guardiangen import parallel, pipeline
from guardiangen.render import grafana
from guardiangen.spec.models import ClusterSpec
from tests.conftest import REFERENCE_SPEC, render_files


@pytest.fixture(scope="module")
def spec() -> ClusterSpec:
    result = pipeline.validate(str(REFERENCE_SPEC))
    assert result.spec is not None
    return result.spec


def _render(spec: ClusterSpec) -> dict[str, bytes]:
    return render_files(spec)


def test_the_machine_running_the_suite_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Otherwise the tests below would compare the sequential render with itself."""
    monkeypatch.delenv("GUARDIANGEN_JOBS", raising=False)
    assert parallel.enabled()
    monkeypatch.setenv("GUARDIANGEN_JOBS", "1")
    assert not parallel.enabled()


def test_forked_and_sequential_renders_are_the_same_bytes(spec: ClusterSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUARDIANGEN_JOBS", raising=False)
    forked = _render(spec)
    monkeypatch.setenv("GUARDIANGEN_JOBS", "1")
    assert forked == _render(spec)


def test_a_child_that_dies_is_replaced_by_rendering_in_process(
    spec: ClusterSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUARDIANGEN_JOBS", "1")
    expected = _render(spec)
    monkeypatch.delenv("GUARDIANGEN_JOBS")
    parent, real = os.getpid(), grafana.render
    calls: list[int] = []

    def dies_in_child(ctx: object) -> dict[str, str]:
        if os.getpid() != parent:
            os._exit(3)
        calls.append(1)
        return real(ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(grafana, "TARGET", replace(grafana.TARGET, render=dies_in_child))
    assert _render(spec) == expected
    assert calls == [1]  # rendered again here, once


def test_an_error_in_the_child_is_raised_as_the_sequential_render_raises_it(
    spec: ClusterSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GUARDIANGEN_JOBS", raising=False)

    def fails(ctx: object) -> dict[str, str]:
        raise ValueError("dashboard trouble")

    monkeypatch.setattr(grafana, "TARGET", replace(grafana.TARGET, render=fails))
    with pytest.raises(ValueError, match="dashboard trouble"):
        _render(spec)


def test_a_normal_render_uses_its_children(spec: ClusterSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SLO plan and the dashboards come back from their children: nothing was recomputed here."""
    monkeypatch.delenv("GUARDIANGEN_JOBS", raising=False)
    monkeypatch.setattr(parallel, "FALLBACKS", [])
    _render(spec)
    assert parallel.FALLBACKS == []


def test_a_failed_child_is_recorded(spec: ClusterSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUARDIANGEN_JOBS", raising=False)
    monkeypatch.setattr(parallel, "FALLBACKS", [])
    parent = os.getpid()
    assert parallel.call(lambda: os._exit(2) if os.getpid() != parent else 7).result() == 7
    assert len(parallel.FALLBACKS) == 1
