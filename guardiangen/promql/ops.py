"""Binary operations: arithmetic, comparisons, set operations and division that never yields NaN.

**No-NaN division.** ``safe_div(a, b)`` writes ``a / (b > 0)``: the comparison drops every series
whose denominator is 0 (no traffic), so the quotient has no sample there instead of NaN (0/0) or
+Inf (x/0). An alert on it stays silent, a recording rule records nothing, a dashboard shows a
gap. ``clamp_min(b, tiny)`` would instead invent a value; ``b > 0`` keeps every real sample exact.
Numeric denominators must be non-zero literals and are written plainly (``a / 100``).

Vector matching is checked: both sides must carry the same label names unless ``on``/``ignoring``
says otherwise, because Prometheus silently returns nothing when they differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Literal

from guardiangen.catalog import Scale
from guardiangen.promql import meta as M
from guardiangen.promql.expr import ATOM, PRECEDENCE, UNARY, Expr, Shape, label_list, wrap
from guardiangen.promql.text import Number, PromQLError, format_number, to_decimal

Arithmetic = Literal["+", "-", "*", "/", "%", "^"]
Comparison = Literal["==", "!=", ">", "<", ">=", "<="]
SetOp = Literal["and", "or", "unless"]
Operand = Expr | Number

COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})


def number(value: Number) -> Expr:
    """A number literal with exact decimal text (``Decimal("99.9")`` -> ``99.9``)."""
    text = format_number(value)
    return Expr(text, M.UNKNOWN, frozenset(), shape=Shape.SCALAR, prec=UNARY if text.startswith("-") else ATOM)


def _operand(x: Operand) -> Expr:
    if isinstance(x, Expr):
        if x.shape in (Shape.BUCKET_RATES, Shape.BUCKETS_BY_LE):
            raise PromQLError(f"histogram bucket rates only feed histogram_quantile(): {x.text}")
        return x
    return number(x)


def _literal(e: Expr) -> Decimal | None:
    return to_decimal(e.text) if e.is_scalar else None


def _result_labels(
    lhs: Expr, rhs: Expr, op: str, on: Sequence[str] | None, ignoring: Sequence[str] | None,
    group_left: Sequence[str] | None,
) -> frozenset[str] | None:  # fmt: skip
    if lhs.is_scalar or rhs.is_scalar:
        return rhs.labels if lhs.is_scalar else lhs.labels
    left, right = lhs.labels, rhs.labels
    if on is not None:
        for side, labels in (("left", left), ("right", right)):
            missing = sorted(set(on) - labels) if labels is not None else []
            if missing:
                raise PromQLError(f"on ({label_list(on)}): the {side} side has no {', '.join(missing)}")
    if group_left is not None:
        if on is None and ignoring is None:
            raise PromQLError("group_left needs on (...) or ignoring (...)")
        return None if left is None else left | set(group_left)
    if op in ("and", "or", "unless"):
        return left
    if left is not None and right is not None and on is None:
        ign = set(ignoring or ())
        if left - ign != right - ign:
            raise PromQLError(
                "the two sides carry different labels (left only: "
                + (", ".join(sorted(left - right - ign)) or "-")
                + "; right only: "
                + (", ".join(sorted(right - left - ign)) or "-")
                + "), so nothing would match: aggregate both by the same labels or use on (...)"
            )
    if left is None:
        return None
    if on is not None:
        return frozenset(on)  # one-to-one matching keeps only the `on` labels
    return left - set(ignoring or ())


def _result_meta(op: str, lhs: Expr, rhs: Expr, bool_: bool) -> M.Meta:
    kl, kr = _literal(lhs), _literal(rhs)
    if op in COMPARISONS:
        return M.Meta(Scale.ABSOLUTE) if bool_ else (rhs.meta if lhs.is_scalar else lhs.meta)
    if op in ("and", "unless"):
        return lhs.meta
    if op == "or":
        return M.combined(lhs.meta, rhs.meta)
    if op == "*":
        if kr is not None:
            return M.times(lhs.meta, kr)
        return M.times(rhs.meta, kl) if kl is not None else M.UNKNOWN
    if op == "/":
        if kr is not None:
            return M.divided_by_number(lhs.meta, kr)
        return M.UNKNOWN if kl is not None else M.divided(lhs.meta, rhs.meta)
    if op in ("+", "-"):
        if kr is not None:
            return M.offset(lhs.meta, kr)
        if kl is not None:
            return M.offset(rhs.meta, kl)
        return M.combined(lhs.meta, rhs.meta)
    return M.UNKNOWN


def binop(
    op: Arithmetic | Comparison | SetOp,
    lhs: Operand,
    rhs: Operand,
    *,
    on: Sequence[str] | None = None,
    ignoring: Sequence[str] | None = None,
    group_left: Sequence[str] | None = None,
    bool_: bool = False,
    meta: M.Meta | None = None,
) -> Expr:
    """``lhs <op> rhs`` with vector matching checked and operands parenthesized by precedence.

    Prefer the named helpers (:func:`safe_div`, :func:`gt`, ...); ``/`` with a vector
    denominator is refused here (use :func:`safe_div`). ``meta`` overrides the inferred meaning.
    """
    left, right = _operand(lhs), _operand(rhs)
    if op == "/" and not right.is_scalar:
        raise PromQLError("dividing by a vector can yield NaN or +Inf on zero traffic: use safe_div()")
    if op in ("/", "%") and right.is_scalar and to_decimal(right.text) == 0:
        raise PromQLError(f"division by zero: {left.text} {op} 0")
    if op in ("and", "or", "unless") and (left.is_scalar or right.is_scalar):
        raise PromQLError(f"`{op}` needs vectors on both sides")
    if op in COMPARISONS and left.is_scalar and right.is_scalar and not bool_:
        raise PromQLError("comparing two numbers needs bool_=True")
    if (on is not None or ignoring is not None or group_left is not None) and (left.is_scalar or right.is_scalar):
        raise PromQLError("on/ignoring/group_left only apply between two vectors")
    if on is not None and ignoring is not None:
        raise PromQLError("use either on (...) or ignoring (...), not both")
    if op in COMPARISONS:
        _check_threshold(left, right)
    labels = _result_labels(left, right, op, on, ignoring, group_left)
    prec = PRECEDENCE[op]
    modifier = " bool" if bool_ else ""
    if on is not None:
        modifier += f" on ({label_list(on)})"
    if ignoring is not None:
        modifier += f" ignoring ({label_list(ignoring)})"
    if group_left is not None:
        modifier += f" group_left ({label_list(group_left)})" if group_left else " group_left"
    # Set operations bind loosest; parenthesize their binary operands anyway, for the reader.
    shown = max(prec, PRECEDENCE["=="] + 1) if op in ("and", "or", "unless") else prec
    text = f"{wrap(left, shown, right=False)} {op}{modifier} {wrap(right, shown, right=True)}"
    both_scalar = left.is_scalar and right.is_scalar
    return Expr(
        text,
        meta if meta is not None else _result_meta(op, left, right, bool_),
        labels,
        left.high_cardinality | right.high_cardinality,
        shape=Shape.SCALAR if both_scalar else Shape.VECTOR,
        prec=prec,
    )


def _check_threshold(left: Expr, right: Expr) -> None:
    vector, k = (right, _literal(left)) if left.is_scalar else (left, _literal(right))
    if k is None:
        return
    scale = vector.meta.effective_scale
    if scale is Scale.RATIO and abs(k) > 1:
        raise PromQLError(
            f"{vector.text} is a ratio (0-1) but is compared with {format_number(k)}: "
            f"did you mean {format_number(k / 100)}?"
        )
    if scale is Scale.PERCENT and abs(k) > 100:
        raise PromQLError(f"{vector.text} is a percentage (0-100) but is compared with {format_number(k)}")


def add(lhs: Operand, rhs: Operand, *, on: Sequence[str] | None = None) -> Expr:
    return binop("+", lhs, rhs, on=on)


def sub(lhs: Operand, rhs: Operand, *, on: Sequence[str] | None = None) -> Expr:
    return binop("-", lhs, rhs, on=on)


def mul(lhs: Operand, rhs: Operand, *, on: Sequence[str] | None = None) -> Expr:
    return binop("*", lhs, rhs, on=on)


def safe_div(
    num: Operand,
    den: Operand,
    *,
    on: Sequence[str] | None = None,
    ignoring: Sequence[str] | None = None,
    group_left: Sequence[str] | None = None,
    meta: M.Meta | None = None,
) -> Expr:
    """``num / (den > 0)``: no sample where the denominator is 0, never NaN or +Inf.

    A numeric ``den`` must be non-zero and is written as is (``x / 100``). ``group_left`` (with
    ``on``/``ignoring``) keeps the numerator's labels when one denominator series serves many.
    """
    d = _operand(den)
    if d.is_scalar:
        return binop("/", num, d, meta=meta)
    guarded = binop(">", d, 0)
    n = _operand(num)
    if n.is_scalar:
        raise PromQLError("a number divided by a vector: put the vector first or use binop()")
    labels = _result_labels(n, guarded, "/", on, ignoring, group_left)
    prec = PRECEDENCE["/"]
    modifier = (f" on ({label_list(on)})" if on is not None else "") + (
        f" ignoring ({label_list(ignoring)})" if ignoring is not None else ""
    )
    if group_left is not None:
        # Always with a list: the guarded denominator starts with "(", which would be read as one.
        modifier += f" group_left ({label_list(group_left)})"
    text = f"{wrap(n, prec, right=False)} /{modifier} {wrap(guarded, prec, right=True)}"
    inferred = M.divided(n.meta, d.meta)
    return Expr(text, meta or inferred, labels, n.high_cardinality | d.high_cardinality, prec=prec)


def ratio(num: Expr, den: Expr, *, on: Sequence[str] | None = None, group_left: Sequence[str] | None = None) -> Expr:
    """``num / (den > 0)`` declared a 0-1 ratio (errors / requests, used / total).

    Refused when the units say otherwise (seconds / calls is a mean duration: use safe_div).
    """
    inferred = M.divided(num.meta, den.meta)
    if inferred.is_known and inferred != M.RATIO:
        raise PromQLError(
            f"{num.text} / {den.text} is in {inferred.unit.value}, not a ratio: use safe_div() for a mean"
        )
    return safe_div(num, den, on=on, group_left=group_left, meta=M.RATIO)


def compare(op: Comparison, lhs: Operand, rhs: Operand, *, bool_: bool = False) -> Expr:
    """A comparison; with a number on one side, a ratio compared with more than 1 (or a percentage
    with more than 100) is refused as a scale mix-up."""
    return binop(op, lhs, rhs, bool_=bool_)


def gt(lhs: Operand, rhs: Operand) -> Expr:
    return binop(">", lhs, rhs)


def ge(lhs: Operand, rhs: Operand) -> Expr:
    return binop(">=", lhs, rhs)


def lt(lhs: Operand, rhs: Operand) -> Expr:
    return binop("<", lhs, rhs)


def le(lhs: Operand, rhs: Operand) -> Expr:
    return binop("<=", lhs, rhs)


def and_(lhs: Expr, rhs: Expr, *, on: Sequence[str] | None = None) -> Expr:
    return binop("and", lhs, rhs, on=on)


def or_(lhs: Expr, rhs: Expr) -> Expr:
    return binop("or", lhs, rhs)


def unless(lhs: Expr, rhs: Expr, *, on: Sequence[str] | None = None) -> Expr:
    return binop("unless", lhs, rhs, on=on)


def clamp(e: Expr, lower: Number | None = None, upper: Number | None = None) -> Expr:
    """``clamp_min``/``clamp_max``/``clamp`` of a vector; keeps its meaning."""
    if e.is_scalar:
        raise PromQLError("clamp a vector, not a number")
    if lower is not None and upper is not None:
        text = f"clamp({e.text}, {format_number(lower)}, {format_number(upper)})"
    elif lower is not None:
        text = f"clamp_min({e.text}, {format_number(lower)})"
    elif upper is not None:
        text = f"clamp_max({e.text}, {format_number(upper)})"
    else:
        raise PromQLError("clamp() needs a lower or an upper bound")
    return replace(e, text=text, prec=ATOM)


def as_percent(e: Expr) -> Expr:
    """A 0-1 ratio times 100."""
    if e.meta.effective_scale is not Scale.RATIO:
        raise PromQLError(f"as_percent() needs a ratio (0-1), got {e.meta.effective_scale}: {e.text}")
    return binop("*", e, 100)


def as_ratio(e: Expr) -> Expr:
    """A 0-100 percentage divided by 100."""
    if e.meta.effective_scale is not Scale.PERCENT:
        raise PromQLError(f"as_ratio() needs a percentage (0-100), got {e.meta.effective_scale}: {e.text}")
    return binop("/", e, 100)
