"""Exact information measures of probability tables.

Conventions: a distribution runs over the last axis; a joint table ``pxy`` has shape
``(..., |X|, |Y|)`` and ``pxyz`` has ``(..., |X|, |Y|, |Z|)``; leading axes are batch
axes. Results are in nats unless ``base`` is given (``base=2`` gives bits).

``0 log 0 = 0`` throughout, with a zero gradient at a zero probability (the term is
constant there), so gradients stay finite on the boundary of the simplex.

Validation: on concrete inputs every function checks that tables are finite,
non-negative and normalised (``|sum - 1|`` at most 1e-4 for float32, 1e-8 for float64)
and raises ``ValueError`` naming the argument. Under a caller's ``jax.jit`` or
``jax.vmap`` only shapes can be checked.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._numerics import xlogx
from infojax._numerics import xlogy
from infojax._validation import as_float_array
from infojax._validation import check_base
from infojax._validation import check_matching_last_axis
from infojax._validation import check_min_ndim
from infojax._validation import check_probabilities
from infojax._validation import is_concrete


def _table(p: ArrayLike, name: str, num_axes: int) -> jax.Array:
    """``p`` as a float array, checked to be a distribution over its last ``num_axes``."""
    p = as_float_array(p, name)
    check_min_ndim(p, name, num_axes, f"a distribution over its last {num_axes} axes")
    check_probabilities(p, name, axes=tuple(range(-num_axes, 0)))
    return p


@functools.partial(jax.jit, static_argnames="num_axes")
def _neg_sum_xlogx(p: jax.Array, num_axes: int) -> jax.Array:
    # 0 - sum gives +0.0, not -0.0, for a point mass (XLA turns a sum of negated terms
    # into a negated sum, which is -0.0).
    return 0.0 - jnp.sum(xlogx(p), axis=tuple(range(-num_axes, 0)))


def entropy(p: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Shannon entropy of the distribution over the last axis.

    .. math::
        H(X) = -\sum_x p(x) \log p(x)

    Args:
      p: probabilities, shape ``(..., |X|)``.
      base: logarithm base; ``None`` for nats, ``2`` for bits.

    Returns:
      Entropy, shape ``p.shape[:-1]``, in nats (or units of ``base``).

    Example:
      >>> float(entropy(jnp.array([0.5, 0.5]), base=2))
      1.0
    """
    check_base(base)
    p = _table(p, "p", 1)
    return to_base(_neg_sum_xlogx(p, 1), base)


def joint_entropy(p: ArrayLike, *, num_variables: int = 2, base: float | None = None) -> jax.Array:
    r"""Entropy of the joint distribution over the last ``num_variables`` axes.

    .. math::
        H(X_1, \dots, X_k) = -\sum_{x_1, \dots, x_k} p(x_1, \dots, x_k) \log p(x_1, \dots, x_k)

    Args:
      p: joint probabilities, shape ``(..., |X_1|, ..., |X_k|)``.
      num_variables: number of trailing axes that are variables (default 2: ``pxy``).
      base: logarithm base; ``None`` for nats.

    Returns:
      Joint entropy, shape ``p.shape[:-num_variables]``.
    """
    check_base(base)
    if isinstance(num_variables, bool) or not isinstance(num_variables, int):
        raise TypeError(f"`num_variables` must be a Python int, got {num_variables!r}.")
    if num_variables < 1:
        raise ValueError(f"`num_variables` must be >= 1, got {num_variables}.")
    p = _table(p, "p", num_variables)
    return to_base(_neg_sum_xlogx(p, num_variables), base)


