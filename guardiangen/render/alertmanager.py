"""Alertmanager: `alertmanager.yml`, its notification templates, and the routing table.

Only modern syntax is emitted: `matchers` / `source_matchers` / `target_matchers` with every value
double-quoted and escaped (valid under both the classic and the 0.27+ UTF-8 matcher parser), secrets
only by `*_file`. This module only spells the alerting plan in Alertmanager's syntax: what to emit,
for which target version, was decided when the plan was built (:mod:`guardiangen.plan.alerting`).
"""

from __future__ import annotations

from typing import Any

from guardiangen.plan.model import (
    AlertingPlan,
    GlobalSettings,
    InhibitRule,
    Labels,
    Receiver,
    RouteTree,
    RoutingRow,
    TimeInterval,
)
from guardiangen.render.context import RenderContext, Target

DIR = "alertmanager"
CONFIG = f"{DIR}/alertmanager.yml"
ROUTING_TABLE = f"{DIR}/routing-table.yml"
TEMPLATES_SUBDIR = "templates"
# Relative globs in `templates:` are resolved against the config file's directory by Alertmanager.
TEMPLATE_GLOB = f"{TEMPLATES_SUBDIR}/*.tmpl"


def _t(name: str) -> str:
    """A notification field that calls one of the shipped named templates."""
    return '{{ template "guardiangen.' + name + '" . }}'


# ------------------------------------------------------------------------------------ escaping


def quote_matcher_value(value: str) -> str:
    """A double-quoted matcher value that both Alertmanager matcher parsers read back unchanged.

    The classic parser (<= 0.26, fallback in 0.27+) unescapes ``\\\\``, ``\\"`` and ``\\n``; the UTF-8
    parser (0.27+) uses Go's strconv.Unquote, which shares those three escapes and rejects a raw
    line feed. Every other character, including tabs and non-ASCII text, is kept literally, because
    the classic parser would keep a backslash in front of anything else (``\\t`` stays two characters).
    """
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def matcher(name: str, value: str) -> str:
    """One equality matcher, ``name="value"``; label names are pattern-restricted by the spec."""
    return f"{name}={quote_matcher_value(value)}"


def matchers(labels: Labels) -> list[str]:
    return [matcher(name, value) for name, value in labels]


# -------------------------------------------------------------------------------------- config


def config_dict(alerting: AlertingPlan) -> dict[str, Any]:
    """The whole `alertmanager.yml` as plain data, in a fixed key order."""
    out: dict[str, Any] = {
        "global": _global(alerting.global_settings),
        "templates": [TEMPLATE_GLOB],
        "route": _route(alerting.route),
        "inhibit_rules": [_inhibit(r) for r in alerting.inhibit_rules],
        "receivers": [_receiver(r) for r in alerting.receivers],
    }
    if alerting.time_intervals:
        out[alerting.time_intervals_key] = [_time_interval(t) for t in alerting.time_intervals]
    return out


def _global(settings: GlobalSettings) -> dict[str, Any]:
    out: dict[str, Any] = {"resolve_timeout": settings.resolve_timeout}
    smtp = settings.smtp
    if smtp is not None:
        out["smtp_smarthost"] = smtp.smarthost
        out["smtp_from"] = smtp.sender
        if smtp.auth_username:
            out["smtp_auth_username"] = smtp.auth_username
        if smtp.auth_password_file:
            out["smtp_auth_password_file"] = smtp.auth_password_file
        out["smtp_require_tls"] = smtp.require_tls
    return out


def _route(tree: RouteTree) -> dict[str, Any]:
    # The root route carries no matchers: Alertmanager >= 0.24 refuses them, and it must catch everything.
    out: dict[str, Any] = {
        "receiver": tree.receiver,
        "group_by": list(tree.group_by),
        "group_wait": tree.group_wait,
        "group_interval": tree.group_interval,
        "repeat_interval": tree.repeat_interval,
    }
    children = []
    for child in tree.routes:
        c: dict[str, Any] = {"receiver": child.receiver, "matchers": matchers(child.matchers)}
        if child.continue_:
            c["continue"] = True
        if child.group_by is not None:
            c["group_by"] = list(child.group_by)
        if child.repeat_interval is not None:
            c["repeat_interval"] = child.repeat_interval
        if child.mute_time_intervals:
            c["mute_time_intervals"] = list(child.mute_time_intervals)
        children.append(c)
    if children:
        out["routes"] = children
    return out


