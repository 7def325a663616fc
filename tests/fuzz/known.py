"""Product bugs the fuzzers found that are not fixed yet, and how to recognise their symptoms.

The fuzz tests leave out problems explained by a bug listed here, so that one open bug does not
hide every other finding; ``GG_FUZZ_KNOWN_BUGS=1`` turns that off. Each bug has a strict expected
failure in test_known_bugs.py: when the owner fixes it, that test passes, fails as XPASS(strict),
and says to delete the entry here and the marker there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

STRICT = os.environ.get("GG_FUZZ_KNOWN_BUGS") == "1"


@dataclass(frozen=True)
class KnownBug:
    key: str
    owner: str  # the module to fix
    summary: str
    symptoms: tuple[str, ...]  # regular expressions searched in a problem's text

    def explains(self, problem: str) -> bool:
        return any(re.search(p, problem, re.S) for p in self.symptoms)


BUGS: tuple[KnownBug, ...] = (
    KnownBug(
        "multiline-message",
        "guardiangen/spec/errors.py, guardiangen/spec/checks.py",
        "diagnostics quote user text (unknown keys, mapping keys in paths, names in references) raw, so a "
        "newline in it splits the one-line diagnostic",
        (r"diagnostic spans lines: (?!.*special characters are not allowed)",),
    ),
    KnownBug(
        "reader-error-message",
        "guardiangen/load.py",
        'GG002 for a control character keeps ruamel\'s second line (`in "<file>", position N`) in the message',
        (r"diagnostic spans lines: .*special characters are not allowed",),
    ),
    KnownBug(
        "quiet-hours-zone",
        "guardiangen/spec/models.py (QuietHours.location)",
        "any IANA-shaped location validates (`Europe/yes`, 10 KiB names); Alertmanager refuses an unknown zone",
        (r"closed field alerting\.quiet_hours\[0\]\.location accepts", r"unknown time zone"),
    ),
    KnownBug(
        "dashboard-url-template",
        "guardiangen/spec/models.py (Defaults.dashboard_base_url) or the rule annotations",
        "dashboard_base_url may contain Go template delimiters; they reach every alert's dashboard_url "
        "annotation unescaped: {{$labels.x}} is executed, }}{{ breaks promtool check rules, {{.X}} crashes render",
        (
            r"annotations/dashboard_url: Go template",
            r'annotation "dashboard_url": template:',
            r"UnsupportedTemplate: cannot emulate the template action",
        ),
    ),
    KnownBug(
        "email-template",
        "guardiangen/spec/models.py (Smtp.sender, EmailReceiver.to) or guardiangen/render/alertmanager.py",
        "smtp.sender and email `to` may contain {{ }}; Alertmanager executes both fields as templates",
        (r"(email_configs/\d+/to|global/smtp_from): Go template",),
    ),
    KnownBug(
        "subset-of-unknown",
        "guardiangen/spec/checks.py or guardiangen/catalog (validate never builds the spec's catalog)",
        "metrics[].subset_of naming an undeclared metric validates, then render raises CatalogError",
        (r"is a subset of unknown metric", r"closed field metrics\[0\]\.subset_of accepts"),
    ),
    KnownBug(
        "grafana-link-variables",
        "guardiangen/spec/models.py (Defaults.dashboard_base_url) or guardiangen/render/dashboards",
        "dashboard_base_url may contain `$name`/`${...}`; Grafana interpolates them in the data-link URLs",
        (r"links/\d+/url: Grafana variables: new Grafana variables",),
    ),
    KnownBug(
        "grafana-text-variables",
        "guardiangen/render/dashboards (markdown escaping)",
        "free text (GPU product_name) in panel descriptions and text panels is markdown-escaped, but `\\$node` "
        "is still a Grafana variable reference: Grafana interpolates `$name`/`${...}` there",
        (r"/(description|content): Grafana variables: new Grafana variables",),
    ),
)


def explained_by(problem: str) -> KnownBug | None:
    return next((b for b in BUGS if b.explains(problem)), None)


def unexplained(problems: Iterable[str]) -> list[str]:
    """The problems no known bug explains (every problem with GG_FUZZ_KNOWN_BUGS=1)."""
    problems = list(problems)
    return problems if STRICT else [p for p in problems if explained_by(p) is None]
