"""Lexical pieces of PromQL text: quoted strings, regex literals, numbers, durations, `le` values.

Everything user-controlled that reaches an expression passes through one of these functions.
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal, InvalidOperation

Number = Decimal | int | float | str
"""A numeric argument; floats go through ``repr`` so ``0.1`` stays ``0.1``."""

GRAFANA_WINDOWS = ("$__rate_interval", "$__interval", "$__range")
"""Grafana variables accepted where a range is expected (dashboards only; rules need a duration)."""

_DURATION = re.compile(r"(?:[0-9]+(?:ms|s|m|h|d|w|y))+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_RE2_META = frozenset("\\.+*?()|[]{}^$")
_PLAIN = re.compile(r'[^\\"\x00-\x1f\x7f\ufffd]*')  # nothing to escape or refuse


class PromQLError(ValueError):
    """An expression that would be illegal or meaningless; the message says what to do instead."""


def escape_string(value: str) -> str:
    """``value`` escaped for the inside of a PromQL double-quoted string.

    Backslash, double quote, newline, carriage return and tab get their Go escapes; other control
    characters become ``\\xHH``. Prometheus reads the literal with Go's unquoting, so the label value
    it compares is exactly ``value``. U+FFFD is refused: Prometheus evaluates rules by re-parsing
    their printed form, which writes it unescaped, and its lexer rejects it as invalid UTF-8.
    """
    if _PLAIN.fullmatch(value):  # the common case, in one C-level scan
        return value
    if "\ufffd" in value:
        raise PromQLError("label values cannot contain U+FFFD (Prometheus rejects it when it re-parses a rule)")
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def quote(value: str) -> str:
    """``value`` as a PromQL double-quoted string literal."""
    return f'"{escape_string(value)}"'


def regex_literal(value: str) -> str:
    """A RE2 pattern matching exactly ``value`` (Go's ``regexp.QuoteMeta``)."""
    return "".join(f"\\{ch}" if ch in _RE2_META else ch for ch in value)


def to_decimal(value: Number) -> Decimal:
    """``value`` as a finite Decimal; :class:`PromQLError` otherwise."""
    if isinstance(value, bool):
        raise PromQLError(f"expected a number, got {value!r}")
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        raise PromQLError(f"not a number: {value!r}") from None
    if not d.is_finite():
        raise PromQLError(f"not a finite number: {value!r}")
    return d


def format_number(value: Number) -> str:
    """Exact decimal text without exponent or trailing zeros: ``Decimal("0.0010")`` -> ``0.001``."""
    d = to_decimal(value)
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def window(value: str) -> str:
    """A range for ``rate``/``*_over_time``: a Prometheus duration (``5m``, ``1h30m``) or a Grafana
    variable from :data:`GRAFANA_WINDOWS`."""
    if value in GRAFANA_WINDOWS:
        return value
    if not _DURATION.fullmatch(value) or not any(c in "123456789" for c in value):
        raise PromQLError(
            f'invalid range "{value}": use a Prometheus duration like "5m" or one of ' + ", ".join(GRAFANA_WINDOWS)
        )
    return value


def go_float(value: float) -> str:
    """``value`` as Go's ``strconv.FormatFloat(v, 'g', -1, 64)`` writes it (client_golang's ``le``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, exp = _shortest_digits(abs(value))
    point = len(digits) + exp  # position of the decimal point within `digits`
    x = point - 1  # exponent in scientific notation
    if x < -4 or x >= 6:  # strconv's rule for the shortest 'g' format
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if x < 0 else '+'}{abs(x):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-trip significant digits of ``value`` and the exponent of their last digit."""
    _, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).lstrip("0") or "0"
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    return stripped or "0", exponent


def normalized_le(value: float) -> str:
    """The spelling Prometheus 3 stores for an ``le``/``quantile`` value (OpenMetrics canonical form):
    Go's shortest form, plus ``.0`` when that has neither a point nor an exponent (``10`` -> ``10.0``)."""
    text = go_float(value)
    if not any(c in text for c in ".eIN"):
        text += ".0"
    return text


@functools.lru_cache(maxsize=1024, typed=True)  # a catalog has few bucket bounds; rules match them per owner
def le_pattern(value: float) -> str:
    """A regex matching every spelling of bucket bound ``value`` that a scrape can store.

    Prometheus 2 keeps the exposed text (Go clients write ``10``; Python clients and OpenMetrics
    write ``10.0``), Prometheus 3 normalizes both to ``10.0``. An equality matcher ``le="10"``
    therefore silently stops matching after an upgrade. The pattern accepts both spellings:
    ``10(\\.0)?``, and ``0\\.5`` where they coincide. Other writers that Prometheus 2 would keep
    verbatim (``10.00``, ``1e1``) are normalized by Prometheus 3.
    """
    go, canonical = go_float(value), normalized_le(value)
    if go == canonical:
        return regex_literal(go)
    return regex_literal(go) + r"(\.0)?"
