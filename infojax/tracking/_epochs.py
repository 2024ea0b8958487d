"""Which epochs of a training run are measured."""

from __future__ import annotations

import numpy as np

SPACINGS = ("log", "linear")


def tracked_epochs(total_epochs: int, *, count: int, spacing: str = "log") -> np.ndarray:
    """``count`` distinct epochs in ``[0, total_epochs]``, always with the first and last.

    Epoch 0 is the network at initialisation; epoch ``e`` is the network after ``e``
    passes over the training set. With ``spacing="log"`` the epochs after 0 are as
    close to geometric as integers allow (dense early, when representations change
    fastest, as in Shwartz-Ziv & Tishby 2017 and Saxe et al. 2018); with
    ``"linear"`` they are evenly spaced. When ``count > total_epochs`` every epoch is
    returned.

    Args:
      total_epochs: number of training epochs, positive.
      count: how many epochs to measure, at least 2.
      spacing: ``"log"`` or ``"linear"``.

    Returns:
      Sorted ``int64`` array of ``min(count, total_epochs + 1)`` epochs.
    """
    if not isinstance(total_epochs, (int, np.integer)) or total_epochs <= 0:
        raise ValueError(f"`total_epochs` must be a positive integer, got {total_epochs!r}.")
    if not isinstance(count, (int, np.integer)) or count < 2:
        raise ValueError(f"`count` must be an integer of at least 2, got {count!r}.")
    if spacing not in SPACINGS:
        raise ValueError(f"`spacing` must be one of {SPACINGS}, got {spacing!r}.")
    if count > total_epochs:
        return np.arange(total_epochs + 1, dtype=np.int64)
    if spacing == "linear":
        return np.unique(np.rint(np.linspace(0, total_epochs, count)).astype(np.int64))
    return np.concatenate([[0], _geometric_integers(total_epochs, count - 1)])


def _geometric_integers(stop: int, count: int) -> np.ndarray:
    """``count`` distinct integers in ``[1, stop]``, with both ends, nearly geometric."""
    if count == 1:
        return np.array([stop], dtype=np.int64)

    def rounded(points: int) -> np.ndarray:
        return np.unique(np.rint(np.geomspace(1, stop, points)).astype(np.int64))

    # Rounding merges the first points, so ask for more points than wanted: the
    # fewest that leave ``count`` distinct integers (the number grows with ``points``).
    low, high = count, count
    while rounded(high).size < count:
        low, high = high, 2 * high
    while low < high:
        middle = (low + high) // 2
        if rounded(middle).size >= count:
            high = middle
        else:
            low = middle + 1
    epochs = rounded(high)
    # One more point can add two integers; drop the interior ones closest to the
    # epoch before them.
    while epochs.size > count:
        gaps = np.diff(epochs)[:-1]
        epochs = np.delete(epochs, 1 + int(np.argmin(gaps)))
    return epochs