def conditional_entropy(pxy: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Conditional entropy :math:`H(X \mid Y)` of a joint table.

    .. math::
        H(X \mid Y) = -\sum_{x, y} p(x, y) \log \frac{p(x, y)}{p(y)} = H(X, Y) - H(Y)

    Args:
      pxy: joint probabilities, shape ``(..., |X|, |Y|)``.
      base: logarithm base; ``None`` for nats.

    Returns:
      :math:`H(X \mid Y)`, shape ``pxy.shape[:-2]``.
    """
    check_base(base)
    pxy = _table(pxy, "pxy", 2)
    py = jnp.sum(pxy, axis=-2, keepdims=True)
    value = jnp.sum(xlogy(pxy, py) - xlogx(pxy), axis=(-2, -1))
    return to_base(value, base)


@jax.jit
def _mutual_information(pxy: jax.Array) -> jax.Array:
    px = jnp.sum(pxy, axis=-1, keepdims=True)
    py = jnp.sum(pxy, axis=-2, keepdims=True)
    return jnp.sum(xlogx(pxy) - xlogy(pxy, px * py), axis=(-2, -1))


def mutual_information(pxy: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Mutual information :math:`I(X; Y)` of a joint table.

    .. math::
        I(X; Y) = \sum_{x, y} p(x, y) \log \frac{p(x, y)}{p(x)\, p(y)}
                = H(X) + H(Y) - H(X, Y)

    Args:
      pxy: joint probabilities, shape ``(..., |X|, |Y|)``.
      base: logarithm base; ``None`` for nats.

    Returns:
      :math:`I(X; Y)`, shape ``pxy.shape[:-2]``. Non-negative up to rounding.

    Example:
      >>> copy = jnp.eye(2) / 2  # Y = X, X a fair bit
      >>> float(mutual_information(copy, base=2))
      1.0
    """
    check_base(base)
    pxy = _table(pxy, "pxy", 2)
    return to_base(_mutual_information(pxy), base)


@jax.jit
def _conditional_mutual_information(pxyz: jax.Array) -> jax.Array:
    pz = jnp.sum(pxyz, axis=(-3, -2), keepdims=True)
    pxz = jnp.sum(pxyz, axis=-2, keepdims=True)
    pyz = jnp.sum(pxyz, axis=-3, keepdims=True)
    terms = xlogx(pxyz) + xlogy(pxyz, pz) - xlogy(pxyz, pxz) - xlogy(pxyz, pyz)
    return jnp.sum(terms, axis=(-3, -2, -1))


def conditional_mutual_information(pxyz: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Conditional mutual information :math:`I(X; Y \mid Z)` of a joint table.

    .. math::
        I(X; Y \mid Z) = \sum_{x, y, z} p(x, y, z)
            \log \frac{p(x, y, z)\, p(z)}{p(x, z)\, p(y, z)}

    Args:
      pxyz: joint probabilities, shape ``(..., |X|, |Y|, |Z|)``.
      base: logarithm base; ``None`` for nats.

    Returns:
      :math:`I(X; Y \mid Z)`, shape ``pxyz.shape[:-3]``.
    """
    check_base(base)
    pxyz = _table(pxyz, "pxyz", 3)
    return to_base(_conditional_mutual_information(pxyz), base)


def interaction_information(pxyz: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Interaction information (co-information) of three variables.

    .. math::
        I(X; Y; Z) = I(X; Y) - I(X; Y \mid Z)

    Positive when ``Z`` explains part of the dependence of ``X`` and ``Y`` (redundancy),
    negative when conditioning on ``Z`` creates dependence (synergy): for two fair bits
    and their XOR it is -1 bit.

    Args:
      pxyz: joint probabilities, shape ``(..., |X|, |Y|, |Z|)``.
      base: logarithm base; ``None`` for nats.

    Returns:
      :math:`I(X; Y; Z)`, shape ``pxyz.shape[:-3]``.

    References:
      McGill, "Multivariate information transmission", Psychometrika 1954.
    """
    check_base(base)
    pxyz = _table(pxyz, "pxyz", 3)
    pxy = jnp.sum(pxyz, axis=-1)
    value = _mutual_information(pxy) - _conditional_mutual_information(pxyz)
    return to_base(value, base)


def total_correlation(
    p: ArrayLike, *, num_variables: int | None = None, base: float | None = None
) -> jax.Array:
    r"""Total correlation (multi-information) of a joint table, one axis per variable.

    .. math::
        C(X_1, \dots, X_k) = \sum_{i=1}^k H(X_i) - H(X_1, \dots, X_k)

    Args:
      p: joint probabilities, shape ``(..., |X_1|, ..., |X_k|)``.
      num_variables: number of trailing axes that are variables; ``None`` means every
        axis is a variable (no batch axes).
      base: logarithm base; ``None`` for nats.

    Returns:
      Total correlation, shape ``p.shape[:-num_variables]``.

    References:
      Watanabe, "Information theoretical analysis of multivariate correlation", IBM
      Journal of Research and Development 1960.
    """
    check_base(base)
    p = as_float_array(p, "p")
    k = p.ndim if num_variables is None else num_variables
    if k < 1:
        raise ValueError(f"`num_variables` must be >= 1, got {k}.")
    p = _table(p, "p", k)
    variable_axes = tuple(range(-k, 0))
    marginal_entropies = 0.0
    for axis in variable_axes:
        others = tuple(a for a in variable_axes if a != axis)
        marginal = jnp.sum(p, axis=others) if others else p
        marginal_entropies = marginal_entropies + jnp.sum(-xlogx(marginal), axis=-1)
    return to_base(marginal_entropies - _neg_sum_xlogx(p, k), base)


def _pair(p: ArrayLike, q: ArrayLike) -> tuple[jax.Array, jax.Array]:
    """Two distributions over the last axis with equal outcomes and broadcastable batches."""
    p = _table(p, "p", 1)
    q = _table(q, "q", 1)
    check_matching_last_axis(p, q, "p", "q")
    dtype = jnp.result_type(p, q)
    return p.astype(dtype), q.astype(dtype)


def _check_support(p: jax.Array, q: jax.Array, allow_infinite: bool, what: str) -> None:
    """Raises unless ``q > 0`` wherever ``p > 0`` (or the caller accepts infinity)."""
    if allow_infinite or not is_concrete(p, q):
        return
    if bool(jnp.any((p > 0) & (q == 0))):
        raise ValueError(
            f"`q` is zero where `p` is positive, so the {what} is infinite; pass "
            "allow_infinite=True to get inf instead of this error."
        )


def kl_divergence(
    p: ArrayLike, q: ArrayLike, *, allow_infinite: bool = False, base: float | None = None
) -> jax.Array:
    r"""Kullback-Leibler divergence :math:`D_{KL}(p \,\|\, q)` over the last axis.

    .. math::
        D_{KL}(p \,\|\, q) = \sum_x p(x) \log \frac{p(x)}{q(x)}

    The divergence is infinite when ``q(x) = 0`` for some ``x`` with ``p(x) > 0``. On
    concrete inputs that raises ``ValueError`` unless ``allow_infinite=True``, in which
    case ``inf`` is returned; under a caller's ``jit`` the check cannot run and ``inf``
    is returned.

    Args:
      p: probabilities, shape ``(..., K)``.
      q: probabilities, shape broadcastable with ``p`` and the same ``K``.
      allow_infinite: return ``inf`` instead of raising when ``p`` is not absolutely
        continuous with respect to ``q``.
      base: logarithm base; ``None`` for nats.

    Returns:
      Divergence, shape ``broadcast(p, q).shape[:-1]``.
    """
    check_base(base)
    p, q = _pair(p, q)
    _check_support(p, q, allow_infinite, "KL divergence")
    return to_base(jnp.sum(xlogx(p) - xlogy(p, q), axis=-1), base)


def cross_entropy(
    p: ArrayLike, q: ArrayLike, *, allow_infinite: bool = False, base: float | None = None
) -> jax.Array:
    r"""Cross-entropy :math:`H(p, q)` over the last axis.

    .. math::
        H(p, q) = -\sum_x p(x) \log q(x) = H(p) + D_{KL}(p \,\|\, q)

    Infinite when ``q(x) = 0`` where ``p(x) > 0``; handled as in :func:`kl_divergence`.

    Args:
      p: probabilities, shape ``(..., K)``.
      q: probabilities, shape broadcastable with ``p``.
      allow_infinite: return ``inf`` instead of raising in that case.
      base: logarithm base; ``None`` for nats.

    Returns:
      Cross-entropy, shape ``broadcast(p, q).shape[:-1]``.
    """
    check_base(base)
    p, q = _pair(p, q)
    _check_support(p, q, allow_infinite, "cross-entropy")
    return to_base(jnp.sum(-xlogy(p, q), axis=-1), base)


def js_divergence(p: ArrayLike, q: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Jensen-Shannon divergence over the last axis (always finite, at most log 2).

    .. math::
        JS(p, q) = \tfrac12 D_{KL}(p \,\|\, m) + \tfrac12 D_{KL}(q \,\|\, m),
        \qquad m = \tfrac12 (p + q)

    Args:
      p: probabilities, shape ``(..., K)``.
      q: probabilities, shape broadcastable with ``p``.
      base: logarithm base; ``None`` for nats.

    Returns:
      Divergence, shape ``broadcast(p, q).shape[:-1]``.

    References:
      Lin, "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 1991.
    """
    check_base(base)
    p, q = _pair(p, q)
    m = 0.5 * (p + q)
    value = 0.5 * jnp.sum(xlogx(p) - xlogy(p, m) + xlogx(q) - xlogy(q, m), axis=-1)
    return to_base(value, base)


def renyi_entropy(p: ArrayLike, *, alpha: float, base: float | None = None) -> jax.Array:
    r"""Renyi entropy of order ``alpha`` over the last axis.

    .. math::
        H_\alpha(X) = \frac{1}{1 - \alpha} \log \sum_x p(x)^\alpha

    The limits are used at ``alpha = 0`` (Hartley: log of the support size),
    ``alpha = 1`` (Shannon) and ``alpha = inf`` (min-entropy, ``-log max p``).

    Args:
      p: probabilities, shape ``(..., K)``.
      alpha: order, a non-negative Python number (static).
      base: logarithm base; ``None`` for nats.

    Returns:
      Renyi entropy, shape ``p.shape[:-1]``.

    References:
      Renyi, "On measures of entropy and information", Berkeley Symposium 1961.
    """
    check_base(base)
    if isinstance(alpha, jax.core.Tracer) or not isinstance(alpha, (int, float)):
        raise TypeError(f"`alpha` must be a Python number (static), got {type(alpha).__name__}.")
    if math.isnan(alpha) or alpha < 0:
        raise ValueError(f"`alpha` must be >= 0, got {alpha}.")
    p = _table(p, "p", 1)
    if alpha == 0:
        support = jnp.sum(p > 0, axis=-1).astype(p.dtype)
        value = jnp.log(support)
    elif alpha == 1:
        value = _neg_sum_xlogx(p, 1)
    elif math.isinf(alpha):
        value = -jnp.log(jnp.max(p, axis=-1))
    else:
        # Powers of p / max(p) include an exact 1, so their sum cannot underflow to 0
        # for large alpha (0.5**5000 does): log sum p^a = a log max p + log sum (p/max p)^a.
        positive = p > 0
        p_max = jnp.max(p, axis=-1, keepdims=True)
        safe_ratio = jnp.where(positive, p / p_max, jnp.ones_like(p))
        powers = jnp.where(positive, safe_ratio**alpha, jnp.zeros_like(p))
        log_sum = alpha * jnp.log(p_max[..., 0]) + jnp.log(jnp.sum(powers, axis=-1))
        value = log_sum / (1.0 - alpha)
    return to_base(value, base)


def variation_of_information(pxy: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Variation of information, a metric on partitions.

    .. math::
        VI(X; Y) = H(X \mid Y) + H(Y \mid X) = H(X, Y) - I(X; Y)

    Args:
      pxy: joint probabilities, shape ``(..., |X|, |Y|)``.
      base: logarithm base; ``None`` for nats.

    Returns:
      Variation of information, shape ``pxy.shape[:-2]``.

    References:
      Meila, "Comparing clusterings: an information based distance", JMVA 2007.
    """
    check_base(base)
    pxy = _table(pxy, "pxy", 2)
    value = _neg_sum_xlogx(pxy, 2) - _mutual_information(pxy)
    return to_base(value, base)


def _safe_sqrt(x: jax.Array) -> jax.Array:
    """``sqrt(x)`` for ``x >= 0`` with a zero (not infinite) gradient at ``x = 0``."""
    positive = x > 0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, x, jnp.ones_like(x))), 0.0)


