"""Does a value come out of every output format exactly as it went in, and inert?

Two renders are compared: a *benign* one, where each spec field holds a harmless sentinel, and a
*hostile* one, where some fields hold a hostile value instead. Each output file is parsed in its
own format (YAML, JSON, Fluentd config), and every string of the hostile tree must read, once the
format's escaping is undone, as the benign string with sentinel -> hostile value. Where the string
is itself code (PromQL, Go templates, Alertmanager matchers, Grafana variables, Grafana provisioning
environment references, Fluentd ``#{}``), the hostile value must not add any active syntax.

The decoders record how each sentinel's field reached each format, which becomes the field table.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import promql_parser as pp
import yaml  # type: ignore[import-untyped]

from tests.fluentd import grammar

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# ------------------------------------------------------------------------------ Go templates

_GO_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
}


def go_unquote(literal: str) -> str:
    """Go's strconv.Unquote for "..." and `...` literals; raises ValueError on bad syntax."""
    if len(literal) >= 2 and literal[0] == literal[-1] == "`":
        if "`" in literal[1:-1]:
            raise ValueError("backquote inside raw string")
        return literal[1:-1].replace("\r", "")
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        raise ValueError(f"not a string literal: {literal!r}")
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == '"' or c == "\n":
            raise ValueError("unescaped quote or newline in string literal")
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _GO_ESCAPES:
            out.append(_GO_ESCAPES[nxt])
            i += 2
        elif nxt in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = body[i + 2 : i + 2 + width]
            if len(digits) != width or not all(d in "0123456789abcdefABCDEF" for d in digits):
                raise ValueError("bad hex escape")
            out.append(chr(int(digits, 16)))
            i += 2 + width
        elif nxt.isdigit():
            digits = body[i + 1 : i + 4]
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise ValueError(f"unknown escape \\{nxt}")
    return "".join(out)


@dataclass(frozen=True)
class Action:
    body: str  # without delimiters and trim markers, stripped

    @property
    def literal(self) -> str | None:
        """The text a ``{{ "..." }}`` action prints, or None for any other action."""
        try:
            return go_unquote(self.body)
        except ValueError:
            return None


def go_template_parts(text: str) -> list[str | Action]:
    """Text and actions of a Go template (delimiters ``{{ }}``); raises ValueError when unterminated."""
    parts: list[str | Action] = []
    i = 0
    while True:
        start = text.find("{{", i)
        if start < 0:
            parts.append(text[i:])
            return parts
        chunk = text[i:start]
        j = start + 2
        trim_left = text.startswith("- ", j) or text.startswith("-\t", j) or text.startswith("-\n", j)
        if trim_left:
            chunk = chunk.rstrip()
        parts.append(chunk)
        end, quote = j, ""
        while True:
            if end >= len(text):
                raise ValueError(f"unterminated action at offset {start}")
            c = text[end]
            if quote:
                if c == "\\" and quote != "`":
                    end += 2
                    continue
                if c == quote:
                    quote = ""
            elif c in "\"'`":
                quote = c
            elif text.startswith("}}", end):
                break
            end += 1
        body = text[j:end]
        trim_right = body.endswith((" -", "\t-", "\n-"))
        body = body[1:] if trim_left else body
        body = body[:-1] if trim_right else body
        if body.strip().startswith("/*"):
            body = "/*comment*/"
        parts.append(Action(body.strip()))
        i = end + 2
        if trim_right:
            rest = text[i:]
            i += len(rest) - len(rest.lstrip())


def go_template_meaning(text: str) -> tuple[str, list[str]]:
    """(what the template prints with every non-literal action kept as a marker, those actions)."""
    out, actions = [], []
    for part in go_template_parts(text):
        if isinstance(part, str):
            out.append(part)
        elif part.literal is not None:
            out.append(part.literal)
        else:
            out.append("\x00{{" + part.body + "}}\x00")
            actions.append(part.body)
    return "".join(out), actions


