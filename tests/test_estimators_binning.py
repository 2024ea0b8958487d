"""Binned entropy and I(T;Y) against a plain NumPy version (np.digitize + np.unique)."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference

from infojax.estimators import binned_entropy
from infojax.estimators import binned_information_plane
from infojax.estimators import binned_mutual_information
from infojax.estimators import get_estimator
from infojax.estimators import histogram_mutual_information

N, D = 512, 4

BINNINGS = (
    {"n_bins": 30},
    {"n_bins": 30, "value_range": (-1.0, 1.0)},
    {"n_bins": 7, "value_range": ([-1.0, -0.5, 0.0, -2.0], [1.0, 0.5, 1.0, 2.0])},
    {"bin_width": 0.07, "value_range": (-1.0, 1.0)},
    {"bin_width": 0.25},
    {"n_bins": 5, "equal_mass": True},
)


def layer(seed, n=N, d=D):
    """tanh activations: bounded like the information-plane layers, with spread scales."""
    rng = np.random.default_rng(seed)
    return np.tanh(rng.normal(size=(n, d)) * np.linspace(0.5, 3.0, d))


# The reference bins the float64 values: in float32 a value within rounding of a bin edge
# could fall into the neighbouring bin, so the same-symbols comparison runs with x64.
@pytest.mark.float64
@pytest.mark.parametrize("binning", BINNINGS, ids=lambda b: "-".join(map(str, b)))
def test_matches_numpy_digitize_and_unique(binning):
    t = layer(0)
    labels = np.random.default_rng(1).integers(0, 10, N)
    # Same bins and the same plug-in formula; only summation order differs.
    np.testing.assert_allclose(
        binned_entropy(t, **binning), reference.binned_entropy_reference(t, **binning), rtol=1e-12
    )
    np.testing.assert_allclose(
        binned_mutual_information(t, labels, **binning),
        reference.binned_mutual_information_reference(t, labels, **binning),
        rtol=1e-12,
        atol=1e-14,
    )


def test_information_plane_pair_equals_the_two_estimators():
    t = layer(7)
    labels = np.random.default_rng(8).integers(0, 10, N)
    options = {"n_bins": 30, "value_range": (-1.0, 1.0), "base": 2}
    i_xt, i_ty = jax.jit(functools.partial(binned_information_plane, **options))(t, labels)
    # The same sorted symbols: agreement to rounding.
    np.testing.assert_allclose(i_xt, binned_entropy(t, **options), rtol=1e-12)
    np.testing.assert_allclose(i_ty, binned_mutual_information(t, labels, **options), rtol=1e-12)


def test_default_is_30_bins_on_observed_range_and_base_2():
    t = layer(2)
    want = reference.binned_entropy_reference(t, n_bins=30) / np.log(2)
    np.testing.assert_allclose(binned_entropy(t, base=2), want, rtol=1e-12)


def test_closed_forms():
    n = 256
    # Every input in its own bin: H = I(X;T) = log n for n equiprobable inputs.
    separated = np.arange(n, dtype=np.float64)[:, None]
    # Default float32: log(256) from 256 rounded terms, measured 3e-9 relative off.
    np.testing.assert_allclose(binned_entropy(separated, n_bins=n), np.log(n), rtol=1e-6)
    # One bin (or a constant layer): zero.
    assert float(binned_entropy(separated, n_bins=1)) == 0.0
    assert float(binned_entropy(np.full((n, 3), 0.3))) == 0.0
    # T a noisy code of 4 equiprobable labels whose bins never overlap: I(T;Y) = log 4.
    labels = np.repeat(np.arange(4), n // 4)
    t = labels[:, None] + 0.1 * np.random.default_rng(3).random((n, 2))
    np.testing.assert_allclose(
        binned_mutual_information(t, labels, bin_width=0.5), np.log(4), rtol=1e-6
    )
    # T independent of the labels and in a single bin: I(T;Y) = 0.
    assert float(binned_mutual_information(t, labels, n_bins=1)) == 0.0


def test_values_outside_range_go_to_edge_bins():
    t = np.array([[-5.0], [-1.0], [0.0], [0.99], [1.0], [7.0]])
    # Bins [-1, 0) and [0, 1]: {-5, -1} | {0, 0.99, 1, 7} -> entropy of (2, 4).
    want = -(1 / 3) * np.log(1 / 3) - (2 / 3) * np.log(2 / 3)
    np.testing.assert_allclose(binned_entropy(t, n_bins=2, value_range=(-1, 1)), want)


# The reference bins the float64 values: in float32 a value within rounding of a bin edge
# could fall into the neighbouring bin, so the same-symbols comparison runs with x64.
@pytest.mark.float64
def test_jit_and_vmap_over_seeds():
    t = np.stack([layer(seed, n=256, d=3) for seed in range(5)])
    labels = np.random.default_rng(4).integers(0, 3, (5, 256))
    options = {"n_bins": 12, "value_range": (-1.0, 1.0)}
    entropies = jax.jit(jax.vmap(functools.partial(binned_entropy, **options)))(t)
    information = jax.vmap(functools.partial(binned_mutual_information, **options))(t, labels)
    for i in range(5):
        np.testing.assert_allclose(
            entropies[i], reference.binned_entropy_reference(t[i], **options), rtol=1e-12
        )
        np.testing.assert_allclose(
            information[i],
            reference.binned_mutual_information_reference(t[i], labels[i], **options),
            rtol=1e-12,
            atol=1e-14,
        )
    # Binning is piecewise constant: the gradient exists and is zero.
    gradient = jax.grad(functools.partial(binned_entropy, **options))(t[0])
    assert np.all(np.asarray(gradient) == 0)
    # value_range=None under vmap: each seed's own observed range.
    own_range = jax.vmap(functools.partial(binned_entropy, n_bins=12))(t)
    np.testing.assert_allclose(
        own_range, [reference.binned_entropy_reference(ti, n_bins=12) for ti in t], rtol=1e-12
    )


# float64 inputs must give a float64 result.
@pytest.mark.float64
def test_dtype_follows_input():
    t = layer(5)
    labels = np.arange(N) % 2
    for dtype in (np.float32, np.float64):
        for binning in ({"n_bins": 10}, {"n_bins": 5, "equal_mass": True}):
            # Bins come from the float32 values themselves, so the reference on the same
            # float32 inputs gives the same symbols; only the float32 sum differs (~1e-6).
            t_typed = t.astype(dtype)
            value = binned_mutual_information(t_typed, labels, **binning)
            assert value.dtype == dtype
            want = reference.binned_mutual_information_reference(t_typed, labels, **binning)
            np.testing.assert_allclose(value, want, rtol=1e-5 if dtype == np.float32 else 1e-12)
    assert binned_entropy(np.arange(10)).dtype == jnp.result_type(float)


def test_bad_inputs_raise_clear_errors():
    t = layer(6, n=20)
    labels = np.arange(20) % 2
    with pytest.raises(ValueError, match="at most one of `n_bins` and `bin_width`"):
        binned_entropy(t, n_bins=10, bin_width=0.1)
    with pytest.raises(ValueError, match="`n_bins`"):
        binned_entropy(t, n_bins=0)
    with pytest.raises(ValueError, match="`bin_width`"):
        binned_entropy(t, bin_width=-0.1)
    with pytest.raises(ValueError, match="`equal_mass=True` needs `n_bins`"):
        binned_entropy(t, bin_width=0.1, equal_mass=True)
    with pytest.raises(ValueError, match="`value_range`"):
        binned_entropy(t, equal_mass=True, value_range=(-1, 1))
    with pytest.raises(ValueError, match="`value_range`"):
        binned_entropy(t, value_range=(1, -1))
    with pytest.raises(ValueError, match="`value_range`"):
        binned_entropy(t, value_range=(0, np.inf))
    with pytest.raises(ValueError, match="`t` contains NaN"):
        binned_entropy(np.where(t > 0.5, np.nan, t))
    with pytest.raises(ValueError, match="`t` contains inf"):
        binned_mutual_information(np.where(t > 0.5, np.inf, t), labels)
    with pytest.raises(TypeError, match="`labels`"):
        binned_mutual_information(t, labels.astype(float))
    with pytest.raises(ValueError, match="same number of rows"):
        binned_mutual_information(t, labels[:10])


def test_registry_entries():
    spec = get_estimator("binning")
    assert spec.fn is binned_mutual_information
    assert (spec.quantity, spec.inputs) == ("mutual_information", "mixed")
    assert spec.bind(bin_width=0.07).keywords["bin_width"] == 0.07
    assert get_estimator("binning_entropy").fn is binned_entropy


# --- histogram MI of two continuous variables ------------------------------------


def continuous_pair(seed, n, d_x, d_y):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d_x))
    y = np.tanh(x[:, :1]) + 0.5 * rng.normal(size=(n, d_y))
    return x, y


@pytest.mark.float64  # a float64 NumPy reference at 1e-12
@pytest.mark.parametrize(
    ("d_x", "d_y", "n_bins", "equal_mass"),
    [(1, 1, 10, False), (1, 1, 8, True), (2, 1, 7, False), (2, 2, 5, True), (1, 3, 4, False)],
)
def test_histogram_mi_matches_numpy_histogramdd(d_x, d_y, n_bins, equal_mass):
    x, y = continuous_pair(10 * d_x + d_y, 600, d_x, d_y)
    # Same bins (no sample lies within rounding of an interior edge) and the same
    # plug-in formula; only summation order differs.
    np.testing.assert_allclose(
        histogram_mutual_information(x, y, n_bins=n_bins, equal_mass=equal_mass),
        reference.histogram_mutual_information_reference(x, y, n_bins, equal_mass),
        rtol=1e-12,
    )


@pytest.mark.float64  # a float64 NumPy reference at 1e-12
def test_histogram_mi_default_bins_rule():
    # max(2, floor((n / 5) ** (1 / (d_x + d_y)))): 10 for n = 500 scalars, 4 for d = 3.
    for d_y, bins in ((1, 10), (2, 4)):
        x, y = continuous_pair(20, 500, 1, d_y)
        np.testing.assert_allclose(
            histogram_mutual_information(x, y),
            reference.histogram_mutual_information_reference(x, y, bins),
            rtol=1e-12,
        )
    x, y = continuous_pair(21, 8, 1, 1)
    np.testing.assert_allclose(
        histogram_mutual_information(x, y, base=2),
        reference.histogram_mutual_information_reference(x, y, 2) / np.log(2),
        rtol=1e-12,
    )


@pytest.mark.float64  # a float64 NumPy reference at 1e-12
def test_histogram_mi_closed_forms():
    rng = np.random.default_rng(22)
    x = rng.uniform(size=2000)
    # y = x: the two sides get the same bins, so I = H(bins of x), log 20 up to the
    # sampling error of 20 equal-probability bins.
    copy = float(histogram_mutual_information(x, x))
    np.testing.assert_allclose(copy, reference.binned_entropy_reference(x, n_bins=20), rtol=1e-12)
    assert abs(copy - np.log(20)) < 0.01
    # Independent: only the plug-in bias, about (20 - 1)^2 / (2 n) = 0.090 nats here.
    independent = float(histogram_mutual_information(x, rng.uniform(size=2000)))
    assert 0.05 < independent < 0.13, independent
    # Invariant under strictly increasing maps when the bins are equal-mass.
    y = x + 0.3 * rng.normal(size=2000)
    np.testing.assert_allclose(
        histogram_mutual_information(np.exp(x), y**3, equal_mass=True),
        histogram_mutual_information(x, y, equal_mass=True),
        rtol=1e-12,
    )


@pytest.mark.float64  # a float64 NumPy reference at 1e-12
def test_histogram_mi_jit_vmap_dtype_and_bad_input():
    pairs = [continuous_pair(seed, 300, 1, 1) for seed in range(3)]
    xs, ys = np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
    batched = jax.jit(jax.vmap(histogram_mutual_information))(xs, ys)
    expected = [reference.histogram_mutual_information_reference(x, y, 7) for x, y in pairs]
    np.testing.assert_allclose(batched, expected, rtol=1e-12)
    x, y = pairs[0]
    assert histogram_mutual_information(x.astype(np.float32), y.astype(np.float32)).dtype == (
        np.float32
    )
    with pytest.raises(ValueError, match="`n_bins`"):
        histogram_mutual_information(x, y, n_bins=0)
    with pytest.raises(ValueError, match="same number of rows"):
        histogram_mutual_information(x, y[:-1])
    with pytest.raises(ValueError, match="`y` contains NaN"):
        histogram_mutual_information(x, np.where(y > 1, np.nan, y))
    spec = get_estimator("histogram")
    assert spec.fn is histogram_mutual_information
    assert (spec.quantity, spec.inputs) == ("mutual_information", "continuous")
    np.testing.assert_allclose(spec.bind(n_bins=7)(x, y), expected[0], rtol=1e-12)
