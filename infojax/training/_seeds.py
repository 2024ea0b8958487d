"""Many seeds in one compiled program: vmap over seeds, epochs in lax.scan, seeds
sharded over devices."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec

SEED_AXIS = "seed"


def seed_keys(seed: int, count: int) -> jax.Array:
    """PRNG keys (``jax.random.key``) of seeds ``0 .. count-1``, shape ``(count,)``.

    Seed ``i``'s key is ``fold_in(key(seed), i)``: it does not depend on how many
    seeds run together or on how they are spread over devices.
    """
    base = jax.random.key(seed)
    return jax.vmap(lambda index: jax.random.fold_in(base, index))(jnp.arange(count))


def seed_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """A 1-D device mesh whose single axis, ``"seed"``, carries the seeds.

    Args:
      devices: the devices to use; all of them (every host's) by default.
    """
    devices = jax.devices() if devices is None else list(devices)
    return Mesh(np.asarray(devices), (SEED_AXIS,))


def seed_sharding(mesh: Mesh) -> NamedSharding:
    """Splits the leading (seed) axis of every array over ``mesh``."""
    return NamedSharding(mesh, PartitionSpec(SEED_AXIS))


def replicated(mesh: Mesh) -> NamedSharding:
    """Every device holds the whole array."""
    return NamedSharding(mesh, PartitionSpec())


def padded_seed_count(seeds: int, mesh: Mesh) -> int:
    """``seeds`` rounded up to a multiple of the mesh size, so every device gets as many.

    The extra seeds are real, independent networks whose results the caller drops.
    """
    size = mesh.size
    return -(-seeds // size) * size


def run_epochs(
    train_epoch: Callable[[Any], Any],
    measure: Callable[[Any], Any],
    states: Any,
    *,
    measure_mask: jax.Array,
    train_mask: jax.Array,
    groups: int = 1,
    train_epoch_with_statistics: Callable[[Any], tuple[Any, Any]] | None = None,
) -> tuple[Any, Any]:
    """Scans over epochs for a batch of seeds, measuring first, then training.

    Step ``i`` measures every seed's state when ``measure_mask[i]`` and then trains
    one epoch when ``train_mask[i]``; both masks are shared by all seeds, so the
    conditionals stay branches (not selects) under ``vmap``. A fixed scan length with
    masks lets chunks of any content reuse one compiled program.

    Args:
      train_epoch: one seed's ``state -> state``.
      measure: one seed's ``state -> pytree of arrays``.
      states: the seeds' states, stacked on a leading axis.
      measure_mask: boolean, shape ``(steps,)``.
      train_mask: boolean, shape ``(steps,)``.
      groups: the seeds are measured as ``groups`` equal groups, in parallel across
        groups (``vmap``) and one seed after another within a group (``lax.map``).
        Pass the number of devices the seed axis is sharded over. Measuring every seed
        at once makes the kernel estimators' ``(block, n)`` tiles of all seeds compete
        for the CPU caches: for 50 seeds of a 4096-sample KDE, one at a time is 1.75x
        faster on CPU.
      train_epoch_with_statistics: one seed's ``state -> (state, statistics)``, the
        epoch of ``train_epoch`` (the same state) that also returns statistics of it
        (:meth:`~infojax.training.Trainer.train_epoch_with_gradient_statistics`).
        When given, the epoch trained right after each measurement runs with it; the
        other epochs run ``train_epoch`` and cost nothing extra.

    Returns:
      The states after the scan, and the measurements stacked as
      ``(steps, seeds, ...)`` (zeros where ``measure_mask`` is false). With
      ``train_epoch_with_statistics`` the measurements are a pair ``(measured,
      statistics)``: ``statistics`` stacked as ``(steps, seeds, ...)``, at step ``i``
      those of the epoch trained after the measurement of step ``i``, NaN where no
      statistics were taken (no measurement, or no training after it).
    """

    def measure_seeds(states):
        grouped = jax.tree.map(lambda leaf: leaf.reshape(groups, -1, *leaf.shape[1:]), states)
        measured = jax.vmap(lambda group: jax.lax.map(measure, group))(grouped)
        return jax.tree.map(lambda leaf: leaf.reshape(-1, *leaf.shape[2:]), measured)

    train_seeds = jax.vmap(train_epoch)
    blank = jax.eval_shape(measure_seeds, states)

    def skip_measure(_):
        return jax.tree.map(lambda leaf: jnp.zeros(leaf.shape, leaf.dtype), blank)

    def step(states, masks):
        do_measure, do_train = masks
        measured = jax.lax.cond(do_measure, measure_seeds, skip_measure, states)
        states = jax.lax.cond(do_train, train_seeds, lambda s: s, states)
        return states, measured

    if train_epoch_with_statistics is None:
        return jax.lax.scan(step, states, (measure_mask, train_mask))

    train_with_statistics = jax.vmap(train_epoch_with_statistics)
    no_statistics = jax.tree.map(
        lambda leaf: jnp.full(leaf.shape, jnp.nan, leaf.dtype),
        jax.eval_shape(train_with_statistics, states)[1],
    )

    def step_with_statistics(states, masks):
        do_measure, do_train = masks
        measured = jax.lax.cond(do_measure, measure_seeds, skip_measure, states)
        # 0: no training; 1: a plain epoch; 2: the epoch after a measurement, with
        # statistics.
        branch = do_train.astype(jnp.int32) * (1 + do_measure.astype(jnp.int32))
        states, statistics = jax.lax.switch(
            branch,
            [
                lambda s: (s, no_statistics),
                lambda s: (train_seeds(s), no_statistics),
                train_with_statistics,
            ],
            states,
        )
        return states, (measured, statistics)

    return jax.lax.scan(step_with_statistics, states, (measure_mask, train_mask))
