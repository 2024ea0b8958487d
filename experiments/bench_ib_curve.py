"""Times the IB-curve sweep: every beta and seed in one program against a loop over beta.

    python experiments/bench_ib_curve.py                  # 16 beta x 5 seeds, 20 epochs
    python experiments/bench_ib_curve.py --objective=nib --epochs=10

Every side trains the networks of the default IB-curve config (VIB on the 12-bit task
unless ``--objective`` says otherwise) for ``--epochs`` epochs, on a CPU split into
``--cpu_devices`` JAX devices (as the experiment's ``cpu_devices``):

* sweep, sharded: all ``betas x seeds`` networks in one ``jit(vmap)`` program, each
  with its own beta, the network axis sharded over the devices: what
  ``infojax.runs.ib_curve`` runs;
* sweep, one device: the same program on the first device;
* loop, one device: one program for the ``seeds`` networks of one beta (beta is an
  argument, so it compiles once), called for each beta in turn;
* loop, sharded: the same with the seeds sharded over the devices (padded to a
  multiple of their number with extra networks, as the experiment pads).

The sweep and the loop give the same networks (checked after one epoch, before
timing). Each time is the median of ``--repeats`` runs after a warm-up that compiles;
the load average is printed beside it (rerun when it is above 2: the machine is
shared).
"""

from __future__ import annotations

import os
import statistics
import time

from absl import app
from absl import flags
from absl import logging

_BETAS = flags.DEFINE_integer("betas", 16, "Values of beta (log-spaced, 1e-3 to 1).")
_SEEDS = flags.DEFINE_integer("seeds", 5, "Seeds per beta.")
_EPOCHS = flags.DEFINE_integer("epochs", 20, "Training epochs per timed run.")
_REPEATS = flags.DEFINE_integer("repeats", 5, "Timed runs per side (median reported).")
_OBJECTIVE = flags.DEFINE_enum("objective", "vib", ["vib", "nib", "ceb"], "The objective.")
_CPU_DEVICES = flags.DEFINE_integer("cpu_devices", 2, "JAX devices to split the CPU into.")


def _median_seconds(function, repeats: int) -> float:
    import jax

    jax.block_until_ready(function())  # warm-up: compiles
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        jax.block_until_ready(function())
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}.")
    if not flags.FLAGS["verbosity"].present:
        logging.set_verbosity(logging.WARNING)
    import jax

    jax.config.update("jax_num_cpu_devices", _CPU_DEVICES.value)
    import numpy as np

    from infojax.runs import ib_curve
    from infojax.runs._data import load_data
    from infojax.runs.ib_curve._experiment import _make_plan
    from infojax.runs.ib_curve._experiment import _training
    from infojax.training import padded_seed_count
    from infojax.training import seed_mesh
    from infojax.training import seed_sharding

    config = ib_curve.get_config()
    config.objective = _OBJECTIVE.value
    train, _, full = load_data(config.data)
    mesh = seed_mesh()
    trainer = _training(_make_plan(config, full, None)).trainer
    n_betas, seeds, epochs = _BETAS.value, _SEEDS.value, _EPOCHS.value
    betas = np.repeat(np.geomspace(1e-3, 1.0, n_betas), seeds).astype(np.float32)
    keys = jax.random.split(jax.random.key(0), betas.size)
    x, y = train.x, train.y

    def train_networks(keys, betas, epochs):
        states = jax.vmap(trainer.init)(keys, betas, jax.numpy.ones_like(betas))
        for_epochs = lambda states, _: (
            jax.vmap(trainer.train_epoch, (0, None, None))(states, x, y),
            None,
        )
        return jax.lax.scan(for_epochs, states, None, length=epochs)[0].params

    program = jax.jit(train_networks, static_argnames="epochs")
    first_device = jax.devices()[0]
    sharding = seed_sharding(mesh)

    def on_one_device(*arrays):
        return tuple(jax.device_put(array, first_device) for array in arrays)

    def sharded(*arrays):
        # Padded with copies of the last network to a multiple of the devices.
        padded = padded_seed_count(arrays[0].shape[0], mesh)
        return tuple(
            jax.device_put(
                jax.numpy.concatenate([a, jax.numpy.repeat(a[-1:], padded - a.shape[0], 0)]),
                sharding,
            )
            for a in arrays
        )

    def sweep(place, epochs=epochs):
        return program(*place(keys, betas), epochs)

    def loop(place, epochs=epochs):
        return [
            program(*place(keys[start : start + seeds], betas[start : start + seeds]), epochs)
            for start in range(0, betas.size, seeds)
        ]

    # Checked after one epoch: over many epochs of Adam the float32 rounding of the
    # two programs' different kernels grows past any tight tolerance.
    together, one_at_a_time = sweep(sharded, 1), loop(on_one_device, 1)
    for index, params in enumerate(one_at_a_time):
        for stacked, leaf in zip(jax.tree.leaves(together), jax.tree.leaves(params), strict=True):
            np.testing.assert_allclose(
                stacked[index * seeds : (index + 1) * seeds], leaf, rtol=2e-4, atol=2e-5
            )
    print(
        f"{config.objective.upper()} on {config.data.name}: {n_betas} betas x {seeds} seeds, "
        f"{epochs} epochs, batch {config.train.batch_size}, {len(jax.devices())} CPU devices"
    )
    print("networks equal between the sweep and the loop after one epoch: yes")
    results = {}
    for name, function in (
        ("sweep, sharded", lambda: sweep(sharded)),
        ("sweep, one device", lambda: sweep(on_one_device)),
        ("loop, one device", lambda: loop(on_one_device)),
        ("loop, sharded", lambda: loop(sharded)),
    ):
        results[name] = _median_seconds(function, _REPEATS.value)
        print(f"{name:18s} {results[name]:6.2f} s (load average {os.getloadavg()[0]:.2f})")
    for loop_name in ("loop, one device", "loop, sharded"):
        for sweep_name in ("sweep, sharded", "sweep, one device"):
            ratio = results[loop_name] / results[sweep_name]
            print(f"{loop_name} / {sweep_name}: {ratio:.2f}x")


if __name__ == "__main__":
    app.run(main)
