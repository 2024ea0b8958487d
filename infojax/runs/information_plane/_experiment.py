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
from infojax.runs.information_plane._report import plot_generalisation_gap
from infojax.runs.information_plane._report import plot_gradients
from infojax.runs.information_plane._report import plot_information_plane
from infojax.runs.information_plane._report import plot_sensitivity
from infojax.runs.information_plane._report import plot_training_curves
from infojax.runs.information_plane._report import rows_of
from infojax.runs.information_plane._report import write_summary
from infojax.runs.information_plane._report_noisy import noisy_summary
from infojax.runs.information_plane._report_noisy import plot_noisy
from infojax.runs.information_plane._report_pid import pid_summary
from infojax.runs.information_plane._report_pid import plot_pid
from infojax.runs.information_plane.config import get_config
from infojax.tracking import InformationPlaneEstimator
from infojax.tracking import information_plane
from infojax.tracking import information_plane_estimator
from infojax.tracking import layer_pid
from infojax.tracking import noisy_information_plane
from infojax.tracking import tracked_epochs
from infojax.training import Trainer
from infojax.training import make_optimizer
from infojax.training import seed_mesh

# The metrics file: one row per (epoch, seed, split, layer, estimator). The columns of
# the optional measurements (gradient statistics, PID, the noisy network) are there when
# the config turns them on (`metrics_schema`). A new column is one name here and one
# value in what `measure` returns or in the row `_rows` yields.
_KEY_COLUMNS = ("seed", "split", "layer", "estimator")
_INFORMATION_COLUMNS = ("input_information_bits", "label_information_bits")
_NOISY_COLUMNS = ("input_information_se_bits", "label_information_se_bits", "clustering")
_PID_COLUMNS = (
    "pid_redundancy_bits",
    "pid_unique_bits",
    "pid_synergy_bits",
    "pid_total_bits",
    "pid_complexity",
    "o_information_bits",
)
_GRADIENT_COLUMNS = ("grad_mean", "grad_std", "grad_snr", "weight_norm")
_SCORE_COLUMNS = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")
# The label of the noisy network's rows (reserved: no estimator may take it).
NOISY_LABEL = "noisy"
SPLITS = ("all", "train", "test")


def metrics_schema(config: ml_collections.ConfigDict) -> RowSchema:
    """The columns of a run's ``metrics.csv`` for ``config`` (see :func:`run`)."""
    tracking = config.tracking
    return RowSchema(
        columns=(
            "epoch",
            *_KEY_COLUMNS,
            *_INFORMATION_COLUMNS,
            *(_NOISY_COLUMNS if tracking.noisy.samples else ()),
            *(_PID_COLUMNS if tracking.pid.estimator else ()),
            *(_GRADIENT_COLUMNS if tracking.gradients else ()),
            *_SCORE_COLUMNS,
        ),
        keys=_KEY_COLUMNS,
    )


SCHEMA = metrics_schema(get_config())
COLUMNS = SCHEMA.columns
# The config fields the compiled programs read (with the estimators and the devices).
_PLAN_FIELDS = (
    "model",
    "optimizer",
    "train.batch_size",
    "tracking.splits",
    "tracking.gradients",
    "tracking.pid",
    "tracking.noisy",
)

# Fields that change how a run is shown or launched, not what it computes: a resumed
# run may change them.
RUNTIME_FIELDS = ("progress", "distributed", "cpu_devices", "train.chunk_epochs")

# Estimators are listed by labels of the user's choosing.
_OPEN_SECTIONS = ("tracking.estimators",)
# A split's measurement keys fold in its index here, whatever the other splits: a split
# measured with others gives the rows it gives alone.
_SPLIT_INDEX = {split: index for index, split in enumerate(SPLITS)}


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
        if label == NOISY_LABEL:
            raise ConfigError(
                f"Invalid config: estimator label {NOISY_LABEL!r} is reserved for the noisy "
                "network's rows (`tracking.noisy`); choose another label."
            )
    _check_tracking(config)


