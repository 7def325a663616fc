"""The fluentd_* filters of guardiangen.render.fluentd, checked against the grammar oracle's port of
fluentd's LiteralParser: what they write reads back as exactly the input and never runs Ruby code;
and the templates cannot print a value that skipped them. Also the planner's parsing of the spec's
durations, which the fluentd_time filter writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

import jinja2
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from jinja2 import nodes

from guardiangen.plan.logging import duration_ms
from guardiangen.render import fluentd as f
from guardiangen.render.context import RenderContext
from guardiangen.templates import templates_dir

from .grammar import Value, parse, validate
from .test_render import ruby_regexp

HOSTILE_TEXT = [
    'a"b',
    "back\\slash",
    "end\\",
    "#{`id`}",
    "#{ENV['HOME']}",
    "\\#{x}",
    "${tag}",
    "line\nbreak\n",
    "cr\rlf\r\n",
    "tab\tff\fbs\bnul\0end",
    "\x01\x1b[31m\x7f",
    "</match>\n<match **>\n  @type stdout\n</match>",
    "@include /etc/passwd",
    "  spaces  ",
    "'single' and \"double\"",
    "[1, 2]",
    '{"a": "#{1}"}',
    "ünïcödé ✓ 日本語 \u2028 \u2029 \u0085 \u202e \ufeff",
    "x" * 20_000,
    "",
]
# Text that can be UTF-8 encoded (lone surrogates cannot be written to a file at all).
texts = st.text(st.characters(blacklist_categories=["Cs"]))


def _as_param(rendered: str) -> Value:
    """``rendered`` as the value of a string parameter in an otherwise valid config."""
    config = f"<source>\n  @type forward\n  @id in_forward\n  tag {rendered}\n</source>\n"
    assert [str(d) for d in validate(config)] == []
    param = parse(config).directives("source")[0].param("tag")
    assert param is not None
    return param.value


@given(texts)
@example("#{")
@example("\\")
@example('"')
@example("\\\n")
def test_quote_reads_back_exactly_and_runs_nothing(text: str) -> None:
    read = _as_param(f.quote(text))
    assert (read.text, read.style, read.interpolations, read.raw_line_break) == (text, "double", (), False)


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=range(len(HOSTILE_TEXT)))
def test_quote_hostile(text: str) -> None:
    quoted = f.quote(text)
    assert "\n" not in quoted and "\r" not in quoted
    assert "#" not in re.sub(r"\\.", "", quoted), "every # is escaped"
    assert _as_param(quoted).text == text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


@given(st.lists(json_values, max_size=4) | st.dictionaries(texts, json_values, max_size=4))
@example(["#{`id`}", {"#{k}": "#"}])
def test_json_value_reads_back_exactly_and_runs_nothing(data: object) -> None:
    read = _as_param(f.json_value(data))
    assert (read.style, read.interpolations) == ("json", ())
    assert read.json_value == data


@given(st.lists(texts, min_size=1, max_size=5), texts)
@example(["a.b", "c|d", "(x)"], "a-b")
@example(["line"], "line\n")
@example(["\x00", "\n"], "\r")
def test_one_of_regexp_matches_exactly_the_values(values: list[str], other: str) -> None:
    read = _as_param(f.one_of_regexp(values))
    assert read.interpolations == ()
    pattern = ruby_regexp(read.text)
    for v in values:
        assert pattern.search(v)
    assert bool(pattern.search(other)) == (other in values)


def test_regexp_escapes_only_symbols_both_engines_read_literally() -> None:
    escaped = f.regexp_literal("".join(chr(c) for c in range(0x80)))
    # Every backslash is followed by a metacharacter or starts an \xHH escape: never by a letter
    # or digit that could form a class (\d, \h) or an anchor (\A, \z).
    for m in re.finditer(r"\\(.)", escaped):
        assert m.group(1) in "\\^$.|?*+()[]{}/#-x", m.group(0)


@pytest.mark.parametrize(
    ("spec", "fluentd"),
    [
        ("30s", "30s"),
        ("5m", "5m"),
        ("1h30m", "90m"),
        ("6h", "6h"),
        ("2w", "14d"),
        ("1500ms", "1.500"),
        ("1ms", "0.001"),
    ],
)
def test_durations(spec: str, fluentd: str) -> None:
    assert f.duration(duration_ms(spec, "test")) == fluentd


@pytest.mark.parametrize("bad", ["0s", "5 m", "5m\n", "five", "", "-1s", "1.5s", "\u0665m", 5, None])
def test_bad_durations_are_refused(bad: object) -> None:
    """By the planner, which parses the spec's durations (\u0665 is an Arabic-Indic digit five)."""
    with pytest.raises(f.UnsafeValueError):
        duration_ms(bad, "test")


@pytest.mark.parametrize(
    ("filter_", "good", "bad"),
    [
        (f.identifier, ["in_tail_x", "out_es_a-b.secondary"], ["", "A", "x y", "x\n", "@id", "x#1", "é"]),
        (f.tag, ["kube.a-b.*", "component.x_y", "**"], ["", "a..b", "a b", "a,b", "{a,b}", "a.${tag}", "a>"]),
        (f.size, ["8m", "2g", "1024"], ["0", "8M", "8 m", "8m\n", "1t", ""]),
        (f.env_reference, ["ES_PASSWORD", "lower_ok"], ["", "1X", "X']}#{`id`", "X Y", "X\n"]),
    ],
)
def test_bare_values_are_checked(filter_: Any, good: list[str], bad: list[str]) -> None:
    for text in good:
        assert filter_(text)
    for text in bad:
        with pytest.raises(f.UnsafeValueError):
            filter_(text)


