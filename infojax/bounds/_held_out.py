"""The held-out training loop shared by the neural fits (private).

Both :func:`~infojax.bounds.fit_mutual_information` (a critic on a bound) and
:func:`~infojax.bounds.fit_latent_mutual_information` (autoencoders, then KSG) train
on one random part of the rows and watch another: the rows are shuffled and
preprocessed with the training rows' statistics (:func:`shuffled`), training batches
come in epochs of disjoint batches (:func:`epoch_batches`), and :func:`train_held_out`
runs rounds of ``eval_every`` steps in ``lax.scan``, each followed by a held-out
evaluation that selects the state kept and may stop training early, all in one
``lax.while_loop``. Each fit supplies its own step, evaluation and what to keep.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any
from typing import NamedTuple

import jax
import jax.numpy as jnp


def standardized(samples: jax.Array, n_train: int) -> jax.Array:
    """Columns centred and scaled by the training rows' mean and standard deviation.

    An invertible affine map of each column leaves I(X; Y) unchanged, and inputs of
    unit scale keep a network's initial outputs and gradients in range whatever the
    units of the data. Constant columns are only centred.

    Scale-safe: where the squares of a column's values would overflow (above about
    ``sqrt(max / n_train)``) or lose their digits to underflow (below about
    ``sqrt(tiny) / eps``; 1e-12 in float32), the column is first divided by its largest
    training magnitude, so a column times 1e30 or 1e-30 gives the same result as at
    scale 1. Other columns are divided by 1, which changes no bit.
    """
    finfo = jnp.finfo(samples.dtype)
    magnitude = jnp.max(jnp.abs(samples[:n_train]), axis=0)
    extreme = (magnitude > jnp.sqrt(finfo.max / n_train)) | (
        magnitude < jnp.sqrt(finfo.tiny) / finfo.eps
    )
    samples = samples / jnp.where(extreme & (magnitude > 0), magnitude, 1)
    train = samples[:n_train]
    scale = jnp.std(train, axis=0)
    scale = jnp.where(scale > 0, scale, jnp.ones_like(scale))
    return (samples - jnp.mean(train, axis=0)) / scale


def gaussianized(samples: jax.Array, n_train: int) -> jax.Array:
    """Each column mapped through the training rows' empirical CDF to normal scores.

    Column by column, ``v -> Φ^{-1}(F_train(v))`` with ``F_train`` the piecewise-linear
    interpolation of the training rows' empirical CDF at the plotting positions
    ``(i + 1) / (n_train + 1)``: a non-decreasing map fixed by the training rows alone
    and applied to every row. A strictly increasing map of each column leaves I(X; Y)
    unchanged (for continuous columns; a discrete one keeps its distinct values
    apart), and normal scores take the heavy tails out of the critic's inputs.
    Held-out values beyond the training range are clamped to its ends.

    Scale-safe: each column is first divided by the power of two of its largest
    training magnitude (exact, so the scores at ordinary scales keep every bit), so
    that the differences the interpolation divides by do not underflow at 1e-30 in
    float32.
    """
    _, exponents = jnp.frexp(jnp.max(jnp.abs(samples[:n_train]), axis=0))
    samples = jnp.ldexp(samples, -exponents)
    train = samples[:n_train]
    dtype = samples.dtype
    levels = jnp.arange(1, n_train + 1, dtype=dtype) / (n_train + 1)
    scores = jax.scipy.special.ndtri(levels)

    def column(values, train_values):
        return jnp.interp(values, jnp.sort(train_values), scores)

    return jax.vmap(column, in_axes=1, out_axes=1)(samples, train)


class Split(NamedTuple):
    """The keys and rows of a fit after :func:`shuffled`."""

    init_key: jax.Array
    batch_key: jax.Array
    x: jax.Array
    y: jax.Array


def shuffled(
    key: jax.Array,
    x: jax.Array,
    y: jax.Array,
    n_train: int,
    preprocess: Callable[[jax.Array, int], jax.Array],
) -> Split:
    """The rows in a random order (training rows first), each side ``preprocess``-ed
    with the statistics of the first ``n_train`` rows, and the keys of the
    initialisation and the batches."""
    split_key, init_key, batch_key = jax.random.split(key, 3)
    order = jax.random.permutation(split_key, x.shape[0])
    x, y = x[order], y[order]
    return Split(init_key, batch_key, preprocess(x, n_train), preprocess(y, n_train))


@dataclasses.dataclass(frozen=True)
class Schedule:
    """How the loop runs (hashable; static).

    Attributes:
      steps: steps to train; the last round stops there when ``eval_every`` does not
        divide it.
      eval_every: steps per round (one held-out evaluation after each).
      patience: evaluations without improvement before stopping (None: never).
      min_delta: smallest improvement of the criterion that counts.
      smoothing: momentum of the moving average of the held-out values.
      keep_best: keep the state of the best criterion (else the last one).
      gate_steps: skip the steps past ``steps`` with ``lax.cond``; without it the
        last round trains all of its ``eval_every`` steps.
    """

    steps: int
    eval_every: int
    patience: int | None = None
    min_delta: float = 0.0
    smoothing: float = 0.5
    keep_best: bool = True
    gate_steps: bool = True

    @property
    def rounds(self) -> int:
        """Number of held-out evaluations."""
        return math.ceil(self.steps / self.eval_every)


def epoch_batches(key: jax.Array, n_train: int, batch_size: int, schedule: Schedule) -> jax.Array:
    """``(rounds, eval_every, batch_size)`` training indices: epochs of disjoint batches.

    Each epoch is a fresh permutation of the training rows cut into whole batches, so a
    batch never holds a row twice (a repeated row off the diagonal of a score matrix
    would be a joint pair).
    """
    per_epoch = n_train // batch_size
    total = schedule.rounds * schedule.eval_every
    epochs = math.ceil(total / per_epoch)
    permutations = jax.vmap(lambda k: jax.random.permutation(k, n_train))(
        jax.random.split(key, epochs)
    )
    batches = permutations[:, : per_epoch * batch_size]
    return batches.reshape(-1, batch_size)[:total].reshape(
        schedule.rounds, schedule.eval_every, batch_size
    )


class Monitor(NamedTuple):
    """What model selection and early stopping track between rounds."""

    best: jax.Array  # the best criterion so far
    since_best: jax.Array  # evaluations since it improved (int32)
    best_round: jax.Array  # the round of the best criterion (int32)
    smoothed: jax.Array  # moving average of the held-out values (NaN before the first)
    log_decay: jax.Array  # log of smoothing ** rounds so far (for the bias correction)


class Curves(NamedTuple):
    """The values recorded as the loop runs (NaN where it did not run)."""

    training: jax.Array  # (rounds, eval_every) training value of each step
    held_out: jax.Array  # (rounds,) held-out value after each round
    smoothed: jax.Array  # (rounds,) bias-corrected moving average of held_out


class _Carry(NamedTuple):
    round_index: jax.Array
    state: Any
    step_count: jax.Array
    stopped: jax.Array
    kept: Any
    monitor: Monitor
    curves: Curves


class Trained(NamedTuple):
    """The outcome of :func:`train_held_out`."""

    kept: Any  # the kept part of the selected state
    steps_run: jax.Array  # steps trained (int32)
    stopped: jax.Array  # whether early stopping ended training
    best_round: jax.Array  # the round of the best criterion (int32)
    smoothed: jax.Array  # the moving average at the end
    curves: Curves


def train_held_out(
    step: Callable[[Any, jax.Array], tuple[Any, jax.Array]],
    evaluate: Callable[[Any], tuple[jax.Array, jax.Array]],
    keep: Callable[[Any], Any],
    state: Any,
    batches: jax.Array,
    schedule: Schedule,
    dtype: Any,
) -> Trained:
    """Rounds of training steps, each followed by a held-out evaluation.

    Args:
      step: ``(state, batch_indices) -> (state, value)``, one optimisation step.
      evaluate: ``state -> (value, criterion)`` on the held-out rows; ``value`` is
        recorded, ``criterion`` (larger is better) selects the state kept.
      keep: the part of the state to keep for the selected round.
      state: the initial training state.
      batches: ``(rounds, eval_every, batch_size)`` from :func:`epoch_batches`.
      schedule: the :class:`Schedule`.
      dtype: floating dtype of the recorded values.

    Returns:
      A :class:`Trained`. Rounds run in a while loop that ends at ``rounds`` or at the
      early stop, so a stopped fit costs nothing more; under ``vmap`` the loop runs
      until every member has stopped, and a stopped member's carry is left as it is.
    """
    nan = jnp.asarray(jnp.nan, dtype)
    smoothing = jnp.asarray(schedule.smoothing, dtype)

    def gated_step(carry, batch_indices):
        state, step_count = carry
        if not schedule.gate_steps:
            state, value = step(state, batch_indices)
            return (state, step_count + 1), value
        # Only the last round can run past `steps` (when eval_every does not divide it).
        active = step_count < schedule.steps

        def skip(state, batch_indices):
            return state, nan

        state, value = jax.lax.cond(active, step, skip, state, batch_indices)
        return (state, step_count + active.astype(jnp.int32)), value

    def keep_going(carry: _Carry):
        return (carry.round_index < schedule.rounds) & ~carry.stopped

    def one_round(carry: _Carry) -> _Carry:
        index, monitor, curves = carry.round_index, carry.monitor, carry.curves
        (state, step_count), values = jax.lax.scan(
            gated_step, (carry.state, carry.step_count), batches[index]
        )
        value, criterion = evaluate(state)
        # Bias-corrected moving average: weight (1 - β) / (1 - β^t) on the new value.
        decay = jnp.exp(monitor.log_decay) * smoothing
        weight = (1 - smoothing) / (1 - decay)
        smoothed = jnp.where(monitor.smoothed == monitor.smoothed, monitor.smoothed, value)
        smoothed = (1 - weight) * smoothed + weight * value
        # A NaN never improves (the comparison is False).
        improved = criterion > monitor.best + schedule.min_delta
        since_best = jnp.where(improved, 0, monitor.since_best + 1)
        stopped = carry.stopped
        if schedule.patience is not None:
            stopped = since_best >= schedule.patience
        if schedule.keep_best:
            kept = jax.tree.map(
                lambda new, old: jnp.where(improved, new, old), keep(state), carry.kept
            )
        else:
            kept = keep(state)
        return _Carry(
            round_index=index + 1,
            state=state,
            step_count=step_count,
            stopped=stopped,
            kept=kept,
            monitor=Monitor(
                best=jnp.where(improved, criterion, monitor.best),
                since_best=since_best,
                best_round=jnp.where(improved, index, monitor.best_round),
                smoothed=smoothed,
                log_decay=jnp.log(decay),
            ),
            curves=Curves(
                training=curves.training.at[index].set(values),
                held_out=curves.held_out.at[index].set(value),
                smoothed=curves.smoothed.at[index].set(smoothed),
            ),
        )

    rounds = schedule.rounds
    carry = _Carry(
        round_index=jnp.asarray(0, jnp.int32),
        state=state,
        step_count=jnp.asarray(0, jnp.int32),
        stopped=jnp.asarray(False),
        kept=keep(state),
        monitor=Monitor(
            best=jnp.asarray(-jnp.inf, dtype),
            since_best=jnp.asarray(0, jnp.int32),
            best_round=jnp.asarray(0, jnp.int32),
            smoothed=nan,
            log_decay=jnp.asarray(0.0, dtype),
        ),
        curves=Curves(
            training=jnp.full((rounds, schedule.eval_every), nan),
            held_out=jnp.full((rounds,), nan),
            smoothed=jnp.full((rounds,), nan),
        ),
    )
    carry = jax.lax.while_loop(keep_going, one_round, carry)
    return Trained(
        kept=carry.kept,
        steps_run=carry.step_count,
        stopped=carry.stopped,
        best_round=carry.monitor.best_round,
        smoothed=carry.monitor.smoothed,
        curves=carry.curves,
    )
