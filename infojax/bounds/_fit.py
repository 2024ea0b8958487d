"""Fitting a critic to a bound: the whole Optax loop compiled with ``lax.scan``.

The NNX critic is split once into its graph (static) and its state (a pytree of
arrays); every step merges them, scores a minibatch, and applies an Optax update to the
state. Steps run in ``lax.scan`` (rounds of ``eval_every`` steps, each followed by a
held-out evaluation), so the loop is one compiled program that ``jax.vmap`` can batch
over seeds or tasks.
"""

from __future__ import annotations

import dataclasses
import functools
import math
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
from infojax._validation import as_samples
from infojax._validation import check_base
from infojax._validation import check_key
from infojax._validation import check_same_length
from infojax.bounds._bounds import BoundSpec
from infojax.bounds._bounds import get_bound
from infojax.bounds._critics import CONDITIONAL_MODELS
from infojax.bounds._critics import CRITICS
from infojax.bounds._critics import score_matrix

DEFAULT_LEARNING_RATE = 5e-4


def default_optimizer(learning_rate: float = DEFAULT_LEARNING_RATE) -> optax.GradientTransformation:
    """``optax.adam(learning_rate)``, one object per rate so compiled loops are reused."""
    return _adam(float(learning_rate))


@functools.cache
def _adam(learning_rate: float) -> optax.GradientTransformation:
    return optax.adam(learning_rate)


def _frozen(options: Mapping[str, Any] | None, name: str) -> tuple[tuple[str, Any], ...]:
    if options is None:
        return ()
    if not isinstance(options, Mapping):
        raise TypeError(f"`{name}` must be a mapping of option names to values.")
    frozen = []
    for key, value in sorted(options.items()):
        if isinstance(value, list):
            value = tuple(value)
        try:
            hash(value)
        except TypeError:
            raise TypeError(f"`{name}[{key!r}]` must be hashable, got {value!r}.") from None
        frozen.append((key, value))
    return tuple(frozen)


@dataclasses.dataclass(frozen=True)
class FitSettings:
    """Everything that fixes the compiled loop (hashable; static under ``jit``).

    Attributes:
      bound: name in :data:`~infojax.bounds.BOUNDS`.
      critic: name in :data:`~infojax.bounds.CRITICS`.
      steps: optimisation steps.
      batch_size: pairs per training batch (the score matrix is batch x batch).
      eval_batch_size: pairs per held-out batch.
      eval_every: steps between held-out evaluations.
      n_train, n_held_out: sizes of the random train / held-out split.
      smoothing: momentum of the moving average of the held-out curve.
      patience: held-out evaluations without improvement before stopping (None: never).
      min_delta: smallest improvement of the held-out objective that counts.
      bound_options, critic_options: sorted ``(name, value)`` pairs.
      optimizer: the Optax transformation.
      base: logarithm base of reported values (None: nats).
    """

    bound: str
    critic: str
    steps: int
    batch_size: int
    eval_batch_size: int
    eval_every: int
    n_train: int
    n_held_out: int
    smoothing: float
    patience: int | None
    min_delta: float
    bound_options: tuple[tuple[str, Any], ...]
    critic_options: tuple[tuple[str, Any], ...]
    optimizer: optax.GradientTransformation = dataclasses.field(repr=False)
    base: float | None

    @property
    def rounds(self) -> int:
        """Number of held-out evaluations."""
        return math.ceil(self.steps / self.eval_every)


@struct.dataclass
class MutualInformationFit:
    """The result of :func:`fit_mutual_information` (a pytree; vmap stacks its arrays).

    Attributes:
      estimate: the bound on held-out data after the last step trained, ``()``.
      smoothed_estimate: the moving average of the held-out curve at that point, ``()``.
      training_curve: ``(steps,)`` bound value on each training batch (NaN after an
        early stop).
      held_out_curve: ``(rounds,)`` held-out value after each round of
        ``eval_every`` steps (NaN after an early stop).
      smoothed_curve: ``(rounds,)`` bias-corrected moving average of ``held_out_curve``.
      steps_run: number of steps trained (int32), ``steps`` unless stopped early.
      stopped_early: whether early stopping ended training (bool).
      settings: the :class:`FitSettings` (static).

    Values are in nats unless ``settings.base`` says otherwise.
    """

    estimate: jax.Array
    smoothed_estimate: jax.Array
    training_curve: jax.Array
    held_out_curve: jax.Array
    smoothed_curve: jax.Array
    steps_run: jax.Array
    stopped_early: jax.Array
    settings: FitSettings = struct.field(pytree_node=False)

    @property
    def held_out_steps(self) -> np.ndarray:
        """``(rounds,)`` step count at each held-out evaluation."""
        settings = self.settings
        rounds = np.arange(1, settings.rounds + 1) * settings.eval_every
        return np.minimum(rounds, settings.steps)


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


