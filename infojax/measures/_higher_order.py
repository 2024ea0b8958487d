r"""Higher-order information of n variables on probability tables.

A joint table ``p`` has one axis per variable, shape ``(..., |X_1|, ..., |X_k|)``, as
for :func:`infojax.total_correlation`; ``num_variables=None`` means every axis is a
variable (no batch axes). Results are in nats unless ``base`` is given.

With :math:`H` the joint entropy, :math:`H_i = H(X_i)` the marginal entropies and
:math:`H_{-i} = H(X_{-i})` the entropies of the leave-one-out marginals (all variables
but :math:`X_i`), every quantity here is a combination of these :math:`2k + 1`
entropies:

.. math::
    TC = \sum_i H_i - H, \qquad
    DTC = \sum_i H_{-i} - (k - 1) H, \qquad
    \Omega = TC - DTC, \qquad \Sigma = TC + DTC.

``0 log 0 = 0`` with a zero gradient at a zero probability, so gradients stay finite
on the boundary of the simplex. Validation as in :mod:`infojax.measures._tables`: on
concrete inputs the table must be finite, non-negative and normalised over its
variable axes (``ValueError`` naming ``p``); under a caller's ``jit`` or ``vmap`` only
shapes are checked.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._numerics import xlogx
from infojax._validation import as_float_array
from infojax._validation import check_base
from infojax.measures._tables import _table


def _checked_table(p: ArrayLike, num_variables: int | None) -> tuple[jax.Array, int]:
    """``p`` validated as a distribution over its last ``num_variables`` axes."""
    p = as_float_array(p, "p")
    k = p.ndim if num_variables is None else num_variables
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"`num_variables` must be a Python int or None, got {k!r}.")
    if k < 1:
        raise ValueError(f"`num_variables` must be >= 1, got {k}.")
    return _table(p, "p", k), k


def _entropy(p: jax.Array, k: int) -> jax.Array:
    """Entropy over the last ``k`` axes (``0 - sum`` keeps a point mass at +0.0)."""
    return 0.0 - jnp.sum(xlogx(p), axis=tuple(range(-k, 0)))


def _entropy_terms(p: jax.Array, k: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``H``, the sum of the ``H_i`` and the sum of the ``H_{-i}`` of a k-variable table."""
    axes = tuple(range(p.ndim - k, p.ndim))
    joint = _entropy(p, k)
    singles = jnp.zeros_like(joint)
    leave_one_out = jnp.zeros_like(joint)
    for axis in axes:
        others = tuple(a for a in axes if a != axis)
        singles = singles + _entropy(jnp.sum(p, axis=others), 1) if others else singles + joint
        if k > 1:
            leave_one_out = leave_one_out + _entropy(jnp.sum(p, axis=axis), k - 1)
    return joint, singles, leave_one_out


def _o_information(p: jax.Array, k: int) -> jax.Array:
    joint, singles, leave_one_out = _entropy_terms(p, k)
    return (k - 2) * joint + singles - leave_one_out


@functools.partial(jax.jit, static_argnames=("k", "quantity"))
def _higher_order(p: jax.Array, *, k: int, quantity: str) -> jax.Array:
    joint, singles, leave_one_out = _entropy_terms(p, k)
    total = singles - joint
    dual = leave_one_out - (k - 1) * joint
    return {"dtc": dual, "o": total - dual, "s": total + dual}[quantity]


@functools.partial(jax.jit, static_argnames="k")
def _o_information_gradients(p: jax.Array, *, k: int) -> jax.Array:
    whole = _o_information(p, k)
    first_axis = p.ndim - k
    if k == 1:
        return whole[..., None]
    removed = [_o_information(jnp.sum(p, axis=first_axis + i), k - 1) for i in range(k)]
    return whole[..., None] - jnp.stack(removed, axis=-1)


def dual_total_correlation(
    p: ArrayLike, *, num_variables: int | None = None, base: float | None = None
) -> jax.Array:
    r"""Dual total correlation (binding information) of a joint table.

    .. math::
        DTC(X_1, \dots, X_k) = H(X) - \sum_{i=1}^k H(X_i \mid X_{-i})
            = \sum_{i=1}^k H(X_{-i}) - (k - 1) H(X),

    the part of the joint entropy shared by at least two variables. For two variables
    it is their mutual information; for one, zero.

    Args:
      p: joint probabilities, shape ``(..., |X_1|, ..., |X_k|)``.
      num_variables: number of trailing axes that are variables (static); ``None``
        means every axis is a variable (no batch axes).
      base: logarithm base; ``None`` for nats, ``2`` for bits.

    Returns:
      Dual total correlation, shape ``p.shape[:-num_variables]``, non-negative up to
      rounding, in nats (or units of ``base``).

    Example:
      >>> xor = jnp.zeros((2, 2, 2)).at[0, 0, 0].set(0.25).at[0, 1, 1].set(0.25)
      >>> xor = xor.at[1, 0, 1].set(0.25).at[1, 1, 0].set(0.25)  # Z = X xor Y
      >>> float(dual_total_correlation(xor, base=2))
      2.0

    References:
      Han, "Nonnegative entropy measures of multivariate symmetric correlations",
      Information and Control 36 (1978), https://doi.org/10.1016/S0019-9958(78)90275-9.
    """
    check_base(base)
    p, k = _checked_table(p, num_variables)
    return to_base(_higher_order(p, k=k, quantity="dtc"), base)


