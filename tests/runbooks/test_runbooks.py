"""The runbook pages: every alert's runbook_url resolves to a generated page and section, every link
in the pages resolves, their PromQL parses and names only what exists, their spec settings are the
spec's, and their receivers are the ones Alertmanager routes to (amtool on the rendered config).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser as pp
import pytest
from ruamel.yaml import YAML

from guardiangen import pipeline
from guardiangen.plan.model import Plan
from guardiangen.promql.infer import selector_name
from guardiangen.spec.models import ClusterSpec
from tests.alertmanager.helpers import routes_test
from tests.conftest import REFERENCE_SPEC, ROOT, plan_of, render_files, valid_spec

SPECS = {
    "reference": REFERENCE_SPEC,
    "engines": ROOT / "tests" / "prometheus" / "engines-cluster.yaml",
    "metrics": ROOT / "tests" / "metrics" / "metrics-cluster.yaml",
}
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')


class Tree:
    def __init__(self, name: str) -> None:
        self.name = name
        self.spec: ClusterSpec = valid_spec(SPECS[name])
        self.plan: Plan = plan_of(self.spec)
        self.files = {k: v.decode("utf-8") for k, v in render_files(self.spec, plan=self.plan).items()}

    def pages(self) -> dict[str, str]:
        return {k: v for k, v in self.files.items() if k.startswith("runbooks/")}

    def alerts(self) -> Iterator[dict[str, Any]]:
        yaml = YAML(typ="safe")
        for path, text in sorted(self.files.items()):
            if path.startswith("prometheus/rules/"):
                for group in yaml.load(text)["groups"]:
                    yield from (r for r in group["rules"] if "alert" in r)

    def dashboards(self) -> dict[str, set[int]]:
        """Panel ids of every rendered dashboard, by uid."""
        out: dict[str, set[int]] = {}

        def ids(panels: list[dict[str, Any]]) -> Iterator[int]:
            for p in panels:
                yield p["id"]
                yield from ids(p.get("panels", []))

        for path, text in self.files.items():
            if path.startswith("grafana/dashboards/") and path.endswith(".json"):
                board = json.loads(text)
                out[board["uid"]] = set(ids(board["panels"]))
        return out


@pytest.fixture(scope="module", params=sorted(SPECS))
def tree(request: pytest.FixtureRequest) -> Tree:
    return Tree(request.param)


def _page_of(pattern: str, url: str) -> str:
    """The page a runbook_url names: ``{alert}`` of the pattern read back from the URL."""
    before, after = pattern.split("{alert}")
    assert url.startswith(before) and url.endswith(after), (pattern, url)
    return f"runbooks/{url[len(before) : len(url) - len(after)]}.md"


def test_every_alert_links_to_a_page_with_its_section(tree: Tree) -> None:
    pages = tree.pages()
    pattern = tree.spec.defaults.runbook_url_pattern
    checked = 0
    for rule in tree.alerts():
        page = _page_of(pattern, rule["annotations"]["runbook_url"])
        assert page in pages, f"{rule['alert']}: runbook_url {rule['annotations']['runbook_url']} has no page"
        text = pages[page]
        assert text.splitlines()[1] == f"# {rule['alert']}"
        # Its section shows the rule's exact expression and every one of its labels.
        sections = text.split('<a id="')[1:]
        labels = ", ".join(f'`{k}="{v}"`' for k, v in sorted(rule["labels"].items()))
        mine = [s for s in sections if f"- **Labels:** {labels}\n" in s]
        assert len(mine) == 1, f"{rule['alert']} {rule['labels']}: {len(mine)} sections"
        assert f"```promql\n{rule['expr']}\n```" in mine[0]
        checked += 1
    assert checked == len(tree.plan.rules.alerts()) > 0
    names = {r.alert for r in tree.plan.rules.alerts()}
    assert len(pages) == len(names) + 1  # and the index


def test_every_link_in_the_pages_resolves(tree: Tree) -> None:
    pages = tree.pages()
    boards = tree.dashboards()
    base = tree.plan.cluster.dashboard_base_url
    panel_links = 0
    for path, text in pages.items():
        anchors = set(ANCHOR.findall(text))
        for target in LINK.findall(text):
            if target.startswith("#"):
                assert target[1:] in anchors, f"{path}: no anchor {target}"
            elif target.startswith(base):
                m = re.fullmatch(rf"{re.escape(base)}/d/([\w-]+)(?:\?(.*))?", target)
                assert m and m.group(1) in boards, f"{path}: {target} is no generated dashboard"
                panel = re.search(r"(?:^|&)viewPanel=(\d+)", m.group(2) or "")
                if panel:
                    assert int(panel.group(1)) in boards[m.group(1)], f"{path}: {target}: no such panel"
                    panel_links += 1
            else:
                page, _, anchor = target.partition("#")
                assert f"runbooks/{page}" in pages, f"{path}: {target} is no page"
                assert not anchor or anchor in set(ANCHOR.findall(pages[f"runbooks/{page}"]))
    assert panel_links > 0


def _names(node: Any) -> Iterator[str]:
    if isinstance(node, pp.VectorSelector):
        name = selector_name(node)
        assert name is not None
        yield name
    elif isinstance(node, pp.MatrixSelector):
        yield from _names(node.vector_selector)
    elif isinstance(node, pp.BinaryExpr):
        yield from _names(node.lhs)
        yield from _names(node.rhs)
    elif isinstance(node, pp.Call):
        for arg in node.args:
            yield from _names(arg)
    elif hasattr(node, "expr"):
        yield from _names(node.expr)


def test_promql_in_the_pages_parses_and_names_only_what_exists(tree: Tree) -> None:
    recorded = {r.record for g in tree.plan.rules.groups for r in g.rules if r.record}
    series = set(tree.plan.catalog.series_names()) | recorded | {"ALERTS"}
    blocks = 0
    for path, text in tree.pages().items():
        for lang, body in FENCE.findall(text):
            if lang != "promql":
                continue
            node = pp.parse(body.strip())  # raises on anything promql-parser refuses
            unknown = set(_names(node)) - series
            assert not unknown, f"{path}: {body.strip()} names {unknown}"
            blocks += 1
    assert blocks > len(tree.pages())


def _spec_value(doc: Any, path: str) -> Any:
    node = doc
    for part in path.split("."):
        m = re.fullmatch(r"([a-z_]+)\[([^\]]+)\]", part)
        node = node[m.group(1) if m else part]
        if m:
            node = next(item for item in node if item["name"] == m.group(2))
    return node


def _leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k != "name":
                yield from _leaves(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list) and node and isinstance(node[0], dict) and "name" in node[0]:
        for item in node:
            yield from _leaves({k: v for k, v in item.items()}, f"{path}[{item['name']}]")
    else:
        yield path, node


def test_settings_are_the_spec_file_values(tree: Tree) -> None:
    """Each section's "Set in cluster.yaml" block holds the values the spec file writes there."""
    # pure: the C loader refuses the reference spec's `hosts: [https://...]` (issue #19)
    doc = YAML(typ="safe", pure=True).load(SPECS[tree.name].read_text(encoding="utf-8"))
    compared = 0
    for text in tree.pages().values():
        for lang, body in FENCE.findall(text):
            if lang != "yaml":
                continue
            for path, value in _leaves(YAML(typ="safe").load(body)):
                try:
                    expected = _spec_value(doc, path)
                except (KeyError, StopIteration):
                    continue  # a default the spec file does not write (e.g. an SLO's period)
                if isinstance(expected, list) and all(isinstance(e, dict) for e in value):
                    # alert_overrides: the spec's entry, defaults added
                    for entry in value:
                        written = next(e for e in expected if e["alert"] == entry["alert"])
                        assert written.items() <= entry.items(), f"{path}: page {entry}, spec {written}"
                        compared += 1
                    continue
                assert value == expected, f"{path}: page {value!r}, spec {expected!r}"
                compared += 1
    assert compared > len(tree.pages())  # most sections set something the spec file writes


