r"""Latent mutual information: KSG on learned low-dimensional representations.

Gowri et al. (NeurIPS 2024) estimate the MI of high-dimensional ``(X, Y)`` in two
stages. A pair of autoencoders compresses each side to a small latent,
:math:`z_x = e_x(x)` and :math:`z_y = e_y(y)`, trained on half the samples to
reconstruct its own side and, as a regulariser, to predict the other side from its
latent (cross-prediction: :math:`\hat y = c_y(z_x)`, :math:`\hat x = c_x(z_y)`). The
cross terms pull the latents towards the directions that carry the dependence, which
a plain autoencoder would have no reason to prefer. KSG on the latents of the other,
held-out half is the estimate. By the data-processing inequality
:math:`I(e_x(X); e_y(Y)) \le I(X; Y)`: the method is accurate when the dependence is
low-dimensional, so that small latents can keep all of it, and KSG is accurate in the
latent dimension.

The whole fit is one compiled program: the six networks are one NNX module, split once
into its graph and state; Optax steps run in ``lax.scan`` (rounds of ``eval_every``
steps, each followed by the held-out loss), and KSG runs on the pure-JAX backend, so
the estimator works under ``jax.jit`` and ``jax.vmap`` over keys or sample sets.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from flax import struct
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._registry import register_estimator
from infojax._validation import check_base
from infojax._validation import check_key
from infojax._validation import check_neighbours
from infojax._validation import is_concrete
from infojax.bounds._held_out import Schedule
from infojax.bounds._held_out import epoch_batches
from infojax.bounds._held_out import shuffled
from infojax.bounds._held_out import standardized
from infojax.bounds._held_out import train_held_out
from infojax.bounds._settings import paired_samples
from infojax.estimators import ksg_mutual_information
from infojax.models import MLP
from infojax.models import get_activation

# The reference code clips standardised inputs to [-10, 10]: a few extreme rows then
# cannot dominate the squared reconstruction errors.
_CLIP = 10.0


def _leaky_relu(x: jax.Array) -> jax.Array:
    """Leaky ReLU with slope 0.2 below zero, the nonlinearity of the reference code."""
    return jax.nn.leaky_relu(x, negative_slope=0.2)


def _activation(activation: str) -> Any:
    return _leaky_relu if activation == "leaky_relu" else get_activation(activation)


class CrossPredictiveAutoencoder(nnx.Module):
    r"""Two autoencoders, one per side, with cross-predicting decoders.

    Six :class:`~infojax.models.MLP` networks (Xavier-uniform weights, zero biases): the
    encoders ``encoder_x`` (``dim_x -> hidden_sizes -> latent_dim``) and ``encoder_y``;
    the decoders ``decoder_x`` (:math:`z_x \mapsto \hat x`, hidden sizes reversed) and
    ``decoder_y``; the cross decoders ``cross_decoder_x`` (:math:`z_y \mapsto \hat x`)
    and ``cross_decoder_y`` (:math:`z_x \mapsto \hat y`). Latents are linear outputs.

    Args:
      dim_x: columns of ``x``.
      dim_y: columns of ``y``.
      latent_dim: size of each latent.
      hidden_sizes: widths of the encoders' hidden layers (decoders reversed).
      activation: hidden nonlinearity; ``"leaky_relu"`` has slope 0.2 here, as in the
        reference code, any other name is looked up in
        :data:`~infojax.models.ACTIVATIONS`.
      param_dtype: dtype of the weights.
      rngs: ``nnx.Rngs`` for the initial weights.
    """

    def __init__(
        self,
        dim_x: int,
        dim_y: int,
        latent_dim: int,
        *,
        hidden_sizes: Sequence[int] = (128, 64),
        activation: str = "tanh",
        param_dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        options = {
            "activation": _activation(activation),
            "kernel_init": nnx.initializers.xavier_uniform(),
            "param_dtype": param_dtype,
            "rngs": rngs,
        }
        hidden_sizes = tuple(hidden_sizes)
        reversed_sizes = hidden_sizes[::-1]
        self.encoder_x = MLP(dim_x, hidden_sizes, latent_dim, **options)
        self.encoder_y = MLP(dim_y, hidden_sizes, latent_dim, **options)
        self.decoder_x = MLP(latent_dim, reversed_sizes, dim_x, **options)
        self.decoder_y = MLP(latent_dim, reversed_sizes, dim_y, **options)
        self.cross_decoder_x = MLP(latent_dim, reversed_sizes, dim_x, **options)
        self.cross_decoder_y = MLP(latent_dim, reversed_sizes, dim_y, **options)

    def encode(self, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Latents ``(z_x, z_y)`` of shapes ``(n, latent_dim)``."""
        return self.encoder_x(x)[0], self.encoder_y(y)[0]

    def losses(self, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
        r"""``(reconstruction, cross)`` mean squared errors, summed over the two sides.

        .. math::
            L_{rec} = \|x - d_x(z_x)\|^2 + \|y - d_y(z_y)\|^2, \qquad
            L_{cross} = \|x - c_x(z_y)\|^2 + \|y - c_y(z_x)\|^2,

        each squared norm averaged over rows and columns.
        """
        z_x, z_y = self.encode(x, y)

        def mse(prediction, target):
            return jnp.mean((prediction - target) ** 2)

        reconstruction = mse(self.decoder_x(z_x)[0], x) + mse(self.decoder_y(z_y)[0], y)
        cross = mse(self.cross_decoder_x(z_y)[0], x) + mse(self.cross_decoder_y(z_x)[0], y)
        return reconstruction, cross


@dataclasses.dataclass(frozen=True)
class LatentSettings:
    """Everything that fixes the compiled fit (hashable; static under ``jit``).

    See :func:`fit_latent_mutual_information` for the meaning of each field;
    ``n_train`` and ``n_held_out`` are the sizes of the random split.
    """

    latent_dim: int
    hidden_sizes: tuple[int, ...]
    activation: str
    steps: int
    batch_size: int
    eval_every: int
    learning_rate: float
    weight_decay: float
    reconstruction_weight: float
    cross_weight: float
    n_train: int
    n_held_out: int
    k: int

    @property
    def rounds(self) -> int:
        """Number of held-out evaluations."""
        return math.ceil(self.steps / self.eval_every)


@struct.dataclass
class LatentMutualInformationFit:
    """The result of :func:`fit_latent_mutual_information` (a pytree; vmap stacks it).

    Attributes:
      estimate: KSG estimate of :math:`I(Z_X; Z_Y)` on the held-out latents, ``()``, in
        nats unless ``base`` was given.
      latents_x: ``(n_held_out, latent_dim)`` held-out latents of ``x`` (standardised),
        from the networks of the best round.
      latents_y: ``(n_held_out, latent_dim)`` held-out latents of ``y``.
      training_curve: ``(steps,)`` training loss of each step.
      held_out_curve: ``(rounds,)`` held-out loss after each round of ``eval_every``
        steps.
      best_round: index (int32) of the round with the lowest held-out loss, whose
        networks gave the latents.
      settings: the :class:`LatentSettings` (static).
    """

    estimate: jax.Array
    latents_x: jax.Array
    latents_y: jax.Array
    training_curve: jax.Array
    held_out_curve: jax.Array
    best_round: jax.Array
    settings: LatentSettings = struct.field(pytree_node=False)


def _optimizer(learning_rate: float, weight_decay: float) -> optax.GradientTransformation:
    """Adam, or AdamW with decoupled weight decay (built inside the traced fit: the
    settings hold the numbers, so equal settings share one compilation)."""
    # eps = 1e-7 as the reference code (Keras' default).
    if weight_decay == 0:
        return optax.adam(learning_rate, eps=1e-7)
    return optax.adamw(learning_rate, eps=1e-7, weight_decay=weight_decay)


def _clipped_standardized(samples: jax.Array, n_train: int) -> jax.Array:
    """Standardised columns (:func:`~infojax.bounds._held_out.standardized`) clipped to
    +-10, as the reference code does."""
    return jnp.clip(standardized(samples, n_train), -_CLIP, _CLIP)


def _whitened_columns(latents: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Each latent column centred and scaled to unit sd, and whether all are constant.

    KSG's max-norm then weighs every latent coordinate alike (an affine map of a column
    leaves MI unchanged). A column whose spread is at the rounding level of its values
    (an encoder collapsed by weight decay) is set to zero rather than blown up into
    rounding noise; a side whose columns are all constant carries no information.
    """
    centred = latents - jnp.mean(latents, axis=0)
    scale = jnp.std(latents, axis=0)
    rounding = 16 * jnp.finfo(latents.dtype).eps * jnp.max(jnp.abs(latents), axis=0)
    varies = scale > rounding
    whitened = jnp.where(varies, centred / jnp.where(varies, scale, 1), 0)
    return whitened, ~jnp.any(varies)


# Latents on a grid of 2^-16 within +-127: each max-norm distance between them is then
# exact in float32 (at most 24 significant bits), so KSG's comparison of every marginal
# distance with the joint k-th neighbour distance (which is one of them) cannot depend
# on how XLA compiles the two passes. Without it, the estimate under vmap differed from
# a loop by 0.01 at n = 48 (one neighbour count flipped by rounding). Standardised
# latents move by at most 2^-17; |z| <= sqrt(n) < 127 for n < 16129.
_GRID = 2.0**16
_GRID_LIMIT = 127.0


def _on_grid(latents: jax.Array) -> jax.Array:
    clipped = jnp.clip(latents, -_GRID_LIMIT, _GRID_LIMIT)
    return jnp.round(clipped * _GRID) / _GRID


def _fit(
    key: jax.Array, x: jax.Array, y: jax.Array, settings: LatentSettings
) -> LatentMutualInformationFit:
    # The estimate is piecewise constant in the samples (KSG counts neighbours), so its
    # derivative is zero; stopping gradients here spares differentiating the training.
    x, y = jax.lax.stop_gradient(x), jax.lax.stop_gradient(y)
    dtype = x.dtype
    split = shuffled(key, x, y, settings.n_train, _clipped_standardized)
    x, y = split.x, split.y
    x_train, y_train = x[: settings.n_train], y[: settings.n_train]
    x_held, y_held = x[settings.n_train :], y[settings.n_train :]

    model = CrossPredictiveAutoencoder(
        x.shape[1],
        y.shape[1],
        settings.latent_dim,
        hidden_sizes=settings.hidden_sizes,
        activation=settings.activation,
        param_dtype=dtype,
        rngs=nnx.Rngs(params=split.init_key),
    )
    graphdef, params = nnx.split(model)
    optimizer = _optimizer(settings.learning_rate, settings.weight_decay)
    reconstruction_weight = jnp.asarray(settings.reconstruction_weight, dtype)
    cross_weight = jnp.asarray(settings.cross_weight, dtype)

    def loss(params, x_batch, y_batch):
        reconstruction, cross = nnx.merge(graphdef, params).losses(x_batch, y_batch)
        return reconstruction_weight * reconstruction + cross_weight * cross

    def step(state, batch_indices):
        params, opt_state = state
        value, gradient = jax.value_and_grad(loss)(
            params, x_train[batch_indices], y_train[batch_indices]
        )
        updates, opt_state = optimizer.update(gradient, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), value

    def held_out(state):
        held_loss = loss(state[0], x_held, y_held)
        return held_loss, -held_loss  # the lowest held-out loss is the best

    # Every round trains all its steps (no gate): the curve is cut to `steps` after.
    schedule = Schedule(steps=settings.steps, eval_every=settings.eval_every, gate_steps=False)
    trained = train_held_out(
        step,
        held_out,
        lambda state: state[0],
        (params, optimizer.init(params)),
        epoch_batches(split.batch_key, settings.n_train, settings.batch_size, schedule),
        schedule,
        dtype,
    )
    best_params, best_round = trained.kept, trained.best_round
    train_values, held_values = trained.curves.training, trained.curves.held_out
    z_x, z_y = nnx.merge(graphdef, best_params).encode(x_held, y_held)
    (z_x, constant_x), (z_y, constant_y) = _whitened_columns(z_x), _whitened_columns(z_y)
    z_x, z_y = _on_grid(z_x), _on_grid(z_y)
    estimate = ksg_mutual_information(z_x, z_y, k=settings.k, backend="jax")
    estimate = jnp.where(constant_x | constant_y, jnp.zeros((), dtype), estimate)
    return LatentMutualInformationFit(
        estimate=estimate,
        latents_x=z_x,
        latents_y=z_y,
        training_curve=train_values.reshape(-1)[: settings.steps],
        held_out_curve=held_values,
        best_round=best_round,
        settings=settings,
    )


_fit_compiled = jax.jit(_fit, static_argnames=("settings",))


def _int_option(value: Any, name: str, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}, got {value}.")
    return int(value)


def _positive_float(value: Any, name: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"`{name}` must be a number, got {type(value).__name__}.")
    value = float(value)
    if not (math.isfinite(value) and (value >= 0 if allow_zero else value > 0)):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"`{name}` must be finite and {bound}, got {value}.")
    return value


def _settings(
    n: int,
    *,
    latent_dim: int,
    hidden_sizes: Sequence[int],
    activation: str,
    steps: int,
    batch_size: int,
    eval_every: int,
    learning_rate: float,
    weight_decay: float,
    reconstruction_weight: float,
    cross_weight: float,
    held_out_fraction: float,
    k: int,
) -> LatentSettings:
    latent_dim = _int_option(latent_dim, "latent_dim")
    if isinstance(hidden_sizes, (str, bytes)) or not isinstance(hidden_sizes, Sequence):
        raise TypeError(f"`hidden_sizes` must be a sequence of ints, got {hidden_sizes!r}.")
    hidden_sizes = tuple(_int_option(width, "hidden_sizes") for width in hidden_sizes)
    if not isinstance(activation, str):
        raise TypeError(f"`activation` must be a name, got {type(activation).__name__}.")
    _activation(activation)
    steps = _int_option(steps, "steps")
    batch_size = _int_option(batch_size, "batch_size", minimum=2)
    eval_every = min(_int_option(eval_every, "eval_every"), steps)
    learning_rate = _positive_float(learning_rate, "learning_rate")
    weight_decay = _positive_float(weight_decay, "weight_decay", allow_zero=True)
    reconstruction_weight = _positive_float(
        reconstruction_weight, "reconstruction_weight", allow_zero=True
    )
    cross_weight = _positive_float(cross_weight, "cross_weight", allow_zero=True)
    if reconstruction_weight == cross_weight == 0:
        raise ValueError("`reconstruction_weight` and `cross_weight` cannot both be zero.")
    if isinstance(held_out_fraction, bool) or not 0 < held_out_fraction < 1:
        raise ValueError(f"`held_out_fraction` must lie in (0, 1), got {held_out_fraction!r}.")
    n_held_out = round(held_out_fraction * n)
    n_train = n - n_held_out
    if n_train < 2 or n_held_out < 2:
        raise ValueError(
            f"`x` has too few rows (n={n}) for a training and a held-out set of at least "
            f"2 rows each (held_out_fraction={held_out_fraction})."
        )
    check_neighbours(k, n_held_out)
    return LatentSettings(
        latent_dim=latent_dim,
        hidden_sizes=hidden_sizes,
        activation=activation,
        steps=steps,
        # Small sample sets (a benchmark sweep over n) get batches of the training set.
        batch_size=min(batch_size, n_train),
        eval_every=eval_every,
        learning_rate=learning_rate,
        weight_decay=weight_decay,
        reconstruction_weight=reconstruction_weight,
        cross_weight=cross_weight,
        n_train=n_train,
        n_held_out=n_held_out,
        k=k,
    )


def fit_latent_mutual_information(
    key: jax.Array,
    x: ArrayLike,
    y: ArrayLike,
    *,
    latent_dim: int = 4,
    hidden_sizes: Sequence[int] = (128, 64),
    activation: str = "tanh",
    steps: int = 1500,
    batch_size: int = 256,
    eval_every: int = 50,
    learning_rate: float = 1e-3,
    weight_decay: float = 10.0,
    reconstruction_weight: float = 0.1,
    cross_weight: float = 1.0,
    held_out_fraction: float = 0.5,
    k: int = 3,
    base: float | None = None,
) -> LatentMutualInformationFit:
    r"""Latent MI: cross-predictive autoencoders, then KSG on the held-out latents.

    The rows are split at random into a training set and a held-out set
    (``held_out_fraction``, half by default as in the reference code); each column is
    standardised with the training rows' mean and sd and clipped to :math:`\pm 10`.
    A :class:`CrossPredictiveAutoencoder` is trained with Adam on minibatches of the
    training set to minimise

    .. math::
        L = \alpha \left(\|x - d_x(z_x)\|^2 + \|y - d_y(z_y)\|^2\right)
          + \lambda \left(\|x - c_x(z_y)\|^2 + \|y - c_y(z_x)\|^2\right),
        \qquad z_x = e_x(x),\ z_y = e_y(y)

    (mean squared errors; :math:`\alpha` = ``reconstruction_weight``, :math:`\lambda`
    = ``cross_weight``). Every ``eval_every`` steps the loss on the held-out set is
    recorded; the networks of the round with the lowest held-out loss (early stopping
    with the best weights restored, without cutting the loop short) encode the held-out
    rows, each latent column is standardised, and

    .. math::
        \hat I(X; Y) = \hat I_{KSG}\big(e_x(x_{held}); e_y(y_{held})\big)

    with KSG algorithm 1, max-norm, ``k`` neighbours (pure-JAX backend).

    Defaults differ from the reference code, which uses leaky-ReLU networks with hidden
    layers (1024, 512, 256), an 8-dimensional latent, batches of 512, Adam with
    learning rate 1e-4, up to 300 epochs with patience 30, dropout 0.5 in the cross
    decoders and :math:`\alpha = \lambda = 1`. Here the networks are small (they train
    in seconds on a CPU), tanh, and regularised by decoupled weight decay
    (``optax.adamw``: each step multiplies the weights by ``1 - learning_rate *
    weight_decay`` = 0.99) instead of dropout, and :math:`\alpha = 0.1`. Measured on
    :func:`~infojax.tasks.high_dimensional_suite` (100 x 100, 2-dimensional dependence
    of 1.02 nats, n = 5000): the reference settings scaled down to these networks
    (leaky ReLU, no decay, :math:`\alpha = 1`) overfit within a few hundred steps and
    gave 0.07 nats; with :math:`\alpha = 1` the reconstruction term, indifferent among
    directions of equal variance, fills the latent with noise (0.64 nats); the
    defaults give 0.90 to 0.96 over four keys (0.98 for one key with
    :math:`\alpha = 0`). The gap grows with the ambient dimension at fixed n: 0.66 in
    250 x 250 and about 0 in 500 x 500 at n = 5000, where the networks fit the noise
    of 2500 training rows before they find the shared directions. ``latent_dim``
    should be at least the dimension of the dependence; KSG loses accuracy as
    ``2 * latent_dim`` grows.

    If the encoders of a side collapse to a constant (too strong a ``weight_decay``),
    its latents carry no information and the estimate is 0.

    The estimate is a data-processing lower bound in expectation,
    :math:`I(Z_X; Z_Y) \le I(X; Y)`, plus KSG's own bias; it is consistent only when
    the latents keep all of the dependence.

    Args:
      key: a PRNG key (jax.random.key) for the split, the weights and the batches (may
        be vmapped).
      x: ``(n, dim_x)`` samples (1-D: one column); the floating dtype sets the compute
        dtype.
      y: ``(n, dim_y)`` samples paired with ``x`` row by row.
      latent_dim: size of each latent (static).
      hidden_sizes: widths of the encoders' hidden layers (static).
      activation: hidden nonlinearity (static); ``"leaky_relu"`` has slope 0.2.
      steps: optimisation steps (static).
      batch_size: rows per training batch (static), capped at the training set.
      eval_every: steps between held-out evaluations (static).
      learning_rate: Adam's learning rate.
      reconstruction_weight: :math:`\alpha \ge 0`.
      cross_weight: :math:`\lambda \ge 0`.
      held_out_fraction: share of rows held out for early stopping and KSG, in (0, 1).
      k: KSG neighbour order, ``1 <= k < n_held_out``.
      base: logarithm base of the estimate (None: nats, 2: bits).

    Returns:
      A :class:`LatentMutualInformationFit`: the estimate, the held-out latents, the
      training and held-out loss curves and the settings.

    Raises:
      ValueError: mismatched ``n``, NaN/inf samples (concrete inputs only), too few rows,
        bad sizes or weights; repeated rows whose held-out latents tie, so that KSG is
        undefined (concrete inputs only: under a caller's ``jit`` the estimate is NaN).
      TypeError: non-numeric samples or non-integer sizes, a bad key.

    Example:
      >>> from infojax import tasks
      >>> task = tasks.high_dimensional_suite()[0]  # 100 x 100, MI 1.02 nats
      >>> x, y = task.sample(jax.random.key(0), 5000)
      >>> fit = fit_latent_mutual_information(jax.random.key(1), x, y)  # doctest: +SKIP
      >>> fit.estimate  # doctest: +SKIP

    References:
      Gowri, Lun, Klein & Yin (2024), Approximating mutual information of
      high-dimensional variables using learned representations, NeurIPS 2024,
      https://arxiv.org/abs/2409.02732 ; reference code
      https://github.com/ggdna/latent-mutual-information
    """
    x, y = paired_samples(x, y)
    settings = _settings(
        x.shape[0],
        latent_dim=latent_dim,
        hidden_sizes=hidden_sizes,
        activation=activation,
        steps=steps,
        batch_size=batch_size,
        eval_every=eval_every,
        learning_rate=learning_rate,
        weight_decay=weight_decay,
        reconstruction_weight=reconstruction_weight,
        cross_weight=cross_weight,
        held_out_fraction=held_out_fraction,
        k=k,
    )
    check_base(base)
    fit = _fit_compiled(check_key(key), x, y, settings)
    _check_tied_latents(fit)
    # Outside the compiled fit, so nats and bits share one compilation.
    return fit.replace(estimate=to_base(fit.estimate, base))


def _check_tied_latents(fit: LatentMutualInformationFit) -> None:
    """Raises ValueError where a concrete fit's KSG step gave NaN on tied latents.

    Repeated rows of ``x`` (or ``y``) map to one latent point, and KSG is undefined on
    ties (it returns NaN inside the compiled fit, where no error can be raised). Under
    a caller's ``jit`` or ``vmap`` the NaN is returned.
    """
    if not is_concrete(fit.estimate) or not np.isnan(np.asarray(fit.estimate)):
        return
    for name, latents in (("x", fit.latents_x), ("y", fit.latents_y)):
        _, counts = np.unique(np.asarray(latents), axis=0, return_counts=True)
        tied = int(counts[counts > 1].sum())
        if tied:
            raise ValueError(
                f"`{name}` has repeated rows: {tied} of its {latents.shape[0]} held-out "
                "rows share a latent point, and KSG on the latents is undefined on ties. "
                f"Add noise far below the scale of `{name}` first, or use a discrete or "
                "mixed estimator."
            )


def latent_mutual_information(
    key: jax.Array,
    x: ArrayLike,
    y: ArrayLike,
    *,
    latent_dim: int = 4,
    hidden_sizes: Sequence[int] = (128, 64),
    activation: str = "tanh",
    steps: int = 1500,
    batch_size: int = 256,
    eval_every: int = 50,
    learning_rate: float = 1e-3,
    weight_decay: float = 10.0,
    reconstruction_weight: float = 0.1,
    cross_weight: float = 1.0,
    held_out_fraction: float = 0.5,
    k: int = 3,
    base: float | None = None,
) -> jax.Array:
    """The estimate of :func:`fit_latent_mutual_information`, a scalar array.

    Same arguments; nats unless ``base``. Works under ``jax.jit`` and ``jax.vmap``
    (value checks of the samples run only on concrete inputs). Its gradient with
    respect to the samples is zero: KSG's neighbour counts are piecewise constant.
    """
    return fit_latent_mutual_information(
        key,
        x,
        y,
        latent_dim=latent_dim,
        hidden_sizes=hidden_sizes,
        activation=activation,
        steps=steps,
        batch_size=batch_size,
        eval_every=eval_every,
        learning_rate=learning_rate,
        weight_decay=weight_decay,
        reconstruction_weight=reconstruction_weight,
        cross_weight=cross_weight,
        held_out_fraction=held_out_fraction,
        k=k,
        base=base,
    ).estimate


register_estimator(
    "latent_mi",
    latent_mutual_information,
    quantity="mutual_information",
    inputs="continuous",
    defaults={
        "latent_dim": 4,
        "hidden_sizes": (128, 64),
        "activation": "tanh",
        "steps": 1500,
        "batch_size": 256,
        "eval_every": 50,
        "learning_rate": 1e-3,
        "weight_decay": 10.0,
        "reconstruction_weight": 0.1,
        "cross_weight": 1.0,
        "held_out_fraction": 0.5,
        "base": None,
    },
    needs_key=True,
    jittable=True,
    gradient="zero",
    description="Latent MI (Gowri et al. 2024): KSG on cross-predictive autoencoder latents",
)
