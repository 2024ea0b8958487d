"""Entropy and mutual information of discrete (integer) samples.

A sample set is an integer array of shape ``(n,)`` or ``(n, d)``; a row of ``d``
integer columns is one symbol. Symbols are counted by a lexicographic sort of the
rows and run-length counting of equal neighbours, so the count vector always has the
static length ``n`` (zeros pad the unused slots) and everything works under ``jax.jit``
and ``jax.vmap`` without knowing the alphabet in advance.

Every entropy estimator here is a function of the count vector; mutual information
and conditional mutual information are sums of such entropies of joint symbols, each
estimated with the same method.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy.special import betaln
from jax.scipy.special import digamma
from jax.scipy.special import polygamma
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._numerics import xlogx
from infojax._registry import register_estimator
from infojax._validation import as_samples
from infojax._validation import check_base
from infojax._validation import check_same_length
from infojax._validation import is_concrete

METHODS = ("plugin", "miller_madow", "grassberger", "chao_shen", "james_stein", "nsb")

# Integration grid of the NSB estimator over log(beta): a coarse pass over the whole
# range locates the posterior peak, a fine pass integrates around it.
_NSB_LOG_BETA_RANGE = (-30.0, 20.0)
_NSB_COARSE_POINTS = 401
_NSB_FINE_POINTS = 801
_NSB_LOG_WEIGHT_DROP = 40.0


# --------------------------------------------------------------------------- counting


def _as_sort_key(column: jax.Array) -> jax.Array:
    return column.astype(jnp.int32) if column.dtype == jnp.bool_ else column


def sorted_group_starts(
    columns: Sequence[jax.Array], prefix_lengths: Sequence[int]
) -> list[jax.Array]:
    """Sorts rows lexicographically and marks where a new symbol starts.

    Args:
      columns: ``d`` integer arrays of shape ``(n,)``; row ``i`` is the symbol
        ``(columns[0][i], ..., columns[d-1][i])``.
      prefix_lengths: for each entry ``p``, the symbol is the first ``p`` columns.
        Because the sort is lexicographic, one sort serves every prefix.

    Returns:
      One boolean array of shape ``(n,)`` per prefix, true at the first row of each
      run of equal symbols in sorted order.
    """
    keys = tuple(_as_sort_key(c) for c in columns)
    sorted_columns = lax.sort(keys, num_keys=len(keys)) if len(keys) > 1 else (jnp.sort(keys[0]),)
    first = jnp.ones((1,), dtype=bool)
    changes = [jnp.concatenate([first, c[1:] != c[:-1]]) for c in sorted_columns]
    starts_by_prefix = list(itertools.accumulate(changes, jnp.logical_or))
    return [starts_by_prefix[p - 1] for p in prefix_lengths]


def counts_from_group_starts(is_start: jax.Array) -> jax.Array:
    """Run lengths of sorted symbols as a length-``n`` count vector.

    The count of each distinct symbol sits at the last row of its run; the other
    entries are zero, so the vector sums to ``n`` and has a static shape.
    """
    n = is_start.shape[0]
    index = jnp.arange(n)
    run_start = lax.cummax(jnp.where(is_start, index, 0))
    is_end = jnp.concatenate([is_start[1:], jnp.ones((1,), dtype=bool)])
    return jnp.where(is_end, index - run_start + 1, 0)


# --------------------------------------------------------------- entropy from counts


def plugin_entropy_from_counts(counts: jax.Array) -> jax.Array:
    """Maximum-likelihood entropy (nats) of a count vector; zero counts are ignored."""
    n = jnp.sum(counts)
    return jnp.log(n) - jnp.sum(xlogx(counts)) / n


def _miller_madow(counts: jax.Array) -> jax.Array:
    n = jnp.sum(counts)
    observed = jnp.sum(counts > 0)
    return plugin_entropy_from_counts(counts) + (observed - 1) / (2 * n)


def _grassberger(counts: jax.Array) -> jax.Array:
    n = jnp.sum(counts)
    observed = counts > 0
    safe = jnp.where(observed, counts, 1)
    sign = 1 - 2 * jnp.mod(safe, 2)
    g = digamma(safe) + 0.5 * sign * (digamma((safe + 1) / 2) - digamma(safe / 2))
    return jnp.log(n) - jnp.sum(jnp.where(observed, counts * g, 0)) / n


def _chao_shen(counts: jax.Array) -> jax.Array:
    n = jnp.sum(counts)
    singletons = jnp.sum(counts == 1)
    # With only singletons the coverage estimate would be zero; Chao & Shen use n - 1.
    singletons = jnp.where(singletons == n, n - 1, singletons)
    coverage = 1 - singletons / n
    p = coverage * counts / n
    observed = counts > 0
    inclusion = -jnp.expm1(n * jnp.log1p(-jnp.where(observed, p, 0.5)))
    return -jnp.sum(jnp.where(observed, xlogx(p) / inclusion, 0))


def _james_stein(counts: jax.Array, n_symbols: jax.Array | float | None) -> jax.Array:
    n = jnp.sum(counts)
    observed = counts > 0
    n_observed = jnp.sum(observed)
    k = n_observed.astype(counts.dtype) if n_symbols is None else n_symbols
    target = 1 / k
    u = counts / n
    unobserved = k - n_observed
    spread = jnp.sum(jnp.where(observed, (target - u) ** 2, 0)) + unobserved * target**2
    variance = (1 - jnp.sum(u**2)) / jnp.maximum(n - 1, 1)
    intensity = jnp.where(
        (spread > 0) & (n > 1), jnp.clip(variance / jnp.where(spread > 0, spread, 1), 0, 1), 1
    )
    p_observed = intensity * target + (1 - intensity) * u
    p_unobserved = intensity * target
    return -jnp.sum(jnp.where(observed, xlogx(p_observed), 0)) - unobserved * xlogx(p_unobserved)


def _nsb_prior_density(beta: jax.Array, k: float) -> jax.Array:
    """d xi / d beta with xi(beta) = psi(K beta + 1) - psi(beta + 1), cancellation-free."""
    direct = k * polygamma(1, k * beta + 1) - polygamma(1, beta + 1)
    # Asymptotic series of the trigamma difference; the direct form cancels for large beta.
    inv = 1 / beta
    series = inv**2 * (
        (1 - 1 / k) / 2
        - inv * (1 - 1 / k**2) / 6
        + inv**3 * (1 - 1 / k**4) / 30
        - inv**5 * (1 - 1 / k**6) / 42
    )
    return jnp.where(beta > 10, series, direct)


def count_fingerprint(counts: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Distinct positive count values and how many symbols have each.

    Distinct positive values ``v_1 < ... < v_r`` of a count vector summing to ``n``
    satisfy ``r (r + 1) / 2 <= n``, so both outputs have the static length
    ``floor(sqrt(2 n)) + 1`` (padded with zero multiplicities). Sums over symbols of
    a function of the count then cost ``O(sqrt(n))`` instead of ``O(n)``.
    """
    n = counts.shape[0]
    length = min(n, math.isqrt(2 * n) + 1)
    values = jnp.sort(counts)
    is_start = jnp.concatenate([jnp.ones((1,), dtype=bool), values[1:] != values[:-1]])
    multiplicity = counts_from_group_starts(is_start).astype(counts.dtype)
    keep = (multiplicity > 0) & (values > 0)
    # Move the kept (value, multiplicity) pairs to the front, then cut to the bound.
    _, values, multiplicity = lax.sort(
        (jnp.where(keep, 0, 1), jnp.where(keep, values, 1), jnp.where(keep, multiplicity, 0)),
        num_keys=1,
    )
    return values[:length], multiplicity[:length]


