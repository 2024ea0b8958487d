"""Tests of infojax.measures.gaussian_mixture_information_estimate: against numerical
integration in one dimension, inside the pairwise-distance brackets, its standard
error, jit / vmap, dtypes and bad input."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

from infojax.measures import gaussian_mixture_information_bounds
from infojax.measures import gaussian_mixture_information_estimate


def _one_dimensional_mixture():
    means = np.asarray([-2.0, -1.0, 0.0, 0.5, 2.0, 3.0])
    stds = np.asarray([0.5, 1.0, 0.3, 0.8, 1.2, 0.4])
    labels = np.asarray([0, 0, 1, 1, 0, 1])
    return means, stds, labels


def _exact_informations(means, stds, labels):
    """I(X;Z) and I(Z;Y) (nats) of the equal-weight 1-D mixture, by quadrature."""
    n = means.size

    def density(z, members):
        return np.mean([norm.pdf(z, means[j], stds[j]) for j in members])

    everyone = range(n)
    input_information = 0.0
    label_information = 0.0
    for i in range(n):
        same = [j for j in everyone if labels[j] == labels[i]]
        share = len(same) / n

        def input_term(z, i=i):
            p = norm.pdf(z, means[i], stds[i])
            return p * math.log(p / density(z, everyone)) if p > 0 else 0.0

        def label_term(z, i=i, same=same, share=share):
            p = norm.pdf(z, means[i], stds[i])
            # log p(y_i | z) = log(share * p(z | y_i) / p(z))
            return p * math.log(share * density(z, same) / density(z, everyone)) if p > 0 else 0.0

        limits = (means[i] - 12 * stds[i], means[i] + 12 * stds[i])
        input_information += integrate.quad(input_term, *limits, limit=200)[0] / n
        label_information += integrate.quad(label_term, *limits, limit=200)[0] / n
    shares = np.bincount(labels) / n
    label_entropy = -np.sum(shares * np.log(shares))
    return input_information, label_entropy + label_information


@pytest.mark.float64
def test_matches_numerical_integration():
    means, stds, labels = _one_dimensional_mixture()
    exact_input, exact_label = _exact_informations(means, stds, labels)
    estimate = gaussian_mixture_information_estimate(
        jax.random.key(0), means[:, None], stds[:, None], labels, draws=20_000
    )
    # Unbiased with a conservative standard error: within 4 of them, and the error
    # itself is small (120000 draws).
    assert abs(float(estimate.input_information) - exact_input) < 4 * float(
        estimate.input_standard_error
    )
    assert abs(float(estimate.label_information) - exact_label) < 4 * float(
        estimate.label_standard_error
    )
    assert float(estimate.input_standard_error) < 0.01


def test_inside_the_pairwise_brackets():
    rng = np.random.default_rng(1)
    means = rng.normal(size=(400, 3)).astype(np.float32)
    labels = (means[:, 0] > 0).astype(np.int32)
    for scale in (0.1, 0.5, 2.0):
        stds = (scale * rng.uniform(0.5, 1.5, size=(400, 3))).astype(np.float32)
        bounds = gaussian_mixture_information_bounds(means, stds, labels, base=2)
        estimate = gaussian_mixture_information_estimate(
            jax.random.key(2), means, stds, labels, draws=4, base=2
        )
        for value, error, lower, upper in (
            (*estimate[:2], bounds.input_lower, bounds.input_upper),
            (*estimate[2:], bounds.label_lower, bounds.label_upper),
        ):
            assert lower - 4 * error <= value <= upper + 4 * error, scale


def test_limits_and_units():
    # Far-apart components: I(X;Z) = log n; each class its own: I(Z;Y) = H(Y).
    means = 100.0 * jnp.arange(4.0)[:, None]
    estimate = gaussian_mixture_information_estimate(
        jax.random.key(0), means, 1.0, jnp.asarray([0, 0, 1, 1]), base=2
    )
    np.testing.assert_allclose(estimate.input_information, 2.0, atol=1e-5)
    np.testing.assert_allclose(estimate.label_information, 1.0, atol=1e-5)
    # Identical components: no information.
    same = gaussian_mixture_information_estimate(
        jax.random.key(0), jnp.zeros((4, 2)), 1.0, jnp.asarray([0, 1, 0, 1])
    )
    np.testing.assert_allclose(same.input_information, 0.0, atol=1e-6)
    np.testing.assert_allclose(same.label_information, 0.0, atol=1e-6)
    without = gaussian_mixture_information_estimate(jax.random.key(0), jnp.zeros((4, 2)), 1.0)
    assert without.label_information is None and without.label_standard_error is None


def test_standard_error_shrinks_with_draws():
    means, stds, labels = _one_dimensional_mixture()
    errors = [
        float(
            gaussian_mixture_information_estimate(
                jax.random.key(3), means[:, None], stds[:, None], labels, draws=draws
            ).input_standard_error
        )
        for draws in (100, 10_000)
    ]
    # 100 times the draws: about a tenth of the error.
    assert 0.05 < errors[1] / errors[0] < 0.2


def test_jit_and_vmap():
    rng = np.random.default_rng(4)
    means = jnp.asarray(rng.normal(size=(3, 50, 2)), jnp.float32)
    stds = jnp.asarray(rng.uniform(0.3, 1.0, size=(3, 50, 2)), jnp.float32)
    labels = jnp.asarray(rng.integers(0, 3, size=50))
    keys = jax.random.split(jax.random.key(5), 3)

    def estimate(key, means, stds):
        return gaussian_mixture_information_estimate(key, means, stds, labels, n_classes=3)

    batched = jax.jit(jax.vmap(estimate))(keys, means, stds)
    for index in range(3):
        single = estimate(keys[index], means[index], stds[index])
        for stacked, value in zip(batched, single, strict=True):
            np.testing.assert_allclose(stacked[index], value, rtol=1e-5)


@pytest.mark.float64
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_dtype_follows_the_input(dtype):
    means = jnp.asarray(np.random.default_rng(6).normal(size=(20, 2)), dtype)
    estimate = gaussian_mixture_information_estimate(
        jax.random.key(0), means, jnp.asarray(0.5, dtype), jnp.arange(20) % 2
    )
    assert all(value.dtype == dtype for value in estimate)


@pytest.mark.parametrize(
    "arguments, options, match",
    [
        ((np.zeros((3, 2)), -1.0), {}, "`stds` must be positive"),
        ((np.zeros(3), 1.0), {}, "`means` must have shape"),
        ((np.zeros((3, 2)), 1.0, np.asarray([0, 1, 2])), {"n_classes": 2}, "`labels` must lie"),
        ((np.zeros((3, 2)), 1.0), {"draws": 0}, "`draws`"),
        ((np.full((3, 2), np.nan), 1.0), {}, "`means` contains NaN"),
    ],
)
def test_bad_input_names_the_argument(arguments, options, match):
    with pytest.raises(ValueError, match=match):
        gaussian_mixture_information_estimate(jax.random.key(0), *arguments, **options)
