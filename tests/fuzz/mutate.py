"""Corruptions of valid specs: at the text level (what a bad edit or a broken file does) and at the
data level (well-formed YAML with wrong values, types, keys and shapes).

Every corruption is a value a user can produce with an editor, a bad merge, a template engine or a
truncated download; none of them may make guardiangen print a traceback.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.specgen import to_yaml, valid_specs

Path_ = tuple[str | int, ...]

# Scalars in YAML spelling: other types, edge numbers, YAML 1.1 oddities, tags, anchors, aliases.
YAML_SCALARS = (
    "~",
    "null",
    "",
    '""',
    "''",
    "true",
    "no",
    "on",
    "0",
    "-1",
    "1.5",
    "-0.0",
    "1e999",
    "-1e999",
    "1e-400",
    ".nan",
    ".NaN",
    ".inf",
    "-.inf",
    "0x1F",
    "0o17",
    "017",
    "1_000",
    "1:20",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "99999999999999999999999999999999",
    "9" * 5000,
    "-" + "9" * 4400,
    "0." + "0" * 400 + "1",
    "[]",
    "{}",
    "[a, b]",
    "{a: 1}",
    "[[[[[[]]]]]]",
    "!!binary aGVsbG8=",
    "!!str 5",
    "!!int '5'",
    "!!float x",
    "!!bool maybe",
    "!!null x",
    "!!python/object:os.system",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!custom x",
    "!<tag:example.com,2000:x> y",
    "&anchor value",
    "*undefined",
    "*anchor",
    "|\n  block",
    ">-\n  folded",
    '"\\ud800"',
    '"\\x00"',
    '"\\u2028"',
    '"a\\nb"',
    "'it''s'",
    '"unterminated',
    "'unterminated",
    "[unterminated",
    "{unterminated",
    "a: b: c",
    "- x",
    "? complex",
    "%TAG ! tag:x,2000:",
    "@reserved",
    "`reserved",
    "x" * 20000,
    "é" * 3000,
    "\u202e\u200b",
    "\t",
)

# Whole lines to insert: unknown keys, directives, document markers, merge keys, anchors, bombs.
YAML_LINES = (
    "unknown_key: 1",
    "apiVersion: guardiangen/v1",
    "---",
    "...",
    "%YAML 1.1",
    "%YAML 9.9",
    "<<: {a: 1}",
    "<<: *anchor",
    "? [complex, key]\n: value",
    "? {complex: key}\n: value",
    "~: null key",
    "1: int key",
    "2001-01-01: date key",
    "x: &anchor [1, 2]",
    "y: *anchor",
    "z: &loop [*loop]",
    "w: &map {k: *map}",
    "deep: " + "[" * 200 + "]" * 200,
    "deeper: " + "[" * 3000 + "]" * 3000,
    "deepmap: " + "{a: " * 800 + "1" + "}" * 800,
    "key: value # comment",
    "\ttabbed: 1",
    "  \t mixed: 1",
    "'quoted key': 1",
    '"key\\nwith newline": 1',
    '"key\\twith tab": 1',
    "\u2028",
    "\ufeffbom: 1",
)


def alias_bomb(levels: int, width: int = 4) -> str:
    """A small "billion laughs": ``width ** levels`` values from ``levels`` lines."""
    lines = ["b0: &b0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines)


GARBAGE = (
    b"\x00",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\x80",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\x1b[31m",
    b"\r",
    b"\r\n",
    b"\x0b\x0c",
    b"\x85",
    b"\xe2\x80\xa8",
    bytes(range(256)),
)


# ------------------------------------------------------------------------------ text mutations

TextOp = Callable[[list[str]], list[str]]


@st.composite
def text_mutation(draw: st.DrawFn, lines: list[str]) -> tuple[str, list[str]]:
    """One edit of ``lines``; returns a description and the new lines."""
    n = len(lines)
    i = draw(st.integers(0, max(0, n - 1)))
    kind = draw(
        st.sampled_from(
            [
                "delete",
                "duplicate",
                "swap",
                "indent",
                "dedent",
                "tab",
                "scalar",
                "insert",
                "truncate_line",
                "crlf",
                "join",
                "anchor_alias",
                "bomb",
                "move",
            ]
        )
    )
    out = list(lines)
    if not out:
        return "insert into empty", [draw(st.sampled_from(YAML_LINES))]
    line = out[i]
    if kind == "delete":
        del out[i]
    elif kind == "duplicate":
        out.insert(i, line)
    elif kind == "swap":
        j = draw(st.integers(0, n - 1))
        out[i], out[j] = out[j], out[i]
    elif kind == "move":
        j = draw(st.integers(0, n - 1))
        out.insert(j, out.pop(i))
    elif kind == "indent":
        out[i] = " " * draw(st.integers(1, 5)) + line
    elif kind == "dedent":
        out[i] = line[draw(st.integers(1, 4)) :] if line.startswith(" ") else line
    elif kind == "tab":
        at = draw(st.integers(0, len(line)))
        out[i] = line[:at] + "\t" + line[at:]
    elif kind == "scalar":
        if ": " in line:
            key, _, _ = line.partition(": ")
            out[i] = f"{key}: {draw(st.sampled_from(YAML_SCALARS))}"
        elif line.lstrip().startswith("- "):
            indent = line[: len(line) - len(line.lstrip())]
            out[i] = f"{indent}- {draw(st.sampled_from(YAML_SCALARS))}"
        else:
            out[i] = line + " " + draw(st.sampled_from(YAML_SCALARS))
    elif kind == "insert":
        indent = line[: len(line) - len(line.lstrip())]
        out.insert(i, indent + draw(st.sampled_from(YAML_LINES)))
    elif kind == "truncate_line":
        out[i] = line[: draw(st.integers(0, len(line)))]
    elif kind == "crlf":
        out[i] = line + "\r"
    elif kind == "join":
        if i + 1 < n:
            out[i : i + 2] = [line + " " + out[i + 1].lstrip()]
    elif kind == "anchor_alias":
        # an anchor on one mapping value and an alias to it somewhere else (possibly inside itself)
        j = draw(st.integers(0, n - 1))
        if line.rstrip().endswith(":"):
            out[i] = line.rstrip() + " &fuzzanchor"
        elif ": " in line:
            key, _, value = line.partition(": ")
            out[i] = f"{key}: &fuzzanchor {value}"
        if ": " in out[j] and j != i:
            key, _, _ = out[j].partition(": ")
            out[j] = f"{key}: *fuzzanchor"
    elif kind == "bomb":
        out[i:i] = alias_bomb(draw(st.integers(2, 6))).splitlines()
    return f"{kind} at line {i + 1}", out


@st.composite
def corrupted_text(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """A valid spec's YAML with 1-4 text edits, and maybe byte-level damage; returns (bytes, log)."""
    text = to_yaml(draw(valid_specs(max_specialists=3)), flow=draw(st.sampled_from([False, False, None])))
    lines = text.split("\n")
    log: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        what, lines = draw(text_mutation(lines))
        log.append(what)
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    damage = draw(st.sampled_from(["none", "none", "garbage", "truncate", "bom", "random-bytes"]))
    if damage == "garbage":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(GARBAGE)) + data[at:]
    elif damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "random-bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    log.append(damage)
    return data, log


