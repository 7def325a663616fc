"""Tests of the Fluentd v1 grammar oracle in ``grammar.py`` (the oracle itself is test code, not shipped).

The corpus tests compare :func:`validate` with ``corpus/broken/*.expected``; the property tests check the
quoting rules guardiangen's renderer uses against the parser's port of fluentd's ``LiteralParser``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from .grammar import (
    BUFFERS,
    FILTERS,
    FORMATTERS,
    MATCHES,
    PARSERS,
    SECONDARIES,
    SOURCES,
    Config,
    FluentdConfigError,
    Value,
    check_ids,
    check_policy,
    parse,
    parse_file,
    ruby_interpolations,
    validate,
)

CORPUS = Path(__file__).parent / "corpus"
VALID = sorted((CORPUS / "valid").glob("*.conf"))
BROKEN = sorted((CORPUS / "broken").glob("*.conf"))

SOURCE = "<source>\n  @type forward\n  @id in_forward\n</source>\n"
DISCARD = "<match **>\n  @type null\n  @id out_discard\n</match>\n"


def _lines(path: Path) -> list[str]:
    return [str(d) for d in validate(path.read_text(), base_dir=path.parent, filename=path.name)]


def _record_config(rendered_value: str) -> str:
    return (
        SOURCE
        + "<filter app.**>\n  @type record_transformer\n  @id filter_message\n  <record>\n"
        + f"    message {rendered_value}\n"
        + "  </record>\n</filter>\n"
        + DISCARD
    )


def _message(config: Config) -> Value:
    param = config.directives("record")[0].param("message")
    assert param is not None
    return param.value


def _value(line: str) -> Value:
    """The decoded value of ``key VALUE`` inside a <record> (which accepts any key)."""
    return _message(parse(_record_config(line)))


# ---------------------------------------------------------------------------------------------------
# Corpus


def test_corpus_has_enough_cases() -> None:
    assert len(VALID) >= 4
    assert len(BROKEN) >= 15
    for conf in BROKEN:
        expected = conf.with_suffix(".expected")
        assert expected.is_file(), f"{conf.name} has no .expected file"
        assert expected.read_text().strip(), f"{expected.name} is empty"


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_corpus(path: Path) -> None:
    assert _lines(path) == []
    config = parse_file(path)
    assert config.elements, "a valid corpus file should not be empty"
    assert all(d.file is None for d in validate(path.read_text(), base_dir=path.parent))


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_corpus(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text().splitlines()
    assert _lines(path) == expected


def test_valid_tree_shape() -> None:
    config = parse_file(CORPUS / "valid" / "k8s_to_elasticsearch.conf")
    top = [(e.name, e.arg, e.type) for e in config.elements]
    assert top[:5] == [
        ("system", "", None),
        ("source", "", "prometheus"),
        ("source", "", "prometheus_monitor"),
        ("source", "", "prometheus_output_monitor"),
        ("source", "", "tail"),
    ]
    labels = {e.arg: e for e in config.elements if e.name == "label"}
    assert set(labels) == {"@ELASTICSEARCH", "@ERROR", "@FLUENT_LOG"}
    es = labels["@ELASTICSEARCH"].sections("match")[0]
    assert es.type == "elasticsearch_data_stream"
    assert es.get("data_stream_name") == "logs-guardian-production"
    (buffer,) = es.sections("buffer")
    assert (buffer.arg, buffer.type, buffer.get("total_limit_size")) == ("tag", "file", "2g")
    (secondary,) = es.sections("secondary")
    assert secondary.type == "secondary_file"
    assert [r.get("tag") for r in config.directives("rule")] == ["guardian.$1", "guardian.other"]
    tail = config.elements[4]
    assert tail.sections("parse")[0].get("time_format") == "%Y-%m-%dT%H:%M:%S.%NZ"


def test_ruby_interpolations_of_valid_config() -> None:
    config = parse_file(CORPUS / "valid" / "k8s_to_elasticsearch.conf")
    assert ruby_interpolations(config) == [
        (58, "ENV['KUBERNETES_SERVICE_HOST']"),
        (58, "ENV['KUBERNETES_SERVICE_PORT_HTTPS']"),
        (89, "ENV['NODE_NAME']"),
        (133, "ENV['ES_USERNAME']"),
        (134, "ENV['ES_PASSWORD']"),
    ]
    record = config.directives("record")[0]
    assert record.get("log_source") == "fluentd #1 on #{ENV['NODE_NAME']}"  # \# is a literal '#'


# ---------------------------------------------------------------------------------------------------
# Layers and error reporting


def test_parse_raises_once_with_every_error() -> None:
    text = (
        SOURCE
        + "<match app.**>\n  @type null\n  @id out\n  never_flush maybe\n  flush_bogus 1\n</match>\n"
        + "<filter app.**>\n  @type grep\n  @id f\n"
    )
    with pytest.raises(FluentdConfigError) as info:
        parse(text)
    assert [str(e) for e in info.value.errors] == [
        "line 8: invalid value 'maybe' for never_flush: expected true or false",
        "line 9: unknown parameter 'flush_bogus' for @type null",
        "line 11: <filter> opened here is never closed",
    ]
    assert str(info.value).splitlines()[0] == "line 8: invalid value 'maybe' for never_flush: expected true or false"


def test_policy_and_ids_are_separate_from_the_grammar() -> None:
    text = (
        "<source>\n  @type forward\n</source>\n"
        "<match **>\n  @type elasticsearch\n  @id out_es\n  type_name _doc\n</match>\n"
    )
    config = parse(text)  # fluentd accepts all of this
    assert [str(d) for d in check_policy(config)] == [
        "line 4: <match **> (@type elasticsearch) has no <buffer>: its size and retries must be set explicitly",
        "line 7: type_name is not allowed: Elasticsearch 8 has no mapping types",
    ]
    assert [str(d) for d in check_ids(config)] == ["line 1: <source> has no @id"]


def test_check_ids_covers_stores_and_secondaries() -> None:
    text = (
        SOURCE
        + "<match **>\n  @type copy\n  @id out_copy\n"
        + "  <store>\n    @type null\n  </store>\n"
        + "  <store>\n    @type null\n    @id out_copy\n  </store>\n</match>\n"
    )
    assert [str(d) for d in check_ids(parse(text))] == [
        "line 8: <store> has no @id",
        "line 13: duplicate @id 'out_copy' (first used on line 7)",
    ]


def test_retry_forever_false_is_fine_and_true_is_not() -> None:
    def config(flag: str) -> str:
        return (
            SOURCE
            + "<match **>\n  @type forward\n  @id out\n  <server>\n    host a\n  </server>\n"
            + "  <buffer>\n    chunk_limit_size 8m\n    total_limit_size 64m\n    overflow_action block\n"
            + f"    retry_max_interval 30s\n    retry_timeout 1h\n    retry_forever {flag}\n  </buffer>\n</match>\n"
        )

    assert validate(config("false")) == []
    assert [str(d) for d in validate(config("true"))] == [
        "line 17: retry_forever is not allowed: set a finite retry_timeout or retry_max_times"
    ]
    assert len(validate(config("yes"))) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<label OUTPUT>\n  <match **>\n    @type null\n    @id o\n  </match>\n</label>\n", "needs a name"),
        ("<label @ROOT>\n  <match **>\n    @type null\n    @id o\n  </match>\n</label>\n", "reserved"),
        ("<label @EMPTY>\n</label>\n", "<label @EMPTY> has no <match>"),
        ("<match>\n  @type null\n  @id o\n</match>\n", "needs a tag pattern"),
        ("<match app.{a,b>\n  @type null\n  @id o\n</match>\n", "invalid tag pattern 'app.{a,b'"),
        ("<match app.**>\n  @type null\n  @id o\n  type null\n</match>\n", "deprecated alias: write '@type'"),
        ("<match app.**>\n  @type null\n  @id o\n  @label @X\n</match>\n", "unknown parameter '@label'"),
        ("<worker 0>\n  <system>\n  </system>\n</worker>\n", "<system> is not allowed inside <worker>"),
        ("root_level_key value\n", "parameter 'root_level_key' is outside of any directive"),
        ("include other.conf\n", "'include' is deprecated: write '@include'"),
        ("<source>\n  @type tail\n  @id t\n  path /x\n  tag x\n  <parse>\n  </parse>\n</source>\n", "no @type"),
        ("<match app.**>\n  @type null\n  @id o\n<buffer>\n</match>\n", "not closed before </match>"),
        ("<match app.** >x\n</match>\n", "unexpected text after the <match> tag"),
    ],
)
def test_structure_errors(body: str, message: str) -> None:
    found = [str(d) for d in validate(body)]
    assert any(message in line for line in found), found


def test_duplicate_label() -> None:
    label = "<label @OUT>\n  <match **>\n    @type null\n    @id o{n}\n  </match>\n</label>\n"
    found = [str(d) for d in validate(label.format(n=1) + label.format(n=2))]
    assert found == ["line 7: label @OUT is already defined on line 1"]


# ---------------------------------------------------------------------------------------------------
# Values: LiteralParser semantics


@pytest.mark.parametrize(
    ("written", "text", "style"),
    [
        ("value   # a comment", "value", "bare"),
        ("#not-a-comment", "#not-a-comment", "bare"),  # a '#' right after the key's space is text
        ("a#b c", "a#b c", "bare"),
        ("'single \\n \\' \\\\ \\x'", "single \\n ' \\ \\x", "single"),
        ('"tab\\t nl\\n cr\\r ff\\f bs\\b nul\\0"', "tab\t nl\n cr\r ff\f bs\b nul\0", "double"),
        ('"\\" \\\\ \\# \\$ \\{ \\} \\\' \\ "', "\" \\ # $ { } '  ", "double"),
        ('"price: 5 # not a comment"', "price: 5 # not a comment", "double"),
        ('"\\#{not code}"', "#{not code}", "double"),
        ('"#no-brace {x}"', "#no-brace {x}", "double"),
        ('["a", 1, {"b": null}]', '["a",1,{"b":null}]', "json"),
        ('{"k": "v#1"}', '{"k":"v#1"}', "json"),
        ('["\\u0023{not code}"]', '["#{not code}"]', "json"),
    ],
)
def test_value_decoding(written: str, text: str, style: str) -> None:
    value = _value(written)
    assert (value.text, value.style, value.interpolations) == (text, style, ())


def test_double_quoted_interpolations_are_recorded_with_positions() -> None:
    value = _value("\"a #{ENV['A']} b #{ENV[\"B\"] || 'x'} c\"")
    assert value.text == "a #{ENV['A']} b #{ENV[\"B\"] || 'x'} c"
    assert [(i.line, i.column, i.code) for i in value.interpolations] == [
        (9, 16, "ENV['A']"),
        (9, 30, "ENV[\"B\"] || 'x'"),
    ]


def test_interpolation_inside_json_values_and_tag_arguments() -> None:
    text = (
        "<source>\n  @type forward\n  @id in\n</source>\n<match \"#{ENV['TAG']}\">\n  @type null\n  @id o\n"
        "</match>\n<filter app.**>\n  @type record_transformer\n  @id f\n"
        '  remove_keys ["#{ENV[\'K\']}", # a comment\n    "x"]\n</filter>\n'
    )
    config = parse(text)
    assert ruby_interpolations(config) == [(5, "ENV['TAG']"), (12, "ENV['K']")]
    assert config.directives("filter")[0].get("remove_keys") == '["#{ENV[\'K\']}","x"]'


def test_multi_line_json_with_comments() -> None:
    value = _value('[\n      "a",  # first\n      "b"   # second\n    ]')
    assert (value.text, value.json_value) == ('["a","b"]', ["a", "b"])


@pytest.mark.parametrize(
    ("written", "error"),
    [
        ('"\\u0041"', "line 9, column 14: unexpected back-slash escape character 'u'"),
        ('"\\x41"', "line 9, column 14: unexpected back-slash escape character 'x'"),
        ('"\\1"', "line 9, column 14: unexpected back-slash escape character '1'"),
        ("'no end", "line 9, column 13: unterminated single-quoted string"),
        ('"no end', "line 9, column 13: unterminated double-quoted string"),
        ("\"#{ENV['X']\"", "line 9, column 14: unterminated #{...} Ruby code"),
        ('"a" b', "line 9, column 17: unexpected text after the value of 'message'"),
        ("[1,,2]", "line 9, column 13: invalid JSON array (ending on line 9)"),
        ("[NaN]", "line 9, column 13: invalid JSON array (ending on line 9)"),
    ],
)
def test_value_errors(written: str, error: str) -> None:
    with pytest.raises(FluentdConfigError) as info:
        parse(_record_config(written))
    assert [str(e) for e in info.value.errors] == [error]


def test_double_quoted_line_breaks_follow_fluentd() -> None:
    # A raw line break inside double quotes is kept (policy forbids it); a backslash before it joins
    # the lines; a single empty line inside the string is a parse error in fluentd's scanner.
    multi = parse(_record_config('"one\n    two"'))
    assert _message(multi).text == "one\n    two"
    assert [str(d) for d in check_policy(multi)] == [
        "line 9: the value of message spans lines inside double quotes: write \\n instead"
    ]
    assert _message(parse(_record_config('"one\\\n two"'))).text == "one two"
    errors = [str(d) for d in validate(_record_config('"one\n\ntwo"'))]
    assert errors[0] == "line 9, column 13: unterminated double-quoted string"


def test_quoted_keys_and_bare_values() -> None:
    # fluentd reads a key with scan_string too, so a double-quoted key evaluates #{...}; a bare value
    # never does, and a bare value starting with [ or { is JSON, not text.
    config = parse(_record_config("x").replace("    message x\n", "    \"k#{ENV['K']}\" #{ENV['V']}\n"))
    record = config.directives("record")[0]
    assert record.get("k#{ENV['K']}") == "#{ENV['V']}"
    assert ruby_interpolations(config) == [(9, "ENV['K']")]
    assert [str(d) for d in validate(_record_config("[draft] notes"))] == [
        "line 9, column 13: invalid JSON array (ending on line 9)"
    ]
    assert _value("'ENV || }' #{x}").text == "ENV || }"  # the rest of the line is a comment
    assert _value("\"#{ENV['A'] || '}'}\"").interpolations[0].code == "ENV['A'] || '}'"


def test_bare_key_alone_is_an_empty_value() -> None:
    text = _record_config("x").replace("    message x\n", "    flag\n")
    record = parse(text).directives("record")[0]
    assert record.get("flag") == ""


# ---------------------------------------------------------------------------------------------------
# @include


def test_include_resolution(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "b_outputs.conf").write_text("@include ../labels/*.conf\n")
    (tmp_path / "conf.d" / "a_sources.conf").write_text(
        "<source>\n  @type forward\n  @id in_forward\n  @label @OUT\n</source>\n"
    )
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "out.conf").write_text(
        "<label @OUT>\n  <match **>\n    @type null\n    @id out_discard\n  </match>\n</label>\n"
    )
    main = tmp_path / "fluent.conf"
    main.write_text("# main\n@include conf.d/*.conf\n")
    config = parse_file(main)
    assert [(e.name, e.file) for e in config.elements] == [
        ("source", "conf.d/a_sources.conf"),
        ("label", "labels/out.conf"),
    ]
    assert [(i.line, i.target, i.file) for i in config.includes] == [
        (1, "../labels/*.conf", "conf.d/b_outputs.conf"),
        (2, "conf.d/*.conf", None),
    ]
    assert validate(main.read_text(), base_dir=tmp_path) == []


def test_include_errors(tmp_path: Path) -> None:
    (tmp_path / "loop.conf").write_text("@include fluent.conf\n")
    (tmp_path / "bad.conf").write_text("<match **>\n  @type null\n  @id x\n  bogus 1\n</match>\n")
    main = tmp_path / "fluent.conf"
    main.write_text(SOURCE + "@include loop.conf\n@include bad.conf\n@include missing/*.conf\n")
    assert [str(d) for d in validate(main.read_text(), base_dir=tmp_path, filename="fluent.conf")] == [
        "line 7: @include missing/*.conf matches no file",
        "bad.conf, line 4: unknown parameter 'bogus' for @type null",
        "loop.conf, line 1: @include fluent.conf includes fluent.conf again (a cycle)",
    ]


def test_include_without_base_dir_is_recorded_not_read() -> None:
    config = parse(SOURCE + DISCARD + "@include conf.d/*.conf\n")
    assert [(i.line, i.target, i.resolved) for i in config.includes] == [(9, "conf.d/*.conf", ())]


# ---------------------------------------------------------------------------------------------------
# Whitelists


def test_whitelists_cover_the_plugins_guardiangen_uses() -> None:
    assert set(SOURCES) >= {"tail", "forward", "prometheus", "prometheus_monitor", "prometheus_output_monitor"}
    assert "monitor_agent" in SOURCES
    assert set(FILTERS) >= {"kubernetes_metadata", "parser", "record_transformer", "grep", "prometheus"}
    assert set(MATCHES) >= {
        "elasticsearch",
        "elasticsearch_data_stream",
        "relabel",
        "rewrite_tag_filter",
        "copy",
        "null",
        "stdout",
        "file",
        "forward",
    }
    assert set(BUFFERS) == {"file", "memory"}
    assert set(PARSERS) >= {"json", "regexp", "none", "multi_format"}
    assert set(SECONDARIES) == {"secondary_file", "file"}
    assert "json" in FORMATTERS
    assert "data_stream_name" in MATCHES["elasticsearch_data_stream"].params
    assert "pos_file" in SOURCES["tail"].params


# ---------------------------------------------------------------------------------------------------
# Properties: the renderer's quoting rules against the parser


def render_double_quoted(text: str) -> str:
    """The quoting guardiangen's renderer uses for user text."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
        .replace("#", "\\#")
    )
    return f'"{escaped}"'


