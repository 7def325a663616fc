"""``json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)``, byte for byte, but fast.

With ``indent``, :func:`json.dumps` falls back to CPython's pure-Python encoder, which dominated
rendering a large fleet's dashboards. Here the C encoder does nearly all of the work:

* a container of plain values (``gridPos``, datasources, threshold steps, ...) is written in one
  call, with the newline and indentation of its depth as the C encoder's item separator;
* a dict holding containers at depth :data:`CACHED_DEPTH` is looked up by its compact JSON (which
  determines its indented text): the panels of a dashboard repeat the same ``fieldConfig`` and
  ``options``, so those are indented once and re-indented with :meth:`str.replace` (the only raw
  newlines in JSON text are the indentation's; strings escape theirs);
* only the other containers are walked in Python, their strings escaped by ``json``'s C escaper.

Anything unusual (non-string keys, subclasses of the JSON types, values that are not JSON) is left
to :func:`json.dumps` itself: the fast path gives up and the result, or the error, is ``json``'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _encoder
from typing import Any

INDENT = "  "
CACHED_DEPTH = 3
"""Dicts this deep are cached by content: the fields of a dashboard's panels (the panels are at depth 2)."""

_Encoder = Callable[[Any, int], Any]  # the C encoder: (value, indent level) -> chunks of text

_SCALARS = frozenset({str, int, float, bool, type(None)})
_STR = frozenset({str})
_LITERALS = {None: "null", True: "true", False: "false"}  # looked up only for these three objects
_encode_str: Callable[[str], str] = _encoder.encode_basestring
_c_make_encoder: Any = getattr(_encoder, "c_make_encoder", None)


class _Unusual(Exception):
    """A value the fast path does not reproduce; json.dumps writes the whole document instead."""


def dumps(value: Any, cache: dict[str, str] | None = None) -> str:
    """Exactly ``json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)``.

    ``cache`` (compact JSON -> indented text of repeated dicts) may be shared by the calls that
    write similar documents; by default each call has its own."""
    if _c_make_encoder is None:  # no C accelerator (not CPython): nothing to gain
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
    try:
        return _Writer({} if cache is None else cache).value(value, "\n", 0)
    except (_Unusual, RecursionError, TypeError, ValueError):
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)


def _reject(value: Any) -> Any:
    raise _Unusual(type(value).__name__)


def _make_encoder(item_separator: str, key_separator: str = ": ") -> _Encoder:
    encoder: _Encoder = _c_make_encoder(
        None, _reject, _encode_str, None, key_separator, item_separator, True, False, True
    )
    return encoder


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


class _Writer:
    def __init__(self, cache: dict[str, str]) -> None:
        self.cache = cache
        self.leaf_encoders: dict[str, _Encoder] = {}
        self.compact = _make_encoder(",", ":")

    def value(self, value: Any, newline: str, depth: int) -> str:
        """``value`` written at ``depth`` on a line started by ``newline`` (a newline and indentation)."""
        kind = type(value)
        if kind is str:
            return _encode_str(value)
        if kind is dict:
            return self.dict(value, newline, depth) if value else "{}"
        if kind is list:
            return self.list(value, newline, depth) if value else "[]"
        if value is None or value is True or value is False:
            return _LITERALS[value]
        if kind is int:
            return int.__repr__(value)
        if kind is float:
            return _float(value)
        raise _Unusual(kind.__name__)

    def dict(self, value: dict[Any, Any], newline: str, depth: int) -> str:
        if not _STR.issuperset(map(type, value)):
            raise _Unusual("non-string key")
        if _SCALARS.issuperset(map(type, value.values())):
            inner = newline + INDENT
            return "{" + inner + "".join(self.leaf("," + inner)(value, 0))[1:-1] + newline + "}"
        if depth == CACHED_DEPTH:
            return self.cached(value, newline)
        return self.items(value, newline, depth)

    def list(self, value: list[Any], newline: str, depth: int) -> str:
        if _SCALARS.issuperset(map(type, value)):
            inner = newline + INDENT
            return "[" + inner + "".join(self.leaf("," + inner)(value, 0))[1:-1] + newline + "]"
        return self.items(value, newline, depth)

    def cached(self, value: Any, newline: str) -> str:
        key = "".join(self.compact(value, 0))
        text = self.cache.get(key)
        if text is None:
            text = self.cache[key] = self.items(value, "\n", CACHED_DEPTH)
        return text if newline == "\n" else text.replace("\n", newline)

    def items(self, value: Any, newline: str, depth: int) -> str:
        """A dict or list holding containers, one item per line."""
        inner = newline + INDENT
        separator = "," + inner
        if type(value) is dict:
            items = [_encode_str(k) + ": " + self.value(value[k], inner, depth + 1) for k in sorted(value)]
            return "{" + inner + separator.join(items) + newline + "}"
        return "[" + inner + separator.join([self.value(v, inner, depth + 1) for v in value]) + newline + "]"

    def leaf(self, separator: str) -> _Encoder:
        """The C encoder writing a container of plain values, items separated by ``separator``."""
        encoder = self.leaf_encoders.get(separator)
        if encoder is None:
            encoder = self.leaf_encoders[separator] = _make_encoder(separator)
        return encoder