def _nsb_log_weight_and_mean(log_beta, values, multiplicity, n, n_observed, k):
    """Unnormalised log posterior over log(beta) and E[H | counts, beta] on a grid."""
    beta = jnp.exp(log_beta)[:, None]
    # log Gamma(K b) / Gamma(N + K b) + sum_i log Gamma(n_i + b) / Gamma(b), up to the
    # beta-independent constants log Gamma(N) and sum_i log Gamma(n_i).
    log_likelihood = betaln(k * beta[:, 0], n) - jnp.sum(
        multiplicity * betaln(beta, values), axis=1
    )
    log_weight = jnp.log(_nsb_prior_density(beta[:, 0], k)) + log_beta + log_likelihood
    total = n + k * beta[:, 0]
    observed_terms = jnp.sum(multiplicity * (values + beta) * digamma(values + beta + 1), axis=1)
    unobserved_terms = (k - n_observed) * beta[:, 0] * digamma(beta[:, 0] + 1)
    mean_entropy = digamma(total + 1) - (observed_terms + unobserved_terms) / total
    return log_weight, mean_entropy


def _nsb(counts: jax.Array, n_symbols: jax.Array) -> jax.Array:
    # A one-symbol alphabet has zero entropy (and a zero prior density d xi / d beta).
    k = jnp.maximum(n_symbols, 2)
    statistics = (*count_fingerprint(counts), jnp.sum(counts), jnp.sum(counts > 0), k)
    low, high = _NSB_LOG_BETA_RANGE
    coarse = jnp.linspace(low, high, _NSB_COARSE_POINTS, dtype=counts.dtype)
    coarse_log_weight, _ = _nsb_log_weight_and_mean(coarse, *statistics)
    step = coarse[1] - coarse[0]
    support = coarse_log_weight > jnp.max(coarse_log_weight) - _NSB_LOG_WEIGHT_DROP
    start = jnp.min(jnp.where(support, coarse, high)) - step
    stop = jnp.max(jnp.where(support, coarse, low)) + step
    fine = start + (stop - start) * jnp.linspace(0, 1, _NSB_FINE_POINTS, dtype=counts.dtype)
    log_weight, mean_entropy = _nsb_log_weight_and_mean(fine, *statistics)
    weight = jnp.exp(log_weight - jnp.max(log_weight))
    entropy = jnp.trapezoid(weight * mean_entropy, fine) / jnp.trapezoid(weight, fine)
    return jnp.where(n_symbols > 1, entropy, 0)


