"""Product bugs the fuzzers found that are not fixed yet, and how to recognise their symptoms.

The fuzz tests leave out problems explained by a bug listed here, so that one open bug does not
hide every other finding; ``GG_FUZZ_KNOWN_BUGS=1`` turns that off. Each bug has a strict expected
failure in test_known_bugs.py: when the owner fixes it, that test passes, fails as XPASS(strict),
and says to delete the entry here and the marker there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

STRICT = os.environ.get("GG_FUZZ_KNOWN_BUGS") == "1"


@dataclass(frozen=True)
class KnownBug:
    key: str
    owner: str  # the module to fix
    summary: str
    symptoms: tuple[str, ...]  # regular expressions searched in a problem's text

    def explains(self, problem: str) -> bool:
        return any(re.search(p, problem, re.S) for p in self.symptoms)


BUGS: tuple[KnownBug, ...] = ()  # all found bugs are fixed; see test_known_bugs.py


def explained_by(problem: str) -> KnownBug | None:
    return next((b for b in BUGS if b.explains(problem)), None)


def unexplained(problems: Iterable[str]) -> list[str]:
    """The problems no known bug explains (every problem with GG_FUZZ_KNOWN_BUGS=1)."""
    problems = list(problems)
    return problems if STRICT else [p for p in problems if explained_by(p) is None]
