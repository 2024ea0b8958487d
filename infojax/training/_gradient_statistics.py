r"""Statistics of the minibatch gradients of an epoch, per weight matrix: the drift and
diffusion phases of Shwartz-Ziv & Tishby (2017), as Saxe et al. (2018) compute them.

The moments are accumulated over the epoch's minibatches with Welford's update (one
pass, no stored gradients, no cancellation of :math:`E[g^2] - E[g]^2`), inside the
epoch's ``lax.scan`` (:meth:`infojax.training.Trainer.train_epoch_with_gradient_statistics`).
"""

from __future__ import annotations

from typing import Any
from typing import NamedTuple

import jax
import jax.numpy as jnp


class GradientStatistics(NamedTuple):
    r"""Gradient statistics of one weight matrix over the minibatches of an epoch.

    With :math:`g_b` the gradient of the loss with respect to the matrix on minibatch
    :math:`b = 1, \dots, B` (at the parameters the optimizer step of :math:`b` starts
    from), :math:`\bar g = \frac1B \sum_b g_b` and
    :math:`\sigma = \sqrt{\frac1B \sum_b (g_b - \bar g)^2}` elementwise:

    Attributes:
      grad_mean: :math:`\lVert \bar g \rVert_2` (all entries flattened).
      grad_std: :math:`\lVert \sigma \rVert_2` (standard deviation with ``ddof=0``).
      grad_snr: ``grad_mean / grad_std`` (inf for an epoch of one minibatch).
      weight_norm: Frobenius norm of the matrix after the epoch.
    """

    grad_mean: jax.Array
    grad_std: jax.Array
    grad_snr: jax.Array
    weight_norm: jax.Array


class GradientMoments(NamedTuple):
    """Running mean and summed squared deviations of the kernel gradients (Welford)."""

    count: jax.Array
    mean: dict[str, jax.Array]
    squared_deviations: dict[str, jax.Array]


def kernels(params: Any) -> dict[str, jax.Array]:
    """The weight matrices (``kernel`` leaves) of ``params`` by their path.

    A leaf whose last dictionary key is ``"kernel"`` (every ``nnx.Linear`` and
    ``nnx.Conv``) is named by its dictionary keys joined with ``/``, e.g.
    ``"hidden_layers/0/kernel"`` and ``"output_layer/kernel"`` for an
    :class:`infojax.models.MLP`. Biases and other parameters are left out, as in the
    reference code of Saxe et al. (2018).

    Raises:
      ValueError: if ``params`` has no ``kernel`` leaf.
    """
    found = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
        keys = [str(entry.key) for entry in path if isinstance(entry, jax.tree_util.DictKey)]
        if keys and keys[-1] == "kernel":
            found["/".join(keys)] = leaf
    if not found:
        raise ValueError("`params` has no `kernel` weights to take gradient statistics of.")
    return found


def start_moments(params: Any) -> GradientMoments:
    """Empty moments for the kernels of ``params``."""
    zeros = {name: jnp.zeros_like(kernel) for name, kernel in kernels(params).items()}
    dtype = jnp.result_type(*zeros.values())
    return GradientMoments(jnp.zeros((), dtype), zeros, dict(zeros))


def add_gradient(moments: GradientMoments, grads: Any) -> GradientMoments:
    """``moments`` with one more minibatch gradient (a pytree shaped like the params)."""
    count = moments.count + 1
    mean, squared = {}, {}
    for name, gradient in kernels(grads).items():
        delta = gradient - moments.mean[name]
        mean[name] = moments.mean[name] + delta / count
        squared[name] = moments.squared_deviations[name] + delta * (gradient - mean[name])
    return GradientMoments(count, mean, squared)


def _norm(a: jax.Array) -> jax.Array:
    return jnp.sqrt(jnp.sum(jnp.square(a)))


def finish_moments(moments: GradientMoments, params: Any) -> dict[str, GradientStatistics]:
    """The :class:`GradientStatistics` of every kernel, with its norm in ``params``."""
    statistics = {}
    for name, kernel in kernels(params).items():
        grad_mean = _norm(moments.mean[name])
        grad_std = _norm(jnp.sqrt(moments.squared_deviations[name] / moments.count))
        statistics[name] = GradientStatistics(
            grad_mean, grad_std, grad_mean / grad_std, _norm(kernel)
        )
    return statistics
