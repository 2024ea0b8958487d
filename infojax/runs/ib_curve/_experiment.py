"""The IB-curve experiment: networks trained with an information-bottleneck objective
(VIB, nonlinear IB or CEB) for a sweep of beta and several seeds in one compiled
program, with the rate, the distortion and Gaussian-mixture bounds on I(X;Z) and I(Z;Y)
tracked as they train."""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from flax import nnx

from infojax.io import RunDirectory
from infojax.io import read_metrics
from infojax.measures import gaussian_mixture_information_bounds
from infojax.measures import gaussian_mixture_information_estimate
from infojax.models import MLP
from infojax.models import ClassConditionalGaussian
from infojax.models import GaussianEncoder
from infojax.models import GaussianMixturePrior
from infojax.models import NoisyEncoder
from infojax.objectives import ceb_rate
from infojax.objectives import ib_lagrangian
from infojax.objectives import kde_rate
from infojax.objectives import sampled_rate
from infojax.objectives import vib_rate
from infojax.runs._config import ConfigError
from infojax.runs._config import as_config_dict
from infojax.runs._config import check_config as _check_against
from infojax.runs._config import check_training_fields
from infojax.runs._config import frozen_section
from infojax.runs._config import positive_int
from infojax.runs._data import data_information
from infojax.runs._data import label_entropy
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
from infojax.runs.ib_curve import _report
from infojax.runs.ib_curve.config import get_config
from infojax.tracking import tracked_epochs
from infojax.training import Trainer
from infojax.training import make_optimizer
from infojax.training import seed_mesh

OBJECTIVES = ("vib", "nib", "ceb")

# The metrics file: one row per (epoch, network, split). A new column is one name here
# and one value in what `measure_split` returns (or in the row `_rows` yields).
SCHEMA = RowSchema(
    columns=(
        "epoch",
        "beta_index",
        "beta",
        "seed",
        "split",
        "loss",
        "distortion_nats",
        "rate_nats",
        "accuracy",
        "accuracy_single_draw",
        "input_information_bits",
        "input_information_se_bits",
        "input_information_lower_bits",
        "input_information_upper_bits",
        "label_information_bits",
        "label_information_se_bits",
        "label_information_lower_bits",
        "label_information_upper_bits",
    ),
    keys=("beta_index", "seed", "split"),
)
COLUMNS = SCHEMA.columns
_SPLITS = ("train", "test")
# What the deterministic baselines leave blank: without noise, the rate and the
# information of Z = mean(X) are not those of a stochastic encoder (I(X;Z) is infinite
# for continuous Z).
_STOCHASTIC_ONLY = tuple(
    name
    for name in COLUMNS
    if name == "rate_nats" or name.startswith(("input_information", "label_information"))
)
# The config fields the compiled programs read (with the data's sizes and the devices).
_PLAN_FIELDS = ("objective", "model", "optimizer", "train.batch_size", "tracking.samples")

# Fields that change how a run is shown or launched, not what it computes.
RUNTIME_FIELDS = ("progress", "distributed", "cpu_devices", "train.chunk_epochs", "report")

# beta_index of the deterministic baseline networks in the metrics.
BASELINE_INDEX = -1


def check_config(config: ml_collections.ConfigDict) -> None:
    """Checks an IB-curve config's fields, types and ranges (not the data).

    The fields and their types are those of the default config (:func:`get_config`).

    Raises:
      ConfigError: naming the first bad field.
    """
    _check_against(config, get_config())
    check_training_fields(config)
    check_distributed(config)
    for name in (
        "beta.count",
        "model.latent_features",
        "model.prior_components",
        "tracking.samples",
    ):
        positive_int(config, name)
    positive_int(config, "tracking.max_points", minimum=2)

    def bad(field: str, must: str, value: Any) -> ConfigError:
        return ConfigError(f"Invalid config: `{field}` must {must}, got {value!r}.")

    if config.objective not in OBJECTIVES:
        raise bad("objective", f"be one of {list(OBJECTIVES)}", config.objective)
    beta = config.beta
    if not 0 < beta.min < math.inf:
        raise bad("beta.min", "be > 0 (beta weighs the rate)", beta.min)
    if not beta.min <= beta.max < math.inf:
        raise bad("beta.max", f"be finite and >= beta.min = {beta.min}", beta.max)
    if beta.count == 1 and beta.max != beta.min:
        raise bad("beta.max", "equal beta.min when beta.count is 1", beta.max)
    if config.report.plane_split not in _SPLITS:
        raise bad("report.plane_split", f"be one of {list(_SPLITS)}", config.report.plane_split)
    if config.model.prior not in ("normal", "mixture"):
        raise bad("model.prior", "be 'normal' or 'mixture'", config.model.prior)
    if config.model.power not in (1, 2):
        raise bad("model.power", "be 1 (IB Lagrangian) or 2 (squared IB)", config.model.power)
    if not 0 < config.model.noise_std < math.inf:
        raise bad("model.noise_std", "be a finite number > 0", config.model.noise_std)
    for field in ("encoder_widths", "decoder_widths"):
        widths = config.model[field]
        if any(isinstance(w, bool) or not isinstance(w, int) or w <= 0 for w in widths):
            raise bad(f"model.{field}", "list positive layer sizes", widths)


