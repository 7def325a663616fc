"""Rewrite the Fluentd golden files from the current code: `python tests/fluentd/golden/regenerate.py`.

Each case renders its spec exactly as `guardiangen render` writes fluentd.conf (header included).
Review the diff before committing: a golden file changes only together with the code that changes it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fluentd.test_render_golden import CASES, expected_files, rendered_files  # noqa: E402


def main() -> None:
    for case in CASES:
        for relpath, data in rendered_files(case).items():
            target = expected_files(case) / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