def make_held_out_evaluation(settings: FitSettings, graphdef: nnx.GraphDef):
    """``evaluate(params, bound_state, x, y) -> (value, objective)`` averaged over batches.

    The held-out samples are cut into ``n_held_out // eval_batch_size`` disjoint
    batches (evaluated one after another to bound memory); ``objective`` is the
    training objective (what early stopping watches), ``value`` the reported bound.
    """
    spec = get_bound(settings.bound)
    options = dict(settings.bound_options)
    batch = settings.eval_batch_size
    n_batches = settings.n_held_out // batch

    def evaluate(params, bound_state, x_held, y_held):
        critic = nnx.merge(graphdef, params)
        x_batches = x_held[: n_batches * batch].reshape(n_batches, batch, -1)
        y_batches = y_held[: n_batches * batch].reshape(n_batches, batch, -1)

        def one_batch(pair):
            scores = score_matrix(critic, *pair)
            objective, _ = spec.objective(scores, bound_state, **options)
            return spec.value(scores, **options), objective

        values, objectives = jax.lax.map(one_batch, (x_batches, y_batches))
        return jnp.mean(values), jnp.mean(objectives)

    return evaluate


def _batch_indices(key: jax.Array, settings: FitSettings) -> jax.Array:
    """``(rounds * eval_every, batch_size)`` training indices: epochs of disjoint batches.

    Each epoch is a fresh permutation of the training rows cut into whole batches, so a
    batch never holds a row twice (a repeated row off the diagonal would be a joint pair).
    """
    per_epoch = settings.n_train // settings.batch_size
    total = settings.rounds * settings.eval_every
    epochs = math.ceil(total / per_epoch)
    permutations = jax.vmap(lambda k: jax.random.permutation(k, settings.n_train))(
        jax.random.split(key, epochs)
    )
    batches = permutations[:, : per_epoch * settings.batch_size]
    return batches.reshape(-1, settings.batch_size)[:total]


def _standardized(samples: jax.Array, n_train: int) -> jax.Array:
    """Columns centred and scaled by the training rows' mean and standard deviation.

    An invertible affine map of each column leaves I(X; Y) unchanged, and inputs of
    unit scale keep the critic's initial scores and gradients in range whatever the
    units of the data. Constant columns are only centred.
    """
    train = samples[:n_train]
    scale = jnp.std(train, axis=0)
    scale = jnp.where(scale > 0, scale, jnp.ones_like(scale))
    return (samples - jnp.mean(train, axis=0)) / scale