def betas(config: ml_collections.ConfigDict) -> np.ndarray:
    """The run's values of beta, increasing (``beta.count`` log-spaced values)."""
    return np.geomspace(config.beta.min, config.beta.max, config.beta.count)


@dataclasses.dataclass(frozen=True)
class _Plan:
    """The static part of a run: everything the compiled programs depend on.

    Attributes:
      config: the fields of :data:`_PLAN_FIELDS`, frozen (``frozen_section``).
      in_features, n_classes: the data's sizes.
      mesh: the devices.
    """

    config: Any
    in_features: int
    n_classes: int
    mesh: jax.sharding.Mesh


class _Setting(nnx.Variable):
    """A per-network constant of the objective (beta, noise on or off): not trained."""


class IBNetwork(nnx.Module):
    """A stochastic encoder, a decoder from Z to the logits, and what the objective needs.

    ``beta`` (the trade-off) and ``stochastic`` (1: Z is drawn from the encoder; 0: Z
    is the encoder's mean, the deterministic baseline) are per-network constants, so
    networks of different beta train together under ``vmap``.
    """

    def __init__(self, plan: _Plan, beta, stochastic, *, rngs: nnx.Rngs):
        options = plan.config.model
        if plan.config.objective == "nib":
            self.encoder = NoisyEncoder(
                plan.in_features,
                options.encoder_widths,
                options.latent_features,
                activation=options.activation,
                noise_std=options.noise_std,
                learn_noise=options.learn_noise,
                rngs=rngs,
            )
        else:
            self.encoder = GaussianEncoder(
                plan.in_features,
                options.encoder_widths,
                options.latent_features,
                activation=options.activation,
                std_offset=options.std_offset,
                rngs=rngs,
            )
        self.decoder = MLP(
            options.latent_features,
            options.decoder_widths,
            plan.n_classes,
            activation=options.activation,
            kernel_init=nnx.initializers.lecun_normal(),
            rngs=rngs,
        )
        if plan.config.objective == "ceb":
            self.backward = ClassConditionalGaussian(
                plan.n_classes, options.latent_features, rngs=rngs
            )
        if plan.config.objective == "vib" and options.prior == "mixture":
            self.prior = GaussianMixturePrior(
                options.prior_components, options.latent_features, rngs=rngs
            )
        self.beta = _Setting(jnp.asarray(beta, jnp.float32))
        self.stochastic = _Setting(jnp.asarray(stochastic, jnp.float32))


def _terms(
    plan: _Plan, model: IBNetwork, key: jax.Array, x, y, *, samples: int = 1, with_rate: bool = True
):
    """Per-example distortion, rate (None without ``with_rate``), mean softmax over
    ``samples`` draws of Z, the encoder's mean and std, and whether the prediction from
    the first draw alone (one draw of Z per input: the channel the informations
    describe) is right.

    The rate of VIB with the normal prior is the closed-form KL; the sampled rates
    (mixture prior, CEB) and the distortion are averaged over the draws. Nonlinear
    IB's rate is the pairwise bound over the examples given: one minibatch (the last
    one of an epoch is padded with copies of one example, which count as neighbours;
    the trainer gives them weight 0 in the mean only).
    """
    mean, std = model.encoder(x)
    noise = jax.random.normal(key, (samples, *mean.shape), mean.dtype)
    z = mean + model.stochastic[...] * std * noise
    logits, _ = model.decoder(z)
    labels = jnp.broadcast_to(y, logits.shape[:-1])
    distortion = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean(0)
    probabilities = jax.nn.softmax(logits, axis=-1).mean(0)
    single_draw_right = jnp.argmax(logits[0], -1) == y
    if not with_rate:
        return distortion, None, probabilities, mean, std, single_draw_right
    if plan.config.objective == "nib":
        rate = kde_rate(mean, std[0, 0])
    elif plan.config.objective == "ceb":
        backward_mean, backward_std = model.backward(y)
        rate = ceb_rate(z, mean, std, backward_mean, backward_std).mean(0)
    elif plan.config.model.prior == "mixture":
        rate = sampled_rate(z, mean, std, model.prior.log_prob(z)).mean(0)
    else:
        rate = vib_rate(mean, std)
    return distortion, rate, probabilities, mean, std, single_draw_right


