"""The information-plane experiment: classifiers trained with cross-entropy, every layer
placed in the information plane at log-spaced epochs (Shwartz-Ziv & Tishby 2017; Saxe
et al. 2018)."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import optax
from flax import nnx

from infojax.io import RunDirectory
from infojax.io import read_metrics
from infojax.models import MLP
from infojax.runs._config import ConfigError
from infojax.runs._config import as_config_dict
from infojax.runs._config import check_config as _check_against
from infojax.runs._config import check_training_fields
from infojax.runs._config import frozen_section
from infojax.runs._config import is_mapping
from infojax.runs._data import data_information
from infojax.runs._data import load_data
from infojax.runs._distributed import check_distributed
from infojax.runs._distributed import initialize as initialize_distributed
from infojax.runs._distributed import is_primary
from infojax.runs._distributed import run_directory
from infojax.runs._loop import RunResult
from infojax.runs._loop import Training
from infojax.runs._loop import split_cpu
from infojax.runs._loop import train_in_chunks
from infojax.runs._schema import RowSchema
from infojax.runs.information_plane._report import plot_information_plane
from infojax.runs.information_plane._report import plot_training_curves
from infojax.runs.information_plane._report import write_summary
from infojax.runs.information_plane.config import get_config
from infojax.tracking import InformationPlaneEstimator
from infojax.tracking import information_plane
from infojax.tracking import information_plane_estimator
from infojax.tracking import tracked_epochs
from infojax.training import Trainer
from infojax.training import make_optimizer
from infojax.training import seed_mesh

# The metrics file: one row per (epoch, seed, layer, estimator). A new column is one
# name here and one value in what `measure` returns (a per-seed score) or in the row
# `_rows` yields.
SCHEMA = RowSchema(
    columns=(
        "epoch",
        "seed",
        "layer",
        "estimator",
        "input_information_bits",
        "label_information_bits",
        "train_loss",
        "train_accuracy",
        "test_loss",
        "test_accuracy",
    ),
    keys=("seed", "layer", "estimator"),
)
COLUMNS = SCHEMA.columns
# The config fields the compiled programs read (with the estimators and the devices).
_PLAN_FIELDS = ("model", "optimizer", "train.batch_size")

# Fields that change how a run is shown or launched, not what it computes: a resumed
# run may change them.
RUNTIME_FIELDS = ("progress", "distributed", "cpu_devices", "train.chunk_epochs")

# Estimators are listed by labels of the user's choosing.
_OPEN_SECTIONS = ("tracking.estimators",)


def check_config(config: ml_collections.ConfigDict) -> None:
    """Checks an information-plane config's fields, types and ranges (not the data).

    The fields and their types are those of the default config (:func:`get_config`);
    the estimators are checked when the run builds them, before any training.

    Raises:
      ConfigError: naming the first bad field.
    """
    _check_against(config, get_config(), open_sections=_OPEN_SECTIONS)
    check_training_fields(config)
    check_distributed(config)
    widths = config.model.widths
    if len(widths) < 2 or any(
        isinstance(width, bool) or not isinstance(width, int) or width <= 0 for width in widths
    ):
        raise ConfigError(
            "Invalid config: `model.widths` must list positive layer sizes from the input "
            f"to the output, e.g. (12, 10, 7, 5, 4, 3, 2); got {widths!r}."
        )
    estimators = config.tracking.estimators
    if not estimators:
        raise ConfigError("Invalid config: `tracking.estimators` is empty.")
    for label, entry in estimators.items():
        if not is_mapping(entry) or "name" not in entry:
            raise ConfigError(
                f"Invalid config: `tracking.estimators.{label}` must hold a `name` and "
                f"options, e.g. dict(name='binning', n_bins=30); got {entry!r}."
            )
        if "," in label or "\n" in label:
            raise ConfigError(f"Invalid config: estimator label {label!r} has a comma or newline.")


@dataclasses.dataclass(frozen=True)
class _Plan:
    """The static part of a run: everything the compiled programs depend on.

    Attributes:
      config: the fields of :data:`_PLAN_FIELDS`, frozen (``frozen_section``).
      estimators: the information-plane estimators, in the config's order.
      mesh: the devices.
    """

    config: Any
    estimators: tuple[InformationPlaneEstimator, ...]
    mesh: jax.sharding.Mesh


def classifier_loss(key: jax.Array, model: nnx.Module, x: jax.Array, y: jax.Array) -> jax.Array:
    """Softmax cross-entropy (nats) of a classifier's logits, one value per example.

    ``model(x, noise_key=key)`` returns ``(logits, hidden)`` as
    :class:`infojax.models.MLP` does; ``y`` holds integer labels.
    """
    logits, _ = model(x, noise_key=key)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y)


def _evaluate(model, x, y):
    logits, _ = model(x)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
    accuracy = (jnp.argmax(logits, axis=-1) == y).mean(dtype=logits.dtype)
    return loss, accuracy


@functools.lru_cache(maxsize=8)
def _training(plan: _Plan) -> Training:
    """The trainer and measurement of a plan, cached so that equal plans compile once."""
    model_config, optimizer = plan.config.model, plan.config.optimizer
    widths = model_config.widths

    def model_factory(rngs):
        return MLP(
            widths[0],
            widths[1:-1],
            widths[-1],
            activation=model_config.activation,
            noise_std=model_config.noise_std,
            rngs=rngs,
        )

    trainer = Trainer.create(
        model_factory,
        make_optimizer(optimizer.name, learning_rate=optimizer.learning_rate),
        batch_size=plan.config.train.batch_size,
        loss_fn=classifier_loss,
    )

    def measure(state, data):
        model = trainer.model(state)
        train_loss, train_accuracy = _evaluate(model, *data["train"])
        test_loss, test_accuracy = _evaluate(model, *data["test"])
        # Noise layers are off: the deterministic representations T = f(X), then the
        # softmax output.
        x, y = data["all"]
        logits, hidden = model(x)
        layers = (*hidden, jax.nn.softmax(logits, axis=-1))
        return {
            "information": information_plane(state.key, layers, x, y, plan.estimators),
            "train_loss": train_loss,
            "train_accuracy": train_accuracy,
            "test_loss": test_loss,
            "test_accuracy": test_accuracy,
        }

    return Training(trainer, measure, plan.mesh)


def run(
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
    ``workdir`` resumes from that checkpoint (:func:`infojax.runs.train_in_chunks`).
    Each call ends by writing ``information_plane_<estimator>.png``,
    ``training_curves.png`` and ``summary.md``.

    ``metrics.csv`` has one row per (epoch, seed, layer, estimator): ``epoch`` (0 is
    the initial network), ``seed`` (0-based), ``layer`` (1 is the first hidden
    layer, the last is the softmax output), ``estimator`` (its label in
    ``tracking.estimators``), ``input_information_bits`` (I(X;T)),
    ``label_information_bits`` (I(T;Y)), and that seed's ``train_loss``,
    ``train_accuracy``, ``test_loss``, ``test_accuracy`` (cross-entropy in nats).

    ``cpu_devices = k > 0`` splits a CPU host into ``k`` JAX devices so that the seeds
    are spread over its cores (:func:`infojax.runs.split_cpu`). With
    ``distributed.enabled`` every process of a multi-process run calls this with the
    same config and ``workdir`` (:mod:`infojax.runs._distributed`): the seeds are
    sharded over the devices of all of them and process 0 writes the files.

    Args:
      config: an information-plane config (``configs/information_plane/*.py``).
      workdir: the run directory (created when absent; locked while the run lasts).
      max_chunks: stop after this many chunks (None: run to the end); a later call
        continues.
      devices: the devices to shard the seeds over (None: all of them).

    Returns:
      A :class:`infojax.runs.RunResult`; ``done`` is the next epoch to run.

    Raises:
      ConfigError: an invalid config (unknown or mistyped fields, widths that do not
        match the data, non-positive sizes, unknown optimizer, activation, estimator or
        estimator option), before anything is written.
      infojax.io.RunDirectoryError: the workdir is in use, unwritable, or holds a run
        of another config.
    """
    config = as_config_dict(config)
    check_config(config)
    initialize_distributed(config.distributed)
    split_cpu(config.cpu_devices)
    train, test, full = load_data(config.data)
    plan = _make_plan(config, full, devices)
    epochs = config.train.epochs
    labels = list(config.tracking.estimators)
    n_layers = len(plan.config.model.widths) - 1
    with run_directory(workdir, config.to_dict(), runtime_fields=RUNTIME_FIELDS) as directory:
        result = train_in_chunks(
            directory,
            _training(plan),
            seed=config.seed,
            seeds=config.seeds,
            epochs=epochs,
            chunk_epochs=config.train.chunk_epochs,
            measured_epochs=tracked_epochs(
                epochs,
                count=config.tracking.epochs.count,
                spacing=config.tracking.epochs.spacing,
            ),
            train_data=(train.x, train.y),
            measure_data={
                "train": (train.x, train.y),
                "test": (test.x, test.y),
                "all": (full.x, full.y),
            },
            schema=SCHEMA,
            rows=functools.partial(_rows, labels=labels),
            expected={
                "seed": range(config.seeds),
                "layer": range(1, n_layers + 1),
                "estimator": labels,
            },
            progress=config.progress,
            max_chunks=max_chunks,
        )
        if is_primary():
            _report(directory, config, full, result, labels)
    return result


