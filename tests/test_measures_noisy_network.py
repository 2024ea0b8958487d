"""I(X; T_l) of a noisy network by sample propagation: against 1-D numerical integration
(scipy.integrate.quad, and a grid for a second noisy layer), the pairwise-distance
brackets, and the Monte Carlo mixture estimate."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
from flax import nnx

from infojax.measures import NoisyNetworkInformation
from infojax.measures import gaussian_mixture_information_bounds
from infojax.measures import gaussian_mixture_information_estimate
from infojax.measures import noisy_network_input_information
from infojax.models import MLP
from infojax.models import noisy_layer_centres


def normal_pdf(t, mean, std):
    return np.exp(-0.5 * ((t - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def two_point_channel_information(a, std):
    """I(X; X + Z) in nats for X uniform on {-a, a}, Z ~ N(0, std^2), by quad."""

    def density(t):
        return 0.5 * (normal_pdf(t, -a, std) + normal_pdf(t, a, std))

    def integrand(t):
        p = density(t)
        return -p * np.log(p) if p > 0 else 0.0

    entropy, _ = scipy.integrate.quad(integrand, -a - 12 * std, a + 12 * std, limit=200)
    return entropy - 0.5 * np.log(2 * np.pi * np.e * std**2)


@pytest.mark.float64
@pytest.mark.parametrize("a, std", [(1.0, 0.5), (0.3, 1.0)])
def test_two_point_gaussian_channel_matches_quadrature(a, std):
    centres = jnp.asarray([[[-a]], [[a]]])
    result = noisy_network_input_information(jax.random.key(0), centres, noise_std=std, draws=20000)
    assert isinstance(result, NoisyNetworkInformation)
    assert result.information.dtype == jnp.float64
    exact = two_point_channel_information(a, std)
    assert 0 < result.standard_error < 0.01
    assert abs(float(result.information) - exact) < 4 * float(result.standard_error) + 1e-4


def set_weights(model, layer, kernel, bias):
    model.hidden_layers[layer].kernel[...] = jnp.asarray(kernel, jnp.float32)
    model.hidden_layers[layer].bias[...] = jnp.asarray(bias, jnp.float32)


def test_first_layer_is_the_exact_gaussian_mixture():
    model = MLP(3, (4, 2), 2, activation="linear", noise_std=0.4, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(1), (12, 3))
    centres = noisy_layer_centres(jax.random.key(2), model, x, samples=3)
    first = model.hidden_layers[0](x)
    np.testing.assert_allclose(centres[0], jnp.repeat(first[:, None], 3, axis=1), rtol=1e-6)
    result = noisy_network_input_information(
        jax.random.key(3), centres[0], noise_std=0.4, draws=200
    )
    mixture = gaussian_mixture_information_estimate(jax.random.key(4), first, 0.4, draws=600)
    bounds = gaussian_mixture_information_bounds(first, 0.4)
    error = np.hypot(result.standard_error, mixture.input_standard_error)
    assert abs(result.information - mixture.input_information) < 4 * error
    assert bounds.input_lower - 4 * error <= result.information
    assert result.information <= bounds.input_upper + 4 * error


def two_layer_reference(a, weights, std):
    """I(X; T_2) in nats of T_1 = tanh(w_1 x) + Z_1, T_2 = tanh(w_2 T_1) + Z_2, X uniform
    on {-a, a}: p(t_2 | x) = integral of N(t_1; tanh(w_1 x), std) N(t_2; tanh(w_2 t_1),
    std) over t_1, on a grid (trapezoid rule)."""
    w1, w2 = weights
    t1 = np.linspace(-1 - 10 * std, 1 + 10 * std, 3001)
    t2 = np.linspace(-1 - 10 * std, 1 + 10 * std, 3001)
    kernel = normal_pdf(t2[:, None], np.tanh(w2 * t1)[None, :], std)
    conditionals = [
        np.trapezoid(kernel * normal_pdf(t1, np.tanh(w1 * x), std)[None, :], t1, axis=1)
        for x in (-a, a)
    ]

    def entropy(p):
        return -np.trapezoid(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0), t2)

    marginal = 0.5 * (conditionals[0] + conditionals[1])
    return entropy(marginal) - 0.5 * (entropy(conditionals[0]) + entropy(conditionals[1]))


def test_second_noisy_layer_matches_numerical_integration():
    std, weights = 0.5, (1.5, 2.0)
    model = MLP(1, (1, 1), 2, activation="tanh", noise_std=std, rngs=nnx.Rngs(0))
    set_weights(model, 0, [[weights[0]]], [0.0])
    set_weights(model, 1, [[weights[1]]], [0.0])
    x = jnp.asarray([[-1.0], [1.0]])
    centres = noisy_layer_centres(jax.random.key(5), model, x, samples=500)
    # The second layer's samples of one input spread: T_2 | X is not Gaussian.
    assert float(jnp.std(centres[1][0])) > 0.1
    result = noisy_network_input_information(jax.random.key(6), centres[1], noise_std=std)
    exact = two_layer_reference(1.0, weights, std)
    # The Monte Carlo error given the centres, plus the centres' own sampling: over 20
    # pairs of keys the estimates (exact 0.479 nats) had mean 0.477 and sd 0.016 with a
    # mean standard error of 0.018; 4 SE + 0.02 is over 5 of those sd.
    assert abs(float(result.information) - exact) < 4 * float(result.standard_error) + 0.02
    # The same mixture is bracketed by the pairwise-distance bounds on I(Z; input).
    n, m, _ = centres[1].shape
    bounds = gaussian_mixture_information_bounds(
        centres[1].reshape(n * m, 1), std, jnp.repeat(jnp.arange(n), m)
    )
    slack = 4 * float(result.standard_error)
    assert bounds.label_lower - slack <= result.information <= bounds.label_upper + slack


@pytest.mark.slow
def test_standard_error_shrinks_with_samples_per_input():
    model = MLP(2, (3, 3), 2, activation="tanh", noise_std=0.3, rngs=nnx.Rngs(1))
    x = jax.random.normal(jax.random.key(7), (6, 2))
    errors = []
    for samples in (8, 128):
        centres = noisy_layer_centres(jax.random.key(8), model, x, samples=samples)
        errors.append(noisy_network_input_information(jax.random.key(9), centres[1], noise_std=0.3))
    # n m terms: the error falls about as 1 / sqrt(m), by 4 from m = 8 to 128.
    assert errors[1].standard_error < 0.5 * errors[0].standard_error
    assert abs(errors[1].information - errors[0].information) < 4 * errors[0].standard_error


def test_jit_vmap_and_base():
    centres = jax.random.normal(jax.random.key(10), (2, 5, 8, 3))
    keys = jax.random.split(jax.random.key(11), 2)

    def estimate(key, c):
        return noisy_network_input_information(key, c, noise_std=0.5)

    batched = jax.jit(jax.vmap(estimate))(keys, centres)
    for i in range(2):
        one = estimate(keys[i], centres[i])
        np.testing.assert_allclose(batched.information[i], one.information, rtol=1e-5)
        np.testing.assert_allclose(batched.standard_error[i], one.standard_error, rtol=1e-4)
    bits = noisy_network_input_information(keys[0], centres[0], noise_std=0.5, base=2)
    np.testing.assert_allclose(bits.information, batched.information[0] / np.log(2), rtol=1e-5)
    assert 0 <= batched.information[0] <= np.log(5)
    traced_std = jax.jit(
        lambda s: noisy_network_input_information(keys[0], centres[0], noise_std=s)
    )(0.5)
    np.testing.assert_allclose(traced_std.information, batched.information[0], rtol=1e-5)


def test_centres_under_jit_match_eager():
    model = MLP(2, (3, 4), 2, noise_std=0.2, rngs=nnx.Rngs(2))
    x = jax.random.normal(jax.random.key(12), (5, 2))
    eager = noisy_layer_centres(jax.random.key(13), model, x, samples=3)
    jitted = jax.jit(lambda k: noisy_layer_centres(k, model, x, samples=3))(jax.random.key(13))
    for a, b in zip(eager, jitted, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # A draw's second-layer centre is the layer applied to that draw's noisy T_1.
    _, hidden = model(x, noise_key=jax.random.split(jax.random.key(13), 3)[0])
    np.testing.assert_allclose(
        eager[1][:, 0], jnp.tanh(model.hidden_layers[1](hidden[0])), rtol=1e-5, atol=1e-6
    )


def test_bad_inputs():
    key = jax.random.key(0)
    good = jnp.zeros((3, 2, 2))
    with pytest.raises(ValueError, match="`centres`"):
        noisy_network_input_information(key, jnp.zeros((3, 2)), noise_std=1.0)
    with pytest.raises(ValueError, match="`centres` contains NaN"):
        noisy_network_input_information(key, good.at[0, 0, 0].set(jnp.nan), noise_std=1.0)
    with pytest.raises(TypeError, match="`centres`"):
        noisy_network_input_information(key, np.array([["a"]]), noise_std=1.0)
    with pytest.raises(ValueError, match="`noise_std`"):
        noisy_network_input_information(key, good, noise_std=0.0)
    with pytest.raises(ValueError, match="`noise_std`"):
        noisy_network_input_information(key, good, noise_std=jnp.ones(2))
    with pytest.raises(TypeError, match="`key`"):
        noisy_network_input_information(None, good, noise_std=1.0)
    model = MLP(2, (3,), 2, noise_std=0.1, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="`x`"):
        noisy_layer_centres(key, model, jnp.zeros((4, 3)), samples=2)
    with pytest.raises(ValueError, match="`samples`"):
        noisy_layer_centres(key, model, jnp.zeros((4, 2)), samples=0)
    with pytest.raises(TypeError, match="`model`"):
        noisy_layer_centres(key, object(), jnp.zeros((4, 2)), samples=2)
