"""What `guardiangen doctor` costs before its first request: validate, plan, render in memory, and
the expectations read back from the render (every rule parsed, its selectors and canonical form).

    .venv/bin/python bench/doctor_offline.py [--sizes 1000] [--runs 3]

Runs in this process on the spec of `bench/gen_spec.py N` and prints the median seconds of each step
and the number of HTTP requests a run against a server that has every series would send (the
requests do not grow with the fleet: see README, Doctor). Interpreter start-up is not included.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from guardiangen import pipeline  # noqa: E402
from guardiangen.doctor.expect import Expected, expected  # noqa: E402

STEPS = ("validate", "plan", "render", "expectations")


def one_run(spec: Path) -> tuple[dict[str, float], Expected]:
    times: dict[str, float] = {}
    start = time.perf_counter()
    result = pipeline.validate(str(spec))
    assert result.spec is not None and result.document is not None
    times["validate"] = time.perf_counter() - start
    start = time.perf_counter()
    plan = pipeline.plan(result.spec)
    times["plan"] = time.perf_counter() - start
    start = time.perf_counter()
    files = pipeline.render(plan, spec.name)
    times["render"] = time.perf_counter() - start
    start = time.perf_counter()
    exp = expected(result.document, plan, files, "out")
    times["expectations"] = time.perf_counter() - start
    return times, exp


def requests(exp: Expected) -> int:
    """Requests of a run that finds nothing missing: names, metadata, one per label, one per pinned
    histogram, rules, targets, Alertmanager's status."""
    return 5 + len({v.label for v in exp.spec_values}) + len({b.selector.name for b in exp.buckets})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| specialists | " + " | ".join(STEPS) + " | total | rules | requests |")
    print("|---:|" + "---:|" * (len(STEPS) + 3))
    with tempfile.TemporaryDirectory(prefix="gg-doctor-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            spec = Path(tmp) / f"cluster-{n}.yaml"
            with spec.open("w", encoding="utf-8") as f:
                subprocess.run([sys.executable, str(HERE / "gen_spec.py"), str(n)], stdout=f, check=True)
            runs = [one_run(spec) for _ in range(args.runs)]
            medians = [statistics.median(r[0][s] for r in runs) for s in STEPS]
            total = statistics.median(sum(r[0].values()) for r in runs)
            exp = runs[-1][1]
            rules = sum(len(g.rules) for g in exp.groups)
            cells = [f"{m:.2f} s" for m in medians] + [f"{total:.2f} s", f"{rules:,}", str(requests(exp))]
            print(f"| {n:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
