"""The README's table of generated alerts, built from the rules plan.

``python -m guardiangen.readme.alerts [README.md] [SPEC]`` rewrites the section between
``<!-- alerts-table:start -->`` and ``<!-- alerts-table:end -->`` from the reference spec;
``tests/prometheus`` fails when the README and this output differ.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from guardiangen.plan.model import LABEL_GUARDIAN, LABEL_SEVERITY, LABEL_SLO, LABEL_SPECIALIST, Plan, Rule
from guardiangen.spec.alert_names import ALERTS
from guardiangen.spec.models import ClusterSpec
from guardiangen.syntax import SPEC_PATH

SECTION = "alerts-table"
REGENERATE = "python -m guardiangen.readme.alerts README.md specs/cluster.yaml"


MAX_LISTED = 3  # beyond this many exceptions, only the values are listed


def _owner(rule: Rule) -> str:
    labels = dict(rule.labels)
    return labels.get(LABEL_SLO) or labels.get(LABEL_SPECIALIST) or labels.get(LABEL_GUARDIAN) or "?"


def _varying(rules: list[Rule], value: str) -> str:
    """The most common value of ``value`` ("severity" or "for") and who differs from it."""

    def of(rule: Rule) -> str:
        return dict(rule.labels).get(LABEL_SEVERITY, "") if value == "severity" else rule.for_ or "-"

    common = Counter(of(r) for r in rules).most_common(1)[0][0]
    exceptions: dict[str, set[str]] = {}
    for r in rules:
        if of(r) != common:
            exceptions.setdefault(of(r), set()).add(_owner(r))
    if sum(len(owners) for owners in exceptions.values()) > MAX_LISTED:
        return ", ".join([common, *sorted(exceptions)])
    extra = "; ".join(f"{v} for {', '.join(sorted(owners))}" for v, owners in sorted(exceptions.items()))
    return f"{common} ({extra})" if extra else common


def _threshold(name: str, rules: list[Rule], prefix: str) -> str:
    info = ALERTS.get(name.removeprefix(prefix))
    if info is not None:
        return SPEC_PATH.sub(lambda m: f"`{m.group(0)}`", info.threshold)
    if any(LABEL_SLO in dict(r.labels) for r in rules):
        return "the SLO's objective (`specialists[].slos`, `guardians[].slos`)"
    return "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def alerts_table_markdown(spec: ClusterSpec, plan: Plan) -> str:
    """One row per alert name in ``plan``: severity, ``for:``, meaning and the threshold's source."""
    by_name = plan.rules.alerts_by_name()
    prefix = spec.defaults.alert_name_prefix
    rows = ["| alert | severity | for | meaning | threshold from |", "|---|---|---|---|---|"]
    for name, rules in by_name.items():
        info = ALERTS.get(name.removeprefix(prefix))
        summaries = sorted({dict(r.annotations).get("summary", "") for r in rules})
        meaning = info.summary if info is not None else summaries[0]
        if info is None and len(summaries) > 1:  # per-instance summaries (SLO alerts name their SLO)
            meaning = "One alert per SLO; see the SLOs section." if LABEL_SLO in dict(rules[0].labels) else "-"
        cells = (
            f"`{name}`",
            _varying(rules, "severity"),
            _varying(rules, "for"),
            meaning,
            _threshold(name, rules, prefix),
        )
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def reference_table(spec_path: str) -> str:
    """The table for the spec at ``spec_path`` (raises if the spec is invalid)."""
    from guardiangen import pipeline

    result = pipeline.validate(spec_path)
    if result.spec is None:
        raise ValueError("; ".join(d.format_text() for d in result.diagnostics))
    return alerts_table_markdown(result.spec, pipeline.plan(result.spec))


def main(argv: list[str]) -> int:
    from guardiangen.readme.codes import replace_section

    readme = Path(argv[0] if argv else "README.md")
    spec_path = argv[1] if len(argv) > 1 else "specs/cluster.yaml"
    text = readme.read_text(encoding="utf-8")
    readme.write_text(replace_section(text, SECTION, reference_table(spec_path)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
