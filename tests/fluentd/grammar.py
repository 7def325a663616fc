"""A strict parser and checker for Fluentd's v1 configuration format: a test oracle, not shipped code.

Fluentd cannot run in CI here, so guardiangen's tests check the generated ``fluentd.conf`` with this
module instead. It has four layers; each one returns or raises :class:`Diagnostic` entries that carry
a line number (and a column where that helps). All entries are collected: nothing stops at the first.

1. **Syntax** (:func:`parse`): a port of fluentd's ``Fluent::Config::V1Parser`` and ``LiteralParser``
   (``lib/fluent/config/v1_parser.rb``, ``literal_parser.rb``, ``basic_parser.rb``, fluentd 1.19), with
   error recovery added. Values are decoded exactly as fluentd decodes them: bare, ``'single'``,
   ``"double"`` (escapes, ``#{...}`` Ruby code) and multi-line JSON ``[...]``/``{...}``.
2. **Structure and whitelists** (also :func:`parse`): where each directive and section may appear,
   ``@type`` per directive kind, parameter names per plugin (taken from the plugins' ``config_param``
   definitions), value types (bool, integer, time, size, enum, ...), ``@label`` references, buffer chunk
   keys and ``${...}`` placeholders.
3. **Policy** (:func:`check_policy`): guardiangen's own rules: no ``type_name``, bounded buffers with
   finite retries, no Ruby code other than ``#{ENV['NAME']}``, no raw line breaks inside double-quoted
   values, no ``enable_ruby``.
4. **Plugin ids** (:func:`check_ids`): every ``<source>``, ``<filter>``, ``<match>`` and ``<store>``
   has an ``@id``, and no ``@id`` is used twice.

Error handling: :func:`parse` returns a :class:`Config` or raises one :class:`FluentdConfigError` whose
``errors`` hold every syntax and structure problem found. :func:`check_policy` and :func:`check_ids`
return lists. :func:`validate` runs all four layers on text and returns one sorted list (it never
raises for configuration problems), which is what the corpus tests compare with ``*.expected`` files.

How fluentd reads values (``literal_parser.rb``; what a renderer must know):

- ``"double"`` (``scan_double_quoted_string`` / ``eval_escape_char``): ``\\"`` ``\\'`` ``\\r`` ``\\n``
  ``\\t`` ``\\f`` ``\\b`` ``\\0`` are escapes; a backslash before any other ASCII letter or digit is a
  parse error (there is no ``\\u``, ``\\x``, ``\\e`` or ``\\1``); before any other character it yields
  that character, so ``\\\\`` is ``\\``, ``\\#`` is ``#``, ``\\$`` is ``$``. ``#{...}`` is Ruby code run
  when the file is read; a ``#`` not followed by ``{`` is plain text. A raw line break is kept (but a
  single empty line inside the string is a parse error), and backslash + line break joins the lines.
  So user text is safe as ``"..."`` with ``\\`` ``"`` newline CR tab ``#`` written as ``\\\\`` ``\\"``
  ``\\n`` ``\\r`` ``\\t`` ``\\#``.
- ``'single'`` (``scan_single_quoted_string``): only ``\\'`` and ``\\\\`` are escapes, every other
  backslash is literal, no ``#{}``; a line break inside is a parse error.
- bare (``scan_nonquoted_string``): never evaluated. Surrounding blanks are dropped; a ``#`` that
  follows a blank ends the value (a comment), except that ``key #x`` has the value ``#x``. A bare value
  that starts with ``[`` or ``{`` is read as JSON, one that starts with a quote as a quoted string.
- JSON (``scan_json``): read until the text is one complete JSON value; a ``#`` outside strings at the
  top level starts a comment, and ``#{...}`` *inside a JSON string* is Ruby code, so a renderer must
  write ``#`` in JSON strings as ``\\u0023``.

Deliberate differences from fluentd (stricter, or simpler where fluentd relies on Ruby):

- ``#{...}`` is never evaluated. A value keeps the code verbatim in :attr:`Value.text`, and
  :attr:`Value.interpolations` lists it. The end of the code is found by matching braces and skipping
  Ruby string literals (fluentd asks Ruby's ``Ripper`` for the shortest valid expression); code that
  runs past the end of its line is reported as unterminated.
- Inside JSON values fluentd looks for ``#{`` followed by ``...}`` *anywhere* ahead
  (``StringScanner#exist?``); this parser only looks directly after the ``#``.
- JSON is decoded with Python's ``json`` module: fluentd's ``/* */`` and ``//`` comments inside JSON
  values and ``NaN``/``Infinity`` are rejected.
- Value types are checked with anchored patterns. Fluentd's own checks are unanchored
  (``1.5s`` is read as 5 seconds, ``flush_interval five`` as 0), so this is stricter on purpose.
- A ``<filter>`` or ``<match>`` needs an explicit tag pattern, ``<label>`` names start with ``@``, a
  parameter may be set only once, and the bare ``include`` (without ``@``) is rejected.
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol

__all__ = [
    "Config",
    "Diagnostic",
    "Element",
    "FluentdConfigError",
    "Include",
    "Interpolation",
    "Param",
    "Value",
    "check_ids",
    "check_policy",
    "parse",
    "parse_file",
    "ruby_interpolations",
    "validate",
]


# ---------------------------------------------------------------------------------------------------
# Diagnostics


@dataclass(frozen=True)
class Diagnostic:
    """One problem. ``str()`` gives ``line 12: message`` or ``line 12, column 7: message``; problems in an
    included file are prefixed with its path (relative to the main file's directory)."""

    line: int
    column: int | None
    message: str
    file: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.column is None else f"line {self.line}, column {self.column}"
        prefix = f"{self.file}, " if self.file else ""
        return f"{prefix}{where}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line, self.column or 0, self.message)


class FluentdConfigError(Exception):
    """Raised by :func:`parse` with every syntax and structure problem of the text."""

    def __init__(self, errors: list[Diagnostic]) -> None:
        self.errors: tuple[Diagnostic, ...] = tuple(sorted(errors, key=Diagnostic.sort_key))
        super().__init__("\n".join(str(e) for e in self.errors))


# ---------------------------------------------------------------------------------------------------
# Tree

QuoteStyle = Literal["bare", "single", "double", "json"]


@dataclass(frozen=True)
class Interpolation:
    """A ``#{...}`` that fluentd would evaluate as Ruby when it reads the file."""

    line: int
    column: int
    code: str
    file: str | None = None


@dataclass(frozen=True)
class Value:
    """A decoded value. ``text`` is what fluentd hands to the plugin, except that ``#{...}`` is kept as
    written (not evaluated). JSON values hold fluentd's re-serialised (compact) JSON text and, in
    ``json_value``, the decoded object."""

    text: str
    style: QuoteStyle
    line: int
    column: int
    interpolations: tuple[Interpolation, ...] = ()
    raw_line_break: bool = False
    json_value: object = None

    @property
    def has_interpolation(self) -> bool:
        return bool(self.interpolations)


@dataclass(frozen=True)
class Param:
    key: str
    value: Value
    line: int
    column: int
    file: str | None = None
    key_value: Value | None = None  # set when the key itself was quoted (fluentd decodes it like a value)


@dataclass(eq=False)
class Element:
    """A directive (``<source>``, ``<match PATTERN>``, ...) or a section nested in one. The root of a
    configuration is an element named ``ROOT``."""

    name: str
    arg: str
    line: int
    column: int
    file: str | None = None
    arg_value: Value | None = None
    params: list[Param] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)
    parent: Element | None = None
    malformed: bool = False  # the tag itself had a syntax error

    def param(self, key: str) -> Param | None:
        """The first ``key`` parameter (a repeated key is an error reported by :func:`parse`)."""
        return next((p for p in self.params if p.key == key), None)

    def get(self, key: str) -> str | None:
        p = self.param(key)
        return None if p is None else p.value.text

    @property
    def type(self) -> str | None:
        return self.get("@type")

    def sections(self, name: str) -> list[Element]:
        return [c for c in self.children if c.name == name]

    def walk(self) -> Iterator[Element]:
        """This element and all its descendants, depth first, in file order."""
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def tag(self) -> str:
        return f"<{self.name} {self.arg}>" if self.arg else f"<{self.name}>"


@dataclass(frozen=True)
class Include:
    line: int
    target: str
    file: str | None
    resolved: tuple[str, ...]


@dataclass
class Config:
    root: Element
    includes: list[Include] = field(default_factory=list)
    include_values: list[Value] = field(default_factory=list)

    @property
    def elements(self) -> list[Element]:
        return self.root.children

    def walk(self) -> Iterator[Element]:
        return self.root.walk()

    def directives(self, name: str) -> list[Element]:
        """All ``<name>`` elements at any depth."""
        return [e for e in self.walk() if e.name == name]

    def values(self) -> Iterator[tuple[Element, Value]]:
        for el in self.walk():
            if el.arg_value is not None:
                yield el, el.arg_value
            for p in el.params:
                if p.key_value is not None:
                    yield el, p.key_value
                yield el, p.value
        for v in self.include_values:
            yield self.root, v

    def interpolations(self) -> list[Interpolation]:
        found = [i for _, v in self.values() for i in v.interpolations]
        return sorted(found, key=lambda i: (i.file or "", i.line, i.column))


# ---------------------------------------------------------------------------------------------------
# Syntax: a port of fluentd's BasicParser / LiteralParser / V1Parser

# basic_parser.rb. Ruby's \z is Python's \Z; in both languages "." matches anything but "\n".
_LINE_END_SRC: Final = r"(?:[ \t]*(?:#.*)?(?:\Z|[\r\n]))+"
_SPACING_SRC: Final = r"(?:[ \t\r\n]|\Z|#.*?(?:\Z|[\r\n]))+"
_ZERO_OR_MORE_SPACING_SRC: Final = r"(?:[ \t\r\n]|\Z|#.*?(?:\Z|[\r\n]))*"
_LINE_END: Final = re.compile(_LINE_END_SRC)
_SPACING: Final = re.compile(_SPACING_SRC)
_SPACING_WITHOUT_COMMENT: Final = re.compile(r"(?:[ \t\r\n]|\Z)+")
_ELEMENT_NAME: Final = re.compile(r"[a-zA-Z0-9_]+")
_ROOT_INCLUDE: Final = re.compile(r"(?:@include|include)" + _SPACING_SRC)


def _nonquoted(boundary: str) -> re.Pattern[str]:
    # LiteralParser#scan_nonquoted_string: a "#" is always taken literally; any other character is taken
    # unless the boundary starts there.
    return re.compile(r"(?:#|(?!" + boundary + r").)*")


