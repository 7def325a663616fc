"""How `guardiangen render` scales with the number of specialists.

    .venv/bin/python bench/render_scale.py [--sizes 10,100,1000,10000] [--runs 3] [--max-runs-seconds 60]

For each size, writes the spec of bench/gen_spec.py, renders it with `guardiangen render` in a
subprocess (a fresh interpreter per run, as users run it) and reports the median wall time of the
runs, the peak RSS of the render process (resource.getrusage RUSAGE_CHILDREN ru_maxrss, taken
from each run's own child), the output size and file count, as a markdown table, then the
10,000 / 1,000 time ratio. A size whose first run takes longer than --max-runs-seconds is run once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _guardiangen() -> list[str]:
    exe = Path(sys.executable).with_name("guardiangen")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "guardiangen"]


def _one_run(spec: Path, out: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one render in a child process."""
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # the previous run's files are gone from the disk too: no deferred deletes in this run
    start = time.perf_counter()
    # A wrapper child per run so RUSAGE_CHILDREN's max reflects this run alone.
    wrapper = (
        "import resource, subprocess, sys\n"
        "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *_guardiangen(), "render", str(spec), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"render of {spec} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, int(proc.stdout.strip().splitlines()[-1])


def _tree(out: Path) -> tuple[int, int]:
    files = [p for p in out.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-runs-seconds", type=float, default=60.0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    times: dict[int, float] = {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="gg-scale-") as tmp:
        for n in sizes:
            spec = Path(tmp) / f"cluster-{n}.yaml"
            with spec.open("w", encoding="utf-8") as f:
                subprocess.run([sys.executable, str(HERE / "gen_spec.py"), str(n)], stdout=f, check=True)
            out = Path(tmp) / f"out-{n}"
            walls, rss = [], 0
            for i in range(args.runs):
                wall, peak = _one_run(spec, out)
                walls.append(wall)
                rss = max(rss, peak)
                if i == 0 and wall > args.max_runs_seconds:
                    break
            size, count = _tree(out)
            times[n] = statistics.median(walls)
            rows.append((n, times[n], len(walls), rss, size, count))
            print(f"  {n}: {times[n]:.2f} s", file=sys.stderr, flush=True)
            shutil.rmtree(out, ignore_errors=True)
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n")
    print("| specialists | wall time (median) | runs | peak RSS | output | files |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, wall, runs, rss, size, count in rows:
        print(f"| {n:,} | {wall:.2f} s | {runs} | {rss / 1024:.0f} MiB | {size / 2**20:.1f} MiB | {count:,} |")
    if 1000 in times and 10000 in times:
        print(f"\n10,000 / 1,000 time ratio: {times[10000] / times[1000]:.1f}x (target: at most about 11x)")


if __name__ == "__main__":
    main()
