"""Tests of infojax.training: optimizers by name, the pure per-seed trainer, many seeds."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx
from reference import softmax_cross_entropy_reference

from infojax.models import MLP
from infojax.training import Trainer
from infojax.training import TrainState
from infojax.training import make_optimizer
from infojax.training import padded_seed_count
from infojax.training import run_epochs
from infojax.training import seed_keys
from infojax.training import seed_mesh
from infojax.training import shuffled_indices
from infojax.training._trainer import _keyed_permutation


def cross_entropy(key, model, x, y):
    logits, _ = model(x, noise_key=key)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y)


def _trainer(optimizer, batch_size, dtype=jnp.float32, widths=(3,), loss_fn=cross_entropy):
    def model_factory(rngs):
        return MLP(4, widths, 2, activation="tanh", param_dtype=dtype, rngs=rngs)

    return Trainer.create(model_factory, optimizer, batch_size=batch_size, loss_fn=loss_fn)


def _evaluate(trainer, state, x, y):
    logits, _ = trainer.model(state)(x)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
    return loss, (jnp.argmax(logits, axis=-1) == y).mean()


def _data(n=10, dtype=np.float64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(dtype)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int32)
    return x, y


def _numpy_params(trainer, state):
    model = nnx.merge(trainer.graphdef, state.params, state.rest)
    layer, output = model.hidden_layers[0], model.output_layer
    return [
        np.asarray(v[...], np.float64)
        for v in (layer.kernel, layer.bias, output.kernel, output.bias)
    ]


def _numpy_logits(params, x):
    w1, b1, w2, b2 = params
    hidden = np.tanh(x @ w1 + b1)
    return hidden @ w2 + b2, hidden


def _numpy_gradient(params, x, y):
    """Gradient of the mean softmax cross-entropy of a 1-hidden-layer tanh network,
    by hand-written backpropagation."""
    _w1, _b1, w2, _b2 = params
    logits, hidden = _numpy_logits(params, x)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    d_logits = (p - np.eye(2)[y]) / len(y)
    d_hidden = d_logits @ w2.T * (1 - hidden**2)
    return [x.T @ d_hidden, d_hidden.sum(0), hidden.T @ d_logits, d_logits.sum(0)]


# --- optimizers ---


def test_make_optimizer_sgd_step_is_minus_learning_rate_times_gradient():
    optimizer = make_optimizer("sgd", learning_rate=0.25)
    grads = {"w": jnp.array([1.0, -2.0])}
    updates, _ = optimizer.update(grads, optimizer.init(grads))
    np.testing.assert_allclose(updates["w"], [-0.25, 0.5])


@pytest.mark.float64  # compared with the reference step at float64 precision
def test_make_optimizer_adam_first_step_is_minus_learning_rate_times_sign():
    # Adam's first bias-corrected step is -lr * g / (|g| + eps) = -lr * sign(g).
    optimizer = make_optimizer("adam", learning_rate=4e-4, eps=1e-12)
    grads = {"w": jnp.array([3.0, -0.5])}
    updates, _ = optimizer.update(grads, optimizer.init(grads))
    np.testing.assert_allclose(updates["w"], [-4e-4, 4e-4], rtol=1e-6)


@pytest.mark.parametrize(
    ("name", "learning_rate", "options", "match"),
    [
        ("adamm", 1e-3, {}, "optimizer.name"),
        ("softmax_cross_entropy", 1e-3, {}, "optimizer.name"),
        ("adam", 0.0, {}, "learning_rate"),
        ("adam", -1.0, {}, "learning_rate"),
        ("sgd", 0.1, {"betas": 0.9}, "Unknown option"),
    ],
)
def test_make_optimizer_errors(name, learning_rate, options, match):
    with pytest.raises(ValueError, match=match):
        make_optimizer(name, learning_rate=learning_rate, **options)


# --- one seed ---


@pytest.mark.parametrize(
    "dtype", [jnp.float32, pytest.param(jnp.float64, marks=pytest.mark.float64)]
)
def test_full_batch_epoch_is_one_sgd_step_on_the_reference_gradient(dtype):
    x, y = _data(dtype=np.dtype(dtype))
    trainer = _trainer(optax.sgd(0.5), batch_size=len(x), dtype=dtype)
    state = trainer.init(jax.random.key(1))
    before = _numpy_params(trainer, state)
    after_state = jax.jit(trainer.train_epoch)(state, x, y)
    after = _numpy_params(trainer, after_state)
    assert jax.tree.leaves(after_state.params)[0].dtype == dtype
    for new, old, grad in zip(after, before, _numpy_gradient(before, x, y), strict=True):
        # Float64 backpropagation by hand; float32 rounding of 10 samples ~1e-7.
        np.testing.assert_allclose(
            new, old - 0.5 * grad, atol=1e-6 if dtype == jnp.float32 else 1e-12
        )


@pytest.mark.float64  # hand-written float64 backpropagation at 1e-12
def test_minibatches_visit_each_example_once_last_batch_smaller():
    # 10 examples in batches of 4: steps on 4, 4 and the last 2 (a mean over 2), in
    # the order of the epoch's permutation.
    x, y = _data()
    trainer = _trainer(optax.sgd(0.3), batch_size=4, dtype=jnp.float64)
    state = trainer.init(jax.random.key(2))
    params = _numpy_params(trainer, state)
    _, order_key, _ = jax.random.split(state.key, 3)
    order = np.asarray(shuffled_indices(order_key, len(x)))
    for batch in (order[:4], order[4:8], order[8:]):
        grads = _numpy_gradient(params, x[batch], y[batch])
        params = [p - 0.3 * g for p, g in zip(params, grads, strict=True)]
    result = trainer.train_epoch(state, x, y)
    for new, expected in zip(_numpy_params(trainer, result), params, strict=True):
        np.testing.assert_allclose(new, expected, atol=1e-12)
    assert not np.array_equal(jax.random.key_data(result.key), jax.random.key_data(state.key))


@pytest.mark.parametrize(
    "dtype", [jnp.float32, pytest.param(jnp.float64, marks=pytest.mark.float64)]
)
def test_model_of_a_state_matches_reference(dtype):
    x, y = _data(n=50, dtype=np.dtype(dtype))
    trainer = _trainer(optax.adam(1e-3), batch_size=8, dtype=dtype)
    state = trainer.init(jax.random.key(3))
    params = _numpy_params(trainer, state)
    logits, hidden = _numpy_logits(params, np.asarray(x, np.float64))
    loss, accuracy = jax.jit(lambda s: _evaluate(trainer, s, x, y))(state)
    expected_loss, expected_accuracy = softmax_cross_entropy_reference(logits, y)
    assert loss.dtype == dtype
    tolerance = 1e-6 if dtype == jnp.float32 else 1e-12
    np.testing.assert_allclose(loss, expected_loss, rtol=tolerance)
    np.testing.assert_allclose(accuracy, expected_accuracy)
    got_logits, got_hidden = trainer.model(state)(x)
    np.testing.assert_allclose(got_logits, logits, atol=tolerance)
    np.testing.assert_allclose(got_hidden[0], hidden, atol=tolerance)


@pytest.mark.float64  # float64 parameters, compared at 1e-12
def test_any_loss_function_trains():
    # Least squares on the logit difference: the trainer takes the mean of whatever
    # per-example losses it is given; one full-batch SGD step equals the step on the
    # gradient of that mean, computed here with jax.grad on the merged model.
    x, y = _data(n=12, dtype=np.float64)

    def squared_error(key, model, x, y):
        del key
        logits, _ = model(x)
        return (logits[:, 1] - logits[:, 0] - (2.0 * y - 1.0)) ** 2

    trainer = _trainer(optax.sgd(0.1), batch_size=12, dtype=jnp.float64, loss_fn=squared_error)
    state = trainer.init(jax.random.key(5))

    def mean_loss(params):
        model = nnx.merge(trainer.graphdef, params, state.rest)
        return squared_error(None, model, x, y).mean()

    expected = jax.tree.map(
        lambda p, g: p - 0.1 * g, state.params, jax.grad(mean_loss)(state.params)
    )
    after = trainer.train_epoch(state, x, y)
    for got, want in zip(jax.tree.leaves(after.params), jax.tree.leaves(expected), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_shuffled_indices_are_uniform_permutations():
    orders = np.asarray(jax.vmap(lambda key: shuffled_indices(key, 5))(seed_keys(0, 6000)))
    assert (np.sort(orders, axis=1) == np.arange(5)).all()
    # Each index lands in each position with probability 1/5: counts ~ Binomial(6000,
    # 1/5), sd 31; 5 sd bounds the 25 counts together (false alarm < 1e-5).
    counts = np.stack([(orders == index).sum(axis=0) for index in range(5)])
    assert np.abs(counts - 1200).max() < 5 * 31


def test_shuffled_indices_are_uniform_over_all_orders():
    # All 24 orders of 4 items equally likely: counts over 24,000 keys ~ Binomial(24000,
    # 1/24), sd 31; 5 sd bounds the 24 counts together (false alarm about 1e-5).
    orders = np.asarray(jax.vmap(lambda key: shuffled_indices(key, 4))(seed_keys(1, 24000)))
    codes = orders @ np.array([64, 16, 4, 1])
    _, counts = np.unique(codes, return_counts=True)
    assert len(counts) == 24
    assert np.abs(counts - 1000).max() < 5 * 31


def test_keyed_permutation_rounds_break_ties_of_short_keys():
    # With 28 position bits only 4 random bits are left per sort, so one sort leaves
    # about 1 in 16 pairs tied in index order; 8 rounds sort by a 32-bit key and the
    # order of 4 items is uniform again (same bounds as above).
    permutation = jax.vmap(lambda key: _keyed_permutation(key, 4, index_bits=28))
    orders = np.asarray(permutation(seed_keys(2, 24000)))
    assert (np.sort(orders, axis=1) == np.arange(4)).all()
    _, counts = np.unique(orders @ np.array([64, 16, 4, 1]), return_counts=True)
    assert len(counts) == 24
    assert np.abs(counts - 1000).max() < 5 * 31


@pytest.mark.parametrize("n", [1, 2, 3277, 65536, 65537])
def test_shuffled_indices_is_a_permutation(n):
    order = np.asarray(jax.jit(shuffled_indices, static_argnums=1)(jax.random.key(n), n))
    assert order.dtype == np.int32
    np.testing.assert_array_equal(np.sort(order), np.arange(n))


def test_training_lowers_the_loss():
    x, y = _data(n=64)
    trainer = _trainer(optax.adam(0.05), batch_size=16, widths=(8,))
    state = trainer.init(jax.random.key(4))
    first_loss, _ = _evaluate(trainer, state, x, y)
    epoch = jax.jit(trainer.train_epoch)
    for _ in range(30):
        state = epoch(state, x, y)
    last_loss, accuracy = _evaluate(trainer, state, x, y)
    assert last_loss < 0.5 * first_loss
    assert accuracy > 0.9


def test_create_rejects_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        _trainer(optax.sgd(0.1), batch_size=0)


# --- many seeds ---


def test_seed_keys_do_not_depend_on_the_number_of_seeds():
    data = jax.random.key_data
    np.testing.assert_array_equal(data(seed_keys(7, 3)), data(seed_keys(7, 5))[:3])
    assert len({tuple(key) for key in np.asarray(data(seed_keys(7, 5)))}) == 5


def test_padded_seed_count():
    mesh = seed_mesh()
    assert padded_seed_count(5, mesh) == 5 * mesh.size if mesh.size == 1 else True
    assert padded_seed_count(mesh.size * 3, mesh) == mesh.size * 3


def test_vmapped_seeds_equal_one_seed_at_a_time():
    x, y = _data(n=20)
    trainer = _trainer(optax.adam(1e-2), batch_size=8)
    keys = seed_keys(0, 3)
    states = jax.vmap(trainer.init)(keys)
    states = jax.jit(jax.vmap(trainer.train_epoch, in_axes=(0, None, None)))(states, x, y)
    one_seed = jax.jit(lambda key: trainer.train_epoch(trainer.init(key), x, y))
    for seed in range(3):
        alone = one_seed(keys[seed])
        pairs = zip(_arrays(states), _arrays(alone), strict=True)
        for stacked, single in pairs:
            np.testing.assert_allclose(stacked[seed], single, rtol=1e-6, atol=1e-7)


def _arrays(tree):
    """The leaves of ``tree`` as comparable arrays (typed keys as their key data)."""
    is_key = lambda leaf: jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)
    return [jax.random.key_data(leaf) if is_key(leaf) else leaf for leaf in jax.tree.leaves(tree)]


def test_run_epochs_measures_then_trains_under_masks():
    # A toy "training" that adds the seed's step to its state, measured as 10 x state.
    states = TrainState(jnp.array([0.0, 100.0]), None, jnp.array([1.0, 2.0]), jnp.zeros((2, 2)))

    def train_epoch(state):
        return state._replace(params=state.params + state.opt_state)

    def measure(state):
        return {"value": 10 * state.params}

    measure_mask = jnp.array([True, False, True, True, False])
    train_mask = jnp.array([True, True, False, True, False])
    final, measured = jax.jit(
        lambda s, m, t: run_epochs(train_epoch, measure, s, measure_mask=m, train_mask=t)
    )(states, measure_mask, train_mask)
    # Seed 0: params 0 -> (measure 0) 1 -> 2 -> (measure 20, no train) -> (measure 20) 3.
    np.testing.assert_allclose(final.params, [3.0, 106.0])
    np.testing.assert_allclose(
        measured["value"], [[0, 1000], [0, 0], [20, 1040], [20, 1040], [0, 0]]
    )


def test_run_epochs_with_statistics_after_measured_epochs_only():
    # The toy "training" of the test above; its statistics are the params before the
    # epoch.
    states = TrainState(jnp.array([0.0, 100.0]), jnp.zeros(2), jnp.array([1.0, 2.0]), None)

    def train_epoch(state):
        return state._replace(params=state.params + state.opt_state)

    def train_epoch_with_statistics(state):
        return train_epoch(state), {"before": state.params}

    def measure(state):
        return {"value": 10 * state.params}

    measure_mask = jnp.array([True, False, True, True, False])
    train_mask = jnp.array([True, True, False, True, False])

    def scan(states, measure_mask, train_mask, **options):
        return run_epochs(
            train_epoch,
            measure,
            states,
            measure_mask=measure_mask,
            train_mask=train_mask,
            **options,
        )

    plain_final, plain_measured = jax.jit(scan)(states, measure_mask, train_mask)
    final, (measured, statistics) = jax.jit(
        lambda *args: scan(*args, train_epoch_with_statistics=train_epoch_with_statistics)
    )(states, measure_mask, train_mask)
    np.testing.assert_array_equal(final.params, plain_final.params)
    np.testing.assert_array_equal(measured["value"], plain_measured["value"])
    # Step 0 measures then trains: statistics; step 2 measures without training: NaN;
    # step 3 measures then trains (from params 2 and 104); steps 1 and 4: no measurement.
    nan = np.nan
    np.testing.assert_array_equal(
        statistics["before"], [[0, 100], [nan, nan], [nan, nan], [2, 104], [nan, nan]]
    )


class _Scale(nnx.Variable):
    """A per-network constant that is not trained."""


def test_factory_arguments_differ_per_network_under_vmap():
    # Networks whose loss is scaled by a per-network constant (as an IB objective's
    # beta) train together; each equals the same network trained alone.
    class Scaled(nnx.Module):
        def __init__(self, scale, *, rngs):
            self.network = MLP(4, (3,), 2, activation="tanh", rngs=rngs)
            self.scale = _Scale(jnp.asarray(scale, jnp.float32))

    def scaled_loss(key, model, x, y):
        return model.scale[...] * cross_entropy(key, model.network, x, y)

    trainer = Trainer.create(
        lambda rngs, scale: Scaled(scale, rngs=rngs),
        optax.sgd(0.5),
        batch_size=8,
        loss_fn=scaled_loss,
        factory_args=(1.0,),
    )
    x, y = _data(n=20)
    keys, scales = seed_keys(0, 3), jnp.asarray([0.0, 1.0, 3.0])
    states = jax.vmap(trainer.init)(keys, scales)
    assert "scale" not in states.params and "scale" in states.rest
    states = jax.jit(jax.vmap(trainer.train_epoch, in_axes=(0, None, None)))(states, x, y)
    one = jax.jit(lambda key, scale: trainer.train_epoch(trainer.init(key, scale), x, y))
    for index in range(3):
        alone = one(keys[index], scales[index])
        for stacked, single in zip(_arrays(states), _arrays(alone), strict=True):
            np.testing.assert_allclose(stacked[index], single, rtol=1e-6, atol=1e-7)
    # Scale 0: the loss is zero, so the parameters do not move.
    initial = jax.vmap(trainer.init)(keys, scales)
    for before, after in zip(
        jax.tree.leaves(initial.params), jax.tree.leaves(states.params), strict=True
    ):
        np.testing.assert_array_equal(before[0], after[0])
        assert not np.allclose(before[2], after[2])