_BARE_VALUE: Final = _nonquoted(_LINE_END_SRC)
_BARE_KEY: Final = _nonquoted(_SPACING_SRC)
_BARE_TAG_ARG: Final = _nonquoted(_ZERO_OR_MORE_SPACING_SRC + r">")
# LiteralParser#scan_double_quoted_string
_DQ_CHAR_AT_EOL: Final = re.compile(r'[^"](?:\Z|[\r\n])')
_DQ_ESCAPE: Final = re.compile(r"\\.")
_ANY_CHAR: Final = re.compile(r".")
_JSON_EMBEDDED: Final = re.compile(r"\{[^}]+\}")
_BLANKS: Final = re.compile(r"[ \t]*")


class _LexError(Exception):
    def __init__(self, pos: int, message: str, *, resume: int | None = None, fatal: bool = False) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message
        self.resume = resume
        self.fatal = fatal


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _json_loads(text: str) -> object:
    return json.loads(text, parse_constant=_reject_constant)


def _ruby_string_end(text: str, i: int) -> int:
    """Index after the Ruby string literal starting at ``text[i]`` (a quote), or -1."""
    quote = text[i]
    i += 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        if quote != "'" and c == "#" and text.startswith("{", i + 1):
            end = _ruby_code_end(text, i + 2)
            if end < 0:
                return -1
            i = end + 1
            continue
        i += 1
    return -1


def _ruby_code_end(text: str, i: int) -> int:
    """Index of the ``}`` that closes Ruby code starting at ``i`` (just after ``#{``), or -1."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "}":
            if depth == 0:
                return i
            depth -= 1
        elif c == "{":
            depth += 1
        elif c in "'\"`":
            i = _ruby_string_end(text, i)
            if i < 0:
                return -1
            continue
        elif c == "#":
            nl = text.find("\n", i)
            if nl < 0:
                return -1
            i = nl
        i += 1
    return -1


def _json_extent(text: str, start: int) -> int:
    """Index after the bracket that closes the JSON value opening at ``text[start]``, or -1."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == '"':
            i += 1
            while i < len(text) and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
            if i >= len(text) or text[i] == "\n":
                return -1
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


class _Session:
    """State shared by the main file and the files it includes."""

    def __init__(self, base_dir: str | None) -> None:
        self.base_dir = base_dir
        self.diagnostics: list[Diagnostic] = []
        self.includes: list[Include] = []
        self.include_values: list[Value] = []
        self.open_files: list[str] = []
        self.fatal = False  # a syntax error made the parser skip to the end of a file


class _FileParser:
    def __init__(self, text: str, *, file: str | None, directory: str | None, session: _Session) -> None:
        self.text = text
        self.pos = 0
        self.file = file
        self.directory = directory
        self.session = session
        self.fatal = False
        self._line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    # -- scanner helpers ----------------------------------------------------------------------------

    def _skip(self, pattern: re.Pattern[str]) -> str | None:
        m = pattern.match(self.text, self.pos)
        if m is None:
            return None
        self.pos = m.end()
        return m.group()

    def _skip_str(self, s: str) -> bool:
        if self.text.startswith(s, self.pos):
            self.pos += len(s)
            return True
        return False

    def _eof(self) -> bool:
        return self.pos >= len(self.text)

    def _line_col(self, pos: int) -> tuple[int, int]:
        lo, hi = 0, len(self._line_starts)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid
        return lo + 1, pos - self._line_starts[lo] + 1

    def _junk(self) -> int:
        """Where the unexpected text after a value or tag starts (past spaces and tabs)."""
        m = _BLANKS.match(self.text, self.pos)
        assert m is not None
        return m.end()

    def _line_end_of(self, pos: int) -> int:
        nl = self.text.find("\n", pos)
        return len(self.text) if nl < 0 else nl

    def _next_line(self, pos: int) -> int:
        nl = self.text.find("\n", pos)
        return len(self.text) if nl < 0 else nl + 1

    def _error(self, pos: int, message: str, *, column: bool = True) -> None:
        line, col = self._line_col(pos)
        self.session.diagnostics.append(Diagnostic(line, col if column else None, message, self.file))

    # -- elements -----------------------------------------------------------------------------------

    def parse_into(self, container: Element) -> None:
        """V1Parser#parse_element, iterative, with an explicit stack so that errors can be recovered."""
        stack = [container]
        if self.text.startswith("\ufeff"):
            self._error(0, "the file starts with a byte order mark, which fluentd reads as text")
            self.pos = 1
        while True:
            self._skip(_SPACING)
            if self._eof():
                break
            start = self.pos
            try:
                if self._skip_str("</"):
                    self._close_tag(stack, start)
                elif self._skip_str("<"):
                    self._open_tag(stack, start)
                elif len(stack) == 1 and (m := _ROOT_INCLUDE.match(self.text, start)):
                    if not m.group().startswith("@"):
                        self._error(start, "'include' is deprecated: write '@include'", column=False)
                    self.pos = m.end()
                    self._include(stack[-1], start)
                else:
                    self._param(stack[-1])
            except _LexError as e:
                self._error(e.pos, e.message)
                if e.fatal:
                    self.fatal = True
                    self.session.fatal = True
                    self.pos = len(self.text)
                    break
                self.pos = e.resume if e.resume is not None else self._next_line(e.pos)
                if self.pos <= start:
                    self.pos = self._next_line(start)
        if not self.fatal:
            for el in stack[1:]:
                self._error_at_line(el.line, f"<{el.name}> opened here is never closed")

    def _error_at_line(self, line: int, message: str) -> None:
        self.session.diagnostics.append(Diagnostic(line, None, message, self.file))

    def _open_tag(self, stack: list[Element], start: int) -> None:
        name = self._skip(_ELEMENT_NAME)
        if not name:
            raise _LexError(self.pos, "expected an element name after '<'")
        self._skip(_SPACING)
        arg = self._scan_string(_BARE_TAG_ARG)
        line, col = self._line_col(start)
        el = Element(
            name=name,
            arg=arg.text if arg else "",
            line=line,
            column=col,
            file=self.file,
            arg_value=arg,
            parent=stack[-1],
        )
        stack[-1].children.append(el)
        stack.append(el)
        self._skip(_SPACING)
        if not self._skip_str(">"):
            el.malformed = True
            raise _LexError(self._line_end_of(start), f"expected '>' to end the <{name}> tag")
        if self._skip(_LINE_END) is None:
            el.malformed = True
            raise _LexError(self._junk(), f"unexpected text after the <{name}> tag")

    def _close_tag(self, stack: list[Element], start: int) -> None:
        name = self._skip(_ELEMENT_NAME) or ""
        self._skip(_SPACING)
        if not self._skip_str(">"):
            self._error(self._line_end_of(start), f"expected '>' to end </{name}")
            self.pos = self._next_line(start)
        elif self._skip(_LINE_END) is None:
            self._error(self._junk(), f"unexpected text after </{name}>")
            self.pos = self._next_line(self.pos)
        line, _ = self._line_col(start)
        open_names = [e.name for e in stack[1:]]
        if name not in open_names:
            self._error_at_line(line, f"</{name}> has no matching <{name}>")
            return
        while stack[-1].name != name:
            el = stack.pop()
            self._error_at_line(el.line, f"<{el.name}> opened here is not closed before </{name}> on line {line}")
        stack.pop()

    # -- parameters ---------------------------------------------------------------------------------

    def _param(self, el: Element) -> None:
        start = self.pos
        key_value = self._scan_string(_BARE_KEY)
        if key_value is None:
            raise _LexError(start, "expected a parameter name")
        key = key_value.text
        spacing = self._skip(_SPACING_WITHOUT_COMMENT)
        if spacing is None:
            raise _LexError(self.pos, f"expected a space after '{key}'")
        line, col = self._line_col(start)
        if "\n" in spacing or self._eof():
            # "key" alone on its line: fluentd stores "" (a bool parameter then means true).
            vline, vcol = self._line_col(self.pos - len(spacing))
            self._add_param(el, key_value, Value("", "bare", vline, vcol), line, col)
            return
        if key == "@include":
            self._include(el, start)
            return
        value = self._literal()
        if self._skip(_LINE_END) is None:
            if value.style == "double" and value.raw_line_break:
                vpos = self._line_starts[value.line - 1] + value.column - 1
                raise _LexError(vpos, "unterminated double-quoted string", resume=self._next_line(vpos))
            raise _LexError(self._junk(), f"unexpected text after the value of '{key}'")
        self._add_param(el, key_value, value, line, col)

    def _add_param(self, el: Element, key: Value, value: Value, line: int, col: int) -> None:
        quoted_key = key if key.style != "bare" else None
        el.params.append(Param(key.text, value, line, col, self.file, quoted_key))

    def _include(self, el: Element, start: int) -> None:
        target_value = self._scan_string(_BARE_VALUE)
        if self._skip(_LINE_END) is None:
            raise _LexError(self._junk(), "unexpected text after the @include path")
        line, _ = self._line_col(start)
        target = target_value.text if target_value else ""
        if target_value is not None:
            self.session.include_values.append(target_value)
        resolved: list[str] = []
        try:
            if not target:
                self._error_at_line(line, "@include needs a path")
            elif self.session.base_dir is not None and self.directory is not None:
                resolved = self._resolve_include(el, target, line)
        finally:
            self.session.includes.append(Include(line, target, self.file, tuple(resolved)))

    def _resolve_include(self, el: Element, target: str, line: int) -> list[str]:
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]+://", target):
            self._error_at_line(line, f"@include {target}: only local files can be included")
            return []
        assert self.directory is not None and self.session.base_dir is not None
        pattern = target if os.path.isabs(target) else os.path.join(self.directory, target)
        matches = sorted(glob.glob(pattern))
        if not matches:
            self._error_at_line(line, f"@include {target} matches no file")
        for path in matches:
            real = os.path.realpath(path)
            display = os.path.relpath(path, self.session.base_dir)
            if real in self.session.open_files:
                self._error_at_line(line, f"@include {target} includes {display} again (a cycle)")
                continue
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            self.session.open_files.append(real)
            try:
                sub = _FileParser(text, file=display, directory=os.path.dirname(path), session=self.session)
                sub.parse_into(el)
            finally:
                self.session.open_files.pop()
        return matches

    # -- literals -----------------------------------------------------------------------------------

    def _literal(self) -> Value:
        """LiteralParser#parse_literal."""
        self._skip(_SPACING_WITHOUT_COMMENT)
        start = self.pos
        if self._skip_str("["):
            return self._json(start, is_array=True)
        if self._skip_str("{"):
            return self._json(start, is_array=False)
        value = self._scan_string(_BARE_VALUE)
        if value is None:
            line, col = self._line_col(start)
            return Value("", "bare", line, col)
        return value

    def _scan_string(self, bare: re.Pattern[str]) -> Value | None:
        """LiteralParser#scan_string: double-quoted, single-quoted or bare up to a boundary."""
        start = self.pos
        line, col = self._line_col(start)
        if self._skip_str('"'):
            return self._double_quoted(start)
        if self._skip_str("'"):
            return self._single_quoted(start)
        m = bare.match(self.text, start)
        assert m is not None  # the pattern can match the empty string
        if not m.group():
            return None
        self.pos = m.end()
        return Value(m.group(), "bare", line, col)

    def _double_quoted(self, start: int) -> Value:
        """LiteralParser#scan_double_quoted_string, eval_escape_char and scan_embedded_code."""
        line, col = self._line_col(start)
        parts: list[str] = []
        interpolations: list[Interpolation] = []
        raw_line_break = False
        while True:
            if self._skip_str('"'):
                return Value("".join(parts), "double", line, col, tuple(interpolations), raw_line_break)
            m = _DQ_CHAR_AT_EOL.match(self.text, self.pos)
            if m is not None:
                # A character followed by a line break (or the end of the text) is kept with the line
                # break, except that backslash + line break is a line continuation and disappears.
                chunk = m.group()
                if chunk[0] != "\\":
                    parts.append(chunk)
                raw_line_break = raw_line_break or len(chunk) > 1
                self.pos = m.end()
                continue
            m = _DQ_ESCAPE.match(self.text, self.pos)
            if m is not None:
                parts.append(self._escape(m.group()[1], self.pos))
                self.pos = m.end()
                continue
            if self.text.startswith("#{", self.pos):
                hash_pos = self.pos
                self.pos += 2
                code = self._embedded_code(hash_pos)
                iline, icol = self._line_col(hash_pos)
                interpolations.append(Interpolation(iline, icol, code, self.file))
                parts.append("#{" + code + "}")
                continue
            m = _ANY_CHAR.match(self.text, self.pos)
            if m is not None:
                parts.append(m.group())
                self.pos = m.end()
                continue
            raise _LexError(start, "unterminated double-quoted string", resume=self._next_line(start))

    def _escape(self, c: str, pos: int) -> str:
        """LiteralParser#eval_escape_char."""
        simple = {'"': '"', "'": "'", "r": "\r", "n": "\n", "t": "\t", "f": "\f", "b": "\b", "0": "\0"}
        if c in simple:
            return simple[c]
        if re.fullmatch(r"[a-zA-Z0-9]", c):
            raise _LexError(pos, f"unexpected back-slash escape character '{c}'")
        return c  # any other symbol stands for itself: \\ \# \$ \{ ...

    def _embedded_code(self, hash_pos: int) -> str:
        end = _ruby_code_end(self.text, self.pos)
        if end < 0 or "\n" in self.text[self.pos : end]:
            raise _LexError(hash_pos, "unterminated #{...} Ruby code", resume=self._next_line(hash_pos))
        code = self.text[self.pos : end]
        self.pos = end + 1
        return code

    def _single_quoted(self, start: int) -> Value:
        """LiteralParser#scan_single_quoted_string: only \\' and \\\\ are escapes."""
        line, col = self._line_col(start)
        parts: list[str] = []
        while True:
            if self._skip_str("'"):
                return Value("".join(parts), "single", line, col)
            if self._skip_str("\\'"):
                parts.append("'")
            elif self._skip_str("\\\\"):
                parts.append("\\")
            elif (m := _ANY_CHAR.match(self.text, self.pos)) is not None:
                parts.append(m.group())
                self.pos = m.end()
            else:
                raise _LexError(start, "unterminated single-quoted string", resume=self._next_line(start))

    def _json(self, start: int, *, is_array: bool) -> Value:
        """LiteralParser#scan_json: read characters until the text so far is one complete JSON value."""
        line, col = self._line_col(start)
        closing = "]" if is_array else "}"
        buffer = self.text[start]
        line_buffer = ""
        interpolations: list[Interpolation] = []
        found = False
        result: object = None
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            self.pos += 1
            if char == "#":
                trimmed = line_buffer.rstrip(" \t\n\v\f\r\0")
                if trimmed.endswith(","):
                    trimmed = trimmed[:-1]
                try:
                    _json_loads(buffer + trimmed + closing)
                    outside_strings = True
                except ValueError:
                    outside_strings = False
                if outside_strings:  # a comment: skip to the end of the line
                    self.pos = self._next_line(self.pos)
                    buffer += line_buffer + "\n"
                    line_buffer = ""
                elif _JSON_EMBEDDED.match(text, self.pos):
                    hash_pos = self.pos - 1
                    self.pos += 1
                    code = self._embedded_code(hash_pos)
                    iline, icol = self._line_col(hash_pos)
                    interpolations.append(Interpolation(iline, icol, code, self.file))
                    line_buffer += "#{" + code + "}"
                else:
                    line_buffer += "#"
                continue
            if char == "\n":
                buffer += line_buffer + "\n"
                line_buffer = ""
                continue
            line_buffer += char
            if char in "]}":
                try:
                    result = _json_loads(buffer + line_buffer)
                except ValueError:
                    continue
                found = True
                break
        kind = "array" if is_array else "object"
        if not found:
            end = _json_extent(text, start)
            if end < 0:
                raise _LexError(start, f"JSON {kind} opened here is never closed", fatal=True)
            end_line, _ = self._line_col(end - 1)
            raise _LexError(start, f"invalid JSON {kind} (ending on line {end_line})", resume=self._next_line(end))
        dumped = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        return Value(dumped, "json", line, col, tuple(interpolations), json_value=result)


