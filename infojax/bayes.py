r"""Bayes' theorem as pure updates over a finite set of hypotheses (the last axis).

.. math::
    p(h \mid d) = \frac{p(d \mid h)\, p(h)}{p(d)}, \qquad p(d) = \sum_h p(d \mid h)\, p(h)

The evidence :math:`p(d)` weights each likelihood by its prior; it is not the sum of
the likelihoods. The log-space functions use log-sum-exp with a stop-gradient shift
(``jax.nn.logsumexp``), so likelihoods of ``1e-300`` or smaller are exact.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from infojax._validation import as_float_array
from infojax._validation import check_matching_last_axis
from infojax._validation import check_min_ndim
from infojax._validation import check_nonnegative
from infojax._validation import check_probabilities
from infojax._validation import is_concrete

__all__ = [
    "SequentialPosterior",
    "evidence",
    "log_evidence",
    "log_posterior",
    "posterior",
    "sequential_update",
]


def _prior_and_likelihood(prior: ArrayLike, likelihood: ArrayLike) -> tuple[jax.Array, jax.Array]:
    prior = as_float_array(prior, "prior")
    likelihood = as_float_array(likelihood, "likelihood")
    check_min_ndim(prior, "prior", 1, "a distribution over hypotheses on the last axis")
    check_min_ndim(likelihood, "likelihood", 1, "p(data | hypothesis) on the last axis")
    check_probabilities(prior, "prior")
    check_nonnegative(likelihood, "likelihood")
    check_matching_last_axis(prior, likelihood, "prior", "likelihood", "hypotheses")
    dtype = jnp.result_type(prior, likelihood)
    return prior.astype(dtype), likelihood.astype(dtype)


def evidence(prior: ArrayLike, likelihood: ArrayLike) -> jax.Array:
    r"""Marginal likelihood of the data, :math:`p(d) = \sum_h p(d \mid h)\, p(h)`.

    Args:
      prior: :math:`p(h)`, shape ``(..., H)``, a distribution over the last axis.
      likelihood: :math:`p(d \mid h)`, shape broadcastable with ``prior``; non-negative,
        not normalised over ``h``.

    Returns:
      Evidence, shape ``broadcast(prior, likelihood).shape[:-1]``.
    """
    prior, likelihood = _prior_and_likelihood(prior, likelihood)
    return jnp.sum(prior * likelihood, axis=-1)


def posterior(prior: ArrayLike, likelihood: ArrayLike) -> jax.Array:
    r"""Posterior over hypotheses, :math:`p(h \mid d) = p(d \mid h)\, p(h) / p(d)`.

    Computed in log space, so tiny likelihoods do not underflow to 0/0.

    Args:
      prior: :math:`p(h)`, shape ``(..., H)``.
      likelihood: :math:`p(d \mid h)`, shape broadcastable with ``prior``.

    Returns:
      Posterior, shape ``broadcast(prior, likelihood).shape``; sums to one over the last axis.

    Raises:
      ValueError: on concrete inputs whose evidence is zero (the data are impossible
        under every hypothesis with prior mass).

    Example:
      >>> posterior(jnp.array([0.5, 0.5]), jnp.array([0.2, 0.6]))
      Array([0.25, 0.75], dtype=float32)
    """
    prior, likelihood = _prior_and_likelihood(prior, likelihood)
    log_prior = _safe_log(prior)
    log_likelihood = _safe_log(likelihood)
    return jnp.exp(_log_posterior(log_prior, log_likelihood, "likelihood"))


def _safe_log(x: jax.Array) -> jax.Array:
    """``log x`` with ``-inf`` at zero and a zero (not NaN) gradient there."""
    positive = x > 0
    return jnp.where(positive, jnp.log(jnp.where(positive, x, 1.0)), -jnp.inf)


def _check_evidence(log_joint: jax.Array, name: str) -> None:
    """Raises if a concrete ``log p(h) + log p(d | h)`` is ``-inf`` for every ``h``.

    ``name`` is the likelihood argument: ``"likelihood"`` (probabilities, zero where
    impossible), ``"log_likelihood"`` or ``"log_likelihoods"`` (logs, ``-inf`` there).
    """
    if not (is_concrete(log_joint) and np.isneginf(np.asarray(log_joint)).all(axis=-1).any()):
        return
    if name == "likelihood":
        cause = "`likelihood` is zero"
    elif name == "log_likelihoods":
        cause = "the sum of `log_likelihoods` over the observations is -inf"
    else:
        cause = f"`{name}` is -inf"
    raise ValueError(
        f"The evidence p(d) is zero (log evidence -inf): {cause} for every hypothesis "
        "with prior mass, so the data are impossible under all of them and the posterior "
        "is undefined."
    )


def _log_posterior(log_prior: jax.Array, log_likelihood: jax.Array, name: str) -> jax.Array:
    joint = log_prior + log_likelihood
    _check_evidence(joint, name)
    return joint - jax.nn.logsumexp(joint, axis=-1, keepdims=True)


def _log_inputs(log_prior: ArrayLike, log_likelihood: ArrayLike) -> tuple[jax.Array, jax.Array]:
    log_prior = as_float_array(log_prior, "log_prior")
    log_likelihood = as_float_array(log_likelihood, "log_likelihood")
    check_min_ndim(log_prior, "log_prior", 1, "log-probabilities over hypotheses")
    check_min_ndim(log_likelihood, "log_likelihood", 1, "log p(data | h) on the last axis")
    if is_concrete(log_prior, log_likelihood):
        for name, values in (("log_prior", log_prior), ("log_likelihood", log_likelihood)):
            values = np.asarray(values)
            if np.isnan(values).any() or np.isposinf(values).any():
                raise ValueError(f"`{name}` contains NaN or +inf.")
            if (values > 0).any() and name == "log_prior":
                raise ValueError("`log_prior` must be <= 0 (log-probabilities).")
        check_probabilities(jnp.exp(log_prior), "exp(log_prior)")
    check_matching_last_axis(log_prior, log_likelihood, "log_prior", "log_likelihood", "hypotheses")
    dtype = jnp.result_type(log_prior, log_likelihood)
    return log_prior.astype(dtype), log_likelihood.astype(dtype)


def log_evidence(log_prior: ArrayLike, log_likelihood: ArrayLike) -> jax.Array:
    r"""Log marginal likelihood, :math:`\log p(d) = \operatorname{logsumexp}_h
    (\log p(h) + \log p(d \mid h))`.

    Args:
      log_prior: :math:`\log p(h)`, shape ``(..., H)``, normalised.
      log_likelihood: :math:`\log p(d \mid h)`, shape broadcastable with ``log_prior``.

    Returns:
      Log evidence, shape of the broadcast batch axes.
    """
    log_prior, log_likelihood = _log_inputs(log_prior, log_likelihood)
    return jax.nn.logsumexp(log_prior + log_likelihood, axis=-1)


def log_posterior(log_prior: ArrayLike, log_likelihood: ArrayLike) -> jax.Array:
    r"""Log posterior, :math:`\log p(h \mid d) = \log p(h) + \log p(d \mid h) - \log p(d)`.

    Args:
      log_prior: :math:`\log p(h)`, shape ``(..., H)``, normalised (``-inf`` allowed).
      log_likelihood: :math:`\log p(d \mid h)`, shape broadcastable with ``log_prior``.

    Returns:
      Log posterior, shape of the broadcast; ``logsumexp`` over the last axis is 0.
    """
    log_prior, log_likelihood = _log_inputs(log_prior, log_likelihood)
    return _log_posterior(log_prior, log_likelihood, "log_likelihood")


class SequentialPosterior(NamedTuple):
    """Result of :func:`sequential_update`.

    Attributes:
      log_posterior: log posterior after the last observation, shape ``(..., H)``.
      log_posteriors: log posterior after each observation, shape ``(T, ..., H)``.
      log_evidence: log predictive probability of each observation given the ones
        before it, shape ``(T, ...)``; its sum over ``T`` is the log marginal
        likelihood of the whole sequence.
    """

    log_posterior: jax.Array
    log_posteriors: jax.Array
    log_evidence: jax.Array


def sequential_update(log_prior: ArrayLike, log_likelihoods: ArrayLike) -> SequentialPosterior:
    r"""Bayes' theorem applied to a sequence of observations, one after another.

    .. math::
        \log p(h \mid d_{1:t}) = \log p(h \mid d_{1:t-1}) + \log p(d_t \mid h)
          - \log p(d_t \mid d_{1:t-1})

    run with ``jax.lax.scan`` over the leading axis of ``log_likelihoods``; the
    observations are assumed conditionally independent given ``h``.

    Args:
      log_prior: :math:`\log p(h)`, shape ``(..., H)``.
      log_likelihoods: :math:`\log p(d_t \mid h)` for each observation, shape
        ``(T, ..., H)`` with ``T >= 1``.

    Returns:
      A :class:`SequentialPosterior`.
    """
    log_likelihoods = as_float_array(log_likelihoods, "log_likelihoods")
    check_min_ndim(log_likelihoods, "log_likelihoods", 2, "(T, ..., H): one row per observation")
    if log_likelihoods.shape[0] == 0:
        raise ValueError("`log_likelihoods` has no observations (T = 0).")
    log_prior, _ = _log_inputs(log_prior, log_likelihoods[0])
    dtype = jnp.result_type(log_prior, log_likelihoods)
    log_likelihoods = log_likelihoods.astype(dtype)
    batch_shape = jnp.broadcast_shapes(log_prior.shape, log_likelihoods.shape[1:])
    _check_evidence(log_prior + jnp.sum(log_likelihoods, axis=0), "log_likelihoods")

    def step(log_belief, log_likelihood):
        joint = log_belief + log_likelihood
        log_predictive = jax.nn.logsumexp(joint, axis=-1)
        updated = joint - log_predictive[..., None]
        return updated, (updated, log_predictive)

    initial = jnp.broadcast_to(log_prior.astype(dtype), batch_shape)
    final, (history, log_evidences) = jax.lax.scan(step, initial, log_likelihoods)
    return SequentialPosterior(final, history, log_evidences)
