"""The loader's memoized scalar tags give what ruamel's own resolution gives, on both parsers."""

from __future__ import annotations

import io

import pytest
from ruamel.yaml import YAML

from guardiangen import load
from guardiangen.load import load_text

SCALARS = ["1", "1.5", "1e3", "0o7", "0x1f", "yes", "no", "true", "~", "null", "", ".inf", "-.nan", "a", "'1'"]


@pytest.mark.parametrize("pure", [False, True])
def test_repeated_scalars_resolve_as_ruamel_resolves_them(pure: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f"k{i}: {s}" for i, s in enumerate(SCALARS * 3)]
    lines += ["l:", *(f"  - {s}" for s in SCALARS * 2)]
    text = "\n".join(lines) + "\n"
    make = load._yaml
    monkeypatch.setattr(load, "_yaml", lambda **_: make(pure=pure))  # this parser, whatever the text
    expected = YAML(typ="safe", pure=True).load(io.StringIO(text))
    doc, diags = load_text(text, "x.yaml")
    assert not diags and doc is not None
    assert doc.data == expected
