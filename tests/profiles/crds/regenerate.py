#!/usr/bin/env python3
"""Regenerate prometheusrule-v1.schema.json: the PrometheusRule v1 schema of the prometheus-operator CRD.

    python tests/profiles/crds/regenerate.py                   # rewrite the committed schema
    python tests/profiles/crds/regenerate.py --check           # regenerate and diff; exit 1 on drift
    python tests/profiles/crds/regenerate.py --crd-file F.yaml # use a local CRD file instead of downloading

The pin is the npm package @kubernetes-models/prometheus-operator: its package.json names the exact
upstream CRD file it was generated from (``crd-generate.input``). npm runs in a throwaway temp dir,
so no node_modules ever lands in the repository. The schema keeps every validation keyword and
drops the ``description`` texts (validation does not read them). See PROVENANCE.md.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

NPM_PACKAGE = "@kubernetes-models/prometheus-operator"
NPM_VERSION = "5.0.1"  # the newest release generated from a CRD file (6.x is generated from Go types)
KIND, VERSION = "PrometheusRule", "v1"
HERE = Path(__file__).resolve().parent
TARGET = HERE / "prometheusrule-v1.schema.json"


def crd_url_from_npm(work: Path) -> str:
    """The CRD file the pinned npm release was generated from, read from its package.json."""
    subprocess.run(
        ["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--silent"], cwd=work, check=True, stdout=subprocess.DEVNULL
    )
    (tarball,) = work.glob("*.tgz")
    with tarfile.open(tarball) as tar:
        member = tar.extractfile("package/package.json")
        assert member is not None
        manifest = json.load(member)
    (url,) = manifest["crd-generate"]["input"]
    return str(url)


def strip_descriptions(node: Any, *, under_properties: bool = False) -> Any:
    """The schema without ``description`` keywords; property *names* (keys under ``properties``) are kept."""
    if isinstance(node, dict):
        return {
            k: strip_descriptions(v, under_properties=(k == "properties" and not under_properties))
            for k, v in node.items()
            if under_properties or k != "description"
        }
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node


def extract(crd_text: str) -> tuple[dict[str, Any], str]:
    """(openAPIV3Schema of PrometheusRule v1, the operator version annotated on the CRD)."""
    from ruamel.yaml import YAML

    for doc in YAML(typ="safe", pure=True).load_all(crd_text):
        if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
            continue
        if doc["spec"]["names"]["kind"] != KIND:
            continue
        (version,) = [v for v in doc["spec"]["versions"] if v["name"] == VERSION]
        operator = doc["metadata"].get("annotations", {}).get("operator.prometheus.io/version", "unknown")
        return strip_descriptions(version["schema"]["openAPIV3Schema"]), str(operator)
    raise SystemExit(f"no {KIND} CustomResourceDefinition in the input")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    parser.add_argument("--crd-file", type=Path, help="read this CRD YAML instead of downloading the pinned one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.crd_file:
            source, text = str(args.crd_file), args.crd_file.read_text(encoding="utf-8")
        else:
            source = crd_url_from_npm(Path(tmp))
            with urllib.request.urlopen(source, timeout=60) as response:
                text = response.read().decode("utf-8")
    schema, operator = extract(text)
    fresh = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    print(f"source: {source} (operator {operator})", file=sys.stderr)
    if args.check:
        current = TARGET.read_text(encoding="utf-8")
        if current == fresh:
            print(f"{TARGET.name} is up to date", file=sys.stderr)
            return 0
        sys.stdout.writelines(
            difflib.unified_diff(current.splitlines(True), fresh.splitlines(True), "committed", "fresh")
        )
        return 1
    TARGET.write_text(fresh, encoding="utf-8", newline="\n")
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
