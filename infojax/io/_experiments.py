"""Config-driven experiments: ``run(config, workdir)`` and the information-plane run."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import os
import time
import warnings
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jax
import ml_collections
import numpy as np
import scipy.optimize
import tqdm
from flax import nnx
from jax.experimental import multihost_utils

from infojax import data as _data
from infojax.io._checkpoints import CheckpointStore
from infojax.io._metrics import INFORMATION_PLANE_COLUMNS
from infojax.io._metrics import MetricsFile
from infojax.io._metrics import read_metrics
from infojax.io._report import plot_information_plane
from infojax.io._report import plot_training_curves
from infojax.io._report import write_summary
from infojax.models import MLP
from infojax.tracking import InformationPlaneEstimator
from infojax.tracking import information_plane
from infojax.tracking import information_plane_estimator
from infojax.tracking import tracked_epochs
from infojax.training import Trainer
from infojax.training import make_optimizer
from infojax.training import padded_seed_count
from infojax.training import run_epochs
from infojax.training import seed_keys
from infojax.training import seed_mesh
from infojax.training import seed_sharding

_EXPERIMENTS: dict[str, Callable[..., Any]] = {}

# Experiments of other infojax packages, which register themselves when imported (they
# import this module, so it cannot import them up front).
_EXPERIMENT_PACKAGES = {"mi_benchmark": "infojax.benchmark"}

# Fields that change how a run is shown or launched, not what it computes: a resumed
# run may change them.
_RUNTIME_FIELDS = ("progress", "distributed", "cpu_devices", "train.chunk_epochs")

# Every field of an information-plane config; estimator entries hold free options.
_INFORMATION_PLANE_FIELDS = (
    "experiment",
    "seed",
    "seeds",
    "progress",
    "distributed",
    "cpu_devices",
    "data.name",
    "data.seed",
    "data.path",
    "data.test_fraction",
    "data.split_seed",
    "model.widths",
    "model.activation",
    "model.noise_std",
    "optimizer.name",
    "optimizer.learning_rate",
    "train.epochs",
    "train.batch_size",
    "train.chunk_epochs",
    "tracking.epochs.count",
    "tracking.epochs.spacing",
    "tracking.estimators",
)


def register_experiment(name: str, fn: Callable[..., Any]) -> None:
    """Makes ``run`` dispatch configs with ``experiment = name`` to ``fn(config, workdir)``."""
    if name in _EXPERIMENTS:
        raise ValueError(f"An experiment named {name!r} is already registered.")
    _EXPERIMENTS[name] = fn


def run(config: ml_collections.ConfigDict, workdir: str | os.PathLike, **options: Any) -> Any:
    """Runs the experiment that ``config.experiment`` names, writing into ``workdir``.

    This is what ``python -m experiments.main`` calls. Re-running it on the same
    ``workdir`` resumes from the last checkpoint.

    Args:
      config: the experiment's config (``configs/<experiment>/<variant>.py``).
      workdir: the run directory.
      **options: passed on to the experiment's run function.

    Returns:
      Whatever the experiment's run function returns.

    Raises:
      ValueError: for an unknown experiment or an invalid config, before any training.
    """
    name = (
        config.get("experiment")
        if isinstance(config, Mapping | ml_collections.ConfigDict)
        else None
    )
    if name not in _EXPERIMENTS and name in _EXPERIMENT_PACKAGES:
        importlib.import_module(_EXPERIMENT_PACKAGES[name])
    if name not in _EXPERIMENTS:
        known = sorted(set(_EXPERIMENTS) | set(_EXPERIMENT_PACKAGES))
        raise ValueError(f"Invalid config: `experiment` must be one of {known}, got {name!r}.")
    return _EXPERIMENTS[name](config, workdir, **options)


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What an information-plane run did.

    Attributes:
      workdir: the run directory.
      next_epoch: the first epoch not yet processed (``epochs + 1`` when finished).
      finished: whether every epoch is trained and measured.
      chunks: how many chunks this call ran.
      seconds: wall time of this call.
    """

    workdir: Path
    next_epoch: int
    finished: bool
    chunks: int
    seconds: float


