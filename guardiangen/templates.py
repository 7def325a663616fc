"""Where Jinja templates come from: ``--templates DIR``, the wheel, or the source checkout."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

_PACKAGE_DIR = Path(__file__).resolve().parent


def templates_dir(override: Path | None = None) -> Path:
    """The template root: the override, the copy shipped in the wheel, or ``templates/`` of a checkout."""
    if override is not None:
        return override
    shipped = _PACKAGE_DIR / "_templates"
    if shipped.is_dir():
        return shipped
    return _PACKAGE_DIR.parent / "templates"


def environment(root: Path) -> jinja2.Environment:
    """A Jinja environment that fails on any undefined name and never HTML-escapes."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
