"""Gaussian and Gaussian-copula MI against closed forms and Ince et al.'s NumPy code."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference

from infojax.estimators import gaussian_copula_mutual_information
from infojax.estimators import gaussian_mutual_information
from infojax.estimators import get_estimator


def correlated_gaussians(seed, n, dim, rho, dtype=np.float64):
    """x, y of shape (n, dim) with corr(x_i, y_i) = rho and all other pairs independent."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim))
    y = rho * x + np.sqrt(1 - rho**2) * rng.normal(size=(n, dim))
    return x.astype(dtype), y.astype(dtype)


def true_mi(dim, rho):
    return -0.5 * dim * np.log(1 - rho**2)


@pytest.mark.parametrize("dim", [1, 5])
@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_closed_form_correlated_gaussians(dim, rho):
    n = 20_000
    x, y = correlated_gaussians(seed=10 * dim + int(10 * rho), n=n, dim=dim, rho=rho)
    # Standard deviation of the plug-in estimate ~ rho sqrt(dim / n) (0.014 at rho=0.9,
    # dim=5) plus a bias dim^2 / (2n) (6e-4 at dim=5); 0.06 is about 4 sigma at the
    # worst case and also covers the copula estimator, whose normal scores of ranks
    # lose a little information (Ince et al. 2017: a lower bound for Gaussian data).
    tolerance = 0.03 if dim == 1 else 0.06
    for estimate in (
        gaussian_mutual_information(x, y),
        gaussian_mutual_information(x, y, bias_correction=True),
        gaussian_copula_mutual_information(x, y),
    ):
        np.testing.assert_allclose(estimate, true_mi(dim, rho), atol=tolerance)


# The same formulas as the float64 reference, compared at 1e-10.
@pytest.mark.float64
@pytest.mark.parametrize("bias_correction", [False, True])
def test_matches_ince_numpy_reference(bias_correction):
    x, y = correlated_gaussians(seed=1, n=300, dim=3, rho=0.6)
    y = y[:, :2]
    # Same formulas (mi_gg and copnorm of the gcmi toolbox), float64: rounding only.
    np.testing.assert_allclose(
        gaussian_mutual_information(x, y, bias_correction=bias_correction),
        reference.gaussian_mi_reference(x, y, bias_correction=bias_correction),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        gaussian_copula_mutual_information(x, y, bias_correction=bias_correction),
        reference.gaussian_mi_reference(
            reference.copula_normalise_reference(x),
            reference.copula_normalise_reference(y),
            bias_correction=bias_correction,
        ),
        rtol=1e-10,
    )


def test_copula_is_invariant_under_monotone_transforms():
    x, y = correlated_gaussians(seed=2, n=1000, dim=2, rho=0.7)
    base = gaussian_copula_mutual_information(x, y)
    transformed_x = np.stack([np.exp(x[:, 0]), x[:, 1] ** 3 + x[:, 1]], axis=1)
    transformed_y = np.stack([np.tanh(y[:, 0] / 3), -1.0 / (1.0 + np.exp(-y[:, 1]))], axis=1)
    # Strictly increasing maps keep the ranks, so the scores and the estimate are the
    # same up to rounding (the decreasing map on y[:, 1] flips a sign of the
    # correlation, which the log-determinants do not see).
    np.testing.assert_allclose(
        gaussian_copula_mutual_information(transformed_x, transformed_y), base, rtol=1e-12
    )
    # The plain Gaussian estimator is not invariant: the non-linear maps lower it.
    assert float(gaussian_mutual_information(transformed_x, transformed_y)) < float(base) - 0.05


