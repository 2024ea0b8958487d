"""Tests of infojax.data: the 12-bit task, file loaders, splits, datasets by name."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from reference import spherical_power_spectrum_reference
from scipy.special import expit
from scipy.stats import ortho_group

from infojax.data import DATASET_NAMES
from infojax.data import Dataset
from infojax.data import load_dataset
from infojax.data import load_digits
from infojax.data import load_mnist
from infojax.data import load_var_u
from infojax.data import train_test_split
from infojax.data import twelve_bit_task
from infojax.data._twelve_bit import SPHERE_POINTS
from infojax.data._twelve_bit import all_binary_patterns
from infojax.data._twelve_bit import balanced_threshold
from infojax.data._twelve_bit import sphere_score
from infojax.measures import mutual_information

VAR_U_PATH = Path(__file__).parents[2] / "shared/data/var_u.mat"
needs_var_u = pytest.mark.skipif(not VAR_U_PATH.is_file(), reason=f"{VAR_U_PATH} absent")

# Facts about var_u.mat from /work/shared/data/README.md, computed from the original
# file, not from this code: positives per number of ones, and I(X;Y) in bits.
POSITIVES_BY_ONES = {5: (60, 792), 6: (532, 924), 7: (732, 792)}
VAR_U_POSITIVES = 2118
VAR_U_MUTUAL_INFORMATION_BITS = 0.99916


def binary_entropy_bits(p):
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def check_twelve_bit_statistics(dataset):
    ones = dataset.x.sum(axis=1).astype(int)
    assert (dataset.y[ones <= 4] == 0).all()
    assert (dataset.y[ones >= 8] == 1).all()
    for count, (positives, total) in POSITIVES_BY_ONES.items():
        assert (ones == count).sum() == total
        assert dataset.y[ones == count].sum() == positives
    assert dataset.y.sum() == VAR_U_POSITIVES


# --- the 12-bit task ---


def test_twelve_bit_inputs_are_every_pattern_in_binary_order():
    task = twelve_bit_task()
    assert task.x.dtype == np.float32 and task.x.shape == (4096, 12)
    assert task.y.dtype == np.int32 and task.y.shape == (4096,)
    assert set(np.unique(task.x)) == {0.0, 1.0} and set(np.unique(task.y)) == {0, 1}
    # Row i read as a binary number, most significant bit first, is i.
    assert (task.x @ 2.0 ** np.arange(11, -1, -1) == np.arange(4096)).all()
    assert task.num_classes == 2


def test_twelve_bit_statistics_match_the_published_task():
    task = twelve_bit_task()
    check_twelve_bit_statistics(task)
    # Uniform x, deterministic y: I(X;Y) = H(Y). The joint table is exact, and the
    # README's value is given to 5 decimals, hence the 5e-6 tolerance.
    joint = np.zeros((4096, 2))
    joint[np.arange(4096), task.y] = 1 / 4096
    information = float(mutual_information(joint, base=2))
    assert information == pytest.approx(VAR_U_MUTUAL_INFORMATION_BITS, abs=5e-6)
    # In the default float32 the 8192-cell table sums to H(Y) within rounding (measured
    # 5.3e-7 bits), hence 2e-6.
    assert information == pytest.approx(binary_entropy_bits(VAR_U_POSITIVES / 4096), abs=2e-6)


def test_sphere_points_are_the_icosahedron():
    dots = SPHERE_POINTS @ SPHERE_POINTS.T
    np.testing.assert_allclose(np.diag(dots), 1.0, atol=1e-12)
    off_diagonal = np.sort(dots[~np.eye(12, dtype=bool)].reshape(12, 11), axis=1)
    # Each point: one antipode, five at -1/sqrt(5), five neighbours at +1/sqrt(5).
    expected = np.array([-1.0] + [-(5**-0.5)] * 5 + [5**-0.5] * 5)
    np.testing.assert_allclose(off_diagonal, np.broadcast_to(expected, (12, 11)), atol=1e-12)


def test_sphere_score_is_the_power_spectrum_of_the_pattern():
    patterns = all_binary_patterns()[::7]
    spectrum = spherical_power_spectrum_reference(patterns, SPHERE_POINTS, max_degree=1)
    expected = np.sqrt(spectrum[:, 0]) + np.sqrt(np.maximum(spectrum[:, 1], 0.0))
    # Float64 sums of 12 spherical harmonics: rounding well below 1e-9.
    np.testing.assert_allclose(sphere_score(patterns), expected, atol=1e-9)


def test_sphere_score_and_labels_are_rotation_invariant():
    patterns = all_binary_patterns()
    rotation = ortho_group.rvs(3, random_state=0)
    rotated = sphere_score(patterns, SPHERE_POINTS @ rotation.T)
    np.testing.assert_allclose(rotated, sphere_score(patterns), atol=1e-9)
    # The labels are one function of the power spectrum: constant on each of the 64
    # classes of patterns with equal spectra (the paper's "64 disjoint orbits"). On the
    # icosahedron bands 0..2 fix the number of ones and of neighbour, second-neighbour
    # and antipodal pairs, hence the whole spectrum.
    spectrum = spherical_power_spectrum_reference(patterns, SPHERE_POINTS, max_degree=2)
    classes, class_index = np.unique(np.round(spectrum, 6), axis=0, return_inverse=True)
    assert len(classes) == 64
    labels = twelve_bit_task().y
    for index in range(len(classes)):
        assert len(np.unique(labels[class_index.ravel() == index])) == 1


def test_balanced_threshold_is_closest_to_one_half():
    scores = np.array([0.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 5.0])
    # Above 2.5: 4/8 exactly.
    assert balanced_threshold(scores) == pytest.approx(2.5)


def test_twelve_bit_is_deterministic_and_seeded():
    first = twelve_bit_task(seed=3, gain=10.0)
    again = twelve_bit_task(seed=3, gain=10.0)
    other = twelve_bit_task(seed=4, gain=10.0)
    np.testing.assert_array_equal(first.y, again.y)
    np.testing.assert_array_equal(first.x, again.x)
    assert (first.y != other.y).any()
    np.testing.assert_array_equal(twelve_bit_task(seed=0).y, twelve_bit_task(seed=9).y)


def test_twelve_bit_noise_flips_labels_at_the_sigmoid_rate():
    gain = 10.0
    # The threshold written out (midpoint of the scores 7.5628 and 7.7013 of the two
    # classes nearest one half), so the expected flip rate does not reuse the code.
    margin = sphere_score(all_binary_patterns()) - 7.6320395
    hard = margin > 0
    flip_probability = np.where(hard, expit(-gain * margin), expit(gain * margin))
    flips = np.array([(twelve_bit_task(seed=s, gain=gain).y != hard).sum() for s in range(5)])
    expected = flip_probability.sum()
    standard_error = np.sqrt((flip_probability * (1 - flip_probability)).sum() / 5)
    # Mean of 5 independent draws of a sum of Bernoullis: within 4 standard errors.
    assert abs(flips.mean() - expected) < 4 * standard_error


@pytest.mark.parametrize("gain", [0.0, -1.0, float("inf"), float("nan")])
def test_twelve_bit_rejects_bad_gain(gain):
    with pytest.raises(ValueError, match="gain"):
        twelve_bit_task(gain=gain)


def test_twelve_bit_rejects_bad_seed():
    with pytest.raises(TypeError, match="seed"):
        twelve_bit_task(seed=1.5)


@needs_var_u
def test_twelve_bit_reproduces_var_u_file():
    original = load_var_u(VAR_U_PATH)
    assert original.x.shape == (4096, 12) and original.y.shape == (4096,)
    check_twelve_bit_statistics(original)
    generated = twelve_bit_task()
    np.testing.assert_array_equal(generated.x, original.x)
    np.testing.assert_array_equal(generated.y, original.y)


# --- file loaders ---


def test_load_var_u_reads_small_file(tmp_path):
    patterns = np.array([[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 0]], dtype=np.uint8)
    labels = np.array([[0, 1, 1, 0]], dtype=np.uint8)
    path = tmp_path / "small.mat"
    scipy.io.savemat(path, {"F": patterns, "y": labels})
    dataset = load_var_u(path)
    assert isinstance(dataset, Dataset)
    assert dataset.x.dtype == np.float32 and dataset.y.dtype == np.int32
    np.testing.assert_array_equal(dataset.x, patterns)
    np.testing.assert_array_equal(dataset.y, labels.ravel())


def test_load_var_u_errors(tmp_path):
    missing = tmp_path / "absent.mat"
    with pytest.raises(FileNotFoundError, match=r"absent\.mat"):
        load_var_u(missing)
    path = tmp_path / "no_labels.mat"
    scipy.io.savemat(path, {"F": np.zeros((3, 2))})
    with pytest.raises(ValueError, match="'y'"):
        load_var_u(path)
    scipy.io.savemat(path, {"F": np.zeros((3, 2)), "y": np.zeros((1, 4))})
    with pytest.raises(ValueError, match="shape"):
        load_var_u(path)


def test_load_digits_scaled_to_unit_interval():
    from sklearn.datasets import load_digits as sklearn_load_digits

    digits = load_digits()
    reference = sklearn_load_digits()
    assert digits.x.shape == (1797, 64) and digits.x.dtype == np.float32
    assert digits.y.dtype == np.int32 and digits.num_classes == 10
    assert digits.x.min() == 0.0 and digits.x.max() == 1.0
    np.testing.assert_allclose(digits.x, reference.data / 16.0, rtol=1e-7)
    np.testing.assert_array_equal(digits.y, reference.target)


def tiny_mnist(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, size=(5, 4, 3), dtype=np.uint8),
        "y_train": rng.integers(0, 10, size=5).astype(np.uint8),
        "x_test": rng.integers(0, 256, size=(2, 4, 3), dtype=np.uint8),
        "y_test": rng.integers(0, 10, size=2).astype(np.uint8),
    }


def write_idx(path, array):
    """IDX format: two zero bytes, type 0x08 (ubyte), ndim, big-endian uint32 sizes."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    content = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as file:
        file.write(content)


