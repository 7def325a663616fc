"""Alertmanager routing, receivers, inhibition and quiet hours, as the Alertmanager target needs them.

Everything is decided here: the route tree is expanded, the inhibition rules carry their full
`equal` lists, and what the target version (``defaults.alertmanager_version``) accepts is settled
(the time intervals' key, whether `location` is written). The renderer only spells it in
Alertmanager's syntax (matcher quoting, YAML shapes, notification template calls).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from guardiangen.plan.model.rules import Labels

# ------------------------------------------------------------------------------------ global


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server every email receiver sends through; secrets only by file."""

    smarthost: str  # host:port
    sender: str
    auth_username: str | None
    auth_password_file: str | None
    require_tls: bool


@dataclass(frozen=True)
class GlobalSettings:
    resolve_timeout: str  # Prometheus duration text, e.g. "5m"
    smtp: SmtpSettings | None


# ------------------------------------------------------------------------------------ routes


@dataclass(frozen=True)
class ChildRoute:
    """One route under the root: equality matchers and exactly one receiver."""

    matchers: Labels
    receiver: str
    continue_: bool
    mute_time_intervals: tuple[str, ...] = ()
    group_by: tuple[str, ...] | None = None
    repeat_interval: str | None = None


@dataclass(frozen=True)
class RouteTree:
    """The root route (no matchers) and its children, in evaluation order."""

    receiver: str
    group_by: tuple[str, ...]
    group_wait: str
    group_interval: str
    repeat_interval: str
    routes: tuple[ChildRoute, ...]


@dataclass(frozen=True)
class InhibitRule:
    """While an alert matching ``source`` fires, alerts matching ``target`` with equal ``equal`` labels are muted."""

    source: Labels
    target: Labels
    equal: tuple[str, ...]


@dataclass(frozen=True)
class RoutingRow:
    """A label set and the receivers, in order, that Alertmanager must deliver it to."""

    labels: Labels
    receivers: tuple[str, ...]
    sources: tuple[str, ...]  # why the row exists: "alert X", "route 2", "specialist code" ...


# --------------------------------------------------------------------------------- receivers


@dataclass(frozen=True)
class EmailConfig:
    to: tuple[str, ...]  # one message to all of them
    send_resolved: bool


@dataclass(frozen=True)
class PagerDutyConfig:
    routing_key_file: str
    send_resolved: bool


@dataclass(frozen=True)
class SlackConfig:
    api_url_file: str
    channel: str
    send_resolved: bool


@dataclass(frozen=True)
class WebhookConfig:
    """Exactly one of ``url`` and ``url_file`` is set (the spec checks it)."""

    url: str | None
    url_file: str | None
    bearer_token_file: str | None
    send_resolved: bool


@dataclass(frozen=True)
class Receiver:
    """A named receiver and its notifiers; at least one is set."""

    name: str
    email: EmailConfig | None = None
    pagerduty: PagerDutyConfig | None = None
    slack: SlackConfig | None = None
    webhook: WebhookConfig | None = None


# ---------------------------------------------------------------------------- time intervals

# Alertmanager 0.24 renamed the top-level list; routes refer to its entries the same way in both.
TimeIntervalsKey = Literal["time_intervals", "mute_time_intervals"]


@dataclass(frozen=True)
class TimeRange:
    start: str  # HH:MM
    end: str  # HH:MM, or 24:00 for midnight


@dataclass(frozen=True)
class TimeInterval:
    """One named interval of quiet hours, in Alertmanager's terms."""

    name: str
    # Alertmanager's week starts on Sunday; no range here runs over that start (split where the
    # spec's did), so each is a valid Alertmanager range: "saturday", "monday:friday".
    weekdays: tuple[str, ...]
    times: tuple[TimeRange, ...]
    location: str | None  # None: the target version has no `location` (the times are UTC)


# ------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class AlertingPlan:
    """Everything `alertmanager.yml` and the routing table are written from."""

    global_settings: GlobalSettings
    route: RouteTree
    inhibit_rules: tuple[InhibitRule, ...]
    receivers: tuple[Receiver, ...]  # in the spec's order
    time_intervals_key: TimeIntervalsKey
    time_intervals: tuple[TimeInterval, ...]  # empty: the key is not written
    # Label sets of every generated alert and of the spec's routes and owners, with the receivers
    # the spec's routing semantics give them; sorted by labels.
    routing_table: tuple[RoutingRow, ...]
