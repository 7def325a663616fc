"""The Fluentd target: both specs render configs the strict grammar oracle accepts, with the intended
pipeline (sources, line joining, parsing, metadata, routing, outputs, buffers), and only
``#{ENV[...]}`` as Ruby code. Also the helpers the other ``test_render_*`` modules share.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from guardiangen import pipeline
from guardiangen.plan import logging as plan_logging
from guardiangen.plan.model import Plan
from guardiangen.render import fluentd
from guardiangen.spec.models import ClusterSpec
from tests.conftest import REFERENCE_SPEC, ROOT, plan_of, render_context

from .grammar import Config, Element, Value, parse, ruby_interpolations, validate

MINIMAL_SPEC = Path(__file__).parent / "minimal-cluster.yaml"


# ----------------------------------------------------------------------------------- helpers


def load_spec(path: Path) -> ClusterSpec:
    result = pipeline.validate(str(path))
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    return result.spec


def render_plan(plan: Plan) -> str:
    """The rendered fluentd.conf of ``plan``."""
    return fluentd.render(render_context(plan))[fluentd.CONFIG]


def render_text(spec: ClusterSpec, base: Plan | None = None) -> str:
    """The rendered fluentd.conf of ``spec``: of its whole plan, or of ``base`` with the log pipeline
    planned from ``spec`` (the only part of the plan this target reads: the hostile tests edit the
    spec hundreds of times, and a whole plan each would take minutes)."""
    plan = plan_of(spec) if base is None else replace(base, logging=plan_logging.build(spec))
    return render_plan(plan)


def oracle_errors(text: str) -> list[str]:
    return [str(d) for d in validate(text)]


def matches(config: Config) -> list[Element]:
    return [el for el in config.walk() if el.name == "match"]


def outputs(config: Config) -> list[Element]:
    return [el for el in matches(config) if (el.type or "").startswith("elasticsearch")]


def sources(config: Config, plugin: str) -> list[Element]:
    return [el for el in config.directives("source") if el.type == plugin]


def value(el: Element, key: str) -> Value:
    p = el.param(key)
    assert p is not None, f"{el.tag} has no {key}"
    return p.value


def ruby_regexp(text: str) -> re.Pattern[str]:
    """A ``/.../`` value of the config as a Python pattern (the renderer only uses syntax both share)."""
    assert text.startswith("/") and text.endswith("/"), text
    body = re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", text[1:-1])  # Ruby's named groups
    return re.compile(body.replace("\\z", "\\Z"))


@pytest.fixture(scope="module")
def reference_spec() -> ClusterSpec:
    return load_spec(REFERENCE_SPEC)


@pytest.fixture(scope="module")
def minimal_spec() -> ClusterSpec:
    return load_spec(MINIMAL_SPEC)


@pytest.fixture(scope="module", params=["reference", "minimal"])
def case(request: pytest.FixtureRequest, reference_spec: ClusterSpec, minimal_spec: ClusterSpec) -> ClusterSpec:
    return reference_spec if request.param == "reference" else minimal_spec


# ------------------------------------------------------------------------------------- tests


def test_render_passes_the_strict_oracle(case: ClusterSpec) -> None:
    assert oracle_errors(render_text(case)) == []


def test_only_ruby_code_is_the_credential_env_reference(case: ClusterSpec) -> None:
    es = case.logging.elasticsearch if case.logging else None
    assert es is not None
    names = [n for n in (es.password_env, es.api_key_env) if n]
    found = {code for _, code in ruby_interpolations(parse(render_text(case)))}
    assert found == {f"ENV['{n}']" for n in names}


def test_no_logging_section_no_files(reference_spec: ClusterSpec) -> None:
    spec = reference_spec.model_copy(update={"logging": None})
    assert fluentd.render(render_context(plan_of(spec))) == {}


def test_tail_sources(case: ClusterSpec) -> None:
    assert case.logging is not None
    config = parse(render_text(case))
    tails = sources(config, "tail")
    assert [value(t, "path").text for t in tails] == [s.path for s in case.logging.sources]
    pos_files = [value(t, "pos_file").text for t in tails]
    assert pos_files == [f"{case.logging.buffer.path}/guardiangen.positions/{s.name}.pos" for s in case.logging.sources]
    for tail, src in zip(tails, case.logging.sources, strict=True):
        assert value(tail, "@label").text == "@JOIN_LINES"
        assert value(tail, "read_from_head").text == "true"
        (parse_el,) = tail.sections("parse")
        if src.format == "cri":
            assert parse_el.type == "regexp"
            expression = ruby_regexp(value(parse_el, "expression").text)
            m = expression.fullmatch('2024-05-01T10:00:00.123456789Z stderr P {"component": "x"')
            assert m is not None
            assert m.group("stream", "logtag", "log") == ("stderr", "P", '{"component": "x"')
            assert value(parse_el, "time_format").text == "%Y-%m-%dT%H:%M:%S.%N%:z"
        else:
            assert parse_el.type == "json"
            assert value(parse_el, "time_format").text == "%Y-%m-%dT%H:%M:%S.%NZ"
            assert value(parse_el, "utc").text == "true"
        assert value(parse_el, "time_format_fallbacks").json_value == ["%iso8601"]


def test_split_lines_are_joined_before_anything_else(case: ClusterSpec) -> None:
    assert case.logging is not None
    (join,) = [el for el in parse(render_text(case)).directives("label") if el.arg == "@JOIN_LINES"]
    concats = join.sections("filter")
    assert [f.type for f in concats] == ["concat"] * len(case.logging.sources)
    for f, src in zip(concats, case.logging.sources, strict=True):
        assert f.arg == f"kube.{src.name}.**"
        assert value(f, "timeout_label").text == "@ENRICH"
        assert value(f, "separator").text == ""
        if src.format == "cri":
            assert value(f, "use_partial_cri_logtag").text == "true"
        else:
            assert ruby_regexp(value(f, "multiline_end_regexp").text).search("part\n")
    (relabel,) = join.sections("match")
    assert (relabel.type, value(relabel, "@label").text) == ("relabel", "@ENRICH")


def test_enrichment_parses_json_then_adds_metadata(case: ClusterSpec) -> None:
    (enrich,) = [el for el in parse(render_text(case)).directives("label") if el.arg == "@ENRICH"]
    parser, metadata = enrich.sections("filter")
    assert parser.type == "parser"
    assert {k: value(parser, k).text for k in ("key_name", "reserve_data", "reserve_time")} == {
        "key_name": "log",
        "reserve_data": "true",
        "reserve_time": "true",
    }
    (parse_el,) = parser.sections("parse")
    assert parse_el.type == "json"
    assert value(parse_el, "time_key").text == ""  # no field of the service's JSON becomes the event time
    assert metadata.type == "kubernetes_metadata"


def test_routing_by_component_with_explicit_catch_all(case: ClusterSpec) -> None:
    assert case.logging is not None
    config = parse(render_text(case))
    (router,) = [m for m in matches(config) if m.type == "rewrite_tag_filter"]
    assert value(router, "@label").text == "@OUTPUT"
    rules = router.sections("rule")
    comps = case.logging.components
    assert len(rules) == len(comps) + 1
    for rule, comp in zip(rules[:-1], comps, strict=True):
        assert value(rule, "key").text == "component"
        assert value(rule, "tag").text == f"component.{comp.name}"
        assert rule.param("invert") is None
        pattern = ruby_regexp(value(rule, "pattern").text)
        for c in comps:
            for v in c.component_values:
                assert bool(pattern.search(v)) == (c is comp), (comp.name, v)
                assert not pattern.search(v + "\n"), "anchored at the end of the text, not of a line"
    catch_all = rules[-1]
    assert value(catch_all, "invert").text == "true"
    assert value(catch_all, "tag").text == "component.guardiangen.unrouted"
    known = ruby_regexp(value(catch_all, "pattern").text)
    assert all(known.search(v) for c in comps for v in c.component_values)
    assert not known.search("something-else")
    # Every tag the router can produce has exactly one output.
    produced = [value(r, "tag").text for r in rules]
    assert [o.arg for o in outputs(config)] == produced


def test_outputs_elasticsearch_8_data_streams(reference_spec: ClusterSpec) -> None:
    logging = reference_spec.logging
    assert logging is not None and logging.elasticsearch.major_version == 8
    outs = outputs(parse(render_text(reference_spec)))
    ns = logging.data_stream_namespace
    datasets = [c.name for c in logging.components] + ["guardiangen.unrouted"]
    assert [value(o, "data_stream_name").text for o in outs] == [f"logs-{d}-{ns}" for d in datasets]
    for o in outs:
        assert o.type == "elasticsearch_data_stream"
        assert o.param("type_name") is None and o.param("suppress_type_name") is None
        assert value(o, "default_elasticsearch_version").text == "8"
        assert value(o, "hosts").text == ",".join(logging.elasticsearch.hosts)
        assert (value(o, "scheme").text, value(o, "ssl_verify").text) == ("https", "true")
        assert value(o, "ca_file").text == logging.elasticsearch.ca_file
        assert value(o, "user").text == logging.elasticsearch.user
        assert value(o, "password").text == "#{ENV['ES_PASSWORD']}"
        assert o.param("api_key") is None


def test_outputs_elasticsearch_7_indices(minimal_spec: ClusterSpec) -> None:
    logging = minimal_spec.logging
    assert logging is not None and logging.elasticsearch.major_version == 7
    outs = outputs(parse(render_text(minimal_spec)))
    ns = logging.data_stream_namespace
    datasets = [c.name for c in logging.components] + ["guardiangen.unrouted"]
    assert [value(o, "logstash_prefix").text for o in outs] == [f"logs.{d}-{ns}" for d in datasets]
    for o in outs:
        assert o.type == "elasticsearch"
        assert value(o, "suppress_type_name").text == "true"
        assert value(o, "logstash_format").text == "true"
        assert o.param("type_name") is None
        assert value(o, "default_elasticsearch_version").text == "7"
        assert value(o, "ssl_verify").text == "false"
        assert o.param("ca_file") is None and o.param("user") is None and o.param("password") is None
        assert value(o, "api_key").text == "#{ENV['ES_API_KEY']}"


def test_plain_http_hosts_get_no_tls_settings(minimal_spec: ClusterSpec) -> None:
    assert minimal_spec.logging is not None
    es = minimal_spec.logging.elasticsearch.model_copy(update={"hosts": ["http://es:9200"]})
    spec = minimal_spec.model_copy(update={"logging": minimal_spec.logging.model_copy(update={"elasticsearch": es})})
    text = render_text(spec)
    assert oracle_errors(text) == []
    for o in outputs(parse(text)):
        assert o.param("scheme") is None and o.param("ssl_verify") is None


def test_buffers_are_bounded_with_finite_retries_and_a_secondary(case: ClusterSpec) -> None:
    assert case.logging is not None
    buf = case.logging.buffer
    outs = outputs(parse(render_text(case)))
    datasets = [c.name for c in case.logging.components] + ["guardiangen.unrouted"]
    for o, d in zip(outs, datasets, strict=True):
        (b,) = o.sections("buffer")
        assert value(b, "@type").text == "file"
        assert value(b, "path").text == f"{buf.path}/{d}"
        assert value(b, "chunk_limit_size").text == buf.chunk_limit_size
        assert value(b, "total_limit_size").text == buf.total_limit_size
        assert value(b, "overflow_action").text == buf.overflow_action
        assert value(b, "retry_type").text == "exponential_backoff"
        assert b.param("retry_forever") is None
        for key in ("flush_interval", "retry_max_interval", "retry_timeout"):
            assert _seconds(value(b, key).text) == getattr(buf, key).seconds, key
        (sec,) = o.sections("secondary")
        assert value(sec, "@type").text == "secondary_file"
        assert value(sec, "directory").text == f"{buf.secondary_path}/{d}"


def test_every_path_and_id_is_distinct(case: ClusterSpec) -> None:
    config = parse(render_text(case))
    paths = [value(b, "path").text for b in config.walk() if b.name == "buffer"]
    paths += [value(s, "directory").text for s in config.walk() if s.name == "secondary"]
    paths += [value(t, "pos_file").text for t in sources(config, "tail")]
    assert len(paths) == len(set(paths))
    ids = [value(el, "@id").text for el in config.walk() if el.param("@id")]
    assert len(ids) == len(set(ids))


def test_fluentd_metrics_only_when_a_port_is_set(reference_spec: ClusterSpec, minimal_spec: ClusterSpec) -> None:
    assert reference_spec.logging is not None and reference_spec.logging.fluentd_metrics_port == 24231
    config = parse(render_text(reference_spec))
    (prom,) = sources(config, "prometheus")
    assert value(prom, "port").text == "24231"
    for plugin in ("prometheus_monitor", "prometheus_output_monitor", "prometheus_tail_monitor"):
        assert len(sources(config, plugin)) == 1
    assert [s.type for s in parse(render_text(minimal_spec)).directives("source")] == ["tail"]


def test_system_block(case: ClusterSpec) -> None:
    (system,) = parse(render_text(case)).directives("system")
    assert (value(system, "workers").text, value(system, "log_level").text) == ("1", "info")


def test_target_is_registered() -> None:
    from guardiangen.render import targets

    assert fluentd.TARGET in targets()


def test_validate_does_not_import_jinja2() -> None:
    code = (
        "import sys\n"
        "from guardiangen import pipeline\n"
        "import guardiangen.render.fluentd\n"
        f"assert pipeline.validate({str(REFERENCE_SPEC)!r}).spec is not None\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def _seconds(text: str) -> float:
    m = re.fullmatch(r"([0-9]+)([smhd])", text)
    if m:
        return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    return float(text)


def test_oracle_checks_the_join_filter_label(reference_spec: ClusterSpec) -> None:
    """The whitelist entry for concat treats timeout_label as a label reference."""
    text = render_text(reference_spec).replace("timeout_label @ENRICH", "timeout_label @NOWHERE")
    assert any("label @NOWHERE is not defined" in e for e in oracle_errors(text))


@pytest.mark.parametrize("section", ["sources", "components"])
def test_duplicate_names_are_refused(reference_spec: ClusterSpec, section: str) -> None:
    logging = reference_spec.logging
    assert logging is not None
    first = getattr(logging, section)[0]
    spec = reference_spec.model_copy(update={"logging": logging.model_copy(update={section: [first, first]})})
    with pytest.raises(fluentd.UnsafeValueError, match="used twice"):
        render_text(spec)
