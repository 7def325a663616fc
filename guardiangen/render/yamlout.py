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
_PLAIN = re.compile(r"[A-Za-z_(/][^\n\r\t]*\Z")
_PLAIN_BREAKERS = re.compile(r": | #|[: ]\Z")
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


def dump(data: Any) -> str:
    """YAML text of plain data (dicts keep their insertion order; renderers insert in a fixed order)."""
    out: list[str] = []
    if isinstance(data, dict) and data:
        _mapping(data, 0, out)
    elif isinstance(data, list | tuple) and data:
        _sequence(data, 0, out)
    else:
        out.append(_scalar(data, 0) + "\n")
    return "".join(out)


def _mapping(data: dict[Any, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, value in data.items():
        k = _string(str(key))
        if isinstance(value, dict) and value:
            out.append(f"{pad}{k}:\n")
            _mapping(value, indent + 2, out)
        elif isinstance(value, list | tuple) and value:
            out.append(f"{pad}{k}:\n")
            _sequence(value, indent + 2, out)
        else:
            out.append(f"{pad}{k}: {_scalar(value, indent + 2)}\n")


def _sequence(data: list[Any] | tuple[Any, ...], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in data:
        if isinstance(item, dict) and item:
            # "- " followed by the first key on the same line, the rest aligned under it
            inner: list[str] = []
            _mapping(item, indent + 2, inner)
            first = inner[0]
            out.append(f"{pad}- {first[indent + 2 :]}")
            out.extend(inner[1:])
        elif isinstance(item, list | tuple) and item:
            out.append(f"{pad}-\n")
            _sequence(item, indent + 2, out)
        else:
            out.append(f"{pad}- {_scalar(item, indent + 2)}\n")


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
    if _DURATION.match(value):
        return value
    if (
        _PLAIN.match(value)
        and value not in _YAML11_WORDS
        and not _PLAIN_BREAKERS.search(value)
        and not _NON_PRINTABLE.search(value)
    ):
        return value
    if "'" not in value and not _NON_PRINTABLE.search(value):
        return "'" + value + "'"  # no escapes in single quotes: PromQL and templates stay readable
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _escape(m.group()), value) + '"'


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
