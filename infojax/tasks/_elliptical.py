"""Multivariate normal and Student-t tasks, and the Gaussian channel.

Closed forms are evaluated once, in float64 NumPy, when a task is built; samplers and
densities are pure JAX in the dtype of their inputs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike
from scipy import special

from infojax._validation import check_positive_int
from infojax.tasks._task import Task


def dense_correlation(dim_x: int, dim_y: int, correlation: float) -> np.ndarray:
    """Correlation matrix of ``(X, Y)`` with every off-diagonal entry equal.

    Args:
      dim_x: dimension of ``X``.
      dim_y: dimension of ``Y``.
      correlation: the common correlation; positive definite for
        ``-1 / (dim_x + dim_y - 1) < correlation < 1``.

    Returns:
      A float64 array of shape ``(dim_x + dim_y, dim_x + dim_y)``, ``X`` first.
    """
    check_positive_int(dim_x, "dim_x")
    check_positive_int(dim_y, "dim_y")
    dim = dim_x + dim_y
    return (1.0 - correlation) * np.eye(dim) + correlation * np.ones((dim, dim))


def paired_correlation(correlations: Sequence[float], dim_x: int, dim_y: int) -> np.ndarray:
    """Correlation matrix where only the pairs ``(X_i, Y_i)`` are correlated.

    With ``rho_i = correlations[i]`` these are the canonical correlations of ``(X, Y)``;
    every other pair of coordinates is uncorrelated.

    Args:
      correlations: ``rho_i`` in (-1, 1), at most ``min(dim_x, dim_y)`` of them.
      dim_x: dimension of ``X``.
      dim_y: dimension of ``Y``.

    Returns:
      A float64 array of shape ``(dim_x + dim_y, dim_x + dim_y)``, ``X`` first.
    """
    check_positive_int(dim_x, "dim_x")
    check_positive_int(dim_y, "dim_y")
    correlations = np.asarray(correlations, dtype=np.float64).reshape(-1)
    if correlations.size > min(dim_x, dim_y):
        raise ValueError(
            f"`correlations` has {correlations.size} entries, more than "
            f"min(dim_x, dim_y) = {min(dim_x, dim_y)}."
        )
    if not (np.abs(correlations) < 1).all():
        raise ValueError(f"`correlations` must lie in (-1, 1), got {correlations.tolist()}.")
    matrix = np.eye(dim_x + dim_y)
    index = np.arange(correlations.size)
    matrix[index, dim_x + index] = correlations
    matrix[dim_x + index, index] = correlations
    return matrix


def _check_scatter(matrix: ArrayLike, dim_x: int, name: str) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"`{name}` must be a square matrix, got shape {matrix.shape}.")
    check_positive_int(dim_x, "dim_x")
    if not dim_x < matrix.shape[0]:
        raise ValueError(f"`dim_x` must be smaller than the size {matrix.shape[0]} of `{name}`.")
    if not np.isfinite(matrix).all():
        raise ValueError(f"`{name}` contains NaN or inf.")
    if np.abs(matrix - matrix.T).max() > 1e-12 * np.abs(matrix).max():
        raise ValueError(f"`{name}` is not symmetric.")
    if np.linalg.eigvalsh(matrix).min() <= 0:
        raise ValueError(f"`{name}` is not positive definite.")
    return matrix


def _logdet(matrix: np.ndarray) -> float:
    return float(np.linalg.slogdet(matrix)[1])


def _gaussian_mutual_information_from_covariance(cov: np.ndarray, dim_x: int) -> float:
    return 0.5 * (_logdet(cov[:dim_x, :dim_x]) + _logdet(cov[dim_x:, dim_x:]) - _logdet(cov))


class _Whitening:
    """``v -> |L^{-1} v|^2`` and ``log det`` of one scatter matrix ``L L^T``."""

    def __init__(self, matrix: np.ndarray):
        self.inverse_cholesky = np.linalg.inv(np.linalg.cholesky(matrix))
        self.logdet = _logdet(matrix)
        self.dim = matrix.shape[0]

    def squared_norm(self, v: jax.Array) -> jax.Array:
        # Row vector times matrix: under jit(vmap), `L^{-1} @ v` followed by a sum of
        # squares is miscompiled by XLA:CPU (jax 0.10.2) in float64 for rows >= 16384.
        white = v @ jnp.asarray(self.inverse_cholesky.T, dtype=v.dtype)
        return jnp.sum(white * white)


def _normal_log_density(whitening: _Whitening, v: jax.Array) -> jax.Array:
    constant = 0.5 * whitening.logdet + 0.5 * whitening.dim * math.log(2 * math.pi)
    return -0.5 * whitening.squared_norm(v) - constant


def _student_log_density(whitening: _Whitening, dof: float, v: jax.Array) -> jax.Array:
    dim = whitening.dim
    constant = (
        math.lgamma((dof + dim) / 2)
        - math.lgamma(dof / 2)
        - 0.5 * dim * math.log(dof * math.pi)
        - 0.5 * whitening.logdet
    )
    return constant - 0.5 * (dof + dim) * jnp.log1p(whitening.squared_norm(v) / dof)


def _split_whitenings(matrix: np.ndarray, dim_x: int) -> tuple[_Whitening, ...]:
    return (
        _Whitening(matrix),
        _Whitening(matrix[:dim_x, :dim_x]),
        _Whitening(matrix[dim_x:, dim_x:]),
    )


def normal_task(cov: ArrayLike, *, dim_x: int, name: str | None = None) -> Task:
    r"""Jointly Gaussian ``(X, Y)`` with covariance ``cov`` (``X`` first).

    .. math::
        I(X; Y) = \tfrac12 \left(\log\det\Sigma_{XX} + \log\det\Sigma_{YY}
                  - \log\det\Sigma\right)

    Args:
      cov: symmetric positive definite covariance, shape ``(d_x + d_y, d_x + d_y)``.
      dim_x: ``d_x``; the remaining coordinates are ``Y``.
      name: task name; default ``"normal-{d_x}x{d_y}"``.

    Returns:
      A :class:`Task` of family ``"normal"``.
    """
    cov = _check_scatter(cov, dim_x, "cov")
    dim_y = cov.shape[0] - dim_x
    cholesky = np.linalg.cholesky(cov)
    joint, marginal_x, marginal_y = _split_whitenings(cov, dim_x)

    def sampler(key, n, dtype):
        z = jax.random.normal(key, (n, cov.shape[0]), dtype) @ jnp.asarray(cholesky.T, dtype)
        return z[:, :dim_x], z[:, dim_x:]

    def log_density(x, y):
        return (
            _normal_log_density(joint, jnp.concatenate([x, y])),
            _normal_log_density(marginal_x, x),
            _normal_log_density(marginal_y, y),
        )

    return Task(
        name=name or f"normal-{dim_x}x{dim_y}",
        family="normal",
        dim_x=dim_x,
        dim_y=dim_y,
        mutual_information=_gaussian_mutual_information_from_covariance(cov, dim_x),
        sampler=sampler,
        log_density=log_density,
        tails="light",
        params={"cov": cov},
    )


def dense_normal_task(dim_x: int, dim_y: int, *, correlation: float) -> Task:
    r"""Gaussian with unit variances and every pairwise correlation equal to ``rho``.

    With :math:`D = d_x + d_y`, the equicorrelation matrix of size :math:`m` has
    :math:`\log\det = (m - 1)\log(1 - \rho) + \log(1 + (m - 1)\rho)`, so

    .. math::
        I = \tfrac12\left[\log\det{}_{d_x} + \log\det{}_{d_y} - \log\det{}_D\right].

    References:
      Czyz, Grabowski, Vogt, Beerenwinkel & Marx (2023), Beyond normal: on the
      evaluation of mutual information estimators, https://arxiv.org/abs/2306.11078
    """
    return normal_task(
        dense_correlation(dim_x, dim_y, correlation),
        dim_x=dim_x,
        name=f"normal-dense-{dim_x}x{dim_y}-rho{correlation:g}",
    )


def sparse_normal_task(dim_x: int, dim_y: int, *, n_pairs: int, correlation: float) -> Task:
    r"""Gaussian where only ``n_pairs`` coordinate pairs ``(X_i, Y_i)`` are correlated.

    .. math::
        I = -\tfrac{n_{\mathrm{pairs}}}{2} \log(1 - \rho^2)
    """
    check_positive_int(n_pairs, "n_pairs")
    return normal_task(
        paired_correlation([correlation] * n_pairs, dim_x, dim_y),
        dim_x=dim_x,
        name=f"normal-sparse-{dim_x}x{dim_y}-{n_pairs}pairs-rho{correlation:g}",
    )


def canonical_normal_task(
    correlations: Sequence[float], *, dim_x: int | None = None, dim_y: int | None = None
) -> Task:
    r"""Gaussian with the given canonical correlations :math:`\rho_i`.

    .. math::
        I = -\tfrac12 \sum_i \log(1 - \rho_i^2)

    Args:
      correlations: canonical correlations in (-1, 1).
      dim_x: dimension of ``X``; default ``len(correlations)``.
      dim_y: dimension of ``Y``; default ``len(correlations)``.
    """
    correlations = [float(rho) for rho in correlations]
    dim_x = len(correlations) if dim_x is None else dim_x
    dim_y = len(correlations) if dim_y is None else dim_y
    listed = "_".join(f"{rho:g}" for rho in correlations)
    return normal_task(
        paired_correlation(correlations, dim_x, dim_y),
        dim_x=dim_x,
        name=f"normal-canonical-{dim_x}x{dim_y}-rho{listed}",
    )


def gaussian_channel_task(dim: int, *, signal_to_noise: float) -> Task:
    r"""Additive Gaussian noise channel :math:`Y = X + N` in ``dim`` dimensions.

    :math:`X \sim \mathcal N(0, I)` and :math:`N \sim \mathcal N(0, \sigma^2 I)`
    independent, with :math:`\sigma^2 = 1 / \mathrm{SNR}`:

    .. math::
        I(X; Y) = \tfrac d2 \log(1 + \mathrm{SNR})

    References:
      Cover & Thomas (2006), Elements of Information Theory, section 9.1.
    """
    check_positive_int(dim, "dim")
    if not signal_to_noise > 0:
        raise ValueError(f"`signal_to_noise` must be positive, got {signal_to_noise}.")
    noise_std = 1.0 / math.sqrt(signal_to_noise)
    identity = np.eye(dim)
    cov = np.block([[identity, identity], [identity, (1.0 + noise_std**2) * identity]])
    base = normal_task(cov, dim_x=dim)

    def sampler(key, n, dtype):
        signal_key, noise_key = jax.random.split(key)
        x = jax.random.normal(signal_key, (n, dim), dtype)
        return x, x + noise_std * jax.random.normal(noise_key, (n, dim), dtype)

    return Task(
        name=f"gaussian-channel-{dim}d-snr{signal_to_noise:g}",
        family="gaussian_channel",
        dim_x=dim,
        dim_y=dim,
        mutual_information=0.5 * dim * math.log1p(signal_to_noise),
        sampler=sampler,
        log_density=base.log_density,
        tails="light",
        params={"signal_to_noise": signal_to_noise, "cov": cov},
    )


def _student_entropy_excess(dof: float, dim: int) -> float:
    """Entropy of a standard Student-t minus that of a standard normal, without the
    ``dim / 2 log(dof pi)`` and ``dim / 2 log(2 pi e)`` terms that cancel in the MI."""
    half = (dof + dim) / 2
    return (
        math.lgamma(dof / 2)
        - math.lgamma(half)
        + half * (float(special.digamma(half)) - float(special.digamma(dof / 2)))
    )


def student_t_correction(dof: float, dim_x: int, dim_y: int) -> float:
    r"""MI of a multivariate Student-t minus the MI of the Gaussian with its dispersion.

    With :math:`g(d) = \log\Gamma(\nu/2) - \log\Gamma((\nu + d)/2)
    + \tfrac{\nu + d}{2}[\psi(\tfrac{\nu + d}{2}) - \psi(\tfrac\nu2)]`,

    .. math::
        c(\nu, d_x, d_y) = g(d_x) + g(d_y) - g(d_x + d_y) \ge 0,

    which tends to zero as :math:`\nu \to \infty`. Nats.
    """
    return (
        _student_entropy_excess(dof, dim_x)
        + _student_entropy_excess(dof, dim_y)
        - _student_entropy_excess(dof, dim_x + dim_y)
    )


def student_t_task(
    dispersion: ArrayLike, *, dim_x: int, dof: float, name: str | None = None
) -> Task:
    r"""Multivariate Student-t ``(X, Y)`` with ``dof`` degrees of freedom.

    Sampled as :math:`Z / \sqrt{W / \nu}` with :math:`Z \sim \mathcal N(0, \Sigma)`
    and :math:`W \sim \chi^2_\nu`; both marginals are Student-t with the same
    :math:`\nu` and the sub-blocks of :math:`\Sigma`. The MI is the Gaussian MI of the
    dispersion plus :func:`student_t_correction`:

    .. math::
        I(X; Y) = \tfrac12 \log \frac{\det\Sigma_{XX}\det\Sigma_{YY}}{\det\Sigma}
                  + c(\nu, d_x, d_y).

    With the identity dispersion the coordinates are uncorrelated, yet dependent
    through the shared :math:`W`, and :math:`I = c(\nu, d_x, d_y) > 0`.

    Args:
      dispersion: symmetric positive definite, shape ``(d_x + d_y, d_x + d_y)``.
      dim_x: ``d_x``.
      dof: degrees of freedom :math:`\nu > 0`.
      name: task name; default ``"student-t-{d_x}x{d_y}-nu{dof}"``.

    References:
      Czyz, Grabowski, Vogt, Beerenwinkel & Marx (2023), Beyond normal: on the
      evaluation of mutual information estimators, https://arxiv.org/abs/2306.11078
    """
    dispersion = _check_scatter(dispersion, dim_x, "dispersion")
    if not (dof > 0 and math.isfinite(dof)):
        raise ValueError(f"`dof` must be positive and finite, got {dof}.")
    dim_y = dispersion.shape[0] - dim_x
    cholesky = np.linalg.cholesky(dispersion)
    joint, marginal_x, marginal_y = _split_whitenings(dispersion, dim_x)

    def sampler(key, n, dtype):
        normal_key, chi2_key = jax.random.split(key)
        z = jax.random.normal(normal_key, (n, dispersion.shape[0]), dtype)
        z = z @ jnp.asarray(cholesky.T, dtype)
        chi2 = jax.random.chisquare(chi2_key, dof, (n, 1), dtype)
        t = z * jnp.sqrt(dof / chi2)
        return t[:, :dim_x], t[:, dim_x:]

    def log_density(x, y):
        return (
            _student_log_density(joint, dof, jnp.concatenate([x, y])),
            _student_log_density(marginal_x, dof, x),
            _student_log_density(marginal_y, dof, y),
        )

    return Task(
        name=name or f"student-t-{dim_x}x{dim_y}-nu{dof:g}",
        family="student_t",
        dim_x=dim_x,
        dim_y=dim_y,
        mutual_information=_gaussian_mutual_information_from_covariance(dispersion, dim_x)
        + student_t_correction(dof, dim_x, dim_y),
        sampler=sampler,
        log_density=log_density,
        tails="heavy",
        params={"dispersion": dispersion, "dof": dof},
    )
