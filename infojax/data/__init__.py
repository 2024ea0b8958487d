"""Datasets: the 12-bit task of the information-plane papers, scikit-learn's digits,
and MNIST-format or ``var_u.mat`` files from a local path. Nothing is downloaded.

Every loader returns a :class:`Dataset` of NumPy arrays: ``x`` float32 (n, d) and
``y`` int32 (n,).
"""

from infojax.data._by_name import DATASET_NAMES
from infojax.data._by_name import load_dataset
from infojax.data._dataset import Dataset
from infojax.data._dataset import train_test_split
from infojax.data._files import load_digits
from infojax.data._files import load_mnist
from infojax.data._files import load_var_u
from infojax.data._twelve_bit import twelve_bit_task

__all__ = [
    "DATASET_NAMES",
    "Dataset",
    "load_dataset",
    "load_digits",
    "load_mnist",
    "load_var_u",
    "train_test_split",
    "twelve_bit_task",
]
