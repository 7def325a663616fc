"""Write tests/invalid/<case>.expected from the current code: `python tests/invalid/regenerate.py [CASE...]`.

Cases under warnings/ (``warnings/<case>``) are valid specs with warnings: validate exits 0 on them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def cases() -> list[str]:
    """Every case, as its path under tests/invalid without the extension."""
    return sorted(p.relative_to(HERE).with_suffix("").as_posix() for p in HERE.glob("**/*.yaml"))


def expected_exit(case: str) -> int:
    """1 for an invalid spec; 0 for a spec that only has warnings."""
    return 0 if case.startswith("warnings/") else 1


def main(names: list[str]) -> None:
    for case in names or cases():
        proc = subprocess.run(
            [sys.executable, "-m", "guardiangen", "validate", f"tests/invalid/{case}.yaml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != expected_exit(case):
            raise SystemExit(
                f"{case}: expected exit {expected_exit(case)}, got {proc.returncode}\n{proc.stdout}{proc.stderr}"
            )
        (HERE / f"{case}.expected").write_text(proc.stdout, encoding="utf-8")
        print(f"{case}: {sum('[GG' in line for line in proc.stdout.splitlines())} diagnostic(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