def entropy_from_counts(counts: jax.Array, method: str, n_symbols: jax.Array | None) -> jax.Array:
    """Entropy estimate (nats) of a float count vector by ``method``.

    ``n_symbols`` (a scalar array, or None where the method allows) is the alphabet
    size K used by ``"james_stein"`` and ``"nsb"``.
    """
    if method == "plugin":
        return plugin_entropy_from_counts(counts)
    if method == "miller_madow":
        return _miller_madow(counts)
    if method == "grassberger":
        return _grassberger(counts)
    if method == "chao_shen":
        return _chao_shen(counts)
    if method == "james_stein":
        return _james_stein(counts, n_symbols)
    return _nsb(counts, n_symbols)


# ---------------------------------------------------------------------- compiled core


def _columns(x: jax.Array) -> tuple[jax.Array, ...]:
    return tuple(x[:, j] for j in range(x.shape[1]))


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {METHODS}, got {method!r}.")


def _alphabet_sizes(n_symbols, n_variables: int, method: str) -> tuple[int | None, ...]:
    """Per-variable alphabet sizes from the ``n_symbols`` keyword (int or sequence)."""
    if n_symbols is None:
        if method == "nsb":
            raise ValueError(
                "`n_symbols` (the alphabet size K of each variable) is required by method='nsb'."
            )
        return (None,) * n_variables
    sizes = (n_symbols,) * n_variables if np.ndim(n_symbols) == 0 else tuple(n_symbols)
    if len(sizes) != n_variables:
        raise ValueError(
            f"`n_symbols` must be an int or a sequence of {n_variables} ints, got {n_symbols!r}."
        )
    for size in sizes:
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
            raise ValueError(f"`n_symbols` entries must be positive Python ints, got {size!r}.")
    return tuple(int(s) for s in sizes)


class LexSort(NamedTuple):
    """One lexicographic sort of the rows of joint symbols.

    Attributes:
      variables: the sample arguments (indices) whose columns are sorted, in order.
      prefixes: the numbers of leading variables whose joint entropies are read off
        this one sort (a lexicographic sort groups every prefix of its keys).
    """

    variables: tuple[int, ...]
    prefixes: tuple[int, ...]


