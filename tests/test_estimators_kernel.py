"""Kernel estimators: KDE mixture-entropy bounds, information-plane quantities,
matrix-based Renyi entropy and MI, and HSIC."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference

from infojax.estimators import get_estimator
from infojax.estimators import hsic
from infojax.estimators import kde_entropy
from infojax.estimators import kde_information_plane
from infojax.estimators import kde_input_information
from infojax.estimators import kde_label_information
from infojax.estimators import matrix_renyi_entropy
from infojax.estimators import matrix_renyi_mutual_information

# The estimators and the references compute the same sums in a different order
# (and the KDE bounds get squared distances from a matrix product): float64 rounding.
RTOL = 1e-9

# Nearly every test here compares with a float64 reference at RTOL (in float32 the KDE
# bound at noise variance 1e-3 is off by 1e-5 relative, its exponents being squared
# distances over 2e-3), so the module runs with x64. The default float32 path of these
# estimators is checked in test_registry.py (test_dtype_follows_input, the grad tests).
pytestmark = pytest.mark.float64


def layer(seed, n=120, d=3, spread=1.0):
    rng = np.random.default_rng(seed)
    return spread * np.tanh(rng.normal(size=(n, d))), rng.integers(0, 3, n)


# --- KDE bounds -----------------------------------------------------------------


@pytest.mark.parametrize("bound", ["upper", "lower"])
@pytest.mark.parametrize("noise_variance", [1e-3, 0.1, 2.0])
def test_kde_entropy_matches_reference(bound, noise_variance):
    t, _ = layer(0)
    expected = reference.kde_entropy_reference(t, noise_variance, bound)
    got = kde_entropy(t, noise_variance=noise_variance, bound=bound)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


@pytest.mark.parametrize("bound", ["upper", "lower"])
def test_kde_information_matches_reference(bound):
    t, labels = layer(1)
    noise_entropy = 0.5 * 3 * np.log(2 * np.pi * np.e * 0.1)
    expected_input = reference.kde_entropy_reference(t, 0.1, bound) - noise_entropy
    expected_label = reference.kde_label_information_reference(t, labels, 0.1, bound)
    got_input = kde_input_information(t, noise_variance=0.1, bound=bound)
    got_label = kde_label_information(t, labels, noise_variance=0.1, bound=bound)
    plane = kde_information_plane(t, labels, noise_variance=0.1, bound=bound)
    np.testing.assert_allclose(got_input, expected_input, rtol=RTOL)
    np.testing.assert_allclose(got_label, expected_label, rtol=RTOL)
    np.testing.assert_allclose(plane, (expected_input, expected_label), rtol=RTOL)


@pytest.mark.parametrize(("spread", "noise_variance"), [(1.0, 0.01), (1.0, 0.3), (0.2, 0.05)])
def test_kde_bounds_bracket_monte_carlo_entropy(spread, noise_variance):
    # The bounds hold for the mixture itself; its entropy by Monte Carlo with 20,000
    # draws has a standard error of about 0.01 nats, so allow 4 standard errors.
    t, _ = layer(2, n=100, d=2, spread=spread)
    truth, standard_error = reference.gaussian_mixture_entropy_monte_carlo(
        t, noise_variance, 20_000, seed=3
    )
    lower = float(kde_entropy(t, noise_variance=noise_variance, bound="lower"))
    upper = float(kde_entropy(t, noise_variance=noise_variance, bound="upper"))
    assert lower - 4 * standard_error <= truth <= upper + 4 * standard_error


def test_kde_closed_form_limits():
    # Far-apart centres: the mixture entropy is log n + H(component), so I(X;T) = log n
    # and, for classes that are also far apart, I(T;Y) = H(Y). Coincident centres:
    # I(X;T) = 0 exactly.
    labels = np.repeat(np.arange(4), 8)
    t = 100.0 * np.arange(32.0)[:, None]
    for bound in ["upper", "lower"]:
        input_information, label_information = kde_information_plane(
            t, labels, noise_variance=0.1, bound=bound
        )
        np.testing.assert_allclose(input_information, np.log(32), rtol=1e-12)
        np.testing.assert_allclose(label_information, np.log(4), rtol=1e-12)
        assert kde_input_information(np.zeros((10, 2)), noise_variance=0.1, bound=bound) == 0


@pytest.mark.parametrize("block_size", [1, 7, 50])
def test_kde_block_size_does_not_change_the_result(block_size):
    t, labels = layer(4, n=50)
    expected = reference.kde_label_information_reference(t, labels, 0.1)
    got = kde_label_information(t, labels, noise_variance=0.1, block_size=block_size)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


def test_kde_vmap_over_seeds_jit_and_float32():
    # The information-plane use: one call over a batch of seeds.
    ts = np.stack([layer(seed, n=64)[0] for seed in range(4)]).astype(np.float32)
    labels = layer(0, n=64)[1]
    plane = jax.jit(
        jax.vmap(lambda t: kde_information_plane(t, labels, noise_variance=0.1, base=2))
    )
    input_information, label_information = plane(ts)
    assert input_information.dtype == np.float32
    expected = [
        reference.kde_label_information_reference(t.astype(np.float64), labels, 0.1) / np.log(2)
        for t in ts
    ]
    # float32 rounding of distances of order 1 over a noise variance of 0.1.
    np.testing.assert_allclose(label_information, expected, rtol=1e-4)
    assert kde_entropy(ts[0], noise_variance=0.1).dtype == np.float32


def test_kde_gradient_is_finite_and_matches_finite_differences():
    t, _ = layer(5, n=30, d=2)
    t = jnp.asarray(t)
    gradient = jax.grad(lambda t: kde_input_information(t, noise_variance=0.1))(t)
    assert np.all(np.isfinite(gradient))
    step = np.zeros_like(t)
    step[3, 1] = 1e-6
    finite_difference = (
        kde_input_information(t + step, noise_variance=0.1)
        - kde_input_information(t - step, noise_variance=0.1)
    ) / 2e-6
    np.testing.assert_allclose(gradient[3, 1], finite_difference, rtol=1e-5)
    # The noise variance can be traced too (e.g. a vmap over noise levels).
    variance_gradient = jax.grad(lambda s: kde_entropy(t, noise_variance=s))(0.1)
    assert np.isfinite(variance_gradient)


def test_kde_registry_and_bad_input():
    t, labels = layer(6, n=40)
    np.testing.assert_allclose(
        get_estimator("kde_upper").bind(noise_variance=0.5)(t),
        reference.kde_entropy_reference(t, 0.5, "upper"),
        rtol=RTOL,
    )
    np.testing.assert_allclose(
        get_estimator("kde_lower").bind()(t), reference.kde_entropy_reference(t, 0.1, "lower")
    )
    with pytest.raises(ValueError, match="`noise_variance`"):
        kde_entropy(t, noise_variance=0.0)
    with pytest.raises(ValueError, match="`noise_variance`"):
        kde_entropy(t, noise_variance=np.nan)
    with pytest.raises(ValueError, match="`bound`"):
        kde_entropy(t, noise_variance=0.1, bound="middle")
    with pytest.raises(ValueError, match="`t` contains NaN"):
        kde_entropy(np.where(t > 0.5, np.nan, t), noise_variance=0.1)
    with pytest.raises(TypeError, match="`labels` must be integers"):
        kde_label_information(t, labels.astype(float), noise_variance=0.1)
    with pytest.raises(ValueError, match="same number of rows"):
        kde_label_information(t, labels[:-1], noise_variance=0.1)
    with pytest.raises(ValueError, match="`labels` must lie in"):
        kde_label_information(t, labels, noise_variance=0.1, n_classes=2)
    with pytest.raises(ValueError, match="`labels` must have shape"):
        kde_label_information(t, labels[:, None], noise_variance=0.1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1e-10, 1.0, 1e10, 1e19])
@pytest.mark.parametrize("bound", ["upper", "lower"])
def test_kde_at_any_scale_matches_reference(dtype, scale, bound):
    # The issue: tanh activations scaled by 1e10 gave inf and by 1e19 a wrong 1.50. The
    # reference takes every distance from differences in float64 (the float32 points
    # rounded once, then exact). At 1e10 and 1e19 all other components are far away
    # and the entropy is log n + (d/2) log(2 pi e s2) = 6.91 nats here; at 1e-10 all
    # centres coincide and it is the noise entropy, 0.52 nats.
    t, labels = layer(8, n=150, d=3)
    t = (scale * t).astype(dtype)
    t64 = t.astype(np.float64)
    expected = reference.kde_entropy_reference(t64, 0.1, bound)
    got = kde_entropy(t, noise_variance=0.1, bound=bound)
    assert got.dtype == dtype
    # float32: distances rounded to 6e-8 relative, over a noise variance of 0.1.
    rtol = 1e-5 if dtype == np.float32 else RTOL
    np.testing.assert_allclose(got, expected, rtol=rtol)
    if scale >= 1e10:
        noise_entropy = 1.5 * np.log(2 * np.pi * np.e * 0.1)
        np.testing.assert_allclose(got, np.log(150) + noise_entropy, rtol=rtol)
    plane = kde_information_plane(t, labels, noise_variance=0.1, bound=bound)
    expected_label = reference.kde_label_information_reference(t64, labels, 0.1, bound)
    np.testing.assert_allclose(plane[1], expected_label, rtol=rtol, atol=1e-6)


@pytest.mark.parametrize("noise_variance", [1e-4, 1e-3])
def test_kde_upper_bound_under_jit_in_float32_stays_below_log_n(noise_variance):
    # The compiled (fast) path's exponents come from a matrix product; a point's own
    # term is set to exp(0) exactly, so the upper bound on I(X;T) cannot exceed
    # log2(n) = H(X) (it did, by 4e-4 bits at 1e-4, before). Distinct tanh layers as
    # in the 12-bit network, where the bound sits at log2(n).
    t, labels = layer(3, n=512, d=10, spread=1.0)
    t32 = jnp.asarray(3 * t, jnp.float32).clip(-1, 1)
    plane = jax.jit(
        lambda t: kde_information_plane(t, labels, noise_variance=noise_variance, base=2)
    )(t32)
    assert plane[0].dtype == jnp.float32
    assert float(plane[0]) <= np.log2(512)
    expected = reference.kde_entropy_reference(
        np.asarray(t32, np.float64), noise_variance, "upper"
    ) - 0.5 * 10 * np.log(2 * np.pi * np.e * noise_variance)
    np.testing.assert_allclose(float(plane[0]), expected / np.log(2), rtol=2e-5)


def test_kde_too_large_for_the_fast_path_under_jit_is_nan():
    # Documented: under jit the exact path cannot be chosen, and activations too large
    # for the matrix-product exponents give NaN instead of a wrong number; moderate
    # activations keep the fast path and its value.
    t, labels = layer(9, n=80)
    jitted = jax.jit(lambda t: kde_entropy(t, noise_variance=0.1))
    np.testing.assert_allclose(jitted(t), kde_entropy(t, noise_variance=0.1), rtol=RTOL)
    assert np.isnan(float(jitted(1e10 * t)))
    plane = jax.jit(lambda t: kde_information_plane(t, labels, noise_variance=0.1))(1e10 * t)
    assert np.all(np.isnan(np.asarray(plane)))


# --- matrix-based Renyi ---------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.5, 1.0, 1.01, 2.0])
def test_matrix_renyi_entropy_matches_eigenvalue_reference(alpha):
    x, _ = layer(7, n=60)
    expected = reference.matrix_renyi_entropy_reference(x, alpha, 0.8)
    np.testing.assert_allclose(matrix_renyi_entropy(x, alpha=alpha, sigma=0.8), expected, rtol=1e-8)


def test_matrix_renyi_defaults_and_limits():
    x, _ = layer(8, n=60, d=2)
    # Default bandwidth: Scott's rule 1.06 s n^(-1/(4 + d)), s^2 = mean coordinate variance.
    sigma = 1.06 * np.sqrt(np.mean(np.var(x, axis=0))) * 60 ** (-1 / 6)
    expected = reference.matrix_renyi_entropy_reference(x, 1.01, sigma)
    np.testing.assert_allclose(matrix_renyi_entropy(x, base=2), expected / np.log(2), rtol=1e-8)
    # Identical samples: A = 11^T / n has one eigenvalue 1, entropy 0. Far-apart
    # samples: A = I / n, entropy log n for every alpha.
    assert abs(float(matrix_renyi_entropy(np.zeros((10, 2)), sigma=1.0))) < 1e-12
    far = 100.0 * np.arange(10.0)
    np.testing.assert_allclose(matrix_renyi_entropy(far, alpha=2.0, sigma=1.0), np.log(10))


def test_matrix_renyi_mutual_information_matches_reference():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(60, 2))
    y = x[:, :1] + 0.3 * rng.normal(size=(60, 1))
    expected = reference.matrix_renyi_mutual_information_reference(x, y, 1.01, 0.9, 0.9)
    got = matrix_renyi_mutual_information(x, y, sigma=0.9)
    np.testing.assert_allclose(got, expected, rtol=1e-7)
    # The functional itself is symmetric.
    np.testing.assert_allclose(matrix_renyi_mutual_information(y, x, sigma=0.9), got, rtol=1e-9)
    np.testing.assert_allclose(
        get_estimator("matrix_renyi").bind(sigma=0.9)(x, y), expected, rtol=1e-7
    )


def test_matrix_renyi_transformations_and_bad_input():
    xs = np.stack([layer(seed, n=40)[0] for seed in range(3)])
    batched = jax.jit(jax.vmap(lambda x: matrix_renyi_entropy(x, sigma=0.8)))(xs)
    looped = [reference.matrix_renyi_entropy_reference(x, 1.01, 0.8) for x in xs]
    np.testing.assert_allclose(batched, looped, rtol=1e-8)
    assert matrix_renyi_entropy(xs[0].astype(np.float32), sigma=0.8).dtype == np.float32
    gradient = jax.grad(lambda x: matrix_renyi_entropy(x, sigma=0.8))(jnp.asarray(xs[0]))
    assert np.all(np.isfinite(gradient))
    with pytest.raises(ValueError, match="`alpha`"):
        matrix_renyi_entropy(xs[0], alpha=-1.0)
    with pytest.raises(ValueError, match="`sigma`"):
        matrix_renyi_entropy(xs[0], sigma=0.0)
    with pytest.raises(ValueError, match="pass `sigma`"):
        matrix_renyi_entropy(np.ones((10, 2)))
    with pytest.raises(ValueError, match="same number of rows"):
        matrix_renyi_mutual_information(xs[0], xs[1][:-1])


# --- HSIC -----------------------------------------------------------------------


def test_hsic_matches_reference_with_median_heuristic():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(80, 2))
    y = np.sin(x[:, :1]) + 0.2 * rng.normal(size=(80, 1))
    sigma_x = reference.median_heuristic_reference(x)
    sigma_y = reference.median_heuristic_reference(y)
    np.testing.assert_allclose(
        hsic(x, y), reference.hsic_reference(x, y, sigma_x, sigma_y), rtol=RTOL
    )
    np.testing.assert_allclose(
        hsic(x, y, sigma_x=0.5, sigma_y=2.0), reference.hsic_reference(x, y, 0.5, 2.0), rtol=RTOL
    )


def test_hsic_is_zero_under_independence():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(300, 2))
    # A constant y has a constant kernel matrix, which centring sends to exactly zero.
    assert abs(float(hsic(x, np.ones(300), sigma_y=1.0))) < 1e-12
    # Independent samples: the biased estimate is O(1/n), far below the dependent case.
    independent = float(hsic(x, rng.normal(size=300)))
    dependent = float(hsic(x, x[:, 0] + 0.1 * rng.normal(size=300)))
    assert 0 <= independent < 0.1 * dependent


def test_hsic_transformations_and_bad_input():
    rng = np.random.default_rng(12)
    xs = rng.normal(size=(3, 50, 2))
    ys = xs[..., :1] ** 2 + rng.normal(size=(3, 50, 1))
    batched = jax.jit(jax.vmap(hsic))(xs, ys)
    looped = [
        reference.hsic_reference(
            x, y, reference.median_heuristic_reference(x), reference.median_heuristic_reference(y)
        )
        for x, y in zip(xs, ys, strict=True)
    ]
    np.testing.assert_allclose(batched, looped, rtol=RTOL)
    assert hsic(xs[0].astype(np.float32), ys[0].astype(np.float32)).dtype == np.float32
    gradient = jax.grad(lambda x: hsic(x, ys[0]))(jnp.asarray(xs[0]))
    assert np.all(np.isfinite(gradient))
    with pytest.raises(ValueError, match="pass `sigma_x`"):
        hsic(np.ones(20), ys[0][:20])
    with pytest.raises(ValueError, match="`sigma_y`"):
        hsic(xs[0], ys[0], sigma_y=-1.0)
    with pytest.raises(ValueError, match="same number of rows"):
        hsic(xs[0], ys[0][:-1])
    with pytest.raises(ValueError, match="`y` contains inf"):
        hsic(xs[0], np.full(50, np.inf))


@pytest.mark.parametrize("scale", [1e20, 1e30, 1e-30])
def test_automatic_bandwidths_are_scale_equivariant_in_float32(scale):
    # Scott's rule and the median heuristic scale with the data, so the Gram matrices,
    # and every value, are those of scale 1 (NaN at 1e20, "bandwidth is 0" at 1e-30
    # before: the squares over- or underflowed float32).
    rng = np.random.default_rng(11)
    x = rng.normal(size=(150, 2)).astype(np.float32)
    y = (x + rng.normal(size=(150, 2))).astype(np.float32)
    sx, sy = np.float32(scale) * x, np.float32(scale) * y
    np.testing.assert_allclose(matrix_renyi_entropy(sx), matrix_renyi_entropy(x), rtol=1e-4)
    np.testing.assert_allclose(
        matrix_renyi_mutual_information(sx, sy), matrix_renyi_mutual_information(x, y), rtol=1e-4
    )
    np.testing.assert_allclose(hsic(sx, sy), hsic(x, y), rtol=1e-4)
    # An explicit bandwidth scaled alike gives the same value too.
    np.testing.assert_allclose(
        hsic(sx, sy, sigma_x=2.0 * scale, sigma_y=3.0 * scale),
        hsic(x, y, sigma_x=2.0, sigma_y=3.0),
        rtol=1e-4,
    )


def test_parameters_beyond_the_dtype_range_are_clear_errors():
    t = np.random.default_rng(12).normal(size=(40, 2)).astype(np.float32)
    with pytest.raises(ValueError, match="`noise_variance`=1e\\+39 is outside the range"):
        kde_entropy(t, noise_variance=1e39)
    with pytest.raises(ValueError, match="`sigma`=1e-40 is outside the range of float32"):
        matrix_renyi_entropy(t, sigma=1e-40)
    with pytest.raises(ValueError, match="`sigma_x`=1e\\+39 is outside the range of float32"):
        hsic(t, t, sigma_x=1e39)
    with pytest.raises(TypeError, match="`labels` must be a real numeric array"):
        kde_label_information(t, ["a"] * 40, noise_variance=0.1)


@pytest.mark.float64
def test_a_large_noise_variance_takes_the_float64_path():
    # The remedy the error names: float64 samples hold noise variance 1e39, and the
    # input information of well-separated points is then ~0 (noise swamps them).
    t = np.random.default_rng(12).normal(size=(40, 2))
    assert abs(float(kde_input_information(t, noise_variance=1e39))) < 1e-9
