"""prometheus-operator and Grafana-sidecar objects: PrometheusRule, dashboard ConfigMaps, the Alertmanager Secret.

Every object is built from the plain output: rule groups through the same ``group_dict`` as
``prometheus/rules/``, dashboards from the rendered ``grafana/dashboards/*.json``, the Alertmanager
configuration and templates from ``alertmanager/``. A ``kustomization.yaml`` lists them all so
``kubectl apply --server-side -k out/kubernetes`` deploys the lot.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from guardiangen.render import RenderContext
from guardiangen.render.profiles.k8s import (
    check_data_size,
    data_key,
    dump_documents,
    metadata,
    object_name,
    unique_names,
)
from guardiangen.render.profiles.rules import rule_files
from guardiangen.render.yamlout import dump

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