def _parse(text: str, base_dir: str | None, filename: str | None) -> tuple[Config, list[Diagnostic], bool]:
    session = _Session(os.path.abspath(base_dir) if base_dir is not None else None)
    root = Element("ROOT", "", 1, 1)
    if session.base_dir is not None and filename is not None:
        session.open_files.append(os.path.realpath(os.path.join(session.base_dir, filename)))
    parser = _FileParser(text, file=None, directory=session.base_dir, session=session)
    parser.parse_into(root)
    config = Config(root, session.includes, session.include_values)
    if session.fatal:  # the rest of the text was not read: structure errors would be noise
        return config, session.diagnostics, True
    return config, session.diagnostics + _Validator().run(config), False


def parse(text: str, *, base_dir: str | os.PathLike[str] | None = None, filename: str | None = None) -> Config:
    """Parse and check ``text``; raise :class:`FluentdConfigError` listing every syntax and structure error.

    ``@include`` targets are read (relative to the including file, globs allowed) only when ``base_dir``
    (the directory of ``text``) is given; otherwise they are recorded in :attr:`Config.includes` unread.
    ``filename`` (relative to ``base_dir``) lets a file that includes itself be reported as a cycle.
    """
    config, errors, _ = _parse(text, os.fspath(base_dir) if base_dir is not None else None, filename)
    if errors:
        raise FluentdConfigError(errors)
    return config


def parse_file(path: str | os.PathLike[str]) -> Config:
    """:func:`parse` a file, resolving its ``@include`` lines relative to it."""
    p = os.fspath(path)
    with open(p, encoding="utf-8") as fh:
        text = fh.read()
    return parse(text, base_dir=os.path.dirname(os.path.abspath(p)), filename=os.path.basename(p))


def validate(
    text: str, *, base_dir: str | os.PathLike[str] | None = None, filename: str | None = None
) -> list[Diagnostic]:
    """Every problem: syntax, structure, :func:`check_policy` and :func:`check_ids`, sorted by position.

    After a syntax error that makes fluentd read to the end of the file (an unclosed JSON value), only the
    syntax errors are returned."""
    config, found, fatal = _parse(text, os.fspath(base_dir) if base_dir is not None else None, filename)
    if not fatal:
        found = found + check_policy(config) + check_ids(config)
    unique = {(d.file, d.line, d.column, d.message): d for d in found}
    return sorted(unique.values(), key=Diagnostic.sort_key)


# ---------------------------------------------------------------------------------------------------
# Whitelists. Sources: fluentd 1.19 (lib/fluent/plugin/*.rb, plugin_helper/*.rb, system_config.rb,
# time.rb), fluent-plugin-elasticsearch 6.0.0, fluent-plugin-kubernetes_metadata_filter 3.7.1,
# fluent-plugin-prometheus 2.2.2, fluent-plugin-rewrite-tag-filter 2.4.0,
# fluent-plugin-multi-format-parser 1.1.0 and fluent-plugin-concat 2.6.2. Deprecated and obsoleted
# parameters are left out.

# A parameter type is one of these names, or the frozenset of words an enum accepts.
STR: Final = "string"
BOOL: Final = "bool"
INT: Final = "integer"
FLOAT: Final = "float"
TIME: Final = "time"
SIZE: Final = "size"
REGEXP: Final = "regexp"
ARRAY: Final = "array"
HASH: Final = "hash"
ParamType = str | frozenset[str]
Params = Mapping[str, ParamType]


def _enum(*words: str) -> frozenset[str]:
    return frozenset(words)


_TLS_VERSIONS: Final = _enum("TLSv1_1", "TLSv1_2", "TLSv1_3", "TLS1_1", "TLS1_2", "TLS1_3")
_ES_TLS_VERSIONS: Final = _enum("TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3")
_LOG_LEVELS: Final = _enum("trace", "debug", "info", "warn", "error", "fatal")

# time.rb TimeMixin::TIME_PARAMETERS / TIME_FULL_PARAMETERS
TIME_PARAMS: Final[Params] = {
    "time_format": STR,
    "localtime": BOOL,
    "utc": BOOL,
    "timezone": STR,
    "time_format_fallbacks": ARRAY,
}
TIME_FULL_PARAMS: Final[Params] = {"time_type": _enum("string", "unixtime", "float", "mixed"), **TIME_PARAMS}

# plugin/parser.rb (Parser, which includes TimeMixin::Parser)
PARSER_BASE: Final[Params] = {
    "@type": STR,
    "types": HASH,
    "time_key": STR,
    "null_value_pattern": REGEXP,
    "null_empty_string": BOOL,
    "estimate_current_event": BOOL,
    "keep_time_key": BOOL,
    "timeout": TIME,
    **TIME_FULL_PARAMS,
}
PARSERS: Final[Mapping[str, Params]] = {
    "json": {"json_parser": _enum("oj", "yajl", "json"), "stream_buffer_size": INT},
    "regexp": {"expression": REGEXP},
    "none": {"message_key": STR},
    "multiline": {
        "format_firstline": STR,
        "unmatched_lines": STR,
        **{f"format{i}": STR for i in range(1, 21)},
    },
    "multi_format": {"format_key": STR},
}
PARSER_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {"regexp": ("expression",), "multiline": ("format1",)}

# plugin/formatter*.rb (Formatter includes TimeMixin::Formatter; Newline::Mixin adds "newline")
_NEWLINE: Final[Params] = {"newline": _enum("lf", "crlf")}
FORMATTERS: Final[Mapping[str, Params]] = {
    "json": {**_NEWLINE, "json_parser": STR, "add_newline": BOOL},
    "single_value": {**_NEWLINE, "message_key": STR, "add_newline": BOOL},
    "out_file": {**_NEWLINE, "output_time": BOOL, "output_tag": BOOL, "delimiter": STR},
    "ltsv": {**_NEWLINE, "delimiter": STR, "label_delimiter": STR, "replacement": STR, "add_newline": BOOL},
    "hash": {**_NEWLINE, "add_newline": BOOL},
    "msgpack": {},
    "stdout": {"output_type": STR},
}

