"""prometheus-operator and Grafana-sidecar objects: PrometheusRule, dashboard ConfigMaps, the Alertmanager Secret.

Every object is built from the plain output: rule groups through the same ``group_dict`` as
``prometheus/rules/``, dashboards from the rendered ``grafana/dashboards/*.json``, the Alertmanager
configuration and templates from ``alertmanager/``. A ``kustomization.yaml`` lists them all so
``kubectl apply --server-side -k out/kubernetes`` deploys the lot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from guardiangen.render.context import RenderContext
from guardiangen.render.profiles.rules import rule_files
from guardiangen.render.yamlout import dump
from guardiangen.syntax import K8S_NAME_PATTERN

# ---- Kubernetes object plumbing: names, metadata, size limits and multi-document YAML
#
# Limits are the API server's own (apimachinery validation): object names are DNS-1123 subdomains,
# ConfigMap and Secret keys match ``[-._a-zA-Z0-9]+``, and the data of one ConfigMap or Secret may not
# exceed 1 MiB. Checking them here turns a failed ``kubectl apply`` into a failed render.

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


# ---- the objects

DIR = "kubernetes"
RULES_DIR = f"{DIR}/prometheusrules"
DASHBOARDS_DIR = f"{DIR}/dashboards"
ALERTMANAGER_FILE = f"{DIR}/alertmanager/secret.yaml"
KUSTOMIZATION = f"{DIR}/kustomization.yaml"

PLAIN_DASHBOARDS = "grafana/dashboards/"
PLAIN_ALERTMANAGER_CONFIG = "alertmanager/alertmanager.yml"
PLAIN_ALERTMANAGER_TEMPLATES = "alertmanager/templates/"
# The operator copies every extra key of the config Secret next to the configuration and mounts them
# here (pkg/alertmanager/statefulset.go, alertmanagerConfigDir); Alertmanager itself reads the
# configuration from a different directory (config_out), so template globs must be absolute.
OPERATOR_CONFIG_DIR = "/etc/alertmanager/config"
SECRET_CONFIG_KEY = "alertmanager.yaml"  # the only key the operator reads the configuration from


def render(ctx: RenderContext, plain: Mapping[str, str]) -> dict[str, str]:
    files = {**prometheus_rules(ctx), **dashboard_configmaps(ctx, plain), **alertmanager_secret(ctx, plain)}
    resources = sorted(str(PurePosixPath(p).relative_to(DIR)) for p in files)
    files[KUSTOMIZATION] = dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources}
    )
    return files


def _cluster(ctx: RenderContext) -> str:
    return ctx.plan.cluster.name


def prometheus_rules(ctx: RenderContext) -> dict[str, str]:
    """One PrometheusRule per plain rules file, labelled for the Prometheus object's ``ruleSelector``."""
    k8s = ctx.plan.deployment.kubernetes
    files: dict[str, str] = {}
    names = []
    for file, groups in rule_files(ctx):
        name = object_name(_cluster(ctx), file)
        names.append(name)
        doc = {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": metadata(name, k8s.namespace, dict(k8s.rule_labels)),
            "spec": {"groups": groups},
        }
        files[f"{RULES_DIR}/{name}.yaml"] = dump_documents([doc])
    unique_names("PrometheusRule", names)
    return files


def minified(dashboard_json: str) -> str:
    """The dashboard as compact JSON: key order kept, ASCII only (no YAML line-break look-alikes)."""
    return json.dumps(json.loads(dashboard_json), separators=(",", ":"), ensure_ascii=True)


def dashboard_configmaps(ctx: RenderContext, plain: Mapping[str, str]) -> dict[str, str]:
    """One ConfigMap per rendered dashboard.

    One dashboard per object, never several: a dashboard that moved between ConfigMaps would be
    deleted by the sidecar when it processes the ConfigMap it left, and a ConfigMap holding one
    dashboard only outgrows the 1 MiB limit when that dashboard does (which fails the render).
    """
    from ruamel.yaml.scalarstring import LiteralScalarString

    k8s = ctx.plan.deployment.kubernetes
    files: dict[str, str] = {}
    names = []
    for relpath in sorted(plain):
        path = PurePosixPath(relpath)
        if path.parent != PurePosixPath(PLAIN_DASHBOARDS) or path.suffix != ".json":
            continue
        name = object_name(_cluster(ctx), "dashboard", path.stem)
        names.append(name)
        payload = minified(plain[relpath])
        data = {data_key(path.name): payload}
        check_data_size("ConfigMap", name, data)
        doc = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": metadata(
                name,
                k8s.namespace,
                dict(k8s.dashboard_label),
                {k8s.folder_annotation: k8s.dashboard_folder},
            ),
            # A literal block is never folded or escaped: the JSON arrives byte for byte.
            "data": {key: LiteralScalarString(value) for key, value in data.items()},
        }
        files[f"{DASHBOARDS_DIR}/{name}.yaml"] = dump_documents([doc])
    unique_names("ConfigMap", names)
    return files


def secret_config(config_yaml: str) -> str:
    """The plain ``alertmanager.yml`` with its template globs pointed at where the operator mounts them."""
    from ruamel.yaml import YAML

    # Round-trip load keeps key order and quoting (e.g. "22:00" stays a string for YAML 1.1 readers).
    config: Any = YAML(typ="rt", pure=True).load(config_yaml)
    if "templates" in config:
        config["templates"] = [f"{OPERATOR_CONFIG_DIR}/{PurePosixPath(t).name}" for t in config["templates"]]
    return dump(config)


def alertmanager_secret(ctx: RenderContext, plain: Mapping[str, str]) -> dict[str, str]:
    """The Alertmanager configuration Secret: ``alertmanager.yaml`` plus every notification template.

    It holds no secret values (receivers reference theirs by ``*_file``), so it can live in git.
    """
    if PLAIN_ALERTMANAGER_CONFIG not in plain:
        return {}
    k8s = ctx.plan.deployment.kubernetes
    name = k8s.alertmanager_secret_name or object_name("alertmanager", _cluster(ctx))
    data = {SECRET_CONFIG_KEY: secret_config(plain[PLAIN_ALERTMANAGER_CONFIG])}
    for relpath in sorted(plain):
        path = PurePosixPath(relpath)
        if relpath.startswith(PLAIN_ALERTMANAGER_TEMPLATES) and path.suffix == ".tmpl":
            key = data_key(path.name)
            if key in data:
                raise ValueError(f"template {relpath} would overwrite Secret key {key}")
            data[key] = plain[relpath]
    check_data_size("Secret", name, data)
    doc = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(name, k8s.namespace, {}),
        "type": "Opaque",
        "stringData": data,
    }
    return {ALERTMANAGER_FILE: dump_documents([doc])}