@dataclasses.dataclass(frozen=True)
class _Plan:
    """The static part of a run: everything the compiled programs depend on."""

    widths: tuple[int, ...]
    activation: str
    noise_std: float
    optimizer: str
    learning_rate: float
    batch_size: int
    estimators: tuple[InformationPlaneEstimator, ...]
    mesh: jax.sharding.Mesh
    chunk_epochs: int


def run_information_plane(
    config: ml_collections.ConfigDict,
    workdir: str | os.PathLike,
    *,
    max_chunks: int | None = None,
    devices: Sequence[jax.Device] | None = None,
) -> RunResult:
    """Trains ``config.seeds`` networks together and tracks their information plane.

    Every ``train.chunk_epochs`` epochs run as one compiled program (epochs in
    ``lax.scan``, seeds in ``vmap``, the seed axis sharded over all devices); at the
    epochs of ``tracking.epochs`` each seed's every layer (the hidden layers, then the
    softmax output) is placed in the information plane by each estimator of
    ``tracking.estimators``, on all inputs, along with the train and test loss and
    accuracy. After each chunk the rows go to ``metrics.csv`` and the state (networks,
    optimizer states, keys, epoch) to an orbax checkpoint; a new call on the same
    ``workdir`` resumes from that checkpoint. When all epochs are done the run writes
    ``information_plane_<estimator>.png``, ``training_curves.png`` and ``summary.md``.

    ``metrics.csv`` has one row per (epoch, seed, layer, estimator): ``epoch`` (0 is
    the initial network), ``seed`` (0-based), ``layer`` (1 is the first hidden
    layer, the last is the softmax output), ``estimator`` (its label in
    ``tracking.estimators``), ``input_information_bits`` (I(X;T)),
    ``label_information_bits`` (I(T;Y)), and that seed's ``train_loss``,
    ``train_accuracy``, ``test_loss``, ``test_accuracy`` (cross-entropy in nats).

    Seed ``i`` starts from key ``fold_in(PRNGKey(config.seed), i)``; with several
    devices the seeds are padded to a multiple of the device count (the extra
    networks train but are not reported), so results do not depend on the devices.
    ``cpu_devices = k > 0`` splits a CPU host into ``k`` JAX devices
    (``jax_num_cpu_devices``) so that the seeds are spread over its cores; it takes
    effect only if no JAX computation has run yet in the process (as with
    ``python -m experiments.main``), and is otherwise ignored with a warning. It does
    not change the devices of a GPU or TPU host.

    Args:
      config: an information-plane config (``configs/information_plane/*.py``).
      workdir: the run directory (created when absent).
      max_chunks: stop after this many chunks (None: run to the end); a later call
        continues.
      devices: the devices to shard the seeds over (None: all of them).

    Returns:
      A :class:`RunResult`.

    Raises:
      ValueError: for an invalid config (unknown fields, widths that do not match the
        data, non-positive sizes, unknown optimizer, activation or estimator), or a
        workdir that holds a run of another config, before any training.
    """
    started = time.perf_counter()
    check_information_plane_config(config)
    _split_cpu(config.cpu_devices)
    if config.distributed and not jax.distributed.is_initialized():
        jax.distributed.initialize()
    train, test, full = _load_data(config)
    plan = _make_plan(config, full, devices)
    programs = _compiled_programs(plan)
    epochs = int(config.train.epochs)
    measured_epochs = tracked_epochs(
        epochs, count=config.tracking.epochs.count, spacing=config.tracking.epochs.spacing
    )
    workdir = Path(workdir).absolute()
    is_writer = jax.process_index() == 0
    if is_writer:
        workdir.mkdir(parents=True, exist_ok=True)
        _write_or_check_config(workdir / "config.json", config)
    if jax.process_count() > 1:
        multihost_utils.sync_global_devices("infojax config checked")

    padded_seeds = padded_seed_count(config.seeds, plan.mesh)
    states = programs.init(seed_keys(config.seed, padded_seeds))
    store = CheckpointStore(workdir / "checkpoints")
    next_epoch, seconds_before = 0, 0.0
    if store.latest_step() is not None:
        states, record = store.restore(store.latest_step(), states)
        next_epoch, seconds_before = record["next_epoch"], record["seconds"]
    metrics = MetricsFile(workdir / "metrics.csv", INFORMATION_PLANE_COLUMNS)
    if is_writer:
        metrics.keep_epochs_before(next_epoch)

    arrays = _replicate(plan.mesh, train.x, train.y, test.x, test.y, full.x, full.y)
    labels = [key for key in config.tracking.estimators]
    progress = tqdm.tqdm(
        total=epochs,
        initial=min(next_epoch, epochs),
        desc=f"{config.seeds} seeds",
        bar_format=(
            "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} epochs [{elapsed}{postfix}]"
        ),
        disable=not (config.progress and is_writer),
        dynamic_ncols=True,
    )
    time_left = _TimeLeft()
    chunks = 0
    while next_epoch <= epochs and (max_chunks is None or chunks < max_chunks):
        chunk_started = time.perf_counter()
        chunk = next_epoch + np.arange(plan.chunk_epochs)
        measure_mask = np.isin(chunk, measured_epochs)
        train_mask = chunk < epochs
        states, measured = programs.chunk(states, measure_mask, train_mask, *arrays)
        measured = _to_host(measured)
        if is_writer:
            metrics.append(_rows(chunk[measure_mask], measured, measure_mask, config.seeds, labels))
        trained = int(train_mask.sum())
        next_epoch = min(next_epoch + plan.chunk_epochs, epochs + 1)
        seconds = seconds_before + time.perf_counter() - started
        store.save(next_epoch, states, {"next_epoch": next_epoch, "seconds": seconds})
        # The first chunk of a call also compiles: leave it out of the time model.
        if chunks:
            time_left.add(trained, int(measure_mask.sum()), time.perf_counter() - chunk_started)
        seconds_left = time_left.estimate(
            max(epochs - next_epoch + 1, 0), int(np.sum(measured_epochs >= next_epoch))
        )
        if seconds_left is not None:
            progress.set_postfix_str(f"about {tqdm.tqdm.format_interval(seconds_left)} left")
        progress.update(trained)
        chunks += 1
    progress.close()
    store.close()
    seconds = time.perf_counter() - started
    finished = next_epoch > epochs
    if is_writer:
        _report(workdir, config, full, finished, next_epoch, seconds_before + seconds, labels)
    return RunResult(workdir, next_epoch, finished, chunks, seconds)