# plugin_helper/inject.rb
INJECT_PARAMS: Final[Params] = {
    "hostname_key": STR,
    "hostname": STR,
    "worker_id_key": STR,
    "tag_key": STR,
    "time_key": STR,
    "time_type": _enum("float", "unixtime", "unixtime_millis", "unixtime_micros", "unixtime_nanos", "string"),
    **TIME_PARAMS,
}

# plugin/output.rb config_section :buffer (the parameters every buffer has) ...
BUFFER_SECTION_PARAMS: Final[Params] = {
    "@type": STR,
    "timekey": TIME,
    "timekey_wait": TIME,
    "timekey_use_utc": BOOL,
    "timekey_zone": STR,
    "flush_at_shutdown": BOOL,
    "flush_mode": _enum("default", "lazy", "interval", "immediate"),
    "flush_interval": TIME,
    "flush_thread_count": INT,
    "flush_thread_interval": FLOAT,
    "flush_thread_burst_interval": FLOAT,
    "delayed_commit_timeout": TIME,
    "overflow_action": _enum("throw_exception", "block", "drop_oldest_chunk"),
    "retry_forever": BOOL,
    "retry_timeout": TIME,
    "retry_max_times": INT,
    "retry_secondary_threshold": FLOAT,
    "retry_type": _enum("exponential_backoff", "periodic"),
    "retry_wait": TIME,
    "retry_exponential_backoff_base": FLOAT,
    "retry_max_interval": TIME,
    "retry_randomize": BOOL,
}
# ... plugin/buffer.rb (Buffer) ...
BUFFER_BASE_PARAMS: Final[Params] = {
    "chunk_limit_size": SIZE,
    "total_limit_size": SIZE,
    "queue_limit_length": INT,
    "chunk_limit_records": INT,
    "chunk_full_threshold": FLOAT,
    "queued_chunks_limit_size": INT,
    "compress": _enum("text", "gzip", "zstd"),
    "decompression_size_limit": SIZE,
    "disable_chunk_backup": BOOL,
}
# ... and plugin/buf_file.rb, buf_memory.rb
BUFFERS: Final[Mapping[str, Params]] = {
    "file": {"path": STR, "path_suffix": STR, "file_permission": STR, "dir_permission": STR},
    "memory": {},
}
_CHUNK_KEY: Final = re.compile(r"[-_.@a-zA-Z0-9]+")  # Output::CHUNK_KEY_PATTERN

# plugin_helper/server.rb ServerTransportParams (<transport tcp|tls>)
TRANSPORT_PARAMS: Final[Params] = {
    "receive_buffer_size": SIZE,
    "linger_timeout": INT,
    "version": _TLS_VERSIONS,
    "min_version": _TLS_VERSIONS,
    "max_version": _TLS_VERSIONS,
    "ciphers": STR,
    "insecure": BOOL,
    "ensure_fips": BOOL,
    "ca_path": STR,
    "cert_path": STR,
    "private_key_path": STR,
    "private_key_passphrase": STR,
    "client_cert_auth": BOOL,
    "ca_cert_path": STR,
    "ca_private_key_path": STR,
    "ca_private_key_passphrase": STR,
    "cert_verifier": STR,
    "generate_private_key_length": INT,
    "generate_cert_country": STR,
    "generate_cert_state": STR,
    "generate_cert_locality": STR,
    "generate_cert_common_name": STR,
    "generate_cert_expiration": TIME,
    "generate_cert_digest": _enum("sha1", "sha256", "sha384", "sha512"),
}


@dataclass(frozen=True)
class SectionSpec:
    """An untyped section: fixed parameters (or any key when ``free``) and nested sections."""

    params: Params = field(default_factory=dict)
    sections: Mapping[str, Section] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    free: bool = False
    arg: frozenset[str] | None = None  # allowed arguments; None: no argument


@dataclass(frozen=True)
class Section:
    """How a section may appear in its parent. ``kind`` is ``buffer``, ``secondary``, ``parse``,
    ``format`` or ``store`` (typed by ``@type``) or a key of :data:`SECTIONS`."""

    kind: str
    multi: bool = False
    required: bool = False


SECTIONS: Final[Mapping[str, SectionSpec]] = {
    "inject": SectionSpec(INJECT_PARAMS),
    "free": SectionSpec(free=True),
    "transport": SectionSpec(TRANSPORT_PARAMS, arg=_enum("tcp", "tls")),
    # in_tail/group_watch.rb
    "tail_group": SectionSpec(
        {"pattern": REGEXP, "rate_period": TIME},
        {"rule": Section("tail_group_rule", multi=True, required=True)},
    ),
    "tail_group_rule": SectionSpec({"match": HASH, "limit": INT}),
    # filter_grep.rb
    "grep_condition": SectionSpec({"key": STR, "pattern": REGEXP}, required=("key", "pattern")),
    "grep_group": SectionSpec(
        {},
        {
            "regexp": Section("grep_condition", multi=True),
            "exclude": Section("grep_condition", multi=True),
        },
    ),
    # fluent-plugin-rewrite-tag-filter
    "rewrite_rule": SectionSpec(
        {"key": STR, "pattern": REGEXP, "tag": STR, "label": STR, "invert": BOOL},
        required=("key", "pattern", "tag"),
    ),
    # fluent-plugin-prometheus (prometheus.rb reads these keys from <metric> itself)
    "prometheus_metric": SectionSpec(
        {
            "name": STR,
            "type": _enum("counter", "gauge", "summary", "histogram"),
            "desc": STR,
            "key": STR,
            "buckets": STR,
            "initialized": BOOL,
        },
        {"labels": Section("free"), "initlabels": Section("free", multi=True)},
        required=("name", "type", "desc"),
    ),
    # out_forward.rb / in_forward.rb
    "forward_server": SectionSpec(
        {
            "host": STR,
            "name": STR,
            "port": INT,
            "shared_key": STR,
            "username": STR,
            "password": STR,
            "standby": BOOL,
            "weight": INT,
        },
        required=("host",),
    ),
    "forward_security_out": SectionSpec(
        {"self_hostname": STR, "shared_key": STR}, required=("self_hostname", "shared_key")
    ),
    "forward_security_in": SectionSpec(
        {"self_hostname": STR, "shared_key": STR, "user_auth": BOOL, "allow_anonymous_source": BOOL},
        {"user": Section("forward_user", multi=True), "client": Section("forward_client", multi=True)},
        required=("self_hostname", "shared_key"),
    ),
    "forward_user": SectionSpec({"username": STR, "password": STR}, required=("username", "password")),
    "forward_client": SectionSpec({"host": STR, "network": STR, "shared_key": STR, "users": ARRAY}),
    # out_elasticsearch.rb
    "es_metadata": SectionSpec({"include_chunk_id": BOOL, "chunk_id_key": STR}),
    # system_config.rb
    "system_log": SectionSpec(
        {
            "path": STR,
            "format": _enum("text", "json"),
            "time_format": STR,
            "rotate_age": STR,
            "rotate_size": SIZE,
            "forced_stacktrace_level": _enum("none", *sorted(_LOG_LEVELS)),
        }
    ),
    "system_counter_server": SectionSpec(
        {"scope": STR, "port": INT, "bind": STR, "backup_path": STR}, required=("scope", "backup_path")
    ),
    "system_counter_client": SectionSpec({"port": INT, "host": STR, "timeout": TIME}, required=("host",)),
    "system_metrics": SectionSpec({"@type": STR, "labels": HASH}),
    "system_source_only_buffer": SectionSpec(
        {
            "flush_thread_count": INT,
            "overflow_action": _enum("throw_exception", "block", "drop_oldest_chunk"),
            "path": STR,
            "flush_interval": TIME,
            "chunk_limit_size": SIZE,
            "total_limit_size": SIZE,
            "compress": _enum("text", "gzip"),
        }
    ),
}

SYSTEM: Final = SectionSpec(
    {
        "workers": INT,
        "restart_worker_interval": TIME,
        "root_dir": STR,
        "log_level": _LOG_LEVELS,
        "suppress_repeated_stacktrace": BOOL,
        "ignore_repeated_log_interval": TIME,
        "ignore_same_log_interval": TIME,
        "emit_error_log_interval": TIME,
        "suppress_config_dump": BOOL,
        "log_event_verbose": BOOL,
        "without_source": BOOL,
        "with_source_only": BOOL,
        "rpc_endpoint": STR,
        "enable_get_dump": BOOL,
        "process_name": STR,
        "strict_config_value": BOOL,
        "enable_msgpack_time_support": BOOL,
        "disable_shared_socket": BOOL,
        "enable_input_metrics": BOOL,
        "enable_size_metrics": BOOL,
        "enable_jit": BOOL,
        "file_permission": STR,
        "dir_permission": STR,
        "config_include_dir": STR,
        "umask": STR,
    },
    {
        "log": Section("system_log"),
        "counter_server": Section("system_counter_server"),
        "counter_client": Section("system_counter_client"),
        "metrics": Section("system_metrics"),
        "source_only_buffer": Section("system_source_only_buffer"),
    },
)


@dataclass(frozen=True)
class Plugin:
    """An input, filter or output plugin. ``buffered``: ``no`` (no <buffer>/<secondary>: the plugin has
    no ``#write``), ``optional``, or ``always`` (it always buffers, so guardiangen must size the buffer).
    ``emits``: the plugin uses the event_emitter helper, so ``@label`` is meaningful."""

    params: Params = field(default_factory=dict)
    sections: Mapping[str, Section] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    legacy: Mapping[str, str] = field(default_factory=dict)
    buffered: Literal["no", "optional", "always"] = "no"
    emits: bool = False
    default_buffer_type: str = "memory"
    default_chunk_keys: tuple[str, ...] = ()
    default_timekey: bool = False
    default_format: str | None = None
    required_sections: tuple[str, ...] = ()
    label_params: tuple[str, ...] = ()  # parameters (other than @label) that name a <label>


# plugin_helper/compat_parameters.rb: v0.12-style flat parameters that fluentd still converts.
_LEGACY_PARSER: Final = {
    k: "v0.12 style: put it in a <parse> section"
    for k in (
        "format",
        "types",
        "types_delimiter",
        "types_label_delimiter",
        "keys",
        "time_key",
        "time_format",
        "localtime",
        "utc",
        "delimiter",
        "keep_time_key",
        "null_empty_string",
        "null_value_pattern",
        "json_parser",
        "label_delimiter",
        "format_firstline",
        "message_key",
    )
}
_LEGACY_BUFFER: Final = {
    k: "v0.12 style: put it in the <buffer> section (under its v1 name)"
    for k in (
        "buffer_type",
        "buffer_path",
        "num_threads",
        "flush_interval",
        "try_flush_interval",
        "queued_chunk_flush_interval",
        "disable_retry_limit",
        "retry_limit",
        "max_retry_wait",
        "buffer_chunk_limit",
        "buffer_queue_limit",
        "buffer_queue_full_action",
        "flush_at_shutdown",
        "time_slice_format",
        "time_slice_wait",
    )
}
_LEGACY_INJECT_FORMAT: Final = {
    k: "v0.12 style: use an <inject> or <format> section"
    for k in ("include_time_key", "include_tag_key", "time_key", "tag_key", "format", "time_format", "timezone")
}

