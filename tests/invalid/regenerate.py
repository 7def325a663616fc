"""Write tests/invalid/<case>.expected from the current code: `python tests/invalid/regenerate.py [CASE...]`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def main(cases: list[str]) -> None:
    for case in cases or sorted(p.stem for p in HERE.glob("*.yaml")):
        proc = subprocess.run(
            [sys.executable, "-m", "guardiangen", "validate", f"tests/invalid/{case}.yaml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 1:
            raise SystemExit(f"{case}: expected exit 1, got {proc.returncode}\n{proc.stdout}{proc.stderr}")
        (HERE / f"{case}.expected").write_text(proc.stdout, encoding="utf-8")
        print(f"{case}: {proc.stdout.count(chr(10)) - 1} diagnostic(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