def _make_plan(config, full, devices) -> _Plan:
    widths = tuple(int(width) for width in config.model.widths)
    n_features, n_classes = full.x.shape[1], int(full.y.max()) + 1
    if widths[0] != n_features:
        raise ConfigError(
            f"Invalid config: `model.widths[0]` = {widths[0]} must equal the number of input "
            f"features of dataset {config.data.name!r} ({n_features})."
        )
    if widths[-1] != n_classes:
        raise ConfigError(
            f"Invalid config: `model.widths[-1]` = {widths[-1]} must equal the number of "
            f"classes of dataset {config.data.name!r} ({n_classes})."
        )
    estimators = []
    for label, entry in config.tracking.estimators.items():
        options = {key: value for key, value in entry.items() if key != "name"}
        try:
            estimator = information_plane_estimator(entry["name"], n_classes=n_classes, **options)
            # Tracing on abstract inputs runs the estimator's checks of its options'
            # values (and shapes) now, not after training has started.
            jax.eval_shape(
                estimator,
                jax.random.key(0),
                jax.ShapeDtypeStruct((full.x.shape[0], widths[1]), full.x.dtype),
                jax.ShapeDtypeStruct(full.x.shape, full.x.dtype),
                jax.ShapeDtypeStruct(full.y.shape, full.y.dtype),
            )
        except (TypeError, ValueError) as error:
            raise ConfigError(f"Invalid config: `tracking.estimators.{label}`: {error}") from None
        estimators.append(estimator)
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
        raise ConfigError(f"Invalid config: {error}") from None
    return _Plan(
        config=frozen_section(config, get_config(), _PLAN_FIELDS),
        estimators=tuple(estimators),
        mesh=seed_mesh(devices),
    )


