"""Deterministic YAML text for every YAML output: block style, fixed indent, no line wrapping.

A small emitter of our own rather than ruamel's: ruamel's pure-Python emitter spends about 0.2 ms a
node, which made large specs (tens of thousands of promtool test samples) take minutes. This one
writes only plain data (dicts in insertion order, lists, str, int, float, bool, None) and quotes
conservatively, so that YAML 1.1 readers (Go's yaml.v2/v3 in Prometheus and Alertmanager, PyYAML)
and YAML 1.2 readers (ruamel) read back exactly the same values; a property test checks that.
"""

from __future__ import annotations

import math
import re
from typing import Any

# Plain (unquoted) only for text that no YAML version reads as anything but that string, in block
# context: it starts with a letter, _, ( or / (so never a number, timestamp, indicator or .inf), has
# no ": " or " #" (mapping value / comment), no trailing ":" or blank, and only printable characters.
_PLAIN_START = re.compile(r"[A-Za-z_(/]")
# Prometheus durations (5m, 1h30m) read as strings in every YAML version; keep them plain.
_DURATION = re.compile(r"(?:[0-9]+(?:ms|[smhdwy]))+\Z")
_YAML11_WORDS = frozenset(
    w
    for word in ("y", "n", "yes", "no", "on", "off", "true", "false", "null")
    for w in (word, word.capitalize(), word.upper())
)
# Characters YAML cannot hold literally in a double-quoted scalar, plus ones readers handle unevenly.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
_NON_PRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufeff\ufffe\uffff]")
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufeff\ufffe\uffff]')


# Formatted text of strings (keys and single-line values), shared by every dump: label names and
# values, annotations and selectors repeat thousands of times in a large spec. Text with a line break
# is never cached (as a value it may become an indented literal block). Bounded: emptied when full.
_TEXT_CACHE: dict[str, str] = {}
_TEXT_CACHE_MAX = 1 << 15


def dump(data: Any) -> str:
    """YAML text of plain data (dicts keep their insertion order; renderers insert in a fixed order)."""
    out: list[str] = []
    if isinstance(data, dict) and data:
        _mapping(data, 0, out, "")
    elif isinstance(data, list | tuple) and data:
        _sequence(data, 0, out)
    else:
        out.append(_scalar(data, 0) + "\n")
    return "".join(out)


# _mapping and _sequence dispatch on the exact type of each value (plain data, as renderers build
# it); anything else, subclasses included, takes the general path of _block_entry and _scalar.


def _mapping(data: dict[Any, Any], indent: int, out: list[str], lead: str) -> None:
    """Entries at ``indent``; the first line starts with ``lead`` ("- " for a list item) in place of the pad."""
    pad = " " * indent
    child = indent + 2
    cache = _TEXT_CACHE
    append = out.append
    for key, value in data.items():
        k = cache.get(key) if type(key) is str else None
        if k is None:
            k = _key(key)
        t = type(value)
        if t is str:
            text = cache.get(value)
            if text is None:
                text = _text(value, child)
        elif t is dict or t is list or t is tuple:
            if value:
                append(lead + k + ":\n")
                if t is dict:
                    _mapping(value, child, out, pad + "  ")
                else:
                    _sequence(value, child, out)
                lead = pad
                continue
            text = "{}" if t is dict else "[]"
        else:
            other = _other_scalar(value, t)
            if other is None:
                _block_entry(f"{lead}{k}:", None, value, child, out)
                lead = pad
                continue
            text = other
        append(lead + k + ": " + text + "\n")
        lead = pad


def _sequence(data: list[Any] | tuple[Any, ...], indent: int, out: list[str]) -> None:
    pad = " " * indent
    dash = pad + "- "
    child = indent + 2
    cache = _TEXT_CACHE
    append = out.append
    for item in data:
        t = type(item)
        if t is str:
            text = cache.get(item)
            if text is None:
                text = _text(item, child)
        elif t is dict:
            if item:
                # "- " followed by the first key on the same line, the rest aligned under it
                _mapping(item, child, out, dash)
                continue
            text = "{}"
        elif t is list or t is tuple:
            if item:
                append(pad + "-\n")
                _sequence(item, child, out)
                continue
            text = "[]"
        else:
            other = _other_scalar(item, t)
            if other is None:
                _block_entry(f"{pad}-", f"{pad}- ", item, child, out)
                continue
            text = other
        append(dash + text + "\n")


def _other_scalar(value: Any, t: type) -> str | None:
    """Text of a float, None, bool or int of exactly that type; None for anything else."""
    if t is float:
        return _float(value)
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return str(value)
    return None


def _block_entry(head: str, item_lead: str | None, value: Any, indent: int, out: list[str]) -> None:
    """``head`` ("key:" or "-") and a value of any type; ``item_lead`` starts a list item's first key."""
    if isinstance(value, dict) and value:
        if item_lead is None:
            out.append(f"{head}\n")
            _mapping(value, indent, out, " " * indent)
        else:
            _mapping(value, indent, out, item_lead)
    elif isinstance(value, list | tuple) and value:
        out.append(f"{head}\n")
        _sequence(value, indent, out)
    else:
        out.append(f"{head} {_scalar(value, indent)}\n")


def _key(key: Any) -> str:
    text = f"{_string(str(key))}"
    if type(key) is str and "\n" not in key:
        _remember(key, text)
    return text


def _text(value: str, indent: int) -> str:
    """A str value (exact type) missing from the cache: a literal block, or cached string text."""
    if "\n" in value:
        return _literal(value, indent) if _literal_ok(value) else _string(value)
    text = _string(value)
    _remember(value, text)
    return text


def _remember(value: str, text: str) -> None:
    if len(_TEXT_CACHE) >= _TEXT_CACHE_MAX:
        _TEXT_CACHE.clear()
    _TEXT_CACHE[value] = text


def _scalar(value: Any, indent: int) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list | tuple):
        return "[]"
    if isinstance(value, str):
        if "\n" in value and _literal_ok(value):
            return _literal(value, indent)
        return _string(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"  # YAML 1.1 floats need a dot in the mantissa
    return text


def _string(value: str) -> str:
    if _PLAIN_START.match(value):
        if (
            _printable(value)
            and ": " not in value
            and " #" not in value
            and not value.endswith((":", " "))
            and value not in _YAML11_WORDS
        ):
            return value
    elif _DURATION.match(value):
        return value
    if "'" not in value and _printable(value):
        return "'" + value + "'"  # no escapes in single quotes: PromQL and templates stay readable
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _escape(m.group()), value) + '"'


def _printable(value: str) -> bool:
    """No character of _NON_PRINTABLE; str.isprintable() (a C loop) answers most text at once."""
    return value.isprintable() or _NON_PRINTABLE.search(value) is None


def _escape(c: str) -> str:
    if c in _ESCAPES:
        return _ESCAPES[c]
    code = ord(c)
    if code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF):
        return f"\\u{code:04x}"
    return c


def _literal_ok(value: str) -> bool:
    """A literal block can carry the text exactly: printable, no CR, a clean first line, one final newline."""
    if value.endswith("\n\n") or value.startswith((" ", "\t", "\n")):
        return False
    return _NEEDS_ESCAPE.search(value.replace("\n", "")) is None


def _literal(value: str, indent: int) -> str:
    chomp = "" if value.endswith("\n") else "-"
    body = value[:-1] if value.endswith("\n") else value
    pad = " " * indent
    lines = "".join(f"{pad}{line}\n" if line else "\n" for line in body.split("\n"))
    return f"|{chomp}\n{lines}".rstrip("\n")
