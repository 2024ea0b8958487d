"""Information measures of distributions given by logits (unnormalised log-probabilities).

Each works in log space with ``jax.nn.log_softmax`` (a log-sum-exp with a
stop-gradient shift), so logits of any magnitude give exact results: ``[1000, -1000]``
is a point mass, not NaN. A logit of ``-inf`` is a zero probability; ``+inf`` and NaN
are errors on concrete inputs.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._validation import as_float_array
from infojax._validation import check_base
from infojax._validation import check_matching_last_axis
from infojax._validation import check_min_ndim
from infojax._validation import is_concrete


def _logits(logits: ArrayLike, name: str, num_axes: int) -> jax.Array:
    logits = as_float_array(logits, name)
    check_min_ndim(logits, name, num_axes, f"logits over its last {num_axes} axes")
    if is_concrete(logits):
        values = np.asarray(logits)
        if np.isnan(values).any():
            raise ValueError(f"`{name}` contains NaN.")
        if np.isposinf(values).any():
            raise ValueError(f"`{name}` contains +inf.")
        if np.isneginf(values).all(axis=tuple(range(-num_axes, 0))).any():
            raise ValueError(f"`{name}` has a distribution whose logits are all -inf.")
    return logits


def _log_softmax(logits: jax.Array, num_axes: int) -> jax.Array:
    if num_axes == 1:
        return jax.nn.log_softmax(logits, axis=-1)
    flat = logits.reshape(*logits.shape[:-num_axes], -1)
    return jax.nn.log_softmax(flat, axis=-1).reshape(logits.shape)


def _neg_plogq(log_p: jax.Array, log_q: jax.Array) -> jax.Array:
    """``-sum exp(log_p) * log_q`` over the last axis, the term 0 wherever ``p = 0``."""
    positive = log_p > -jnp.inf
    safe_log_q = jnp.where(positive, log_q, jnp.zeros_like(log_q))
    terms = jnp.where(positive, -jnp.exp(log_p) * safe_log_q, jnp.zeros_like(log_p))
    return jnp.sum(terms, axis=-1)


def entropy_from_logits(logits: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Entropy of ``softmax(logits)`` over the last axis.

    .. math::
        H = -\sum_x p(x) \log p(x), \quad \log p = \operatorname{log\_softmax}(\ell)

    Args:
      logits: unnormalised log-probabilities, shape ``(..., K)``.
      base: logarithm base; ``None`` for nats.

    Returns:
      Entropy, shape ``logits.shape[:-1]``.
    """
    check_base(base)
    log_p = _log_softmax(_logits(logits, "logits", 1), 1)
    return to_base(_neg_plogq(log_p, log_p), base)


def _logit_pair(logits_p: ArrayLike, logits_q: ArrayLike) -> tuple[jax.Array, jax.Array]:
    logits_p = _logits(logits_p, "logits_p", 1)
    logits_q = _logits(logits_q, "logits_q", 1)
    check_matching_last_axis(logits_p, logits_q, "logits_p", "logits_q")
    dtype = jnp.result_type(logits_p, logits_q)
    return _log_softmax(logits_p.astype(dtype), 1), _log_softmax(logits_q.astype(dtype), 1)


def _check_support(log_p: jax.Array, log_q: jax.Array, allow_infinite: bool) -> None:
    if allow_infinite or not is_concrete(log_p, log_q):
        return
    if bool(jnp.any((log_p > -jnp.inf) & (log_q == -jnp.inf))):
        raise ValueError(
            "`logits_q` is -inf where `logits_p` is finite, so the result is infinite; "
            "pass allow_infinite=True to get inf instead of this error."
        )


def kl_divergence_from_logits(
    logits_p: ArrayLike,
    logits_q: ArrayLike,
    *,
    allow_infinite: bool = False,
    base: float | None = None,
) -> jax.Array:
    r"""KL divergence :math:`D_{KL}(\mathrm{softmax}(\ell_p) \,\|\, \mathrm{softmax}(\ell_q))`.

    .. math::
        D_{KL}(p \,\|\, q) = \sum_x p(x) (\log p(x) - \log q(x))

    Args:
      logits_p: logits of ``p``, shape ``(..., K)``.
      logits_q: logits of ``q``, shape broadcastable with ``logits_p``.
      allow_infinite: return ``inf`` instead of raising where ``q = 0 < p``.
      base: logarithm base; ``None`` for nats.

    Returns:
      Divergence, shape ``broadcast(logits_p, logits_q).shape[:-1]``.
    """
    check_base(base)
    log_p, log_q = _logit_pair(logits_p, logits_q)
    _check_support(log_p, log_q, allow_infinite)
    positive = log_p > -jnp.inf
    difference = jnp.where(positive, log_p - jnp.where(positive, log_q, 0.0), 0.0)
    value = jnp.sum(jnp.where(positive, jnp.exp(log_p) * difference, 0.0), axis=-1)
    return to_base(value, base)


def cross_entropy_from_logits(
    logits_p: ArrayLike,
    logits_q: ArrayLike,
    *,
    allow_infinite: bool = False,
    base: float | None = None,
) -> jax.Array:
    r"""Cross-entropy :math:`H(\mathrm{softmax}(\ell_p), \mathrm{softmax}(\ell_q))`.

    .. math::
        H(p, q) = -\sum_x p(x) \log q(x)

    Args:
      logits_p: logits of ``p``, shape ``(..., K)``.
      logits_q: logits of ``q``, shape broadcastable with ``logits_p``.
      allow_infinite: return ``inf`` instead of raising where ``q = 0 < p``.
      base: logarithm base; ``None`` for nats.

    Returns:
      Cross-entropy, shape ``broadcast(logits_p, logits_q).shape[:-1]``.
    """
    check_base(base)
    log_p, log_q = _logit_pair(logits_p, logits_q)
    _check_support(log_p, log_q, allow_infinite)
    return to_base(_neg_plogq(log_p, log_q), base)


def mutual_information_from_logits(
    joint_logits: ArrayLike, *, base: float | None = None
) -> jax.Array:
    r"""Mutual information of the joint distribution ``softmax`` over the last two axes.

    .. math::
        I(X; Y) = \sum_{x, y} p(x, y) \left(\log p(x, y) - \log p(x) - \log p(y)\right)

    with the marginals computed by log-sum-exp of the joint log-probabilities.

    Args:
      joint_logits: unnormalised joint log-probabilities, shape ``(..., |X|, |Y|)``.
      base: logarithm base; ``None`` for nats.

    Returns:
      :math:`I(X; Y)`, shape ``joint_logits.shape[:-2]``.
    """
    check_base(base)
    log_pxy = _log_softmax(_logits(joint_logits, "joint_logits", 2), 2)
    log_px = jax.nn.logsumexp(log_pxy, axis=-1, keepdims=True)
    log_py = jax.nn.logsumexp(log_pxy, axis=-2, keepdims=True)
    positive = log_pxy > -jnp.inf
    pointwise = jnp.where(positive, log_pxy - jnp.where(positive, log_px + log_py, 0.0), 0.0)
    value = jnp.sum(jnp.where(positive, jnp.exp(log_pxy) * pointwise, 0.0), axis=(-2, -1))
    return to_base(value, base)