def test_bias_correction_removes_the_small_sample_bias():
    # Independent Gaussians, n = 40, 3 + 3 dimensions: uncorrected bias is about
    # d_x d_y / (2n) = 0.11 nats; with the correction the estimator is unbiased under
    # Gaussian sampling. 2000 seeds in one vmapped call: standard error of the mean
    # ~0.0015; the test allows 4 standard errors.
    n_seeds, n, dim = 2000, 40, 3
    samples = jax.random.normal(jax.random.key(0), (n_seeds, n, 2 * dim))
    x, y = samples[..., :dim], samples[..., dim:]
    corrected = jax.vmap(functools.partial(gaussian_mutual_information, bias_correction=True))(x, y)
    plain = jax.jit(jax.vmap(gaussian_mutual_information))(x, y)
    standard_error = float(np.std(corrected)) / np.sqrt(n_seeds)
    assert abs(float(np.mean(corrected))) < 4 * standard_error
    assert float(np.mean(plain)) > 0.08


# Central differences with a step of 1e-5 need float64 (in float32 the rounding of the
# two estimates, ~1e-7, divided by 2e-5 swamps the derivative).
@pytest.mark.float64
def test_jit_vmap_and_grad():
    x, y = correlated_gaussians(seed=3, n=200, dim=2, rho=0.5)
    xs, ys = np.stack([x, x[::-1]]), np.stack([y, y])
    for estimator in (gaussian_mutual_information, gaussian_copula_mutual_information):
        batched = jax.jit(jax.vmap(estimator))(xs, ys)
        np.testing.assert_allclose(batched, [estimator(xs[0], ys[0]), estimator(xs[1], ys[1])])
    # The Gaussian estimator is smooth in the samples: check the gradient by central
    # differences along one random direction (float64, step 1e-5: error ~1e-9).
    direction = np.random.default_rng(4).normal(size=x.shape)
    grad = jax.grad(gaussian_mutual_information)(jnp.asarray(x), jnp.asarray(y))
    step = 1e-5
    numeric = (
        gaussian_mutual_information(x + step * direction, y)
        - gaussian_mutual_information(x - step * direction, y)
    ) / (2 * step)
    np.testing.assert_allclose(np.sum(grad * direction), numeric, rtol=1e-6)
    # The copula estimator depends on x only through ranks: zero gradient.
    copula_grad = jax.grad(gaussian_copula_mutual_information)(jnp.asarray(x), jnp.asarray(y))
    assert np.all(np.asarray(copula_grad) == 0)


@pytest.mark.float64  # float64 inputs must give a float64 result
def test_dtype_follows_input():
    x, y = correlated_gaussians(seed=5, n=500, dim=2, rho=0.5)
    for estimator in (gaussian_mutual_information, gaussian_copula_mutual_information):
        want = estimator(x, y)
        value = estimator(x.astype(np.float32), y.astype(np.float32))
        assert value.dtype == jnp.float32 and want.dtype == jnp.float64
        # float32 covariance of 500 samples: relative error ~1e-6 per entry.
        np.testing.assert_allclose(value, want, rtol=1e-4)


def test_bad_inputs_raise_clear_errors():
    x, y = correlated_gaussians(seed=6, n=20, dim=2, rho=0.5)
    for estimator in (gaussian_mutual_information, gaussian_copula_mutual_information):
        with pytest.raises(ValueError, match="`x` contains NaN"):
            estimator(np.where(x > 1, np.nan, x), y)
        with pytest.raises(ValueError, match="`y` contains inf"):
            estimator(x, np.where(y > 1, np.inf, y))
        with pytest.raises(ValueError, match="same number of rows"):
            estimator(x, y[:10])
        with pytest.raises(ValueError, match="more samples than d_x \\+ d_y"):
            estimator(x[:4], y[:4])
        with pytest.raises(ValueError, match="`y` has constant column"):
            estimator(x, np.stack([y[:, 0], np.ones(20)], axis=1))
        with pytest.raises(TypeError, match="`x`"):
            estimator(x + 1j, y)
        with pytest.raises(ValueError, match="`base`"):
            estimator(x, y, base=-2.0)


def test_registry_entries():
    assert get_estimator("gaussian").fn is gaussian_mutual_information
    copula = get_estimator("gaussian_copula")
    assert copula.fn is gaussian_copula_mutual_information
    assert copula.bind().keywords == {"bias_correction": True, "base": None}


# --- degenerate inputs ------------------------------------------------------------


