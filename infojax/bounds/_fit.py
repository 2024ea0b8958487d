"""Fitting a critic to a bound, and the fit's result and diagnostics.

The NNX critic is split once into its graph (static) and its state (a pytree of
arrays); every step merges them, scores a minibatch, and applies an Optax update to the
state. The steps run in the held-out loop of :mod:`infojax.bounds._held_out` (rounds
of ``eval_every`` steps in ``lax.scan``, each followed by a held-out evaluation), so
the fit is one compiled program that ``jax.vmap`` can batch over seeds or tasks. Its
settings are checked and frozen in :mod:`infojax.bounds._settings`.

Low-level API: :func:`~infojax.bounds.make_settings`, :func:`make_train_step`,
:func:`make_held_out_evaluation` and :func:`build_critic` are the pieces of the loop,
public for those who write their own (``experiments/bench_bounds.py`` times them).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from flax import struct
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._validation import check_key
from infojax.bounds._bounds import BoundSpec
from infojax.bounds._bounds import get_bound
from infojax.bounds._critics import CRITICS
from infojax.bounds._critics import score_matrix
from infojax.bounds._held_out import epoch_batches
from infojax.bounds._held_out import gaussianized
from infojax.bounds._held_out import shuffled
from infojax.bounds._held_out import standardized
from infojax.bounds._held_out import train_held_out
from infojax.bounds._settings import DEFAULTS
from infojax.bounds._settings import FitSettings
from infojax.bounds._settings import make_settings
from infojax.bounds._settings import paired_samples
from infojax.bounds._settings import positive_int

# Thresholds of the diagnostics (nats).
_CEILING_MARGIN = 1.0
_GAP_TOLERANCE = 0.1
_GAP_FRACTION = 0.2
# CLUB is called loose when it exceeds the InfoNCE lower bound of its own conditional
# model by more than this (nats) plus this share of that lower bound.
_BRACKET_TOLERANCE = 0.25
_BRACKET_FRACTION = 0.25


@struct.dataclass
class FitDiagnostics:
    """What the fit noticed about itself (a pytree of arrays, stacked by vmap).

    Attributes:
      best_step: the step whose critic was selected (int32).
      generalization_gap: the mean training-batch value over the round that ended at
        the selected step, minus the held-out value there (nats or ``base`` units);
        large when the critic fits its training pairs better than new ones.
      overfitting: the gap exceeds ``0.1 + 0.2 |estimate|``.
      still_improving: the selected critic is the last one evaluated and training
        was not stopped early: more steps would likely raise the estimate.
      early_peak: the selection criterion peaked at the first evaluation although
        later ones ran: the critic overfits almost at once.
      at_ceiling: InfoNCE within 1 nat of its ceiling ``log(eval_batch_size)``.
      below_zero: a lower bound more than two standard errors below 0, which no
        mutual information is.
      non_finite: the estimate is NaN or infinite.
      upper_bound_gap: for CLUB (an upper bound), the estimate minus the InfoNCE lower
        bound of the same conditional model on the same report batches (scores
        ``log q(y_j | x_i)``, a valid critic): the mutual information lies between
        the two; NaN for the lower bounds.
      loose_upper_bound: that gap exceeds ``0.25 + 0.25 |lower bound|`` nats: CLUB
        alone would overstate the mutual information by up to the gap.
    """

    best_step: jax.Array
    generalization_gap: jax.Array
    overfitting: jax.Array
    still_improving: jax.Array
    early_peak: jax.Array
    at_ceiling: jax.Array
    below_zero: jax.Array
    non_finite: jax.Array
    upper_bound_gap: jax.Array
    loose_upper_bound: jax.Array


@struct.dataclass
class MutualInformationFit:
    """The result of :func:`fit_mutual_information` (a pytree; vmap stacks its arrays).

    Attributes:
      estimate: the bound of the selected critic on the report rows (the held-out rows
        unless ``report_fraction`` > 0), the mean over their batches, ``()``.
      standard_error: the standard error of ``estimate`` over those batches (NaN with
        a single batch), ``()``.
      smoothed_estimate: the moving average of the held-out curve at the end, ``()``.
      training_curve: ``(steps,)`` bound value on each training batch (NaN after an
        early stop).
      held_out_curve: ``(rounds,)`` held-out value after each round of
        ``eval_every`` steps (NaN after an early stop).
      smoothed_curve: ``(rounds,)`` bias-corrected moving average of ``held_out_curve``.
      steps_run: number of steps trained (int32), ``steps`` unless stopped early.
      stopped_early: whether early stopping ended training (bool).
      diagnostics: a :class:`FitDiagnostics`.
      settings: the :class:`FitSettings` (static).

    With ``seeds`` (or under ``jax.vmap``) every array gains a leading seed axis;
    :meth:`interval` and :meth:`summary` then describe the spread over seeds.
    Values are in nats unless ``settings.base`` says otherwise.
    """

    estimate: jax.Array
    standard_error: jax.Array
    smoothed_estimate: jax.Array
    training_curve: jax.Array
    held_out_curve: jax.Array
    smoothed_curve: jax.Array
    steps_run: jax.Array
    stopped_early: jax.Array
    diagnostics: FitDiagnostics
    settings: FitSettings = struct.field(pytree_node=False)

    @property
    def held_out_steps(self) -> np.ndarray:
        """``(rounds,)`` step count at each held-out evaluation."""
        settings = self.settings
        rounds = np.arange(1, settings.rounds + 1) * settings.eval_every
        return np.minimum(rounds, settings.steps)

    def interval(
        self, confidence: float = 0.95, *, level: float | None = None
    ) -> tuple[float, float, float]:
        """``(estimate, low, high)``: a ``confidence`` interval of the estimate.

        One fit: ``estimate ± z * standard_error`` (normal quantile; the spread of the
        report batches only, not of the training). Several seeds (a leading axis): the
        mean over seeds ± the Student-t quantile times the standard error of that mean,
        which covers the whole procedure (split, initialisation, batches).

        ``confidence`` is the coverage, in (0, 1), named as in
        :func:`infojax.stats.bootstrap_ci`; ``level`` is its former name (deprecated).
        """
        level = _confidence(confidence, level, "interval")
        import scipy.stats  # loaded here: `import infojax` stays light

        estimates = np.asarray(self.estimate, np.float64)
        if estimates.ndim == 0:
            half = scipy.stats.norm.ppf(0.5 + level / 2) * float(self.standard_error)
            center = float(estimates)
        else:
            estimates = estimates.reshape(-1)
            seeds = estimates.size
            center = float(np.mean(estimates))
            if seeds < 2:
                half = math.nan
            else:
                spread = float(np.std(estimates, ddof=1)) / math.sqrt(seeds)
                half = scipy.stats.t.ppf(0.5 + level / 2, seeds - 1) * spread
        return center, center - half, center + half

    def summary(self, confidence: float = 0.95, *, level: float | None = None) -> str:
        """One line to report, e.g. ``"1.02 ± 0.03 nats (infonce, n = 5000, 5 seeds, ...)"``.

        ± is the standard error (over seeds when there are several, else over the
        report batches), followed by the ``confidence`` interval of :meth:`interval`
        (``level``: its former name, deprecated).
        """
        level = _confidence(confidence, level, "summary")
        center, low, high = self.interval(level)
        settings = self.settings
        estimates = np.asarray(self.estimate, np.float64).reshape(-1)
        if np.ndim(self.estimate) == 0:
            error = float(self.standard_error)
            source = f"SE over {settings.report_batches} held-out batches"
        else:
            seeds = estimates.size
            error = float(np.std(estimates, ddof=1)) / math.sqrt(seeds) if seeds > 1 else math.nan
            source = f"{seeds} seeds"
        return (
            f"{center:.2f} ± {error:.2f} {settings.unit} ({settings.bound}, n = {settings.n}, "
            f"{source}; {100 * level:g} % interval [{low:.2f}, {high:.2f}])"
        )

    def problems(self) -> list[str]:
        """A message naming each problem the diagnostics flag, with the remedy.

        Needs concrete values (not inside ``jax.jit``); with a seed axis a problem is
        named when any seed shows it.
        """
        return _problems(self)


def _confidence(confidence: float, level: float | None, method: str) -> float:
    """The coverage of an interval, from ``confidence`` or the deprecated ``level``."""
    if level is not None:
        warnings.warn(
            f"MutualInformationFit.{method}(level=...) is deprecated: use `confidence` "
            "(the name infojax.stats.bootstrap_ci uses).",
            DeprecationWarning,
            stacklevel=3,
        )
        confidence = level
    if not 0 < confidence < 1:
        raise ValueError(
            f"`confidence` (the confidence level) must lie in (0, 1), got {confidence!r}."
        )
    return confidence


def build_critic(
    key: jax.Array, settings: FitSettings, dim_x: int, dim_y: int, dtype: Any
) -> nnx.Module:
    """The critic of ``settings`` with weights of ``dtype``, initialised from ``key``.

    Args:
      key: a PRNG key (jax.random.key) for the initial weights.
      settings: the :class:`FitSettings` naming the critic and its options.
      dim_x, dim_y: dimensions of ``x`` and ``y``.
      dtype: floating dtype of the weights.
    """
    critic_class = CRITICS[settings.critic]
    return critic_class(
        dim_x,
        dim_y,
        **dict(settings.critic_options),
        param_dtype=dtype,
        rngs=nnx.Rngs(params=key),
    )


def make_train_step(settings: FitSettings, graphdef: nnx.GraphDef):
    """One optimisation step ``(params, opt_state, bound_state), (x, y) -> (new, value)``.

    Low-level API (what :func:`fit_mutual_information` runs in its loop).

    ``value`` is the reported bound on the batch (nats). The step is pure: it merges
    ``graphdef`` with ``params`` to score the batch and returns the updated pytrees.
    """
    spec = get_bound(settings.bound)
    options = dict(settings.bound_options)
    optimizer = settings.optimizer

    def negative_objective(params, bound_state, x_batch, y_batch):
        critic = nnx.merge(graphdef, params)
        scores = score_matrix(critic, x_batch, y_batch)
        objective, new_bound_state = spec.objective(scores, bound_state, **options)
        value = spec.value(jax.lax.stop_gradient(scores), **options)
        return -objective, (value, new_bound_state)

    def train_step(carry, batch):
        params, opt_state, bound_state = carry
        gradient, (value, bound_state) = jax.grad(negative_objective, has_aux=True)(
            params, bound_state, *batch
        )
        updates, opt_state = optimizer.update(gradient, opt_state, params)
        params = optax.apply_updates(params, updates)
        return (params, opt_state, bound_state), value

    return train_step


def _batch_values(settings: FitSettings, graphdef: nnx.GraphDef):
    """``values(params, bound_state, x, y) -> (values, objectives)``, one per batch.

    The rows are cut into ``len(x) // eval_batch_size`` disjoint batches (the remainder
    is left out), evaluated one after another to bound memory; ``objective`` is the
    training objective (what model selection watches), ``value`` the reported bound.
    """
    spec = get_bound(settings.bound)
    options = dict(settings.bound_options)
    batch = settings.eval_batch_size

    def values(params, bound_state, x_rows, y_rows):
        critic = nnx.merge(graphdef, params)
        n_batches = x_rows.shape[0] // batch
        x_batches = x_rows[: n_batches * batch].reshape(n_batches, batch, -1)
        y_batches = y_rows[: n_batches * batch].reshape(n_batches, batch, -1)

        def one_batch(pair):
            scores = score_matrix(critic, *pair)
            objective, _ = spec.objective(scores, bound_state, **options)
            return spec.value(scores, **options), objective

        return jax.lax.map(one_batch, (x_batches, y_batches))

    return values


def make_held_out_evaluation(settings: FitSettings, graphdef: nnx.GraphDef):
    """``evaluate(params, bound_state, x, y) -> (value, objective)`` averaged over batches.

    Low-level API (what :func:`fit_mutual_information` runs after each round).

    The held-out samples are cut into ``n_held_out // eval_batch_size`` disjoint
    batches (evaluated one after another to bound memory); ``objective`` is the
    training objective (what selection watches for CLUB), ``value`` the
    reported bound.
    """
    values = _batch_values(settings, graphdef)

    def evaluate(params, bound_state, x_held, y_held):
        batch_values, objectives = values(params, bound_state, x_held, y_held)
        return jnp.mean(batch_values), jnp.mean(objectives)

    return evaluate


def _fit(key: jax.Array, x: jax.Array, y: jax.Array, settings: FitSettings) -> MutualInformationFit:
    spec: BoundSpec = get_bound(settings.bound)
    dtype = x.dtype
    preprocess = gaussianized if settings.preprocess == "gaussianize" else standardized
    split = shuffled(key, x, y, settings.n_train, preprocess)
    x, y = split.x, split.y
    held_end = settings.n_train + settings.n_held_out
    x_train, y_train = x[: settings.n_train], y[: settings.n_train]
    x_held, y_held = x[settings.n_train : held_end], y[settings.n_train : held_end]
    if settings.n_report:
        x_report, y_report = x[held_end:], y[held_end:]
    else:
        x_report, y_report = x_held, y_held

    critic = build_critic(split.init_key, settings, x.shape[1], y.shape[1], dtype)
    graphdef, params = nnx.split(critic)
    train_step = make_train_step(settings, graphdef)
    evaluate = make_held_out_evaluation(settings, graphdef)
    batch_values = _batch_values(settings, graphdef)
    schedule = settings.schedule

    def step(state, batch_indices):
        return train_step(state, (x_train[batch_indices], y_train[batch_indices]))

    def held_out(state):
        params, _, bound_state = state
        value, objective = evaluate(params, bound_state, x_held, y_held)
        # Lower bounds: the best held-out value (a JS- or SMILE-trained critic with the
        # best objective can still read out badly); CLUB: the best log-likelihood of q.
        return value, value if spec.kind == "lower" else objective

    def keep(state):
        params, _, bound_state = state
        return params, bound_state

    bound_state = spec.init_state(dtype)
    trained = train_held_out(
        step,
        held_out,
        keep,
        (params, settings.optimizer.init(params), bound_state),
        epoch_batches(split.batch_key, settings.n_train, settings.batch_size, schedule),
        schedule,
        dtype,
    )
    curves = trained.curves
    best_round = trained.best_round
    if settings.selection == "last":
        best_round = jnp.sum(curves.held_out == curves.held_out).astype(jnp.int32) - 1

    report_values, _ = batch_values(*trained.kept, x_report, y_report)
    estimate = jnp.mean(report_values)
    count = report_values.shape[0]
    if count > 1:
        standard_error = jnp.std(report_values, ddof=1) / jnp.sqrt(jnp.asarray(count, dtype))
    else:
        standard_error = jnp.asarray(jnp.nan, dtype)
    if spec.kind == "upper":
        # Behind a barrier, the estimate's own computation compiles as without the
        # bracket: CLUB keeps its bits (XLA otherwise fuses the shared inputs anew).
        params, x_rows, y_rows, estimate_copy = jax.lax.optimization_barrier(
            (trained.kept[0], x_report, y_report, estimate)
        )
        critic = nnx.merge(graphdef, params)
        lower_bound = jnp.mean(_infonce_values(settings, critic, x_rows, y_rows))
        upper_bound_gap = estimate_copy - lower_bound
        loose = upper_bound_gap > _BRACKET_TOLERANCE + _BRACKET_FRACTION * jnp.abs(lower_bound)
    else:
        upper_bound_gap = jnp.asarray(jnp.nan, dtype)
        loose = jnp.asarray(False)
    diagnostics = _diagnose(
        settings,
        estimate,
        standard_error,
        curves.training,
        curves.held_out,
        best_round,
        trained.stopped,
    ).replace(upper_bound_gap=to_base(upper_bound_gap, settings.base), loose_upper_bound=loose)
    base = settings.base
    return MutualInformationFit(
        estimate=to_base(estimate, base),
        standard_error=to_base(standard_error, base),
        smoothed_estimate=to_base(trained.smoothed, base),
        training_curve=to_base(curves.training.reshape(-1)[: settings.steps], base),
        held_out_curve=to_base(curves.held_out, base),
        smoothed_curve=to_base(curves.smoothed, base),
        steps_run=trained.steps_run,
        stopped_early=trained.stopped,
        diagnostics=diagnostics,
        settings=settings,
    )


def _diagnose(
    settings: FitSettings,
    estimate: jax.Array,
    standard_error: jax.Array,
    train_values: jax.Array,
    held_values: jax.Array,
    best_round: jax.Array,
    stopped: jax.Array,
) -> FitDiagnostics:
    """The flags of :class:`FitDiagnostics`, in nats, inside the compiled fit."""
    spec = get_bound(settings.bound)
    base = settings.base
    evaluated = jnp.sum(held_values == held_values).astype(jnp.int32)
    gap = jnp.nanmean(train_values[best_round]) - held_values[best_round]
    lower = spec.kind == "lower"
    if settings.bound == "infonce":
        ceiling = math.log(settings.eval_batch_size)
        at_ceiling = estimate > ceiling - _CEILING_MARGIN
    else:
        at_ceiling = jnp.asarray(False)
    below_zero = estimate < -2 * jnp.nan_to_num(standard_error) if lower else jnp.asarray(False)
    # Where the held-out curve peaked: the selected round, or for selection="last" the
    # curve's own maximum (the last round is not a peak just because it was kept).
    if settings.selection == "best":
        peak = best_round
    else:
        peak = jnp.argmax(jnp.where(held_values == held_values, held_values, -jnp.inf))
    return FitDiagnostics(
        best_step=jnp.minimum((best_round + 1) * settings.eval_every, settings.steps),
        generalization_gap=to_base(gap, base),
        overfitting=gap > _GAP_TOLERANCE + _GAP_FRACTION * jnp.abs(estimate),
        still_improving=(peak == evaluated - 1) & ~stopped & (evaluated > 1),
        early_peak=(peak == 0) & (evaluated > 1),
        at_ceiling=at_ceiling,
        below_zero=below_zero & jnp.isfinite(estimate),
        non_finite=~jnp.isfinite(estimate),
        upper_bound_gap=jnp.asarray(jnp.nan, estimate.dtype),
        loose_upper_bound=jnp.asarray(False),
    )


def _infonce_values(settings: FitSettings, critic: nnx.Module, x_rows, y_rows) -> jax.Array:
    """InfoNCE on each report batch of the scores of ``critic`` (for CLUB's model,
    ``log q(y_j | x_i)``: any score function gives a lower bound)."""
    infonce = get_bound("infonce")
    batch = settings.eval_batch_size
    n_batches = x_rows.shape[0] // batch
    x_batches = x_rows[: n_batches * batch].reshape(n_batches, batch, -1)
    y_batches = y_rows[: n_batches * batch].reshape(n_batches, batch, -1)
    return jax.lax.map(
        lambda pair: infonce.value(score_matrix(critic, *pair)), (x_batches, y_batches)
    )


def _problems(fit: MutualInformationFit) -> list[str]:
    settings = fit.settings
    diagnostics = jax.tree.map(np.asarray, fit.diagnostics)
    unit = settings.unit
    messages = []

    def largest(values):
        values = np.asarray(values, np.float64).reshape(-1)
        return float(np.nanmax(values)) if np.isfinite(values).any() else math.nan

    if diagnostics.non_finite.any():
        messages.append(
            "the estimate is NaN or infinite: the critic's scores overflowed; lower the "
            "learning rate or use bound='infonce' or 'smile', whose values stay finite."
        )
    if diagnostics.below_zero.any():
        messages.append(
            "the estimate is more than two standard errors below 0, which no mutual "
            "information is: the selected critic does worse than a constant on the "
            "held-out pairs; the data may be independent, or the fit failed (more "
            "samples, a smaller critic or bound='infonce' usually help)."
        )
    if diagnostics.at_ceiling.any():
        ceiling = to_base(math.log(settings.eval_batch_size), settings.base)
        messages.append(
            f"InfoNCE cannot exceed log(eval_batch_size) = {float(ceiling):.2f} {unit} and "
            "the estimate is within 1 nat of it: it may be far below the truth; raise "
            "`eval_batch_size` (and `batch_size`) or use bound='smile' or 'interpolated'."
        )
    if diagnostics.loose_upper_bound.any():
        messages.append(
            f"CLUB's upper bound is {largest(diagnostics.upper_bound_gap):.2f} {unit} above "
            "the InfoNCE lower bound of the same conditional model on the same rows: the "
            "mutual information lies somewhere between, so CLUB alone may overstate it by "
            "that much; report the bracket, or a lower bound (bound='infonce' or 'smile')."
        )
    if diagnostics.still_improving.any():
        messages.append(
            f"the held-out value was still rising at the last step ({settings.steps}): "
            "the estimate is likely low; raise `steps`."
        )
    if diagnostics.early_peak.any():
        messages.append(
            f"the held-out value peaked at the first evaluation (step {settings.eval_every}) "
            "and fell after it: the critic overfits its training pairs almost at once; "
            "lower `eval_every` or the learning rate, use a smaller critic, or more samples."
        )
    if diagnostics.overfitting.any():
        messages.append(
            f"the training-batch value exceeds the held-out value by "
            f"{largest(diagnostics.generalization_gap):.2f} {unit} at the selected step: "
            "the critic fits its training pairs better than new ones, so the estimate is "
            "likely low; use a smaller critic or more samples."
        )
    return messages


def _warn(fit: MutualInformationFit) -> None:
    """Warns once per problem the diagnostics flag (concrete results only)."""
    if any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(fit)):
        return
    for message in fit.problems():
        warnings.warn(f"fit_mutual_information({fit.settings.bound!r}): {message}", stacklevel=3)


_fit_compiled = jax.jit(_fit, static_argnames=("settings",))


@functools.partial(jax.jit, static_argnames=("settings",))
def _fit_seeds_compiled(keys, x, y, settings):
    return jax.vmap(lambda key: _fit(key, x, y, settings))(keys)


def fit_mutual_information(
    key: jax.Array,
    x: ArrayLike,
    y: ArrayLike,
    *,
    bound: str = "infonce",
    critic: str | None = None,
    optimizer: optax.GradientTransformation | None = None,
    steps: int = DEFAULTS["steps"],
    batch_size: int | None = None,
    eval_batch_size: int | None = None,
    eval_every: int = DEFAULTS["eval_every"],
    held_out_fraction: float = DEFAULTS["held_out_fraction"],
    report_fraction: float = DEFAULTS["report_fraction"],
    selection: str = "best",
    preprocess: str = DEFAULTS["preprocess"],
    smoothing: float = 0.5,
    patience: int | None = DEFAULTS["patience"],
    min_delta: float = 0.0,
    bound_options: Mapping[str, Any] | None = None,
    critic_options: Mapping[str, Any] | None = None,
    seeds: int | None = None,
    base: float | None = None,
) -> MutualInformationFit:
    r"""Estimates ``I(X; Y)`` by training a critic on a variational bound.

    The rows of ``(x, y)`` are split at random into a training set, a held-out set
    (``held_out_fraction``) and, if ``report_fraction`` > 0, a report set. The critic
    maximises the bound's training objective on batches of ``batch_size`` training
    pairs (the score matrix ``f(x_i, y_j)`` of a batch has the joint pairs on its
    diagonal); every ``eval_every`` steps the bound is evaluated on the held-out set,
    cut into batches of ``eval_batch_size``. First every column of every set is mapped
    with the training rows alone (``preprocess``): by default through their empirical
    CDF to normal scores, or standardised with their mean and standard deviation;
    either map is monotone per column and leaves MI unchanged.

    **Model selection.** The critic kept is the one with the best held-out value of
    the bound (for CLUB, an upper bound: the best held-out log-likelihood of ``q``;
    ``selection="best"``), so training past the point where the critic starts to
    memorise its training pairs does not lower the estimate; training stops after
    ``patience`` evaluations without improvement. The estimate is the bound of that
    critic on the report rows (the held-out rows by default), with its standard
    error over their batches:

    .. math::
        \hat I = \frac{1}{B} \sum_{b=1}^{B} I_{bound}\big(f_{\hat θ}(x^{(b)}_i, y^{(b)}_j)\big),
        \qquad \hat θ = \arg\max_{t} J_{bound}(f_{θ_t};\ \text{held-out rows})

    Choosing the best of several evaluations on the rows that also report it favours
    evaluations whose batches happened to score high; on 14 ground-truth tasks at
    n = 5000 this lifts InfoNCE by a mean of 0.008 ± 0.015 nats (median 0.023;
    ``python -m experiments.sweep_bounds --settings default --report``), within the
    noise of one held-out estimate. ``report_fraction`` holds out rows
    that selection never sees, for an estimate free of it.

    **Diagnostics.** ``fit.diagnostics`` flags a generalisation gap, a held-out curve
    still rising at the last step, a peak at the first evaluation, InfoNCE near its
    ``log(eval_batch_size)`` ceiling, an estimate below zero and NaN; each flag that
    fires is a warning naming the remedy (concrete results only: under a caller's
    ``jit`` the flags are in the result, see :meth:`MutualInformationFit.problems`).

    The loop is compiled once per setting (``lax.scan`` over rounds and steps; the NNX
    critic is split into graph and state) and can be batched with ``jax.vmap`` over
    ``key`` (seeds) or over ``(x, y)`` (tasks); it gives the same numbers as a loop.
    ``seeds=S`` does the first: ``S`` fits from ``jax.random.split(key, S)`` in one
    program, each with its own split, initialisation and batches, so
    :meth:`MutualInformationFit.summary` reports the spread of the whole procedure.

    Args:
      key: a PRNG key (jax.random.key) for the split, initialisation and batches (may
        be vmapped).
      x: ``(n, dim_x)`` samples (1-D: one column); floating dtype sets the compute dtype.
      y: ``(n, dim_y)`` samples paired with ``x`` row by row.
      bound: name in :data:`~infojax.bounds.BOUNDS` (``"infonce"``, ``"nwj"``, ``"dv"``,
        ``"mine"``, ``"js"``, ``"smile"``, ``"interpolated"``, ``"club"``).
      critic: name in :data:`~infojax.bounds.CRITICS`; None: ``"separable"``, or
        ``"gaussian_conditional"`` for CLUB.
      optimizer: an Optax transformation; None: ``optax.adam(DEFAULTS["learning_rate"])``.
        Compared by what it computes (its functions and hyperparameters), so an
        ``optax.adam(1e-3)`` written inline in every call reuses the compiled loop.
      steps: largest number of optimisation steps (static).
      batch_size: training batch size, ``2 <= batch_size <= n_train`` (static); None:
        ``DEFAULTS["batch_size"]``, or the training set if smaller.
      eval_batch_size: held-out batch size (static); None: ``batch_size``, or the
        held-out set if smaller. InfoNCE is capped by ``log(eval_batch_size)``.
      eval_every: steps between held-out evaluations (static).
      held_out_fraction: share of rows held out for model selection, in ``(0, 1)``.
      report_fraction: share of rows held out for the estimate alone, in ``[0, 1)``;
        0 reports on the held-out rows.
      selection: ``"best"`` (the critic of the best held-out value; CLUB:
        log-likelihood) or ``"last"`` (the critic after the last step trained).
      preprocess: ``"standardize"`` (each column's training mean and standard
        deviation) or ``"gaussianize"`` (each column through the training rows'
        empirical CDF to normal scores, a monotone map that leaves MI unchanged and
        tames heavy tails).
      smoothing: momentum in ``[0, 1)`` of the moving average of the held-out curve.
      patience: evaluations without improvement before stopping; None: never stop.
      min_delta: improvement of the selection criterion that resets the patience.
      bound_options: options of the bound, e.g. ``{"clip": 5.0}`` for SMILE,
        ``{"alpha": 0.5}`` for interpolated, ``{"momentum": 0.9}`` for MINE,
        ``{"report": "nwj"}`` for JS.
      critic_options: keyword arguments of the critic class, e.g.
        ``{"hidden_sizes": (256, 256), "embedding_dim": 32, "activation": "relu"}``;
        None: the sizes and nonlinearity in :data:`DEFAULTS`.
      seeds: None for one fit; an int ``S >= 1`` for ``S`` fits vmapped (every array of
        the result gains a leading axis of size ``S``).
      base: logarithm base of the reported values (None: nats, 2: bits).

    Returns:
      A :class:`MutualInformationFit` with the estimate, its standard error, the
      training and held-out curves, the diagnostics and the settings.

    Raises:
      ValueError: mismatched ``n``, NaN/inf samples (concrete inputs only), too few
        rows for the split (the message gives the smallest ``n``), a batch larger than
        its set, unknown bound/critic/options/selection.
      TypeError: non-numeric samples, non-integer sizes, a bad key.

    Example:
      >>> key_data, key_fit = jax.random.split(jax.random.key(0))
      >>> x = jax.random.normal(key_data, (2000, 5))
      >>> y = x + 0.5 * jax.random.normal(jax.random.key(1), (2000, 5))
      >>> fit = fit_mutual_information(key_fit, x, y, seeds=3)
      >>> fit.summary()  # doctest: +SKIP
      '...'

    References:
      Poole et al. (2019), On variational bounds of mutual information,
      https://arxiv.org/abs/1905.06922 ; Belghazi et al. (2018), MINE,
      https://arxiv.org/abs/1801.04062 ; Czyż et al. (2023), Beyond normal,
      https://arxiv.org/abs/2306.11078 (held-out model selection of neural estimators).
    """
    settings = make_settings(
        x,
        y,
        bound=bound,
        critic=critic,
        optimizer=optimizer,
        steps=steps,
        batch_size=batch_size,
        eval_batch_size=eval_batch_size,
        eval_every=eval_every,
        held_out_fraction=held_out_fraction,
        report_fraction=report_fraction,
        selection=selection,
        preprocess=preprocess,
        smoothing=smoothing,
        patience=patience,
        min_delta=min_delta,
        bound_options=bound_options,
        critic_options=critic_options,
        base=base,
    )
    x, y = paired_samples(x, y)
    key = check_key(key)
    if seeds is None:
        fit = _fit_compiled(key, x, y, settings)
    else:
        seeds = positive_int(seeds, "seeds")
        fit = _fit_seeds_compiled(jax.random.split(key, seeds), x, y, settings)
    _warn(fit)
    return fit
