"""The resumable loop every experiment runs in.

:func:`run_units` runs an experiment's units of work (chunks of epochs, benchmark
jobs) in order, with a progress bar and a time-left estimate, and stops cleanly at a
unit boundary on Ctrl-C. :func:`train_in_chunks` is the training loop built on it:
chunks of epochs compiled with ``lax.scan``, many seeds with ``vmap`` sharded over
devices, the experiment's loss (inside its :class:`~infojax.training.Trainer`) and
measurements, and after each chunk the rows appended to the metrics file and the state
saved as an orbax checkpoint. On resume it checks the metrics file against the
checkpoint and recomputes what is missing. Across processes (``jax.distributed``) the
mesh spans the devices of all of them, process 0 alone reads and writes the metrics
file, and every process follows its resume point and its Ctrl-C.
"""

from __future__ import annotations

import dataclasses
import functools
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np

from infojax.io import CheckpointStore
from infojax.io import MetricsFile
from infojax.io import RunDirectory
from infojax.io import audit_rows
from infojax.runs._distributed import broadcast
from infojax.runs._distributed import is_primary
from infojax.runs._distributed import place
from infojax.runs._schema import RowSchema
from infojax.training import Trainer
from infojax.training import padded_seed_count
from infojax.training import run_epochs
from infojax.training import seed_keys
from infojax.training import seed_sharding


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What one call of an experiment's ``run`` did.

    Attributes:
      workdir: the run directory.
      finished: whether all of the run's work is done.
      interrupted: whether Ctrl-C stopped it (at a unit boundary, nothing lost).
      units: how many units (chunks of epochs, jobs) this call ran.
      done: how far the run has come: the next epoch to train and measure, or the
        number of finished jobs.
      total: where it ends: ``epochs + 1``, or the number of jobs.
      unit: ``"epoch"`` or ``"job"``.
      seconds: wall time of this call.
      total_seconds: wall time of the run over all its calls, where the run records
        it (the epoch loop keeps it in its checkpoints); otherwise ``seconds``.
    """

    workdir: Path
    finished: bool
    interrupted: bool
    units: int
    done: int
    total: int
    unit: str
    seconds: float
    total_seconds: float

    @property
    def position(self) -> str:
        """Where a rerun resumes, in words: ``"epoch 250"``, ``"job 12 of 40"``."""
        if self.unit == "epoch":
            return f"epoch {self.done}"
        return f"{self.unit} {self.done + 1} of {self.total}"


def split_cpu(count: int) -> None:
    """Makes JAX's CPU backend ``count`` devices (``jax_num_cpu_devices``); 0 leaves it.

    Several CPU devices let a vmapped program whose seed axis is sharded over them run
    one shard per core: on 2 cores, 2 devices train and measure 50 tanh seeds about
    1.24x faster than one device, whose small kernels mostly run on one core
    (``experiments/bench_information_plane.py --quick``, README). JAX reads the
    setting when it starts its backends, so a process that has already computed keeps
    its devices (a warning says so). GPU and TPU hosts keep their devices either way.
    """
    if count == 0:
        return
    try:
        jax.config.update("jax_num_cpu_devices", count)
    except RuntimeError:
        started_with = len(jax.devices("cpu"))
        if started_with != count:
            warnings.warn(
                f"cpu_devices={count} ignored: JAX already runs with {started_with} CPU "
                "device(s) in this process; set it before the first JAX computation.",
                stacklevel=3,
            )


class StopRequests:
    """Turns the first Ctrl-C into a request to stop at the next unit boundary.

    Inside ``with StopRequests() as stop:`` the first SIGINT sets ``stop.requested``
    (and says so on stderr); a second one raises ``KeyboardInterrupt`` at once. Outside
    the main thread it does nothing (signals reach only the main thread).
    """

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self) -> StopRequests:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print(
            "\nCtrl-C: stopping after the current unit of work (Ctrl-C again stops at once, "
            "losing it).",
            file=sys.stderr,
            flush=True,
        )


class _TimeLeft:
    """Seconds left from timed units, modelled as ``costs @ features`` per unit.

    A unit's features count what it did (epochs trained and epochs measured, or one
    job): measured epochs cost far more than trained ones and cluster at the start of a
    log-spaced run, so a rate of epochs per second would mislead. The non-negative
    costs are fitted by least squares once two units have been timed.
    """

    def __init__(self):
        self._features: list[Sequence[float]] = []
        self._seconds: list[float] = []

    def add(self, features: Sequence[float], seconds: float) -> None:
        self._features.append(features)
        self._seconds.append(seconds)

    def estimate(self, features_left: Sequence[float]) -> float | None:
        if len(self._seconds) < 2:
            return None
        import scipy.optimize

        costs, _ = scipy.optimize.nnls(
            np.asarray(self._features, float), np.asarray(self._seconds, float)
        )
        if not costs.any():
            return None
        return float(costs @ np.asarray(features_left, float))


def run_units(
    units: Sequence[Any],
    run_unit: Callable[[Any], None],
    *,
    size: Callable[[Any], int] = lambda unit: 1,
    features: Callable[[Any], Sequence[float]] = lambda unit: (1.0,),
    total: int,
    initial: int = 0,
    description: str = "",
    unit_name: str = "unit",
    progress: bool = True,
    status: Callable[[Any], str] | None = None,
    prepare: Callable[[], None] | None = None,
    preparing: str = "preparing ...",
) -> tuple[int, bool]:
    """Runs ``run_unit(unit)`` for each unit in order, until done or asked to stop.

    Args:
      units: the units of work left, in order.
      run_unit: does one unit and records its results (rows, checkpoint).
      size: how much of ``total`` a unit advances the progress bar by.
      features: a unit's cost features for the time-left model (see ``_TimeLeft``).
      total: the progress bar's total (the whole run, done units included).
      initial: how much of ``total`` was done before this call.
      description: the progress bar's label.
      unit_name: what the bar counts (``"epochs"``, ``"jobs"``).
      progress: show the progress bar.
      status: ``unit -> text`` shown beside the bar while the unit runs.
      prepare: called once before the first unit (not at all when no unit is left),
        with ``preparing`` shown beside the bar: work that would otherwise make the
        first unit look hung, such as compiling its program.
      preparing: the text shown while ``prepare`` runs.

    Returns:
      ``(units run, stopped by Ctrl-C)``.
    """
    import tqdm

    bar = tqdm.tqdm(
        total=total,
        initial=initial,
        desc=description,
        unit=unit_name,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
        + unit_name
        + " [{elapsed}{postfix}]",
        disable=not progress,
        dynamic_ncols=True,
    )
    time_left = _TimeLeft()
    left = [features(unit) for unit in units]
    time_text = ""
    count = 0
    with StopRequests() as stop, bar:
        if prepare is not None and len(units):
            bar.set_postfix_str(preparing)
            prepare()
        for index, unit in enumerate(units):
            # Across processes, process 0's Ctrl-C decides: all stop at the same unit.
            if bool(broadcast(stop.requested)):
                return count, True
            shown = [status(unit) if status is not None else "", time_text]
            bar.set_postfix_str("; ".join(text for text in shown if text))
            started = time.perf_counter()
            run_unit(unit)
            count += 1
            # The first unit of a call may also compile: leave it out of the time model.
            if index:
                time_left.add(left[index], time.perf_counter() - started)
            remaining = left[index + 1 :]
            seconds = time_left.estimate(np.sum(remaining, axis=0)) if remaining else None
            if seconds is not None:
                time_text = f"about {tqdm.tqdm.format_interval(seconds)} left"
            bar.update(size(unit))
        # A request during the last unit stops nothing: the run is done.
        return count, False


@dataclasses.dataclass(frozen=True)
class Training:
    """What an experiment trains and measures, for :func:`train_in_chunks`.

    Equal ``Training`` values share their compiled programs, so build ``trainer`` and
    ``measure`` once per configuration (``functools.lru_cache``).

    Attributes:
      trainer: the model, optimizer, batch size and loss.
      measure: one seed's measurement, ``(state, measure_data) -> pytree of
        arrays`` with ``measure_data`` the mapping given to :func:`train_in_chunks`
        (arrays by name); run at the measured epochs, before that epoch's training.
      mesh: the devices; the seed axis is sharded over them.
      gradient_statistics: at every measured epoch, train the epoch that follows the
        measurement with
        :meth:`~infojax.training.Trainer.train_epoch_with_gradient_statistics` (the
        same state) and hand its statistics to the ``rows`` callback of
        :func:`train_in_chunks` as the key ``"gradients"`` of the measured values:
        ``{kernel path: GradientStatistics}`` of arrays of shape ``(seeds,)``, NaN
        where no epoch is trained after the measurement (the last epoch). ``measure``
        must then return a dict without a ``"gradients"`` key. Unmeasured epochs train
        with plain :meth:`~infojax.training.Trainer.train_epoch`.
    """

    trainer: Trainer
    measure: Callable[..., Any]
    mesh: jax.sharding.Mesh
    gradient_statistics: bool = False


@dataclasses.dataclass(frozen=True)
class _Programs:
    init: Callable[..., Any]
    chunk: Callable[..., Any]


@functools.lru_cache(maxsize=8)
def _compiled(training: Training) -> _Programs:
    trainer, measure, mesh = training.trainer, training.measure, training.mesh
    states_sharding = seed_sharding(mesh)

    def chunk(states, measure_mask, train_mask, x_train, y_train, measure_data):
        with_statistics = None
        if training.gradient_statistics:
            with_statistics = lambda state: trainer.train_epoch_with_gradient_statistics(
                state, x_train, y_train
            )
        states, measured = run_epochs(
            lambda state: trainer.train_epoch(state, x_train, y_train),
            lambda state: measure(state, measure_data),
            states,
            measure_mask=measure_mask,
            train_mask=train_mask,
            groups=mesh.size,
            train_epoch_with_statistics=with_statistics,
        )
        if training.gradient_statistics:
            measured = _with_gradients(*measured)
        return jax.lax.with_sharding_constraint(states, states_sharding), measured

    return _Programs(
        init=jax.jit(jax.vmap(trainer.init), out_shardings=states_sharding),
        chunk=jax.jit(chunk, donate_argnums=0),
    )


def _with_gradients(measured: Any, statistics: Any) -> dict[str, Any]:
    """``measured`` (a dict) with the gradient statistics added as ``"gradients"``."""
    if not isinstance(measured, Mapping):
        raise TypeError(
            "`training.measure` must return a dict when `training.gradient_statistics` "
            "is True (the statistics go under its key 'gradients'), got "
            f"{type(measured).__name__}."
        )
    if "gradients" in measured:
        raise ValueError(
            "`training.measure` returns a 'gradients' key, which "
            "`training.gradient_statistics` would overwrite; rename it."
        )
    return {**measured, "gradients": statistics}


def train_in_chunks(
    directory: RunDirectory,
    training: Training,
    *,
    seed: int,
    seeds: int,
    epochs: int,
    chunk_epochs: int,
    measured_epochs: Collection[int],
    train_data: tuple[Any, Any],
    measure_data: Mapping[str, Any],
    schema: RowSchema,
    rows: Callable[[int, Any], Iterable[Mapping[str, object]]],
    expected: Mapping[str, Iterable[object]],
    member_args: Sequence[Any] = (),
    progress: bool = True,
    max_chunks: int | None = None,
) -> RunResult:
    """Trains ``seeds`` networks together for ``epochs`` epochs, measuring as it goes.

    Epochs run in chunks of ``chunk_epochs``, each one compiled program (epochs in
    ``lax.scan``, seeds in ``vmap``, the seed axis sharded over ``training.mesh``): at
    every epoch of ``measured_epochs`` (0 is the initial network) each seed is measured
    by ``training.measure`` before that epoch's training. After each chunk the rows of
    its measured epochs go to ``directory / "metrics.csv"`` (``rows(epoch, measured)``
    with ``measured`` the host values of that epoch, seeds on the leading axis,
    padding seeds dropped; each row a mapping from the columns of ``schema`` to
    values) and the state to an orbax checkpoint in ``directory / "checkpoints"``; a
    new call on the same directory resumes from the checkpoint. The chunk program is
    compiled before the first chunk, the progress line saying "compiling the training
    program ..." meanwhile (JAX's persistent compilation cache, where it is on, makes
    a rerun load it instead: :mod:`infojax.runs._compilation_cache`). With
    ``training.gradient_statistics``, ``measured`` also holds the gradient statistics
    of the epoch trained after the measurement (:class:`Training`).

    On resume the metrics file is checked against the checkpoint: every measured epoch
    before it must have each key of ``expected`` (every combination of the values of
    the key columns of ``schema``) exactly once.
    Rows written after the checkpoint are dropped (they are redone); if earlier rows
    are missing or repeated, the run goes back to the newest checkpoint before them (or
    to the start: training is deterministic) and recomputes them, with a warning.

    Seed ``i`` starts from ``fold_in(key(seed), i)``; the seeds are padded to a multiple
    of the device count (the extra networks train but are not reported), so results do
    not depend on the devices.

    Args:
      directory: the open run directory (its lock held).
      training: the trainer, measurement and devices.
      seed: the base seed.
      seeds: how many networks.
      epochs: training epochs; epochs ``0 .. epochs`` can be measured.
      chunk_epochs: epochs per compiled chunk (a runtime choice: may change on resume).
      measured_epochs: the epochs to measure.
      train_data: ``(x, y)`` of the training set.
      measure_data: arrays by name (a mapping, nested mappings or tuples allowed)
        passed to ``training.measure`` after the state.
      schema: the columns of the metrics file and its key columns. Process 0 alone
        reads and writes the file in a multi-process run; the others follow its resume
        point.
      rows: ``(epoch, measured) -> rows`` of one measured epoch, each a mapping from
        column names to values.
      expected: for each key column, the values it takes in every measured epoch.
      member_args: per-network arguments of the trainer's ``model_factory``
        (:meth:`~infojax.training.Trainer.init`), each an array with one row per
        network (leading axis ``seeds``): networks that differ in them (a sweep of an
        objective's ``beta``) train in the same program. The padding networks repeat
        the last row.
      progress: show a progress bar.
      max_chunks: stop after this many chunks (None: run to the end).

    Returns:
      A :class:`RunResult` (``done`` is the next epoch; ``total`` is ``epochs + 1``).
    """
    started = time.perf_counter()
    primary = is_primary()
    metrics = MetricsFile(directory.file("metrics.csv"), schema.columns) if primary else None
    expected_keys = schema.expected_keys(expected)
    programs = _compiled(training)
    mesh = training.mesh
    measured_epochs = np.unique(np.asarray(list(measured_epochs), dtype=np.int64))
    chunk_epochs = min(chunk_epochs, epochs + 1)
    padded = padded_seed_count(seeds, mesh)
    args = []
    for values in member_args:
        values = np.asarray(values)
        if values.shape[:1] != (seeds,):
            raise ValueError(
                f"`member_args` must have one row per network ({seeds}), got shape {values.shape}."
            )
        args.append(np.concatenate([values, np.repeat(values[-1:], padded - seeds, axis=0)]))
    keys = seed_keys(seed, padded)
    if jax.process_count() > 1:
        # Arrays of a mesh that spans processes: each process places its own shards.
        sharded = seed_sharding(mesh)
        keys, args = place(keys, sharded), [place(values, sharded) for values in args]
    template = programs.init(keys, *args)
    store = CheckpointStore(directory.file("checkpoints"))
    try:
        # Process 0 checks its files; every process resumes where it says, and deletes
        # the checkpoints after that point with it (orbax deletes with all processes).
        start = 0
        if primary:
            start = _checked_start(store, metrics, measured_epochs, schema.key_of, expected_keys)
        start = int(broadcast(np.int64(start)))
        for step in store.steps():
            if step > start:
                store.delete(step)
        states, seconds_before = template, 0.0
        if start:
            states, record = store.restore(start, template)
            seconds_before = float(record["seconds"])
        if primary:
            metrics.keep_epochs_before(start)
        replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
        train_arrays = tuple(place(np.asarray(array), replicated) for array in train_data)
        measure_arrays = jax.tree.map(
            lambda array: place(np.asarray(array), replicated), dict(measure_data)
        )
        chunks = [
            np.arange(first, min(first + chunk_epochs, epochs + 1))
            for first in range(start, epochs + 1, chunk_epochs)
        ]
        if max_chunks is not None:
            chunks = chunks[:max_chunks]
        next_epoch = start

        def scan_masks(chunk):
            # Fixed-length masks: every chunk, the last one too, reuses one program.
            epochs_in_scan = chunk[0] + np.arange(chunk_epochs)
            measure_mask = np.isin(epochs_in_scan, measured_epochs)
            masks = (measure_mask, epochs_in_scan < epochs)
            if jax.process_count() > 1:
                masks = tuple(place(mask, replicated) for mask in masks)
            return epochs_in_scan, measure_mask, masks

        def compile_chunk():
            # Compiling ahead of the first chunk lets the progress bar say so; the
            # chunk's call then finds the compiled program in JAX's caches (in this
            # process, or on disk with the persistent compilation cache).
            _, _, masks = scan_masks(chunks[0])
            programs.chunk.lower(states, *masks, *train_arrays, measure_arrays).compile()

        def run_chunk(chunk):
            nonlocal states, next_epoch
            epochs_in_scan, measure_mask, masks = scan_masks(chunk)
            states, measured = programs.chunk(states, *masks, *train_arrays, measure_arrays)
            measured = jax.tree.map(lambda leaf: leaf[measure_mask], _to_host(measured))
            if primary:
                metrics.append(
                    schema.row(row)
                    for index, epoch in enumerate(epochs_in_scan[measure_mask])
                    for row in rows(
                        int(epoch), jax.tree.map(lambda leaf, i=index: leaf[i, :seeds], measured)
                    )
                )
            next_epoch = int(chunk[-1]) + 1
            seconds = seconds_before + time.perf_counter() - started
            store.save(next_epoch, states, {"next_epoch": next_epoch, "seconds": seconds})

        count, interrupted = run_units(
            chunks,
            run_chunk,
            size=lambda chunk: int(np.sum(chunk < epochs)),
            features=lambda chunk: (
                float(np.sum(chunk < epochs)),
                float(np.isin(chunk, measured_epochs).sum()),
            ),
            total=epochs,
            initial=min(start, epochs),
            description=f"{seeds} seeds",
            unit_name="epochs",
            progress=progress and primary,
            prepare=compile_chunk,
            preparing="compiling the training program ...",
        )
    finally:
        store.close()
    return RunResult(
        workdir=directory.path,
        finished=next_epoch > epochs,
        interrupted=interrupted,
        units=count,
        done=next_epoch,
        total=epochs + 1,
        unit="epoch",
        seconds=time.perf_counter() - started,
        total_seconds=seconds_before + time.perf_counter() - started,
    )


def _to_host(tree: Any) -> Any:
    if jax.process_count() > 1:
        from jax.experimental import multihost_utils

        return multihost_utils.process_allgather(tree, tiled=True)
    return jax.tree.map(np.asarray, tree)


def _checked_start(store, metrics, measured_epochs, row_key, expected_keys) -> int:
    """The epoch to resume from: the checkpoint's, or earlier if rows before it are bad.

    The caller deletes the checkpoints after it.
    """
    latest = store.latest_step() or 0
    epoch_of = lambda row: int(row[0])
    before = [row for row in metrics.keep_rows() if epoch_of(row) < latest]
    expected = {int(epoch): expected_keys for epoch in measured_epochs if epoch < latest}
    audit = audit_rows(before, group_of=epoch_of, key_of=row_key, expected=expected)
    bad_epochs = set(audit.faulty) | set(audit.unexpected)
    if not bad_epochs:
        return latest
    first_bad = min(bad_epochs)
    restart = max((step for step in store.steps() if step <= first_bad), default=0)
    missing = sum(audit.missing.values())
    repeated = sum(audit.duplicated.values())
    unexpected = sum(audit.unexpected.values())
    warnings.warn(
        f"{metrics.path} does not match its checkpoint at epoch {latest}: {missing} rows "
        f"missing, {repeated} repeated, {unexpected} unexpected (first at epoch "
        f"{first_bad}); recomputing from epoch {restart}.",
        RuntimeWarning,
        stacklevel=3,
    )
    return restart
