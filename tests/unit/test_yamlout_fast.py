"""The emitter's fast paths (cached string text, exact-type dispatch) against an independent reader.

Strings come from a small pool so that the same text recurs as key and value, at several depths and
across dumps, which is what the shared text cache serves; every dump must read back, under YAML 1.2
and YAML 1.1 rules, as exactly the data that was written.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from guardiangen.render import yamlout
from guardiangen.render.yamlout import dump

TRICKY = [
    "", " ", "a", "y", "yes", "No", "null", "Null", "~", "true", "1e3", "1E3", "0o7", "0x1F", "1_000", ".5", "+1",
    "12:30", "5m", "1h30m", "500ms", "5", "a: b", "a:b", "a:", "a ", " a", "a #b", "a#b", "#a", "- a", "-", "? a",
    "{{ $labels.job }}", "{{ end }}", "'q'", '"q"', "it's", 'say "hi"', "back\\slash", "a\tb", "a\rb",
    "multi\nline\n", "multi\nline", "x\n", "\n", "tail\n\n", "  lead\nx", "a\n\nb\n", "a\u00a0b", "a\u200bb",
    "a\ue000b", "a\U000e0001b", "\u2028", "a\x85b", "é😀", "rate(x[5m]) > 0", 'up{job="a", b=~"c|d"} == 0',
    "/path", "(x)", "_x", "%x", "@x", "`x`", "!x", "&x", "*x", "|x", ">x", "[a]", "{a}", "a, b", ".inf", "-.inf",
]  # fmt: skip
strings = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))
scalars = st.one_of(
    strings,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.floats(allow_nan=False, allow_infinity=True),
)
data = st.recursive(
    scalars,
    lambda c: (
        st.lists(c, max_size=4)
        | st.lists(c, max_size=3).map(tuple)
        | st.dictionaries(strings, c, max_size=4)
        | st.dictionaries(strings, c, max_size=3).map(OrderedDict)
    ),
    max_leaves=30,
)


def _load(text: str, version: tuple[int, int]) -> Any:
    yaml = YAML(typ="safe", pure=True)
    if version == (1, 1):
        text = "%YAML 1.1\n---\n" + text
    return yaml.load(io.StringIO(text))


def _plain(value: Any) -> Any:
    """What a YAML reader gives back: tuples are sequences, ordered dicts are mappings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@settings(max_examples=500, deadline=None)
@given(st.lists(data, min_size=1, max_size=3))
def test_round_trip_with_recurring_text(values: list[Any]) -> None:
    for value in values:  # one after another: later dumps meet text the earlier ones cached
        text = dump(value)
        for version in ((1, 2), (1, 1)):
            assert _load(text, version) == _plain(value), (version, text)


@settings(max_examples=200, deadline=None)
@given(data)
def test_text_does_not_depend_on_the_cache(value: Any) -> None:
    warm = dump(value)
    yamlout._TEXT_CACHE.clear()
    assert dump(value) == warm


def test_cache_stays_bounded() -> None:
    dump({f"k{i}": f"v{i}" for i in range(yamlout._TEXT_CACHE_MAX + 10)})
    assert len(yamlout._TEXT_CACHE) <= yamlout._TEXT_CACHE_MAX