def o_information(
    p: ArrayLike, *, num_variables: int | None = None, base: float | None = None
) -> jax.Array:
    r"""O-information of a joint table: redundancy minus synergy among k variables.

    .. math::
        \Omega(X_1, \dots, X_k) = TC - DTC
            = (k - 2) H(X) + \sum_{i=1}^k \left[ H(X_i) - H(X_{-i}) \right].

    Positive when the dependencies are redundancy-dominated (e.g. three copies of one
    fair bit: +1 bit), negative when they are synergy-dominated (two fair bits and
    their XOR: -1 bit). It is zero for one or two variables.

    Args:
      p: joint probabilities, shape ``(..., |X_1|, ..., |X_k|)``.
      num_variables: number of trailing axes that are variables (static); ``None``
        means every axis is a variable (no batch axes).
      base: logarithm base; ``None`` for nats, ``2`` for bits.

    Returns:
      O-information, shape ``p.shape[:-num_variables]``, in nats (or units of
      ``base``).

    Example:
      >>> copies = jnp.zeros((2, 2, 2)).at[0, 0, 0].set(0.5).at[1, 1, 1].set(0.5)
      >>> float(o_information(copies, base=2))
      1.0

    References:
      Rosas, Mediano, Gastpar & Jensen, "Quantifying high-order interdependencies via
      multivariate extensions of the mutual information", Phys. Rev. E 100, 032305
      (2019), https://doi.org/10.1103/PhysRevE.100.032305.
    """
    check_base(base)
    p, k = _checked_table(p, num_variables)
    return to_base(_higher_order(p, k=k, quantity="o"), base)


def s_information(
    p: ArrayLike, *, num_variables: int | None = None, base: float | None = None
) -> jax.Array:
    r"""S-information (exogenous information) of a joint table.

    .. math::
        \Sigma(X_1, \dots, X_k) = TC + DTC = \sum_{i=1}^k I(X_i; X_{-i}),

    the total strength of the dependencies, redundant or synergistic.

    Args:
      p: joint probabilities, shape ``(..., |X_1|, ..., |X_k|)``.
      num_variables: number of trailing axes that are variables (static); ``None``
        means every axis is a variable (no batch axes).
      base: logarithm base; ``None`` for nats, ``2`` for bits.

    Returns:
      S-information, shape ``p.shape[:-num_variables]``, non-negative up to rounding,
      in nats (or units of ``base``).

    Example:
      >>> copies = jnp.zeros((2, 2, 2)).at[0, 0, 0].set(0.5).at[1, 1, 1].set(0.5)
      >>> float(s_information(copies, base=2))  # TC 2 bits + DTC 1 bit
      3.0

    References:
      Rosas, Mediano, Gastpar & Jensen, Phys. Rev. E 100, 032305 (2019),
      https://doi.org/10.1103/PhysRevE.100.032305.
    """
    check_base(base)
    p, k = _checked_table(p, num_variables)
    return to_base(_higher_order(p, k=k, quantity="s"), base)


def o_information_gradients(
    p: ArrayLike, *, num_variables: int | None = None, base: float | None = None
) -> jax.Array:
    r"""First-order gradients of the O-information: its change when one variable leaves.

    .. math::
        \partial_i \Omega(X) = \Omega(X) - \Omega(X_{-i}), \qquad i = 1, \dots, k.

    A negative gradient means that :math:`X_i` adds synergy to the others, a positive
    one that it adds redundancy. (These are finite differences over the set of
    variables, not derivatives with respect to ``p``: for those use ``jax.grad`` of
    :func:`o_information`.) With one variable the single gradient is zero.

    Args:
      p: joint probabilities, shape ``(..., |X_1|, ..., |X_k|)``.
      num_variables: number of trailing axes that are variables (static); ``None``
        means every axis is a variable (no batch axes).
      base: logarithm base; ``None`` for nats, ``2`` for bits.

    Returns:
      Gradients, shape ``p.shape[:-num_variables] + (k,)``, entry ``i`` for the
      variable on variable axis ``i``, in nats (or units of ``base``).

    Example:
      >>> xor = jnp.zeros((2, 2, 2)).at[0, 0, 0].set(0.25).at[0, 1, 1].set(0.25)
      >>> xor = xor.at[1, 0, 1].set(0.25).at[1, 1, 0].set(0.25)
      >>> o_information_gradients(xor, base=2).tolist()  # pairs are independent
      [-1.0, -1.0, -1.0]

    References:
      Scagliarini, Nuzzi, Antonacci, Faes, Rosas, Marinazzo & Stramaglia, "Gradients of
      O-information: low-order descriptors of high-order dependencies", Phys. Rev.
      Research 5, 013025 (2023), https://doi.org/10.1103/PhysRevResearch.5.013025.
    """
    check_base(base)
    p, k = _checked_table(p, num_variables)
    return to_base(_o_information_gradients(p, k=k), base)