# H(X) alone.
ENTROPY_SORTS = (LexSort(variables=(0,), prefixes=(1,)),)
# H(X) and H(X, Y) from one sort of (x, y), H(Y) from a sort of y.
MUTUAL_INFORMATION_SORTS = (
    LexSort(variables=(0, 1), prefixes=(1, 2)),
    LexSort(variables=(1,), prefixes=(1,)),
)
# H(Z), H(Z, X), H(Z, X, Y) from one sort of (z, x, y), H(Z, Y) from a sort of (z, y).
CONDITIONAL_MUTUAL_INFORMATION_SORTS = (
    LexSort(variables=(2, 0, 1), prefixes=(1, 2, 3)),
    LexSort(variables=(2, 1), prefixes=(2,)),
)


def _product(sizes: Sequence[int | None]) -> int | None:
    return None if any(s is None for s in sizes) else int(np.prod(sizes, dtype=object))


@functools.partial(jax.jit, static_argnames=("sorts", "method", "dtype"))
def _joint_entropies(
    arrays: tuple[jax.Array, ...],
    alphabet_sizes: jax.Array | None,
    *,
    sorts: tuple[LexSort, ...],
    method: str,
    dtype,
) -> tuple[jax.Array, jax.Array]:
    """Entropies of joint symbols of variable subsets, and their distinct-symbol counts.

    ``sorts`` lists the lexicographic sorts (:class:`LexSort`) and the prefixes whose
    entropies are wanted. ``alphabet_sizes`` holds K for
    each of those entropies (traced, so a new K does not recompile). The entropies are
    computed by one vmapped call, so the estimator's graph is built once.
    """
    counts, observed = [], []
    for sort in sorts:
        columns = sum((_columns(arrays[v]) for v in sort.variables), ())
        widths = np.cumsum([arrays[v].shape[1] for v in sort.variables])
        prefixes = [int(widths[p - 1]) for p in sort.prefixes]
        for is_start in sorted_group_starts(columns, prefixes):
            counts.append(counts_from_group_starts(is_start))
            observed.append(jnp.sum(is_start))
    counts = jnp.stack(counts).astype(dtype)
    if alphabet_sizes is None:
        entropies = jax.vmap(lambda c: entropy_from_counts(c, method, None))(counts)
    else:
        entropies = jax.vmap(lambda c, k: entropy_from_counts(c, method, k))(counts, alphabet_sizes)
    return entropies, jnp.stack(observed)


def _estimate(
    samples: Sequence[tuple[jax.Array, str]],
    sorts: tuple[LexSort, ...],
    sizes: tuple[int | None, ...],
    method: str,
) -> jax.Array:
    """Validated call of :func:`_joint_entropies`.

    Whenever ``n_symbols`` is given (whatever the method), concrete inputs are checked
    against it: more distinct symbols than K, in any variable or joint, is an error.
    Under a caller's ``jit`` or ``vmap`` the same comparison runs in the graph and
    every entropy is NaN where a concrete call would raise.
    """
    dtype = jnp.dtype(jnp.result_type(float))
    subsets = [sort.variables[:p] for sort in sorts for p in sort.prefixes]
    subset_sizes = [_product([sizes[v] for v in subset]) for subset in subsets]
    uses_sizes = method in ("james_stein", "nsb") and sizes[0] is not None
    entropies, observed = _joint_entropies(
        tuple(a for a, _ in samples),
        jnp.asarray(subset_sizes, dtype=dtype) if uses_sizes else None,
        sorts=sorts,
        method=method,
        dtype=dtype,
    )
    if sizes[0] is not None and not is_concrete(observed):
        # More than n distinct symbols cannot occur: sizes above n compare alike.
        limits = np.asarray([min(k, samples[0][0].shape[0]) for k in subset_sizes])
        invalid = jnp.any(observed > jnp.asarray(limits, observed.dtype))
        return jnp.where(invalid, jnp.asarray(jnp.nan, entropies.dtype), entropies)
    if sizes[0] is not None:
        # Single variables first, so the error names the variable that breaks K.
        checks = sorted(
            zip(subsets, subset_sizes, np.asarray(observed), strict=True), key=lambda c: len(c[0])
        )
        for subset, k, m in checks:
            if m > k:
                names = ", ".join(f"`{samples[v][1]}`" for v in subset)
                raise ValueError(
                    f"`n_symbols` gives an alphabet of {k} symbols for {names}, but "
                    f"{m} distinct symbols were observed: `n_symbols` must be at least the "
                    "number of symbols in the data."
                )
    return entropies


