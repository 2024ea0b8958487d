"""Mutual information under a Gaussian model, and the Gaussian-copula estimator.

Both estimators fit a joint Gaussian to the samples (or to their copula-normalised
ranks) and return its mutual information from log-determinants of the sample
covariance, computed by Cholesky factorisation.

Scale. The mutual information does not change when a column is multiplied by a
constant, so each column is first divided by its largest absolute value: values of any
magnitude (1e-300 to 1e300 in float64, 1e-30 to 1e30 in float32) give the same
estimate, where squaring them would underflow or overflow.

Singular covariance. On concrete inputs the correlation matrices of x, of y and of
(x, y) are checked: if the smallest eigenvalue of one is at most ``16 d eps`` (d its
size, eps the float resolution of the samples' dtype), the samples are linearly
dependent to working precision and a ``ValueError`` says which: dependent columns
within ``x`` or ``y`` (drop the redundant ones), or ``y`` an exact linear function of
``x`` (then the Gaussian mutual information is infinite). Under a caller's ``jit``
the check cannot run: a singular covariance gives NaN (a failed Cholesky
factorisation) or, where rounding leaves a tiny positive pivot, a large finite value.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy.special import digamma
from jax.scipy.stats import norm
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._registry import register_estimator
from infojax._validation import as_samples
from infojax._validation import check_base
from infojax._validation import check_not_constant
from infojax._validation import check_same_length
from infojax._validation import is_concrete

# A correlation matrix of size d is singular to working precision when its smallest
# eigenvalue is at most this many times d * eps.
SINGULAR_EPS = 16


def _half_logdet(cov: jax.Array) -> jax.Array:
    """``log det(cov) / 2`` from the Cholesky factor; NaN if ``cov`` is singular."""
    return jnp.sum(jnp.log(jnp.diagonal(jnp.linalg.cholesky(cov))))


def _wishart_bias(n: int, dims: int, dtype) -> jax.Array:
    r"""Bias of ``log det(S) / 2`` minus its ``log 2 - log(n - 1)`` terms.

    For the unbiased sample covariance :math:`S` of :math:`n` Gaussian samples in
    :math:`d` dimensions, :math:`E[\log\det S] = \log\det\Sigma + \sum_{i=1}^{d}
    \psi((n - i)/2) + d \log(2/(n-1))`; the :math:`d`-proportional part cancels in the
    mutual information.
    """
    i = jnp.arange(1, dims + 1, dtype=dtype)
    return jnp.sum(digamma((n - i) / 2)) / 2


def _centred_unit_scale(joint: jax.Array) -> jax.Array:
    """Columns divided by their largest absolute value, then centred.

    The mutual information is invariant under the scaling (hence the stop-gradient);
    it keeps squares and sums of squares in range at any magnitude of the samples.
    """
    scaled = joint / lax.stop_gradient(jnp.max(jnp.abs(joint), axis=0))
    return scaled - jnp.mean(scaled, axis=0)


@functools.partial(jax.jit, static_argnames=("bias_correction",))
def _gaussian_mi(x: jax.Array, y: jax.Array, *, bias_correction: bool) -> jax.Array:
    n, dim_x = x.shape
    dim_y = y.shape[1]
    centred = _centred_unit_scale(jnp.concatenate([x, y], axis=1))
    cov = centred.T @ centred / (n - 1)
    information = (
        _half_logdet(cov[:dim_x, :dim_x]) + _half_logdet(cov[dim_x:, dim_x:]) - _half_logdet(cov)
    )
    if bias_correction:
        information = information - (
            _wishart_bias(n, dim_x, x.dtype)
            + _wishart_bias(n, dim_y, x.dtype)
            - _wishart_bias(n, dim_x + dim_y, x.dtype)
        )
    return information


def _copula_normalise(x: jax.Array) -> jax.Array:
    """Each column mapped to standard-normal scores of its ranks / (n + 1)."""
    n = x.shape[0]
    ranks = jnp.argsort(jnp.argsort(x, axis=0, stable=True), axis=0, stable=True)
    # norm.ppf promotes float32 to the default float dtype; keep the input's.
    return norm.ppf((ranks + 1).astype(x.dtype) / (n + 1)).astype(x.dtype)


@jax.jit
def _smallest_correlation_eigenvalues(x: jax.Array, y: jax.Array) -> jax.Array:
    """Smallest eigenvalues of the correlation matrices of x, of y and of (x, y)."""
    centred = _centred_unit_scale(jnp.concatenate([x, y], axis=1))
    standardised = centred / jnp.linalg.norm(centred, axis=0)
    correlation = standardised.T @ standardised
    dim_x = x.shape[1]
    blocks = (correlation[:dim_x, :dim_x], correlation[dim_x:, dim_x:], correlation)
    return jnp.stack([jnp.linalg.eigvalsh(block)[0] for block in blocks])


def _check_full_rank(x: jax.Array, y: jax.Array, *, copula: bool) -> None:
    """Raises ValueError if concrete samples are linearly dependent (module docstring)."""
    if not is_concrete(x, y):
        return
    if copula:
        x, y = _copula_normalise(x), _copula_normalise(y)
    smallest = np.asarray(_smallest_correlation_eigenvalues(x, y), np.float64)
    eps = float(jnp.finfo(x.dtype).eps)
    what = "the normal scores of the ranks of " if copula else ""
    for name, array, value in (("x", x, smallest[0]), ("y", y, smallest[1])):
        limit = SINGULAR_EPS * array.shape[1] * eps
        if value <= limit:
            subject = (
                f"The normal scores of the ranks of `{name}` have" if copula else f"`{name}` has"
            )
            raise ValueError(
                f"{subject} linearly dependent columns (smallest eigenvalue of the "
                f"correlation matrix {value:.3g} <= {limit:.3g}), so the covariance is "
                f"singular: drop the redundant columns of `{name}`."
            )
    limit = SINGULAR_EPS * (x.shape[1] + y.shape[1]) * eps
    if smallest[2] <= limit:
        relation = "a monotone function" if copula else "an exact linear function"
        raise ValueError(
            f"{what.capitalize()}`x` and `y` are linearly dependent (smallest eigenvalue of the "
            f"joint correlation matrix {smallest[2]:.3g} <= {limit:.3g}): part of `y` is "
            f"{relation} of `x`, e.g. y = x, and the "
            f"{'Gaussian-copula' if copula else 'Gaussian'} mutual information is infinite."
        )


def _checked(information: jax.Array) -> jax.Array:
    """``information``; an eager NaN (none is expected after the checks) is an error."""
    if is_concrete(information) and np.isnan(np.asarray(information)):
        raise ValueError(
            "The covariance of `x` and `y` is numerically singular (NaN from its Cholesky "
            "factorisation)."
        )
    return information


@functools.partial(jax.jit, static_argnames=("bias_correction",))
def _gaussian_copula_mi(x: jax.Array, y: jax.Array, *, bias_correction: bool) -> jax.Array:
    return _gaussian_mi(_copula_normalise(x), _copula_normalise(y), bias_correction=bias_correction)


def _float_pair(x: ArrayLike, y: ArrayLike) -> tuple[jax.Array, jax.Array]:
    """Validated float samples ``(n, d_x)``, ``(n, d_y)`` in a common dtype."""
    x = as_samples(x, "x")
    y = as_samples(y, "y")
    check_same_length((x, "x"), (y, "y"))
    n, dims = x.shape[0], x.shape[1] + y.shape[1]
    if n <= dims:
        raise ValueError(
            f"`x` and `y` need more samples than d_x + d_y = {dims} for a full-rank "
            f"covariance of the Gaussian MI, got n={n}."
        )
    check_not_constant(x, "x")
    check_not_constant(y, "y")
    dtype = jnp.result_type(x, y)
    return x.astype(dtype), y.astype(dtype)


def gaussian_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    *,
    base: float | None = None,
    bias_correction: bool = False,
) -> jax.Array:
    r"""Mutual information of a Gaussian fitted to the samples.

    With :math:`S` the unbiased sample covariance of the joint samples
    :math:`(x, y)` and :math:`S_{xx}`, :math:`S_{yy}` its diagonal blocks,

    .. math::

        \hat I(X; Y) = \tfrac12 \left(\log\det S_{xx} + \log\det S_{yy}
            - \log\det S\right).

    This is exact in the limit for jointly Gaussian data and a lower bound on
    :math:`I(X; Y)` for any distribution with the same covariance. For a known
    covariance use the closed form
    :func:`infojax.measures.gaussian_mutual_information_from_covariance`. With
    ``bias_correction`` each half log-determinant has its expected bias
    :math:`\tfrac12 \sum_{i=1}^{d} \psi((n - i) / 2) + \tfrac{d}{2}\log\frac{2}{n - 1}`
    under Gaussian sampling removed (Ince et al. 2017); the estimate can then be
    slightly negative for independent variables.

    Constant columns and linearly dependent samples (a singular covariance, e.g.
    ``y = x``, whose Gaussian mutual information is infinite) raise ``ValueError`` on
    concrete input; under a caller's ``jit`` (where the checks cannot run) a singular
    covariance gives NaN or a large finite value. Values of any scale give the same
    estimate (columns are rescaled first; see the module docstring). Differentiable
    in ``x`` and ``y``.

    Args:
      x: float array of shape ``(n,)`` or ``(n, d_x)``.
      y: float array of shape ``(n,)`` or ``(n, d_y)``; ``n > d_x + d_y``.
      base: logarithm base; ``None`` gives nats, ``2`` bits.
      bias_correction: subtract the analytic small-sample bias (static).

    Returns:
      Scalar estimate in the common float dtype of ``x`` and ``y``, in nats unless
      ``base`` is given.

    Example:
      >>> key_x, key_noise = jax.random.split(jax.random.key(0))
      >>> x = jax.random.normal(key_x, (1000, 2))
      >>> y = x + jax.random.normal(key_noise, (1000, 2))
      >>> mi = gaussian_mutual_information(x, y)  # close to log(2) = 0.69 nats

    References:
      Cover & Thomas, "Elements of Information Theory", 2nd ed., eq. (8.56); Ince et
      al., "A statistical framework for neuroimaging data analysis based on mutual
      information estimated via a Gaussian copula", Human Brain Mapping 38 (2017),
      https://doi.org/10.1002/hbm.23471.
    """
    check_base(base)
    x, y = _float_pair(x, y)
    _check_full_rank(x, y, copula=False)
    information = _checked(_gaussian_mi(x, y, bias_correction=bool(bias_correction)))
    return to_base(information, base)


def gaussian_copula_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    *,
    bias_correction: bool = True,
    base: float | None = None,
) -> jax.Array:
    r"""Gaussian-copula mutual information (Ince et al. 2017).

    Every column is replaced by the standard-normal score of its rank,
    :math:`\tilde x_{ij} = \Phi^{-1}(r_{ij} / (n + 1))` with :math:`r_{ij} \in
    \{1, \dots, n\}`, and the Gaussian mutual information of the scores is returned
    (see :func:`gaussian_mutual_information`, here with the bias correction on by
    default):

    .. math::

        \hat I(X; Y) = \tfrac12 \left(\log\det \tilde S_{xx} + \log\det \tilde S_{yy}
            - \log\det \tilde S\right) - \text{bias}.

    The estimate is invariant under strictly increasing transforms of each column
    and is a lower bound on :math:`I(X; Y)` (up to estimation error) whenever the
    copula is not Gaussian. Ties are broken by position, as in Ince et al.'s
    ``copnorm``, so discrete-valued columns get an arbitrary order among equal
    values. Constant columns raise ``ValueError`` on concrete input, and so do normal
    scores that are linearly dependent, e.g. ``y`` a monotone function of ``x`` (an
    infinite copula mutual information), which is likely at the smallest sample sizes:
    with n = 3, two columns are perfectly rank-(anti)correlated with probability 1/3.
    Under a caller's ``jit`` these checks cannot run and a singular covariance gives
    NaN or a large finite value. The rank transform is piecewise constant, so
    gradients with respect to ``x`` and ``y`` are zero.

    Args:
      x: float array of shape ``(n,)`` or ``(n, d_x)``.
      y: float array of shape ``(n,)`` or ``(n, d_y)``; ``n > d_x + d_y``.
      bias_correction: subtract the analytic Gaussian small-sample bias (static).
      base: logarithm base; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar estimate in the common float dtype of ``x`` and ``y``, in nats unless
      ``base`` is given.

    References:
      Ince et al., "A statistical framework for neuroimaging data analysis based on
      mutual information estimated via a Gaussian copula", Human Brain Mapping 38
      (2017), https://doi.org/10.1002/hbm.23471.
    """
    check_base(base)
    x, y = _float_pair(x, y)
    _check_full_rank(x, y, copula=True)
    information = _checked(_gaussian_copula_mi(x, y, bias_correction=bool(bias_correction)))
    return to_base(information, base)


register_estimator(
    "gaussian",
    gaussian_mutual_information,
    quantity="mutual_information",
    inputs="continuous",
    defaults={"base": None, "bias_correction": False},
    gradient="smooth",
    description="MI of a Gaussian fitted to the samples (covariance log-determinants)",
)
register_estimator(
    "gaussian_copula",
    gaussian_copula_mutual_information,
    quantity="mutual_information",
    inputs="continuous",
    defaults={"bias_correction": True, "base": None},
    gradient="zero",
    description="Gaussian-copula MI with analytic bias correction (Ince et al. 2017)",
)
