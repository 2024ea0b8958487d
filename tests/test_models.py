"""Tests of infojax.models.MLP: shapes, initialisation, activations, noise, jit / vmap."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from reference import ACTIVATIONS_REFERENCE
from reference import mlp_forward_reference
from scipy.stats import kstest
from scipy.stats import truncnorm

from infojax.models import ACTIVATIONS
from infojax.models import MLP
from infojax.models import ClassConditionalGaussian
from infojax.models import GaussianEncoder
from infojax.models import GaussianMixturePrior
from infojax.models import NoisyEncoder


def layer_params(model):
    layers = [*model.hidden_layers, model.output_layer]
    return [(np.asarray(layer.kernel[...]), np.asarray(layer.bias[...])) for layer in layers]


def test_shapes_of_logits_and_hidden_layers():
    model = MLP(12, (10, 7, 5, 4, 3), 2, rngs=nnx.Rngs(0))
    logits, hidden = model(jnp.zeros((6, 12), jnp.float32))
    assert logits.shape == (6, 2) and logits.dtype == jnp.float32
    assert isinstance(hidden, tuple)
    assert [h.shape for h in hidden] == [(6, 10), (6, 7), (6, 5), (6, 4), (6, 3)]
    single_logits, single_hidden = model(jnp.zeros(12, jnp.float32))
    assert single_logits.shape == (2,) and single_hidden[-1].shape == (3,)
    assert model.widths == (10, 7, 5, 4, 3)
    with pytest.raises(ValueError, match=r"\(\.\.\., 12\)"):
        model(jnp.zeros((6, 11), jnp.float32))


def test_no_hidden_layers_is_a_linear_model():
    model = MLP(3, (), 4, rngs=nnx.Rngs(0))
    x = np.arange(6.0).reshape(2, 3)
    logits, hidden = model(x, noise_key=jax.random.key(0))
    assert hidden == ()
    expected, _ = mlp_forward_reference(layer_params(model), x, "tanh")
    np.testing.assert_allclose(logits, expected, atol=1e-12)


def test_initial_weights_truncated_normal_with_fan_in_std():
    fan_in, fan_out = 400, 300
    model = MLP(fan_in, (fan_out,), 2, rngs=nnx.Rngs(1))
    kernel = np.asarray(model.hidden_layers[0].kernel[...], np.float64).ravel()
    scale = 1 / np.sqrt(fan_in)
    # tf.truncated_normal(stddev=scale): N(0, scale^2) cut at +-2 scale, not rescaled.
    expected = truncnorm(-2, 2, scale=scale)
    assert np.abs(kernel).max() <= 2 * scale
    # n = 120000 draws: the standard error of the sample std is about 0.2% of it;
    # 1% is 5 standard errors. The mean: 5 standard errors of the mean.
    assert kernel.std() == pytest.approx(expected.std(), rel=0.01)
    assert abs(kernel.mean()) < 5 * expected.std() / np.sqrt(kernel.size)
    # Shape of the distribution: a KS test at level 1e-3.
    assert kstest(kernel, expected.cdf).pvalue > 1e-3
    for layer in [*model.hidden_layers, model.output_layer]:
        np.testing.assert_array_equal(layer.bias[...], 0.0)
    output_kernel = np.asarray(model.output_layer.kernel[...])
    assert np.abs(output_kernel).max() <= 2 / np.sqrt(fan_out)


# float64 parameters and a comparison at 1e-12 with the NumPy forward pass.
@pytest.mark.float64
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_match_numpy(name):
    x = np.linspace(-6.0, 6.0, 241)
    # Float64 elementwise functions: agreement to a few ulps.
    np.testing.assert_allclose(
        ACTIVATIONS[name](jnp.asarray(x)), ACTIVATIONS_REFERENCE[name](x), rtol=1e-12, atol=1e-14
    )
    model = MLP(5, (8, 6), 3, activation=name, param_dtype=jnp.float64, rngs=nnx.Rngs(2))
    inputs = np.random.default_rng(0).normal(size=(7, 5))
    logits, hidden = model(inputs)
    expected_logits, expected_hidden = mlp_forward_reference(layer_params(model), inputs, name)
    np.testing.assert_allclose(logits, expected_logits, rtol=1e-12, atol=1e-12)
    for got, expected in zip(hidden, expected_hidden, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_noise_is_additive_gaussian_on_every_hidden_layer():
    noise_std = 0.3
    model = MLP(4, (64, 64), 2, activation="tanh", noise_std=noise_std, rngs=nnx.Rngs(3))
    params = layer_params(model)
    x = np.random.default_rng(1).normal(size=(2000, 4)).astype(np.float32)
    _, clean = model(x)
    _, noisy = model(x, noise_key=jax.random.key(7))
    # Layer 1: noise on top of the clean activation. Layer 2: its clean part is the
    # layer applied to the noisy layer 1 (computed here in NumPy).
    layer_two_clean = np.tanh(np.asarray(noisy[0], np.float64) @ params[1][0] + params[1][1])
    noises = [
        np.asarray(noisy[0], np.float64) - np.asarray(clean[0]),
        np.asarray(noisy[1], np.float64) - layer_two_clean,
    ]
    for noise in noises:
        n = noise.size  # 128000 draws
        # Std: standard error ~0.2% of it, 1.5% tolerance (7 standard errors, plus
        # float32 rounding of the activations, ~1e-7). Mean: 5 standard errors.
        assert noise.std() == pytest.approx(noise_std, rel=0.015)
        assert abs(noise.mean()) < 5 * noise_std / np.sqrt(n)
        assert kstest(noise.ravel() / noise_std, "norm").pvalue > 1e-3
        # Units are independent: correlation of two units ~ N(0, 1/2000).
        correlation = np.corrcoef(noise[:, 0], noise[:, 1])[0, 1]
        assert abs(correlation) < 5 / np.sqrt(noise.shape[0])


def test_noise_only_with_a_key_and_positive_std():
    x = jnp.ones((3, 4), jnp.float32)
    noisy_model = MLP(4, (5,), 2, noise_std=0.5, rngs=nnx.Rngs(0))
    quiet_model = MLP(4, (5,), 2, noise_std=0.0, rngs=nnx.Rngs(0))
    clean_logits, clean_hidden = noisy_model(x)
    quiet_logits, quiet_hidden = quiet_model(x, noise_key=jax.random.key(0))
    np.testing.assert_array_equal(clean_logits, quiet_logits)
    np.testing.assert_array_equal(clean_hidden[0], quiet_hidden[0])
    first = noisy_model(x, noise_key=jax.random.key(1))[1][0]
    again = noisy_model(x, noise_key=jax.random.key(1))[1][0]
    other = noisy_model(x, noise_key=jax.random.key(2))[1][0]
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


@pytest.mark.parametrize(
    "param_dtype", [jnp.float32, pytest.param(jnp.float64, marks=pytest.mark.float64)]
)
def test_dtype_follows_params_and_input(param_dtype):
    model = MLP(3, (4,), 2, noise_std=0.1, param_dtype=param_dtype, rngs=nnx.Rngs(0))
    for parameter in jax.tree.leaves(nnx.state(model, nnx.Param)):
        assert parameter.dtype == param_dtype
    x = jnp.ones((2, 3), param_dtype)
    logits, hidden = model(x, noise_key=jax.random.key(0))
    assert logits.dtype == param_dtype and hidden[0].dtype == param_dtype


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"activation": "swish"}, ValueError, "elu.*gelu.*linear.*relu"),
        ({"noise_std": -0.1}, ValueError, "noise_std"),
        ({"widths": (3, 0)}, ValueError, "widths"),
        ({"widths": 3}, TypeError, "widths"),
        ({"in_features": 2.0}, ValueError, "in_features"),
        ({"out_features": 0}, ValueError, "out_features"),
        ({"param_dtype": jnp.int32}, TypeError, "param_dtype"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    arguments = {"in_features": 2, "widths": (3,), "out_features": 2} | kwargs
    with pytest.raises(error, match=match):
        MLP(**arguments, rngs=nnx.Rngs(0))


def test_split_merge_under_jit():
    model = MLP(6, (5, 4), 3, noise_std=0.2, rngs=nnx.Rngs(4))
    graphdef, state = nnx.split(model)
    x = jnp.asarray(np.random.default_rng(2).normal(size=(8, 6)), jnp.float32)
    key = jax.random.key(5)

    @jax.jit
    def forward(state, x, key):
        return nnx.merge(graphdef, state)(x, noise_key=key)

    jitted_logits, jitted_hidden = forward(state, x, key)
    eager_logits, eager_hidden = model(x, noise_key=key)
    # XLA may fuse float32 operations differently: a few float32 ulps.
    np.testing.assert_allclose(jitted_logits, eager_logits, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(jitted_hidden[1], eager_hidden[1], rtol=1e-5, atol=1e-6)

    def loss(state):
        logits, _ = nnx.merge(graphdef, state)(x)
        return jnp.mean(logits**2)

    gradient = jax.jit(jax.grad(loss))(state)
    assert all(np.isfinite(leaf).all() for leaf in jax.tree.leaves(gradient))


def test_models_of_several_seeds_with_vmap():
    widths, seeds = (5, 4), 3
    keys = jax.random.split(jax.random.key(0), seeds)
    noise_keys = jax.random.split(jax.random.key(1), seeds)
    x = jnp.asarray(np.random.default_rng(3).normal(size=(8, 6)), jnp.float32)

    def create(key):
        return MLP(6, widths, 2, noise_std=0.1, rngs=nnx.Rngs(key))

    # One model per seed with nnx.vmap; the same stacked state with jax.vmap.
    models = nnx.vmap(create)(keys)
    assert models.hidden_layers[0].kernel[...].shape == (seeds, 6, 5)
    graphdef, states = nnx.split(models)
    jax_vmap_states = jax.vmap(lambda key: nnx.state(create(key)))(keys)
    jax.tree.map(np.testing.assert_array_equal, states, jax_vmap_states)

    # Called as a train step would: merge inside a jitted vmap over the seed axis.
    @jax.jit
    def forward(states, keys):
        def one_seed(state, key):
            return nnx.merge(graphdef, state)(x, noise_key=key)

        return jax.vmap(one_seed)(states, keys)

    logits, hidden = forward(states, noise_keys)
    assert logits.shape == (seeds, 8, 2) and hidden[1].shape == (seeds, 8, 4)
    # Each slice is the model of that seed alone (float32, jit vs eager: a few ulps).
    for seed in range(seeds):
        single_logits, single_hidden = create(keys[seed])(x, noise_key=noise_keys[seed])
        np.testing.assert_allclose(logits[seed], single_logits, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(hidden[0][seed], single_hidden[0], rtol=1e-5, atol=1e-6)
    assert not np.allclose(logits[0], logits[1])


# Stochastic encoders and the learned densities of the IB objectives.


def test_gaussian_encoder_outputs_and_samples():
    encoder = GaussianEncoder(5, (16,), 3, std_offset=2.0, rngs=nnx.Rngs(0))
    x = jnp.asarray(np.random.default_rng(0).normal(size=(4, 5)), jnp.float32)
    mean, std = encoder(x)
    assert mean.shape == std.shape == (4, 3)
    # std = softplus(a - offset) with (mean, a) the network's two halves.
    outputs, _ = encoder.network(x)
    np.testing.assert_allclose(mean, outputs[:, :3], rtol=1e-6)
    np.testing.assert_allclose(std, np.log1p(np.exp(np.asarray(outputs[:, 3:]) - 2.0)), rtol=1e-5)
    draws = jax.vmap(lambda key: encoder.sample(key, x))(
        jax.random.split(jax.random.key(1), 20_000)
    )
    # Monte Carlo moments of 2e4 draws: within 5 standard errors.
    np.testing.assert_allclose(draws.mean(0), mean, atol=float(5 * std.max() / np.sqrt(20_000)))
    np.testing.assert_allclose(draws.std(0), std, rtol=0.05)


@pytest.mark.parametrize("learn_noise", [True, False])
def test_noisy_encoder_noise_is_trained_only_when_asked(learn_noise):
    encoder = NoisyEncoder(4, (8,), 2, noise_std=0.3, learn_noise=learn_noise, rngs=nnx.Rngs(0))
    mean, std = encoder(jnp.ones((6, 4)))
    assert mean.shape == std.shape == (6, 2)
    np.testing.assert_allclose(std, 0.3, rtol=1e-6)
    trained = nnx.state(encoder, nnx.Param)
    assert ("log_noise_std" in trained) == learn_noise
    z = encoder.sample(jax.random.key(0), jnp.ones((6, 4)))
    assert z.shape == (6, 2) and not np.allclose(z, mean)


def test_class_conditional_gaussian_and_mixture_prior_shapes():
    backward = ClassConditionalGaussian(3, 2, rngs=nnx.Rngs(0))
    mean, std = backward(jnp.asarray([0, 2, 2]))
    np.testing.assert_allclose(mean[1], mean[2])
    np.testing.assert_allclose(std, 1.0)
    assert "log_stds" not in nnx.state(
        ClassConditionalGaussian(3, 2, learn_std=False, rngs=nnx.Rngs(0)), nnx.Param
    )
    prior = GaussianMixturePrior(4, 2, rngs=nnx.Rngs(0))
    assert prior.log_prob(jnp.zeros((5, 7, 2))).shape == (5, 7)


def test_stochastic_modules_under_jit_and_vmap_over_keys():
    def build(key):
        return nnx.split(GaussianEncoder(3, (4,), 2, rngs=nnx.Rngs(params=key)))[1]

    graphdef = nnx.split(nnx.eval_shape(lambda: GaussianEncoder(3, (4,), 2, rngs=nnx.Rngs(0))))[0]
    states = jax.vmap(build)(jax.random.split(jax.random.key(0), 3))
    x = jnp.ones((5, 3))
    means = jax.jit(jax.vmap(lambda state: nnx.merge(graphdef, state)(x)[0]))(states)
    single = nnx.merge(graphdef, jax.tree.map(lambda leaf: leaf[1], states))(x)[0]
    np.testing.assert_allclose(means[1], single, rtol=1e-6)


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: GaussianEncoder(3, (4,), 0, rngs=nnx.Rngs(0)), "`latent_features`"),
        (lambda: GaussianEncoder(3, (4,), 2, std_offset="a", rngs=nnx.Rngs(0)), "`std_offset`"),
        (lambda: NoisyEncoder(3, (4,), 2, noise_std=0.0, rngs=nnx.Rngs(0)), "`noise_std`"),
        (lambda: ClassConditionalGaussian(0, 2, rngs=nnx.Rngs(0)), "`n_classes`"),
        (lambda: GaussianMixturePrior(2, -1, rngs=nnx.Rngs(0)), "`latent_features`"),
    ],
)
def test_stochastic_modules_reject_bad_sizes(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_stochastic_modules_take_rngs_by_keyword_only():
    with pytest.raises(TypeError):
        GaussianEncoder(3, (4,), 2, nnx.Rngs(0))