# ------------------------------------------------------------------------------ data mutations

HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1,
    2**63,
    -(2**63) - 1,
    10**100,
    1.5,
    -0.0,
    1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    "",
    " ",
    "0",
    "true",
    "null",
    "30",
    "99.9",
    "x" * 10240,
    "\u202e",
    "\u2028",
    "a\nb",
    [],
    {},
    [None],
    [[]],
    [{}],
    {"": None},
    {"a": [1, {"b": None}]},
    ["x"] * 50,
    "#{`id`}",
    "{{ $value }}",
    "${HOME}",
)


UNKNOWN_KEYS = (
    "extra",
    "Name",
    "descripton",
    "api_url",
    "routing_key",
    "password",
    "__x",
    "a\nb",
    "x: y",
    "",
    " ",
    "{{ x }}",
    "\u2028",
    "é" * 200,
)


def _paths(node: Any, at: Path_ = ()) -> list[Path_]:
    out = [at]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*at, i))
    return out


def _get(node: Any, path: Path_) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def data_mutation(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    spec = copy.deepcopy(spec)
    paths = [p for p in _paths(spec) if p]
    path = draw(st.sampled_from(paths))
    parent = _get(spec, path[:-1])
    key = path[-1]
    kind = draw(
        st.sampled_from(
            [
                "replace",
                "replace",
                "delete",
                "unknown_key",
                "typo_key",
                "duplicate_item",
                "empty",
                "wrap_list",
                "unwrap",
                "swap_values",
                "nest",
            ]
        )
    )
    if kind == "replace":
        parent[key] = draw(st.sampled_from(HOSTILE_VALUES))
    elif kind == "delete":
        del parent[key]
    elif kind == "unknown_key" and isinstance(parent, dict):
        parent[draw(st.sampled_from(UNKNOWN_KEYS))] = 1
    elif kind == "typo_key" and isinstance(parent, dict) and isinstance(key, str):
        parent[key[:-1] + key[-1].upper() if key else "x"] = parent.pop(key)
    elif kind == "duplicate_item" and isinstance(parent, list):
        parent.insert(int(key), copy.deepcopy(parent[int(key)]))
    elif kind == "empty":
        parent[key] = type(parent[key])() if isinstance(parent[key], list | dict | str) else None
    elif kind == "wrap_list":
        parent[key] = [parent[key]]
    elif kind == "unwrap":
        inner = parent[key]
        if isinstance(inner, list) and inner:
            parent[key] = inner[0]
        elif isinstance(inner, dict) and inner:
            parent[key] = next(iter(inner.values()))
    elif kind == "swap_values":
        other = draw(st.sampled_from(paths))
        try:
            other_parent = _get(spec, other[:-1])
            parent[key], other_parent[other[-1]] = other_parent[other[-1]], parent[key]
        except (KeyError, IndexError, TypeError):
            pass
    elif kind == "nest":
        value: Any = parent[key]
        for _ in range(draw(st.integers(1, 60))):
            value = {"x": value} if draw(st.booleans()) else [value]
        parent[key] = value
    return f"{kind} {'.'.join(map(str, path))}", spec


@st.composite
def corrupted_data(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """A valid spec with 1-3 data edits, dumped as YAML; returns (bytes, log)."""
    spec = draw(valid_specs(max_specialists=3))
    log = []
    for _ in range(draw(st.integers(1, 3))):
        what, spec = draw(data_mutation(spec))
        log.append(what)
    return to_yaml(spec).encode("utf-8", "surrogatepass"), log