@functools.lru_cache(maxsize=8)
def _training(plan: _Plan) -> Training:
    """The trainer and measurement of a plan, cached so that equal plans compile once."""

    def loss_fn(key, model, x, y):
        distortion, rate, *_ = _terms(plan, model, key, x, y)
        return ib_lagrangian(distortion, rate, beta=model.beta[...], power=plan.config.model.power)

    trainer = Trainer.create(
        lambda rngs, beta, stochastic: IBNetwork(plan, beta, stochastic, rngs=rngs),
        make_optimizer(
            plan.config.optimizer.name, learning_rate=plan.config.optimizer.learning_rate
        ),
        batch_size=plan.config.train.batch_size,
        loss_fn=loss_fn,
        factory_args=(1.0, 1.0),
    )

    def measure_split(model, key, x, y, bounds_x, bounds_y):
        terms_key, estimate_key = jax.random.split(key)
        # Nonlinear IB's rate over a whole split is not formed here (n x n): it is the
        # upper mixture bound below, over the same points.
        distortion, rate, probabilities, _, _, single_draw_right = _terms(
            plan,
            model,
            terms_key,
            x,
            y,
            samples=plan.config.tracking.samples,
            with_rate=plan.config.objective != "nib",
        )
        mean, std = model.encoder(bounds_x)
        bounds = gaussian_mixture_information_bounds(
            mean, std, bounds_y, n_classes=plan.n_classes, base=2
        )
        estimate = gaussian_mixture_information_estimate(
            estimate_key, mean, std, bounds_y, n_classes=plan.n_classes, base=2
        )
        # Nonlinear IB's pairwise bound over the points of the mixture bounds is
        # exactly their upper bound on I(X;Z).
        rate = bounds.input_upper * math.log(2) if plan.config.objective == "nib" else rate.mean()
        distortion = distortion.mean()
        beta = model.beta[...]
        return {
            "loss": distortion + beta * rate**plan.config.model.power,
            "distortion_nats": distortion,
            "rate_nats": rate,
            "accuracy": (jnp.argmax(probabilities, -1) == y).mean(dtype=mean.dtype),
            "accuracy_single_draw": single_draw_right.mean(dtype=mean.dtype),
            "input_information_bits": estimate.input_information,
            "input_information_se_bits": estimate.input_standard_error,
            "input_information_lower_bits": bounds.input_lower,
            "input_information_upper_bits": bounds.input_upper,
            "label_information_bits": estimate.label_information,
            "label_information_se_bits": estimate.label_standard_error,
            "label_information_lower_bits": bounds.label_lower,
            "label_information_upper_bits": bounds.label_upper,
        }

    def measure(state, data):
        model = trainer.model(state)
        keys = jax.random.split(jax.random.fold_in(state.key, 1), len(_SPLITS))
        return {
            split: measure_split(model, keys[index], **data[split])
            for index, split in enumerate(_SPLITS)
        }

    return Training(trainer, measure, plan.mesh)


