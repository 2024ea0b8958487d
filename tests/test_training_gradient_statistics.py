"""Gradient statistics of an epoch: against a plain loop that recomputes each minibatch's
gradient with jax.grad, one at a time, and reduces the stack in NumPy."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from infojax.models import MLP
from infojax.training import GradientStatistics
from infojax.training import Trainer
from infojax.training import shuffled_indices

KERNELS = ("hidden_layers/0/kernel", "hidden_layers/1/kernel", "output_layer/kernel")


def noisy_cross_entropy(key, model, x, y):
    logits, _ = model(x, noise_key=key)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y)


def make_trainer(optimizer, batch_size=16, param_dtype=jnp.float32):
    def factory(rngs):
        return MLP(6, (5, 4), 3, noise_std=0.1, param_dtype=param_dtype, rngs=rngs)

    return Trainer.create(factory, optimizer, batch_size=batch_size, loss_fn=noisy_cross_entropy)


def data(n=70, dtype=jnp.float32):
    x = jax.random.normal(jax.random.key(1), (n, 6), dtype)
    return x, (x[:, 0] > 0).astype(jnp.int32) + (x[:, 1] > 1).astype(jnp.int32)


def reference_epoch(trainer, state, x, y):
    """The epoch written out batch by batch; the gradient statistics in NumPy."""
    n = x.shape[0]
    n_batches = -(-n // trainer.batch_size)
    _, order_key, noise_key = jax.random.split(state.key, 3)
    order = np.asarray(shuffled_indices(order_key, n))
    batch_keys = jax.random.split(noise_key, n_batches)
    params, opt_state = state.params, state.opt_state
    gradients = {name: [] for name in KERNELS}

    def loss(params, rows, batch_key):
        model = nnx.merge(trainer.graphdef, params, state.rest)
        return jnp.mean(trainer.loss_fn(batch_key, model, x[rows], y[rows]))

    @jax.jit
    def apply(grads, opt_state, params):
        updates, opt_state = trainer.optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    gradient = jax.jit(jax.grad(loss))  # one minibatch at a time; compiled for speed
    for b in range(n_batches):
        rows = order[b * trainer.batch_size : (b + 1) * trainer.batch_size]
        grads = gradient(params, rows, batch_keys[b])
        for name in KERNELS:
            path = name.split("/")
            leaf = grads[path[0]][int(path[1])] if len(path) == 3 else grads[path[0]]
            gradients[name].append(np.asarray(leaf[path[-1]][...], np.float64).ravel())
        params, opt_state = apply(grads, opt_state, params)
    model = nnx.merge(trainer.graphdef, params, state.rest)
    matrices = {
        "hidden_layers/0/kernel": model.hidden_layers[0].kernel[...],
        "hidden_layers/1/kernel": model.hidden_layers[1].kernel[...],
        "output_layer/kernel": model.output_layer.kernel[...],
    }
    statistics = {}
    for name, stack in gradients.items():
        stack = np.stack(stack)
        mean = np.linalg.norm(stack.mean(axis=0))
        std = np.linalg.norm(stack.std(axis=0))
        norm = np.linalg.norm(np.asarray(matrices[name], np.float64))
        statistics[name] = (mean, std, mean / std, norm)
    return params, statistics


def assert_statistics_close(statistics, expected, rtol):
    assert sorted(statistics) == sorted(KERNELS)
    for name in KERNELS:
        assert isinstance(statistics[name], GradientStatistics)
        np.testing.assert_allclose(np.asarray(statistics[name]), expected[name], rtol=rtol)


# One trainer and its compiled epochs, shared by the float32 tests (compiling dominates).
TRAINER = make_trainer(optax.adam(0.05))
PLAIN_EPOCH = jax.jit(TRAINER.train_epoch)
EPOCH = jax.jit(TRAINER.train_epoch_with_gradient_statistics)


def test_statistics_match_a_batch_by_batch_loop():
    trainer = TRAINER
    x, y = data()  # 70 = 4 batches of 16 and one of 6
    state = trainer.init(jax.random.key(0))
    state = PLAIN_EPOCH(state, x, y)  # statistics of a second epoch
    new_state, statistics = EPOCH(state, x, y)
    params, expected = reference_epoch(trainer, state, x, y)
    assert_statistics_close(statistics, expected, rtol=2e-4)
    for leaf, reference in zip(
        jax.tree.leaves(new_state.params), jax.tree.leaves(params), strict=True
    ):
        np.testing.assert_allclose(leaf, reference, rtol=1e-5, atol=1e-6)


def test_state_is_bit_identical_to_train_epoch():
    x, y = data()
    plain = with_statistics = TRAINER.init(jax.random.key(2))
    for _ in range(2):
        plain = PLAIN_EPOCH(plain, x, y)
        with_statistics, _ = EPOCH(with_statistics, x, y)
    for a, b in zip(
        jax.tree.leaves((plain.params, plain.opt_state)),
        jax.tree.leaves((with_statistics.params, with_statistics.opt_state)),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        jax.random.key_data(plain.key), jax.random.key_data(with_statistics.key)
    )


def test_vmap_over_seeds_matches_each_seed():
    x, y = data()
    states = jax.vmap(TRAINER.init)(jax.random.split(jax.random.key(3), 2))
    _, statistics = jax.jit(jax.vmap(EPOCH, (0, None, None)))(states, x, y)
    assert statistics["output_layer/kernel"].grad_snr.shape == (2,)
    for seed in range(2):
        # Each seed's own epoch is checked against the loop above.
        _, expected = EPOCH(jax.tree.map(lambda leaf, s=seed: leaf[s], states), x, y)
        for name in KERNELS:
            np.testing.assert_allclose(
                [field[seed] for field in statistics[name]], expected[name], rtol=1e-5
            )


@pytest.mark.slow
@pytest.mark.float64
def test_float64():
    trainer = make_trainer(optax.sgd(0.5), param_dtype=jnp.float64)
    x, y = data(dtype=jnp.float64)
    state = trainer.init(jax.random.key(4))
    _, statistics = jax.jit(trainer.train_epoch_with_gradient_statistics)(state, x, y)
    _, expected = reference_epoch(trainer, state, x, y)
    assert statistics["output_layer/kernel"].grad_mean.dtype == jnp.float64
    assert_statistics_close(statistics, expected, rtol=1e-10)


def test_one_minibatch_has_zero_spread():
    trainer = make_trainer(optax.sgd(0.1), batch_size=128)
    x, y = data()
    _, statistics = trainer.train_epoch_with_gradient_statistics(
        trainer.init(jax.random.key(5)), x, y
    )
    for name in KERNELS:
        assert statistics[name].grad_std == 0 and statistics[name].grad_mean > 0
        assert np.isinf(statistics[name].grad_snr)


def test_a_model_without_kernels_is_refused():
    class Scale(nnx.Module):
        def __init__(self, rngs):
            self.scale = nnx.Param(jnp.ones(3))

        def __call__(self, x):
            return x * self.scale.value

    def loss(key, model, x, y):
        return jnp.sum(jnp.square(model(x) - y), axis=-1)

    trainer = Trainer.create(Scale, optax.sgd(0.1), batch_size=4, loss_fn=loss)
    state = trainer.init(jax.random.key(0))
    with pytest.raises(ValueError, match="`params` has no `kernel`"):
        trainer.train_epoch_with_gradient_statistics(state, jnp.ones((8, 3)), jnp.ones((8, 3)))