def _fit(key: jax.Array, x: jax.Array, y: jax.Array, settings: FitSettings) -> MutualInformationFit:
    spec: BoundSpec = get_bound(settings.bound)
    dtype = x.dtype
    split_key, init_key, batch_key = jax.random.split(key, 3)
    order = jax.random.permutation(split_key, x.shape[0])
    x, y = x[order], y[order]
    x, y = _standardized(x, settings.n_train), _standardized(y, settings.n_train)
    x_train, y_train = x[: settings.n_train], y[: settings.n_train]
    x_held, y_held = x[settings.n_train :], y[settings.n_train :]

    critic = build_critic(init_key, settings, x.shape[1], y.shape[1], dtype)
    graphdef, params = nnx.split(critic)
    train_step = make_train_step(settings, graphdef)
    evaluate = make_held_out_evaluation(settings, graphdef)
    opt_state = settings.optimizer.init(params)
    bound_state = spec.init_state(dtype)

    indices = _batch_indices(batch_key, settings).reshape(
        settings.rounds, settings.eval_every, settings.batch_size
    )
    nan = jnp.asarray(jnp.nan, dtype)
    smoothing = jnp.asarray(settings.smoothing, dtype)

    def step(carry, batch_indices):
        train_state, step_count, stopped = carry
        active = (step_count < settings.steps) & ~stopped

        def run(state):
            batch = (x_train[batch_indices], y_train[batch_indices])
            return train_step(state, batch)

        def skip(state):
            return state, nan

        train_state, value = jax.lax.cond(active, run, skip, train_state)
        return (train_state, step_count + active.astype(jnp.int32), stopped), value

    def round_(carry, round_indices):
        train_state, step_count, stopped, monitor = carry
        best, since_best, estimate, smoothed, log_decay = monitor
        active = ~stopped
        (train_state, step_count, _), values = jax.lax.scan(
            step, (train_state, step_count, stopped), round_indices
        )
        params, _, bound_state = train_state
        held_value, held_objective = jax.lax.cond(
            active,
            lambda: evaluate(params, bound_state, x_held, y_held),
            lambda: (nan, nan),
        )
        # Bias-corrected moving average: weight (1 - β) / (1 - β^t) on the new value.
        decay = jnp.exp(log_decay) * smoothing
        weight = (1 - smoothing) / (1 - decay)
        new_smoothed = jnp.where(smoothed == smoothed, smoothed, held_value)
        new_smoothed = (1 - weight) * new_smoothed + weight * held_value
        improved = held_objective > best + settings.min_delta
        new_best = jnp.where(improved, held_objective, best)
        new_since = jnp.where(improved, 0, since_best + 1)
        if settings.patience is None:
            now_stopped = stopped
        else:
            now_stopped = stopped | (active & (new_since >= settings.patience))
        monitor = (
            jnp.where(active, new_best, best),
            jnp.where(active, new_since, since_best),
            jnp.where(active, held_value, estimate),
            jnp.where(active, new_smoothed, smoothed),
            jnp.where(active, jnp.log(decay), log_decay),
        )
        outputs = (
            values,
            jnp.where(active, held_value, nan),
            jnp.where(active, new_smoothed, nan),
        )
        return (train_state, step_count, now_stopped, monitor), outputs

    monitor = (
        jnp.asarray(-jnp.inf, dtype),
        jnp.asarray(0, jnp.int32),
        nan,
        nan,
        jnp.asarray(0.0, dtype),
    )
    carry = (
        (params, opt_state, bound_state),
        jnp.asarray(0, jnp.int32),
        jnp.asarray(False),
        monitor,
    )
    (_, steps_run, stopped, monitor), (train_values, held_values, smoothed_values) = jax.lax.scan(
        round_, carry, indices
    )
    _, _, estimate, smoothed_estimate, _ = monitor
    base = settings.base
    return MutualInformationFit(
        estimate=to_base(estimate, base),
        smoothed_estimate=to_base(smoothed_estimate, base),
        training_curve=to_base(train_values.reshape(-1)[: settings.steps], base),
        held_out_curve=to_base(held_values, base),
        smoothed_curve=to_base(smoothed_values, base),
        steps_run=steps_run,
        stopped_early=stopped,
        settings=settings,
    )


_fit_compiled = jax.jit(_fit, static_argnames=("settings",))


def _positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}, got {value}.")
    return int(value)