def _inhibit(rule: InhibitRule) -> dict[str, Any]:
    return {
        "source_matchers": matchers(rule.source),
        "target_matchers": matchers(rule.target),
        "equal": list(rule.equal),
    }


def _receiver(r: Receiver) -> dict[str, Any]:
    out: dict[str, Any] = {"name": r.name}
    if r.email:
        out["email_configs"] = [
            {
                "send_resolved": r.email.send_resolved,
                # One message to all recipients: Alertmanager parses `to` as an address list.
                "to": ", ".join(r.email.to),
                "headers": {"Subject": _t("email.subject")},
                "html": _t("email.html"),
                "text": _t("email.text"),
            }
        ]
    if r.pagerduty:
        out["pagerduty_configs"] = [
            {
                "send_resolved": r.pagerduty.send_resolved,
                "routing_key_file": r.pagerduty.routing_key_file,
                "description": _t("pagerduty.description"),
                "severity": _t("pagerduty.severity"),
                "details": {"links": _t("pagerduty.links")},
            }
        ]
    if r.slack:
        out["slack_configs"] = [
            {
                "send_resolved": r.slack.send_resolved,
                "api_url_file": r.slack.api_url_file,
                "channel": r.slack.channel,
                "color": _t("slack.color"),
                "title": _t("slack.title"),
                "text": _t("slack.text"),
            }
        ]
    if r.webhook:
        hook: dict[str, Any] = {"send_resolved": r.webhook.send_resolved}
        if r.webhook.url is not None:
            hook["url"] = r.webhook.url
        else:
            hook["url_file"] = r.webhook.url_file
        if r.webhook.bearer_token_file:
            hook["http_config"] = {"authorization": {"type": "Bearer", "credentials_file": r.webhook.bearer_token_file}}
        out["webhook_configs"] = [hook]
    return out


def _quoted(text: str) -> str:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    quoted: str = DoubleQuotedScalarString(text)
    return quoted


def _time_interval(t: TimeInterval) -> dict[str, Any]:
    interval: dict[str, Any] = {}
    if t.weekdays:
        interval["weekdays"] = list(t.weekdays)
    if t.times:
        # Quoted: a YAML 1.1 reader (PyYAML, older tooling) reads a plain 22:00 as the integer 1320.
        interval["times"] = [{"start_time": _quoted(r.start), "end_time": _quoted(r.end)} for r in t.times]
    if t.location is not None:
        interval["location"] = t.location
    return {"name": t.name, "time_intervals": [interval]}


# ------------------------------------------------------------------------------ routing table


def table_dict(rows: tuple[RoutingRow, ...]) -> dict[str, Any]:
    return {
        "rows": [
            {"labels": dict(row.labels), "receivers": list(row.receivers), "sources": list(row.sources)} for row in rows
        ]
    }


# -------------------------------------------------------------------------------------- target


def render(ctx: RenderContext) -> dict[str, str]:
    from guardiangen.render.yamlout import dump

    files = {
        CONFIG: dump(config_dict(ctx.plan.alerting)),
        ROUTING_TABLE: dump(table_dict(ctx.plan.alerting.routing_table)),
    }
    source = ctx.templates / DIR
    shipped = sorted(source.glob("*.tmpl")) if source.is_dir() else []
    if not shipped:
        raise FileNotFoundError(f"no Alertmanager notification templates (*.tmpl) in {source}")
    for path in shipped:
        # Go templates are copied verbatim: they read alert data at notification time, never spec values.
        files[f"{DIR}/{TEMPLATES_SUBDIR}/{path.name}"] = path.read_text(encoding="utf-8")
    return files


TARGET = Target("alertmanager", "Alertmanager config, notification templates and routing table", render)
