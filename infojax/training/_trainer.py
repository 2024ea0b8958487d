"""Pure, per-seed training of Flax NNX models with Optax, for any loss function.

Everything here is written for one seed: a :class:`TrainState` in, a
:class:`TrainState` out, no hidden state. Many seeds train together by ``jax.vmap``
over the leading axis of stacked states (:func:`infojax.training.run_epochs`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from infojax.training._gradient_statistics import GradientMoments
from infojax.training._gradient_statistics import GradientStatistics
from infojax.training._gradient_statistics import add_gradient
from infojax.training._gradient_statistics import finish_moments
from infojax.training._gradient_statistics import start_moments

# Random key bits per item over all sorting rounds of ``shuffled_indices``.
_SHUFFLE_KEY_BITS = 32


def shuffled_indices(key: jax.Array, n: int) -> jax.Array:
    """A uniformly random order of ``0 .. n-1``, from sorts of single ``uint32`` keys.

    Sorting ``n`` random keys gives a uniform order; XLA's CPU backend sorts one
    ``uint32`` operand about five times faster than the key-value or ``top_k`` sorts of
    ``jax.random.permutation`` and ``argsort``, which dominated the cost of an epoch of
    a small network. So each round packs ``32 - b`` random bits above the ``b =
    ceil(log2 n)`` bits of each item's current position, sorts the packed words and
    reads the positions back from the low bits. Ties of the random bits keep the
    previous order, so the rounds together sort by one random key of ``r (32 - b)``
    bits, the last round's most significant (an LSD radix sort); ``r`` is the fewest
    rounds giving at least 32 bits (2 for ``n`` up to 65536). Only items whose 32+
    random bits all tie keep index order, a bias of about ``n^2 / 2^33`` pairs per call
    (0.001 at ``n = 3277``).

    Args:
      key: a PRNG key (``jax.random.key``).
      n: number of indices (static).

    Returns:
      ``int32`` array of shape ``(n,)``, a permutation of ``0 .. n-1``.
    """
    return _keyed_permutation(key, n, index_bits=max(1, (n - 1).bit_length()))


def _keyed_permutation(key: jax.Array, n: int, *, index_bits: int) -> jax.Array:
    """:func:`shuffled_indices` with ``index_bits >= ceil(log2 n)`` position bits."""
    random_bits = 32 - index_bits
    rounds = -(-_SHUFFLE_KEY_BITS // random_bits)
    positions = jnp.arange(n, dtype=jnp.uint32)
    order = jnp.arange(n, dtype=jnp.int32)
    for round_key in jax.random.split(key, rounds):
        draws = jax.random.bits(round_key, (n,), jnp.uint32) >> index_bits
        packed = (draws << index_bits) | positions
        moved = jnp.sort(packed) & jnp.uint32((1 << index_bits) - 1)
        order = order[moved.astype(jnp.int32)]
    return order


LossFn = Callable[[jax.Array, nnx.Module, jax.Array, jax.Array], jax.Array]
"""``loss_fn(key, model, x, y) -> losses``: one loss per example of a minibatch.