@pytest.mark.parametrize(
    ("filter_", "good", "bad"),
    [
        (
            f.tail_path,
            ["/var/log/containers/*.log", "/a b/c", "/#{x}", "/${tag}"],
            ["/a,/b", "/var/log/%Y.log", " /x", "/x\n", "/x\t", "/x\0"],
        ),
        (
            f.secondary_dir,
            ["/var/log/failed/x", "/a,b", "/#{x}", " /x "],
            ["/x/${tag}", "/x/${chunk_id}", "/x/%Y%m%d", "/x$"],
        ),
    ],
)
def test_plugin_parameters_refuse_what_the_plugin_would_reinterpret(
    filter_: Any, good: list[str], bad: list[str]
) -> None:
    for text in good:
        assert _as_param(filter_(text)).text == text
    for text in bad:
        with pytest.raises(f.UnsafeValueError):
            filter_(text)


def test_es_hosts_is_one_comma_separated_list() -> None:
    hosts = ["https://es-0:9200", "https://es-1:9200"]
    assert _as_param(f.es_hosts(hosts)).text == "https://es-0:9200,https://es-1:9200"
    assert _as_param(f.es_hosts(("http://#{x}",))).text == "http://#{x}"
    for bad in (["https://a,b"], ["https://es:9200", "https://${host}"], ["https://es:%Y"]):
        with pytest.raises(f.UnsafeValueError):
            f.es_hosts(bad)


def test_env_reference_is_the_only_code() -> None:
    read = _as_param(f.env_reference("ES_PASSWORD"))
    assert [i.code for i in read.interpolations] == ["ENV['ES_PASSWORD']"]


@pytest.mark.parametrize(
    ("filter_", "bad"),
    [
        (f.quote, "\ud800"),
        (f.quote, 42),
        (f.quote, f.Fluent('"already quoted"')),
        (f.json_value, "a string"),
        (f.json_value, [float("nan")]),
        (f.json_value, [object()]),
        (f.integer, True),
        (f.integer, "1"),
        (f.boolean, "true"),
        (f.one_of_regexp, []),
        (f.one_of_regexp, "abc"),
        (f.duration, 0),
        (f.duration, -1000),
        (f.duration, True),
        (f.duration, 1.5),
        (f.duration, "5m"),
        (f.es_hosts, []),
        (f.es_hosts, "https://es:9200"),
        (f.es_hosts, [42]),
        (f.tail_path, ["/var/log/x.log"]),
        (f.secondary_dir, None),
    ],
)
def test_filters_refuse_the_wrong_kind_of_value(filter_: Any, bad: object) -> None:
    with pytest.raises(f.UnsafeValueError):
        filter_(bad)


def test_choice() -> None:
    assert f.choice("block", "block", "drop_oldest_chunk") == "block"
    with pytest.raises(f.UnsafeValueError):
        f.choice("block\n@include x", "block")


# ---------------------------------------------------------------------------- the print guard


def _env(tmp_path: Path, source: str) -> jinja2.Template:
    (tmp_path / "fluentd").mkdir()
    (tmp_path / "fluentd" / "t.j2").write_text(source)
    ctx = RenderContext(plan=cast(Any, None), templates=tmp_path)
    return f.environment(ctx).get_template("fluentd/t.j2")


@pytest.mark.parametrize("source", ["{{ x }}", "{{ x | upper }}", '{{ "literal" }}', "{{ 1 }}", "{{ x ~ '' }}"])
def test_templates_cannot_print_unfiltered_values(tmp_path: Path, source: str) -> None:
    with pytest.raises(f.UnsafeValueError):
        _env(tmp_path, source).render(x="#{`id`}")


def test_undefined_names_fail(tmp_path: Path) -> None:
    with pytest.raises(jinja2.UndefinedError):
        _env(tmp_path, "{{ missing | fluentd_str }}").render()


def test_filtered_values_print(tmp_path: Path) -> None:
    assert _env(tmp_path, "{{ x | fluentd_str }}").render(x='a"#') == '"a\\"\\#"'


def _outputs(node: nodes.Node) -> list[nodes.Expr]:
    found = [child for out in node.find_all(nodes.Output) for child in out.nodes]
    return [n for n in found if not isinstance(n, nodes.TemplateData)]


@pytest.mark.parametrize("template", sorted((templates_dir() / "fluentd").glob("*.j2")), ids=lambda p: p.name)
def test_every_template_expression_ends_in_a_fluentd_filter(template: Path) -> None:
    """Static twin of the print guard: also covers branches the two test specs do not take."""
    env = jinja2.Environment()
    for expr in _outputs(env.parse(template.read_text(encoding="utf-8"))):
        assert isinstance(expr, nodes.Filter) and expr.name in f.FILTERS, (
            f"{template.name}:{expr.lineno}: prints a value without a fluentd_* filter"
        )


def test_json_example_in_docs_is_valid() -> None:
    # The JSON arrays the templates write are plain JSON to fluentd as well.
    assert json.loads(f.json_value(["%iso8601"])) == ["%iso8601"]