def _rows(epoch: int, measured: dict[str, Any], *, labels: Sequence[str]):
    """The metrics rows of one measured epoch (``measured`` holds the reported seeds)."""
    information = measured["information"]
    seeds, n_layers, n_estimators, _ = information.shape
    for seed in range(seeds):
        # Everything measured but the information plane is one score per seed.
        scores = {
            name: float(value[seed]) for name, value in measured.items() if name != "information"
        }
        for layer in range(n_layers):
            for estimator in range(n_estimators):
                input_information, label_information = information[seed, layer, estimator]
                yield {
                    "epoch": epoch,
                    "seed": seed,
                    "layer": layer + 1,
                    "estimator": labels[estimator],
                    "input_information_bits": float(input_information),
                    "label_information_bits": float(label_information),
                    **scores,
                }


def _report(directory: RunDirectory, config, full, result: RunResult, labels) -> None:
    metrics = read_metrics(directory.file("metrics.csv"))
    information = data_information(full.x, full.y)
    name = f"{config.data.name}, {config.model.activation}, widths {tuple(config.model.widths)}"
    figures = {}
    if metrics["epoch"].size:
        for label in labels:
            file_name = f"information_plane_{label}.png"
            plot_information_plane(
                metrics,
                label,
                directory.file(file_name),
                title=f"{label}: {name}, mean of {config.seeds} seeds",
                data_information=information,
            )
            figures[f"information plane, {label}"] = file_name
        plot_training_curves(metrics, directory.file("training_curves.png"), title=name)
        figures["loss and accuracy"] = "training_curves.png"
    status = (
        "finished" if result.finished else f"stopped before epoch {result.done} (rerun to resume)"
    )
    write_summary(
        directory.file("summary.md"),
        metrics,
        title=f"Information plane: {name}",
        details={
            "status": status,
            "seeds": config.seeds,
            "epochs": config.train.epochs,
            "optimizer": f"{config.optimizer.name}, learning rate {config.optimizer.learning_rate}",
            "batch size": config.train.batch_size,
            "devices": jax.device_count(),
            "wall time": f"{result.total_seconds:.1f} s",
        },
        figures=figures,
        data_information=information,
    )