def write_idx_directory(directory, arrays, suffix=""):
    directory.mkdir()
    names = {
        "x_train": "train-images-idx3-ubyte",
        "y_train": "train-labels-idx1-ubyte",
        "x_test": "t10k-images-idx3-ubyte",
        "y_test": "t10k-labels-idx1-ubyte",
    }
    for key, name in names.items():
        write_idx(directory / (name + suffix), arrays[key])


def expected_split(arrays, split):
    parts = ("train", "test") if split == "all" else (split,)
    x = np.concatenate([arrays[f"x_{p}"].reshape(len(arrays[f"x_{p}"]), -1) for p in parts])
    y = np.concatenate([arrays[f"y_{p}"] for p in parts])
    return x / 255.0, y


@pytest.mark.parametrize("split", ["train", "test", "all"])
def test_load_mnist_npz(tmp_path, split):
    arrays = tiny_mnist()
    path = tmp_path / "mnist.npz"
    np.savez(path, **arrays)
    dataset = load_mnist(path, split=split)
    x, y = expected_split(arrays, split)
    assert dataset.x.dtype == np.float32 and dataset.y.dtype == np.int32
    # float32 of k / 255: within one float32 rounding.
    np.testing.assert_allclose(dataset.x, x, rtol=1e-7)
    np.testing.assert_array_equal(dataset.y, y)


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("split", ["train", "test", "all"])
def test_load_mnist_idx(tmp_path, suffix, split):
    arrays = tiny_mnist(seed=1)
    write_idx_directory(tmp_path / "mnist", arrays, suffix)
    dataset = load_mnist(tmp_path / "mnist", split=split)
    x, y = expected_split(arrays, split)
    assert dataset.x.shape == (len(y), 12)
    np.testing.assert_allclose(dataset.x, x, rtol=1e-7)
    np.testing.assert_array_equal(dataset.y, y)


