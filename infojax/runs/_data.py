"""The data of a run: a config's ``data`` section loaded and split, and what the data
itself carries (I(X;Y) and H(Y))."""

from __future__ import annotations

import numpy as np

from infojax import data as _data
from infojax.runs._config import ConfigError


def load_data(data) -> tuple[_data.Dataset, _data.Dataset, _data.Dataset]:
    """``(train, test, full)`` of a config's ``data`` section.

    ``data`` has ``name``, ``seed`` (the generated 12-bit task's labels), ``path``
    (a local file; empty: none), ``test_fraction`` and ``split_seed``. MNIST keeps its
    own training and test files (``test_fraction`` and ``split_seed`` are unused);
    other datasets are split at random (:func:`infojax.data.train_test_split`).

    Raises:
      ConfigError: the dataset cannot be loaded or split (the loader's message).
    """
    options = {}
    if data.name == "twelve_bit":
        options["seed"] = data.seed
    if data.path:
        options["path"] = data.path
    try:
        if data.name == "mnist":
            train = _data.load_dataset("mnist", split="train", **options)
            test = _data.load_dataset("mnist", split="test", **options)
            full = _data.Dataset(
                np.concatenate([train.x, test.x]), np.concatenate([train.y, test.y])
            )
            return train, test, full
        full = _data.load_dataset(data.name, **options)
        train, test = _data.train_test_split(
            full, test_fraction=data.test_fraction, seed=data.split_seed
        )
    except (OSError, ValueError) as error:
        raise ConfigError(f"Invalid config: `data`: {error}") from None
    return train, test, full


def data_information(x: np.ndarray, y: np.ndarray) -> float:
    """Exact ``I(X;Y)`` in bits of the empirical distribution of rows ``x`` and labels ``y``.

    Every row is one equiprobable sample; repeated rows pool their labels.
    """
    _, rows = np.unique(np.asarray(x), axis=0, return_inverse=True)
    rows = rows.reshape(-1)
    labels = np.asarray(y).reshape(-1)
    joint = np.zeros((rows.max() + 1, labels.max() + 1))
    np.add.at(joint, (rows, labels), 1.0)
    joint /= joint.sum()
    outer = joint.sum(1, keepdims=True) * joint.sum(0, keepdims=True)
    positive = joint > 0
    return float(np.sum(joint[positive] * np.log2(joint[positive] / outer[positive])))


def label_entropy(y: np.ndarray) -> float:
    """``H(Y)`` in bits of the empirical label distribution."""
    counts = np.bincount(np.asarray(y).reshape(-1))
    p = counts[counts > 0] / counts.sum()
    return float(-np.sum(p * np.log2(p)))
