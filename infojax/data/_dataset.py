"""The dataset container and a deterministic train / test split."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Dataset(NamedTuple):
    """Inputs and class labels of a classification dataset, as host (NumPy) arrays.

    Every loader in :mod:`infojax.data` returns NumPy arrays: ``x`` of dtype float32
    and shape ``(n, d)``, ``y`` of dtype int32 and shape ``(n,)`` with classes
    ``0, 1, ..., num_classes - 1``. Move them to a device with ``jnp.asarray`` (or
    ``jax.device_put`` with a sharding) where they are used.

    Attributes:
        x: inputs, float32 array of shape ``(n, d)``.
        y: labels, int32 array of shape ``(n,)``.
    """

    x: np.ndarray
    y: np.ndarray

    @property
    def num_classes(self) -> int:
        """Number of classes, ``max(y) + 1``."""
        return int(np.max(self.y)) + 1


def _check_dataset(dataset, name: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(dataset, tuple) or len(dataset) != 2:
        raise TypeError(f"`{name}` must be a Dataset (x, y), got {type(dataset).__name__}.")
    x, y = (np.asarray(a) for a in dataset)
    if x.ndim < 1 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(
            f"`{name}` must hold x of shape (n, ...) and y of shape (n,), "
            f"got {x.shape} and {y.shape}."
        )
    return x, y


def train_test_split(
    dataset: Dataset, *, test_fraction: float = 0.2, seed: int = 0
) -> tuple[Dataset, Dataset]:
    """Splits a dataset at random into a training and a test set, deterministically.

    ``round(n * test_fraction)`` examples, drawn without replacement by
    ``numpy.random.default_rng(seed)``, form the test set; the rest form the training
    set. Both keep the original order of the examples. The split is not stratified.

    Args:
        dataset: a :class:`Dataset` (or any pair ``(x, y)``) with ``n`` examples.
        test_fraction: fraction of the examples in the test set, in ``(0, 1)``.
        seed: seed of the draw; the same seed gives the same split.

    Returns:
        ``(train, test)``, two :class:`Dataset` with ``n - n_test`` and ``n_test``
        examples.

    Raises:
        ValueError: if ``test_fraction`` is not in ``(0, 1)`` or leaves either part empty.

    Example:
        >>> from infojax.data import train_test_split, twelve_bit_task
        >>> train, test = train_test_split(twelve_bit_task(), test_fraction=0.2, seed=0)
        >>> train.x.shape, test.x.shape
        ((3277, 12), (819, 12))
    """
    x, y = _check_dataset(dataset, "dataset")
    if isinstance(test_fraction, bool) or not 0.0 < float(test_fraction) < 1.0:
        raise ValueError(f"`test_fraction` must be in (0, 1), got {test_fraction!r}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"`seed` must be an int, got {type(seed).__name__}.")
    n = x.shape[0]
    n_test = round(n * float(test_fraction))
    if not 0 < n_test < n:
        raise ValueError(
            f"`test_fraction`={test_fraction} of n={n} examples leaves an empty training "
            f"or test set ({n_test} test examples)."
        )
    order = np.random.default_rng(seed).permutation(n)
    test_index = np.sort(order[:n_test])
    train_index = np.sort(order[n_test:])
    return Dataset(x[train_index], y[train_index]), Dataset(x[test_index], y[test_index])
