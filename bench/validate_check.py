"""Wall time of `guardiangen validate` and `guardiangen check` on the reference spec.

Run: .venv/bin/python bench/validate_check.py [--runs N]
A benchmark, not a test: figures vary with the machine and go in the README by hand.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "guardiangen", *args], cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def in_process(runs: int) -> list[float]:
    """validate without interpreter start-up: the cost of load + parse + checks alone."""
    sys.path.insert(0, str(ROOT))
    from guardiangen.pipeline import validate

    validate("specs/cluster.yaml")  # warm imports once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        validate(str(ROOT / "specs" / "cluster.yaml"))
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    rows = [
        ("validate (process)", measure(["validate", "specs/cluster.yaml"], runs)),
        ("check (process)", measure(["check", "specs/cluster.yaml", "--out", "out"], runs)),
        ("validate (in-process)", in_process(runs)),
    ]
    print("| command | median | min | max | runs |\n|---|---|---|---|---|")
    for name, t in rows:
        print(f"| {name} | {statistics.median(t):.3f} s | {min(t):.3f} s | {max(t):.3f} s | {len(t)} |")


if __name__ == "__main__":
    main()
