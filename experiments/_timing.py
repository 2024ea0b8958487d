"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls of ``run`` (the caller warms it up and
    blocks on its results inside ``run`` where they are asynchronous)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, to print beside every timing."""
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