# ------------------------------------------------------------------------------ PromQL

_GRAFANA_RANGE_VARS = re.compile(
    r"\$(__rate_interval|__interval|__range|__auto)\b|\$\{(__rate_interval|__interval|__range)\}"
)
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', re.S)


def promql_view(expr: str) -> tuple[str, list[tuple[str, str, str]], list[str]]:
    """(text with every string literal masked, matchers as (label, op, value), string literals)."""
    ast = pp.parse(_GRAFANA_RANGE_VARS.sub("5m", expr))
    matchers: list[tuple[str, str, str]] = []
    strings: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, pp.VectorSelector):
            groups = [node.matchers.matchers, *node.matchers.or_matchers]
            for group in groups:
                for m in group:
                    matchers.append((m.name, str(m.op), m.value))
            return
        if isinstance(node, pp.StringLiteral):
            strings.append(node.val)
            return
        for attr in ("expr", "lhs", "rhs", "vector_selector", "param"):
            child = getattr(node, attr, None)
            if child is not None and not isinstance(child, str | int | float):
                walk(child)
        for arg in getattr(node, "args", None) or ():
            walk(arg)

    walk(ast)
    return _QUOTED.sub('""', expr), matchers, strings


# ------------------------------------------------------------------------------ Alertmanager matchers

_MATCHER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$", re.S)


def am_matcher(text: str) -> tuple[str, str, str]:
    """A ``name="value"`` matcher as Alertmanager 0.25's classic parser reads it."""
    m = _MATCHER.match(text)
    if m is None:
        raise ValueError(f"not a matcher: {text!r}")
    name, op, raw = m.groups()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        out, i, body = [], 0, raw[1:-1]
        while i < len(body):
            if body[i] == "\\" and i + 1 < len(body):
                out.append({"n": "\n", '"': '"', "\\": "\\"}.get(body[i + 1], "\\" + body[i + 1]))
                i += 2
                continue
            if body[i] == '"':
                raise ValueError(f"unescaped quote in {text!r}")
            out.append(body[i])
            i += 1
        return name, op, "".join(out)
    return name, op, raw


# ------------------------------------------------------------------------------ Grafana

GRAFANA_VARIABLE = re.compile(r"\$(\w+)|\$\{([^}]*)\}|\[\[([^\]]*)\]\]")
PROVISIONING_ENV = re.compile(r"\$\$|\$(\w+)|\$\{([^}]*)\}")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def grafana_variables(text: str) -> list[str]:
    return [m.group(0) for m in GRAFANA_VARIABLE.finditer(text)]


def provisioning_env_refs(text: str) -> list[str]:
    """Environment references Grafana expands in a provisioning file (``$$`` is a literal ``$``)."""
    return [m.group(0) for m in PROVISIONING_ENV.finditer(text) if m.group(0) != "$$"]


def provisioning_meaning(text: str) -> str:
    return text.replace("$$", "$")


def markdown_meaning(text: str) -> str:
    return _MD_ESCAPE.sub(r"\1", text)


# ------------------------------------------------------------------------------ comparison

YAML_FILE = (".yml", ".yaml")


@dataclass
class Mismatch:
    file: str
    where: str
    benign: str
    hostile: str
    reason: str

    def __str__(self) -> str:
        b = self.benign if len(self.benign) < 300 else self.benign[:300] + "..."
        h = self.hostile if len(self.hostile) < 300 else self.hostile[:300] + "..."
        return f"{self.file} {self.where}: {self.reason}\n    benign:  {b!r}\n    hostile: {h!r}"