def render_single_quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


TRICKY = st.text(st.sampled_from(list("ab #{}$\"\\'\n\r\t`%@<>[]")), max_size=40)
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=60)


@given(st.one_of(TRICKY, ANY_TEXT))
@example("#{ENV['HOME']}")
@example('\\"#{`id`}\\')
@example("")
@example("line\n\nbreak")
def test_double_quoted_round_trip(text: str) -> None:
    config_text = _record_config(render_double_quoted(text))
    config = parse(config_text)
    value = _message(config)
    assert value.text == text
    assert value.style == "double"
    assert ruby_interpolations(config) == []
    assert validate(config_text) == []


@given(st.one_of(TRICKY, ANY_TEXT).map(lambda s: s.replace("\n", "")))
@example("it's \\' fine")
def test_single_quoted_round_trip(text: str) -> None:
    config = parse(_record_config(render_single_quoted(text)))
    assert _message(config).text == text
    assert ruby_interpolations(config) == []


@given(st.text(st.sampled_from(list("ab\n")), min_size=1).filter(lambda s: "\n" in s))
def test_single_quoted_values_cannot_hold_line_breaks(text: str) -> None:
    errors = [str(d) for d in validate(_record_config(render_single_quoted(text)))]
    assert errors[0].startswith("line 9, column 13: unterminated single-quoted string")


