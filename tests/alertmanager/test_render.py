"""Shape of the rendered reference `alertmanager.yml`, checked by the real amtool."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from guardiangen.plan.routing import expected_receivers
from guardiangen.render.yamlout import dump
from guardiangen.spec.models import ClusterSpec
from tests.alertmanager.helpers import amtool, load_data
from tests.conftest import plan_of, render_context


def _config(path: Path) -> dict[str, Any]:
    return load_data(path)


def test_amtool_check_config_accepts_reference(reference_config: Path) -> None:
    proc = amtool("check-config", str(reference_config))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout
    assert "6 receivers" in proc.stdout and "2 inhibit rules" in proc.stdout


def test_no_deprecated_matching_syntax(reference_config: Path) -> None:
    text = reference_config.read_text(encoding="utf-8")
    for key in ("match", "match_re", "source_match", "source_match_re", "target_match", "target_match_re"):
        assert not re.search(rf"^\s*-?\s*{key}:", text, re.MULTILINE), f"deprecated `{key}:` emitted"


def test_every_matcher_value_is_double_quoted(reference_config: Path) -> None:
    cfg = _config(reference_config)
    found = [m for r in cfg["route"]["routes"] for m in r["matchers"]]
    found += [m for rule in cfg["inhibit_rules"] for m in rule["source_matchers"] + rule["target_matchers"]]
    assert found
    for m in found:
        assert re.fullmatch(r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"', m), m


def test_root_route_has_no_matchers_and_the_defaults(reference_config: Path, reference_spec: ClusterSpec) -> None:
    root = _config(reference_config)["route"]
    al = reference_spec.alerting
    assert not {"matchers", "match", "match_re", "continue"} & set(root)
    assert root["receiver"] == al.default_receiver
    assert root["group_by"] == list(al.group_by)
    assert (root["group_wait"], root["group_interval"], root["repeat_interval"]) == ("30s", "5m", "4h")


def test_multi_receiver_route_becomes_continuing_siblings(reference_config: Path) -> None:
    routes = _config(reference_config)["route"]["routes"]
    critical = [r for r in routes if r["matchers"] == ['severity="critical"']]
    assert [r["receiver"] for r in critical] == ["platform-pager", "oncall-email"]
    assert [r.get("continue", False) for r in critical] == [True, False]
    warning = [r for r in routes if r["matchers"] == ['severity="warning"']]
    assert [r["receiver"] for r in warning] == ["warnings-slack", "remediation-webhook"]
    assert all(r["mute_time_intervals"] == ["weekend-nights"] for r in warning)


def test_continue_matching_is_kept_on_the_last_sibling(reference_spec: ClusterSpec) -> None:
    from guardiangen.render.alertmanager import config_dict

    routes = [r.model_copy(update={"continue_matching": True}) for r in reference_spec.alerting.routes]
    spec = reference_spec.model_copy(update={"alerting": reference_spec.alerting.model_copy(update={"routes": routes})})
    children = config_dict(plan_of(spec).alerting)["route"]["routes"]
    assert all(c.get("continue") is True for c in children)
    # With every route continuing, a critical health-ai alert reaches every critical receiver.
    labels = {"severity": "critical", "team": "health-ai"}
    assert expected_receivers(spec.alerting, labels) == ("health-ai-pager", "platform-pager", "oncall-email")


def test_inhibit_rules(reference_config: Path) -> None:
    crit, burn = _config(reference_config)["inhibit_rules"]
    assert crit["source_matchers"] == ['severity="critical"']
    assert crit["target_matchers"] == ['severity="warning"']
    # alertname + specialist as the spec says, the cluster's alert_labels, and identity labels.
    assert crit["equal"][:5] == ["alertname", "cluster", "environment", "specialist", "guardian"]
    assert {"slo", "instance", "Hostname", "UUID"} <= set(crit["equal"])
    assert burn == {
        "source_matchers": ['burn_tier="page"'],
        "target_matchers": ['burn_tier="ticket"'],
        "equal": ["slo", "cluster", "environment"],
    }


def test_inhibition_can_be_switched_off(reference_spec: ClusterSpec) -> None:
    from guardiangen.render.alertmanager import config_dict
    from guardiangen.spec.models import Inhibition

    off = Inhibition(critical_suppresses_warning=False, faster_burn_suppresses_slower=False)
    spec = reference_spec.model_copy(
        update={"alerting": reference_spec.alerting.model_copy(update={"inhibition": off})}
    )
    assert config_dict(plan_of(spec).alerting)["inhibit_rules"] == []


def test_secrets_only_by_file(reference_config: Path) -> None:
    cfg = _config(reference_config)
    assert cfg["global"]["smtp_auth_password_file"] == "/etc/alertmanager/secrets/smtp-password"
    assert cfg["global"]["smtp_require_tls"] is True
    text = reference_config.read_text(encoding="utf-8")
    for inline in ("api_url:", "routing_key:", "service_key:", "auth_password:", "smtp_auth_password:"):
        assert inline not in text
    by_name = {r["name"]: r for r in cfg["receivers"]}
    assert by_name["alerts-slack"]["slack_configs"][0]["api_url_file"] == "/etc/alertmanager/secrets/slack-alerts"
    pd = by_name["health-ai-pager"]["pagerduty_configs"][0]
    assert pd["routing_key_file"] == "/etc/alertmanager/secrets/pagerduty-health-ai"


def test_receivers_use_the_shipped_templates(reference_config: Path) -> None:
    cfg = _config(reference_config)
    assert cfg["templates"] == ["templates/*.tmpl"]
    shipped = sorted(p.name for p in (reference_config.parent / "templates").glob("*.tmpl"))
    assert shipped == ["common.tmpl", "email.tmpl", "pagerduty.tmpl", "slack.tmpl"]
    by_name = {r["name"]: r for r in cfg["receivers"]}
    email = by_name["oncall-email"]["email_configs"][0]
    assert email["headers"] == {"Subject": '{{ template "guardiangen.email.subject" . }}'}
    assert email["to"] == "oncall@llm-guardian.example.com"
    slack = by_name["warnings-slack"]["slack_configs"][0]
    assert slack["channel"] == "#llm-guardian-warnings"
    assert slack["text"] == '{{ template "guardiangen.slack.text" . }}'


def test_quiet_hours_become_time_intervals(reference_config: Path) -> None:
    (interval,) = _config(reference_config)["time_intervals"]
    assert interval == {
        "name": "weekend-nights",
        "time_intervals": [
            {
                # The spec's saturday:sunday runs over Alertmanager's week start (Sunday): split.
                "weekdays": ["saturday", "sunday"],
                "times": [
                    {"start_time": "00:00", "end_time": "08:00"},
                    {"start_time": "22:00", "end_time": "24:00"},
                ],
                "location": "Europe/Berlin",
            }
        ],
    }
    assert "start_time: '22:00'" in reference_config.read_text(encoding="utf-8")


def test_weekday_ranges() -> None:
    from guardiangen.plan.alerting import weekday_ranges

    assert weekday_ranges("monday:friday") == ["monday:friday"]
    assert weekday_ranges("saturday:sunday") == ["saturday", "sunday"]
    assert weekday_ranges("friday:monday") == ["friday:saturday", "sunday:monday"]
    assert weekday_ranges("sunday") == ["sunday"]
    assert weekday_ranges("sunday:saturday") == ["sunday:saturday"]


def test_webhook_bearer_token_and_url_file(reference_spec: ClusterSpec) -> None:
    from guardiangen.render.alertmanager import config_dict
    from guardiangen.spec.models import Defaults, Receiver, WebhookReceiver

    hook = WebhookReceiver(url_file="/run/secrets/hook-url", bearer_token_file="/run/secrets/hook-token")
    receivers = [*reference_spec.alerting.receivers, Receiver(name="secret-hook", webhook=hook)]
    spec = reference_spec.model_copy(
        update={
            "alerting": reference_spec.alerting.model_copy(update={"receivers": receivers}),
            "defaults": Defaults.model_validate(
                {**reference_spec.defaults.model_dump(), "alertmanager_version": "0.26.0"}
            ),
        }
    )
    (rendered,) = [r for r in config_dict(plan_of(spec).alerting)["receivers"] if r["name"] == "secret-hook"]
    assert rendered["webhook_configs"] == [
        {
            "send_resolved": True,
            "url_file": "/run/secrets/hook-url",
            "http_config": {"authorization": {"type": "Bearer", "credentials_file": "/run/secrets/hook-token"}},
        }
    ]


def test_render_is_deterministic(reference_spec: ClusterSpec) -> None:
    from guardiangen.render.alertmanager import config_dict

    assert dump(config_dict(plan_of(reference_spec).alerting)) == dump(config_dict(plan_of(reference_spec).alerting))


def test_renders_from_the_plan_alone(reference_spec: ClusterSpec, reference_config: Path) -> None:
    """No spec in the render context: the target reads only the plan (ctx.spec would fail)."""
    from ruamel.yaml import YAML

    from guardiangen.render import alertmanager

    files = alertmanager.render(render_context(plan_of(reference_spec)))
    for relpath, path in (
        (alertmanager.CONFIG, reference_config),
        (alertmanager.ROUTING_TABLE, reference_config.parent / "routing-table.yml"),
    ):
        assert YAML(typ="safe", pure=True).load(files[relpath]) == load_data(path)
