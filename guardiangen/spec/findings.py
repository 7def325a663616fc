"""What a spec check reports: a problem at a place in the document, before it has a line and column.

The checks (:mod:`.checks`, :mod:`.version_checks`, :mod:`.output_checks`, :mod:`.route_checks`)
name places by their path in the document, so they need neither the YAML nor the file name; the
spec package turns their findings into positioned diagnostics in one place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from guardiangen.diagnostics import Diagnostic, Severity
from guardiangen.load import PathKey, Positions


@dataclass(frozen=True)
class Finding:
    where: PathKey  # path of the value (or, with ``at_key``, the mapping key) it is about
    code: str  # one of guardiangen.diagnostics.CODES
    message: str
    severity: Severity = Severity.ERROR
    at_key: bool = False  # point at the key itself: a label name, not its value

    def diagnostic(self, path: str, positions: Positions) -> Diagnostic:
        """This finding at its line and column in the spec file ``path``."""
        line, col = positions.of_key(self.where) if self.at_key else positions.of_value(self.where)
        return Diagnostic(path, line, col, self.code, self.message, self.severity)


def warning(where: PathKey, code: str, message: str) -> Finding:
    return Finding(where, code, message, Severity.WARNING)


def diagnostics(findings: Iterable[Finding], path: str, positions: Positions) -> list[Diagnostic]:
    """Every finding as a positioned diagnostic of the spec file ``path``."""
    return [f.diagnostic(path, positions) for f in findings]


def finite_number(value: Any) -> Decimal | None:
    """A raw document's finite number as its exact decimal, or None (NaN, infinities, booleans and
    non-numbers are the model's to report; comparing them would raise)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def raw_host_label(gpu: dict[str, Any]) -> Any:
    """The GPU host label of raw ``gpu_inventory`` data, as the model would settle it: ``host_label``
    as written (callers check it), else DCGM's for a well-formed ``exporter_version``."""
    from guardiangen.catalog.builtin import dcgm_host_label

    label = gpu.get("host_label")
    if label is not None:
        return label
    version = gpu.get("exporter_version")
    return dcgm_host_label(None, version if isinstance(version, str) else None)