@dataclass
class Comparer:
    """Compares a benign and a hostile tree; ``subs`` maps each replaced sentinel to its hostile value."""

    subs: dict[str, str]
    mismatches: list[Mismatch] = field(default_factory=list)
    landed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # sentinel -> "format: how"

    def sub(self, text: str) -> str:
        for s, h in self.subs.items():
            text = text.replace(s, h)
        return text

    def _sentinels(self, text: str) -> list[str]:
        return [s for s in self.subs if s in text]

    def _land(self, text: str, how: str) -> None:
        for s in self._sentinels(text):
            self.landed[s].add(how)

    def _fail(self, file: str, where: str, b: str, x: str, reason: str) -> None:
        self.mismatches.append(Mismatch(file, where, b, x, reason))

    # -------------------------------------------------------------------------- trees

    def trees(self, benign: dict[str, bytes], hostile: dict[str, bytes], cache: dict[str, Any] | None = None) -> None:
        """Compare every file; ``cache`` keeps the parsed benign files between calls."""
        cache = {} if cache is None else cache
        expected_names = {self.sub(k): k for k in benign}
        for name in sorted(set(expected_names) ^ set(hostile)):
            self._fail(name, "", "", "", "file only in one tree")
        for name, original in sorted(expected_names.items()):
            if name not in hostile or name.endswith("manifest.json"):
                continue
            b, x = benign[original].decode("utf-8"), hostile[name].decode("utf-8")
            if b == x and not self._sentinels(b):
                continue  # no replaced value reaches this file, and it did not change
            self.file(name, b, x, cache, original)

    def file(self, name: str, b: str, x: str, cache: dict[str, Any] | None = None, key: str = "") -> None:
        cache = {} if cache is None else cache
        if name.endswith(YAML_FILE):
            try:
                xx = _yaml_all(x)
            except Exception as exc:
                self._fail(name, "", "", x[:500], f"hostile YAML does not parse: {exc}")
                return
            if key not in cache:
                cache[key] = _yaml_all(b)
            self.value(name, (), cache[key], xx, "YAML")
        elif name.endswith(".json"):
            try:
                xx = json.loads(x)
            except ValueError as exc:
                self._fail(name, "", "", x[:500], f"hostile JSON does not parse: {exc}")
                return
            if key not in cache:
                cache[key] = json.loads(b)
            self.value(name, (), cache[key], xx, "JSON")
        elif name.endswith(".conf"):
            self.fluentd(name, b, x)
        elif name.endswith(".md"):
            # Markdown: a value in a table cell is put on one line with `|` escaped (the runbooks'
            # `cell` filter); anywhere else it stands verbatim.
            if _markdown_text(self.sub(b)) != _markdown_text(x):
                self._fail(name, "", b, x, "Markdown text differs")
            else:
                self._land(b, "text: Markdown")
        elif self.sub(b) != x:
            self._fail(name, "", b, x, "text file differs")
        else:
            self._land(b, "text: verbatim")

    # -------------------------------------------------------------------------- structured values

    def value(self, file: str, path: tuple[Any, ...], b: Any, x: Any, fmt: str) -> None:
        where = "/".join(map(str, path))
        if isinstance(b, dict):
            if not isinstance(x, dict):
                self._fail(file, where, repr(b)[:200], repr(x)[:200], "mapping became another type")
                return
            keys = {self.sub(str(k)) if isinstance(k, str) else k: k for k in b}
            if set(keys) != set(x):
                self._fail(file, where, repr(sorted(map(str, keys))), repr(sorted(map(str, x))), "keys differ")
                return
            for k in b:
                if isinstance(k, str):
                    self._land(k, f"{fmt}: mapping key")
            for new, old in keys.items():
                self.value(file, (*path, new), b[old], x[new], fmt)
        elif isinstance(b, list):
            if not isinstance(x, list):
                self._fail(file, where, repr(b)[:200], repr(x)[:200], "list became another type")
                return
            before = len(self.mismatches)
            if len(x) == len(b):
                for i, (bi, xi) in enumerate(zip(b, x, strict=True)):
                    self.value(file, (*path, i), bi, xi, fmt)
            if len(x) == len(b) and len(self.mismatches) == before:
                return
            # Lists sorted or deduplicated by a value: the same elements in another order, or merged.
            # Pair each hostile element with the benign one it equals textually and compare those pairs
            # again (which still checks the escaping and the active syntax of each string).
            by_text = {_canon(self._sub_deep(e)): e for e in b}
            if set(by_text) == {_canon(e) for e in x}:
                del self.mismatches[before:]
                for i, xi in enumerate(x):
                    self.value(file, (*path, i), by_text[_canon(xi)], xi, fmt)
                return
            if len(x) != len(b):
                self._fail(file, where, repr(b)[:200], repr(x)[:200], "list changed length")
        elif isinstance(b, str):
            if not isinstance(x, str):
                self._fail(file, where, b, repr(x), "string became another type")
                return
            self.string(file, path, b, x, fmt)
        elif b != x:
            self._fail(file, where, repr(b), repr(x), "value differs")

    def _sub_deep(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self.sub(k) if isinstance(k, str) else k: self._sub_deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._sub_deep(v) for v in value]
        return self.sub(value) if isinstance(value, str) else value

    def _land_deep(self, value: Any, how: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self._land_deep(k, how)
                self._land_deep(v, how)
        elif isinstance(value, list):
            for v in value:
                self._land_deep(v, how)
        elif isinstance(value, str):
            self._land(value, how)

    def string(self, file: str, path: tuple[Any, ...], b: str, x: str, fmt: str) -> None:
        where = "/".join(map(str, path))
        key = str(path[-1]) if path else ""
        context = _context(file, path, fmt)
        # Strings that hold a whole document of another format (Kubernetes ConfigMaps and Secrets)
        if b != self.sub(b) or b != x:
            nested = _nested_format(key, b)
            if nested is not None:
                try:
                    inner_b, inner_x = nested[1](b), nested[1](x)
                except Exception as exc:
                    self._fail(file, where, b[:200], x[:200], f"embedded {nested[0]} does not parse: {exc}")
                    return
                self.value(file, path, inner_b, inner_x, f"{fmt}>{nested[0]}")
                return
        if not self._sentinels(b):
            if b != x:
                self._fail(file, where, b, x, "string without a spec value changed")
            return
        expected = self.sub(b)
        if context == "promql" and not _parses(promql_view, b):
            context = "grafana" if "dashboards" in file else ""  # e.g. a query with Grafana variables
        if context == "gotemplate" and not _parses(go_template_meaning, b):
            context = ""
        checks: list[tuple[str, Callable[[], str | None]]] = []
        if context == "promql":
            checks.append(("PromQL", lambda: self._promql(b, x)))
        if context == "gotemplate":
            checks.append(("Go template", lambda: self._gotemplate(b, x)))
        if context == "matcher":
            checks.append(("Alertmanager matcher", lambda: self._matcher(b, x)))
        if context == "grafana":
            checks.append(("Grafana variables", lambda: self._active(b, x, grafana_variables, "Grafana variable")))
        if context == "provisioning":
            checks.append(
                ("Grafana provisioning", lambda: self._active(b, x, provisioning_env_refs, "environment reference"))
            )
        for label, check in checks:
            problem = check()
            if problem is not None:
                self._fail(file, where, b, x, f"{label}: {problem}")
                return
        if context in ("promql", "matcher"):
            self._land(b, f"{fmt} {'PromQL' if context == 'promql' else 'AM matcher'}: escaped")
            return
        meanings: list[tuple[str, Callable[[str], str]]] = [("verbatim", lambda t: t)]
        if context == "gotemplate":
            meanings.append(("Go-template literal", lambda t: go_template_meaning(t)[0]))
        if context == "provisioning":
            meanings.append(("$$-escaped", provisioning_meaning))
        meanings += [("markdown-escaped", markdown_meaning), ("percent-encoded", unquote), ("path-normalised", _norm)]
        for how, decode in meanings:
            try:
                if decode(x) == self.sub(decode(b)):
                    self._land(b, f"{fmt}{' ' + _CONTEXT_NAMES[context] if context else ''}: {how}")
                    return
            except ValueError:
                continue
        if "\n" in expected and x == expected.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") + "\n":
            self._fail(file, where, expected, x, "multi-line value gained a final newline (or lost a CR)")
            return
        self._fail(file, where, expected, x, "value does not read back (no known escaping explains it)")

    def _promql(self, b: str, x: str) -> str | None:
        sb, mb, lb = promql_view(b)
        try:
            sx, mx, lx = promql_view(x)
        except ValueError as exc:
            return f"does not parse: {exc}"
        if sb != sx:
            return "expression structure changed"
        want = [(self.sub(n), o, self.sub(v)) for n, o, v in mb]
        if want != mx:
            return f"matchers read {mx} instead of {want}"
        if [self.sub(s) for s in lb] != lx:
            return f"string literals read {lx} instead of {[self.sub(s) for s in lb]}"
        return None

    def _gotemplate(self, b: str, x: str) -> str | None:
        mb, ab = go_template_meaning(b)
        try:
            mx, ax = go_template_meaning(x)
        except ValueError as exc:
            return f"not a valid template: {exc}"
        if Counter(ax) != Counter(ab):
            return f"template actions changed: {sorted(set(ax) - set(ab))} added, {sorted(set(ab) - set(ax))} removed"
        if mx != self.sub(mb):
            return "the template prints something else"
        return None

    def _matcher(self, b: str, x: str) -> str | None:
        try:
            nb, ob, vb = am_matcher(b)
            got = am_matcher(x)
        except ValueError as exc:
            return str(exc)
        if got != (self.sub(nb), ob, self.sub(vb)):
            return f"reads as {got}"
        return None

    def _active(self, b: str, x: str, find: Callable[[str], list[str]], what: str) -> str | None:
        added = Counter(find(x)) - Counter(self.sub(r) for r in find(b))
        return f"new {what}s {sorted(added)}" if added else None

    # -------------------------------------------------------------------------- Fluentd

    def fluentd(self, name: str, b: str, x: str) -> None:
        try:
            tb, tx = grammar.parse(b), grammar.parse(x)
        except grammar.FluentdConfigError as exc:
            self._fail(name, "", "", x[:500], f"Fluentd config does not parse: {exc}")
            return
        found = grammar.check_policy(tx) + grammar.check_ids(tx)
        for d in found:
            self._fail(name, f"line {d.line}", "", "", f"Fluentd policy: {d.message}")
        eb, ex = list(_fluentd_items(tb)), list(_fluentd_items(tx))
        if len(eb) != len(ex):
            self._fail(name, "", str(len(eb)), str(len(ex)), "a different number of directives/parameters")
            return
        for (wb, vb), (wx, vx) in zip(eb, ex, strict=True):
            if self.sub(wb) != wx:
                self._fail(name, wx, wb, wx, "directive structure changed")
                return
            if not self._sentinels(vb.text):
                if vb.text != vx.text:
                    self._fail(name, wx, vb.text, vx.text, "value without a spec value changed")
                continue
            if vx.interpolations and not vb.interpolations:
                self._fail(name, wx, vb.text, vx.text, "hostile value became Ruby code #{...}")
            elif vx.text == self.sub(vb.text) or (_norm(vx.text) == _norm(self.sub(vb.text)) and "/" in vb.text):
                self._land(vb.text, f"Fluentd {vx.style}: {'escaped' if vx.style in ('double', 'json') else 'bare'}")
            elif _ruby_regexp_reads(vb.text, vx.text, self.subs):
                self._land(vb.text, "Fluentd regexp: escaped")
            else:
                self._fail(name, wx, self.sub(vb.text), vx.text, "value does not read back")


_CONTEXT_NAMES = {
    "gotemplate": "Go template",
    "grafana": "Grafana text",
    "provisioning": "Grafana provisioning",
    "promql": "PromQL",
    "matcher": "AM matcher",
}

# Alertmanager notifier fields that are Go templates (config.go: `tmpl_string` fields).
AM_TEMPLATED = frozenset(
    {
        "to",
        "from",
        "smtp_from",
        "html",
        "text",
        "subject",
        "Subject",
        "channel",
        "username",
        "color",
        "title",
        "title_link",
        "pretext",
        "fallback",
        "footer",
        "icon_emoji",
        "icon_url",
        "image_url",
        "thumb_url",
        "description",
        "severity",
        "client",
        "client_url",
        "class",
        "component",
        "group",
        "links",
        "message",
    }
)


# Dashboard JSON fields Grafana interpolates variables in ($var, ${var}, [[var]]).
GRAFANA_INTERPOLATED = frozenset(
    {"title", "description", "content", "expr", "legendFormat", "url", "query", "definition", "regex", "tooltip"}
)


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _norm(text: str) -> str:
    return posixpath.normpath(text) if text.startswith("/") else text


def _context(file: str, path: tuple[Any, ...], fmt: str = "") -> str:
    keys = [p for p in path if isinstance(p, str)]
    key = keys[-1] if keys else ""
    if "prometheus/rules/" in file or "prometheusrules/" in file or "thanos/" in file or "mimir/" in file:
        if key == "expr":
            return "promql"
        if "labels" in keys or "annotations" in keys:
            return "gotemplate"
    if "prometheus/tests/" in file and key in ("expr", "series"):
        return "promql"
    if "alertmanager" in file and "routing-table" not in file:
        if any(k.endswith("matchers") for k in keys):
            return "matcher"
        if key in AM_TEMPLATED or "headers" in keys or "details" in keys:
            return "gotemplate"
    if "dashboards" in file and (file.endswith(".json") or "JSON" in fmt):
        if key == "expr":
            return "promql"
        return "grafana" if key in GRAFANA_INTERPOLATED else ""
    if "grafana/provisioning/" in file:
        return "provisioning"
    return ""


def _parses(parse: Callable[[str], Any], text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def _nested_format(key: str, text: str) -> tuple[str, Callable[[str], Any]] | None:
    stripped = text.lstrip()
    if key.endswith(".json") or (stripped.startswith(("{", "[")) and stripped.rstrip().endswith(("}", "]"))):
        try:
            json.loads(text)
        except ValueError:
            return None
        return "JSON", json.loads
    if key.endswith(YAML_FILE) and "\n" in text:
        return "YAML", _yaml_all
    return None


class GoLikeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """How Go's YAML libraries (libyaml ports) read our outputs into string fields: libyaml's scanner
    (NEL, U+2028 and U+2029 are line breaks), and a plain scalar keeps its text (``yes`` stays
    ``"yes"``, ``1:20`` stays ``"1:20"``); only ``null``/``~`` and empty values are null."""


GoLikeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _yaml_all(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=GoLikeLoader))


def _fluentd_items(tree: grammar.Config) -> Iterator[tuple[str, grammar.Value]]:
    """(where, value) of every directive argument and parameter, in file order."""

    def walk(el: grammar.Element, at: str) -> Iterator[tuple[str, grammar.Value]]:
        here = f"{at}/<{el.name}>"
        if el.arg_value is not None:
            yield f"{here}@arg", el.arg_value
        for p in el.params:
            yield f"{here}/{p.key}", p.value
        for child in el.children:
            yield from walk(child, here)

    yield from walk(tree.root, "")


def _ruby_regexp_reads(b: str, x: str, subs: dict[str, str]) -> bool:
    """``x`` is the regexp ``b`` with each sentinel replaced by its hostile value, escaped."""
    expected = b
    for s, h in subs.items():
        expected = expected.replace(s, re.escape(h))
    return x == expected or x == expected.replace("\\-", "-")


def _markdown_text(text: str) -> str:
    """Markdown read as words: table-cell escaping undone, whitespace runs as one space."""
    return " ".join(text.replace("\\|", "|").split())