_OUTPUT_BASE: Final[Params] = {"time_as_integer": BOOL, "slow_flush_log_threshold": FLOAT}  # plugin/output.rb
_FORMAT_INJECT: Final[Mapping[str, Section]] = {"format": Section("format"), "inject": Section("inject")}

_ES_PARAMS: Final[Params] = {
    "host": STR,
    "port": INT,
    "user": STR,
    "password": STR,
    "cloud_id": STR,
    "cloud_auth": STR,
    "path": STR,
    "scheme": _enum("https", "http"),
    "hosts": STR,
    "target_index_key": STR,
    "time_key_format": STR,
    "time_precision": INT,
    "include_timestamp": BOOL,
    "logstash_format": BOOL,
    "logstash_prefix": STR,
    "logstash_prefix_separator": STR,
    "logstash_dateformat": STR,
    "utc_index": BOOL,
    "type_name": STR,  # accepted by the plugin; check_policy forbids it
    "suppress_type_name": BOOL,
    "index_name": STR,
    "id_key": STR,
    "write_operation": STR,
    "parent_key": STR,
    "routing_key": STR,
    "request_timeout": TIME,
    "reload_connections": BOOL,
    "reload_on_failure": BOOL,
    "retry_tag": STR,
    "resurrect_after": TIME,
    "time_key": STR,
    "time_key_exclude_timestamp": BOOL,
    "ssl_verify": BOOL,
    "client_key": STR,
    "client_cert": STR,
    "client_key_pass": STR,
    "ca_file": STR,
    "remove_keys": STR,
    "remove_keys_on_update": STR,
    "remove_keys_on_update_key": STR,
    "flatten_hashes": BOOL,
    "flatten_hashes_separator": STR,
    "template_name": STR,
    "template_file": STR,
    "template_overwrite": BOOL,
    "customize_template": HASH,
    "rollover_index": STR,
    "index_date_pattern": STR,
    "index_separator": STR,
    "deflector_alias": STR,
    "application_name": STR,
    "templates": HASH,
    "max_retry_putting_template": INT,
    "fail_on_putting_template_retry_exceed": BOOL,
    "fail_on_detecting_es_version_retry_exceed": BOOL,
    "max_retry_get_es_version": INT,
    "include_tag_key": BOOL,
    "tag_key": STR,
    "time_parse_error_tag": STR,
    "reconnect_on_error": BOOL,
    "pipeline": STR,
    "with_transporter_log": BOOL,
    "emit_error_for_missing_id": BOOL,
    "sniffer_class_name": STR,
    "selector_class_name": STR,
    "reload_after": INT,
    "include_index_in_url": BOOL,
    "http_backend": _enum("excon", "typhoeus"),
    "http_backend_excon_nonblock": BOOL,
    "validate_client_version": BOOL,
    "prefer_oj_serializer": BOOL,
    "unrecoverable_error_types": ARRAY,
    "verify_es_version_at_startup": BOOL,
    "default_elasticsearch_version": INT,
    "log_es_400_reason": BOOL,
    "custom_headers": HASH,
    "api_key": STR,
    "suppress_doc_wrap": BOOL,
    "ignore_exceptions": ARRAY,
    "exception_backup": BOOL,
    "bulk_message_request_threshold": SIZE,
    "compression_level": _enum("no_compression", "best_speed", "best_compression", "default_compression"),
    "enable_ilm": BOOL,
    "ilm_policy_id": STR,
    "ilm_policy": HASH,
    "ilm_policies": HASH,
    "ilm_policy_overwrite": BOOL,
    "truncate_caches_interval": TIME,
    "use_legacy_template": BOOL,
    "catch_transport_exception_on_retry": BOOL,
    "target_index_affinity": BOOL,
    # elasticsearch_tls.rb
    "ssl_version": _ES_TLS_VERSIONS,
    "ssl_min_version": _ES_TLS_VERSIONS,
    "ssl_max_version": _ES_TLS_VERSIONS,
    **_OUTPUT_BASE,
}
_ES_LEGACY: Final = {
    **_LEGACY_BUFFER,
    "target_type_key": "deprecated: Elasticsearch 7 and later ignore it",
    "index_prefix": "obsoleted in fluent-plugin-elasticsearch 4.0.0",
    "content_type": "deprecated by the plugin",
}
_ES_SECTIONS: Final[Mapping[str, Section]] = {"metadata": Section("es_metadata")}

_FORWARD_OUT_PARAMS: Final[Params] = {
    "transport": _enum("tcp", "tls"),
    "send_timeout": TIME,
    "connect_timeout": TIME,
    "heartbeat_type": _enum("transport", "tcp", "udp", "none"),
    "heartbeat_interval": TIME,
    "recover_wait": TIME,
    "hard_timeout": TIME,
    "phi_threshold": INT,
    "phi_failure_detector": BOOL,
    "require_ack_response": BOOL,
    "ack_response_timeout": TIME,
    "read_interval_msec": INT,
    "read_length": SIZE,
    "expire_dns_cache": TIME,
    "dns_round_robin": BOOL,
    "ignore_network_errors_at_startup": BOOL,
    "verify_connection_at_startup": BOOL,
    "compress": _enum("text", "gzip", "zstd"),
    "tls_version": _TLS_VERSIONS,
    "tls_ciphers": STR,
    "tls_insecure_mode": BOOL,
    "tls_allow_self_signed_cert": BOOL,
    "tls_verify_hostname": BOOL,
    "tls_ca_cert_path": ARRAY,
    "tls_cert_path": ARRAY,
    "tls_client_cert_path": STR,
    "tls_client_private_key_path": STR,
    "tls_client_private_key_passphrase": STR,
    "tls_cert_thumbprint": STR,
    "tls_cert_logical_store_name": STR,
    "tls_cert_use_enterprise_store": BOOL,
    "keepalive": BOOL,
    "keepalive_timeout": TIME,
    "send_keepalive_packet": BOOL,
    **_OUTPUT_BASE,
}

SOURCES: Final[Mapping[str, Plugin]] = {
    "tail": Plugin(
        {
            "path": STR,
            "path_delimiter": STR,
            "glob_policy": _enum("backward_compatible", "extended", "always"),
            "tag": STR,
            "exclude_path": ARRAY,
            "rotate_wait": TIME,
            "pos_file": STR,
            "pos_file_compaction_interval": TIME,
            "read_from_head": BOOL,
            "refresh_interval": TIME,
            "read_lines_limit": INT,
            "read_bytes_limit_per_second": SIZE,
            "multiline_flush_interval": TIME,
            "emit_unmatched_lines": BOOL,
            "enable_watch_timer": BOOL,
            "enable_stat_watcher": BOOL,
            "encoding": STR,
            "from_encoding": STR,
            "path_key": STR,
            "open_on_every_update": BOOL,
            "limit_recently_modified": TIME,
            "skip_refresh_on_startup": BOOL,
            "ignore_repeated_permission_error": BOOL,
            "path_timezone": STR,
            "follow_inodes": BOOL,
            "max_line_size": SIZE,
        },
        {"parse": Section("parse"), "group": Section("tail_group")},
        required=("path", "tag"),
        legacy=_LEGACY_PARSER,
        required_sections=("parse",),
    ),
    "forward": Plugin(
        {
            "port": INT,
            "bind": STR,
            "backlog": INT,
            "blocking_timeout": TIME,
            "resolve_hostname": BOOL,
            "deny_keepalive": BOOL,
            "send_keepalive_packet": BOOL,
            "chunk_size_warn_limit": SIZE,
            "chunk_size_limit": SIZE,
            "decompression_size_limit": SIZE,
            "skip_invalid_event": BOOL,
            "source_address_key": STR,
            "source_hostname_key": STR,
            "tag": STR,
            "add_tag_prefix": STR,
        },
        {"transport": Section("transport"), "security": Section("forward_security_in")},
        legacy={"linger_timeout": "deprecated: use the <transport> section"},
    ),
    "prometheus": Plugin(
        {
            "bind": STR,
            "port": INT,
            "metrics_path": STR,
            "aggregated_metrics_path": STR,
            "content_encoding": _enum("identity", "gzip"),
            "ignore_error_log_interval": TIME,
        },
        {"transport": Section("transport")},
    ),
    "prometheus_monitor": Plugin({"interval": TIME}, {"labels": Section("free")}),
    "prometheus_output_monitor": Plugin({"interval": TIME, "gauge_all": BOOL}, {"labels": Section("free")}),
    "prometheus_tail_monitor": Plugin({"interval": TIME}, {"labels": Section("free")}),
    "monitor_agent": Plugin(
        {
            "bind": STR,
            "port": INT,
            "tag": STR,
            "emit_interval": TIME,
            "include_config": BOOL,
            "include_retry": BOOL,
            "include_debug_info": BOOL,
        },
        {"transport": Section("transport")},
    ),
}

