"""Loaders for datasets on the local disk and shipped with scikit-learn. No downloads."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from infojax.data._dataset import Dataset

MNIST_SPLITS = ("train", "test", "all")

# IDX file names of the MNIST distribution, per split: (images, labels).
_IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# IDX type codes (third byte of the magic number) and their big-endian NumPy dtypes.
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _existing_path(path: str | os.PathLike, what: str) -> Path:
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{what} not found at {str(path)!r} (no downloads are made).")
    return path


def load_var_u(path: str | os.PathLike) -> Dataset:
    """The 12-bit task from the ``var_u.mat`` file of the reference code.

    The file (MATLAB format, read with ``scipy.io.loadmat``) holds ``F``, one binary
    pattern per row (4096 x 12 in the original), and ``y``, the labels (1 x 4096).
    :func:`twelve_bit_task` generates the same data without the file.

    Args:
        path: path of the ``.mat`` file.

    Returns:
        A :class:`Dataset` with ``x = F`` as float32 of shape ``(n, d)`` and ``y`` as
        int32 of shape ``(n,)``.

    Raises:
        FileNotFoundError: if there is no file at ``path``.
        ValueError: if the file lacks ``F`` or ``y`` or their shapes disagree.

    References:
        A. M. Saxe et al., "On the information bottleneck theory of deep learning",
        ICLR 2018, https://openreview.net/forum?id=ry_WPG-A-.
    """
    from scipy.io import loadmat

    path = _existing_path(path, "var_u.mat file")
    contents = loadmat(path)
    missing = [key for key in ("F", "y") if key not in contents]
    if missing:
        raise ValueError(f"{str(path)!r} lacks the variable(s) {missing}; expected F and y.")
    patterns = np.asarray(contents["F"])
    labels = np.asarray(contents["y"]).ravel()
    if patterns.ndim != 2 or labels.shape[0] != patterns.shape[0]:
        raise ValueError(
            f"{str(path)!r}: F must be (n, d) and y hold n labels, got F of shape "
            f"{patterns.shape} and y of shape {contents['y'].shape}."
        )
    return Dataset(patterns.astype(np.float32), labels.astype(np.int32))


def load_digits() -> Dataset:
    """scikit-learn's handwritten digits: 1797 images of 8 x 8 pixels, 10 classes.

    The data ship with scikit-learn (``sklearn.datasets.load_digits``, a copy of the
    test set of the UCI optical digits), so nothing is downloaded. Pixel values 0..16
    are scaled to [0, 1].

    Returns:
        A :class:`Dataset` with ``x`` float32 of shape ``(1797, 64)`` in [0, 1] and
        ``y`` int32 of shape ``(1797,)`` in 0..9.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise ImportError("load_digits needs scikit-learn: pip install scikit-learn") from error
    digits = sklearn_load_digits()
    return Dataset(
        (digits.data / 16.0).astype(np.float32), np.asarray(digits.target, dtype=np.int32)
    )


def _read_idx(path: Path) -> np.ndarray:
    """An array from an IDX file (the MNIST format), gzip-compressed when ``.gz``."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        content = file.read()
    if len(content) < 4 or content[0] != 0 or content[1] != 0 or content[2] not in _IDX_DTYPES:
        raise ValueError(f"{str(path)!r} is not an IDX file (bad magic number).")
    dtype = _IDX_DTYPES[content[2]]
    ndim = content[3]
    header = 4 + 4 * ndim
    if len(content) < header:
        raise ValueError(f"{str(path)!r}: IDX header of {ndim} sizes is cut short.")
    shape = tuple(int(n) for n in np.frombuffer(content[4:header], dtype=">u4"))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(content) != expected:
        raise ValueError(
            f"{str(path)!r}: an IDX file of shape {shape} and dtype {dtype} has "
            f"{expected} bytes, found {len(content)}."
        )
    return np.frombuffer(content, dtype=dtype, offset=header).reshape(shape)


def _find_idx(directory: Path, name: str) -> Path:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"Neither {name!r} nor {name + '.gz'!r} found in {str(directory)!r} "
        "(no downloads are made)."
    )


def _mnist_split(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    if path.is_dir():
        images_name, labels_name = _IDX_NAMES[split]
        images = _read_idx(_find_idx(path, images_name))
        labels = _read_idx(_find_idx(path, labels_name))
    else:
        with np.load(path, allow_pickle=False) as archive:
            keys = (f"x_{split}", f"y_{split}")
            missing = [key for key in keys if key not in archive.files]
            if missing:
                raise ValueError(
                    f"{str(path)!r} lacks {missing}; an MNIST .npz holds x_train, y_train, "
                    f"x_test and y_test (found {sorted(archive.files)})."
                )
            images, labels = archive[keys[0]], archive[keys[1]]
    if images.dtype != np.uint8:
        raise ValueError(f"MNIST images in {str(path)!r} must be uint8, got {images.dtype}.")
    if labels.ndim != 1 or images.ndim < 2 or images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"MNIST {split} split in {str(path)!r}: images of shape {images.shape} do not "
            f"match labels of shape {labels.shape}."
        )
    return images.reshape(images.shape[0], -1), labels


def load_mnist(path: str | os.PathLike, *, split: str = "train") -> Dataset:
    """MNIST (or any dataset in its format) from local files; nothing is downloaded.

    ``path`` is either

    * an ``.npz`` archive with arrays ``x_train`` (n, 28, 28) uint8, ``y_train`` (n,),
      ``x_test`` and ``y_test``, as Keras' ``mnist.npz``; or
    * a directory holding the IDX files ``train-images-idx3-ubyte``,
      ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
      ``t10k-labels-idx1-ubyte``, each optionally gzip-compressed (``.gz``).

    Fashion-MNIST and KMNIST come in the same formats and load the same way.

    Args:
        path: the ``.npz`` file or the directory of IDX files.
        split: ``"train"``, ``"test"`` or ``"all"`` (training then test examples).

    Returns:
        A :class:`Dataset` with ``x`` float32 of shape ``(n, height * width)``, pixels
        scaled from 0..255 to [0, 1], and ``y`` int32 of shape ``(n,)``.

    Raises:
        FileNotFoundError: if ``path`` or one of the IDX files does not exist.
        ValueError: for an unknown ``split`` or malformed files.
    """
    if split not in MNIST_SPLITS:
        raise ValueError(f"`split` must be one of {MNIST_SPLITS}, got {split!r}.")
    path = _existing_path(path, "MNIST data (.npz file or directory of IDX files)")
    if not path.is_dir() and path.suffix != ".npz":
        raise ValueError(
            f"`path` must be an .npz file or a directory of IDX files, got {str(path)!r}."
        )
    parts = [
        _mnist_split(path, part) for part in (("train", "test") if split == "all" else (split,))
    ]
    images = np.concatenate([images for images, _ in parts])
    labels = np.concatenate([labels for _, labels in parts])
    return Dataset((images / 255.0).astype(np.float32), labels.astype(np.int32))
