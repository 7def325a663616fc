"""`render --target` and `check --target` on the reference spec, through the real CLI."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from guardiangen.render.profiles.kubernetes import object_name
from guardiangen.spec.models import OutputProfile
from tests.conftest import REFERENCE_SPEC, run_cli
from tests.profiles.conftest import PROFILES, yaml_documents


def rendered(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*")) if p.is_file()}


def expected_envelope(profile: OutputProfile, files: dict[str, str]) -> list[str]:
    """The envelope files a profile must add, derived from the plain files of the same render."""
    rules = [PurePosixPath(p).stem for p in files if p.startswith("prometheus/rules/")]
    dashboards = [PurePosixPath(p).stem for p in files if PurePosixPath(p).parent.as_posix() == "grafana/dashboards"]
    if profile is OutputProfile.THANOS:
        return sorted(f"thanos/rules/{r}.yml" for r in rules)
    if profile is OutputProfile.MIMIR:
        return ["mimir/llm-guardian-prod.yml"]
    if profile is OutputProfile.KUBERNETES:
        return sorted(
            ["kubernetes/kustomization.yaml", "kubernetes/alertmanager/secret.yaml"]
            + [f"kubernetes/prometheusrules/{object_name('llm-guardian-prod', r)}.yaml" for r in rules]
            + [f"kubernetes/dashboards/{object_name('llm-guardian-prod', 'dashboard', d)}.yaml" for d in dashboards]
        )
    return []


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.value)
def test_reference_spec_renders_and_checks_in_every_profile(profile: OutputProfile, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("render", str(REFERENCE_SPEC), "--out", str(out), "--target", profile.value)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = rendered(out)
    envelope = sorted(p for p in files if p.split("/")[0] in {q.value for q in OutputProfile})
    assert envelope == expected_envelope(profile, files)
    for relpath, text in files.items():
        if relpath.endswith((".yml", ".yaml")):
            yaml_documents(text)  # every document parses
    # check agrees with render for the same target ...
    proc = run_cli("check", str(REFERENCE_SPEC), "--out", str(out), "--target", profile.value)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # ... and notices when the tree was rendered for another one (unless both add nothing, e.g. no rules yet).
    other = OutputProfile.KUBERNETES if profile is OutputProfile.PLAIN else OutputProfile.PLAIN
    proc = run_cli("check", str(REFERENCE_SPEC), "--out", str(out), "--target", other.value)
    if not envelope:
        assert proc.returncode == (0 if other is OutputProfile.PLAIN else 1)
        return
    assert proc.returncode == 1
    code = "GG502" if other is not OutputProfile.PLAIN else "GG503"
    assert code in proc.stdout


def test_check_names_the_target_to_render_with(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("render", str(REFERENCE_SPEC), "--out", str(out)).returncode == 0
    proc = run_cli("check", str(REFERENCE_SPEC), "--out", str(out), "--target", "mimir")
    assert proc.returncode == 1 and "GG502" in proc.stdout and "--target mimir" in proc.stdout


def test_switching_profiles_prunes_the_old_envelope(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("render", str(REFERENCE_SPEC), "--out", str(out), "--target", "kubernetes").returncode == 0
    assert (out / "kubernetes").is_dir()
    assert run_cli("render", str(REFERENCE_SPEC), "--out", str(out), "--target", "mimir").returncode == 0
    assert not any((out / "kubernetes").rglob("*.yaml")) and (out / "mimir").is_dir()


def test_without_target_the_spec_profile_applies(tmp_path: Path) -> None:
    spec = tmp_path / "cluster.yaml"
    spec.write_text(
        REFERENCE_SPEC.read_text(encoding="utf-8") + "\noutput:\n  profile: mimir\n  cluster_label: cluster\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    proc = run_cli("render", str(spec), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "mimir" / "llm-guardian-prod.yml").is_file()
    assert run_cli("check", str(spec), "--out", str(out)).returncode == 0


def test_unknown_target_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("render", str(REFERENCE_SPEC), "--out", str(tmp_path / "o"), "--target", "helm")
    assert proc.returncode == 2
