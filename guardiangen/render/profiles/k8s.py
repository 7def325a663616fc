"""Kubernetes object plumbing: names, metadata, size limits and multi-document YAML.

Limits are the API server's own (apimachinery validation): object names are DNS-1123 subdomains,
ConfigMap and Secret keys match ``[-._a-zA-Z0-9]+``, and the data of one ConfigMap or Secret may not
exceed 1 MiB. Checking them here turns a failed ``kubectl apply`` into a failed render.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from guardiangen.render.yamlout import dump
from guardiangen.syntax import K8S_NAME_PATTERN

DATA_LIMIT_BYTES = 1024 * 1024  # corev1.MaxSecretSize, applied to ConfigMaps and Secrets alike
_KEY_RE = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")
_NAME_RE = re.compile(K8S_NAME_PATTERN)
MANAGED_BY = {"app.kubernetes.io/managed-by": "guardiangen"}


def object_name(*parts: str) -> str:
    """A DNS-1123 subdomain from name parts joined by ``-``; ``_`` and other foreign characters become ``-``."""
    text = re.sub(r"[^a-z0-9.-]+", "-", "-".join(parts).lower())
    text = re.sub(r"-{2,}", "-", text).strip("-.")
    if len(text) > 253 or not _NAME_RE.match(text):
        raise ValueError(f"cannot make a Kubernetes object name from {parts!r}")
    return text


def data_key(key: str) -> str:
    """``key`` itself, once checked to be a valid ConfigMap/Secret key."""
    if not _KEY_RE.match(key):
        raise ValueError(f'"{key}" cannot be a ConfigMap or Secret key (letters, digits, - . _ only)')
    return key


def check_data_size(kind: str, name: str, data: Mapping[str, str]) -> None:
    """Refuse data the API server would refuse (counting keys too, which leaves a little headroom)."""
    size = sum(len(k.encode()) + len(v.encode()) for k, v in data.items())
    if size > DATA_LIMIT_BYTES:
        raise ValueError(
            f"{kind} {name} would hold {size} bytes of data; Kubernetes accepts at most {DATA_LIMIT_BYTES}"
        )


def metadata(
    name: str,
    namespace: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``metadata`` with the managed-by label first; the user's labels win on a clash."""
    out: dict[str, Any] = {"name": name, "namespace": namespace, "labels": {**MANAGED_BY, **labels}}
    if annotations:
        out["annotations"] = dict(annotations)
    return out


def dump_documents(docs: Sequence[Mapping[str, Any]]) -> str:
    """Several objects as one YAML stream, each document opened by ``---``."""
    return "".join("---\n" + dump(doc) for doc in docs)


def unique_names(kind: str, names: Sequence[str]) -> None:
    """Two sources mapped onto one object name would overwrite each other on apply."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"two {kind} objects would both be named {name}")
        seen.add(name)
