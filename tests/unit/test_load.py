"""The loader keeps positions and turns YAML problems into diagnostics."""

from __future__ import annotations

from guardiangen.load import load_text


def test_positions_of_keys_and_values() -> None:
    doc, diags = load_text("a:\n  b: 1\n  list:\n    - x\n    - {y: 2}\n", "f.yaml")
    assert not diags and doc is not None
    assert doc.data == {"a": {"b": 1, "list": ["x", {"y": 2}]}}
    assert doc.positions.of_key(("a", "b")) == (2, 3)
    assert doc.positions.of_value(("a", "b")) == (2, 6)
    assert doc.positions.of_value(("a", "list", 1)) == (5, 7)
    assert doc.positions.of_key(("a", "list", 1, "y")) == (5, 8)
    # a path that does not exist falls back to its nearest ancestor
    assert doc.positions.of_value(("a", "list", 1, "missing")) == (5, 7)


def test_every_duplicate_key_is_reported() -> None:
    doc, diags = load_text("a: 1\nb: 2\na: 3\nb: 4\n", "f.yaml")
    assert doc is None
    assert [d.format_text() for d in diags] == [
        'f.yaml:3:1: error[GG004] duplicate key "a" (first defined on line 1)',
        'f.yaml:4:1: error[GG004] duplicate key "b" (first defined on line 2)',
    ]


def test_tabs_are_reported_per_line() -> None:
    doc, diags = load_text("a:\n\tb: 1\n\tc: 2\n", "f.yaml")
    assert doc is None
    assert [(d.line, d.col, d.code) for d in diags] == [(2, 1, "GG003"), (3, 1, "GG003")]


def test_syntax_error_has_position() -> None:
    doc, diags = load_text("a: [1, 2\nb: 3\n", "f.yaml")
    assert doc is None
    assert len(diags) == 1 and diags[0].code == "GG002" and diags[0].line >= 2


def test_scalars_follow_yaml_1_2() -> None:
    doc, _ = load_text("a: 99.9\nb: yes\nc: true\nd: null\ne: '5'\nf: 010\n", "f.yaml")
    assert doc is not None
    assert doc.data == {"a": 99.9, "b": "yes", "c": True, "d": None, "e": "5", "f": 10}


def test_empty_and_non_mapping_documents() -> None:
    assert load_text("", "f.yaml")[1][0].code == "GG005"
    assert load_text("- 1\n", "f.yaml")[1][0].code == "GG005"


def test_custom_tags_and_merge_keys_are_refused() -> None:
    for tagged in ("a: !!python/object 1\n", "a: !custom x\n", "a: !!binary aGk=\n"):
        _, diags = load_text(tagged, "f.yaml")
        assert [d.code for d in diags] == ["GG006"], tagged
    _, diags = load_text("x: &x {a: 1}\ny:\n  <<: *x\n", "f.yaml")
    assert [d.code for d in diags] == ["GG006"]


def test_yaml_1_2_flow_plain_scalars_with_colons() -> None:
    # libyaml (the fast path) refuses this YAML 1.1-style; the loader falls back to ruamel's parser.
    doc, diags = load_text("hosts: [https://es.svc:9200, http://b:1]\nm: {u: http://x:1/a}\n", "f.yaml")
    assert diags == [] and doc is not None
    assert doc.data == {"hosts": ["https://es.svc:9200", "http://b:1"], "m": {"u": "http://x:1/a"}}
