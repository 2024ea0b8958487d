"""Datasets by name, for configs: ``load_dataset("twelve_bit", seed=0)``."""

from __future__ import annotations

from infojax.data._dataset import Dataset
from infojax.data._files import load_digits
from infojax.data._files import load_mnist
from infojax.data._files import load_var_u
from infojax.data._twelve_bit import twelve_bit_task


def _twelve_bit(*, seed: int = 0, gain: float | None = None, path=None) -> Dataset:
    if path is None:
        return twelve_bit_task(seed=seed, gain=gain)
    if gain is not None:
        raise ValueError(
            "Dataset 'twelve_bit': `gain` applies to the generated task, not to `path`."
        )
    return load_var_u(path)


def _mnist(*, path=None, split: str = "train") -> Dataset:
    if path is None:
        raise ValueError(
            "Dataset 'mnist' needs the option `path` (an .npz file or a directory of IDX "
            "files); nothing is downloaded."
        )
    return load_mnist(path, split=split)


# name -> (loader, the options it accepts)
_LOADERS = {
    "twelve_bit": (_twelve_bit, ("seed", "gain", "path")),
    "digits": (load_digits, ()),
    "mnist": (_mnist, ("path", "split")),
}

DATASET_NAMES = tuple(_LOADERS)


def load_dataset(name: str, **options) -> Dataset:
    """A dataset by name, with its options as keywords (the entry point for configs).

    ==============  ==================================================================
    name            options
    ==============  ==================================================================
    ``twelve_bit``  ``seed=0``, ``gain=None`` (see :func:`twelve_bit_task`);
                    ``path=None``: with a path, the task is read from that
                    ``var_u.mat`` instead (:func:`load_var_u`; ``seed`` is unused)
    ``digits``      none (:func:`load_digits`)
    ``mnist``       ``path`` (required), ``split="train"`` (:func:`load_mnist`)
    ==============  ==================================================================

    Args:
        name: one of :data:`DATASET_NAMES`.
        **options: the options of that dataset, as in the table.

    Returns:
        A :class:`Dataset` (NumPy arrays: ``x`` float32 (n, d), ``y`` int32 (n,)).

    Raises:
        ValueError: for an unknown name or option, naming the known ones.

    Example:
        >>> from infojax.data import load_dataset
        >>> load_dataset("twelve_bit", seed=0).x.shape
        (4096, 12)
    """
    if name not in _LOADERS:
        raise ValueError(f"Unknown dataset {name!r}; known datasets: {list(DATASET_NAMES)}.")
    loader, accepted = _LOADERS[name]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(
            f"Unknown option(s) {unknown} for dataset {name!r}; it accepts {list(accepted)}."
        )
    return loader(**options)