SAFE = st.text(st.sampled_from(list("ab .:/$")), max_size=10)


@given(SAFE, st.from_regex(r"[a-z_][a-z_0-9.]{0,10}", fullmatch=True), SAFE)
def test_unescaped_hash_brace_is_ruby_code(prefix: str, code: str, suffix: str) -> None:
    # Without the \# escape, user text containing #{...} becomes Ruby code that fluentd evaluates.
    naive = '"' + prefix + "#{" + code + "}" + suffix + '"'
    config = parse(_record_config(naive))
    assert ruby_interpolations(config) == [(9, code)]
    assert [d.message for d in check_policy(config)] == [
        f"Ruby code #{{{code}}} is not allowed (only #{{ENV['NAME']}})"
    ]
    assert ruby_interpolations(parse(_record_config(render_double_quoted(prefix + "#{" + code + "}" + suffix)))) == []


@given(st.from_regex(r"[a-z][a-z0-9]*([_-][a-z0-9]+)*", fullmatch=True))
def test_names_round_trip_unquoted(name: str) -> None:
    # spec Name values (lowercase words joined by - or _) need no quoting.
    assert _value(name).text == name


CONFIG_PIECES = [*"<>/\"'[]{}#@ \t\n\r\\abm", "<match a>", "</match>", "<source>", "</source>", "@type null", "#{"]


@given(st.lists(st.sampled_from(CONFIG_PIECES), max_size=60).map("".join))
def test_validate_never_crashes(text: str) -> None:
    # An oracle must report, not crash: any text gives a list of positioned diagnostics.
    for d in validate(text):
        assert d.line >= 1
        assert d.column is None or d.column >= 1