``key`` is a fresh PRNG key for anything the model or loss draws (noise layers,
stochastic encoders), first as in every infojax function that draws; ``model`` is
the network being trained (merged from its parameters inside the gradient); ``x`` and
``y`` are a minibatch (leading axis ``batch``). Returns shape ``(batch,)``; the
trainer averages over the real examples.
"""


class TrainState(NamedTuple):
    """Everything that changes while one network trains.

    Attributes:
      params: the model's ``nnx.Param`` variables (an ``nnx.State``).
      rest: the model's other variables (an ``nnx.State``, often empty).
      opt_state: the optimizer state.
      key: PRNG key (``jax.random.key``), split once per epoch for shuffling and noise.
    """

    params: Any
    rest: Any
    opt_state: Any
    key: jax.Array


@dataclasses.dataclass(frozen=True)
class Trainer:
    """Pure minibatch training of a Flax NNX model on a loss function.

    The model is built by ``model_factory(rngs, *factory_args)``; each epoch visits the training set
    once in a fresh random order in minibatches of ``batch_size`` (the last one smaller
    when ``batch_size`` does not divide the set, as Keras does) and takes one optimizer
    step per minibatch on the mean of ``loss_fn`` over its examples.

    ``factory_args`` are per-network values given to :meth:`init` (e.g. the trade-off
    ``beta`` of an information-bottleneck objective, kept by the model as a non-trained
    variable), so that networks that differ in them train together under ``vmap``;
    :meth:`create` takes example values of them (only their shapes and dtypes count).

    Attributes:
      model_factory: ``(rngs, *factory_args) -> nnx.Module``.
      optimizer: the Optax transformation.
      batch_size: minibatch size (static).
      loss_fn: ``(key, model, x, y) -> per-example losses`` (:data:`LossFn`), e.g. the
        softmax cross-entropy of a classifier's logits.
      graphdef: the model's graph definition (filled in by :meth:`create`).
    """

    model_factory: Callable[..., nnx.Module]
    optimizer: optax.GradientTransformation
    batch_size: int
    loss_fn: LossFn
    graphdef: Any

    @classmethod
    def create(
        cls,
        model_factory: Callable[..., nnx.Module],
        optimizer: optax.GradientTransformation,
        *,
        batch_size: int,
        loss_fn: LossFn,
        factory_args: tuple[Any, ...] = (),
    ) -> Trainer:
        """A trainer for ``model_factory``'s model; builds the model only abstractly.

        ``factory_args`` are example values of the per-network arguments that
        :meth:`init` will pass to ``model_factory`` after ``rngs`` (none by default).
        """
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer, got {batch_size!r}.")
        abstract_model = nnx.eval_shape(lambda: model_factory(nnx.Rngs(0), *factory_args))
        graphdef, _, _ = nnx.split(abstract_model, nnx.Param, ...)
        return cls(model_factory, optimizer, batch_size, loss_fn, graphdef)

    def init(self, key: jax.Array, *factory_args: Any) -> TrainState:
        """A freshly initialised network and optimizer for one seed.

        Args:
          key: this seed's PRNG key (``jax.random.key``).
          *factory_args: this network's arguments of ``model_factory`` (after
            ``rngs``), shaped like the examples given to :meth:`create`.

        Returns:
          The seed's :class:`TrainState`.
        """
        model_key, state_key = jax.random.split(key)
        model = self.model_factory(nnx.Rngs(params=model_key), *factory_args)
        _, params, rest = nnx.split(model, nnx.Param, ...)
        return TrainState(params, rest, self.optimizer.init(params), state_key)

    def model(self, state: TrainState) -> nnx.Module:
        """The network of ``state``, to call on inputs (e.g. to evaluate or measure it)."""
        return nnx.merge(self.graphdef, state.params, state.rest)

    def train_epoch(self, state: TrainState, x: jax.Array, y: jax.Array) -> TrainState:
        """One pass over ``(x, y)`` in shuffled minibatches; one optimizer step per batch.

        Args:
          state: the seed's state.
          x: training inputs, shape ``(n, ...)``.
          y: training targets, shape ``(n, ...)``.

        Returns:
          The state after the epoch, with its key advanced.
        """
        return self._epoch(state, x, y, None)[0]

    def train_epoch_with_gradient_statistics(
        self, state: TrainState, x: jax.Array, y: jax.Array
    ) -> tuple[TrainState, dict[str, GradientStatistics]]:
        r""":meth:`train_epoch`, and the statistics of its minibatch gradients per kernel.

        The epoch is the one :meth:`train_epoch` runs (same minibatches, noise keys
        and optimizer steps: the returned state is bit-identical). Besides, for every
        weight matrix (each ``kernel`` leaf of the parameters, named by its path, e.g.
        ``"hidden_layers/0/kernel"`` and ``"output_layer/kernel"`` for an
        :class:`infojax.models.MLP`; biases are left out), the gradients :math:`g_b` of the
        minibatch losses (those the optimizer steps use, the last, smaller batch
        included) give :class:`GradientStatistics`: the norm of their mean, the norm
        of their elementwise standard deviation and the ratio, the signal-to-noise
        ratio whose fall marks the end of the drift phase of Shwartz-Ziv & Tishby
        (2017), computed as in the reference code of Saxe et al. (2018):

        .. math::

            \text{grad\_mean} = \Big\lVert \frac1B \sum_b g_b \Big\rVert_2, \qquad
            \text{grad\_std} = \Big\lVert \sqrt{\tfrac1B \textstyle\sum_b
                (g_b - \bar g)^2} \Big\rVert_2.

        One seed, like :meth:`train_epoch`: ``jax.jit`` it, ``jax.vmap`` it over stacked
        states. The moments are accumulated in the scan (Welford), so memory does not
        grow with the number of minibatches.

        Args:
          state: the seed's state.
          x: training inputs, shape ``(n, ...)``.
          y: training targets, shape ``(n, ...)``.

        Returns:
          ``(state, statistics)``: the state after the epoch, and a dict from kernel
          name to :class:`GradientStatistics` of scalars (the gradients' units).

        References:
          R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep neural networks
          via information", 2017, https://arxiv.org/abs/1703.00810.
          A. M. Saxe et al., "On the information bottleneck theory of deep learning",
          ICLR 2018, https://openreview.net/forum?id=ry_WPG-A-.
        """
        state, moments = self._epoch(state, x, y, start_moments(state.params))
        return state, finish_moments(moments, state.params)

    def _epoch(
        self, state: TrainState, x: jax.Array, y: jax.Array, moments: GradientMoments | None
    ) -> tuple[TrainState, GradientMoments | None]:
        """The epoch of :meth:`train_epoch`, adding each gradient to ``moments`` if given."""
        x, y = jnp.asarray(x), jnp.asarray(y)
        n = x.shape[0]
        n_batches = -(-n // self.batch_size)
        padding = n_batches * self.batch_size - n
        key, order_key, noise_key = jax.random.split(state.key, 3)
        order = shuffled_indices(order_key, n)
        indices = jnp.concatenate([order, jnp.zeros(padding, order.dtype)])
        weights = jnp.concatenate([jnp.ones(n, x.dtype), jnp.zeros(padding, x.dtype)])
        # One gather per epoch, then the scan slices batches off the shuffled copy.
        batches = (
            x[indices].reshape(n_batches, self.batch_size, *x.shape[1:]),
            y[indices].reshape(n_batches, self.batch_size, *y.shape[1:]),
            weights.reshape(n_batches, self.batch_size),
            jax.random.split(noise_key, n_batches),
        )

        def batch_loss(params, rest, batch_x, batch_y, batch_weights, batch_key):
            model = nnx.merge(self.graphdef, params, rest)
            losses = self.loss_fn(batch_key, model, batch_x, batch_y)
            return jnp.sum(batch_weights * losses) / jnp.sum(batch_weights)

        def step(carry, batch):
            params, opt_state, moments = carry
            grads = jax.grad(batch_loss)(params, state.rest, *batch)
            updates, opt_state = self.optimizer.update(grads, opt_state, params)
            if moments is not None:
                moments = add_gradient(moments, grads)
            return (optax.apply_updates(params, updates), opt_state, moments), None

        carry = (state.params, state.opt_state, moments)
        (params, opt_state, moments), _ = jax.lax.scan(step, carry, batches)
        return TrainState(params, state.rest, opt_state, key), moments