@pytest.mark.float64  # float64 scales (1e200) and a float64 rank test
@pytest.mark.parametrize(
    ("scale", "dtype"),
    [(1e30, np.float32), (1e-30, np.float32), (1e200, np.float64), (1e-200, np.float64)],
)
def test_any_scale_gives_the_unscaled_estimate(scale, dtype):
    # The issue: values scaled by 1e30 gave NaN (their squares overflow float32). The
    # estimate is invariant under scaling a column; the columns are rescaled first.
    x, y = correlated_gaussians(seed=7, n=300, dim=2, rho=0.6)
    expected = reference.gaussian_mi_reference(x, y)
    scaled_x, scaled_y = (scale * x).astype(dtype), (scale * y).astype(dtype)
    # float32: the covariance of 300 rounded samples, relative error ~1e-6 per entry.
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    for bias_correction in (False, True):
        got = gaussian_mutual_information(scaled_x, scaled_y, bias_correction=bias_correction)
        want = reference.gaussian_mi_reference(x, y, bias_correction=bias_correction)
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=rtol)
    np.testing.assert_allclose(gaussian_mutual_information(scaled_x, scaled_y), expected, rtol=rtol)
    np.testing.assert_allclose(
        gaussian_copula_mutual_information(scaled_x, scaled_y),
        gaussian_copula_mutual_information(x, y),
        rtol=rtol,
    )


@pytest.mark.float64  # float64 scales (1e200) and a float64 rank test
def test_linearly_dependent_samples_raise():
    x, _ = correlated_gaussians(seed=8, n=100, dim=2, rho=0.0)
    noise = np.random.default_rng(8).normal(size=(100, 1))
    # y = x and y an affine function of x: the Gaussian MI is infinite (it was NaN).
    for y in (x, 2 * x[:, :1] - 3):
        with pytest.raises(ValueError, match=r"`x` and `y` are linearly dependent.*infinite"):
            gaussian_mutual_information(x, y)
    # A redundant column inside one argument.
    with pytest.raises(ValueError, match="`x` has linearly dependent columns"):
        gaussian_mutual_information(np.c_[x, x[:, 0] - x[:, 1]], noise)
    with pytest.raises(ValueError, match="`y` has linearly dependent columns"):
        gaussian_mutual_information(noise, np.c_[x, 3 * x[:, 1]])
    # The copula: a monotone map gives identical normal scores.
    with pytest.raises(ValueError, match=r"ranks of `x` and `y` are linearly.*monotone"):
        gaussian_copula_mutual_information(x[:, 0], np.exp(x[:, 0]))
    # Nearly but not exactly dependent: a large finite value, as it should be.
    close = x[:, :1] + 1e-6 * noise
    assert 10 < float(gaussian_mutual_information(x[:, :1], close)) < 20


def test_singular_covariance_under_jit_is_not_checked():
    # Documented: the check needs concrete values; under jit y = x gives NaN (a failed
    # Cholesky factorisation) or a large finite value.
    x, _ = correlated_gaussians(seed=9, n=100, dim=2, rho=0.0)
    value = float(jax.jit(gaussian_mutual_information)(x, x))
    assert np.isnan(value) or value > 10


def test_copula_at_the_smallest_sample_size_is_finite_or_a_clear_error():
    # The issue: n = 3 gave NaN. With 3 samples two columns have perfectly (anti-)
    # correlated ranks with probability 1/3 (an infinite copula MI): a ValueError; any
    # other ranking gives a finite value (the bias correction is large at n = 3).
    outcomes = []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        try:
            value = float(
                gaussian_copula_mutual_information(rng.normal(size=3), rng.normal(size=3))
            )
        except ValueError as error:
            assert "linearly dependent" in str(error)
            outcomes.append("error")
        else:
            assert np.isfinite(value)
            outcomes.append("value")
    assert set(outcomes) == {"error", "value"}
    with pytest.raises(ValueError, match="more samples than d_x \\+ d_y = 2"):
        gaussian_copula_mutual_information(np.arange(2.0), np.arange(2.0))
