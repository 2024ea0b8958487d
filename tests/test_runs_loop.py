"""The chunked training loop itself: the progress line while the training program
compiles, and gradient statistics recorded inside the compiled chunks, against a plain
loop of jitted epochs."""

import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from config_files import ROOT
from flax import nnx

from infojax.io import RunDirectory
from infojax.models import MLP
from infojax.runs import RowSchema
from infojax.runs import Training
from infojax.runs import train_in_chunks
from infojax.training import GradientStatistics
from infojax.training import Trainer
from infojax.training import seed_keys
from infojax.training import seed_mesh
from infojax.training import shuffled_indices

EPOCHS = 5
KERNELS = ("hidden_layers/0/kernel", "output_layer/kernel")
SCHEMA = RowSchema(columns=("epoch", "seed", "loss"), keys=("seed",))


def cross_entropy(key, model, x, y):
    logits, _ = model(x, noise_key=key)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y)


def make_trainer():
    def factory(rngs):
        return MLP(4, (3,), 2, noise_std=0.1, rngs=rngs)

    # 30 examples: 3 batches of 8 and one of 6.
    return Trainer.create(factory, optax.adam(0.05), batch_size=8, loss_fn=cross_entropy)


def data(n=30):
    x = np.random.default_rng(0).normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int32)


def make_training(trainer, *, gradient_statistics, measure=None, devices=None):
    def measure_params(state, measure_data):
        x, y = measure_data["train"]
        logits, _ = trainer.model(state)(x)
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
        return {"loss": loss, "params": jax.tree.leaves(state.params)}

    return Training(
        trainer,
        measure_params if measure is None else measure,
        seed_mesh(devices),
        gradient_statistics=gradient_statistics,
    )


def run_loop(workdir, training, *, seeds=2, measured=range(EPOCHS + 1), progress=False):
    """Runs the loop; returns the measured host values by epoch."""
    recorded = {}

    def rows(epoch, measured_values):
        recorded[epoch] = measured_values
        for seed in range(seeds):
            yield {"epoch": epoch, "seed": seed, "loss": float(measured_values["loss"][seed])}

    x, y = data()
    with RunDirectory(workdir, {"test": 1}) as directory:
        result = train_in_chunks(
            directory,
            training,
            seed=0,
            seeds=seeds,
            epochs=EPOCHS,
            chunk_epochs=2,
            measured_epochs=measured,
            train_data=(x, y),
            measure_data={"train": (x, y)},
            schema=SCHEMA,
            rows=rows,
            expected={"seed": range(seeds)},
            progress=progress,
        )
    assert result.finished
    return recorded


TRAINER = make_trainer()
PLAIN = make_training(TRAINER, gradient_statistics=False)
WITH_STATISTICS = make_training(TRAINER, gradient_statistics=True)


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    return run_loop(tmp_path_factory.mktemp("plain"), PLAIN)


@pytest.fixture(scope="module")
def statistics_run(tmp_path_factory):
    return run_loop(tmp_path_factory.mktemp("statistics"), WITH_STATISTICS)


def test_progress_says_it_compiles_and_the_first_chunk_does_not_compile_again(tmp_path, capsys):
    compiled = []

    def listener(event, seconds, fun_name=None, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration" and "chunk" in str(fun_name):
            compiled.append(fun_name)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        # A trainer of its own: its chunk program is not yet compiled in this process.
        run_loop(tmp_path, make_training(make_trainer(), gradient_statistics=False), progress=True)
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    err = capsys.readouterr().err
    assert "compiling the training program ..." in err
    # The text shows before any epoch is counted, and is gone once one is.
    assert err.index("compiling the training program") < err.index(f"2/{EPOCHS} epochs")
    last_line = err.replace("\r", "\n").strip().splitlines()[-1]
    assert f"{EPOCHS}/{EPOCHS} epochs" in last_line and "compiling" not in last_line
    assert len(compiled) == 1, compiled


def test_statistics_match_a_plain_loop_of_epochs(statistics_run):
    keys = seed_keys(0, 2)
    states = jax.vmap(TRAINER.init)(keys)
    x, y = data()
    with_statistics = jax.jit(
        jax.vmap(TRAINER.train_epoch_with_gradient_statistics, in_axes=(0, None, None))
    )
    for epoch in range(EPOCHS):
        # Every epoch is measured here: each trains with statistics.
        states, expected = with_statistics(states, x, y)
        recorded = statistics_run[epoch]["gradients"]
        assert sorted(recorded) == sorted(KERNELS)
        for name in KERNELS:
            assert isinstance(recorded[name], GradientStatistics)
            for field in GradientStatistics._fields:
                got, want = getattr(recorded[name], field), getattr(expected[name], field)
                assert got.shape == (2,)
                np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=f"{epoch} {name}")


