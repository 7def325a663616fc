"""What Prometheus prints for an alert annotation: the Go template functions guardiangen emits.

The generated promtool tests compare annotations exactly, so the expected text of a description
is computed here from the exact (Decimal) value the test inputs produce. Only the template actions
guardiangen writes are understood (anything else raises): ``{{ $labels.x }}``, ``{{ $value | f }}``
for ``humanize``, ``humanizePercentage``, ``humanizeDuration`` and ``humanize1024``, and
``{{ printf "<fmt>" $value }}`` with ``%.Nf``/``%.Ng``. The formulas follow Prometheus'
``template/template.go``; Go's ``%.4g`` and Python's agree on finite values.

Prometheus computes in binary floating point, so its value can differ from the exact one by a few
ulps. Formatting to 4 significant digits hides that, unless the exact value sits on a rounding
boundary: :func:`expand` then raises :class:`AmbiguousValue` rather than guess, and the fixture
must pick another value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal

_ACTION = re.compile(r"\{\{(.*?)\}\}")
_LABEL = re.compile(r"^\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*$")
_PIPE = re.compile(r"^\s*\$value\s*\|\s*(humanize|humanizePercentage|humanizeDuration|humanize1024)\s*$")
_PRINTF = re.compile(r'^\s*printf\s+"(%\.\d+[fg])"\s+\$value\s*$')
_RELATIVE_SLACK = 1e-12  # far above the error of a few float operations, far below 4 digits


class AmbiguousValue(ValueError):
    """The value is so close to a rounding boundary that Prometheus could print either side."""


class UnsupportedTemplate(ValueError):
    """A template action this module does not emulate."""


def _g(v: float, digits: int = 4) -> str:
    """Go's ``%.<digits>g`` for a float."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return format(v, f".{digits}g")


def humanize(v: float) -> str:
    if v == 0 or math.isnan(v) or math.isinf(v):
        return _g(v)
    prefix = ""
    if abs(v) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return _g(v) + prefix
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return _g(v) + prefix


def humanize_percentage(v: float) -> str:
    return _g(v * 100) + "%"


def humanize1024(v: float) -> str:
    if abs(v) <= 1:
        return _g(v)
    prefix = ""
    for p in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix, v = p, v / 1024
    return _g(v) + prefix


def humanize_duration(v: float) -> str:
    if math.isnan(v) or math.isinf(v):
        return _g(v)
    if v == 0:
        return _g(v) + "s"
    if abs(v) >= 1:
        sign = "-" if v < 0 else ""
        v = abs(v)
        whole = int(v)  # Go truncates with int64(v)
        seconds, minutes, hours, days = whole % 60, whole // 60 % 60, whole // 3600 % 24, whole // 86400
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{_g(v)}s"
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return f"{_g(v)}{prefix}s"


FUNCTIONS: dict[str, Callable[[float], str]] = {
    "humanize": humanize,
    "humanizePercentage": humanize_percentage,
    "humanizeDuration": humanize_duration,
    "humanize1024": humanize1024,
}


def _printf(fmt: str) -> Callable[[float], str]:
    digits, kind = int(fmt[2:-1]), fmt[-1]
    return lambda v: format(v, f".{digits}f") if kind == "f" else _g(v, digits)


def _robust(fn: Callable[[float], str], value: Decimal, exact: bool) -> str:
    """``fn`` of ``value``, checked to print the same for every float near it unless ``exact``."""
    v = float(value)
    if exact:
        return fn(v)
    texts = {fn(v), fn(v * (1 + _RELATIVE_SLACK)), fn(v * (1 - _RELATIVE_SLACK))}
    if len(texts) != 1:
        raise AmbiguousValue(f"{value} prints as any of {sorted(texts)}: choose a fixture value off the boundary")
    return texts.pop()


def expand(template: str, value: Decimal | None, labels: Mapping[str, str], *, exact: bool = False) -> str:
    """``template`` as Prometheus renders it for an alert with ``value`` and series ``labels``.

    ``exact`` says Prometheus computes ``value`` without rounding (small integers: counts of
    series or changes), so no neighbouring float needs to print the same.
    """

    def action(match: re.Match[str]) -> str:
        body = match.group(1)
        if m := _LABEL.match(body):
            return labels.get(m.group(1), "")
        fn: Callable[[float], str] | None = None
        if m := _PIPE.match(body):
            fn = FUNCTIONS[m.group(1)]
        elif m := _PRINTF.match(body):
            fn = _printf(m.group(1))
        if fn is None:
            raise UnsupportedTemplate(f"cannot emulate the template action {{{{{body}}}}}")
        if value is None:
            raise ValueError(f"the template uses $value but no value is known: {template}")
        return _robust(fn, value, exact)

    return _ACTION.sub(action, template)