def run(
    config: ml_collections.ConfigDict,
    workdir: str | os.PathLike,
    *,
    max_chunks: int | None = None,
    devices: Sequence[jax.Device] | None = None,
) -> RunResult:
    """Trains networks with an IB objective for every beta and seed, in one program.

    For each of ``beta.count`` values of beta and ``seeds`` seeds (and, with
    ``baseline``, ``seeds`` deterministic networks of the same size trained with plain
    cross-entropy) a stochastic encoder and a decoder train on
    ``distortion + beta * rate`` (:mod:`infojax.objectives`): all networks are one
    ``vmap``-ped program, chunks of epochs in ``lax.scan``, the network axis sharded
    over the devices (:func:`infojax.runs.train_in_chunks`; resumable as the
    information-plane runs are). At the epochs of ``tracking.epochs`` every network is
    measured on the training and the test set: its loss, distortion (the decoder's
    cross-entropy, averaged over ``tracking.samples`` draws of Z), rate, accuracy (of
    the softmax averaged over the draws), single-draw accuracy (of the prediction from
    one draw of Z per input, the channel the informations describe), and the
    Gaussian-mixture bounds on I(X;Z) and
    I(Z;Y) (:func:`infojax.measures.gaussian_mixture_information_bounds`) over at most
    ``tracking.max_points`` inputs of the split, with a Monte Carlo estimate of each
    (:func:`infojax.measures.gaussian_mixture_information_estimate`). Each call ends by
    writing ``ib_curve_train.png``, ``ib_curve_test.png``, ``accuracy.png``,
    ``information_plane.png`` (of the split ``report.plane_split``) and ``summary.md``.

    ``metrics.csv`` has one row per (epoch, network, split), columns :data:`COLUMNS`:
    ``beta_index`` (``-1`` for the baselines, whose rate and information columns are
    NaN), ``beta``, ``seed``, ``split``, then the measured values (nats for the loss,
    distortion and rate; bits for the informations: the estimate, its standard error,
    the lower and the upper bound). The rate is each objective's own: VIB's
    KL to its prior (an upper bound on I(X;Z)), nonlinear IB's pairwise bound (equal
    to the upper mixture bound), CEB's residual information (a bound on I(X;Z|Y)).

    Args:
      config: an IB-curve config (``configs/ib_curve/*.py``).
      workdir: the run directory (created when absent; locked while the run lasts).
      max_chunks: stop after this many chunks (None: run to the end).
      devices: the devices to shard the networks over (None: all of them).

    Returns:
      A :class:`infojax.runs.RunResult`; ``done`` is the next epoch to run.

    Raises:
      ConfigError: an invalid config, before anything is written.
      infojax.io.RunDirectoryError: the workdir is in use, unwritable, or holds a run
        of another config.
    """
    config = as_config_dict(config)
    check_config(config)
    initialize_distributed(config.distributed)
    split_cpu(config.cpu_devices)
    train, test, full = load_data(config.data)
    plan = _make_plan(config, full, devices)
    values = betas(config)
    seeds = config.seeds
    member_beta = np.repeat(values, seeds)
    member_stochastic = np.ones_like(member_beta)
    if config.baseline:
        member_beta = np.concatenate([member_beta, np.zeros(seeds)])
        member_stochastic = np.concatenate([member_stochastic, np.zeros(seeds)])
    members = member_beta.size
    beta_indices = [*range(values.size)] + ([BASELINE_INDEX] if config.baseline else [])
    datasets = dict(zip(_SPLITS, (train, test), strict=True))
    bounds_points = {
        split: _subset(dataset, config.tracking.max_points, config.data.split_seed)
        for split, dataset in datasets.items()
    }
    with run_directory(workdir, config.to_dict(), runtime_fields=RUNTIME_FIELDS) as directory:
        result = train_in_chunks(
            directory,
            _training(plan),
            seed=config.seed,
            seeds=members,
            epochs=config.train.epochs,
            chunk_epochs=config.train.chunk_epochs,
            measured_epochs=tracked_epochs(
                config.train.epochs,
                count=config.tracking.epochs.count,
                spacing=config.tracking.epochs.spacing,
            ),
            train_data=(train.x, train.y),
            measure_data={
                split: {
                    "x": dataset.x,
                    "y": dataset.y,
                    "bounds_x": bounds_points[split][0],
                    "bounds_y": bounds_points[split][1],
                }
                for split, dataset in datasets.items()
            },
            schema=SCHEMA,
            rows=functools.partial(_rows, betas=values, seeds=seeds),
            expected={"beta_index": beta_indices, "seed": range(seeds), "split": _SPLITS},
            member_args=(member_beta.astype(np.float32), member_stochastic.astype(np.float32)),
            progress=config.progress,
            max_chunks=max_chunks,
        )
        if is_primary():
            _write_report(directory, config, bounds_points, result, members, plan.n_classes)
    return result