def test_statistics_match_numpy_minibatch_gradients(statistics_run):
    """Epoch 0's statistics of seed 0 from its minibatch gradients, one jax.grad at a
    time, reduced in NumPy."""
    x, y = data()
    state = TRAINER.init(seed_keys(0, 1)[0])
    n_batches = -(-len(x) // TRAINER.batch_size)
    _, order_key, noise_key = jax.random.split(state.key, 3)
    order = np.asarray(shuffled_indices(order_key, len(x)))
    batch_keys = jax.random.split(noise_key, n_batches)

    def loss(params, rows, batch_key):
        model = nnx.merge(TRAINER.graphdef, params, state.rest)
        return jnp.mean(cross_entropy(batch_key, model, x[rows], y[rows]))

    params, opt_state = state.params, state.opt_state
    stacks = {name: [] for name in KERNELS}
    for batch in range(n_batches):
        rows = order[batch * TRAINER.batch_size : (batch + 1) * TRAINER.batch_size]
        grads = jax.grad(loss)(params, rows, batch_keys[batch])
        stacks["hidden_layers/0/kernel"].append(grads["hidden_layers"][0]["kernel"][...])
        stacks["output_layer/kernel"].append(grads["output_layer"]["kernel"][...])
        updates, opt_state = TRAINER.optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
    recorded = statistics_run[0]["gradients"]
    for name, stack in stacks.items():
        stack = np.stack([np.asarray(g, np.float64) for g in stack])
        grad_mean = np.linalg.norm(stack.mean(axis=0))
        grad_std = np.linalg.norm(stack.std(axis=0))
        np.testing.assert_allclose(recorded[name].grad_mean[0], grad_mean, rtol=2e-4)
        np.testing.assert_allclose(recorded[name].grad_std[0], grad_std, rtol=2e-4)
        np.testing.assert_allclose(recorded[name].grad_snr[0], grad_mean / grad_std, rtol=4e-4)


def test_states_are_bit_identical_with_and_without_statistics(plain_run, statistics_run):
    assert sorted(plain_run) == sorted(statistics_run) == list(range(EPOCHS + 1))
    for epoch in plain_run:
        assert "gradients" not in plain_run[epoch]
        np.testing.assert_array_equal(plain_run[epoch]["loss"], statistics_run[epoch]["loss"])
        for a, b in zip(plain_run[epoch]["params"], statistics_run[epoch]["params"], strict=True):
            np.testing.assert_array_equal(a, b)


def test_no_statistics_where_no_epoch_follows_the_measurement(statistics_run):
    last = statistics_run[EPOCHS]["gradients"]
    for name in KERNELS:
        for field in GradientStatistics._fields:
            assert np.isnan(getattr(last[name], field)).all()
    for epoch in range(EPOCHS):
        for name in KERNELS:
            assert np.isfinite(statistics_run[epoch]["gradients"][name].grad_std).all()


def test_only_measured_epochs_take_statistics(tmp_path, statistics_run):
    # Measured at 0, 3, 5: epochs 0 and 3 train with statistics, the others plainly;
    # the training is the same as when every epoch is measured.
    recorded = run_loop(tmp_path, WITH_STATISTICS, measured=(0, 3, 5))
    assert sorted(recorded) == [0, 3, 5]
    for epoch in (0, 3, 5):
        np.testing.assert_array_equal(recorded[epoch]["loss"], statistics_run[epoch]["loss"])
        for name in KERNELS:
            for field in GradientStatistics._fields:
                np.testing.assert_array_equal(
                    getattr(recorded[epoch]["gradients"][name], field),
                    getattr(statistics_run[epoch]["gradients"][name], field),
                )


def test_statistics_need_a_dict_of_measurements(tmp_path):
    def not_a_dict(state, measure_data):
        return jnp.zeros(())

    training = make_training(TRAINER, gradient_statistics=True, measure=not_a_dict)
    with pytest.raises(TypeError, match=r"`training\.measure` must return a dict"):
        run_loop(tmp_path / "a", training)

    def has_gradients(state, measure_data):
        return {"loss": jnp.zeros(()), "gradients": jnp.zeros(())}

    training = make_training(TRAINER, gradient_statistics=True, measure=has_gradients)
    with pytest.raises(ValueError, match=r"'gradients' key"):
        run_loop(tmp_path / "b", training)


def test_padding_seeds_are_dropped(tmp_path, statistics_run):
    # 3 seeds on 2 devices: padded to 4, the fourth network is not reported.
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        sys.path.insert(0, "tests")
        import test_runs_loop as loop
        recorded = loop.run_loop(sys.argv[1], loop.make_training(
            loop.TRAINER, gradient_statistics=True), seeds=3)
        np.savez(sys.argv[2], **{
            f"{epoch}/{name}/{field}": getattr(stats[name], field)
            for epoch, measured in recorded.items()
            for name, stats in [(n, measured["gradients"]) for n in loop.KERNELS]
            for field in stats[name]._fields
        })
        """
    )
    env = {
        **os.environ,
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
        "INFOJAX_COMPILATION_CACHE": "off",
    }
    output = tmp_path / "statistics.npz"
    completed = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "run"), str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    saved = np.load(output)
    for epoch in range(EPOCHS + 1):
        for name in KERNELS:
            for field in GradientStatistics._fields:
                values = saved[f"{epoch}/{name}/{field}"]
                assert values.shape == (3,)
                # Seeds 0 and 1 are the networks of the 2-seed run (seed keys do not
                # depend on the seed count); only XLA's fusion may differ.
                expected = getattr(statistics_run[epoch]["gradients"][name], field)
                np.testing.assert_allclose(values[:2], expected, rtol=1e-4, atol=1e-7)
