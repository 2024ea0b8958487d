"""The interval over seeds that every experiment's figures and tables report.

Each curve and table entry is the mean over seeds with the 95 % Student-t interval of
that mean (:func:`infojax.stats.seed_interval`, ``method="t"``).
"""

from __future__ import annotations

import numpy as np

CONFIDENCE = 0.95
# What every figure and table says of its intervals.
INTERVAL_NOTE = "95 % t interval over seeds"


def seed_intervals(values: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(mean, low, high)`` over ``axis`` (the seeds), as NumPy float64.

    NaN is a missing seed, and so is an infinite value (a diverged network): the mean
    is over the finite seeds, and ``low`` and ``high`` are NaN where fewer than two are
    there. An empty ``values`` gives zeros of the reduced shape.
    """
    from infojax.stats import seed_interval

    values = np.asarray(values, np.float64)
    if values.size == 0:
        empty = np.zeros(np.delete(values.shape, axis))
        return empty, empty, empty
    result = seed_interval(
        np.where(np.isinf(values), np.nan, values), axis=axis, confidence=CONFIDENCE, method="t"
    )
    return tuple(np.asarray(part, np.float64) for part in result[:3])


def format_interval(mean: float, low: float, high: float, digits: int = 3) -> str:
    """``"mean [low, high]"``; the mean alone without an interval (one seed), ``"n/a"``
    without a mean."""
    if not np.isfinite(mean):
        return "n/a"
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"