register_experiment("information_plane", run_information_plane)


class _TimeLeft:
    """Time left from chunk times, modelled as ``a * trained + b * measured`` epochs.

    Measured epochs cost far more than trained ones and cluster at the start of a
    log-spaced run, so a rate of epochs per second would mislead; the two costs are
    fitted (non-negative least squares) once two chunks have been timed.
    """

    def __init__(self):
        self._counts: list[tuple[int, int]] = []
        self._seconds: list[float] = []

    def add(self, trained: int, measured: int, seconds: float) -> None:
        self._counts.append((trained, measured))
        self._seconds.append(seconds)

    def estimate(self, trained_left: int, measured_left: int) -> float | None:
        if len(self._seconds) < 2:
            return None
        costs, _ = scipy.optimize.nnls(
            np.asarray(self._counts, float), np.asarray(self._seconds, float)
        )
        if not costs.any():
            return None
        return float(costs @ np.array([trained_left, measured_left], float))


def _split_cpu(count: int) -> None:
    """Makes JAX's CPU backend ``count`` devices (``jax_num_cpu_devices``); 0 leaves it.

    Several CPU devices let a vmapped program whose seed axis is sharded over them run
    one shard per core: on 2 cores, 2 devices train and measure 50 tanh seeds about
    1.24x faster than one device, whose small kernels mostly run on one core
    (``experiments/bench_information_plane.py --quick``, README). JAX reads the
    setting when it starts its backends, so a process that has already computed keeps
    its devices (a warning says so).
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


def check_information_plane_config(config: ml_collections.ConfigDict) -> None:
    """Checks an information-plane config's fields, types and ranges (not the data).

    Raises:
      ValueError: naming the first bad field.
    """
    flat = _flatten(config)
    unknown = sorted(
        key
        for key in flat
        if key not in _INFORMATION_PLANE_FIELDS and not key.startswith("tracking.estimators.")
    )
    if unknown:
        raise ValueError(f"Invalid config: unknown field(s) {unknown}.")
    missing = sorted(key for key in _INFORMATION_PLANE_FIELDS if key not in flat)
    missing = [key for key in missing if key != "tracking.estimators" or not _has_estimators(flat)]
    if missing:
        raise ValueError(f"Invalid config: missing field(s) {missing}.")
    for key in ("seeds", "train.epochs", "train.batch_size", "train.chunk_epochs"):
        value = flat[key]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"Invalid config: `{key}` must be a positive integer, got {value!r}.")
    cpu_devices = flat["cpu_devices"]
    if isinstance(cpu_devices, bool) or not isinstance(cpu_devices, int) or cpu_devices < 0:
        raise ValueError(
            f"Invalid config: `cpu_devices` must be an integer >= 0, got {cpu_devices!r}."
        )
    count = flat["tracking.epochs.count"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 2:
        raise ValueError(
            f"Invalid config: `tracking.epochs.count` must be an integer >= 2, got {count!r}."
        )
    if flat["tracking.epochs.spacing"] not in ("log", "linear"):
        raise ValueError(
            "Invalid config: `tracking.epochs.spacing` must be 'log' or 'linear', "
            f"got {flat['tracking.epochs.spacing']!r}."
        )
    widths = flat["model.widths"]
    if (
        not isinstance(widths, tuple | list)
        or len(widths) < 2
        or any(isinstance(w, bool) or not isinstance(w, int) or w <= 0 for w in widths)
    ):
        raise ValueError(
            "Invalid config: `model.widths` must list positive layer sizes from the input "
            f"to the output, e.g. (12, 10, 7, 5, 4, 3, 2); got {widths!r}."
        )
    fraction = flat["data.test_fraction"]
    if not 0 < fraction < 1:
        raise ValueError(
            f"Invalid config: `data.test_fraction` must be in (0, 1), got {fraction!r}."
        )
    estimators = config.tracking.estimators
    if not estimators:
        raise ValueError("Invalid config: `tracking.estimators` is empty.")
    for label, entry in estimators.items():
        if not isinstance(entry, Mapping | ml_collections.ConfigDict) or "name" not in entry:
            raise ValueError(
                f"Invalid config: `tracking.estimators.{label}` must hold a `name` and "
                f"options, e.g. dict(name='binning', n_bins=30); got {entry!r}."
            )
        if "," in label or "\n" in label:
            raise ValueError(f"Invalid config: estimator label {label!r} has a comma or newline.")


def _has_estimators(flat: Mapping[str, Any]) -> bool:
    return any(key.startswith("tracking.estimators.") for key in flat)


def _flatten(config: Any, prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping | ml_collections.ConfigDict) and value:
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _load_data(config):
    options = {}
    if config.data.name == "twelve_bit":
        options["seed"] = config.data.seed
    if config.data.path:
        options["path"] = config.data.path
    try:
        full = _data.load_dataset(config.data.name, **options)
    except ValueError as error:
        raise ValueError(f"Invalid config: `data`: {error}") from None
    train, test = _data.train_test_split(
        full, test_fraction=config.data.test_fraction, seed=config.data.split_seed
    )
    return train, test, full


def _make_plan(config, full, devices) -> _Plan:
    widths = tuple(int(width) for width in config.model.widths)
    n_features, n_classes = full.x.shape[1], int(full.y.max()) + 1
    if widths[0] != n_features:
        raise ValueError(
            f"Invalid config: `model.widths[0]` = {widths[0]} must equal the number of input "
            f"features of dataset {config.data.name!r} ({n_features})."
        )
    if widths[-1] != n_classes:
        raise ValueError(
            f"Invalid config: `model.widths[-1]` = {widths[-1]} must equal the number of "
            f"classes of dataset {config.data.name!r} ({n_classes})."
        )
    estimators = []
    for label, entry in config.tracking.estimators.items():
        options = {key: value for key, value in entry.items() if key != "name"}
        try:
            estimators.append(
                information_plane_estimator(entry["name"], n_classes=n_classes, **options)
            )
        except ValueError as error:
            raise ValueError(f"Invalid config: `tracking.estimators.{label}`: {error}") from None
    try:
        make_optimizer(config.optimizer.name, learning_rate=config.optimizer.learning_rate)
        nnx.eval_shape(
            lambda: MLP(
                widths[0],
                widths[1:-1],
                widths[-1],
                activation=config.model.activation,
                noise_std=config.model.noise_std,
                rngs=nnx.Rngs(0),
            )
        )
    except (TypeError, ValueError) as error:
        raise ValueError(f"Invalid config: {error}") from None
    return _Plan(
        widths=widths,
        activation=config.model.activation,
        noise_std=float(config.model.noise_std),
        optimizer=config.optimizer.name,
        learning_rate=float(config.optimizer.learning_rate),
        batch_size=int(config.train.batch_size),
        estimators=tuple(estimators),
        mesh=seed_mesh(devices),
        chunk_epochs=min(int(config.train.chunk_epochs), int(config.train.epochs) + 1),
    )


@dataclasses.dataclass(frozen=True)
class _Programs:
    init: Callable[..., Any]
    chunk: Callable[..., Any]


@functools.lru_cache(maxsize=8)
def _compiled_programs(plan: _Plan) -> _Programs:
    """The jitted programs of a plan, cached so that runs of one plan compile once."""
    widths = plan.widths

    def model_factory(rngs):
        return MLP(
            widths[0],
            widths[1:-1],
            widths[-1],
            activation=plan.activation,
            noise_std=plan.noise_std,
            rngs=rngs,
        )

    trainer = Trainer.create(
        model_factory,
        make_optimizer(plan.optimizer, learning_rate=plan.learning_rate),
        batch_size=plan.batch_size,
    )
    states_sharding = seed_sharding(plan.mesh)

    def chunk(states, measure_mask, train_mask, x_train, y_train, x_test, y_test, x, y):
        def train_epoch(state):
            return trainer.train_epoch(state, x_train, y_train)

        def measure(state):
            train_loss, train_accuracy = trainer.evaluate(state, x_train, y_train)
            test_loss, test_accuracy = trainer.evaluate(state, x_test, y_test)
            information = information_plane(
                trainer.representations(state, x), x, y, plan.estimators, key=state.key
            )
            return {
                "information": information,
                "train_loss": train_loss,
                "train_accuracy": train_accuracy,
                "test_loss": test_loss,
                "test_accuracy": test_accuracy,
            }

        states, measured = run_epochs(
            train_epoch,
            measure,
            states,
            measure_mask=measure_mask,
            train_mask=train_mask,
            groups=plan.mesh.size,
        )
        return jax.lax.with_sharding_constraint(states, states_sharding), measured

    return _Programs(
        init=jax.jit(jax.vmap(trainer.init), out_shardings=states_sharding),
        chunk=jax.jit(chunk, donate_argnums=0),
    )


def _replicate(mesh, *arrays):
    sharding = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    return tuple(jax.device_put(np.asarray(array), sharding) for array in arrays)


def _to_host(tree):
    if jax.process_count() > 1:
        return multihost_utils.process_allgather(tree, tiled=True)
    return jax.tree.map(np.asarray, tree)


def _rows(epochs, measured, measure_mask, seeds, labels):
    """Metrics rows of the measured epochs of one chunk, first ``seeds`` seeds only."""
    information = measured["information"][measure_mask][:, :seeds]
    others = {
        name: measured[name][measure_mask][:, :seeds] for name in measured if name != "information"
    }
    _, _, n_layers, n_estimators, _ = information.shape
    for epoch_index, epoch in enumerate(epochs):
        for seed in range(seeds):
            scores = [
                float(others[name][epoch_index, seed]) for name in INFORMATION_PLANE_COLUMNS[6:]
            ]
            for layer in range(n_layers):
                for estimator in range(n_estimators):
                    input_information, label_information = information[
                        epoch_index, seed, layer, estimator
                    ]
                    yield (
                        int(epoch),
                        seed,
                        layer + 1,
                        labels[estimator],
                        float(input_information),
                        float(label_information),
                        *scores,
                    )


def _comparable(config) -> dict[str, Any]:
    flat = _flatten(json.loads(config.to_json_best_effort()))
    return {
        key: value
        for key, value in flat.items()
        if not any(key == field or key.startswith(f"{field}.") for field in _RUNTIME_FIELDS)
    }


def _write_or_check_config(path: Path, config) -> None:
    if path.exists():
        saved = _comparable(ml_collections.ConfigDict(json.loads(path.read_text())))
        current = _comparable(config)
        if saved != current:
            changed = sorted(
                key for key in set(saved) | set(current) if saved.get(key) != current.get(key)
            )
            raise ValueError(
                f"{path.parent} holds a run of another config (fields {changed} differ); "
                "use a new --workdir or the same config to resume."
            )
    path.write_text(config.to_json_best_effort(indent=2) + "\n")


def data_information(x: np.ndarray, y: np.ndarray) -> float:
    """Exact ``I(X;Y)`` in bits of the empirical distribution of rows ``x`` and labels ``y``.

    Every row is one equiprobable sample; repeated rows pool their labels.
    """
    _, rows = np.unique(np.asarray(x), axis=0, return_inverse=True)
    rows = rows.reshape(-1)
    labels = np.asarray(y).reshape(-1)
    joint = np.zeros((rows.max() + 1, labels.max() + 1))
    np.add.at(joint, (rows, labels), 1.0)
    joint /= joint.sum()
    outer = joint.sum(1, keepdims=True) * joint.sum(0, keepdims=True)
    positive = joint > 0
    return float(np.sum(joint[positive] * np.log2(joint[positive] / outer[positive])))


def _report(workdir, config, full, finished, next_epoch, seconds, labels) -> None:
    metrics = read_metrics(workdir / "metrics.csv")
    information = data_information(full.x, full.y)
    name = f"{config.data.name}, {config.model.activation}, widths {tuple(config.model.widths)}"
    figures = {}
    if metrics["epoch"].size:
        for label in labels:
            file_name = f"information_plane_{label}.png"
            plot_information_plane(
                metrics,
                label,
                workdir / file_name,
                title=f"{label}: {name}, mean of {config.seeds} seeds",
                data_information=information,
            )
            figures[f"information plane, {label}"] = file_name
        plot_training_curves(metrics, workdir / "training_curves.png", title=name)
        figures["loss and accuracy"] = "training_curves.png"
    status = "finished" if finished else f"stopped before epoch {next_epoch} (rerun to resume)"
    write_summary(
        workdir / "summary.md",
        metrics,
        title=f"Information plane: {name}",
        details={
            "status": status,
            "seeds": config.seeds,
            "epochs": config.train.epochs,
            "optimizer": f"{config.optimizer.name}, learning rate {config.optimizer.learning_rate}",
            "batch size": config.train.batch_size,
            "devices": jax.device_count(),
            "wall time": f"{seconds:.1f} s",
        },
        figures=figures,
        data_information=information,
    )
