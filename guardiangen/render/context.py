"""What a target renders from, and what a target is: the types every target module imports.

Apart from the registry in :mod:`guardiangen.render` (which imports every target), so that a target
importing these does not import its own registry back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from guardiangen.plan.model import Plan


@dataclass(frozen=True)
class RenderContext:
    """What a target renders from: the plan and the options of this render."""

    plan: Plan
    templates: Path  # the template root (``--templates`` or the shipped templates)


@dataclass(frozen=True)
class Target:
    """One output target of the registry."""

    name: str
    description: str
    render: Callable[[RenderContext], dict[str, str]]
    # Rendered in a forked child beside the other targets when there is a second CPU (see
    # guardiangen.parallel): worth it for a target that takes a large share of the time.
    fork: bool = False
