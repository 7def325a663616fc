"""A digest of `guardiangen render` output for a fixed set of specs, to show a refactoring kept every byte.

    .venv/bin/python bench/output_digest.py [--quick] > digests.txt

Renders each case through the command line (so only the public interface is used) into a fresh
directory and prints one line per case: the SHA-256 of every output file's path and bytes, in path
order, and the number of files. Run it before and after a change that must not alter the output,
and compare the two listings with `diff`. Cases: the reference spec in every profile, with the
multi-cluster label, with other target versions and the nvidia_smi exporter; the test specs; and
`bench/gen_spec.py` fleets of 100 and 1,000 specialists (`--quick` leaves out the 1,000).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GUARDIANGEN = [sys.executable, "-m", "guardiangen"]

Edit = Callable[[dict[str, Any]], None]


def _set(path: tuple[str, ...], value: object) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value

    return edit


def _nvidia_smi(doc: dict[str, Any]) -> None:
    doc["gpu_inventory"]["exporter"] = "nvidia_smi"
    doc["gpu_inventory"].pop("host_label", None)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return data


def _dump(doc: dict[str, Any]) -> str:
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(doc, stream)
    return stream.getvalue()


def cases(quick: bool) -> Iterator[tuple[str, str, list[str]]]:
    """(case name, spec text, extra render options)."""
    reference = _load(ROOT / "specs" / "cluster.yaml")
    for target in ("plain", "kubernetes", "thanos", "mimir"):
        yield f"reference --target {target}", _dump(reference), ["--target", target]
    variants: dict[str, list[Edit]] = {
        "reference cluster_label": [_set(("output", "cluster_label"), "cluster")],
        "reference prometheus 3.1 alertmanager 0.28": [
            _set(("defaults", "prometheus_version"), "3.1.0"),
            _set(("defaults", "alertmanager_version"), "0.28.0"),
        ],
        "reference prometheus 2.30 alertmanager 0.26": [
            _set(("defaults", "prometheus_version"), "2.30.0"),
            _set(("defaults", "alertmanager_version"), "0.26.0"),
        ],
        "reference nvidia_smi": [_nvidia_smi],
    }
    for name, edits in variants.items():
        doc = copy.deepcopy(reference)
        for edit in edits:
            edit(doc)
        targets = ("plain", "thanos") if "cluster_label" in name else ("plain",)
        for target in targets:
            yield f"{name} --target {target}", _dump(doc), ["--target", target]
    for path in sorted((ROOT / "tests").rglob("*cluster*.yaml")):
        if "invalid" not in path.parts:
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"), []
    for n in (100,) if quick else (100, 1000):
        text = subprocess.run(
            [sys.executable, str(HERE / "gen_spec.py"), str(n)], check=True, capture_output=True, text=True
        ).stdout
        yield f"gen_spec {n}", text, []
        if n == 100:
            doc = _load_text(text)
            _set(("output", "cluster_label"), "cluster")(doc)
            yield f"gen_spec {n} cluster_label --target kubernetes", _dump(doc), ["--target", "kubernetes"]


def _load_text(text: str) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(text)
    return data


def digest(out: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    files = sorted(p for p in out.rglob("*") if p.is_file())
    for p in files:
        rel = p.relative_to(out).as_posix().encode()
        data = p.read_bytes()
        h.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest(), len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="leave out the 1,000-specialist fleet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gg-digest-") as tmp:
        for i, (name, text, options) in enumerate(cases(args.quick)):
            spec = Path(tmp) / f"case-{i}" / "cluster.yaml"
            spec.parent.mkdir()
            spec.write_text(text, encoding="utf-8")
            out = spec.parent / "out"
            run = subprocess.run(
                [*GUARDIANGEN, "render", str(spec), "--out", str(out), *options],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if run.returncode != 0:
                first = (run.stdout + run.stderr).strip().splitlines()[:1]
                print(f"{name}: exit {run.returncode} {first[0] if first else ''}")
                continue
            value, count = digest(out)
            print(f"{name}: {value} ({count} files)")


if __name__ == "__main__":
    main()