def test_load_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_mnist(tmp_path / "nowhere.npz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path / "empty")
    arrays = tiny_mnist()
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=arrays["x_train"], y_train=arrays["y_train"])
    with pytest.raises(ValueError, match="x_test"):
        load_mnist(path, split="test")
    with pytest.raises(ValueError, match="split"):
        load_mnist(path, split="validation")
    np.savez(path, x_train=arrays["x_train"], y_train=arrays["y_train"][:3])
    with pytest.raises(ValueError, match="do not match"):
        load_mnist(path)
    text = tmp_path / "mnist.txt"
    text.write_text("not data")
    with pytest.raises(ValueError, match="npz"):
        load_mnist(text)
    write_idx_directory(tmp_path / "bad", arrays)
    (tmp_path / "bad" / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00")
    with pytest.raises(ValueError, match="IDX"):
        load_mnist(tmp_path / "bad")
    (tmp_path / "bad" / "train-labels-idx1-ubyte").write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match="magic"):
        load_mnist(tmp_path / "bad")


# --- train / test split ---


def test_train_test_split_partitions_deterministically():
    dataset = Dataset(np.arange(4096, dtype=np.float32)[:, None], np.arange(4096) % 2)
    train, test = train_test_split(dataset, test_fraction=0.2, seed=0)
    assert (len(train.y), len(test.y)) == (3277, 819)
    indices = np.concatenate([train.x[:, 0], test.x[:, 0]]).astype(int)
    np.testing.assert_array_equal(np.sort(indices), np.arange(4096))
    # Rows stay paired and in their original order.
    np.testing.assert_array_equal(train.y, train.x[:, 0].astype(int) % 2)
    assert (np.diff(train.x[:, 0]) > 0).all() and (np.diff(test.x[:, 0]) > 0).all()
    again, _ = train_test_split(dataset, test_fraction=0.2, seed=0)
    np.testing.assert_array_equal(again.x, train.x)
    other, _ = train_test_split(dataset, test_fraction=0.2, seed=1)
    assert not np.array_equal(other.x, train.x)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1e-6, 0.9999999])
