"""Read a YAML spec with positions; YAML-level problems become diagnostics, never exceptions.

The result is plain Python data (dict/list/str/int/float/bool/None) plus a position index keyed by
the path of every key and value, so later stages can point at the exact line and column.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from guardiangen.diagnostics import (
    GG001_UNREADABLE,
    GG002_YAML_SYNTAX,
    GG003_TAB_INDENT,
    GG004_DUPLICATE_KEY,
    GG005_NOT_A_MAPPING,
    GG006_YAML_FEATURE,
    GG105_OUT_OF_RANGE,
    GG107_INVALID_VALUE,
    Diagnostic,
    error,
)

PathKey = tuple[str | int, ...]
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Positions:
    """1-based (line, col) of each value and of each mapping key, by path."""

    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def of_value(self, path: PathKey) -> tuple[int, int]:
        """Position of the value at ``path``, or of its nearest existing ancestor."""
        for i in range(len(path), -1, -1):
            pos = self.values.get(path[:i])
            if pos is not None:
                return pos
        return (1, 1)

    def of_key(self, path: PathKey) -> tuple[int, int]:
        """Position of the key that introduces ``path`` (falls back to the value's position)."""
        pos = self.keys.get(path)
        return pos if pos is not None else self.of_value(path)


@dataclass
class LoadedDoc:
    path: str
    data: Any
    positions: Positions
    text: str = ""


def load_text(text: str, path: str) -> tuple[LoadedDoc | None, list[Diagnostic]]:
    """Parse ``text``; returns the document or the diagnostics that prevent using it."""
    diags = _check_tabs(text, path) + _check_version_directive(text, path)
    # ruamel fails on other %YAML versions with KeyError/AssertionError
    if diags and diags[-1].code == GG002_YAML_SYNTAX:
        return None, diags
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    # libyaml counts U+0085/U+2028/U+2029 as line breaks (YAML 1.1), which would shift positions.
    yaml = _yaml(pure=any(c in text for c in "\x85\u2028\u2029"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a reused anchor: valid YAML, not worth stderr noise
            try:
                node = yaml.compose(io.StringIO(text))
            except YAMLError:
                # libyaml follows YAML 1.1 in places (`[http://h:9200]` in flow context is an error
                # there); ruamel's own parser decides what is valid YAML 1.2 and how to report it.
                yaml = _yaml(pure=True)
                node = yaml.compose(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if diags:  # the tabs already reported are what broke the syntax
            return None, diags
        return None, [*diags, error(path, line, col, GG002_YAML_SYNTAX, f"YAML syntax error: {problem}")]
    except ReaderError as exc:  # a character YAML does not allow in a document
        line, col = _offset_position(text, exc.position)
        return None, [*diags, error(path, line, col, GG002_YAML_SYNTAX, f"YAML syntax error: {_reader_problem(exc)}")]
    except YAMLError as exc:  # pragma: no cover - ruamel raises marked errors for syntax problems
        return None, [*diags, error(path, 1, 1, GG002_YAML_SYNTAX, f"YAML syntax error: {str(exc).splitlines()[0]}")]
    except RecursionError:  # ruamel composes nested collections recursively
        return None, [
            *diags,
            error(path, 1, 1, GG002_YAML_SYNTAX, "YAML syntax error: mappings and lists nest too deeply"),
        ]
    if diags:
        return None, diags
    if node is None:
        return None, [error(path, 1, 1, GG005_NOT_A_MAPPING, "the spec is empty: expected a mapping")]
    shape = _shape_problem(node)
    if shape is not None:
        bad, message = shape
        return None, [error(path, bad.start_mark.line + 1, bad.start_mark.column + 1, GG006_YAML_FEATURE, message)]
    positions = Positions()
    builder = _Builder(path, positions, yaml.constructor)
    data = builder.build(node, ())
    if not isinstance(data, dict):
        line, col = positions.of_value(())
        return None, [error(path, line, col, GG005_NOT_A_MAPPING, "the spec must be a mapping at the top level")]
    if builder.diags:
        return None, builder.diags
    return LoadedDoc(path=path, data=data, positions=positions, text=text), []


_VERSION_DIRECTIVE = re.compile(r"%YAML[ \t]+([0-9]+)\.([0-9]+)")


def _check_version_directive(text: str, path: str) -> list[Diagnostic]:
    """A `%YAML` directive other than 1.1 or 1.2 (ruamel reads no other version)."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = _VERSION_DIRECTIVE.match(line)
        if m is not None and (m.group(1), m.group(2)) not in (("1", "1"), ("1", "2")):
            version = f"{m.group(1)}.{m.group(2)}"
            return [
                error(
                    path,
                    lineno,
                    1,
                    GG002_YAML_SYNTAX,
                    f"YAML syntax error: %YAML {version} is not supported (1.1 or 1.2)",
                )
            ]
    return []


def _yaml(*, pure: bool) -> Any:
    """A composer that keeps marks; ``pure=False`` uses libyaml (about 7x faster) when
    ruamel.yaml.clib is installed, and ruamel falls back to Python by itself otherwise."""
    from ruamel.yaml import YAML

    class _YAML(YAML):
        def get_constructor_parser(self, stream: Any) -> Any:
            constructor, parser = super().get_constructor_parser(stream)
            # libyaml's composer resolves tags on the loader it is part of; ruamel's own, on `resolver`.
            _memoize_scalar_tags(constructor if hasattr(constructor, "resolve") else self.resolver)
            return constructor, parser

    yaml = _YAML(typ="safe", pure=pure)
    yaml.allow_duplicate_keys = True  # we report duplicates ourselves, all of them, with positions
    return yaml


def _memoize_scalar_tags(resolver: Any) -> None:
    """Resolve each distinct plain scalar once per document: ruamel re-derives the YAML version and
    tries its regular expressions for every scalar, half of composing a large spec. The tag of a
    scalar depends only on its text, how it was written (``implicit``) and the document's YAML
    version, which is fixed before its first scalar; path resolvers (which we never add) would make
    it depend on the position, so then nothing is memoized."""
    from ruamel.yaml.nodes import ScalarNode

    resolve = resolver.resolve
    tags: dict[tuple[str, Any], Any] = {}

    def memoized(kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode or resolver.yaml_path_resolvers:
            return resolve(kind, value, implicit)
        key = (value, implicit)
        tag = tags.get(key)
        if tag is None:
            tag = tags[key] = resolve(kind, value, implicit)
        return tag

    resolver.resolve = memoized


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _reader_problem(exc: Any) -> str:
    char = exc.character
    code = ord(char) if isinstance(char, str) else char if isinstance(char, int) else None
    shown = f"U+{code:04X}" if code is not None else "a character"
    return f"the character {shown} is not allowed in YAML (control characters must be written as escapes)"


def load_file(path: str) -> tuple[LoadedDoc | None, list[Diagnostic]]:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return None, [error(path, 0, 0, GG001_UNREADABLE, "no such file")]
    except IsADirectoryError:
        return None, [error(path, 0, 0, GG001_UNREADABLE, "is a directory, expected a YAML file")]
    except UnicodeDecodeError as exc:
        return None, [error(path, 0, 0, GG001_UNREADABLE, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, [error(path, 0, 0, GG001_UNREADABLE, f"cannot read: {exc.strerror}")]
    return load_text(text, path)


MAX_DEPTH = 64  # a spec nests about 8 levels; the builder and later stages recurse per level
MAX_ALIAS_VALUES = 100_000  # values aliases may add beyond those written ("billion laughs")


def _shape_problem(root: Any) -> tuple[Any, str] | None:
    """(node, message) when the node graph cannot become plain data: an alias inside the collection
    it refers to, nesting deeper than MAX_DEPTH, or aliases that multiply the document. Iterative,
    and linear in the nodes written (aliased collections are measured once)."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    def children(node: Any) -> list[Any]:
        if isinstance(node, MappingNode):
            return [n for pair in node.value for n in pair]
        return list(node.value) if isinstance(node, SequenceNode) else []

    size: dict[int, int] = {}  # values each node expands to
    on_path: set[int] = set()
    reused: list[Any] = []
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children(node))
            continue
        if key in on_path:
            return node, "an alias refers to the mapping or list that contains it; write the values out"
        if key in size:
            reused.append(node)
            continue
        if depth > MAX_DEPTH:
            return node, f"mappings and lists nest deeper than {MAX_DEPTH} levels"
        if not isinstance(node, MappingNode | SequenceNode):
            size[key] = 1
            continue
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in reversed(children(node)))
    added = size[id(root)] - len(size)
    if added > MAX_ALIAS_VALUES:
        worst = max(reused, key=lambda n: size[id(n)])
        return worst, f"aliases expand the spec by {added} values (at most {MAX_ALIAS_VALUES}); write the values out"
    return None


def _check_tabs(text: str, path: str) -> list[Diagnostic]:
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            col = len(line) - len(stripped) + 1
            out.append(error(path, lineno, col, GG003_TAB_INDENT, "tab used for indentation; YAML allows spaces only"))
    return out


class _Builder:
    """Turns a composed node graph into plain data, recording positions and duplicate keys."""

    def __init__(self, path: str, positions: Positions, constructor: Any) -> None:
        self.constructor = constructor
        self.path = path
        self.positions = positions
        self.diags: list[Diagnostic] = []

    def build(self, node: Any, at: PathKey) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.positions.values[at] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            return self._mapping(node, at)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*at, i)) for i, item in enumerate(node.value)]
        if isinstance(node, ScalarNode):
            return self._scalar(node, at)
        self._err(node, GG006_YAML_FEATURE, "unsupported YAML node")  # pragma: no cover
        return None  # pragma: no cover

    def _mapping(self, node: Any, at: PathKey) -> dict[str, Any]:
        from ruamel.yaml.nodes import ScalarNode

        out: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._err(key_node, GG006_YAML_FEATURE, "merge keys (<<) are not allowed in a spec; write the keys out")
                continue
            if not isinstance(key_node, ScalarNode):
                self._err(key_node, GG006_YAML_FEATURE, "mapping keys must be plain strings")
                continue
            key = str(key_node.value)
            if key in out or key in first_seen:
                self._err(
                    key_node,
                    GG004_DUPLICATE_KEY,
                    f'duplicate key "{key}" (first defined on line {first_seen[key]})',
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self.positions.keys[(*at, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, (*at, key))
        return out

    def _scalar(self, node: Any, at: PathKey) -> Any:
        tag = node.tag
        if tag == "tag:yaml.org,2002:str":
            if _SURROGATE.search(str(node.value)):
                where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at).lstrip(".")
                self._err(
                    node,
                    GG107_INVALID_VALUE,
                    f"{where}: text holds a lone UTF-16 surrogate, which is not valid Unicode",
                )
                return ""
            return str(node.value)
        if tag in (
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:null",
        ):
            try:
                return _plain(self.constructor.construct_object(node, deep=True))
            except ValueError:  # an integer longer than sys.get_int_max_str_digits()
                self._err(node, GG105_OUT_OF_RANGE, f"a number of {len(str(node.value))} digits is too long to read")
                return None
        if tag == "tag:yaml.org,2002:timestamp":
            return str(node.value)  # a date-looking string; the model decides whether it is valid
        self._err(node, GG006_YAML_FEATURE, f"YAML tag {tag} is not allowed in a spec")
        return str(node.value)

    def _err(self, node: Any, code: str, message: str) -> None:
        mark = node.start_mark
        self.diags.append(error(self.path, mark.line + 1, mark.column + 1, code, message))


def _plain(value: Hashable | None) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value