def test_a_changed_threshold_changes_its_section_only(tmp_path: Path) -> None:
    text = REFERENCE_SPEC.read_text(encoding="utf-8")
    assert "quality_mean_min: 0.75" in text  # math's
    changed = tmp_path / "cluster.yaml"
    changed.write_text(text.replace("quality_mean_min: 0.75", "quality_mean_min: 0.61"), encoding="utf-8")
    before = Tree("reference").pages()["runbooks/llmguardianspecialistqualitylow.md"]
    after_spec = valid_spec(changed)
    after = pipeline.render(pipeline.plan(after_spec), "cluster.yaml")["runbooks/llmguardianspecialistqualitylow.md"]
    math = after.decode("utf-8").split('<a id="specialist-math">')[1].split("<a id=")[0]
    assert "- `specialists[math].thresholds.quality_mean_min`: 0.61\n" in math
    assert "quality_mean_min: 0.61\n" in math and '{specialist_type="math"} < 0.61\n' in math
    code_before = before.split('<a id="specialist-code">')[1].split("<a id=")[0]
    assert code_before == after.decode("utf-8").split('<a id="specialist-code">')[1].split("<a id=")[0]


def test_receivers_are_what_alertmanager_routes_to(tmp_path: Path) -> None:
    """amtool, on the rendered alertmanager.yml, routes each section's labels to its receivers."""
    tree = Tree("reference")
    config = tmp_path / "alertmanager.yml"
    config.write_text(tree.files["alertmanager/alertmanager.yml"], encoding="utf-8")
    cases = {(s.labels, s.receivers) for p in tree.plan.runbooks.pages for s in p.sections}
    failures = [f for labels, receivers in sorted(cases) if (f := routes_test(config, labels, receivers))]
    assert not failures, "\n".join(failures)
    assert len(cases) > 10
    # and the page says so
    page = tree.pages()["runbooks/llmguardianspecialistqualitylow.md"]
    medical = page.split('<a id="specialist-medical">')[1]
    assert "- **Receivers:** health-ai-pager\n" in medical


def test_templates_override_the_pages(tmp_path: Path) -> None:
    import shutil

    from guardiangen.templates import templates_dir

    custom = tmp_path / "templates"
    shutil.copytree(templates_dir(), custom)
    page = custom / "runbooks" / "alert.md.j2"
    page.write_text(page.read_text(encoding="utf-8") + "\nEscalate to {{ cluster }} on-call.\n", encoding="utf-8")
    spec = valid_spec(REFERENCE_SPEC)
    files = pipeline.render(pipeline.plan(spec), "cluster.yaml", templates=custom)
    assert (
        files["runbooks/llmguardiangpuxiderrors.md"]
        .decode("utf-8")
        .endswith("\nEscalate to llm-guardian-prod on-call.\n")
    )
