"""One smallest input per product bug the fuzzers found, asserting the correct behaviour.

A bug found later goes into tests/fuzz/known.py with a test here marked ``@strict_xfail(key)`` until
its owner fixes it; the bugs below were all fixed and stay as regression tests.
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests.fuzz.escaping import GRAFANA_VARIABLE, go_template_meaning
from tests.fuzz.harness import BASE, cli, diagnostic_problems, render, validate_bytes
from tests.fuzz.known import BUGS, explained_by


def spec_with(**changes: Any) -> dict[str, Any]:
    """BASE with ``section__key=value`` changes (``__`` separates path parts; digits index lists)."""
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        parts: list[Any] = [int(p) if p.isdigit() else p for p in dotted.split("__")]
        node = data
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return data


def outcome_of(data: dict[str, Any] | str) -> Any:
    text = data if isinstance(data, str) else json.dumps(data, indent=1)
    with tempfile.TemporaryDirectory() as tmp:
        return validate_bytes(Path(tmp), text)


def test_every_known_bug_has_a_test() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    missing = [b.key for b in BUGS if f'strict_xfail("{b.key}")' not in source]
    assert not missing


def test_known_bug_symptoms_do_not_explain_ordinary_problems() -> None:
    for problem in ["render raised KeyError: 'x'", "promtool check rules: unknown function", "keys differ"]:
        assert explained_by(problem) is None


def test_unknown_key_with_a_newline_is_one_diagnostic_line() -> None:
    data = spec_with(metadata__description="x")
    data["metadata"]["a\nb"] = 1
    outcome = outcome_of(data)
    assert outcome.spec is None
    assert not diagnostic_problems(outcome.diagnostics, outcome.path, outcome.data)


def test_control_character_is_one_diagnostic_line() -> None:
    text = json.dumps(BASE, indent=1).replace('"model": "m"', '"model": "m\x07"')
    outcome = outcome_of(text)
    assert outcome.spec is None and outcome.diagnostics[0].code == "GG002"
    assert not diagnostic_problems(outcome.diagnostics, outcome.path, outcome.data)


@pytest.mark.parametrize("zone", ["Europe/Nowhere", "yes", "Mars/" + "x" * 5000])
def test_unknown_time_zone_is_refused(zone: str) -> None:
    data = spec_with(alerting__quiet_hours=[{"name": "q", "weekdays": ["monday"], "location": zone}])
    outcome = outcome_of(data)
    assert outcome.spec is None, "validate accepts a zone Alertmanager refuses (amtool: unknown time zone)"
    assert "alerting.quiet_hours[0].location" in outcome.diagnostics[0].message


@pytest.mark.parametrize("name", ["line\nbreak", "cr\r\nlf", "trailing\n", "a\u2028b"])
def test_multiline_datasource_name_reads_back(name: str) -> None:
    """Found by the hostile-text test: the YAML writer added a final newline to every multi-line string."""
    outcome = outcome_of(spec_with(defaults__prometheus_datasource__name=name))
    if outcome.spec is None:
        return  # refusing it is a fix too
    files = render(outcome.spec)
    provisioning = yaml.safe_load(files["grafana/provisioning/datasources/guardiangen.yml"])
    assert provisioning["datasources"][0]["name"] == name


@pytest.mark.parametrize("url", ["https://g/{{$labels.instance}}", "https://g/}}{{", "https://g/{{.CommonLabels}}"])
def test_dashboard_base_url_cannot_inject_template_actions(url: str) -> None:
    outcome = outcome_of(spec_with(defaults__dashboard_base_url=url))
    if outcome.spec is None:
        return
    try:
        files = render(outcome.spec)
    except Exception as exc:
        raise AssertionError(f"render raised {type(exc).__name__}: {exc}") from exc
    for relpath, data in files.items():
        if not relpath.startswith("prometheus/rules/"):
            continue
        for group in yaml.safe_load(data)["groups"]:
            for rule in group["rules"]:
                url = rule.get("annotations", {}).get("dashboard_url")
                if url is None:
                    continue
                try:
                    _, actions = go_template_meaning(url)
                except ValueError as exc:
                    raise AssertionError(f"{relpath}: {url!r} is not a valid template: {exc}") from exc
                assert not actions, f"{relpath}: {url!r} runs template actions {actions}"


@pytest.mark.parametrize(
    ("to", "sender"), [("{{.CommonLabels}}@example.com", "a@example.com"), ("a@example.com", "}}{{@example.com")]
)
def test_email_addresses_cannot_inject_template_actions(to: str, sender: str) -> None:
    data = spec_with(alerting__receivers__0__email={"to": [to]})
    data["alerting"]["smtp"] = {"smarthost": "smtp.example.com:587", "sender": sender}
    outcome = outcome_of(data)
    if outcome.spec is None:
        return
    config = yaml.safe_load(render(outcome.spec)["alertmanager/alertmanager.yml"])
    email = config["receivers"][0]["email_configs"][0]
    for text in (email["to"], config["global"]["smtp_from"]):
        try:
            _, actions = go_template_meaning(text)
        except ValueError as exc:
            raise AssertionError(f"{text!r} is not a valid template: {exc}") from exc
        assert not actions, f"{text!r} runs template actions {actions}"


def test_subset_of_an_unknown_metric_is_refused() -> None:
    data = spec_with(metrics=[{"name": "q_total", "type": "counter", "subset_of": "missing_total"}])
    outcome = outcome_of(data)
    assert outcome.spec is None, "validate accepts it; render then raises CatalogError (exit 3)"


def test_dashboard_base_url_adds_no_grafana_variables_to_links() -> None:
    outcome = outcome_of(spec_with(defaults__dashboard_base_url="https://g/${__user.login}"))
    if outcome.spec is None:
        return
    overview = json.loads(render(outcome.spec)["grafana/dashboards/overview.json"])
    urls = re.findall(r'"url": "([^"]*)"', json.dumps(overview))
    assert not [u for u in urls if "__user" in u], urls[:3]


def test_product_name_adds_no_grafana_variables_to_panel_text() -> None:
    name = "A100 ${__user.login} $node"
    data = spec_with(gpu_inventory__models__0__product_name=name)
    outcome = outcome_of(data)
    if outcome.spec is None:
        return
    gpu = json.loads(render(outcome.spec)["grafana/dashboards/gpu.json"])
    texts = [p.get("description", "") for p in gpu["panels"]] + [
        p.get("options", {}).get("content", "") for p in gpu["panels"]
    ]
    refs = {m.group(0) for t in texts for m in GRAFANA_VARIABLE.finditer(t) if "A100" in t}
    assert not refs & {"$node", "${__user.login}"}, refs


def test_duplicate_anchor_prints_nothing_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "cluster.yaml").write_text("a: &x 1\nb: &x 2\nc: *x\n", encoding="utf-8")
    proc = cli("validate", "cluster.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == "", proc.stderr


@pytest.mark.parametrize("seconds", [10000, 100000, 1e20])
def test_large_query_time_threshold_renders(seconds: float) -> None:
    outcome = outcome_of(spec_with(postgres={"team": "t", "mean_query_time_max_seconds": seconds}))
    if outcome.spec is None:
        return  # an upper bound in the spec is a fix too
    try:
        render(outcome.spec)
    except Exception as exc:
        raise AssertionError(f"render raised {type(exc).__name__}: {str(exc)[:200]}") from exc


@pytest.mark.parametrize("buckets", ["[-.inf, 1, 10]", "[1, .nan]", "[0.1, 1, .inf]"])
def test_histogram_bucket_bounds_are_finite(buckets: str) -> None:
    data = spec_with(metrics=[{"name": "w_seconds", "type": "histogram", "buckets": "@@"}])
    outcome = outcome_of(json.dumps(data, indent=1).replace('"@@"', buckets))
    assert outcome.spec is None, f"buckets {buckets} validate"


def test_lone_surrogate_escape_is_reported_at_its_field() -> None:
    data = spec_with(specialists__0__description="@@")
    text = json.dumps(data, indent=1).replace('"@@"', '"\\ud800x"')
    outcome = outcome_of(text)
    assert outcome.spec is None
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if "ud800" in t)
    d = outcome.diagnostics[0]
    assert d.line == line and "specialists[0].description" in d.message, d.format_text()
