r"""Higher-order information of n variables from samples: total correlation, dual total
correlation and O-information, under a Gaussian model, a Gaussian copula, or by k-NN.

The columns of ``x`` (shape ``(n, p)``) are the variables :math:`X_1, \dots, X_p`. With
:math:`H` the joint entropy, :math:`H_i` the marginal entropies and :math:`H_{-i}` the
entropies of the :math:`p - 1` other columns,

.. math::
    TC = \sum_i H_i - H, \qquad DTC = \sum_i H_{-i} - (p - 1) H, \qquad
    \Omega = TC - DTC = (2 - p)\, TC(X) + \sum_j TC(X_{-j}).

Every estimator needs at least two columns. For two columns TC and DTC both equal the
mutual information and :math:`\Omega` is zero up to rounding (it is not an error: a
layer of two units has no higher-order part); :math:`\Omega` is informative from three.

Gaussian estimators. From the unbiased sample covariance :math:`S` with Cholesky factor
:math:`C`, every entropy above is a half log-determinant plus a constant that cancels:
:math:`\tfrac12 \log\det S`, :math:`\tfrac12 \log S_{ii}` and
:math:`\tfrac12 \log\det S_{-i,-i} = \tfrac12 \log\det S + \tfrac12 \log (S^{-1})_{ii}`,
so one factorisation gives all :math:`2p + 1` of them. With ``bias_correction`` the
expected bias under Gaussian sampling of each half log-determinant of a
:math:`d \times d` block, :math:`\tfrac12 \sum_{i=1}^{d} \psi((n - i)/2)` plus a part
proportional to :math:`d` that cancels, is removed (Ince et al. 2017), as HOI's
``method="gc"`` does. Columns are rescaled first (see
:mod:`infojax.estimators._gaussian`), and linearly dependent columns (a singular
covariance) raise ``ValueError`` naming ``x`` on concrete input; under a caller's ``jit``
they give NaN or a large finite value.

k-NN estimators. The KSG multi-information (Kraskov, Stogbauer & Grassberger 2004,
algorithm 1 for m variables, their eq. 9) of the whole set and of each leave-one-out
subset, in the max-norm, combined as above; pure JAX in row blocks (the brute-force
``"jax"`` backend of :mod:`infojax.estimators._neighbours`: memory ``block_size * n``,
time :math:`O(p^2 n^2)`), with the same validation (ties, integer samples, ``jitter``,
constant columns, ``1 <= k < n``).
"""

from __future__ import annotations

import functools
import itertools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import solve_triangular
from jax.scipy.special import digamma
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._registry import register_estimator
from infojax._validation import as_samples
from infojax._validation import check_base
from infojax._validation import check_not_constant
from infojax._validation import is_concrete
from infojax.estimators._gaussian import SINGULAR_EPS
from infojax.estimators._gaussian import _centred_unit_scale
from infojax.estimators._gaussian import _copula_normalise
from infojax.estimators._gaussian import _wishart_bias
from infojax.estimators._neighbours import _nan_where_invalid
from infojax.estimators._neighbours import _prepare
from infojax.estimators._neighbours_blocks import chebyshev_distances
from infojax.estimators._neighbours_blocks import chebyshev_distances_at
from infojax.estimators._neighbours_blocks import check_block_size
from infojax.estimators._neighbours_blocks import kth_smallest
from infojax.estimators._neighbours_blocks import map_row_blocks
from infojax.estimators._neighbours_blocks import self_mask
from infojax.estimators._neighbours_blocks import take_rows

_QUANTITIES = ("total_correlation", "dual_total_correlation", "o_information")


# --- Gaussian and Gaussian-copula ----------------------------------------------------------