FILTERS: Final[Mapping[str, Plugin]] = {
    "kubernetes_metadata": Plugin(
        {
            "kubernetes_url": STR,
            "cache_size": INT,
            "cache_ttl": INT,
            "ignore_nil": STR,  # declared :integer with default true in the plugin
            "watch": BOOL,
            "apiVersion": STR,
            "client_cert": STR,
            "client_key": STR,
            "ca_file": STR,
            "verify_ssl": BOOL,
            "open_timeout": INT,
            "read_timeout": INT,
            "tag_to_kubernetes_name_regexp": STR,
            "bearer_token_file": STR,
            "secret_dir": STR,
            "annotation_match": ARRAY,
            "stats_interval": INT,
            "allow_orphans": BOOL,
            "orphaned_namespace_name": STR,
            "orphaned_namespace_id": STR,
            "lookup_from_k8s_field": BOOL,
            "ssl_partial_chain": BOOL,
            "skip_labels": BOOL,
            "skip_pod_labels": BOOL,
            "skip_namespace_labels": BOOL,
            "skip_container_metadata": BOOL,
            "skip_master_url": BOOL,
            "skip_namespace_metadata": BOOL,
            "include_ownerrefs_metadata": BOOL,
            "watch_retry_interval": INT,
            "watch_retry_exponential_backoff_base": INT,
            "watch_retry_max_times": INT,
        }
    ),
    "parser": Plugin(
        {
            "key_name": STR,
            "reserve_data": BOOL,
            "reserve_time": BOOL,
            "remove_key_name_field": BOOL,
            "inject_key_prefix": STR,
            "replace_invalid_sequence": BOOL,
            "hash_value_field": STR,
            "emit_invalid_record_to_error": BOOL,
        },
        {"parse": Section("parse")},
        required=("key_name",),
        legacy=_LEGACY_PARSER,
        required_sections=("parse",),
    ),
    "record_transformer": Plugin(
        {
            "remove_keys": ARRAY,
            "keep_keys": ARRAY,
            "renew_record": BOOL,
            "renew_time_key": STR,
            "enable_ruby": BOOL,
            "auto_typecast": BOOL,
        },
        {"record": Section("free")},
    ),
    # fluent-plugin-concat (filter_concat.rb): joins lines a container runtime or a logger split
    "concat": Plugin(
        {
            "key": STR,
            "separator": STR,
            "n_lines": INT,
            "multiline_start_regexp": STR,  # :string, written /.../ (the plugin strips the slashes)
            "multiline_end_regexp": STR,
            "continuous_line_regexp": STR,
            "stream_identity_key": STR,
            "flush_interval": TIME,
            "timeout_label": STR,
            "use_first_timestamp": BOOL,
            "partial_key": STR,
            "partial_value": STR,
            "keep_partial_key": BOOL,
            "use_partial_metadata": BOOL,
            "partial_metadata_format": _enum("docker-fluentd", "docker-journald", "docker-journald-lowercase"),
            "keep_partial_metadata": BOOL,
            "use_partial_cri_logtag": BOOL,
            "partial_cri_logtag_key": STR,
            "partial_cri_stream_key": STR,
            "buffer_limit_size": SIZE,
            "buffer_overflow_method": _enum("ignore", "truncate", "drop", "new"),
        },
        required=("key",),
        label_params=("timeout_label",),
    ),
    "grep": Plugin(
        {},
        {
            "regexp": Section("grep_condition", multi=True),
            "exclude": Section("grep_condition", multi=True),
            "and": Section("grep_group", multi=True),
            "or": Section("grep_group", multi=True),
        },
        legacy={
            **{f"regexp{i}": "deprecated: use a <regexp> section" for i in range(1, 21)},
            **{f"exclude{i}": "deprecated: use an <exclude> section" for i in range(1, 21)},
        },
    ),
    "prometheus": Plugin({}, {"metric": Section("prometheus_metric", multi=True), "labels": Section("free")}),
}

MATCHES: Final[Mapping[str, Plugin]] = {
    "elasticsearch": Plugin(
        _ES_PARAMS,
        _ES_SECTIONS,
        legacy=_ES_LEGACY,
        buffered="always",
        emits=True,
        default_chunk_keys=("tag",),
    ),
    "elasticsearch_data_stream": Plugin(
        {
            **_ES_PARAMS,
            "data_stream_name": STR,
            "data_stream_ilm_name": STR,
            "data_stream_template_name": STR,
            "data_stream_ilm_policy": STR,
            "data_stream_ilm_policy_overwrite": BOOL,
            "data_stream_template_use_index_patterns_wildcard": BOOL,
        },
        _ES_SECTIONS,
        required=("data_stream_name",),
        legacy=_ES_LEGACY,
        buffered="always",
        emits=True,
        default_chunk_keys=("tag",),
    ),
    "relabel": Plugin(dict(_OUTPUT_BASE), required=("@label",), emits=True),
    "rewrite_tag_filter": Plugin(
        {
            "capitalize_regex_backreference": BOOL,
            "remove_tag_prefix": STR,
            "remove_tag_regexp": REGEXP,
            "hostname_command": STR,
            "emit_mode": _enum("record", "batch"),
            **_OUTPUT_BASE,
        },
        {"rule": Section("rewrite_rule", multi=True, required=True)},
        emits=True,
    ),
    "copy": Plugin(
        {"copy_mode": _enum("no_copy", "shallow", "deep", "marshal")},
        {"store": Section("store", multi=True, required=True)},
        legacy={"deep_copy": "deprecated: use copy_mode"},
        emits=True,
    ),
    "null": Plugin({"never_flush": BOOL, **_OUTPUT_BASE}, buffered="optional", default_chunk_keys=("tag",)),
    "stdout": Plugin(
        {"use_logger": BOOL, **_OUTPUT_BASE},
        _FORMAT_INJECT,
        legacy=_LEGACY_INJECT_FORMAT,
        buffered="optional",
        default_chunk_keys=("tag",),
        default_format="stdout",
    ),
    "file": Plugin(
        {
            "path": STR,
            "add_path_suffix": BOOL,
            "path_suffix": STR,
            "append": BOOL,
            "compress": _enum("text", "gz", "gzip", "zstd"),
            "recompress": BOOL,
            "symlink_path": STR,
            "symlink_path_use_relative": BOOL,
            **_OUTPUT_BASE,
        },
        _FORMAT_INJECT,
        required=("path",),
        legacy={**_LEGACY_BUFFER, **_LEGACY_INJECT_FORMAT},
        buffered="always",
        default_buffer_type="file",
        default_chunk_keys=("time",),
        default_timekey=True,
        default_format="out_file",
    ),
    "forward": Plugin(
        _FORWARD_OUT_PARAMS,
        {"server": Section("forward_server", multi=True, required=True), "security": Section("forward_security_out")},
        legacy={
            **_LEGACY_BUFFER,
            "host": "obsoleted: use a <server> section",
            "port": "obsoleted: use a <server> section",
        },
        buffered="always",
        default_chunk_keys=("tag",),
    ),
}

# Outputs allowed in <secondary> (plugin/out_secondary_file.rb; out_file.rb).
SECONDARIES: Final[Mapping[str, Plugin]] = {
    "secondary_file": Plugin(
        {"directory": STR, "basename": STR, "append": BOOL, "compress": _enum("text", "gzip"), **_OUTPUT_BASE},
        required=("directory",),
    ),
    "file": MATCHES["file"],
}

PLUGINS: Final[Mapping[str, Mapping[str, Plugin]]] = {
    "source": SOURCES,
    "filter": FILTERS,
    "match": MATCHES,
    "store": {k: v for k, v in MATCHES.items() if k != "copy"},
    "secondary": SECONDARIES,
}
COMMON_PARAMS: Final[Mapping[str, Params]] = {
    "source": {"@type": STR, "@id": STR, "@log_level": _LOG_LEVELS, "@label": STR},
    "filter": {"@type": STR, "@id": STR, "@log_level": _LOG_LEVELS},
    "match": {"@type": STR, "@id": STR, "@log_level": _LOG_LEVELS},
    "store": {"@type": STR, "@id": STR, "@log_level": _LOG_LEVELS},
    "secondary": {"@type": STR, "@id": STR, "@log_level": _LOG_LEVELS},
}
_ALIASES: Final = {
    "type": "deprecated alias: write '@type'",
    "id": "deprecated alias: write '@id'",
    "log_level": "deprecated alias: write '@log_level'",
}

_LABEL_NAME: Final = re.compile(r"@[A-Za-z0-9_.-]+")
_TAG_GLOB: Final = re.compile(r"[A-Za-z0-9_.*{},-]+")
_WORKER_ARG: Final = re.compile(r"(\d+)(?:-(\d+))?")
_PLACEHOLDER: Final = re.compile(r"\$\{([^}]*)\}")
_DATA_STREAM_BAD_CHARS: Final = ("\\", "/", "*", "?", '"', "<", ">", "|", " ", ",", "#", ":")


# ---------------------------------------------------------------------------------------------------
# Value types


def _type_problem(ptype: ParamType, value: Value) -> str | None:
    """None when ``value`` is valid for ``ptype``, else a description of what was expected."""
    text = value.text
    if isinstance(ptype, frozenset):
        return None if text in ptype else "one of " + ", ".join(sorted(ptype))
    if ptype == STR:
        return None
    if ptype == BOOL:
        return None if text in ("true", "false", "yes", "no", "") else "true or false"
    if ptype == INT:
        return None if re.fullmatch(r"[+-]?[0-9]+", text) else "an integer"
    if ptype == FLOAT:
        return None if re.fullmatch(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", text) else "a number"
    if ptype == TIME:
        ok = re.fullmatch(r"[0-9]+[smhd]|[0-9]+(?:\.[0-9]+)?", text)
        return None if ok else "a duration such as 30s, 5m, 1h, 1d or 0.5"
    if ptype == SIZE:
        return None if re.fullmatch(r"[0-9]+[kKmMgGtT]?", text) else "a size such as 4096, 8k, 16m or 1g"
    if ptype == REGEXP:
        if text.startswith("/"):
            right = text.rfind("/")
            if right == 0 or not re.fullmatch(r"[im]{0,2}", text[right + 1 :]):
                return "a regular expression: /pattern/ with optional i and m flags"
        return None
    if ptype == ARRAY:
        if value.style == "json" or text.startswith("["):
            return None if isinstance(_json_of(value), list) else "a comma-separated list or a JSON array"
        return None
    if ptype == HASH:
        if value.style == "json" or text.startswith("{"):
            return None if isinstance(_json_of(value), dict) else "key:value pairs or a JSON object"
        items = re.split(r"\s*,\s*", text.strip())
        return None if all(":" in i for i in items) else "key:value pairs or a JSON object"
    raise AssertionError(f"unknown parameter type {ptype!r}")


def _json_of(value: Value) -> object:
    """Config.array_value / hash_value: a value starting with [ or { is JSON, however it was quoted."""
    if value.style == "json":
        return value.json_value
    try:
        return _json_loads(value.text)
    except ValueError:
        return None


def _seconds(text: str | None) -> float | None:
    """Config.time_value for the anchored forms accepted by _type_problem."""
    if text is None:
        return None
    m = re.fullmatch(r"([0-9]+)([smhd])", text)
    if m:
        return float(int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)])
    try:
        return float(text)
    except ValueError:
        return None


def _timekey_format(timekey: float) -> str:
    """out_file.rb #timekey_to_timeformat."""
    if timekey < 60:
        return "%Y%m%d%H%M%S"
    if timekey < 3600:
        return "%Y%m%d%H%M"
    if timekey < 86400:
        return "%Y%m%d%H"
    return "%Y%m%d"


# strftime directives by the smallest period they change with (Output#get_placeholders_time compares
# strftime results at 2016-01-01 00:00:00 UTC plus 1 s, 1 min, 1 h and 1 day).
_TIME_DIRECTIVES: Final = (
    (1.0, "SsTrXc+"),
    (60.0, "MR"),
    (3600.0, "HIkl"),
    (86400.0, "deajAuwDFx"),
)


def _time_granularity(text: str) -> float | None:
    used = set(re.findall(r"%[-_0^#]?\d*([A-Za-z+])", text))
    for seconds, letters in _TIME_DIRECTIVES:
        if used & set(letters):
            return seconds
    return None


def _is_true(value: Value) -> bool:
    """Fluentd's Config.bool_value: "", true, yes, and (a parser quirk) text starting with '#'."""
    return value.text in ("", "true", "yes") or value.text.startswith("#")


# ---------------------------------------------------------------------------------------------------
# Structure and whitelists


