"""One doctor run: validate and render the spec in memory, then run every check within the budget."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardiangen import pipeline
from guardiangen.diagnostics import (
    GG701_UNREACHABLE,
    GG710_ALERTMANAGER_CONFIG,
    GG711_BUDGET,
    Diagnostic,
    error,
)
from guardiangen.doctor import prometheus as checks
from guardiangen.doctor.alertmanager import differences
from guardiangen.doctor.client import Budget, BudgetExceeded, Client, Credentials, ServerError
from guardiangen.doctor.expect import Expected, expected
from guardiangen.spec.models import OutputProfile

MAX_DIFFERENCES = 8  # Alertmanager configuration differences reported one by one


@dataclass(frozen=True)
class Servers:
    """Where the servers are and what the run may spend on them."""

    prometheus: str
    alertmanager: str | None = None
    credentials: Credentials = field(default_factory=Credentials)
    max_requests: int = 100
    timeout_seconds: float = 60.0
    lookback_seconds: float = 3600.0


def doctor(
    spec_path: str, servers: Servers, out: str = "out", profile: OutputProfile | None = None
) -> list[Diagnostic]:
    """Every finding of the spec's render against the servers (the spec's own errors if it is invalid)."""
    validated = pipeline.validate(spec_path, profile)
    if validated.spec is None or validated.document is None:
        return validated.diagnostics
    plan = pipeline.plan(validated.spec, profile)
    files = pipeline.render(plan, pipeline.spec_display_name(spec_path))
    exp = expected(validated.document, plan, files, out)
    budget = Budget.of(servers.max_requests, servers.timeout_seconds)
    prom = Client("Prometheus", servers.prometheus, budget, servers.credentials)
    diags, spent = _prometheus(prom, exp, checks.Window.last(servers.lookback_seconds))
    if servers.alertmanager and not spent:
        diags += _alertmanager(Client("Alertmanager", servers.alertmanager, budget, servers.credentials), exp)
    return diags


def _prometheus(client: Client, exp: Expected, window: checks.Window) -> tuple[list[Diagnostic], bool]:
    """The Prometheus checks in order; (findings, whether the budget ran out)."""
    diags: list[Diagnostic] = []
    seen = checks.Seen()
    for i, (what, check) in enumerate(checks.CHECKS):
        try:
            diags += check(client, exp, window, seen)
        except ServerError as exc:
            diags.append(error(client.base_url, 0, 0, GG701_UNREACHABLE, f"{what}: {exc}"))
            if i == 0:  # nothing answered: the other checks would only repeat it
                return diags, False
        except (AttributeError, KeyError, TypeError, ValueError) as exc:  # an answer of another shape
            why = f"{what}: {client.name} at {client.base_url} answered in a shape its API does not have ({exc})"
            diags.append(error(client.base_url, 0, 0, GG701_UNREACHABLE, why))
        except BudgetExceeded as exc:
            rest = ", ".join(w for w, _ in checks.CHECKS[i:])
            diags.append(
                error(
                    client.base_url,
                    0,
                    0,
                    GG711_BUDGET,
                    f"{exc}; not checked: {rest} (raise --max-requests or --timeout)",
                )
            )
            return diags, True
    return diags, False


def _alertmanager(client: Client, exp: Expected) -> list[Diagnostic]:
    where = exp.alertmanager_where
    if exp.alertmanager is None:
        return []
    try:
        status = client.get("/api/v2/status")
    except ServerError as exc:
        return [error(client.base_url, 0, 0, GG701_UNREACHABLE, str(exc))]
    except BudgetExceeded as exc:
        return [error(client.base_url, 0, 0, GG711_BUDGET, f"{exc}; not checked: the Alertmanager configuration")]
    original = (status.get("config") or {}).get("original") if isinstance(status, dict) else None
    if not isinstance(original, str):
        return [
            error(
                client.base_url,
                0,
                0,
                GG701_UNREACHABLE,
                f"{client.base_url}/api/v2/status has no `config.original`: is it Alertmanager?",
            )
        ]
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        loaded = YAML(typ="safe", pure=True).load(original)
    except YAMLError as exc:
        why = f"{client.base_url}/api/v2/status has a `config.original` that is not YAML: {exc}"
        return [error(client.base_url, 0, 0, GG701_UNREACHABLE, why)]
    found = list(differences(exp.alertmanager, loaded))
    shown = found[:MAX_DIFFERENCES]
    more = f" (and {len(found) - len(shown)} more differences)" if len(found) > len(shown) else ""
    return [
        error(
            where.path,
            where.line,
            where.col,
            GG710_ALERTMANAGER_CONFIG,
            f"Alertmanager at {client.base_url} runs another configuration than the render: {d}"
            + (more if i == len(shown) - 1 else "")
            + f"; deploy {where.path} and reload Alertmanager",
        )
        for i, d in enumerate(shown)
    ]
