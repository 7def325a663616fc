"""Deterministic YAML text for every YAML output: block style, fixed indent, no line wrapping."""

from __future__ import annotations

import io
from typing import Any


def dump(data: Any) -> str:
    """YAML text of plain data (dicts keep their insertion order; renderers insert in a fixed order)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import RoundTripRepresenter

    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    yaml.width = 1 << 16  # never fold long PromQL expressions or templates
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.Representer = RoundTripRepresenter
    yaml.Representer.add_representer(type(None), _none)
    buf = io.StringIO()
    yaml.dump(_plain(data), buf)
    return buf.getvalue()


def _none(representer: Any, _: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _plain(data: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(data, dict):
        out = CommentedMap()
        for k, v in data.items():
            out[str(k)] = _plain(v)
        return out
    if isinstance(data, list | tuple):
        return CommentedSeq(_plain(v) for v in data)
    if isinstance(data, str) and "\n" in data:
        return LiteralScalarString(data if data.endswith("\n") else data + "\n")
    return data
