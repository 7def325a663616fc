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


def shipped_files() -> tuple[str, ...]:
    """The templates guardiangen ships, as paths relative to the template root."""
    root = templates_dir()
    return tuple(sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()))


def unusable(root: Path) -> str | None:
    """Why ``root`` cannot stand in for the shipped templates, or None.

    It replaces them as a whole, so it must hold a readable file for each shipped one (copy
    ``templates/`` and edit what you need)."""
    if not root.exists():
        return f"--templates {root}: no such directory"
    if not root.is_dir():
        return f"--templates {root}: not a directory"
    missing = []
    for relpath in shipped_files():
        try:
            (root / relpath).read_bytes()
        except OSError:
            missing.append(relpath)
    if missing:
        return (
            f"--templates {root}: it replaces the shipped templates as a whole, but lacks (or cannot read) "
            + ", ".join(missing)
            + "; copy the shipped templates/ directory and edit it"
        )
    return _syntax_error(root)


def _syntax_error(root: Path) -> str | None:
    """The first Jinja template under ``root`` that does not parse, as ``path:line: message``."""
    import jinja2

    env = environment(root)
    for relpath in shipped_files():
        if relpath.endswith(".j2"):
            try:
                env.parse((root / relpath).read_text(encoding="utf-8"), relpath, str(root / relpath))
            except jinja2.TemplateSyntaxError as exc:
                return f"--templates {root}: {root / relpath}:{exc.lineno}: {exc.message}"
            except UnicodeDecodeError:
                return f"--templates {root}: {root / relpath} is not UTF-8 text"
    return None


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
