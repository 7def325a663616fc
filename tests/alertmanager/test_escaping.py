"""Matcher quoting: values are pattern-restricted in the spec, but the escaper must hold on its own.

Two Python models of Alertmanager's matcher parsers read our output back: the classic one
(pkg/labels/parse.go, <= 0.26 and the 0.27+ fallback) and the UTF-8 one (0.27+, Go's
strconv.Unquote). Then the real amtool 0.25 parses hostile values from a config and from its
command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guardiangen.render.alertmanager import matcher, matchers, quote_matcher_value
from guardiangen.render.yamlout import dump
from tests.alertmanager.helpers import amtool, routes_test

HOSTILE = [
    'say "hi"',
    "back\\slash",
    "trailing\\",
    "\\n is not a newline",
    "line\nbreak",
    "tab\there",
    "carriage\rreturn",
    "comma, inside",
    "brace} {and",
    "ünïcødé ✓ 中文 🚀",
    "=~ not an operator",
    '"',
    "\\",
    " padded ",
    "",
]


def classic_parse(quoted: str) -> str:
    """The classic parser's unescaping of a double-quoted value (pkg/labels/parse.go, 0.25)."""
    assert quoted.startswith('"') and quoted.endswith('"')
    raw, out, i = quoted[1:-1], [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i < len(raw) - 1:
            nxt = raw[i + 1]
            out.append({"n": "\n", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
            continue
        assert c != '"', "unescaped double quote"
        out.append(c)
        i += 1
    return "".join(out)


def go_unquote(quoted: str) -> str:
    """Go's strconv.Unquote for the escapes we emit; a raw line feed is an error there."""
    assert "\n" not in quoted, "raw line feed"
    body = quoted[1:-1]
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1]
            assert nxt in 'n"\\', f"unexpected escape \\{nxt}"
            out.append({"n": "\n"}.get(nxt, nxt))
            i += 2
            continue
        assert c != '"', "unescaped double quote"
        out.append(c)
        i += 1
    return "".join(out)


@pytest.mark.parametrize("value", HOSTILE)
def test_both_parsers_read_hostile_values_back(value: str) -> None:
    quoted = quote_matcher_value(value)
    assert classic_parse(quoted) == value
    assert go_unquote(quoted) == value


@given(st.text())
def test_round_trip_any_text(value: str) -> None:
    quoted = quote_matcher_value(value)
    assert classic_parse(quoted) == value
    assert go_unquote(quoted) == value


def test_matcher_shape() -> None:
    assert matcher("severity", "critical") == 'severity="critical"'
    assert matcher("x", 'a"b') == r'x="a\"b"'
    assert matcher("x", "a\\b") == r'x="a\\b"'
    assert matcher("x", "a\nb") == r'x="a\nb"'
    assert matchers((("a", "1"), ("b", "2"))) == ['a="1"', 'b="2"']


def test_amtool_parses_hostile_matchers_from_config_and_cli(tmp_path: Path) -> None:
    """A config routing on every hostile value: amtool accepts it and routes each value to its receiver."""
    values = [v for v in HOSTILE if v]  # an empty value would match alerts without the label
    routes = [{"receiver": f"r{i}", "matchers": [matcher("tricky", v)]} for i, v in enumerate(values)]
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        dump(
            {
                "route": {"receiver": "default", "routes": routes},
                "receivers": [{"name": "default"}] + [{"name": f"r{i}"} for i in range(len(values))],
            }
        ),
        encoding="utf-8",
    )
    proc = amtool("check-config", str(config))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    failures = [routes_test(config, [("tricky", v)], [f"r{i}"]) for i, v in enumerate(values)]
    assert [f for f in failures if f] == []
    assert routes_test(config, [("tricky", "something else")], ["default"]) is None


def test_yaml_output_keeps_escapes_intact() -> None:
    """The YAML text reads back to the same matcher, and holds no raw CR the writer would turn into LF."""
    from ruamel.yaml import YAML

    m = matcher("x", 'q"\\\n\r\t ü')
    text = dump({"matchers": [m]})
    assert "\r" not in text
    assert YAML(typ="safe", pure=True).load(text) == {"matchers": [m]}
