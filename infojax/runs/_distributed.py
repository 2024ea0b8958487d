"""Runs that span processes and hosts, with JAX's own runtime (``jax.distributed``).

Every experiment's config has a ``distributed`` group (:func:`distributed_config`).
With ``distributed.enabled`` each process of a run calls the experiment's ``run`` with
the same config (but its own ``process_id``) and the same ``workdir`` on a filesystem
they share: the seeds are sharded over the devices of every process, process 0 alone
holds the run directory and writes its files, and orbax saves and restores the
checkpoints with all of them (:func:`infojax.runs.train_in_chunks`). When a process
dies the others stop within ``heartbeat_timeout_seconds``, and running all of them again
resumes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import jax
import numpy as np

from infojax.io import RunDirectory
from infojax.io import RunDirectoryError
from infojax.runs._config import ConfigError


def distributed_config():
    """The default ``distributed`` group of an experiment's config.

    Fields:

    - ``enabled``: join the processes of a multi-process run (``jax.distributed``).
    - ``coordinator_address``: ``host:port`` of process 0's coordinator.
    - ``num_processes``: how many processes the run has.
    - ``process_id``: this process's index, ``0 .. num_processes - 1``.
    - ``initialization_timeout_seconds``: how long to wait for every process to join.
    - ``heartbeat_timeout_seconds``: how long a silent process may take before the
      others stop (with JAX's message that a task died).

    ``None`` for the address, count or id lets JAX detect them, as it does under SLURM,
    Open MPI and on Cloud TPU pods.
    """
    import ml_collections

    group = ml_collections.ConfigDict()
    group.enabled = False
    group.coordinator_address = ml_collections.config_dict.placeholder(str)
    group.num_processes = ml_collections.config_dict.placeholder(int)
    group.process_id = ml_collections.config_dict.placeholder(int)
    group.initialization_timeout_seconds = 300
    group.heartbeat_timeout_seconds = 60
    return group


def check_distributed(config: Any) -> None:
    """Checks the values of ``config.distributed`` (its structure is checked elsewhere).

    Raises:
      ConfigError: naming the bad field.
    """
    group = config.distributed
    count, index = group.num_processes, group.process_id
    for name, value, minimum in (("num_processes", count, 1), ("process_id", index, 0)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < minimum
        ):
            raise ConfigError(
                f"Invalid config: `distributed.{name}` must be None or an integer >= "
                f"{minimum}, got {value!r}."
            )
    if (count is None) != (index is None):
        raise ConfigError(
            "Invalid config: `distributed.num_processes` and `distributed.process_id` must "
            f"be given together (or both None for JAX to detect them), got {count!r} and "
            f"{index!r}."
        )
    if count is not None and index >= count:
        raise ConfigError(
            f"Invalid config: `distributed.process_id` = {index} must be below "
            f"`distributed.num_processes` = {count}."
        )
    address = group.coordinator_address
    if address is not None:
        _parse_address(address)
    for name in ("initialization_timeout_seconds", "heartbeat_timeout_seconds"):
        value = group[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"Invalid config: `distributed.{name}` must be a positive integer, got {value!r}."
            )


def _parse_address(address: Any) -> tuple[str, int]:
    host, separator, port = str(address).rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not (isinstance(address, str) and separator and host and port.isdigit()) or not (
        0 < int(port) < 65536
    ):
        raise ConfigError(
            "Invalid config: `distributed.coordinator_address` must be host:port with a port "
            f"in 1..65535 (e.g. '10.0.0.1:1234'), got {address!r}."
        )
    return host, int(port)


def initialize(group: Mapping[str, Any]) -> None:
    """Joins this process to a multi-process run when ``group.enabled`` (else nothing).

    Call it before any JAX computation. On hosts with more than one process the CPU
    backend's collectives are switched to gloo first (without them a program whose
    mesh spans processes cannot run on CPU; GPU and TPU backends have their own).
    A second call in a process that has joined does nothing.
    """
    if not group["enabled"] or jax.distributed.is_initialized():
        return
    if group["num_processes"] != 1:
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        coordinator_address=group["coordinator_address"],
        num_processes=group["num_processes"],
        process_id=group["process_id"],
        initialization_timeout=group["initialization_timeout_seconds"],
        heartbeat_timeout_seconds=group["heartbeat_timeout_seconds"],
    )


def is_primary() -> bool:
    """Whether this process writes the run's files (process 0, or the only one)."""
    return jax.process_index() == 0


def broadcast(value: Any) -> np.ndarray:
    """Process 0's ``value`` (a NumPy array or scalar) in every process."""
    if jax.process_count() == 1:
        return np.asarray(value)
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.broadcast_one_to_all(np.asarray(value)))


def allgather(value: Any) -> np.ndarray:
    """Every process's ``value`` (same shape everywhere), stacked by process index."""
    if jax.process_count() == 1:
        return np.asarray(value)[None]
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.process_allgather(np.asarray(value)))


def place(value: Any, sharding: jax.sharding.Sharding) -> jax.Array:
    """The host value ``value`` (the same in every process) as an array of ``sharding``.

    With one process this is ``jax.device_put``; across processes each one fills its
    own devices' shards of the global array.
    """
    if jax.process_count() == 1:
        return jax.device_put(value, sharding)
    if jax.dtypes.issubdtype(getattr(value, "dtype", None), jax.dtypes.prng_key):
        data = place(np.asarray(jax.random.key_data(value)), sharding)
        return jax.random.wrap_key_data(data, impl=jax.random.key_impl(value))
    value = np.asarray(value)
    return jax.make_array_from_callback(value.shape, sharding, lambda index: value[index])


@contextlib.contextmanager
def run_directory(
    workdir: str | os.PathLike, config: Mapping[str, Any], *, runtime_fields: Sequence[str]
) -> Iterator[RunDirectory]:
    """``with RunDirectory(...)`` held by process 0 alone, in every process.

    Process 0 takes the lock and writes or checks the config snapshot; the others get
    an unopened :class:`RunDirectory` of the same path (for its file names). When
    process 0 cannot open it, every process raises :class:`RunDirectoryError`.
    """
    directory = RunDirectory(workdir, config, runtime_fields=runtime_fields)
    if jax.process_count() == 1:
        with directory:
            yield directory
        return
    error = None
    if is_primary():
        try:
            directory.open()
        except RunDirectoryError as raised:
            error = raised
    failed = bool(broadcast(np.int32(error is not None)))
    if error is not None:
        raise error
    if failed:
        raise RunDirectoryError(
            f"process 0 could not open workdir {directory.path}; see its message."
        )
    try:
        yield directory
    finally:
        directory.close()
