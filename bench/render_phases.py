"""Where a render's time goes: the pipeline's phases validate, plan, render (canonical bytes included), write.

    .venv/bin/python bench/render_phases.py [--sizes 1000] [--runs 3]

Runs the pipeline's steps in this process on the spec of `bench/gen_spec.py N`, as `guardiangen
render` does (garbage collector paused for plan and render, the second CPU used when there is one;
set GUARDIANGEN_JOBS=1 to compare with a sequential run), writing into a fresh temporary directory,
and prints the median seconds of each step as a markdown table, with the runbooks' share of plan
and of render (`guardiangen.plan.runbooks.build` and the `guardiangen.render.runbooks` step, timed
where the pipeline calls them). Interpreter start-up and imports (about 0.2 s) are not included;
`bench/render_scale.py` measures whole processes.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from guardiangen import pipeline  # noqa: E402
from guardiangen.gcpause import gc_paused  # noqa: E402
from guardiangen.plan import runbooks as plan_runbooks  # noqa: E402
from guardiangen.render import runbooks as render_runbooks  # noqa: E402

STEPS = ("validate", "plan", "render", "write")
# Parts of a step, timed where the pipeline calls them (in this process: neither runs in a child).
PARTS = {"runbooks in plan": (plan_runbooks, "build"), "runbooks in render": (render_runbooks, "render")}
_parts: dict[str, float] = {}


def _timed(part: str) -> None:
    module, name = PARTS[part]
    inner = getattr(module, name)

    @functools.wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            _parts[part] = _parts.get(part, 0.0) + time.perf_counter() - start

    setattr(module, name, timed)


for _part in PARTS:
    _timed(_part)


def one_run(spec: Path, out: Path) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # the previous run's files are gone from the disk too: no deferred deletes in this run
    times: dict[str, float] = {}
    _parts.clear()
    start = time.perf_counter()
    result = pipeline.validate(str(spec))
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    times["validate"] = time.perf_counter() - start
    with gc_paused():  # as `guardiangen render` does (pipeline.generate)
        start = time.perf_counter()
        plan = pipeline.plan(result.spec)
        times["plan"] = time.perf_counter() - start
        start = time.perf_counter()
        files = pipeline.render(plan, spec.name)
        times["render"] = time.perf_counter() - start
    start = time.perf_counter()
    assert not pipeline.write(out, files)
    times["write"] = time.perf_counter() - start
    return times | {part: _parts.get(part, 0.0) for part in PARTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="gg-phases-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            spec = Path(tmp) / f"cluster-{n}.yaml"
            with spec.open("w", encoding="utf-8") as f:
                subprocess.run([sys.executable, str(HERE / "gen_spec.py"), str(n)], stdout=f, check=True)
            runs = [one_run(spec, Path(tmp) / f"out-{n}") for _ in range(args.runs)]
            medians = {step: statistics.median(r[step] for r in runs) for step in (*STEPS, *PARTS)}
            rows.append((n, medians, statistics.median(sum(r[step] for step in STEPS) for r in runs)))
    jobs = os.environ.get("GUARDIANGEN_JOBS", "")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, GUARDIANGEN_JOBS={jobs or 'unset'}\n")
    print("| specialists | " + " | ".join(STEPS) + " | total | " + " | ".join(PARTS) + " |")
    print("|---:|" + "---:|" * (len(STEPS) + 1 + len(PARTS)))
    for n, medians, total in rows:
        cells = [f"{medians[s]:.2f} s" for s in STEPS] + [f"{total:.2f} s"] + [f"{medians[p]:.2f} s" for p in PARTS]
        print(f"| {n:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