def fit_mutual_information(
    key: jax.Array,
    x: ArrayLike,
    y: ArrayLike,
    *,
    bound: str = "infonce",
    critic: str | None = None,
    optimizer: optax.GradientTransformation | None = None,
    steps: int = 1000,
    batch_size: int = 128,
    eval_batch_size: int | None = None,
    eval_every: int = 50,
    held_out_fraction: float = 0.2,
    smoothing: float = 0.5,
    patience: int | None = None,
    min_delta: float = 0.0,
    bound_options: Mapping[str, Any] | None = None,
    critic_options: Mapping[str, Any] | None = None,
    base: float | None = None,
) -> MutualInformationFit:
    r"""Estimates ``I(X; Y)`` by training a critic on a variational bound.

    The rows of ``(x, y)`` are split at random into a training set and a held-out set
    (``held_out_fraction``). For ``steps`` steps the critic maximises the bound's
    training objective on batches of ``batch_size`` training pairs (the score matrix
    ``f(x_i, y_j)`` of a batch has the joint pairs on its diagonal); every
    ``eval_every`` steps the bound is evaluated on the held-out set, cut into batches
    of ``eval_batch_size``. Both sets are standardised column by column with the
    training rows' mean and standard deviation first (MI is unchanged by such affine
    maps). The estimate is the held-out value after the last step
    trained, so it is not inflated by overfitting the training pairs:

    .. math::
        \hat I = \frac{1}{B} \sum_{b=1}^{B} I_{bound}\big(f_{\hat θ}(x^{(b)}_i, y^{(b)}_j)\big),
        \qquad \hat θ = \text{Optax}\big(\max_θ J_{bound}(f_θ)\ \text{on training batches}\big)

    The loop is compiled once per setting (``lax.scan`` over rounds and steps; the NNX
    critic is split into graph and state) and can be batched with ``jax.vmap`` over
    ``key`` (seeds) or over ``(x, y)`` (tasks); it gives the same numbers as a loop.

    Early stopping (``patience`` not None) watches the held-out training objective
    (the log-likelihood of ``q`` for CLUB) and stops after ``patience`` evaluations
    without an improvement above ``min_delta``; shapes stay fixed (the remaining steps
    are skipped and their curve entries are NaN).

    Args:
      key: a PRNG key (jax.random.key) for the split, initialisation and batches (may
        be vmapped).
      x: ``(n, dim_x)`` samples (1-D: one column); floating dtype sets the compute dtype.
      y: ``(n, dim_y)`` samples paired with ``x`` row by row.
      bound: name in :data:`~infojax.bounds.BOUNDS` (``"infonce"``, ``"nwj"``, ``"dv"``,
        ``"mine"``, ``"js"``, ``"smile"``, ``"interpolated"``, ``"club"``).
      critic: name in :data:`~infojax.bounds.CRITICS`; None: ``"separable"``, or
        ``"gaussian_conditional"`` for CLUB.
      optimizer: an Optax transformation; None: ``optax.adam(5e-4)``. Reusing one object
        reuses the compiled loop.
      steps: optimisation steps (static).
      batch_size: training batch size, ``2 <= batch_size <= n_train`` (static).
      eval_batch_size: held-out batch size (static); None: ``batch_size``. InfoNCE is
        capped by ``log(eval_batch_size)``.
      eval_every: steps between held-out evaluations (static).
      held_out_fraction: share of rows held out, in ``(0, 1)``.
      smoothing: momentum in ``[0, 1)`` of the moving average of the held-out curve.
      patience: evaluations without improvement before stopping; None: no early stop.
      min_delta: improvement of the held-out objective that resets the patience.
      bound_options: options of the bound, e.g. ``{"clip": 5.0}`` for SMILE,
        ``{"alpha": 0.5}`` for interpolated, ``{"momentum": 0.9}`` for MINE,
        ``{"report": "dv"}`` for JS.
      critic_options: keyword arguments of the critic class, e.g.
        ``{"hidden_sizes": (256, 256), "embedding_dim": 32, "activation": "relu"}``.
      base: logarithm base of the reported values (None: nats, 2: bits).

    Returns:
      A :class:`MutualInformationFit` with the estimate, the smoothed estimate, the
      training and held-out curves and the settings.

    Raises:
      ValueError: mismatched ``n``, NaN/inf samples (concrete inputs only), a batch
        larger than the training or held-out set, unknown bound/critic/options.
      TypeError: non-numeric samples, non-integer sizes, a bad key.

    Example:
      >>> key_data, key_fit = jax.random.split(jax.random.key(0))
      >>> x = jax.random.normal(key_data, (2000, 5))
      >>> y = x + 0.5 * jax.random.normal(jax.random.key(1), (2000, 5))
      >>> fit = fit_mutual_information(key_fit, x, y, bound="infonce", steps=500)
      >>> fit.estimate  # doctest: +SKIP

    References:
      Poole et al. (2019), On variational bounds of mutual information,
      https://arxiv.org/abs/1905.06922 ; Belghazi et al. (2018), MINE,
      https://arxiv.org/abs/1801.04062
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
        smoothing=smoothing,
        patience=patience,
        min_delta=min_delta,
        bound_options=bound_options,
        critic_options=critic_options,
        base=base,
    )
    x, y = _samples(x, y)
    return _fit_compiled(check_key(key), x, y, settings)


def _samples(x: ArrayLike, y: ArrayLike) -> tuple[jax.Array, jax.Array]:
    x = as_samples(x, "x")
    y = as_samples(y, "y")
    check_same_length((x, "x"), (y, "y"))
    dtype = jnp.result_type(x.dtype, y.dtype)
    return x.astype(dtype), y.astype(dtype)


def make_settings(
    x: ArrayLike,
    y: ArrayLike,
    *,
    bound: str = "infonce",
    critic: str | None = None,
    optimizer: optax.GradientTransformation | None = None,
    steps: int = 1000,
    batch_size: int = 128,
    eval_batch_size: int | None = None,
    eval_every: int = 50,
    held_out_fraction: float = 0.2,
    smoothing: float = 0.5,
    patience: int | None = None,
    min_delta: float = 0.0,
    bound_options: Mapping[str, Any] | None = None,
    critic_options: Mapping[str, Any] | None = None,
    base: float | None = None,
) -> FitSettings:
    """Checks the arguments of :func:`fit_mutual_information` and freezes them.

    Same arguments as :func:`fit_mutual_information` (without ``key``); raises the same
    errors. Useful to build the pieces of the loop (:func:`make_train_step`) by hand.
    """
    x, y = _samples(x, y)
    spec = get_bound(bound)
    if critic is None:
        critic = "gaussian_conditional" if spec.model == "conditional" else "separable"
    if critic not in CRITICS:
        raise ValueError(f"Unknown critic {critic!r}; known: {sorted(CRITICS)}.")
    if (critic in CONDITIONAL_MODELS) != (spec.model == "conditional"):
        wanted = "a conditional model q(y|x)" if spec.model == "conditional" else "a critic"
        raise ValueError(f"Bound {bound!r} needs {wanted}; `critic`={critic!r} is not one.")
    frozen_bound_options = _frozen(spec.check_options(dict(bound_options or {})), "bound_options")
    frozen_critic_options = _frozen(critic_options, "critic_options")
    for reserved in ("param_dtype", "rngs"):
        if reserved in dict(frozen_critic_options):
            raise ValueError(f"`critic_options` must not set {reserved!r}; fit sets it.")
    steps = _positive_int(steps, "steps")
    batch_size = _positive_int(batch_size, "batch_size", minimum=2)
    eval_every = min(_positive_int(eval_every, "eval_every"), steps)
    eval_batch_size = _positive_int(
        batch_size if eval_batch_size is None else eval_batch_size, "eval_batch_size", minimum=2
    )
    if not 0 < held_out_fraction < 1:
        raise ValueError(f"`held_out_fraction` must lie in (0, 1), got {held_out_fraction!r}.")
    if not 0 <= smoothing < 1:
        raise ValueError(f"`smoothing` must lie in [0, 1), got {smoothing!r}.")
    if patience is not None:
        patience = _positive_int(patience, "patience")
    check_base(base)
    n = x.shape[0]
    n_held_out = round(held_out_fraction * n)
    n_train = n - n_held_out
    if batch_size > n_train:
        raise ValueError(
            f"`batch_size`={batch_size} exceeds the {n_train} training samples "
            f"(n={n}, held_out_fraction={held_out_fraction})."
        )
    if eval_batch_size > n_held_out:
        raise ValueError(
            f"`eval_batch_size`={eval_batch_size} exceeds the {n_held_out} held-out samples "
            f"(n={n}, held_out_fraction={held_out_fraction}); lower it or hold out more."
        )
    # Build the critic once on abstract inputs so bad critic options fail here, clearly.
    try:
        jax.eval_shape(
            lambda k: nnx.split(
                CRITICS[critic](
                    x.shape[1],
                    y.shape[1],
                    **dict(frozen_critic_options),
                    param_dtype=x.dtype,
                    rngs=nnx.Rngs(params=k),
                )
            )[1],
            jax.random.key(0),
        )
    except TypeError as error:
        raise TypeError(f"Bad `critic_options` for critic {critic!r}: {error}") from None
    return FitSettings(
        bound=bound,
        critic=critic,
        steps=steps,
        batch_size=batch_size,
        eval_batch_size=eval_batch_size,
        eval_every=eval_every,
        n_train=n_train,
        n_held_out=n_held_out,
        smoothing=float(smoothing),
        patience=patience,
        min_delta=float(min_delta),
        bound_options=frozen_bound_options,
        critic_options=frozen_critic_options,
        optimizer=default_optimizer() if optimizer is None else optimizer,
        base=base,
    )
