"""Partial information decomposition of Gaussian samples (MMI redundancy, Barrett 2015)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._validation import as_samples
from infojax._validation import check_base
from infojax._validation import check_not_constant
from infojax._validation import check_same_length
from infojax.estimators._gaussian import _check_full_rank
from infojax.estimators._gaussian import _checked
from infojax.estimators._gaussian import _gaussian_mi
from infojax.measures._pid import PartialInformation


@jax.jit
def _gaussian_pid(x1: jax.Array, x2: jax.Array, y: jax.Array) -> tuple[jax.Array, ...]:
    info1 = _gaussian_mi(x1, y, bias_correction=False)
    info2 = _gaussian_mi(x2, y, bias_correction=False)
    total = _gaussian_mi(jnp.concatenate([x1, x2], axis=1), y, bias_correction=False)
    return info1, info2, total


def gaussian_pid(
    x1: ArrayLike, x2: ArrayLike, y: ArrayLike, *, base: float | None = None
) -> PartialInformation:
    r"""Partial information decomposition of a Gaussian fitted to samples of two sources.

    With the mutual informations of a Gaussian fitted to the samples (the log-determinants
    of the sample covariance, as :func:`gaussian_mutual_information`), the minimum
    mutual information redundancy, which for jointly Gaussian sources and a univariate
    target coincides with the BROJA, Williams-Beer and other measures (Barrett 2015):

    .. math::
        R = \min\{I(Y; X_1), I(Y; X_2)\}, \quad U_i = I(Y; X_i) - R, \quad
        S = I(Y; X_1 X_2) - R - U_1 - U_2.

    Args:
      x1: samples of the first source, shape ``(n,)`` or ``(n, d_1)``.
      x2: samples of the second source, shape ``(n,)`` or ``(n, d_2)``.
      y: samples of the target, shape ``(n,)`` or ``(n, d_y)``; ``n > d_1 + d_2 + d_y``.
      base: logarithm base; ``None`` for nats, ``2`` for bits.

    Returns:
      :class:`infojax.measures.PartialInformation` with ``atoms`` and ``redundancies``
      keyed by antichain (as :func:`infojax.pid` for two sources), ``redundancy``,
      ``unique`` (shape ``(2,)``), ``synergy`` and ``total``; in nats (or units of
      ``base``), dtype of the samples. Differentiable in the samples (almost
      everywhere: the redundancy is a minimum).

    Raises:
      ValueError: if the sample sets differ in length, hold NaN, inf or constant
        columns, are too few, or are linearly dependent (checked on concrete input).

    Example:
      >>> key1, key2, key3 = jax.random.split(jax.random.key(0), 3)
      >>> x1 = jax.random.normal(key1, (5000,))
      >>> x2 = jax.random.normal(key2, (5000,))
      >>> y = x1 + x2 + 0.5 * jax.random.normal(key3, (5000,))
      >>> result = gaussian_pid(x1, x2, y, base=2)
      >>> bool(result.synergy > 0.5)  # about 1.08 bits
      True

    References:
      A. B. Barrett, Exploration of synergistic and redundant information sharing in
      static and dynamical Gaussian systems, Phys. Rev. E 91, 052802 (2015),
      https://doi.org/10.1103/PhysRevE.91.052802.
    """
    check_base(base)
    x1 = as_samples(x1, "x1")
    x2 = as_samples(x2, "x2")
    y = as_samples(y, "y")
    check_same_length((x1, "x1"), (x2, "x2"), (y, "y"))
    dims = x1.shape[1] + x2.shape[1] + y.shape[1]
    if x1.shape[0] <= dims:
        raise ValueError(
            f"`x1`, `x2` and `y` need more samples than d_1 + d_2 + d_y = {dims} for a "
            f"full-rank covariance, got n={x1.shape[0]}."
        )
    for array, name in ((x1, "x1"), (x2, "x2"), (y, "y")):
        check_not_constant(array, name)
    dtype = jnp.result_type(x1, x2, y)
    x1, x2, y = x1.astype(dtype), x2.astype(dtype), y.astype(dtype)
    _check_full_rank(jnp.concatenate([x1, x2], axis=1), y, copula=False)
    info1, info2, total = _gaussian_pid(x1, x2, y)
    total = _checked(total)
    redundancy = jnp.minimum(info1, info2)
    redundancies = {
        ((0, 1),): total,
        ((0,),): info1,
        ((1,),): info2,
        ((0,), (1,)): redundancy,
    }
    atoms = {
        ((0, 1),): total - info1 - info2 + redundancy,
        ((0,),): info1 - redundancy,
        ((1,),): info2 - redundancy,
        ((0,), (1,)): redundancy,
    }
    return PartialInformation(
        atoms={node: to_base(value, base) for node, value in atoms.items()},
        redundancies={node: to_base(value, base) for node, value in redundancies.items()},
        total=to_base(total, base),
    )
