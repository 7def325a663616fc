"""Shapes: texts equal up to their names share a key, anything else does not, and a key can be undone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from guardiangen.plan import shapes
from guardiangen.plan.model import Rule
from guardiangen.plan.rules.chunks import Mentions


def test_texts_that_differ_only_by_names_share_a_key() -> None:
    a = ('up{specialist="code"} > 1', "code-availability")
    b = ('up{specialist="math"} > 1', "math-availability")
    assert shapes.shape_key(a, ("code-availability", "code")) == shapes.shape_key(b, ("math-availability", "math"))


def test_any_other_difference_gives_another_key() -> None:
    a = ('up{specialist="code"} > 1',)
    b = ('up{specialist="math"} > 2',)
    assert shapes.shape_key(a, ("code",)) != shapes.shape_key(b, ("math",))


def test_names_keep_their_positions() -> None:
    """Swapping which name stands where is a difference: the first owner of one set is matched with
    the first owner of the other."""
    a = ("a=x b=y",)
    b = ("a=y b=x",)
    assert shapes.shape_key(a, ("x", "y")) != shapes.shape_key(b, ("x", "y"))
    assert shapes.shape_key(a, ("x", "y")) == shapes.shape_key(b, ("y", "x"))


def test_a_name_inside_other_text_only_splits_shapes() -> None:
    """``code`` inside the team ``code-platform`` is replaced there too; a specialist ``math`` of
    the same team then has another key (a test more, never one less)."""
    a = ("specialist=code team=code-platform",)
    b = ("specialist=math team=code-platform",)
    assert shapes.shape_key(a, ("code",)) != shapes.shape_key(b, ("math",))


def test_longer_names_are_replaced_first() -> None:
    a = ("slo=code-latency owner=code",)
    b = ("slo=math-latency owner=math",)
    assert shapes.shape_key(a, ("code", "code-latency")) == shapes.shape_key(b, ("math", "math-latency"))


def test_names_that_are_not_plain_text_share_nothing() -> None:
    """A name with a control character could meet a placeholder: such a set keeps its own text."""
    assert shapes.shape_key(("x\ty",), ("x\ty",)) != shapes.shape_key(("z\ty",), ("z\ty",))
    assert shapes.shape_key(("a",), ("",)) != shapes.shape_key(("b",), ("",))


def test_representatives_keep_first_occurrence_order() -> None:
    items = ["b1", "a1", "b2", "c1", "a2"]
    assert shapes.representatives(items, lambda s: s[0]) == [("b1", ["b2"]), ("a1", ["a2"]), ("c1", [])]


def _undo(key: str, names: tuple[str, ...]) -> str:
    """Put the names back, in the reverse order of replacement (shortest first)."""
    order = sorted(enumerate(names), key=lambda p: (-len(p[1]), p[0]))
    for i, name in reversed(order):
        key = key.replace(shapes._placeholder(i), name)
    return key


_name = st.text(alphabet="abc-01", min_size=1, max_size=4)


@given(
    st.lists(st.text(alphabet="abc-01 {}\"'=\n\x00", max_size=30), max_size=4),
    st.lists(_name, min_size=1, max_size=4),
)
def test_a_key_can_be_undone(parts: list[str], names: list[str]) -> None:
    """The soundness of sharing: from a key and a set's names, the set's text comes back exactly.
    So two sets with one key are each other's text with the other's names put in."""
    key = shapes.shape_key(parts, tuple(names))
    assert isinstance(key, str)
    assert _undo(key, tuple(names)) == "\x1e".join(repr(p) for p in parts)


def test_records_read_through_a_cycle_are_all_seen() -> None:
    """Which loaded rules a chunk's alerts can read: the closure over record names, cycles too."""
    loaded = (
        Rule(expr="b + x", record="a"),
        Rule(expr="a + y", record="b"),
        Rule(expr="1", record="c"),
    )
    mentions = Mentions(loaded, set())
    assert mentions.read_by([Rule(expr="b > 1", alert="A")]) == {"a", "b"}
    assert mentions.read_by([Rule(expr="a > 1", alert="A")]) == {"a", "b"}
    assert mentions.read_by([Rule(expr="c > 1", alert="A")]) == {"c"}
