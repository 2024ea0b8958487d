"""Permutation tests, bootstrap intervals and shuffle-bias correction for any estimator.

An estimator here is any function ``estimator(x, y) -> scalar`` that ``jax.vmap`` can
trace, e.g. ``infojax.get_estimator("ksg").bind()``. The resampled estimates are
computed with one ``jax.vmap`` over the draws, or with ``jax.lax.map`` in chunks of
``batch_size`` draws when a single vmap would hold too much memory at once (a
nearest-neighbour estimator on n samples holds about ``n * block`` distances per draw).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from infojax._validation import check_key
from infojax._validation import check_positive_int
from infojax._validation import check_same_length
from infojax._validation import is_concrete

Estimator = Callable[[jax.Array, jax.Array], jax.Array]


class PermutationTestResult(NamedTuple):
    """Result of :func:`permutation_test`.

    Attributes:
      estimate: the estimator on the observed pairs, shape ``()``.
      null_samples: the estimator on ``n_permutations`` shuffled pairings, shape
        ``(n_permutations,)``.
      p_value: ``(b + 1) / (m + 1)``, shape ``()``.
    """

    estimate: jax.Array
    null_samples: jax.Array
    p_value: jax.Array


class BootstrapResult(NamedTuple):
    """Result of :func:`bootstrap_ci`.

    Attributes:
      estimate: the estimator on the observed sample, shape ``()``.
      low: lower end of the percentile interval, shape ``()``.
      high: upper end of the percentile interval, shape ``()``.
      standard_error: standard deviation of the bootstrap replicates, shape ``()``.
      replicates: the estimator on each resample, shape ``(n_resamples,)``.
    """

    estimate: jax.Array
    low: jax.Array
    high: jax.Array
    standard_error: jax.Array
    replicates: jax.Array


def _check_inputs(
    estimator: Estimator, x: ArrayLike, y: ArrayLike, batch_size: int | None
) -> tuple[jax.Array, jax.Array]:
    if not callable(estimator):
        raise TypeError(f"`estimator` must be callable, got {type(estimator).__name__}.")
    x = jnp.asarray(x)
    y = jnp.asarray(y)
    for array, name in ((x, "x"), (y, "y")):
        if array.ndim not in (1, 2):
            raise ValueError(f"`{name}` must have shape (n,) or (n, d), got {array.shape}.")
    check_same_length((x, "x"), (y, "y"))
    if x.shape[0] < 2:
        raise ValueError(f"`x` and `y` need at least 2 samples to resample, got {x.shape[0]}.")
    if batch_size is not None:
        check_positive_int(batch_size, "batch_size")
    estimate_shape = jax.eval_shape(estimator, x, y)
    if not hasattr(estimate_shape, "shape") or estimate_shape.shape != ():
        raise ValueError(
            "`estimator` must return a scalar array, got "
            f"{getattr(estimate_shape, 'shape', type(estimate_shape).__name__)}."
        )
    if not jnp.issubdtype(estimate_shape.dtype, jnp.floating):
        raise TypeError(f"`estimator` must return a float, got dtype {estimate_shape.dtype}.")
    return x, y


def _estimate(estimator: Estimator, x: jax.Array, y: jax.Array) -> jax.Array:
    """The estimator on the observed sample, called directly so its checks run."""
    return jnp.asarray(estimator(x, y))


def _map_draws(draw: Callable, keys: jax.Array, batch_size: int | None) -> jax.Array:
    if batch_size is None or batch_size >= keys.shape[0]:
        return jax.vmap(draw)(keys)
    return jax.lax.map(draw, keys, batch_size=batch_size)


def _null_distribution(estimator, x, y, key, n_permutations, batch_size):
    n = y.shape[0]

    def shuffled_estimate(draw_key):
        return estimator(x, y[jax.random.permutation(draw_key, n)])

    return _map_draws(shuffled_estimate, jax.random.split(key, n_permutations), batch_size)


def _permutation_core(estimator, x, y, key, estimate, n_permutations, batch_size):
    null_samples = _null_distribution(estimator, x, y, key, n_permutations, batch_size)
    exceed = jnp.sum(null_samples >= estimate)
    p_value = (exceed + 1).astype(null_samples.dtype) / (n_permutations + 1)
    return null_samples.astype(estimate.dtype), p_value.astype(estimate.dtype)


def _bootstrap_core(
    estimator,
    x,
    y,
    key,
    estimate,
    confidence,
    n_resamples,
    batch_size,
    shuffle_corrected,
    n_permutations,
):
    bootstrap_key, permutation_key = jax.random.split(key)
    n = x.shape[0]

    def resampled_estimate(draw_key):
        rows = jax.random.randint(draw_key, (n,), 0, n)
        return estimator(x[rows], y[rows])

    keys = jax.random.split(bootstrap_key, n_resamples)
    replicates = _map_draws(resampled_estimate, keys, batch_size).astype(estimate.dtype)
    if shuffle_corrected:
        null_samples = _null_distribution(
            estimator, x, y, permutation_key, n_permutations, batch_size
        )
        shift = jnp.mean(null_samples).astype(estimate.dtype)
        estimate = estimate - shift
        replicates = replicates - shift
    alpha = 1.0 - jnp.asarray(confidence, dtype=replicates.dtype)
    low, high = jnp.quantile(replicates, jnp.stack([alpha / 2, 1.0 - alpha / 2]))
    standard_error = jnp.std(replicates, ddof=1)
    return BootstrapResult(estimate, low, high, standard_error, replicates)


def _compiled(core: Callable, static_argnums: tuple[int, ...]) -> Callable:
    """``core`` jitted with the estimator (argument 0) static when it is hashable.

    A static estimator is cached by identity (``functools.partial`` and lambdas hash by
    identity), so re-using one bound estimator re-uses the compiled draws; an
    unhashable one runs uncompiled (each operation dispatched on its own).
    """
    jitted = jax.jit(core, static_argnums=(0, *static_argnums))

    @functools.wraps(core)
    def run(estimator, *args):
        try:
            hash(estimator)
        except TypeError:
            return core(estimator, *args)
        return jitted(estimator, *args)

    return run


_permutation = _compiled(_permutation_core, (5, 6))
_bootstrap = _compiled(_bootstrap_core, (6, 7, 8, 9))


def permutation_test(
    key: jax.Array,
    estimator: Estimator,
    x: ArrayLike,
    y: ArrayLike,
    *,
    n_permutations: int = 1000,
    batch_size: int | None = None,
) -> PermutationTestResult:
    r"""Permutation test of independence of ``x`` and ``y`` with any estimator.

    The rows of ``y`` are shuffled ``m = n_permutations`` times, which breaks any
    dependence while keeping both marginals; the estimator on each shuffle is a draw
    from its null distribution. With :math:`\hat I` the estimate on the observed pairs
    and :math:`\hat I_j` on the j-th shuffle, the one-sided p-value (large estimates
    count as evidence of dependence) is

    .. math::
        p = \frac{1 + \#\{j : \hat I_j \ge \hat I\}}{1 + m},

    which is never zero and is exact (valid at every level) under independence, ties
    included (Phipson & Smyth, 2010).

    Value checks of ``estimator`` run on concrete inputs only (once, on the observed
    sample); under a caller's ``jax.jit`` or ``jax.vmap`` they are skipped.

    Args:
      key: a PRNG key (jax.random.key) for the permutations.
      estimator: function ``(x, y) -> scalar`` traceable by ``jax.vmap``.
      x: samples, shape ``(n,)`` or ``(n, d_x)``.
      y: samples, shape ``(n,)`` or ``(n, d_y)``; its rows are permuted.
      n_permutations: number of shuffles ``m`` (static under ``jit``).
      batch_size: if given, the shuffles are evaluated ``batch_size`` at a time with
        ``jax.lax.map`` instead of in one ``vmap``, to bound memory (static).

    Returns:
      A :class:`PermutationTestResult` ``(estimate, null_samples, p_value)``, in the
      estimator's units and dtype.

    Example:
      >>> from infojax.estimators import gaussian_mutual_information
      >>> x = jax.random.normal(jax.random.key(1), (500, 1))
      >>> y = x + jax.random.normal(jax.random.key(2), (500, 1))
      >>> result = permutation_test(jax.random.key(0), gaussian_mutual_information, x, y)
      >>> float(result.p_value)  # no shuffle reached the estimate: 1 / (1000 + 1)
      0.000999

    References:
      Phipson & Smyth (2010), Permutation p-values should never be zero,
      https://doi.org/10.2202/1544-6115.1585
    """
    key = check_key(key)
    check_positive_int(n_permutations, "n_permutations")
    x, y = _check_inputs(estimator, x, y, batch_size)
    estimate = _estimate(estimator, x, y)
    null_samples, p_value = _permutation(estimator, x, y, key, estimate, n_permutations, batch_size)
    return PermutationTestResult(estimate, null_samples, p_value)


def shuffle_corrected_estimate(
    key: jax.Array,
    estimator: Estimator,
    x: ArrayLike,
    y: ArrayLike,
    *,
    n_permutations: int = 100,
    batch_size: int | None = None,
) -> jax.Array:
    r"""The estimate minus the mean of its permutation null (shuffle-bias correction).

    .. math::
        \hat I_{\mathrm{corrected}} = \hat I - \frac1m \sum_{j=1}^m \hat I_j,

    where :math:`\hat I_j` is the estimator on the pairs with the rows of ``y``
    shuffled. The mean of the null estimates the bias the estimator has at this
    sample size when ``x`` and ``y`` are independent (for a plug-in estimator of
    discrete MI, about :math:`(|X|-1)(|Y|-1) / 2n` nats); subtracting it removes that
    part of the bias. It is exact only at independence: with dependence the bias of
    most estimators differs from the independent one, so the correction can overshoot.

    Args:
      key: a PRNG key (jax.random.key) for the permutations.
      estimator: function ``(x, y) -> scalar`` traceable by ``jax.vmap``.
      x: samples, shape ``(n,)`` or ``(n, d_x)``.
      y: samples, shape ``(n,)`` or ``(n, d_y)``.
      n_permutations: number of shuffles ``m`` (static under ``jit``).
      batch_size: evaluate the shuffles this many at a time (static); None: all at once.

    Returns:
      The corrected estimate, shape ``()``, in the estimator's units.

    References:
      Panzeri, Senatore, Montemurro & Petersen (2007), Correcting for the sampling bias
      problem in spike train information measures,
      https://doi.org/10.1152/jn.00559.2007
    """
    result = permutation_test(
        key, estimator, x, y, n_permutations=n_permutations, batch_size=batch_size
    )
    return result.estimate - jnp.mean(result.null_samples)


def bootstrap_ci(
    key: jax.Array,
    estimator: Estimator,
    x: ArrayLike,
    y: ArrayLike,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    shuffle_corrected: bool = False,
    n_permutations: int = 100,
    batch_size: int | None = None,
) -> BootstrapResult:
    r"""Percentile bootstrap interval and standard error of any estimator.

    The n pairs ``(x_i, y_i)`` are resampled with replacement ``B = n_resamples``
    times; with :math:`\hat I^*_b` the estimator on the b-th resample and
    :math:`\alpha = 1 - \mathrm{confidence}`,

    .. math::
        [\mathrm{low}, \mathrm{high}] =
            [q_{\alpha/2}(\hat I^*), q_{1-\alpha/2}(\hat I^*)], \qquad
        \mathrm{SE} = \operatorname{sd}(\hat I^*_1, \dots, \hat I^*_B),

    with quantiles interpolated linearly (``numpy.quantile``'s default) and the
    standard deviation with ``B - 1`` in the denominator.

    The percentile interval inherits the estimator's bias: it covers the truth at
    about the nominal rate only where the bias is small against the standard error.
    Resampling with replacement duplicates rows, which puts exact ties (zero
    distances) into the sample; nearest-neighbour estimators (KSG, Kozachenko-
    Leonenko) are biased by such ties, so their bootstrap replicates are shifted, and
    the interval is then a rough guide to the spread, not a calibrated interval.

    With ``shuffle_corrected`` the estimate, the interval and the replicates are all
    shifted by the mean of a permutation null of ``n_permutations`` shuffles of the
    observed sample (see :func:`shuffle_corrected_estimate`); the shift is treated as
    a constant, so the standard error is unchanged.

    Args:
      key: a PRNG key (jax.random.key) for the resamples (and the shuffles).
      estimator: function ``(x, y) -> scalar`` traceable by ``jax.vmap``.
      x: samples, shape ``(n,)`` or ``(n, d_x)``.
      y: samples, shape ``(n,)`` or ``(n, d_y)``; rows are resampled jointly with ``x``.
      n_resamples: number of bootstrap resamples ``B`` (static under ``jit``).
      confidence: coverage of the interval, in (0, 1).
      shuffle_corrected: subtract the mean of the permutation null.
      n_permutations: shuffles for the correction (static; used only with
        ``shuffle_corrected``).
      batch_size: evaluate the resamples this many at a time (static); None: all at once.

    Returns:
      A :class:`BootstrapResult` ``(estimate, low, high, standard_error, replicates)``
      in the estimator's units and dtype.

    References:
      Efron & Tibshirani (1993), An Introduction to the Bootstrap, chapters 6 and 13,
      https://doi.org/10.1201/9780429246593
    """
    key = check_key(key)
    check_positive_int(n_resamples, "n_resamples")
    if n_resamples < 2:
        raise ValueError(f"`n_resamples` must be >= 2 for a standard error, got {n_resamples}.")
    check_positive_int(n_permutations, "n_permutations")
    if is_concrete(confidence) and not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"`confidence` must lie strictly between 0 and 1, got {confidence}.")
    x, y = _check_inputs(estimator, x, y, batch_size)
    estimate = _estimate(estimator, x, y)
    return _bootstrap(
        estimator,
        x,
        y,
        key,
        estimate,
        confidence,
        n_resamples,
        batch_size,
        bool(shuffle_corrected),
        n_permutations,
    )