def _log_determinant_terms(cov: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``log det(S) / 2``, the ``log S_ii / 2`` (p,) and the ``log det S_{-i,-i} / 2`` (p,)."""
    factor = jnp.linalg.cholesky(cov)
    whole = jnp.sum(jnp.log(jnp.diagonal(factor)))
    singles = 0.5 * jnp.log(jnp.diagonal(cov))
    # (S^-1)_ii = sum_k ((C^-1)_ki)^2, and det S_{-i,-i} = det S * (S^-1)_ii.
    inverse_factor = solve_triangular(factor, jnp.eye(cov.shape[0], dtype=cov.dtype), lower=True)
    leave_one_out = whole + 0.5 * jnp.log(jnp.sum(jnp.square(inverse_factor), axis=0))
    return whole, singles, leave_one_out


def _gaussian_terms(cov: jax.Array, n: int, bias_correction: bool) -> dict[str, jax.Array]:
    """TC, DTC and O-information of the Gaussian with covariance ``cov`` (p x p)."""
    p = cov.shape[0]
    whole, singles, leave_one_out = _log_determinant_terms(cov)
    total = jnp.sum(singles) - whole
    dual = jnp.sum(leave_one_out) - (p - 1) * whole
    if bias_correction:
        dtype = cov.dtype
        whole_bias = _wishart_bias(n, p, dtype)
        total = total - (p * _wishart_bias(n, 1, dtype) - whole_bias)
        dual = dual - (p * _wishart_bias(n, p - 1, dtype) - (p - 1) * whole_bias)
    return {
        "total_correlation": total,
        "dual_total_correlation": dual,
        "o_information": total - dual,
    }


@functools.partial(jax.jit, static_argnames=("quantity", "bias_correction"))
def _gaussian_higher_order(x, *, quantity, bias_correction):
    n = x.shape[0]
    centred = _centred_unit_scale(x)
    cov = centred.T @ centred / (n - 1)
    return _gaussian_terms(cov, n, bias_correction)[quantity]


@jax.jit
def _smallest_correlation_eigenvalue(x: jax.Array) -> jax.Array:
    centred = _centred_unit_scale(x)
    standardised = centred / jnp.linalg.norm(centred, axis=0)
    return jnp.linalg.eigvalsh(standardised.T @ standardised)[0]


_normal_scores = jax.jit(_copula_normalise)


def _gaussian_samples(x: ArrayLike, *, copula: bool) -> jax.Array:
    """What the Gaussian is fitted to: the validated samples (n, p), p >= 2, n > p, or
    with ``copula`` their normal scores (computed once), with a full-rank covariance."""
    x = as_samples(x, "x")
    n, p = x.shape
    if p < 2:
        raise ValueError(
            f"`x` must have at least 2 columns (one per variable), got shape {x.shape}."
        )
    if n <= p:
        raise ValueError(
            f"`x` needs more samples than columns ({p}) for a full-rank covariance, got n={n}."
        )
    check_not_constant(x, "x")
    scores = _normal_scores(x) if copula else x
    if is_concrete(scores):
        smallest = float(_smallest_correlation_eigenvalue(scores))
        limit = SINGULAR_EPS * p * float(jnp.finfo(x.dtype).eps)
        if not smallest > limit:
            subject = "The normal scores of the ranks of `x` have" if copula else "`x` has"
            raise ValueError(
                f"{subject} linearly dependent columns (smallest eigenvalue of the "
                f"correlation matrix {smallest:.3g} <= {limit:.3g}), so the covariance is "
                "singular and the Gaussian higher-order information infinite: drop the "
                "redundant columns of `x`."
            )
    return scores


def _gaussian_estimate(x, quantity, *, copula, bias_correction, base):
    check_base(base)
    scores = _gaussian_samples(x, copula=copula)
    value = _gaussian_higher_order(scores, quantity=quantity, bias_correction=bool(bias_correction))
    return to_base(value, base)


def gaussian_total_correlation(
    x: ArrayLike, *, bias_correction: bool = False, base: float | None = None
) -> jax.Array:
    r"""Total correlation of a Gaussian fitted to the samples.

    .. math::
        \widehat{TC} = \tfrac12 \sum_{i=1}^p \log S_{ii} - \tfrac12 \log\det S
            = -\tfrac12 \log\det R,

    with :math:`S` the sample covariance and :math:`R` the sample correlation matrix
    of the columns of ``x`` (module docstring: ``bias_correction``, scaling, singular
    covariances). Differentiable in ``x``.

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``p >= 2``,
        ``n > p``.
      bias_correction: subtract the analytic Gaussian small-sample bias (static).
      base: logarithm base; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar estimate in the dtype of ``x``, in nats unless ``base`` is given.

    Example:
      >>> z = jax.random.normal(jax.random.key(0), (5000, 1))
      >>> noise = jax.random.normal(jax.random.key(1), (5000, 3))
      >>> tc = gaussian_total_correlation(z + noise)  # -log(det R) / 2 = log(4) / 2 = 0.69

    References:
      Watanabe, "Information theoretical analysis of multivariate correlation", IBM J.
      Res. Dev. 4 (1960), https://doi.org/10.1147/rd.41.0066.
    """
    return _gaussian_estimate(
        x, "total_correlation", copula=False, bias_correction=bias_correction, base=base
    )


def gaussian_dual_total_correlation(
    x: ArrayLike, *, bias_correction: bool = False, base: float | None = None
) -> jax.Array:
    r"""Dual total correlation of a Gaussian fitted to the samples.

    .. math::
        \widehat{DTC} = \tfrac12 \sum_{i=1}^p \log\det S_{-i,-i} - \tfrac{p-1}{2} \log\det S
            = \tfrac12 \log\det S + \tfrac12 \sum_{i=1}^p \log (S^{-1})_{ii},

    with :math:`S` the sample covariance of the columns of ``x`` (module docstring).
    Differentiable in ``x``.

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``p >= 2``,
        ``n > p``.
      bias_correction: subtract the analytic Gaussian small-sample bias (static).
      base: logarithm base; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar estimate in the dtype of ``x``, in nats unless ``base`` is given.

    References:
      Han, "Nonnegative entropy measures of multivariate symmetric correlations",
      Information and Control 36 (1978), https://doi.org/10.1016/S0019-9958(78)90275-9.
    """
    return _gaussian_estimate(
        x, "dual_total_correlation", copula=False, bias_correction=bias_correction, base=base
    )


def gaussian_o_information(
    x: ArrayLike, *, bias_correction: bool = False, base: float | None = None
) -> jax.Array:
    r"""O-information of a Gaussian fitted to the samples (Rosas et al. 2019).

    .. math::
        \hat\Omega = \widehat{TC} - \widehat{DTC}
            = \tfrac12 \sum_{i=1}^p \log S_{ii} - \log\det S
              - \tfrac12 \sum_{i=1}^p \log (S^{-1})_{ii},

    from one Cholesky factorisation of the sample covariance :math:`S` of the columns
    of ``x`` (module docstring). Positive: redundancy-dominated; negative:
    synergy-dominated. Differentiable in ``x``.

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``p >= 2``
        (``p = 2`` gives zero), ``n > p``.
      bias_correction: subtract the analytic Gaussian small-sample bias (static).
      base: logarithm base; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar estimate in the dtype of ``x``, in nats unless ``base`` is given.

    Example:
      >>> z = jax.random.normal(jax.random.key(0), (5000, 1))
      >>> noise = jax.random.normal(jax.random.key(1), (5000, 3))
      >>> omega = gaussian_o_information(z + noise)  # a shared source: redundancy, > 0

    References:
      Rosas, Mediano, Gastpar & Jensen, "Quantifying high-order interdependencies via
      multivariate extensions of the mutual information", Phys. Rev. E 100, 032305
      (2019), https://doi.org/10.1103/PhysRevE.100.032305.
    """
    return _gaussian_estimate(
        x, "o_information", copula=False, bias_correction=bias_correction, base=base
    )


def gaussian_copula_total_correlation(
    x: ArrayLike, *, bias_correction: bool = True, base: float | None = None
) -> jax.Array:
    r"""Gaussian-copula total correlation: :func:`gaussian_total_correlation` of the
    standard-normal scores of the ranks of each column (Ince et al. 2017), with the
    bias correction on by default.

    Invariant under strictly increasing transforms of each column; ties are broken by
    position; the gradient with respect to ``x`` is zero (ranks are piecewise
    constant).

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``p >= 2``,
        ``n > p``.
      bias_correction: subtract the analytic Gaussian small-sample bias (static).
      base: logarithm base; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar estimate in the dtype of ``x``, in nats unless ``base`` is given.

    References:
      Ince et al., "A statistical framework for neuroimaging data analysis based on
      mutual information estimated via a Gaussian copula", Human Brain Mapping 38
      (2017), https://doi.org/10.1002/hbm.23471.
    """
    return _gaussian_estimate(
        x, "total_correlation", copula=True, bias_correction=bias_correction, base=base
    )


def gaussian_copula_dual_total_correlation(
    x: ArrayLike, *, bias_correction: bool = True, base: float | None = None
) -> jax.Array:
    r"""Gaussian-copula dual total correlation: :func:`gaussian_dual_total_correlation`
    of the standard-normal scores of the ranks of each column, with the bias
    correction on by default.

    Invariant under strictly increasing transforms of each column; ties are broken by
    position; the gradient with respect to ``x`` is zero.

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``p >= 2``,
        ``n > p``.
      bias_correction: subtract the analytic Gaussian small-sample bias (static).
      base: logarithm base; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar estimate in the dtype of ``x``, in nats unless ``base`` is given.

    References:
      Ince et al., Human Brain Mapping 38 (2017), https://doi.org/10.1002/hbm.23471.
    """
    return _gaussian_estimate(
        x, "dual_total_correlation", copula=True, bias_correction=bias_correction, base=base
    )


def gaussian_copula_o_information(
    x: ArrayLike, *, bias_correction: bool = True, base: float | None = None
) -> jax.Array:
    r"""Gaussian-copula O-information: :func:`gaussian_o_information` of the
    standard-normal scores of the ranks of each column, with the bias correction on by
    default; HOI's ``Oinfo(x).fit(method="gc")`` for one multiplet, in nats.

    Invariant under strictly increasing transforms of each column; ties are broken by
    position; the gradient with respect to ``x`` is zero. For every multiplet of
    several sizes at once use :func:`gaussian_copula_o_information_multiplets`.

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``p >= 2``
        (``p = 2`` gives zero), ``n > p``.
      bias_correction: subtract the analytic Gaussian small-sample bias (static).
      base: logarithm base; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar estimate in the dtype of ``x``, in nats unless ``base`` is given.

    Example:
      >>> key_a, key_b = jax.random.split(jax.random.key(0))
      >>> a, b = jax.random.normal(key_a, (2, 4000))
      >>> x = jnp.stack([a, b, a + b + 0.1 * jax.random.normal(key_b, (4000,))], axis=1)
      >>> omega = gaussian_copula_o_information(jnp.exp(x))  # a sum: synergy, < 0

    References:
      Rosas, Mediano, Gastpar & Jensen, Phys. Rev. E 100, 032305 (2019),
      https://doi.org/10.1103/PhysRevE.100.032305; Ince et al., Human Brain Mapping 38
      (2017), https://doi.org/10.1002/hbm.23471.
    """
    return _gaussian_estimate(
        x, "o_information", copula=True, bias_correction=bias_correction, base=base
    )


# --- all multiplets ------------------------------------------------------------------------


class MultipletInformation(NamedTuple):
    """Higher-order information of every multiplet of columns, one row per multiplet.

    Attributes:
      multiplets: column indices, int32, shape ``(m, max(sizes))``; a multiplet smaller
        than the largest size is padded with -1 (HOI's layout). Rows run through the
        sizes in the order given, and within a size through
        ``itertools.combinations(range(p), size)``.
      sizes: number of columns of each multiplet, int32, shape ``(m,)``.
      total_correlation: TC of each multiplet, shape ``(m,)``.
      dual_total_correlation: DTC of each multiplet, shape ``(m,)``.
      o_information: O-information of each multiplet, shape ``(m,)``.
    """

    multiplets: jax.Array
    sizes: jax.Array
    total_correlation: jax.Array
    dual_total_correlation: jax.Array
    o_information: jax.Array


def _combinations(p: int, sizes: tuple[int, ...]) -> tuple[list[np.ndarray], np.ndarray]:
    """Index arrays (count, size) per size, and all of them padded with -1."""
    per_size = [np.array(list(itertools.combinations(range(p), m)), np.int32) for m in sizes]
    width = max(sizes)
    padded = np.concatenate(
        [np.pad(idx, ((0, 0), (0, width - idx.shape[1])), constant_values=-1) for idx in per_size]
    )
    return per_size, padded


@functools.partial(jax.jit, static_argnames=("sizes", "bias_correction"))
def _copula_multiplets(scores, *, sizes, bias_correction):
    """The multiplets of the normal scores (n, p) of the samples."""
    n, p = scores.shape
    centred = _centred_unit_scale(scores)
    cov = centred.T @ centred / (n - 1)
    per_size, padded = _combinations(p, sizes)
    values = {name: [] for name in _QUANTITIES}
    for idx in per_size:
        blocks = cov[idx[:, :, None], idx[:, None, :]]
        terms = jax.vmap(lambda block: _gaussian_terms(block, n, bias_correction))(blocks)
        for name in _QUANTITIES:
            values[name].append(terms[name])
    counts = np.concatenate([np.full(len(idx), idx.shape[1], np.int32) for idx in per_size])
    return MultipletInformation(
        multiplets=jnp.asarray(padded),
        sizes=jnp.asarray(counts),
        **{name: jnp.concatenate(values[name]) for name in _QUANTITIES},
    )


def _check_sizes(sizes, p: int) -> tuple[int, ...]:
    if isinstance(sizes, (int, np.integer)) and not isinstance(sizes, bool):
        sizes = (sizes,)
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise TypeError(f"`sizes` must be an int or a sequence of ints, got {sizes!r}.") from None
    if not sizes:
        raise ValueError("`sizes` is empty.")
    for size in sizes:
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
            raise TypeError(f"`sizes` must hold Python ints, got {size!r}.")
        if not 2 <= size <= p:
            raise ValueError(f"`sizes` must lie in [2, p] for p = {p} columns of `x`, got {size}.")
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"`sizes` has repeated entries: {sizes}.")
    return tuple(int(s) for s in sizes)


def gaussian_copula_o_information_multiplets(
    x: ArrayLike,
    *,
    sizes: int | tuple[int, ...] = 3,
    bias_correction: bool = True,
    base: float | None = None,
) -> MultipletInformation:
    r"""Gaussian-copula TC, DTC and O-information of every multiplet of columns of ``x``.

    For each size :math:`m` in ``sizes``, every subset of :math:`m` of the :math:`p`
    columns (HOI's "multiplets") gets :func:`gaussian_copula_total_correlation`,
    :func:`gaussian_copula_dual_total_correlation` and
    :func:`gaussian_copula_o_information`, in one compiled call: the columns are
    copula-normalised once, one :math:`p \times p` covariance is formed, and each
    multiplet's :math:`m \times m` block is gathered by index and factorised (a
    vmapped Cholesky per size; see the module docstring), so the cost after the
    covariance does not depend on ``n``. Equal, multiplet by multiplet, to the
    single-set estimators on ``x[:, multiplet]`` up to rounding.

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``n > p``.
      sizes: multiplet sizes, each in ``[2, p]`` (static); an int is one size.
        :math:`\binom{p}{m}` multiplets per size: 15,504 for 5 of 20 columns.
      bias_correction: subtract the analytic Gaussian small-sample bias (static).
      base: logarithm base; ``None`` gives nats, ``2`` bits (HOI's unit).

    Returns:
      :class:`MultipletInformation`: the multiplets, their sizes, and the three
      quantities per multiplet in the dtype of ``x``, in nats unless ``base`` is
      given.

    The whole covariance must be full-rank (checked on concrete input as for
    :func:`gaussian_copula_o_information`, ``ValueError`` naming ``x``).

    Example:
      >>> x = jax.random.normal(jax.random.key(0), (1000, 6))
      >>> result = gaussian_copula_o_information_multiplets(x, sizes=(3, 4))
      >>> result.o_information.shape  # 20 triplets and 15 quadruplets
      (35,)

    References:
      Rosas, Mediano, Gastpar & Jensen, Phys. Rev. E 100, 032305 (2019),
      https://doi.org/10.1103/PhysRevE.100.032305; Neri et al., "HOI: a Python toolbox
      for high-performance estimation of higher-order interactions from multivariate
      data", JOSS 9 (2024), https://doi.org/10.21105/joss.07360.
    """
    check_base(base)
    scores = _gaussian_samples(x, copula=True)
    sizes = _check_sizes(sizes, scores.shape[1])
    result = _copula_multiplets(scores, sizes=sizes, bias_correction=bool(bias_correction))
    return result._replace(**{name: to_base(getattr(result, name), base) for name in _QUANTITIES})


# --- k-nearest neighbours ------------------------------------------------------------------


def _subsets(p: int, quantity: str) -> tuple[tuple[int, ...], ...]:
    """The column subsets whose multi-information ``quantity`` needs: all, then each
    leave-one-out subset (for DTC and O-information)."""
    everything = tuple(range(p))
    if quantity == "total_correlation":
        return (everything,)
    return (everything, *(tuple(c for c in everything if c != j) for j in everything))


def _multi_information_counts(x, k: int, subsets, block_size: int):
    """Per row and subset S: the marginal counts ``#{j != i : |x_ic - x_jc| < eps_S(i)}``
    for each column c of S, with eps_S(i) the max-norm distance from row i to its k-th
    nearest other row in the columns of S. A flat tuple, subset by subset."""
    n, p = x.shape
    columns = [x[:, c : c + 1] for c in range(p)]
    infinity = jnp.asarray(jnp.inf, x.dtype)

    def block(rows):
        itself = self_mask(rows, n)
        distances = [
            jnp.where(itself, infinity, chebyshev_distances(take_rows(column, rows), column))
            for column in columns
        ]
        counts = []
        for subset in subsets:
            joint = functools.reduce(jnp.maximum, [distances[c] for c in subset])
            points = x[:, list(subset)]

            def distances_at(cols, points=points):
                # Maxima are exact, so these equal the block's entries bit for bit.
                at = chebyshev_distances_at(take_rows(points, rows), points, cols)
                return jnp.where(cols == rows[:, None], infinity, at)

            eps = kth_smallest(joint, k, distances_at)[:, None]
            counts.extend(jnp.sum(distances[c] < eps, axis=1, dtype=jnp.int32) for c in subset)
        return tuple(counts)

    return map_row_blocks(block, n, block_size)


@functools.partial(jax.jit, static_argnames=("quantity", "k", "block_size"))
def _ksg_higher_order(x, *, quantity, k, block_size):
    n, p = x.shape
    dtype = x.dtype
    subsets = _subsets(p, quantity)
    counts = iter(_multi_information_counts(x, k, subsets, block_size))
    psi_k = digamma(jnp.asarray(k, dtype))
    psi_n = digamma(jnp.asarray(n, dtype))
    multi_information = []
    for subset in subsets:
        marginal = sum(digamma(next(counts).astype(dtype) + 1) for _ in subset)
        multi_information.append(psi_k + (len(subset) - 1) * psi_n - jnp.mean(marginal))
    total = multi_information[0]
    if quantity == "total_correlation":
        return total
    omega = (2 - p) * total + sum(multi_information[1:])
    return omega if quantity == "o_information" else total - omega


def _ksg_estimate(x, quantity, *, k, jitter, key, base, block_size):
    (x,) = _prepare([(x, "x")], k, base, continuous=True, jitter=jitter, key=key)
    if x.shape[1] < 2:
        raise ValueError(
            f"`x` must have at least 2 columns (one per variable), got shape {x.shape}."
        )
    block_size = check_block_size(block_size, x.shape[0])
    value = _ksg_higher_order(x, quantity=quantity, k=k, block_size=block_size)
    return to_base(_nan_where_invalid(value, [x], k, jitter), base)


def ksg_total_correlation(
    x: ArrayLike,
    *,
    k: int = 3,
    jitter: float | None = None,
    key: ArrayLike | None = None,
    base: float | None = None,
    block_size: int | None = None,
) -> jax.Array:
    r"""KSG k-nearest-neighbour estimate of the total correlation (multi-information).

    With :math:`\epsilon_i` the max-norm distance from row :math:`i` to its k-th
    nearest other row of ``x`` and :math:`n_c(i)` the number of other rows within
    :math:`|x_{ic} - x_{jc}| < \epsilon_i` in column :math:`c` (Kraskov et al. 2004,
    algorithm 1 for m variables),

    .. math::
        \widehat{TC} = \psi(k) + (p - 1)\, \psi(n)
            - \Big\langle \sum_{c=1}^p \psi(n_c + 1) \Big\rangle.

    For two columns this is :func:`infojax.estimators.ksg_mutual_information`.
    Ties, integer samples and constant columns are checked as there (``TypeError`` /
    ``ValueError`` naming ``x`` on concrete input; under a caller's ``jit`` or ``vmap``
    the estimate is NaN wherever a concrete call would raise). The counts are
    piecewise constant: the gradient with respect to ``x`` is zero.

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``p >= 2``
        (integers only with ``jitter``).
      k: neighbour order, 1 <= k < n (static).
      jitter: None (default) or the relative size of Gaussian noise added to each
        column first, the remedy for ties and integer data (as for
        :func:`infojax.estimators.ksg_mutual_information`).
      key: PRNG key of the jitter noise; required with ``jitter``.
      base: logarithm base; ``None`` gives nats, ``2`` bits.
      block_size: rows per block (static); see :mod:`infojax.estimators._neighbours`.

    Returns:
      Scalar estimate in the dtype of ``x``, in nats unless ``base`` is given.

    Example:
      >>> z = jax.random.normal(jax.random.key(0), (500, 1))
      >>> noise = jax.random.normal(jax.random.key(1), (500, 3))
      >>> tc = ksg_total_correlation(z + noise)  # Gaussian value log(4) / 2 = 0.69

    References:
      Kraskov, Stogbauer & Grassberger, "Estimating mutual information", Phys. Rev. E
      69, 066138 (2004), https://doi.org/10.1103/PhysRevE.69.066138.
    """
    return _ksg_estimate(
        x, "total_correlation", k=k, jitter=jitter, key=key, base=base, block_size=block_size
    )


def ksg_dual_total_correlation(
    x: ArrayLike,
    *,
    k: int = 3,
    jitter: float | None = None,
    key: ArrayLike | None = None,
    base: float | None = None,
    block_size: int | None = None,
) -> jax.Array:
    r"""KSG k-nearest-neighbour estimate of the dual total correlation.

    .. math::
        \widehat{DTC} = \widehat{TC}(X) - \hat\Omega(X)
            = (p - 1)\, \widehat{TC}(X) - \sum_{j=1}^p \widehat{TC}(X_{-j}),

    from :func:`ksg_total_correlation` of all columns and of each leave-one-out
    subset (a separate k-NN search in each of the :math:`p + 1` spaces). Validation
    and gradients as for :func:`ksg_total_correlation`.

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``p >= 2``
        (integers only with ``jitter``).
      k: neighbour order, 1 <= k < n (static).
      jitter: None (default) or the relative size of Gaussian noise added to each
        column first, the remedy for ties and integer data (as for
        :func:`infojax.estimators.ksg_mutual_information`).
      key: PRNG key of the jitter noise; required with ``jitter``.
      base: logarithm base; ``None`` gives nats, ``2`` bits.
      block_size: rows per block (static); see :mod:`infojax.estimators._neighbours`.

    Returns:
      Scalar estimate in the dtype of ``x``, in nats unless ``base`` is given.

    References:
      Kraskov, Stogbauer & Grassberger, Phys. Rev. E 69, 066138 (2004),
      https://doi.org/10.1103/PhysRevE.69.066138; Rosas, Mediano, Gastpar & Jensen,
      Phys. Rev. E 100, 032305 (2019), https://doi.org/10.1103/PhysRevE.100.032305.
    """
    return _ksg_estimate(
        x, "dual_total_correlation", k=k, jitter=jitter, key=key, base=base, block_size=block_size
    )


def ksg_o_information(
    x: ArrayLike,
    *,
    k: int = 3,
    jitter: float | None = None,
    key: ArrayLike | None = None,
    base: float | None = None,
    block_size: int | None = None,
) -> jax.Array:
    r"""KSG k-nearest-neighbour estimate of the O-information (Rosas et al. 2019).

    .. math::
        \hat\Omega = (2 - p)\, \widehat{TC}(X) + \sum_{j=1}^p \widehat{TC}(X_{-j}),

    from :func:`ksg_total_correlation` of all columns and of each leave-one-out
    subset (Rosas et al. 2019, eq. 8). Positive: redundancy-dominated; negative:
    synergy-dominated. Validation and gradients as for :func:`ksg_total_correlation`.

    Args:
      x: float samples, shape ``(n, p)``, one column per variable; ``p >= 2``
        (integers only with ``jitter``).
      k: neighbour order, 1 <= k < n (static).
      jitter: None (default) or the relative size of Gaussian noise added to each
        column first, the remedy for ties and integer data (as for
        :func:`infojax.estimators.ksg_mutual_information`).
      key: PRNG key of the jitter noise; required with ``jitter``.
      base: logarithm base; ``None`` gives nats, ``2`` bits.
      block_size: rows per block (static); see :mod:`infojax.estimators._neighbours`.

    Returns:
      Scalar estimate in the dtype of ``x``, in nats unless ``base`` is given.

    Example:
      >>> z = jax.random.normal(jax.random.key(0), (500, 1))
      >>> noise = jax.random.normal(jax.random.key(1), (500, 3))
      >>> omega = ksg_o_information(z + noise)  # a shared source: redundancy, > 0

    References:
      Rosas, Mediano, Gastpar & Jensen, Phys. Rev. E 100, 032305 (2019),
      https://doi.org/10.1103/PhysRevE.100.032305; Kraskov, Stogbauer & Grassberger,
      Phys. Rev. E 69, 066138 (2004), https://doi.org/10.1103/PhysRevE.69.066138.
    """
    return _ksg_estimate(
        x, "o_information", k=k, jitter=jitter, key=key, base=base, block_size=block_size
    )


_GAUSSIAN_DEFAULTS = {"bias_correction": False, "base": None}
_COPULA_DEFAULTS = {"bias_correction": True, "base": None}
_KSG_DEFAULTS = {"k": 3, "jitter": None, "key": None, "base": None, "block_size": None}
_NAMES = {
    "total_correlation": "TC",
    "dual_total_correlation": "DTC",
    "o_information": "O-information",
}

for _quantity, _gaussian, _copula, _ksg in (
    (
        "total_correlation",
        gaussian_total_correlation,
        gaussian_copula_total_correlation,
        ksg_total_correlation,
    ),
    (
        "dual_total_correlation",
        gaussian_dual_total_correlation,
        gaussian_copula_dual_total_correlation,
        ksg_dual_total_correlation,
    ),
    ("o_information", gaussian_o_information, gaussian_copula_o_information, ksg_o_information),
):
    register_estimator(
        f"gaussian_{_quantity}",
        _gaussian,
        quantity=_quantity,
        defaults=_GAUSSIAN_DEFAULTS,
        gradient="smooth",
        description=f"{_NAMES[_quantity]} of a Gaussian fitted to the samples (log-determinants)",
    )
    register_estimator(
        f"gaussian_copula_{_quantity}",
        _copula,
        quantity=_quantity,
        defaults=_COPULA_DEFAULTS,
        gradient="zero",
        description=f"Gaussian-copula {_NAMES[_quantity]} with analytic bias correction",
    )
    register_estimator(
        f"ksg_{_quantity}",
        _ksg,
        quantity=_quantity,
        defaults=_KSG_DEFAULTS,
        gradient="zero",
        description=f"KSG k-NN {_NAMES[_quantity]} from multi-informations (max-norm)",
    )
