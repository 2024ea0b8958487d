"""Times the IB-curve sweep: every beta and seed in one program against a loop over beta.

    python experiments/bench_ib_curve.py                  # 16 beta x 5 seeds, 20 epochs
    python experiments/bench_ib_curve.py --objective=nib --epochs=10

Both sides train the networks of the default IB-curve config (VIB on the 12-bit task
unless ``--objective`` says otherwise) for ``--epochs`` epochs on one JAX device:

* the sweep: all ``betas x seeds`` networks in one ``jit(vmap)`` program, each with
  its own beta (what ``infojax.runs.ib_curve`` runs);
* the loop: one program for the ``seeds`` networks of one beta (beta is an argument,
  so it compiles once), called for each beta in turn.

The two give the same networks (checked before timing). Each time is the median of
``--repeats`` runs after a warm-up that compiles; the load average is printed beside
it (rerun when it is above 2: the machine is shared).
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
    import numpy as np

    from infojax.runs import ib_curve
    from infojax.runs._data import load_data
    from infojax.runs.ib_curve._experiment import _make_plan
    from infojax.runs.ib_curve._experiment import _training

    config = ib_curve.get_config()
    config.objective = _OBJECTIVE.value
    train, _, full = load_data(config.data)
    trainer = _training(_make_plan(config, full, jax.devices()[:1])).trainer
    n_betas, seeds, epochs = _BETAS.value, _SEEDS.value, _EPOCHS.value
    betas = np.repeat(np.geomspace(1e-3, 1.0, n_betas), seeds).astype(np.float32)
    ones = np.ones_like(betas)
    keys = jax.random.split(jax.random.key(0), betas.size)
    x, y = jax.device_put(train.x), jax.device_put(train.y)

    def train_networks(keys, betas, stochastic):
        states = jax.vmap(trainer.init)(keys, betas, stochastic)
        for_epochs = lambda states, _: (
            jax.vmap(trainer.train_epoch, (0, None, None))(states, x, y),
            None,
        )
        return jax.lax.scan(for_epochs, states, None, length=epochs)[0].params

    program = jax.jit(train_networks)

    def sweep():
        return program(keys, betas, ones)

    def loop():
        return [
            program(keys[start : start + seeds], betas[start : start + seeds], ones[:seeds])
            for start in range(0, betas.size, seeds)
        ]

    together, one_at_a_time = sweep(), loop()
    for index, params in enumerate(one_at_a_time):
        for stacked, leaf in zip(jax.tree.leaves(together), jax.tree.leaves(params), strict=True):
            np.testing.assert_allclose(
                stacked[index * seeds : (index + 1) * seeds], leaf, rtol=2e-4, atol=2e-5
            )
    print(
        f"{config.objective.upper()} on {config.data.name}: {n_betas} betas x {seeds} seeds, "
        f"{epochs} epochs, batch {config.train.batch_size}, device {jax.devices()[0]}"
    )
    print("networks equal between the sweep and the loop: yes")
    sweep_seconds = _median_seconds(sweep, _REPEATS.value)
    load_sweep = os.getloadavg()[0]
    loop_seconds = _median_seconds(loop, _REPEATS.value)
    load_loop = os.getloadavg()[0]
    print(f"sweep, one program: {sweep_seconds:.2f} s (load average {load_sweep:.2f})")
    print(f"loop over beta:     {loop_seconds:.2f} s (load average {load_loop:.2f})")
    print(f"ratio loop / sweep: {loop_seconds / sweep_seconds:.2f}x")


if __name__ == "__main__":
    app.run(main)
