"""Timing in tests without absolute limits: compare against a baseline measured in the same run.

The machine is noisy (2 shared cores, other suites in parallel), so a test never says "under 0.5 s".
It times the case and a baseline alternately and keeps each one's best, so a busy moment slows both
alike, then asserts a ratio: against a benign input of the same size, or against the same input at a
quarter of the size (linear work grows 4×, the quadratic blow-ups these guard against grow 16×).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def best_times(*fns: Callable[[], object], rounds: int = 5) -> list[float]:
    """Each function's fastest wall time over ``rounds`` interleaved runs, in seconds."""
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best