# ----------------------------------------------------------------------- public API


def discrete_entropy(
    samples: ArrayLike,
    *,
    method: str = "plugin",
    n_symbols: int | None = None,
    base: float | None = None,
) -> jax.Array:
    r"""Entropy of discrete samples, with a choice of bias correction.

    With counts :math:`n_i` of the :math:`m` observed symbols in :math:`N` samples and
    :math:`\hat p_i = n_i / N`:

    .. math::

        \hat H_{\mathrm{ML}} &= -\sum_i \hat p_i \log \hat p_i, \qquad
        \hat H_{\mathrm{MM}} = \hat H_{\mathrm{ML}} + \frac{m - 1}{2N}, \\
        \hat H_{\mathrm{G}} &= \log N - \frac{1}{N} \sum_i n_i G_{n_i}, \quad
        G_n = \psi(n) + \tfrac12 (-1)^n \left[\psi\!\left(\tfrac{n+1}{2}\right)
              - \psi\!\left(\tfrac{n}{2}\right)\right], \\
        \hat H_{\mathrm{CS}} &= -\sum_i \frac{C \hat p_i \log (C \hat p_i)}
              {1 - (1 - C \hat p_i)^N}, \quad C = 1 - \frac{f_1}{N}, \\
        \hat H_{\mathrm{JS}} &= -\sum_{k=1}^{K} p^{\lambda}_k \log p^{\lambda}_k, \quad
        p^{\lambda}_k = \frac{\lambda}{K} + (1 - \lambda) \hat p_k, \quad
        \lambda = \frac{1 - \sum_k \hat p_k^2}{(N - 1) \sum_k (1/K - \hat p_k)^2},

    where :math:`f_1` is the number of singletons (taken as :math:`N - 1` when every
    symbol is a singleton) and :math:`\lambda` is clipped to :math:`[0, 1]`. NSB is the
    posterior mean of the entropy under a mixture of symmetric Dirichlet priors
    :math:`\mathrm{Dir}(\beta)` over :math:`K` symbols, weighted so that the prior on
    the entropy is flat, :math:`p(\beta) \propto d\xi/d\beta` with
    :math:`\xi(\beta) = \psi(K\beta + 1) - \psi(\beta + 1)`:

    .. math::

        \hat H_{\mathrm{NSB}} = \frac{\int d\beta\, \frac{d\xi}{d\beta}\,
            p(n \mid \beta)\, E[H \mid n, \beta]}{\int d\beta\, \frac{d\xi}{d\beta}\,
            p(n \mid \beta)}, \qquad
        E[H \mid n, \beta] = \psi(N + K\beta + 1) - \sum_{k=1}^{K}
            \frac{n_k + \beta}{N + K\beta} \psi(n_k + \beta + 1).

    The integral runs over :math:`\log\beta \in [-30, 20]` on a fixed grid: 401
    points to find the posterior peak, then 801 points (trapezoid rule) over the
    region where the log posterior is within 40 of its maximum.

    Symbols are counted by a lexicographic sort of the rows (no alphabet needed, works
    under ``jit``/``vmap`` for a fixed ``n``). A constant column does not change the
    symbols. A constant sample set gives zero with plug-in, Miller-Madow, Chao-Shen
    and James-Stein; Grassberger gives :math:`\log N - G_N` (-0.0017 nats at
    :math:`N = 10`) and NSB a positive value, its prior's weight on the other
    :math:`K - 1` symbols. Value checks (the dtype, the alphabet
    size) run on concrete inputs; under a caller's ``jit`` or ``vmap`` the alphabet
    check runs inside the graph and the result is NaN where it would raise.

    Args:
      samples: integer (or boolean) array of shape ``(n,)`` or ``(n, d)``; each row is
        one symbol. Floats raise ``TypeError``.
      method: one of ``"plugin"`` (maximum likelihood), ``"miller_madow"``,
        ``"grassberger"``, ``"chao_shen"``, ``"james_stein"``, ``"nsb"``; static.
      n_symbols: the alphabet size :math:`K` (a Python int). Required by
        ``"nsb"``; for ``"james_stein"`` it sets the uniform shrinkage target (default:
        the number of distinct observed symbols); the other methods only check it:
        with any method, more distinct symbols in ``samples`` than ``n_symbols`` is
        a ``ValueError`` (on concrete inputs).
      base: logarithm base of the result; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar entropy estimate in the default float dtype (float64 when x64 is
      enabled), in nats unless ``base`` is given.

    Example:
      >>> x = jnp.array([0, 0, 1, 1, 1, 2])
      >>> h = discrete_entropy(x, method="miller_madow", base=2)  # 1.459 + 0.240 bits

    References:
      Miller (1955); Grassberger, "Entropy estimates from insufficient samplings"
      (2003), https://arxiv.org/abs/physics/0307138; Chao & Shen, "Nonparametric
      estimation of Shannon's index of diversity when there are unseen species in
      sample", Environ. Ecol. Stat. 10 (2003); Hausser & Strimmer, "Entropy inference
      and the James-Stein estimator", JMLR 10 (2009),
      https://jmlr.org/papers/v10/hausser09a.html; Nemenman, Shafee & Bialek,
      "Entropy and inference, revisited", NIPS (2002),
      https://arxiv.org/abs/physics/0108025.
    """
    _check_method(method)
    check_base(base)
    x = as_samples(samples, "samples", floating=False)
    sizes = _alphabet_sizes(n_symbols, 1, method)
    (entropy,) = _estimate([(x, "samples")], ENTROPY_SORTS, sizes, method)
    return to_base(entropy, base)


