"""Closed forms for multivariate Gaussians: entropy, mutual information, KL divergence.

Log-determinants come from Cholesky factors. On concrete inputs covariances are
checked to be finite, symmetric (to 1e-6 relative for float32, 1e-10 for float64) and
positive definite.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._validation import as_float_array
from infojax._validation import check_base
from infojax._validation import check_finite
from infojax._validation import is_concrete


def _covariance(cov: ArrayLike, name: str) -> jax.Array:
    cov = as_float_array(cov, name)
    if cov.ndim < 2 or cov.shape[-1] != cov.shape[-2] or cov.shape[-1] == 0:
        raise ValueError(f"`{name}` must have shape (..., d, d) with d >= 1, got {cov.shape}.")
    if is_concrete(cov):
        check_finite(cov, name)
        values = np.asarray(cov, dtype=np.float64)
        scale = np.abs(values).max() or 1.0
        tolerance = 1e-10 if cov.dtype == jnp.float64 else 1e-6
        if np.abs(values - np.swapaxes(values, -1, -2)).max() > tolerance * scale:
            raise ValueError(f"`{name}` is not symmetric.")
        if (np.linalg.eigvalsh(values) <= 0).any():
            raise ValueError(f"`{name}` is not positive definite.")
    return cov


def _logdet(cov: jax.Array) -> jax.Array:
    chol = jnp.linalg.cholesky(cov)
    return 2.0 * jnp.sum(jnp.log(jnp.diagonal(chol, axis1=-2, axis2=-1)), axis=-1)


def gaussian_entropy(cov: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Differential entropy of a Gaussian :math:`\mathcal N(\mu, \Sigma)`.

    .. math::
        h(X) = \tfrac12 \log \det (2 \pi e \Sigma)
             = \tfrac d2 \log(2 \pi e) + \tfrac12 \log \det \Sigma

    Args:
      cov: covariance, shape ``(..., d, d)``, symmetric positive definite.
      base: logarithm base; ``None`` for nats.

    Returns:
      Entropy, shape ``cov.shape[:-2]``.
    """
    check_base(base)
    cov = _covariance(cov, "cov")
    d = cov.shape[-1]
    value = 0.5 * (d * math.log(2 * math.pi * math.e) + _logdet(cov))
    return to_base(value, base)


def gaussian_mutual_information_from_covariance(
    cov: ArrayLike, *, dim_x: int, base: float | None = None
) -> jax.Array:
    r"""I(X; Y) of a Gaussian with covariance ``cov``, X its first ``dim_x`` coordinates.

    .. math::
        I(X; Y) = \tfrac12 \left(\log \det \Sigma_{XX} + \log \det \Sigma_{YY}
                  - \log \det \Sigma \right)

    For one correlated pair per dimension this is
    :math:`-\tfrac12 \sum_i \log(1 - \rho_i^2)`.

    This is the closed form for a known covariance; to estimate it from samples use
    :func:`infojax.estimators.gaussian_mutual_information`.

    Args:
      cov: joint covariance of ``(X, Y)``, shape ``(..., d, d)``.
      dim_x: number of leading coordinates that form ``X`` (static), ``1 <= dim_x < d``.
      base: logarithm base; ``None`` for nats.

    Returns:
      :math:`I(X; Y)`, shape ``cov.shape[:-2]``.
    """
    check_base(base)
    cov = _covariance(cov, "cov")
    d = cov.shape[-1]
    if not isinstance(dim_x, (int, np.integer)) or not 1 <= dim_x < d:
        raise ValueError(f"`dim_x` must be an int with 1 <= dim_x < {d}, got {dim_x!r}.")
    value = 0.5 * (
        _logdet(cov[..., :dim_x, :dim_x]) + _logdet(cov[..., dim_x:, dim_x:]) - _logdet(cov)
    )
    return to_base(value, base)


def gaussian_kl_divergence(
    mean_p: ArrayLike,
    cov_p: ArrayLike,
    mean_q: ArrayLike,
    cov_q: ArrayLike,
    *,
    base: float | None = None,
) -> jax.Array:
    r"""KL divergence between Gaussians :math:`D_{KL}(\mathcal N_p \,\|\, \mathcal N_q)`.

    .. math::
        D_{KL} = \tfrac12 \left( \operatorname{tr}(\Sigma_q^{-1} \Sigma_p)
          + (\mu_q - \mu_p)^\top \Sigma_q^{-1} (\mu_q - \mu_p) - d
          + \log \det \Sigma_q - \log \det \Sigma_p \right)

    Args:
      mean_p: mean of ``p``, shape ``(..., d)``.
      cov_p: covariance of ``p``, shape ``(..., d, d)``.
      mean_q: mean of ``q``, shape ``(..., d)``.
      cov_q: covariance of ``q``, shape ``(..., d, d)``.
      base: logarithm base; ``None`` for nats.

    Returns:
      Divergence, shape of the broadcast batch axes.
    """
    check_base(base)
    cov_p = _covariance(cov_p, "cov_p")
    cov_q = _covariance(cov_q, "cov_q")
    mean_p = as_float_array(mean_p, "mean_p")
    mean_q = as_float_array(mean_q, "mean_q")
    check_finite(mean_p, "mean_p")
    check_finite(mean_q, "mean_q")
    d = cov_p.shape[-1]
    for name, array, expected in (
        ("mean_p", mean_p.shape[-1:], (d,)),
        ("mean_q", mean_q.shape[-1:], (d,)),
        ("cov_q", cov_q.shape[-2:], (d, d)),
    ):
        if array != expected:
            raise ValueError(
                f"`{name}` has trailing shape {array}, expected {expected} to match `cov_p`."
            )
    dtype = jnp.result_type(mean_p, cov_p, mean_q, cov_q)
    mean_p, cov_p, mean_q, cov_q = (a.astype(dtype) for a in (mean_p, cov_p, mean_q, cov_q))
    chol_q = jnp.linalg.cholesky(cov_q)
    solve = lambda b: jax.scipy.linalg.cho_solve((chol_q, True), b)
    trace = jnp.trace(solve(cov_p), axis1=-2, axis2=-1)
    difference = (mean_q - mean_p)[..., None]
    mahalanobis = jnp.sum(difference * solve(difference), axis=(-2, -1))
    value = 0.5 * (trace + mahalanobis - d + _logdet(cov_q) - _logdet(cov_p))
    return to_base(value, base)
