"""Our YAML emitter: any plain data reads back identically under YAML 1.2 and YAML 1.1 rules."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from guardiangen.render.yamlout import dump

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.floats(allow_nan=False, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["yes", "No", "ON", "off", "y", "n", "null", "~", "1e3", "0x10", "12:30", "1_000", ".inf",
                     "- a", "a: b", "#x", "&a", "*a", "!t", "{a}", "[a]", "'q'", '"q"', "%x", "@x", "`x`",
                     "multi\nline\n", "tail\n\n", " lead\nx", "\u2028", "\x85", "é😀"]),
)  # fmt: skip
keys = st.one_of(st.text(min_size=1, max_size=20), st.sampled_from(["yes", "on", "1", "a:b", "- x"]))
data = st.recursive(scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(keys, c, max_size=4), max_leaves=25)


def _load(text: str, version: tuple[int, int]) -> Any:
    yaml = YAML(typ="safe", pure=True)
    if version == (1, 1):
        text = "%YAML 1.1\n---\n" + text
    return yaml.load(io.StringIO(text))


@settings(max_examples=400, deadline=None)
@given(data)
def test_round_trip(value: Any) -> None:
    text = dump(value)
    for version in ((1, 2), (1, 1)):
        assert _load(text, version) == value, (version, text)


def test_block_layout() -> None:
    assert dump({"groups": [{"name": "g", "rules": [{"record": "a:b:c", "expr": "sum(x)"}]}], "e": []}) == (
        "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: sum(x)\ne: []\n"
    )
    assert dump({"for": "5m", "x": '- {{ template "a" . }}', "q": "it's\tx"}) == (
        'for: 5m\nx: \'- {{ template "a" . }}\'\nq: "it\'s\\tx"\n'
    )
    assert dump({"expr": 'x{a="b"} > 0', "t": "22:00", "n": "1", "w": "yes"}) == (
        "expr: x{a=\"b\"} > 0\nt: '22:00'\n'n': '1'\nw: 'yes'\n"
    )