def discrete_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    *,
    method: str = "plugin",
    n_symbols: int | Sequence[int] | None = None,
    base: float | None = None,
) -> jax.Array:
    r"""Mutual information of paired discrete samples, from entropies of joint symbols.

    .. math::

        \hat I(X; Y) = \hat H(X) + \hat H(Y) - \hat H(X, Y),

    each entropy estimated by the same ``method`` (see :func:`discrete_entropy` for the
    formulas). The bias corrections do not cancel, so the estimate can be negative for
    independent variables; the plug-in estimate is non-negative and biased upwards by
    about :math:`(m_{XY} - m_X - m_Y + 1) / (2N)`.

    Args:
      x: integer array of shape ``(n,)`` or ``(n, d_x)``; each row is one symbol.
      y: integer array of shape ``(n,)`` or ``(n, d_y)``.
      method: one of ``"plugin"`` (maximum likelihood), ``"miller_madow"``,
        ``"grassberger"``, ``"chao_shen"``, ``"james_stein"``, ``"nsb"``; static.
      n_symbols: alphabet sizes, an int (both variables) or ``(K_x, K_y)``; the joint
        alphabet is ``K_x * K_y``. Required by ``"nsb"``, used by ``"james_stein"``;
        with any method, more distinct symbols than K in a variable is a
        ``ValueError`` (on concrete inputs; NaN under ``jit`` or ``vmap``).
      base: logarithm base; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar estimate in the default float dtype, in nats unless ``base`` is given.

    References:
      See :func:`discrete_entropy`.
    """
    _check_method(method)
    check_base(base)
    x = as_samples(x, "x", floating=False)
    y = as_samples(y, "y", floating=False)
    check_same_length((x, "x"), (y, "y"))
    sizes = _alphabet_sizes(n_symbols, 2, method)
    h_x, h_xy, h_y = _estimate([(x, "x"), (y, "y")], MUTUAL_INFORMATION_SORTS, sizes, method)
    return to_base(h_x + h_y - h_xy, base)