class _Validator:
    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []
        self.labels: dict[str, Element] = {}
        self.label_uses: list[tuple[Param, str]] = []
        self.workers: int | None = None
        self.systems = 0

    def err(self, where: Element | Param, message: str) -> None:
        self.diags.append(Diagnostic(where.line, None, message, where.file))

    def run(self, config: Config) -> list[Diagnostic]:
        root = config.root
        for p in root.params:
            self.err(p, f"parameter '{p.key}' is outside of any directive")
        for el in root.children:
            if el.name == "system":
                self._system(el)
        self._top_level(root, in_worker=False)
        for param, name in self.label_uses:
            if name != "@ROOT" and name not in self.labels:
                self.err(param, f"label {name} is not defined (no <label {name}>)")
        return self.diags

    def _top_level(self, parent: Element, *, in_worker: bool) -> None:
        for el in parent.children:
            if el.name == "system" and not in_worker:
                continue  # checked first, for the worker count
            if el.name == "worker" and not in_worker:
                self._worker(el)
            elif el.name == "label":
                self._label(el)
            elif el.name in ("source", "filter", "match"):
                self._directive(el, el.name)
            else:
                where = "inside <worker>" if in_worker else "at the top level"
                self.err(el, f"<{el.name}> is not allowed {where}")

    def _system(self, el: Element) -> None:
        self.systems += 1
        if self.systems > 1:
            self.err(el, "only one <system> section is allowed")
        self._section(el, SYSTEM, "<system>")
        workers = el.param("workers")
        if workers is not None and re.fullmatch(r"[0-9]+", workers.value.text):
            self.workers = int(workers.value.text)

    def _worker(self, el: Element) -> None:
        m = _WORKER_ARG.fullmatch(el.arg)
        if m is None:
            self.err(el, "<worker> needs a worker id N or a range N-M")
        else:
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) is not None else first
            count = self.workers if self.workers is not None else 1
            if first > last:
                self.err(el, f"<worker {el.arg}>: the first worker id is greater than the last")
            elif last >= count:
                self.err(el, f"<worker {el.arg}>: worker ids go from 0 to {count - 1} (<system> workers {count})")
        for p in el.params:
            self.err(p, f"parameter '{p.key}' is not allowed in <worker>")
        self._top_level(el, in_worker=True)

    def _label(self, el: Element) -> None:
        name = el.arg
        if not _LABEL_NAME.fullmatch(name):
            self.err(el, "<label> needs a name that starts with '@', such as <label @OUTPUT>")
        elif name == "@ROOT":
            self.err(el, "<label @ROOT> is reserved by fluentd")
        elif name in self.labels:
            self.err(el, f"label {name} is already defined on line {self.labels[name].line}")
        else:
            self.labels[name] = el
        for p in el.params:
            self.err(p, f"parameter '{p.key}' is not allowed in <label>")
        for child in el.children:
            if child.name in ("filter", "match"):
                self._directive(child, child.name)
            else:
                self.err(child, f"<{child.name}> is not allowed inside <label>")
        if not el.sections("match"):
            self.err(el, f"{el.tag} has no <match>")

    # -- plugins ------------------------------------------------------------------------------------

    def _directive(self, el: Element, kind: str) -> Plugin | None:
        """Check a <source>, <filter>, <match>, <store> or <secondary> and return its plugin spec."""
        if not el.malformed:
            self._directive_argument(el, kind)
        type_param = el.param("@type")
        if type_param is None:
            self.err(el, f"{el.tag} has no @type")
            return None
        plugin_type = type_param.value.text
        plugin = PLUGINS[kind].get(plugin_type)
        if plugin is None:
            allowed = ", ".join(sorted(PLUGINS[kind]))
            self.err(type_param, f"unknown @type '{plugin_type}' for <{el.name}> (allowed: {allowed})")
            return None
        desc = f"@type {plugin_type}" if kind != "secondary" else f"@type {plugin_type} secondary"
        params = {**COMMON_PARAMS[kind], **plugin.params}
        if plugin.emits and kind in ("match", "store"):
            params["@label"] = STR
        self._params(el, params, {**_ALIASES, **plugin.legacy}, desc)
        for key in plugin.required:
            if el.param(key) is None:
                self.err(el, f"{desc} requires parameter '{key}'")
        label = el.param("@label")
        if label is not None and "@label" in params:
            self.label_uses.append((label, label.value.text))
        for key in plugin.label_params:
            named = el.param(key)
            if named is not None:
                self.label_uses.append((named, named.value.text))

        sections = dict(plugin.sections)
        if plugin.buffered != "no" and kind != "secondary":
            sections["buffer"] = Section("buffer")
            sections["secondary"] = Section("secondary")
        counts: dict[str, int] = {}
        chunk_keys: tuple[str, ...] = plugin.default_chunk_keys
        buffer_el: Element | None = None
        for child in el.children:
            rule = sections.get(child.name)
            if rule is None:
                self.err(child, f"<{child.name}> is not allowed inside <{el.name}> ({desc})")
                continue
            counts[child.name] = counts.get(child.name, 0) + 1
            if counts[child.name] > 1 and not rule.multi:
                self.err(child, f"only one <{child.name}> is allowed in <{el.name}> ({desc})")
            if rule.kind == "buffer":
                chunk_keys = self._buffer(child, plugin, desc)
                buffer_el = child
            elif rule.kind == "secondary":
                self._directive(child, "secondary")
            elif rule.kind == "parse":
                self._parse_section(child)
            elif rule.kind == "format":
                self._format_section(child, plugin.default_format)
            elif rule.kind == "store":
                self._directive(child, "store")
            else:
                self._section(child, SECTIONS[rule.kind], f"<{child.name}> in {desc}")
            if rule.kind == "rewrite_rule":
                label_param = child.param("label")
                if label_param is not None:
                    self.label_uses.append((label_param, label_param.value.text))
        for name, rule in sections.items():
            if (rule.required or name in plugin.required_sections) and not el.sections(name):
                self.err(el, f"{desc} requires a <{name}> section")
        if plugin.buffered != "no" and kind in ("match", "store"):
            timekey = _seconds(buffer_el.get("timekey") if buffer_el is not None else None)
            if timekey is None and plugin.default_timekey and "time" in chunk_keys:
                timekey = 86400.0
            self._placeholders(el, chunk_keys)
            if plugin_type == "file":
                self._file_path(el, chunk_keys, timekey, as_secondary=False)
            for secondary in el.sections("secondary"):
                self._placeholders(secondary, chunk_keys)
                if secondary.type == "file":
                    self._file_path(secondary, chunk_keys, timekey, as_secondary=True)
                elif secondary.type == "secondary_file":
                    self._secondary_file_path(secondary, chunk_keys)
        if plugin_type == "elasticsearch_data_stream":
            self._data_stream_names(el)
        return plugin

    def _directive_argument(self, el: Element, kind: str) -> None:
        if kind in ("source", "secondary") and el.arg:
            self.err(el, f"<{el.name}> takes no argument")
        elif kind in ("filter", "match") and not (el.arg_value and el.arg_value.interpolations):
            self._patterns(el)
        elif kind == "store" and not set(el.arg.split()) <= {"ignore_error", "ignore_if_prev_success"}:
            self.err(el, f"invalid argument '{el.arg}' for <store>: expected ignore_error or ignore_if_prev_success")

    def _patterns(self, el: Element) -> None:
        if not el.arg.strip():
            self.err(el, f"<{el.name}> needs a tag pattern, such as <{el.name} app.**>")
            return
        for pattern in el.arg.split():
            if pattern.startswith("/"):
                if len(pattern) < 2 or not pattern.endswith("/"):
                    self.err(el, f"invalid tag pattern '{pattern}': a regular expression must end with '/'")
                continue
            depth = 0
            balanced = True
            for c in pattern:
                depth += {"{": 1, "}": -1}.get(c, 0)
                balanced = balanced and depth >= 0
            if not _TAG_GLOB.fullmatch(pattern) or depth != 0 or not balanced:
                self.err(el, f"invalid tag pattern '{pattern}'")

    def _params(self, el: Element, allowed: Params, legacy: Mapping[str, str], desc: str) -> None:
        seen: dict[str, Param] = {}
        for p in el.params:
            if p.key in seen:
                self.err(p, f"duplicate parameter '{p.key}' (first set on line {seen[p.key].line})")
                continue
            seen[p.key] = p
            if p.key in allowed:
                ptype = allowed[p.key]
                if not p.value.interpolations:
                    expected = _type_problem(ptype, p.value)
                    if expected is not None:
                        self.err(p, f"invalid value '{p.value.text}' for {p.key}: expected {expected}")
            elif p.key in legacy:
                self.err(p, f"parameter '{p.key}' for {desc}: {legacy[p.key]}")
            else:
                self.err(p, f"unknown parameter '{p.key}' for {desc}")

    def _section(self, el: Element, spec: SectionSpec, desc: str) -> None:
        if spec.arg is None and el.arg:
            self.err(el, f"{desc} takes no argument")
        elif spec.arg is not None and el.arg and el.arg not in spec.arg:
            self.err(el, f"invalid argument '{el.arg}' for {desc}: expected one of {', '.join(sorted(spec.arg))}")
        if spec.free:
            seen: dict[str, Param] = {}
            for p in el.params:
                if p.key in seen:
                    self.err(p, f"duplicate parameter '{p.key}' (first set on line {seen[p.key].line})")
                seen.setdefault(p.key, p)
        else:
            self._params(el, spec.params, _ALIASES, desc)
            for key in spec.required:
                if el.param(key) is None:
                    self.err(el, f"{desc} requires parameter '{key}'")
        counts: dict[str, int] = {}
        for child in el.children:
            rule = spec.sections.get(child.name)
            if rule is None:
                self.err(child, f"<{child.name}> is not allowed inside {desc}")
                continue
            counts[child.name] = counts.get(child.name, 0) + 1
            if counts[child.name] > 1 and not rule.multi:
                self.err(child, f"only one <{child.name}> is allowed in {desc}")
            self._section(child, SECTIONS[rule.kind], f"<{child.name}> in {desc}")
        for name, rule in spec.sections.items():
            if rule.required and not el.sections(name):
                self.err(el, f"{desc} requires a <{name}> section")
        if spec is SECTIONS["prometheus_metric"]:
            metric_type = el.get("type")
            if metric_type in ("gauge", "summary", "histogram") and el.param("key") is None:
                self.err(el, f"a {metric_type} <metric> requires parameter 'key'")

    def _buffer(self, el: Element, plugin: Plugin, owner: str) -> tuple[str, ...]:
        buffer_type = el.get("@type") or plugin.default_buffer_type
        spec = BUFFERS.get(buffer_type)
        if spec is None:
            where = el.param("@type")
            assert where is not None
            self.err(where, f"unknown @type '{buffer_type}' for <buffer> (allowed: {', '.join(sorted(BUFFERS))})")
            return plugin.default_chunk_keys
        desc = f"@type {buffer_type} buffer"
        self._params(el, {**BUFFER_SECTION_PARAMS, **BUFFER_BASE_PARAMS, **spec}, _ALIASES, desc)
        for child in el.children:
            self.err(child, f"<{child.name}> is not allowed inside <buffer>")
        if not el.arg.strip():
            return plugin.default_chunk_keys
        keys = tuple(k.strip() for k in el.arg.split(","))
        for key in keys:
            if key.startswith("$["):
                self.err(el, f"invalid chunk key '{key}': bracket notation is not allowed in chunk keys")
            elif not (_CHUNK_KEY.fullmatch(key) or re.fullmatch(r"\$\.[-_.@a-zA-Z0-9]+", key)):
                self.err(el, f"invalid chunk key '{key}' in <buffer {el.arg}>")
        if "time" in keys and el.param("timekey") is None and not plugin.default_timekey:
            self.err(el, "<buffer> chunk keys include 'time' but timekey is not set")
        return keys

    def _parse_section(self, el: Element, *, in_pattern: bool = False) -> None:
        if el.arg and not in_pattern:
            self.err(el, "<parse> takes no argument")
        type_key = "format" if in_pattern else "@type"
        parser_type = el.get(type_key)
        if parser_type is None:
            self.err(el, f"<{el.name}> has no {type_key}")
            return
        spec = PARSERS.get(parser_type)
        if spec is None or (in_pattern and parser_type == "multi_format"):
            where = el.param(type_key)
            assert where is not None
            allowed = ", ".join(sorted(p for p in PARSERS if not (in_pattern and p == "multi_format")))
            self.err(where, f"unknown parser '{parser_type}' in <{el.name}> (allowed: {allowed})")
            return
        desc = f"@type {parser_type} parser"
        params = {**PARSER_BASE, **spec}
        if in_pattern:
            del params["@type"]
            params.update({"format": STR, "format_name": STR})
        self._params(el, params, _ALIASES, desc)
        for key in PARSER_REQUIRED.get(parser_type, ()):
            if el.param(key) is None:
                self.err(el, f"{desc} requires parameter '{key}'")
        for child in el.children:
            if parser_type == "multi_format" and child.name == "pattern":
                self._parse_section(child, in_pattern=True)
            else:
                self.err(child, f"<{child.name}> is not allowed inside <{el.name}> ({desc})")
        if parser_type == "multi_format" and not el.sections("pattern"):
            self.err(el, f"{desc} requires a <pattern> section")

    def _format_section(self, el: Element, default: str | None) -> None:
        if el.arg:
            self.err(el, "<format> takes no argument")
        format_type = el.get("@type") or default
        if format_type is None:
            self.err(el, "<format> has no @type")
            return
        spec = FORMATTERS.get(format_type)
        if spec is None:
            where = el.param("@type")
            assert where is not None
            self.err(where, f"unknown @type '{format_type}' for <format> (allowed: {', '.join(sorted(FORMATTERS))})")
            return
        desc = f"@type {format_type} format"
        self._params(el, {"@type": STR, **TIME_FULL_PARAMS, **spec}, _ALIASES, desc)
        for child in el.children:
            self.err(child, f"<{child.name}> is not allowed inside <format>")

    def _placeholders(self, el: Element, chunk_keys: tuple[str, ...]) -> None:
        for p in el.params:
            for m in _PLACEHOLDER.finditer(p.value.text):
                name = m.group(1)
                if name == "chunk_id":
                    continue
                needed = "tag" if re.fullmatch(r"tag(?:\[-?\d+\])?", name) else name
                if needed not in chunk_keys:
                    keys = ",".join(chunk_keys) or "(none)"
                    self.err(
                        p, f"placeholder ${{{name}}} in {p.key} needs '{needed}' in the buffer chunk keys ({keys})"
                    )

    def _file_path(
        self, el: Element, chunk_keys: tuple[str, ...], timekey: float | None, *, as_secondary: bool
    ) -> None:
        """out_file.rb #configure / #generate_path_template and Output::PlaceholderValidator."""
        p = el.param("path")
        if p is None or p.value.interpolations:
            return
        path = p.value.text
        if "time" not in chunk_keys:
            timekey = None
        if "*" in path and timekey is None:
            self.err(p, "a path with '*' needs the buffer chunk key 'time'")
            return
        if timekey is not None and "*" not in path:
            needed = re.findall(r"%.", _timekey_format(timekey))
            if any(ph in path for ph in needed) and not all(ph in path for ph in needed):
                missing = "".join(ph for ph in needed if ph not in path)
                self.err(p, f"path has too few time placeholders for timekey {timekey:g}s (add {missing})")
                return
        granularity = _time_granularity(path)
        if granularity is not None and timekey is None:
            self.err(p, f"path {path} has time placeholders, but the buffer chunk keys do not include 'time'")
        if as_secondary:
            return
        has_tag = bool(re.search(r"\$\{tag(?:\[-?\d+\])?\}", path))
        if "tag" in chunk_keys and not has_tag:
            self.err(p, f"path {path} has no ${{tag}} placeholder, but the buffer chunk keys include 'tag'")
        for key in chunk_keys:
            if key not in ("tag", "time") and "${" + key + "}" not in path:
                self.err(p, f"path {path} has no ${{{key}}} placeholder for the buffer chunk key '{key}'")

    def _secondary_file_path(self, el: Element, chunk_keys: tuple[str, ...]) -> None:
        """out_secondary_file.rb #configure and #validate_compatible_with_primary_buffer!."""
        basename = el.param("basename")
        if basename is not None and "/" in basename.value.text:
            self.err(basename, "basename of secondary_file must not contain '/'")
        for key in ("directory", "basename"):
            p = el.param(key)
            if p is not None and "time" not in chunk_keys and _time_granularity(p.value.text) is not None:
                self.err(p, f"{key} has time placeholders, but the buffer chunk keys do not include 'time'")

    def _data_stream_names(self, el: Element) -> None:
        for key in ("data_stream_name", "data_stream_template_name", "data_stream_ilm_name"):
            p = el.param(key)
            if p is None or p.value.interpolations or "${" in p.value.text:
                continue
            name = p.value.text
            problem = None
            if name in (".", ".."):
                problem = "must not be . or .."
            elif name.startswith(("-", "_", "+", ".")):
                problem = "must not start with -, _, + or ."
            elif any(c in name for c in _DATA_STREAM_BAD_CHARS):
                problem = 'must not contain \\ / * ? " < > | , # : or a space'
            elif name.lower() != name:
                problem = "must be lowercase"
            elif len(name.encode()) > 255:
                problem = "must not be longer than 255 bytes"
            if problem is not None:
                self.err(p, f"{key} '{name}' {problem}")


