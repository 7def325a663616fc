"""Rule content is identical in every profile: only the envelope differs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from guardiangen.plan.model import RuleGroup, RulesPlan
from guardiangen.render.profiles import mimir
from guardiangen.spec.models import OutputProfile
from tests.profiles.conftest import ENVELOPES, make_spec, render, yaml_documents


def plain_groups(plain: dict[str, str]) -> dict[str, list[Any]]:
    """Rule groups per rules file, from the plain prometheus/rules/*.yml."""
    prefix, suffix = "prometheus/rules/", ".yml"
    return {
        p[len(prefix) : -len(suffix)]: yaml_documents(t)[0]["groups"]
        for p, t in sorted(plain.items())
        if p.startswith(prefix)
    }


def envelope_groups(profile: OutputProfile, files: dict[str, str]) -> dict[str, list[Any]]:
    """The same shape recovered from a profile's files, with the envelope normalized away."""
    out: dict[str, list[Any]] = {}
    for path, text in sorted(files.items()):
        for doc in yaml_documents(text):
            if profile is OutputProfile.KUBERNETES and doc.get("kind") == "PrometheusRule":
                file = doc["metadata"]["name"].removeprefix("llm-guardian-prod-")
                out[file] = doc["spec"]["groups"]
            elif profile is OutputProfile.THANOS:
                file = Path(path).stem
                out[file] = [{k: v for k, v in g.items() if k != "partial_response_strategy"} for g in doc["groups"]]
            elif profile is OutputProfile.MIMIR:
                out["*"] = doc["groups"]  # one namespace: every file's groups, in file order
    return out


@pytest.mark.parametrize("profile", ENVELOPES, ids=lambda p: p.value)
def test_rule_groups_are_identical_across_profiles(profile: OutputProfile, rules: RulesPlan) -> None:
    spec = make_spec({"cluster_label": "cluster"})
    plain, files = render(spec, profile, rules)
    expected = plain_groups(plain)
    assert expected and all(expected.values())
    got = envelope_groups(profile, files)
    if profile is OutputProfile.MIMIR:
        expected = {"*": [g for groups in expected.values() for g in groups]}
    assert got == expected


@pytest.mark.parametrize("profile", ENVELOPES, ids=lambda p: p.value)
def test_plain_files_are_the_same_whatever_the_profile(profile: OutputProfile, rules: RulesPlan) -> None:
    plain_only, nothing = render(make_spec(), OutputProfile.PLAIN, rules)
    assert nothing == {}
    plain, files = render(make_spec(), profile, rules)
    assert plain == plain_only
    assert files and all(p.startswith(f"{profile.value}/") for p in files)


def test_thanos_groups_carry_the_partial_response_strategy(rules: RulesPlan) -> None:
    for strategy in ("abort", "warn"):
        _, files = render(make_spec({"thanos": {"partial_response_strategy": strategy}}), OutputProfile.THANOS, rules)
        assert sorted(files) == ["thanos/rules/slo.yml", "thanos/rules/specialists.yml"]
        for text in files.values():
            for group in yaml_documents(text)[0]["groups"]:
                assert group["partial_response_strategy"] == strategy
                assert list(group)[-1] == "rules"  # group settings first, rules last, as in the plain files


def test_mimir_file_names_one_namespace(rules: RulesPlan) -> None:
    _, files = render(make_spec(), OutputProfile.MIMIR, rules)
    (path,) = files
    assert path == "mimir/llm-guardian-prod.yml"
    (doc,) = yaml_documents(files[path])
    assert list(doc) == ["namespace", "groups"] and doc["namespace"] == "llm-guardian-prod"
    _, files = render(make_spec({"mimir": {"namespace": "guardians.eu-1"}}), OutputProfile.MIMIR, rules)
    assert yaml_documents(files["mimir/guardians.eu-1.yml"])[0]["namespace"] == "guardians.eu-1"


def test_mimir_refuses_group_names_repeated_across_rules_files(rules: RulesPlan) -> None:
    first = rules.groups[0]
    clash = RuleGroup(first.name, first.rules, file="other")
    twice = RulesPlan(groups=(*rules.groups, clash))
    with pytest.raises(ValueError, match="one Mimir namespace needs unique group names"):
        render(make_spec(), OutputProfile.MIMIR, twice)
    assert mimir.DIR == "mimir"


@pytest.mark.parametrize("profile", ENVELOPES, ids=lambda p: p.value)
def test_unwrapped_rules_pass_promtool(profile: OutputProfile, rules: RulesPlan, tmp_path: Path) -> None:
    """With the envelope taken off (namespace, CRD wrapper, Thanos field), promtool accepts every rule file."""
    from guardiangen.render.yamlout import dump

    _, files = render(make_spec({"cluster_label": "cluster"}), profile, rules)
    for i, groups in enumerate(envelope_groups(profile, files).values()):
        path = tmp_path / f"{i}.yml"
        path.write_text(dump({"groups": groups}), encoding="utf-8")
        proc = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
