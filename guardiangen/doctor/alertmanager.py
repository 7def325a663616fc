"""Alertmanager's loaded configuration against the rendered ``alertmanager.yml``.

``/api/v2/status`` returns the loaded configuration printed again by Alertmanager: defaults filled
in (``http_config``, ``send_resolved`` ...), secrets as ``<secret>``, durations in its own units and
template paths made absolute. So the comparison asks whether everything the render sets is loaded
with the same meaning, and whether the lists (routes, receivers, inhibitions, intervals) have the
same members; what only Alertmanager adds is not a difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from guardiangen.spec.types import DurationError, parse_duration_ms

_MATCHER_KEYS = frozenset({"matchers", "source_matchers", "target_matchers"})
_MATCHER = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[^=!~\s]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$')
_SECRET = "<secret>"


def differences(rendered: Any, loaded: Any, at: str = "") -> Iterator[str]:
    """Where ``loaded`` lacks or contradicts what ``rendered`` sets, as ``path: what`` lines."""
    if isinstance(rendered, dict):
        if not isinstance(loaded, dict):
            yield f"{at or 'the configuration'}: not loaded as a mapping"
            return
        for key, value in rendered.items():
            here = f"{at}.{key}" if at else str(key)
            if key not in loaded:
                if value not in (None, False, "", [], {}, 0):
                    yield f"{here}: not in the loaded configuration"
            elif key in _MATCHER_KEYS:
                yield from _matchers(value, loaded[key], here)
            elif key == "templates":
                yield from _templates(value, loaded[key], here)
            else:
                yield from differences(value, loaded[key], here)
    elif isinstance(rendered, list):
        yield from _list(rendered, loaded, at)
    elif not _same_scalar(rendered, loaded):
        yield f"{at}: loaded {_show(loaded)}, rendered {_show(rendered)}"


def _list(rendered: list[Any], loaded: Any, at: str) -> Iterator[str]:
    if not isinstance(loaded, list):
        yield f"{at}: loaded {_show(loaded)}, rendered a list of {len(rendered)}"
        return
    named = all(isinstance(x, dict) and "name" in x for x in rendered + loaded)
    if named and rendered:
        ours = {x["name"]: x for x in rendered}
        theirs = {x["name"]: x for x in loaded}
        for name in ours.keys() - theirs.keys():
            yield f'{at}: "{name}" is not loaded'
        for name in theirs.keys() - ours.keys():
            yield f'{at}: "{name}" is loaded but no longer rendered'
        for name in ours.keys() & theirs.keys():
            yield from differences(ours[name], theirs[name], f"{at}[{name}]")
        return
    if len(rendered) != len(loaded):
        yield f"{at}: {len(loaded)} loaded, {len(rendered)} rendered"
    for i, (ours, theirs) in enumerate(zip(rendered, loaded, strict=False)):
        yield from differences(ours, theirs, f"{at}[{i}]")


def _matchers(rendered: Any, loaded: Any, at: str) -> Iterator[str]:
    ours, theirs = _matcher_set(rendered), _matcher_set(loaded)
    if ours != theirs:
        yield f"{at}: loaded {_show_matchers(theirs)}, rendered {_show_matchers(ours)}"


def _matcher_set(value: Any) -> frozenset[tuple[str, str, str]]:
    out = set()
    for text in value if isinstance(value, list) else []:
        m = _MATCHER.match(str(text))
        if m is None:
            out.add((str(text), "", ""))
            continue
        name, op, raw = m.groups()
        out.add((_unquote(name), op, _unquote(raw)))
    return frozenset(out)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), text[1:-1])
    return text


def _show_matchers(matchers: frozenset[tuple[str, str, str]]) -> str:
    return "{" + ", ".join(f'{k}{op}"{v}"' for k, op, v in sorted(matchers)) + "}"


def _templates(rendered: Any, loaded: Any, at: str) -> Iterator[str]:
    """Alertmanager makes template globs absolute: a loaded path ending in the rendered one is the same."""
    theirs = [str(x) for x in loaded] if isinstance(loaded, list) else []
    for pattern in rendered if isinstance(rendered, list) else []:
        if not any(t == pattern or t.endswith("/" + str(pattern).lstrip("./")) for t in theirs):
            yield f"{at}: {pattern} is not loaded"


def _same_scalar(rendered: Any, loaded: Any) -> bool:
    if loaded == _SECRET or rendered == loaded:
        return True
    if isinstance(rendered, bool) or isinstance(loaded, bool):
        return False
    a, b = str(rendered), str(loaded)
    if a == b:
        return True
    try:
        return parse_duration_ms(a) == parse_duration_ms(b)
    except DurationError:
        return False


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 80 else text[:77] + "..."
