"""Tests of infojax.objectives: each rate against an independent reference (closed
forms of other infojax modules, scipy densities, a NumPy double loop, Monte Carlo), the
IB Lagrangian's mean and gradient, jit / vmap / grad, dtypes and bad input."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from reference import kde_entropy_reference
from scipy.stats import multivariate_normal

from infojax.estimators import kde_input_information
from infojax.measures import gaussian_kl_divergence
from infojax.models import GaussianMixturePrior
from infojax.objectives import ceb_rate
from infojax.objectives import diagonal_gaussian_log_prob
from infojax.objectives import ib_lagrangian
from infojax.objectives import kde_rate
from infojax.objectives import sampled_rate
from infojax.objectives import vib_rate


def _gaussians(seed, n=6, k=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, k)), rng.uniform(0.2, 2.0, size=(n, k))


def _scipy_log_prob(z, mean, std):
    return np.array(
        [
            multivariate_normal(m, np.diag(s**2)).logpdf(point)
            for point, m, s in zip(z, mean, std, strict=True)
        ]
    )


@pytest.mark.float64
def test_diagonal_gaussian_log_prob_matches_scipy():
    mean, std = _gaussians(0)
    z = np.random.default_rng(1).normal(size=mean.shape)
    np.testing.assert_allclose(
        diagonal_gaussian_log_prob(z, mean, std), _scipy_log_prob(z, mean, std), rtol=1e-12
    )


@pytest.mark.float64
def test_vib_rate_is_the_kl_divergence_to_the_standard_normal():
    mean, std = _gaussians(2)
    k = mean.shape[1]
    # The full-covariance closed form of infojax.measures, an independent code path.
    expected = [
        gaussian_kl_divergence(m, np.diag(s**2), np.zeros(k), np.eye(k))
        for m, s in zip(mean, std, strict=True)
    ]
    np.testing.assert_allclose(vib_rate(mean, std), expected, rtol=1e-12)
    assert float(vib_rate(np.zeros((1, 4)), np.ones((1, 4)))[0]) == 0.0


def test_sampled_rate_against_the_standard_normal_averages_to_the_vib_rate():
    mean, std = (jnp.asarray(a, jnp.float32) for a in _gaussians(3, n=2, k=2))
    draws = 200_000
    z = mean + std * jax.random.normal(jax.random.key(0), (draws, *mean.shape))
    prior = diagonal_gaussian_log_prob(z, jnp.zeros(2), jnp.ones(2))
    rates = np.asarray(sampled_rate(z, mean, std, prior), np.float64)
    # Monte Carlo: the mean of 2e5 draws is within 4 standard errors of the KL.
    standard_error = rates.std(0) / math.sqrt(draws)
    np.testing.assert_array_less(
        np.abs(rates.mean(0) - np.asarray(vib_rate(mean, std))), 4 * standard_error
    )


@pytest.mark.float64
def test_mixture_prior_log_prob_matches_scipy():
    prior = GaussianMixturePrior(3, 2, rngs=nnx.Rngs(0))
    prior.logits[...] = jnp.asarray([0.0, 1.0, -0.5])
    prior.log_stds[...] = jnp.asarray([[0.0, 0.3], [-0.2, 0.1], [0.5, -0.4]])
    z = np.random.default_rng(4).normal(size=(7, 2))
    weights = np.exp(np.asarray(prior.logits[...]))
    weights /= weights.sum()
    densities = sum(
        w * multivariate_normal(m, np.diag(np.exp(2 * ls))).pdf(z)
        for w, m, ls in zip(
            weights, np.asarray(prior.means[...]), np.asarray(prior.log_stds[...]), strict=True
        )
    )
    np.testing.assert_allclose(prior.log_prob(z), np.log(densities), rtol=1e-5)


@pytest.mark.float64
def test_ceb_rate_is_the_difference_of_log_densities():
    mean, std = _gaussians(5)
    backward_mean, backward_std = _gaussians(6)
    z = np.random.default_rng(7).normal(size=mean.shape)
    expected = _scipy_log_prob(z, mean, std) - _scipy_log_prob(z, backward_mean, backward_std)
    np.testing.assert_allclose(
        ceb_rate(z, mean, std, backward_mean, backward_std), expected, rtol=1e-10
    )
    # With b = e the residual information is zero.
    np.testing.assert_allclose(ceb_rate(z, mean, std, mean, std), 0.0, atol=1e-12)


def _kde_rate_double_loop(mean, noise_std):
    n = mean.shape[0]
    rates = np.empty(n)
    for i in range(n):
        total = sum(
            math.exp(-np.sum((mean[i] - mean[j]) ** 2) / (2 * noise_std**2)) for j in range(n)
        )
        rates[i] = -math.log(total / n)
    return rates


@pytest.mark.float64
def test_kde_rate_matches_a_double_loop_and_the_kde_estimator():
    mean = np.random.default_rng(8).normal(size=(40, 3))
    rates = kde_rate(mean, 0.7)
    np.testing.assert_allclose(rates, _kde_rate_double_loop(mean, 0.7), rtol=1e-10)
    # Its mean is the Kolchinsky-Tracey upper bound on I(X;Z) (the KDE estimator's,
    # and the entropy bound minus the noise entropy).
    np.testing.assert_allclose(
        rates.mean(), kde_input_information(mean, noise_variance=0.49, bound="upper"), rtol=1e-10
    )
    noise_entropy = 1.5 * math.log(2 * math.pi * math.e * 0.49)
    np.testing.assert_allclose(
        rates.mean(), kde_entropy_reference(mean, 0.49) - noise_entropy, rtol=1e-10
    )


def test_kde_rate_limits():
    # Identical points: no information; far-apart points: log n.
    np.testing.assert_allclose(kde_rate(jnp.ones((5, 2)), 1.0), 0.0, atol=1e-6)
    far = 100.0 * jnp.arange(5.0)[:, None]
    np.testing.assert_allclose(kde_rate(far, 1.0), math.log(5), rtol=1e-6)


def test_kde_rate_gradients_are_finite_with_repeated_points():
    mean = jnp.asarray([[0.0, 0.0], [0.0, 0.0], [1.0, 2.0]])

    def objective(mean, noise_std):
        return kde_rate(mean, noise_std).mean()

    gradients = jax.grad(objective, argnums=(0, 1))(mean, jnp.asarray(0.5))
    assert all(np.isfinite(np.asarray(g)).all() for g in gradients)
    # Moving the lone point further away raises the rate (its neighbours are fewer).
    assert float(gradients[0][2, 1]) > 0


@pytest.mark.float64
def test_ib_lagrangian_means_and_gradients():
    rng = np.random.default_rng(9)
    distortion, rate = rng.uniform(size=8), rng.uniform(size=8)
    linear = ib_lagrangian(distortion, rate, beta=0.3)
    np.testing.assert_allclose(linear, distortion + 0.3 * rate, rtol=1e-14)
    squared = ib_lagrangian(distortion, rate, beta=0.3, power=2)
    np.testing.assert_allclose(squared.mean(), distortion.mean() + 0.3 * rate.mean() ** 2)
    # The per-example form has the gradient of D + beta R^2 (R the mean rate).
    gradient = jax.grad(lambda r: ib_lagrangian(distortion, r, beta=0.3, power=2).mean())(rate)
    np.testing.assert_allclose(gradient, 2 * 0.3 * rate.mean() / rate.size, rtol=1e-12)


def test_jit_and_vmap():
    mean, std = (jnp.asarray(a, jnp.float32) for a in _gaussians(10, n=4, k=2))
    batch = jnp.stack([mean, 2 * mean, -mean])
    for function, arguments in (
        (vib_rate, (mean, std)),
        (lambda m, s: kde_rate(m, s[0, 0]), (mean, std)),
        (lambda m, s: ceb_rate(m + s, m, s, -m, s), (mean, std)),
        (lambda m, s: sampled_rate(m, m, s, m.sum(-1)), (mean, std)),
    ):
        eager = function(*arguments)
        np.testing.assert_allclose(jax.jit(function)(*arguments), eager, rtol=1e-6)
        batched = jax.vmap(function, in_axes=(0, None))(batch, std)
        for index in range(batch.shape[0]):
            np.testing.assert_allclose(batched[index], function(batch[index], std), rtol=1e-5)
    # beta traced, as a per-network constant under vmap.
    betas = jnp.asarray([0.0, 0.5, 2.0])
    lagrangians = jax.jit(jax.vmap(lambda b: ib_lagrangian(std[:, 0], mean[:, 0], beta=b)))(betas)
    np.testing.assert_allclose(lagrangians[2], std[:, 0] + 2.0 * mean[:, 0], rtol=1e-6)


@pytest.mark.float64
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_dtype_follows_the_input(dtype):
    mean, std = (jnp.asarray(a, dtype) for a in _gaussians(11))
    assert vib_rate(mean, std).dtype == dtype
    assert kde_rate(mean, jnp.asarray(0.5, dtype)).dtype == dtype
    assert ceb_rate(mean, mean, std, mean, std).dtype == dtype
    assert ib_lagrangian(mean[:, 0], std[:, 0], beta=0.1, power=2).dtype == dtype


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: vib_rate(np.zeros((2, 3)), -np.ones((2, 3))), "`std` must be positive"),
        (lambda: vib_rate(np.zeros((2, 3)), np.ones((2, 4))), "`std` of shape"),
        (lambda: vib_rate(0.0, 1.0), "latent axis"),
        (lambda: kde_rate(np.zeros(3), 1.0), r"`mean` must have shape \(n, K\)"),
        (lambda: kde_rate(np.zeros((3, 2)), 0.0), "`noise_std` must be positive"),
        (lambda: kde_rate(np.zeros((3, 2)), np.ones(2)), "`noise_std` must be a scalar"),
        (
            lambda: sampled_rate(np.zeros((3, 2)), np.zeros((3, 2)), 1.0, np.zeros(2)),
            "`prior_log_prob` must have shape",
        ),
        (lambda: ib_lagrangian(np.ones(3), np.ones(3), beta=-1.0), "`beta` must be >= 0"),
        (lambda: ib_lagrangian(np.ones(3), np.ones(2), beta=1.0), "same shape"),
        (lambda: ib_lagrangian(np.ones(3), np.ones(3), beta=1.0, power=3), "`power`"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