def _check_tracking(config: ml_collections.ConfigDict) -> None:
    tracking = config.tracking
    splits = tuple(tracking.splits)
    if not splits or len(set(splits)) != len(splits) or not set(splits) <= set(SPLITS):
        raise ConfigError(
            f"Invalid config: `tracking.splits` must list distinct splits among {SPLITS}, "
            f"e.g. ('all',) or ('train', 'test'); got {splits!r}."
        )
    label = tracking.pid.estimator
    if label:
        entry = tracking.estimators.get(label)
        if entry is None or entry["name"] != "binning" or entry.get("equal_mass", False):
            binning = [name for name, e in tracking.estimators.items() if e["name"] == "binning"]
            raise ConfigError(
                f"Invalid config: `tracking.pid.estimator` must be the label of an "
                f"equal-width binning estimator of `tracking.estimators` (its bins are the "
                f"PID's sources), one of {binning}; got {label!r}."
            )
    noisy = tracking.noisy
    for field, value, least in (("samples", noisy.samples, 0), ("draws", noisy.draws, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(
                f"Invalid config: `tracking.noisy.{field}` must be an integer >= {least}, "
                f"got {value!r}."
            )
    if noisy.samples and not config.model.noise_std > 0:
        raise ConfigError(
            "Invalid config: `tracking.noisy.samples` > 0 measures the noisy network of "
            "Goldfeld et al., which needs noise in its hidden layers: set `model.noise_std` "
            f"> 0 (got {config.model.noise_std!r}) or `tracking.noisy.samples = 0`."
        )


@dataclasses.dataclass(frozen=True)
class _Plan:
    """The static part of a run: everything the compiled programs depend on.

    Attributes:
      config: the fields of :data:`_PLAN_FIELDS`, frozen (``frozen_section``).
      estimators: the information-plane estimators, in the config's order.
      pid_options: the binning options of the PID's sources (``tracking.pid``), as
        sorted ``(key, value)`` pairs, or None when the PID is off.
      n_classes: the number of label classes.
      mesh: the devices.
    """

    config: Any
    estimators: tuple[InformationPlaneEstimator, ...]
    pid_options: tuple[tuple[str, Any], ...] | None
    n_classes: int
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

    tracking = plan.config.tracking

    def measure(state, data):
        model = trainer.model(state)
        train_loss, train_accuracy = _evaluate(model, *data["train"])
        test_loss, test_accuracy = _evaluate(model, *data["test"])
        measured = {
            "information": {},
            "train_loss": train_loss,
            "train_accuracy": train_accuracy,
            "test_loss": test_loss,
            "test_accuracy": test_accuracy,
        }
        if plan.pid_options is not None:
            measured["pid"] = {}
        if tracking.noisy.samples:
            measured["noisy"] = {}
        for split in tracking.splits:
            x, y = data[split]
            key = jax.random.fold_in(state.key, _SPLIT_INDEX[split])
            plane_key, noisy_key = jax.random.split(key)
            # The deterministic representations T = f(X) (noise layers off), then the
            # softmax output.
            logits, hidden = model(x)
            layers = (*hidden, jax.nn.softmax(logits, axis=-1))
            measured["information"][split] = information_plane(
                plane_key, layers, x, y, plan.estimators
            )
            if plan.pid_options is not None:
                options = dict(plan.pid_options)
                measured["pid"][split] = [
                    layer_pid(t, y, n_classes=plan.n_classes, **options) for t in layers
                ]
            if tracking.noisy.samples:
                # The noisy network itself: noise in every hidden layer, as in training.
                measured["noisy"][split] = noisy_information_plane(
                    noisy_key,
                    model,
                    x,
                    y,
                    n_classes=plan.n_classes,
                    samples=tracking.noisy.samples,
                    draws=tracking.noisy.draws,
                )
        return measured

    return Training(trainer, measure, plan.mesh, gradient_statistics=tracking.gradients)


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
    ``tracking.estimators`` on the inputs of each split of ``tracking.splits``, along
    with the train and test loss and accuracy. After each chunk the rows go to
    ``metrics.csv`` and the state (networks, optimizer states, keys, epoch) to an
    orbax checkpoint; a new call on the same ``workdir`` resumes from that checkpoint
    (:func:`infojax.runs.train_in_chunks`). Each call ends by writing
    ``information_plane_<estimator>.png`` (``_<split>`` added for the train and test
    splits), ``training_curves.png``, ``gradients.png``, and where the config asks for
    them ``generalisation_gap_<estimator>.png``, ``sensitivity_<kind>.png``,
    ``pid.png`` and ``noisy.png``, and ``summary.md``; every curve and table shows the
    mean over seeds with its 95 % Student-t interval.

    ``metrics.csv`` has one row per (epoch, seed, split, layer, estimator): ``epoch``
    (0 is the initial network), ``seed`` (0-based), ``split`` (``all``, ``train`` or
    ``test``: the inputs measured), ``layer`` (1 is the first hidden layer, the last
    is the softmax output), ``estimator`` (its label in ``tracking.estimators``, or
    ``noisy``), ``input_information_bits`` (I(X;T)), ``label_information_bits``
    (I(T;Y)); with ``tracking.noisy.samples > 0`` the noisy network's rows add
    ``input_information_se_bits``, ``label_information_se_bits`` (Monte Carlo
    standard errors) and ``clustering``; with ``tracking.pid.estimator`` its rows add
    ``pid_redundancy_bits``, ``pid_unique_bits``, ``pid_synergy_bits``,
    ``pid_total_bits``, ``pid_complexity`` and ``o_information_bits``
    (:func:`infojax.tracking.layer_pid`); with ``tracking.gradients`` every row has
    its layer's ``grad_mean``, ``grad_std``, ``grad_snr`` and ``weight_norm`` over the
    minibatches of the epoch trained after the measurement (NaN at the last epoch,
    after which nothing is trained;
    :meth:`infojax.training.Trainer.train_epoch_with_gradient_statistics`); then that
    seed's ``train_loss``, ``train_accuracy``, ``test_loss``, ``test_accuracy``
    (cross-entropy in nats). A value a row's estimator does not give is NaN.

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
    if config.tracking.noisy.samples:
        labels.append(NOISY_LABEL)
    splits = tuple(config.tracking.splits)
    n_layers = len(plan.config.model.widths) - 1
    schema = metrics_schema(config)
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
            schema=schema,
            rows=functools.partial(
                _rows, schema=schema, labels=labels, pid_label=config.tracking.pid.estimator
            ),
            expected={
                "seed": range(config.seeds),
                "split": splits,
                "layer": range(1, n_layers + 1),
                "estimator": labels,
            },
            progress=config.progress,
            max_chunks=max_chunks,
        )
        if is_primary():
            _report(directory, config, (train, test, full), result, labels)
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
    pid_options = None
    if config.tracking.pid.estimator:
        entry = config.tracking.estimators[config.tracking.pid.estimator]
        pid_options = tuple(
            sorted(
                (key, tuple(value) if isinstance(value, list | tuple) else value)
                for key, value in entry.items()
                if key != "name"
            )
        )
    return _Plan(
        config=frozen_section(config, get_config(), _PLAN_FIELDS),
        estimators=tuple(estimators),
        pid_options=pid_options,
        n_classes=n_classes,
        mesh=seed_mesh(devices),
    )


def _kernel_path(layer: int, n_layers: int) -> str:
    """The path of layer ``layer``'s weight matrix (1-based; the last is the output)."""
    return "output_layer/kernel" if layer == n_layers else f"hidden_layers/{layer - 1}/kernel"


def _rows(
    epoch: int,
    measured: dict[str, Any],
    *,
    schema: RowSchema,
    labels: Sequence[str],
    pid_label: str,
):
    """The metrics rows of one measured epoch (``measured`` holds the reported seeds).

    A value a row's estimator does not give (the PID outside its binning estimator's
    rows, the standard errors and clustering outside the noisy network's, the noisy
    network's output layer, which has no noise) is NaN.
    """
    blank = dict.fromkeys(schema.columns, float("nan"))
    for split, information in measured["information"].items():
        seeds, n_layers, _, _ = information.shape
        for seed in range(seeds):
            # The losses, accuracies and gradient statistics are the seed's (and layer's).
            scores = {name: float(measured[name][seed]) for name in _SCORE_COLUMNS}
            for layer in range(1, n_layers + 1):
                shared = {"epoch": epoch, "seed": seed, "split": split, "layer": layer}
                if "gradients" in measured:
                    statistics = measured["gradients"][_kernel_path(layer, n_layers)]
                    shared |= {
                        name: float(getattr(statistics, name)[seed]) for name in _GRADIENT_COLUMNS
                    }
                for index, label in enumerate(labels):
                    row = blank | shared | scores | {"estimator": label}
                    if label == NOISY_LABEL:
                        if layer < n_layers:
                            row |= _noisy_values(measured["noisy"][split], seed, layer - 1)
                    else:
                        values = information[seed, layer - 1, index]
                        row["input_information_bits"] = float(values[0])
                        row["label_information_bits"] = float(values[1])
                        if label == pid_label:
                            row |= _pid_values(measured["pid"][split][layer - 1], seed)
                    yield row


def _noisy_values(noisy, seed: int, hidden: int) -> dict[str, float]:
    """The noisy network's columns of hidden layer ``hidden`` (0-based)."""
    return {
        "input_information_bits": float(noisy.input_information[seed, hidden]),
        "input_information_se_bits": float(noisy.input_information_se[seed, hidden]),
        "label_information_bits": float(noisy.label_information[seed, hidden]),
        "label_information_se_bits": float(noisy.label_information_se[seed, hidden]),
        "clustering": float(noisy.clustering[seed, hidden]),
    }


def _pid_values(pid, seed: int) -> dict[str, float]:
    """The PID columns of one layer (a ``LayerPID`` of per-seed values)."""
    values = {
        f"pid_{name}_bits": float(getattr(pid, name)[seed])
        for name in ("redundancy", "unique", "synergy", "total")
    }
    values["pid_complexity"] = float(pid.complexity[seed])
    values["o_information_bits"] = float(pid.o_information[seed])
    return values


def _report(directory: RunDirectory, config, data, result: RunResult, labels) -> None:
    metrics = read_metrics(directory.file("metrics.csv"))
    train, test, full = data
    splits = tuple(config.tracking.splits)
    information = {
        split: data_information(part.x, part.y)
        for split, part in (("all", full), ("train", train), ("test", test))
    }
    name = f"{config.data.name}, {config.model.activation}, widths {tuple(config.model.widths)}"
    seeds = f"mean of {config.seeds} seeds"
    figures, sections = {}, []
    if metrics["epoch"].size:
        for split in splits:
            # The papers' choice, "all", keeps the file names of runs before splits.
            suffix = "" if split == "all" else f"_{split}"
            for label in labels:
                file_name = f"information_plane_{label}{suffix}.png"
                plot_information_plane(
                    metrics,
                    label,
                    directory.file(file_name),
                    split=split,
                    title=f"{label}, {split} inputs: {name}, {seeds}",
                    data_information=information[split],
                )
                figures[f"information plane, {label}, {split} inputs"] = file_name
        plot_training_curves(metrics, directory.file("training_curves.png"), title=name)
        figures["loss and accuracy"] = "training_curves.png"
        if config.tracking.gradients:
            plot_gradients(metrics, directory.file("gradients.png"), title=f"{name}, {seeds}")
            figures["gradient statistics"] = "gradients.png"
        if {"train", "test"} <= set(splits):
            for label in labels:
                file_name = f"generalisation_gap_{label}.png"
                plot_generalisation_gap(metrics, label, directory.file(file_name))
                figures[f"generalisation gap, {label}"] = file_name
        for kind, group in _settings_groups(config).items():
            file_name = f"sensitivity_{kind}.png"
            plot_sensitivity(
                metrics,
                group,
                directory.file(file_name),
                split=splits[0],
                title=f"{kind} settings, {splits[0]} inputs: {name}, {seeds}",
            )
            figures[f"{kind} settings"] = file_name
        for split in splits:
            suffix = "" if split == "all" else f"_{split}"
            if config.tracking.pid.estimator:
                rows = rows_of(metrics, estimator=config.tracking.pid.estimator, split=split)
                plot_pid(rows, directory.file(f"pid{suffix}.png"), title=f"{name}, {split} inputs")
                figures[f"partial information, {split} inputs"] = f"pid{suffix}.png"
                title = f"Partial information decomposition of the label (sx), {split} inputs"
                sections += ["", *pid_summary(rows, title=title)]
            if config.tracking.noisy.samples:
                rows = rows_of(metrics, estimator=NOISY_LABEL, split=split)
                plot_noisy(
                    rows, directory.file(f"noisy{suffix}.png"), title=f"{name}, {split} inputs"
                )
                figures[f"noisy network, {split} inputs"] = f"noisy{suffix}.png"
                title = f"Noisy network: compression and clustering, {split} inputs"
                sections += ["", *noisy_summary(rows, title=title)]
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
            "measured on": ", ".join(f"{split} inputs" for split in splits),
            "devices": jax.device_count(),
            "wall time": f"{result.total_seconds:.1f} s",
        },
        figures=figures,
        data_information=information[splits[0]],
        sections=sections,
    )


def _settings_groups(config) -> dict[str, list[str]]:
    """Estimator labels by estimator name, for the names with several labels (one
    estimator under several settings: a sensitivity figure)."""
    groups: dict[str, list[str]] = {}
    for label, entry in config.tracking.estimators.items():
        groups.setdefault(entry["name"], []).append(label)
    return {kind: labels for kind, labels in groups.items() if len(labels) > 1}
