"""Rule sets that differ only by their owners' names share one generated test.

A fleet of a thousand specialists with the same objectives has a thousand copies of the same SLO
rules and alert chunks, each with its own names in it. A promtool test of every copy proves the same
thing a thousand times over (at 1,000 specialists such tests were two thirds of the output and of the
render time, and a `promtool test rules` run took hours). So tests are generated once per *shape*:
two rule sets have the same shape when each one's text, with its owners' names replaced by their
positions, is the same text. The first rule set of a shape (in spec order) gets the test, and its test
file names the others it stands for; their rules are its rules with other names in them.

The comparison is on text and errs one way only: a name that also occurs inside other text (a
specialist ``code`` of team ``code-platform``), or any difference at all besides the names, makes the
shapes differ, which costs a test file and never skips one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from guardiangen.plan.model import Rule, RuleGroup

T = TypeVar("T")

_MARK = "\x00"


def shape_key(parts: Iterable[object], names: Sequence[str]) -> Hashable:
    """The text of ``parts`` (their ``repr``) with the i-th name replaced by a placeholder for ``i``.

    Longer names go first, so ``code-platform`` is not read as ``code`` plus ``-platform``. ``repr``
    escapes control characters, so the placeholders (made of them) cannot occur in the text nor
    inside a printable name, and each replacement can be undone: equal keys mean equal texts up to
    the names. A set whose names are not plain printable text gets a key of its own (it shares no
    test).
    """
    text = "\x1e".join(repr(p) for p in parts)
    if any(not name or not name.isprintable() or _MARK in name for name in names):
        return ("unique", text, tuple(names))
    for i, name in sorted(enumerate(names), key=lambda p: (-len(p[1]), p[0])):
        text = text.replace(name, _placeholder(i))
    return text


def rule_fields(rule: Rule) -> tuple[object, ...]:
    """A rule as a plain tuple: its ``repr`` says the same as the dataclass's, many times faster."""
    return (rule.expr, rule.record, rule.alert, rule.for_, rule.keep_firing_for, rule.labels, rule.annotations)


def group_fields(group: RuleGroup) -> tuple[object, ...]:
    return (group.name, group.interval, group.limit, group.labels, group.file, [rule_fields(r) for r in group.rules])


def _placeholder(i: int) -> str:
    """Position ``i`` in control characters only: no printable name can match inside it."""
    return _MARK + "".join(chr(1 + int(d)) for d in str(i)) + _MARK


def representatives(items: Sequence[T], key: Callable[[T], Hashable]) -> list[tuple[T, list[T]]]:
    """``(first item of a shape, the later items of that shape)`` for every shape, in the order
    the shapes first occur."""
    classes: dict[Hashable, tuple[T, list[T]]] = {}
    for item in items:
        k = key(item)
        if k in classes:
            classes[k][1].append(item)
        else:
            classes[k] = (item, [])
    return list(classes.values())