def test_train_test_split_rejects_bad_fraction(fraction):
    dataset = Dataset(np.zeros((10, 2), np.float32), np.zeros(10, np.int32))
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(dataset, test_fraction=fraction)


def test_train_test_split_rejects_mismatched_dataset():
    with pytest.raises(ValueError, match="dataset"):
        train_test_split(Dataset(np.zeros((10, 2)), np.zeros(9)))
    with pytest.raises(TypeError, match="dataset"):
        train_test_split(np.zeros((10, 2)))


# --- datasets by name ---


def test_load_dataset_by_name(tmp_path):
    assert DATASET_NAMES == ("twelve_bit", "digits", "mnist")
    np.testing.assert_array_equal(
        load_dataset("twelve_bit", seed=2, gain=5.0).y, twelve_bit_task(seed=2, gain=5.0).y
    )
    np.testing.assert_array_equal(load_dataset("twelve_bit", path=None).y, twelve_bit_task().y)
    mat = tmp_path / "small.mat"
    scipy.io.savemat(mat, {"F": np.eye(3, dtype=np.uint8), "y": np.array([[0, 1, 1]])})
    np.testing.assert_array_equal(load_dataset("twelve_bit", path=mat, seed=0).y, [0, 1, 1])
    assert load_dataset("digits").x.shape == (1797, 64)
    npz = tmp_path / "mnist.npz"
    np.savez(npz, **tiny_mnist())
    assert load_dataset("mnist", path=npz, split="test").x.shape == (2, 12)


def test_load_dataset_errors(tmp_path):
    with pytest.raises(ValueError, match=r"Unknown dataset 'cifar'.*twelve_bit"):
        load_dataset("cifar")
    with pytest.raises(ValueError, match=r"'sed'.*seed"):
        load_dataset("twelve_bit", sed=1)
    with pytest.raises(ValueError, match="path"):
        load_dataset("mnist")
    with pytest.raises(ValueError, match="gain"):
        load_dataset("twelve_bit", path=tmp_path / "x.mat", gain=2.0)
    with pytest.raises(ValueError, match="Unknown option"):
        load_dataset("digits", seed=0)