_NORMALIZATIONS = ("arithmetic", "geometric", "min", "max", "joint")


def normalized_mutual_information(
    pxy: ArrayLike, *, normalization: str = "arithmetic"
) -> jax.Array:
    r"""Mutual information divided by an entropy, a unit-free number in [0, 1].

    .. math::
        NMI(X; Y) = \frac{I(X; Y)}{N(X, Y)}, \quad N \in \{
            \tfrac12 (H(X) + H(Y)),\ \sqrt{H(X) H(Y)},\ \min,\ \max,\ H(X, Y) \}

    selected by ``normalization`` = ``"arithmetic"`` (the default, as in
    scikit-learn's ``normalized_mutual_info_score``), ``"geometric"``, ``"min"``,
    ``"max"`` or ``"joint"``. When the normaliser is zero (a constant variable), the
    mutual information is zero too and the result is defined as 0.

    Args:
      pxy: joint probabilities, shape ``(..., |X|, |Y|)``.
      normalization: which entropy to divide by.

    Returns:
      Normalised mutual information, shape ``pxy.shape[:-2]``.

    References:
      Vinh, Epps & Bailey, "Information theoretic measures for clusterings comparison",
      JMLR 2010.
    """
    if normalization not in _NORMALIZATIONS:
        raise ValueError(
            f"`normalization` must be one of {_NORMALIZATIONS}, got {normalization!r}."
        )
    pxy = _table(pxy, "pxy", 2)
    hx = _neg_sum_xlogx(jnp.sum(pxy, axis=-1), 1)
    hy = _neg_sum_xlogx(jnp.sum(pxy, axis=-2), 1)
    normaliser = {
        "arithmetic": lambda: 0.5 * (hx + hy),
        "geometric": lambda: _safe_sqrt(hx * hy),
        "min": lambda: jnp.minimum(hx, hy),
        "max": lambda: jnp.maximum(hx, hy),
        "joint": lambda: _neg_sum_xlogx(pxy, 2),
    }[normalization]()
    positive = normaliser > 0
    safe = jnp.where(positive, normaliser, jnp.ones_like(normaliser))
    return jnp.where(positive, _mutual_information(pxy) / safe, jnp.zeros_like(normaliser))
