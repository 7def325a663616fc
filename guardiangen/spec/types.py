"""Value types of the spec: durations, names, exact percentages."""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

# Prometheus label names: one pattern for the catalog's metric labels and the spec's label fields.
from guardiangen.catalog.model import LABEL_NAME_PATTERN as LABEL_NAME_PATTERN
from guardiangen.catalog.model import LabelName as LabelName

_DURATION_RE = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_UNIT_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)
_UNIT_NAMES = ("y", "w", "d", "h", "m", "s", "ms")


class DurationError(ValueError):
    pass


@functools.lru_cache(maxsize=1024)  # a spec has few distinct durations; the planners ask for them in every rule
def parse_duration_ms(text: str) -> int:
    """Milliseconds of a Prometheus duration such as ``1h30m``; raises DurationError."""
    match = _DURATION_RE.fullmatch(text)
    if not text or match is None:
        raise DurationError(f'"{text}" is not a duration; use Prometheus units, e.g. 30s, 5m, 1h30m, 30d')
    return sum(int(v) * unit for v, unit in zip(match.groups(), _UNIT_MS, strict=True) if v)


def format_duration_ms(ms: int) -> str:
    """Canonical Prometheus text: largest units first, ``0s`` for zero (weeks/years not used)."""
    if ms == 0:
        return "0s"
    parts = []
    for name, unit in zip(_UNIT_NAMES[2:], _UNIT_MS[2:], strict=True):
        value, ms = divmod(ms, unit)
        if value:
            parts.append(f"{value}{name}")
    return "".join(parts)


class Duration(str):
    """A validated Prometheus duration, kept as canonical text; ``.ms`` and ``.seconds`` give its length."""

    __slots__ = ()

    @property
    def ms(self) -> int:
        return parse_duration_ms(self)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _to_duration, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": r"^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$",
            "examples": ["30s", "5m", "30d"],
        }

    @property
    def seconds(self) -> Decimal:
        return Decimal(self.ms) / 1000


def _to_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise DurationError(f"expected a duration string such as 5m, got {type(value).__name__}")
    ms = parse_duration_ms(value)
    if ms <= 0:
        raise DurationError("a duration must be longer than 0s")
    return Duration(format_duration_ms(ms))


DurationStr = Duration


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest text that round-trips: 99.9 stays "99.9", never 99.900000000000005.
        return Decimal(repr(value))
    raise ValueError(f"expected a number, got {_kind(value)}")


def _kind(value: Any) -> str:
    return "a string" if isinstance(value, str) else "null" if value is None else type(value).__name__


def _decimal_schema(minimum: float | None, maximum: float | None, exclusive: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "number"}
    if minimum is not None:
        schema["exclusiveMinimum" if exclusive else "minimum"] = minimum
    if maximum is not None:
        schema["exclusiveMaximum" if exclusive else "maximum"] = maximum
    return schema


def _ranged(lo: Decimal | None, hi: Decimal | None, exclusive: bool, what: str) -> Any:
    def check(value: Any) -> Decimal:
        d = _to_decimal(value)
        if not d.is_finite():
            raise ValueError(f"{what} must be a finite number")
        if lo is not None and (d <= lo if exclusive else d < lo):
            raise ValueError(f"{what} must be {'>' if exclusive else '>='} {lo}, got {d}")
        if hi is not None and (d >= hi if exclusive else d > hi):
            raise ValueError(f"{what} must be {'<' if exclusive else '<='} {hi}, got {d}")
        return d

    return check


def _dec(lo: float | None, hi: float | None, exclusive: bool, what: str) -> Any:
    return Annotated[
        Decimal,
        BeforeValidator(
            _ranged(
                None if lo is None else Decimal(str(lo)),
                None if hi is None else Decimal(str(hi)),
                exclusive,
                what,
            )
        ),
        PlainSerializer(lambda d: float(d), return_type=float),
        WithJsonSchema(_decimal_schema(lo, hi, exclusive)),
    ]


ObjectivePercent = _dec(0, 100, True, "an objective in percent")  # (0, 100) exclusive
Ratio = _dec(0, 1, False, "a ratio")  # [0, 1]
Percent = _dec(0, 100, False, "a percentage")  # [0, 100]
PositiveNumber = _dec(0, None, True, "this value")
NonNegativeNumber = _dec(0, None, False, "this value")
Number = _dec(None, None, False, "this value")  # any finite number

# Names that end up in Prometheus label values, Grafana uids (<= 40 chars with a prefix) and
# Fluentd tags (dots separate tag parts, * and ** are wildcards): lowercase words joined by - or _.
NAME_PATTERN = r"^[a-z][a-z0-9]*([_-][a-z0-9]+)*$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, min_length=1, max_length=30)]
# Values matched in PromQL label matchers: no quotes, backslashes or control characters.
LABEL_VALUE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$"
LabelValue = Annotated[str, Field(pattern=LABEL_VALUE_PATTERN, min_length=1, max_length=63)]
# Free text (descriptions): printable, single line, escaped by every renderer that emits it.
# No `$`, `{` or `}`: Grafana interpolates `$var` in panel text and links, and Go templates in
# Alertmanager and rule annotations run `{{ }}`; nothing a description needs.
Text = Annotated[str, Field(max_length=500, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f$\{\}]*$")]
SecretFile = Annotated[
    str,
    Field(
        pattern=r"^/[^\x00-\x1f\x7f]*$",
        max_length=4096,
        description="Absolute path of a file holding the secret, read by the consumer at run time.",
    ),
]
EnvVarName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=100)]
