"""Tests of infojax.tracking: measured epochs and information-plane estimators."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from reference import gaussian_mutual_information_bits_reference
from reference import information_plane_binning_reference
from reference import information_plane_kde_reference

from infojax.tracking import InformationPlaneEstimator
from infojax.tracking import information_plane
from infojax.tracking import information_plane_estimator
from infojax.tracking import tracked_epochs

KEY = jax.random.key(0)


def _layer(seed, n=60, width=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    t = np.tanh(rng.normal(size=(n, width))).astype(dtype)
    labels = rng.integers(0, 3, size=n).astype(np.int32)
    x = rng.normal(size=(n, 4)).astype(dtype)
    return t, x, labels


# --- tracked_epochs ---


@pytest.mark.parametrize("spacing", ["log", "linear"])
@pytest.mark.parametrize("total", [1, 2, 7, 100, 8000])
def test_tracked_epochs_count_and_ends(total, spacing):
    for count in (2, 3, 10, 250):
        epochs = tracked_epochs(total, count=count, spacing=spacing)
        assert epochs.size == min(count, total + 1)
        assert epochs[0] == 0 and epochs[-1] == total
        assert np.all(np.diff(epochs) > 0)


def test_tracked_epochs_log_is_near_geometric():
    epochs = tracked_epochs(8000, count=250)
    # Past the integers that rounding merges, successive ratios are the geometric
    # ratio (8000 / first)^(1/steps); rounding to integers moves each by < 1 / epoch.
    tail = epochs[epochs >= 200].astype(float)
    ratios = tail[1:] / tail[:-1]
    np.testing.assert_allclose(ratios, np.median(ratios), atol=2 / 200)
    # Dense at the start: every epoch up to 10 is measured.
    np.testing.assert_array_equal(epochs[:11], np.arange(11))


def test_tracked_epochs_linear_matches_linspace():
    np.testing.assert_array_equal(
        tracked_epochs(100, count=11, spacing="linear"), np.arange(0, 101, 10)
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"total_epochs": 0, "count": 5}, "total_epochs"),
        ({"total_epochs": 10, "count": 1}, "count"),
        ({"total_epochs": 10, "count": 5, "spacing": "cubic"}, "spacing"),
    ],
)
def test_tracked_epochs_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tracked_epochs(**kwargs)


# --- information-plane estimators ---


@pytest.mark.parametrize("dtype", [np.float32, pytest.param(np.float64, marks=pytest.mark.float64)])
def test_binning_matches_reference(dtype):
    t, x, labels = _layer(0, dtype=dtype)
    estimator = information_plane_estimator(
        "binning", n_classes=3, n_bins=30, value_range=(-1.0, 1.0)
    )
    input_information, label_information = jax.jit(estimator)(jax.random.key(0), t, x, labels)
    expected = information_plane_binning_reference(t, labels, 30, -1.0, 1.0)
    assert input_information.dtype == dtype
    # Exact counting on the same bins; the tolerance covers float32 logarithms.
    np.testing.assert_allclose([input_information, label_information], expected, rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, pytest.param(np.float64, marks=pytest.mark.float64)])
def test_kde_matches_reference(dtype):
    t, x, labels = _layer(1, dtype=dtype)
    estimator = information_plane_estimator("kde", n_classes=3, noise_variance=0.1)
    pair = jax.jit(estimator)(jax.random.key(0), t, x, labels)
    expected = information_plane_kde_reference(t, labels, 0.1)
    # Sums of 60 log-mean-exps: float32 rounding gives about 1e-6 relative error.
    np.testing.assert_allclose(pair, expected, rtol=2e-5 if dtype == np.float32 else 1e-10)


@pytest.mark.float64  # a float64 closed form at 1e-8
def test_registered_estimator_matches_reference():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 2))
    t = np.tanh(x @ rng.normal(size=(2, 3)) + 0.3 * rng.normal(size=(400, 3)))
    labels = (x[:, 0] > 0).astype(np.int32)
    estimator = information_plane_estimator("gaussian", n_classes=2)
    input_information, label_information = estimator(jax.random.key(0), t, x, labels)
    # The Gaussian MI of the sample covariances, in bits (closed form, float64).
    np.testing.assert_allclose(
        input_information, gaussian_mutual_information_bits_reference(x, t), rtol=1e-8
    )
    np.testing.assert_allclose(
        label_information,
        gaussian_mutual_information_bits_reference(t, labels[:, None].astype(float)),
        rtol=1e-8,
    )


@pytest.mark.float64  # float64 references at 1e-10
def test_information_plane_layers_estimators_and_vmap():
    t, x, labels = _layer(3)
    layers = (t, t[:, :2], jax.nn.softmax(jnp.asarray(t), axis=-1))
    estimators = (
        information_plane_estimator("binning", n_classes=3, n_bins=10, value_range=(-1.0, 1.0)),
        information_plane_estimator("kde", n_classes=3, noise_variance=0.5),
    )
    plane = information_plane(KEY, layers, x, labels, estimators)
    assert plane.shape == (3, 2, 2)
    for layer_index, layer in enumerate(layers):
        np.testing.assert_allclose(
            plane[layer_index, 0],
            information_plane_binning_reference(layer, labels, 10, -1.0, 1.0),
            rtol=1e-10,
        )
        np.testing.assert_allclose(
            plane[layer_index, 1], information_plane_kde_reference(layer, labels, 0.5), rtol=1e-10
        )
    # Two "seeds" under vmap give each seed's own plane.
    stacked = tuple(jnp.stack([layer, layer[::-1]]) for layer in layers)
    both = jax.jit(jax.vmap(lambda *ls: information_plane(KEY, ls, x, labels, estimators)))(
        *stacked
    )
    np.testing.assert_allclose(both[0], plane, rtol=1e-10)
    reversed_plane = information_plane(
        KEY, tuple(layer[::-1] for layer in layers), x, labels[::-1], estimators
    )
    np.testing.assert_allclose(
        both[1],
        information_plane(KEY, tuple(layer[::-1] for layer in layers), x, labels, estimators),
        rtol=1e-10,
    )
    # Permuting samples and labels together leaves every quantity unchanged.
    np.testing.assert_allclose(reversed_plane, plane, rtol=1e-10)


def test_estimators_compare_by_name_and_options():
    first = information_plane_estimator("kde", n_classes=2, noise_variance=0.1)
    second = information_plane_estimator("kde", n_classes=2, noise_variance=0.1)
    assert isinstance(first, InformationPlaneEstimator)
    assert first == second and hash(first) == hash(second)
    assert first != information_plane_estimator("kde", n_classes=2, noise_variance=0.2)


@pytest.mark.parametrize(
    ("name", "options", "match"),
    [
        ("no_such_estimator", {}, "Unknown estimator"),
        ("binning", {"bins": 30}, "Unknown option"),
        ("kde", {"variance": 0.1}, "Unknown option"),
        ("kde_upper", {}, "entropy"),
        ("gaussian", {"base": 2}, "base"),
        ("ksg", {}, "discrete labels"),
        ("ksg2", {"k": 5}, "discrete labels"),
    ],
)
def test_bad_estimators(name, options, match):
    with pytest.raises(ValueError, match=match):
        information_plane_estimator(name, n_classes=2, **options)


def test_plane_estimators_are_the_one_pass_functions_not_the_registry_entries():
    from infojax import estimators
    from infojax.tracking import PLANE_ESTIMATORS

    assert PLANE_ESTIMATORS["binning"] is estimators.binned_information_plane
    assert PLANE_ESTIMATORS["kde"] is estimators.kde_information_plane
    # The registry's entries of the same names are mutual-information estimators of one
    # pair of sample sets, another thing.
    assert estimators.get_estimator("binning").fn is not estimators.binned_information_plane