# ---------------------------------------------------------------------------------------------------
# Interpolations, policy and ids

ENV_REFERENCE: Final = re.compile(r"ENV\['[A-Za-z_][A-Za-z0-9_]*'\]")


def ruby_interpolations(tree: Config) -> list[tuple[int, str]]:
    """Every ``#{...}`` fluentd would evaluate, as (line, code), in file order (including the values of
    directive arguments, JSON values and ``@include`` paths). Lines of included files are their own."""
    return [(i.line, i.code) for i in tree.interpolations()]


def check_policy(tree: Config) -> list[Diagnostic]:
    """guardiangen's rules, on top of what fluentd accepts."""
    diags: list[Diagnostic] = []

    def err(where: Element | Param | Interpolation, message: str, column: int | None = None) -> None:
        diags.append(Diagnostic(where.line, column, message, where.file))

    for interp in tree.interpolations():
        if not ENV_REFERENCE.fullmatch(interp.code):
            err(interp, f"Ruby code #{{{interp.code}}} is not allowed (only #{{ENV['NAME']}})", interp.column)
    for el in tree.walk():
        for p in el.params:
            if p.key == "type_name":
                err(p, "type_name is not allowed: Elasticsearch 8 has no mapping types")
            if p.value.raw_line_break:
                err(p, f"the value of {p.key} spans lines inside double quotes: write \\n instead")
        if el.name == "filter" and el.type == "record_transformer":
            ruby = el.param("enable_ruby")
            if ruby is not None and (_is_true(ruby.value) or ruby.value.interpolations):
                err(ruby, "enable_ruby evaluates ${...} in <record> values as Ruby: not allowed")
        if el.name in ("match", "store"):
            _check_output_buffer(el, err)
    return sorted(diags, key=Diagnostic.sort_key)


_REQUIRED_BUFFER_KEYS: Final = ("chunk_limit_size", "total_limit_size", "overflow_action", "retry_max_interval")


def _check_output_buffer(el: Element, err: _Reporter) -> None:
    """Errata 13 of the seed design: bounded buffers, finite retries."""
    plugin = PLUGINS["match"].get(el.type or "")
    buffers = el.sections("buffer")
    if plugin is not None and plugin.buffered == "always" and not buffers:
        err(el, f"{el.tag} (@type {el.type}) has no <buffer>: its size and retries must be set explicitly")
    for b in buffers:
        for key in _REQUIRED_BUFFER_KEYS:
            if b.param(key) is None:
                err(b, f"<buffer> must set {key}")
        forever = b.param("retry_forever")
        if forever is not None and (_is_true(forever.value) or forever.value.interpolations):
            err(forever, "retry_forever is not allowed: set a finite retry_timeout or retry_max_times")
        if b.param("retry_timeout") is None and b.param("retry_max_times") is None:
            err(b, "<buffer> must set retry_timeout or retry_max_times")


class _Reporter(Protocol):
    def __call__(self, where: Element | Param | Interpolation, message: str, column: int | None = None) -> None: ...


_PLUGIN_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def check_ids(tree: Config) -> list[Diagnostic]:
    """Every <source>, <filter>, <match> and <store> has an @id, ids are simple names, and no @id is used
    twice (fluentd rejects duplicates; stable ids name buffer directories under root_dir and the
    plugin_id label of fluentd's metrics)."""
    diags: list[Diagnostic] = []
    seen: dict[str, Param] = {}
    for el in tree.walk():
        id_param = el.param("@id")
        if el.name in ("source", "filter", "match", "store") and id_param is None:
            diags.append(Diagnostic(el.line, None, f"{el.tag} has no @id", el.file))
        if id_param is None:
            continue
        plugin_id = id_param.value.text
        if not _PLUGIN_ID.fullmatch(plugin_id) and not id_param.value.interpolations:
            message = f"@id '{plugin_id}' should be a simple name (it names a directory under root_dir)"
            diags.append(Diagnostic(id_param.line, None, message, id_param.file))
        if plugin_id in seen:
            first = seen[plugin_id]
            where = (
                f"line {first.line}"
                if first.file == id_param.file
                else f"{first.file or 'main file'} line {first.line}"
            )
            diags.append(
                Diagnostic(id_param.line, None, f"duplicate @id '{plugin_id}' (first used on {where})", id_param.file)
            )
        else:
            seen[plugin_id] = id_param
    return diags
