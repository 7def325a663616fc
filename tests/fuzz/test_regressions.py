"""Inputs the fuzzers found crashing or hanging validation, kept as regression tests.

Each one used to raise (RecursionError, ValueError, pydantic's ValidationError) or run for minutes;
each must now be positioned diagnostics, quickly.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from guardiangen.load import MAX_ALIAS_VALUES, MAX_DEPTH, load_text
from tests.fuzz.harness import BASE
from tests.fuzz.mutate import alias_bomb

SPEC_HEAD = "apiVersion: guardiangen/v1\nkind: Cluster\n"


def _one(text: str) -> tuple[int, int, str, str]:
    started = time.monotonic()
    doc, diags = load_text(text, "f.yaml")
    # generous: ruamel scans deeply nested flow collections in quadratic time (seconds at 1000 levels)
    assert time.monotonic() - started < 30
    assert doc is None and len(diags) == 1, diags
    d = diags[0]
    return d.line, d.col, d.code, d.message


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 700])
def test_deep_lists_are_a_diagnostic(depth: int) -> None:
    line, col, code, message = _one(SPEC_HEAD + "x: " + "[" * depth + "]" * depth + "\n")
    assert code in ("GG002", "GG006") and "nest" in message and line >= 1 and col >= 1


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000])
def test_deep_mappings_are_a_diagnostic(depth: int) -> None:
    _, _, code, message = _one(SPEC_HEAD + "x: " + "{a: " * depth + "1" + "}" * depth + "\n")
    assert code in ("GG002", "GG006") and "nest" in message


def test_nesting_within_the_limit_still_loads() -> None:
    depth = MAX_DEPTH - 2
    doc, diags = load_text("x: " + "[" * depth + "]" * depth + "\n", "f.yaml")
    assert doc is not None and not diags


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a {b: [1, {c: *a}]}\n"])
def test_recursive_alias_is_a_diagnostic(text: str) -> None:
    line, col, code, message = _one(text)
    assert (line, col, code) == (1, 4, "GG006") and "alias" in message


def test_alias_bomb_is_refused_quickly() -> None:
    line, _, code, message = _one(alias_bomb(10, width=10))
    assert code == "GG006" and "aliases expand" in message and line > 1


def test_small_alias_use_still_loads() -> None:
    doc, diags = load_text(alias_bomb(3) + "\n", "f.yaml")
    assert doc is not None and not diags
    assert doc.data["b2"][0] == doc.data["b1"] and doc.data["b1"][0] == ["x"] * 4
    assert MAX_ALIAS_VALUES > 4**3


@pytest.mark.parametrize("digits", [4301, 5000, 100_000])
def test_integer_longer_than_python_reads_is_a_diagnostic(digits: int) -> None:
    line, col, code, message = _one(SPEC_HEAD + "n: " + "9" * digits + "\n")
    assert (line, col, code) == (3, 4, "GG105") and str(digits) in message


def test_negative_long_integer_is_a_diagnostic() -> None:
    _, _, code, _ = _one("n: -" + "9" * 4400 + "\n")
    assert code == "GG105"


# ------------------------------------------------------------------------------ spec cross-checks


@pytest.mark.parametrize(
    ("host_label", "code"),
    [("x" * 101, "GG107"), ("x" * 10240, "GG107"), ("Hostname\n", "GG106")],
)
def test_host_label_the_catalog_cannot_take_is_a_diagnostic(host_label: str, code: str) -> None:
    """The metric-collision check built the catalog from any host_label matching the pattern with
    re.match (over-long, or with a final newline) and the catalog raised a ValidationError."""
    import copy
    import json

    from guardiangen.load import load_text as load
    from guardiangen.spec import parse_spec

    data = copy.deepcopy(BASE)
    data["gpu_inventory"]["host_label"] = host_label
    doc, diags = load(json.dumps(data, indent=1), "f.yaml")
    assert doc is not None, diags
    spec, diags = parse_spec(doc)
    assert spec is None
    assert [(d.code, "gpu_inventory.host_label" in d.message) for d in diags] == [(code, True)]


@pytest.mark.parametrize("version", ["1.0", "1.3", "2.0", "9.9"])
def test_unsupported_yaml_version_directive_is_a_diagnostic(version: str) -> None:
    """ruamel raised KeyError (9, 9) / AssertionError for a %YAML version other than 1.1 and 1.2."""
    line, col, code, message = _one(f"%YAML {version}\n---\n" + SPEC_HEAD)
    assert (line, col, code) == (1, 1, "GG002") and version in message


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_supported_yaml_version_directive_still_loads(version: str) -> None:
    doc, diags = load_text(f"%YAML {version}\n---\n" + SPEC_HEAD, "f.yaml")
    assert doc is not None and not diags and doc.data["kind"] == "Cluster"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
@pytest.mark.parametrize(
    "where",
    [
        ("guardians", "thresholds", "evaluation_latency_p95_max_seconds"),
        ("specialists", "thresholds", "latency_p95_max_seconds"),
        ("specialists", "slos", "latency", "threshold_seconds"),
        ("specialists", "slos", "quality", "minimum_score"),
    ],
)
def test_non_finite_threshold_is_a_diagnostic(value: str, where: tuple[str, ...]) -> None:
    """The p95 range check compared Decimal('NaN') and raised decimal.InvalidOperation."""
    import copy
    import json

    from guardiangen.spec import parse_spec

    data = copy.deepcopy(BASE)
    data["guardians"] = [{"name": "g", "type": "quality", "team": "t", "watches": ["s"]}]
    node: Any = data[where[0]][0]
    for part in where[1:-1]:
        node = node.setdefault(part, {"objective_percent": 99} if part in ("latency", "quality") else {})
    node[where[-1]] = "@@"
    text = json.dumps(data, indent=1).replace('"@@"', value)
    doc, diags = load_text(text, "f.yaml")
    assert doc is not None, diags
    spec, diags = parse_spec(doc)
    assert spec is None and diags
    assert any(".".join(where[1:]) in d.message and d.code in ("GG102", "GG105") for d in diags), diags
