"""The alerting plan from the spec's ``alerting:``, its catalog and the planned alerts.

Routing (the route tree, inhibition, the routing table) is :mod:`guardiangen.plan.routing`; this
module adds the global section, the receivers and the quiet hours, and settles what the target
Alertmanager version (``defaults.alertmanager_version``) accepts.

Validation (:mod:`guardiangen.spec.version_checks`) is the one gate for versions: it reports, with
a position, every setting the version cannot express. Reaching such a setting here means a spec
that skipped validation, a bug; :class:`UnsupportedVersionError` says so instead of writing a
configuration the target Alertmanager refuses.
"""

from __future__ import annotations

from guardiangen.catalog import Catalog
from guardiangen.plan.model import (
    AlertingPlan,
    EmailConfig,
    GlobalSettings,
    PagerDutyConfig,
    Receiver,
    RulesPlan,
    SlackConfig,
    SmtpSettings,
    TimeInterval,
    TimeRange,
    WebhookConfig,
)
from guardiangen.plan.routing import identity_labels, inhibit_rules, route_tree, routing_table
from guardiangen.spec import models as spec_models
from guardiangen.spec.versions import ALERTMANAGER_FEATURES, alertmanager_supports


class UnsupportedVersionError(ValueError):
    """The spec needs Alertmanager features newer than the target version; validation reports these."""


def build(spec: spec_models.ClusterSpec, catalog: Catalog, rules: RulesPlan) -> AlertingPlan:
    """Everything `alertmanager.yml` and the routing table need; raises :class:`UnsupportedVersionError`."""
    gate = _Gate(spec.defaults.alertmanager_version)
    # Every route and inhibition is written with `matchers`; the deprecated `match:` is never emitted.
    gate.require("matchers", "routing with `matchers`")
    gate.check()
    al = spec.alerting
    plan = AlertingPlan(
        global_settings=GlobalSettings(resolve_timeout=str(al.resolve_timeout), smtp=_smtp(al.smtp, gate)),
        route=route_tree(al),
        inhibit_rules=inhibit_rules(spec, identity_labels(catalog.gpu)),
        receivers=tuple(_receiver(r, gate) for r in al.receivers),
        # Top-level `time_intervals` replaced `mute_time_intervals` in 0.24.
        time_intervals_key="time_intervals" if gate.supports("time_intervals") else "mute_time_intervals",
        time_intervals=tuple(_time_interval(q, gate) for q in al.quiet_hours),
        routing_table=routing_table(spec, rules),
    )
    gate.check()
    return plan


class _Gate:
    """The target version's features; collects what the spec needs beyond them."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.problems: list[str] = []

    def supports(self, feature: str) -> bool:
        return alertmanager_supports(self.version, feature)

    def require(self, feature: str, what: str) -> None:
        # Worded like validation's finding up to its advice; a test holds the two together.
        if not self.supports(feature):
            major, minor = ALERTMANAGER_FEATURES[feature]
            self.problems.append(
                f"{what} needs Alertmanager {major}.{minor} or newer, but defaults.alertmanager_version is "
                f"{self.version}"
            )

    def check(self) -> None:
        if self.problems:
            raise UnsupportedVersionError(
                "; ".join(self.problems) + " (validation reports this: reaching the plan with it is a bug)"
            )


def _smtp(smtp: spec_models.Smtp | None, gate: _Gate) -> SmtpSettings | None:
    if smtp is None:
        return None
    if smtp.auth_password_file is not None:
        gate.require("smtp_auth_password_file", "`smtp.auth_password_file`")
    return SmtpSettings(
        smarthost=smtp.smarthost,
        sender=smtp.sender,
        auth_username=smtp.auth_username,
        auth_password_file=smtp.auth_password_file,
        require_tls=smtp.require_tls,
    )


def _receiver(r: spec_models.Receiver, gate: _Gate) -> Receiver:
    # Slack's `api_url_file` (0.22) needs nothing beyond `matchers`, required for every spec.
    if r.pagerduty is not None:
        gate.require("pagerduty_routing_key_file", f'receiver "{r.name}": PagerDuty `routing_key_file`')
    if r.webhook is not None and r.webhook.url_file is not None:
        gate.require("webhook_url_file", f'receiver "{r.name}": webhook `url_file`')
    email, pagerduty, slack, webhook = r.email, r.pagerduty, r.slack, r.webhook
    return Receiver(
        name=r.name,
        email=None if email is None else EmailConfig(to=tuple(email.to), send_resolved=email.send_resolved),
        pagerduty=None
        if pagerduty is None
        else PagerDutyConfig(routing_key_file=pagerduty.routing_key_file, send_resolved=pagerduty.send_resolved),
        slack=None
        if slack is None
        else SlackConfig(api_url_file=slack.api_url_file, channel=slack.channel, send_resolved=slack.send_resolved),
        webhook=None
        if webhook is None
        else WebhookConfig(
            url=webhook.url,
            url_file=webhook.url_file,
            bearer_token_file=webhook.bearer_token_file,
            send_resolved=webhook.send_resolved,
        ),
    )


def _time_interval(q: spec_models.QuietHours, gate: _Gate) -> TimeInterval:
    with_location = gate.supports("time_interval_location")
    if q.location != "UTC":
        # Without `location` times are UTC; silently shifting a local schedule would be wrong twice a year.
        gate.require("time_interval_location", f'quiet hours "{q.name}": a `location` other than UTC')
    return TimeInterval(
        name=q.name,
        weekdays=tuple(r for text in q.weekdays for r in weekday_ranges(text)),
        times=tuple(TimeRange(start=t.start, end=t.end) for t in q.times),
        location=q.location if with_location else None,
    )


# Alertmanager's week starts on Sunday and a range must not run backwards in that order.
_WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")


def weekday_ranges(text: str) -> list[str]:
    """Alertmanager weekday ranges for a spec entry; a range over the week end is split there.

    The spec reads `saturday:sunday` forward through the week (the weekend); Alertmanager rejects it
    ("start day cannot be before end day"), so it becomes `saturday` and `sunday`.
    """
    start, _, end = text.partition(":")
    end = end or start
    s, e = _WEEKDAYS.index(start), _WEEKDAYS.index(end)

    def span(a: int, b: int) -> str:
        return _WEEKDAYS[a] if a == b else f"{_WEEKDAYS[a]}:{_WEEKDAYS[b]}"

    return [span(s, e)] if s <= e else [span(s, 6), span(0, e)]