def _subset(dataset, max_points: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` examples of ``dataset``, a fixed random subset (sorted)."""
    n = dataset.x.shape[0]
    if n <= max_points:
        return dataset.x, dataset.y
    chosen = np.sort(np.random.default_rng(seed).choice(n, max_points, replace=False))
    return dataset.x[chosen], dataset.y[chosen]


def _make_plan(config, full, devices) -> _Plan:
    plan = _Plan(
        config=frozen_section(config, get_config(), _PLAN_FIELDS),
        in_features=int(full.x.shape[1]),
        n_classes=int(full.y.max()) + 1,
        mesh=seed_mesh(devices),
    )
    try:
        make_optimizer(
            plan.config.optimizer.name, learning_rate=plan.config.optimizer.learning_rate
        )
        nnx.eval_shape(lambda: IBNetwork(plan, 1.0, 1.0, rngs=nnx.Rngs(0)))
    except (TypeError, ValueError) as error:
        raise ConfigError(f"Invalid config: {error}") from None
    return plan


def _rows(epoch: int, measured: dict[str, Any], *, betas: np.ndarray, seeds: int):
    """The metrics rows of one measured epoch (``measured`` holds every network)."""
    members = np.asarray(measured["train"]["loss"]).shape[0]
    for member in range(members):
        beta_index, seed = divmod(member, seeds)
        baseline = beta_index >= betas.size
        beta = 0.0 if baseline else float(betas[beta_index])
        for split in _SPLITS:
            values = {name: float(value[member]) for name, value in measured[split].items()}
            if baseline:
                values.update(dict.fromkeys(_STOCHASTIC_ONLY, math.nan))
            yield {
                "epoch": epoch,
                "beta_index": BASELINE_INDEX if baseline else beta_index,
                "beta": beta,
                "seed": seed,
                "split": split,
                **values,
            }


def _write_report(
    directory: RunDirectory, config, splits, result: RunResult, members, n_classes
) -> None:
    metrics = read_metrics(directory.file("metrics.csv"))
    # I(X;Y) and H(Y) of each split's inputs and labels, which the bounds refer to.
    information = {name: data_information(*split) for name, split in splits.items()}
    entropy = {name: label_entropy(split[1]) for name, split in splits.items()}
    name = (
        f"{config.objective.upper()} on {config.data.name}, latent {config.model.latent_features}"
    )
    rate_bounds = "residual" if config.objective == "ceb" else "input"
    figures = {}
    if metrics["epoch"].size:
        for split in ("train", "test"):
            _report.plot_ib_curve(
                metrics,
                directory.file(f"ib_curve_{split}.png"),
                split=split,
                title=f"IB curve ({split} set): {name}",
                data_information=information[split],
                label_entropy=entropy[split],
                rate_bounds=rate_bounds,
            )
            figures[f"IB curve, {split} set"] = f"ib_curve_{split}.png"
        _report.plot_accuracy_vs_beta(
            metrics, directory.file("accuracy.png"), title=f"Accuracy: {name}"
        )
        figures["accuracy against beta"] = "accuracy.png"
        count = config.beta.count
        chosen = sorted({0, count // 2, count - 1})
        _report.plot_information_plane(
            metrics,
            directory.file("information_plane.png"),
            beta_indices=chosen,
            split=config.report.plane_split,
            title=f"Information plane over training ({config.report.plane_split} set): {name}",
        )
        figures[f"information plane over training, {config.report.plane_split} set"] = (
            "information_plane.png"
        )
    status = (
        "finished" if result.finished else f"stopped before epoch {result.done} (rerun to resume)"
    )
    _report.write_summary(
        directory.file("summary.md"),
        metrics,
        title=f"IB curve: {name}",
        details={
            "status": status,
            "objective": config.objective,
            "beta": f"{config.beta.count} values from {config.beta.min:g} to {config.beta.max:g}",
            "seeds": config.seeds,
            "networks": members,
            "epochs": config.train.epochs,
            "optimizer": f"{config.optimizer.name}, learning rate {config.optimizer.learning_rate}",
            "batch size": config.train.batch_size,
            "devices": jax.device_count(),
            "wall time": f"{result.total_seconds:.1f} s",
        },
        figures=figures,
        data_information=information,
        label_entropy=entropy,
        rate_bounds=rate_bounds,
        n_classes=n_classes,
    )