def discrete_conditional_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    z: ArrayLike,
    *,
    method: str = "plugin",
    n_symbols: int | Sequence[int] | None = None,
    base: float | None = None,
) -> jax.Array:
    r"""Conditional mutual information of paired discrete samples.

    .. math::

        \hat I(X; Y \mid Z) = \hat H(X, Z) + \hat H(Y, Z) - \hat H(X, Y, Z) - \hat H(Z),

    each entropy estimated by the same ``method`` (see :func:`discrete_entropy`).

    Args:
      x: integer array of shape ``(n,)`` or ``(n, d_x)``; each row is one symbol.
      y: integer array of shape ``(n,)`` or ``(n, d_y)``.
      z: integer array of shape ``(n,)`` or ``(n, d_z)``, the conditioning variable.
      method: one of ``"plugin"`` (maximum likelihood), ``"miller_madow"``,
        ``"grassberger"``, ``"chao_shen"``, ``"james_stein"``, ``"nsb"``; static.
      n_symbols: alphabet sizes, an int (all three variables) or ``(K_x, K_y, K_z)``.
        Required by ``"nsb"``, used by ``"james_stein"``; with any method, more
        distinct symbols than K in a variable is a ``ValueError`` (on concrete inputs;
        NaN under ``jit`` or ``vmap``).
      base: logarithm base; ``None`` gives nats, ``2`` bits.

    Returns:
      Scalar estimate in the default float dtype, in nats unless ``base`` is given.

    References:
      See :func:`discrete_entropy`.
    """
    _check_method(method)
    check_base(base)
    x = as_samples(x, "x", floating=False)
    y = as_samples(y, "y", floating=False)
    z = as_samples(z, "z", floating=False)
    check_same_length((x, "x"), (y, "y"), (z, "z"))
    sizes = _alphabet_sizes(n_symbols, 3, method)
    samples = [(x, "x"), (y, "y"), (z, "z")]
    h_z, h_zx, h_zxy, h_zy = _estimate(
        samples, CONDITIONAL_MUTUAL_INFORMATION_SORTS, sizes, method
    )
    return to_base(h_zx + h_zy - h_zxy - h_z, base)


_DESCRIPTIONS = {
    "plugin": "maximum-likelihood (plug-in)",
    "miller_madow": "Miller-Madow bias-corrected",
    "grassberger": "Grassberger (2003)",
    "chao_shen": "Chao-Shen coverage-adjusted (2003)",
    "james_stein": "James-Stein shrinkage (Hausser & Strimmer 2009)",
    "nsb": "NSB Bayesian (Nemenman, Shafee & Bialek 2002); set n_symbols",
}
# Each method's source (the docstrings of the three functions cover all methods).
_REFERENCES = {
    "plugin": "Paninski 2003",
    "miller_madow": "Miller 1955",
    "grassberger": "Grassberger 2003",
    "chao_shen": "Chao & Shen 2003",
    "james_stein": "Hausser & Strimmer 2009",
    "nsb": "Nemenman, Shafee & Bialek 2002",
}

for _method, _description in _DESCRIPTIONS.items():
    _defaults = {"method": _method, "base": None}
    if _method in ("james_stein", "nsb"):
        _defaults["n_symbols"] = None
    register_estimator(
        _method,
        discrete_mutual_information,
        quantity="mutual_information",
        inputs="discrete",
        defaults=_defaults,
        description=f"{_description} mutual information of integer samples",
        reference=_REFERENCES[_method],
    )
    register_estimator(
        f"{_method}_entropy",
        discrete_entropy,
        quantity="entropy",
        inputs="discrete",
        defaults=_defaults,
        description=f"{_description} entropy of integer samples",
        reference=_REFERENCES[_method],
    )
    register_estimator(
        f"{_method}_cmi",
        discrete_conditional_mutual_information,
        quantity="conditional_mutual_information",
        inputs="discrete",
        defaults=_defaults,
        description=f"{_description} conditional mutual information of integer samples",
        reference=_REFERENCES[_method],
    )

del _method, _description, _defaults
