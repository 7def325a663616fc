"""defaults.alertmanager_version decides which fields are emitted, or refuses with a positioned error."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from guardiangen import pipeline
from guardiangen.plan import alerting
from guardiangen.plan.alerting import UnsupportedVersionError
from guardiangen.plan.model import RulesPlan
from guardiangen.spec.models import ClusterSpec
from tests.alertmanager.helpers import amtool, load_data, render_to, spec_of, validate_data
from tests.conftest import REFERENCE_SPEC, plan_of


def _reference(version: str) -> dict[str, Any]:
    data = load_data(REFERENCE_SPEC)
    data["defaults"]["alertmanager_version"] = version
    return data


def _portable(version: str) -> dict[str, Any]:
    """The reference without what needs 0.25: PagerDuty keys and the SMTP password by file, a local time zone."""
    data = _reference(version)
    for r in data["alerting"]["receivers"]:
        if r.pop("pagerduty", None) is not None:
            r["webhook"] = {"url": f"http://pager.example.com/{r['name']}"}
    del data["alerting"]["smtp"]["auth_password_file"]
    for q in data["alerting"]["quiet_hours"]:
        q["location"] = "UTC"
    return data


def _messages(data: dict[str, Any], tmp_path: Path) -> list[str]:
    result = validate_data(data, tmp_path)
    assert result.spec is None
    assert all(d.code == "GG209" and d.line > 0 for d in result.diagnostics)
    return [d.message for d in result.diagnostics]


@pytest.mark.parametrize("version", ["0.23.0", "0.24"])
def test_reference_needs_0_25(version: str, tmp_path: Path) -> None:
    messages = _messages(_reference(version), tmp_path)
    assert len(messages) == 4, messages
    joined = "\n".join(messages)
    assert "`smtp.auth_password_file` needs Alertmanager 0.25 or newer" in joined
    assert 'receiver "platform-pager": PagerDuty `routing_key_file` needs Alertmanager 0.25' in joined
    assert 'receiver "health-ai-pager": PagerDuty `routing_key_file`' in joined
    assert 'quiet hours "weekend-nights": a `location` other than UTC needs Alertmanager 0.25' in joined
    assert f"defaults.alertmanager_version is {version}" in joined


def test_before_matchers_nothing_is_emitted(tmp_path: Path) -> None:
    (message,) = _messages(_reference("0.21.0"), tmp_path)
    assert "routing with `matchers` needs Alertmanager 0.22 or newer" in message


def _bypassing_validation(data: dict[str, Any], version: str, tmp_path: Path) -> ClusterSpec:
    """The spec of ``data`` with ``version`` set after validation, as a caller skipping it would have it."""
    spec = spec_of(data, tmp_path)
    return spec.model_copy(update={"defaults": spec.defaults.model_copy(update={"alertmanager_version": version})})


def test_plan_builder_refuses_what_validation_would_report(tmp_path: Path) -> None:
    old = _bypassing_validation(_reference("0.25.0"), "0.24.0", tmp_path)
    with pytest.raises(UnsupportedVersionError, match="routing_key_file"):
        plan_of(old)


def _with_url_file(version: str) -> dict[str, Any]:
    data = _reference(version)
    hook = next(r for r in data["alerting"]["receivers"] if r["name"] == "remediation-webhook")
    hook["webhook"] = {"url_file": "/etc/alertmanager/secrets/remediator-url"}
    return data


@pytest.mark.parametrize(
    ("data", "version"),
    [(_reference("0.25.0"), "0.24.0"), (_reference("0.25.0"), "0.21.0"), (_with_url_file("0.26.0"), "0.25.0")],
    ids=["0.24", "before-matchers", "webhook-url-file"],
)
def test_plan_builder_and_validation_name_the_same_settings(data: dict[str, Any], version: str, tmp_path: Path) -> None:
    """Two readings of the version gate (validation's findings, the plan builder's refusal) agree."""
    spec = _bypassing_validation(copy.deepcopy(data), version, tmp_path)
    invalid = copy.deepcopy(data)
    invalid["defaults"]["alertmanager_version"] = version
    # Validation's message is "<setting> needs Alertmanager X or newer, but ... is V; <advice>".
    reported = sorted(m.partition("; ")[0] for m in _messages(invalid, tmp_path))
    assert reported
    with pytest.raises(UnsupportedVersionError) as refused:
        alerting.build(spec, pipeline.catalog(spec), RulesPlan())
    assert sorted(str(refused.value).partition(" (validation")[0].split("; ")) == reported


# version -> (top-level intervals key, `location` emitted)
GATE = {
    "0.22.0": ("mute_time_intervals", False),
    "0.23.0": ("mute_time_intervals", False),
    "0.24.0": ("time_intervals", False),
    "0.25.0": ("time_intervals", True),
}


@pytest.mark.parametrize("version", sorted(GATE))
def test_fields_per_version_and_amtool_accepts(version: str, tmp_path: Path) -> None:
    key, with_location = GATE[version]
    spec = spec_of(_portable(version), tmp_path)
    config = render_to(spec, tmp_path / "out")
    cfg = load_data(config)
    other = {"mute_time_intervals", "time_intervals"} - {key}
    assert key in cfg and not other & set(cfg)
    (interval,) = cfg[key]
    assert ("location" in interval["time_intervals"][0]) is with_location
    # Routes name intervals the same way in every version.
    assert any(r.get("mute_time_intervals") == ["weekend-nights"] for r in cfg["route"]["routes"])
    assert "smtp_auth_password_file" not in cfg["global"]
    proc = amtool("check-config", str(config))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_webhook_url_file_needs_0_26(tmp_path: Path) -> None:
    data = _reference("0.25.0")
    hook = next(r for r in data["alerting"]["receivers"] if r["name"] == "remediation-webhook")
    hook["webhook"] = {"url_file": "/etc/alertmanager/secrets/remediator-url"}
    (message,) = _messages(copy.deepcopy(data), tmp_path)
    assert 'receiver "remediation-webhook": webhook `url_file` needs Alertmanager 0.26 or newer' in message
    assert "use `url`" in message

    data["defaults"]["alertmanager_version"] = "0.26.0"
    config = render_to(spec_of(data, tmp_path), tmp_path / "out")
    rendered = next(r for r in load_data(config)["receivers"] if r["name"] == "remediation-webhook")
    assert rendered["webhook_configs"][0]["url_file"] == "/etc/alertmanager/secrets/remediator-url"
    # The gate is real: the installed 0.25 does not know the field.
    proc = amtool("check-config", str(config))
    assert proc.returncode != 0 and "url_file" in proc.stdout + proc.stderr


def test_validate_cli_reports_position(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    text = REFERENCE_SPEC.read_text(encoding="utf-8").replace(
        'alertmanager_version: "0.25.0"', 'alertmanager_version: "0.24.0"'
    )
    spec = tmp_path / "cluster.yaml"
    spec.write_text(text, encoding="utf-8")
    proc = run_cli("validate", str(spec))
    assert proc.returncode == 1
    lines = text.splitlines()
    location_line = next(i for i, line in enumerate(lines, 1) if "location: Europe/Berlin" in line)
    assert f"cluster.yaml:{location_line}:" in proc.stdout and "error[GG209]" in proc.stdout
