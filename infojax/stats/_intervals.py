r"""Intervals of the mean over seeds, for curves measured on many independently trained
networks: a Student-t interval, or a percentile bootstrap over the seeds."""

from __future__ import annotations

import functools
import numbers
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from infojax._validation import as_float_array
from infojax._validation import check_key
from infojax._validation import check_positive_int
from infojax._validation import is_concrete

_METHODS = ("t", "bootstrap")
# Resamples whose (points, seeds) gathers are held at once in the bootstrap.
_RESAMPLE_BATCH = 64


class SeedInterval(NamedTuple):
    """Result of :func:`seed_interval`; every field has the shape of ``values`` without
    the seed axis.

    Attributes:
      mean: mean over the seeds that are not NaN.
      low: lower end of the interval of the mean; NaN where fewer than 2 seeds count.
      high: upper end; NaN where fewer than 2 seeds count.
      count: number of seeds that are not NaN (``int32``).
    """

    mean: jax.Array
    low: jax.Array
    high: jax.Array
    count: jax.Array


def _t_quantiles(n: int, confidence: float, dtype) -> jax.Array:
    """``q[c]``: the two-sided ``confidence`` quantile of Student's t with ``c - 1`` degrees of
    freedom, for ``c = 0 .. n`` seeds (NaN for ``c < 2``)."""
    from scipy.special import stdtrit  # scipy.special only, and only when used

    degrees = np.arange(1, max(n, 1), dtype=np.float64)
    quantiles = stdtrit(degrees, 0.5 + confidence / 2) if n > 1 else np.zeros(0)
    return jnp.asarray(np.concatenate([[np.nan, np.nan], quantiles]), dtype)


def _nan_mean(values: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    valid = ~jnp.isnan(values)
    count = jnp.sum(valid, axis=-1)
    total = jnp.sum(jnp.where(valid, values, 0), axis=-1)
    return total / count.astype(values.dtype), count, valid


@functools.partial(jax.jit, static_argnames="confidence")
def _t_interval(values: jax.Array, *, confidence: float) -> SeedInterval:
    mean, count, valid = _nan_mean(values)
    deviations = jnp.where(valid, values - mean[..., None], 0)
    counts = count.astype(values.dtype)
    variance = jnp.sum(jnp.square(deviations), axis=-1) / (counts - 1)
    half_width = _t_quantiles(values.shape[-1], confidence, values.dtype)[count] * jnp.sqrt(
        variance / counts
    )
    return SeedInterval(mean, mean - half_width, mean + half_width, count.astype(jnp.int32))


@functools.partial(jax.jit, static_argnames=("confidence", "n_resamples"))
def _bootstrap_interval(key, values, *, confidence, n_resamples) -> SeedInterval:
    mean, count, valid = _nan_mean(values)
    n = values.shape[-1]
    # The seeds that count first, in order, so a draw of position j < count picks one.
    order = jnp.argsort(~valid, axis=-1, stable=True)
    ordered = jnp.take_along_axis(values, order, axis=-1)
    counts = count.astype(values.dtype)[..., None]

    def resampled_mean(draw_key):
        # One uniform per draw, shared by every point: without NaN a resample picks the
        # same seeds along the whole curve, as resampling whole networks does.
        uniforms = jax.random.uniform(draw_key, (n,), values.dtype)
        positions = jnp.minimum(jnp.floor(uniforms * counts), counts - 1)
        positions = jnp.maximum(positions, 0).astype(jnp.int32)
        drawn = jnp.take_along_axis(ordered, positions, axis=-1)
        in_resample = jnp.arange(n) < count[..., None]
        return jnp.sum(jnp.where(in_resample, drawn, 0), axis=-1) / counts[..., 0]

    keys = jax.random.split(key, n_resamples)
    replicates = jax.lax.map(resampled_mean, keys, batch_size=_RESAMPLE_BATCH)
    alpha = 1.0 - confidence
    low, high = jnp.quantile(replicates, jnp.asarray([alpha / 2, 1 - alpha / 2]), axis=0)
    enough = count >= 2
    nan = jnp.asarray(jnp.nan, values.dtype)
    low, high = jnp.where(enough, low, nan), jnp.where(enough, high, nan)
    return SeedInterval(mean, low, high, count.astype(jnp.int32))


def seed_interval(
    values: ArrayLike,
    *,
    axis: int = 0,
    confidence: float = 0.95,
    method: str = "t",
    key: jax.Array | None = None,
    n_resamples: int = 2000,
) -> SeedInterval:
    r"""Mean over seeds and an interval of that mean, at every point of a curve.

    ``values`` holds one measurement per seed (independently trained network) along
    ``axis``; the other axes (epochs, layers, ...) are points of a curve, each with its
    own interval. NaN entries are missing seeds: every result at a point uses only its
    :math:`c` seeds that are not NaN. With :math:`\bar v` their mean, :math:`s` their
    standard deviation (:math:`c - 1` in the denominator) and
    :math:`\alpha = 1 - \mathrm{confidence}`:

    * ``method="t"``: the Student-t interval of the mean,

      .. math::
          \bar v \pm t_{c-1,\, 1-\alpha/2} \, \frac{s}{\sqrt c},

      exact for normally distributed measurements and asymptotically right otherwise.
    * ``method="bootstrap"``: the percentile bootstrap of the mean: ``n_resamples``
      times, ``c`` seeds are drawn with replacement and averaged; the interval is the
      :math:`\alpha/2` and :math:`1-\alpha/2` quantiles of those means (linear
      interpolation, as ``numpy.quantile``). Without NaN one resample picks the same
      seeds at every point. With few seeds it is narrower than the t interval (its
      spread is :math:`s \sqrt{(c-1)/c} / \sqrt c` and it uses normal, not t, tails).

    With :math:`c < 2` seeds at a point no interval exists: ``low`` and ``high`` are
    NaN there (``mean`` is the single value, or NaN for :math:`c = 0`), so plotting
    code draws no band rather than a band of zero width.

    ``key`` is keyword-only here (not first, as in functions that always draw) because
    only the bootstrap draws; it is required for ``method="bootstrap"``. Value checks
    (inf) run on concrete inputs only; under a caller's ``jit`` an infinite value gives
    NaN or infinite ends.

    Args:
      values: measurements, shape ``(..., seeds, ...)`` with the seeds along ``axis``;
        NaN marks a missing seed.
      axis: the seed axis (static).
      confidence: coverage of the interval, a Python float in (0, 1) (static).
      method: ``"t"`` or ``"bootstrap"`` (static).
      key: a PRNG key (``jax.random.key``) for the bootstrap; unused by ``"t"``.
      n_resamples: bootstrap resamples (static); unused by ``"t"``.

    Returns:
      A :class:`SeedInterval` ``(mean, low, high, count)``, each of the shape of
      ``values`` without ``axis``, in the dtype (and units) of ``values``; ``count``
      is ``int32``.

    Example:
      >>> import jax.numpy as jnp
      >>> from infojax.stats import seed_interval
      >>> curves = jnp.array([[1.0, 2.0], [2.0, 2.5], [3.0, jnp.nan]])  # 3 seeds, 2 epochs
      >>> result = seed_interval(curves, axis=0)
      >>> result.mean.tolist(), result.count.tolist()
      ([2.0, 2.25], [3, 2])
      >>> float(result.low[0]), float(result.high[0])
      (-0.484, 4.484)

    References:
      Student (1908), The probable error of a mean, Biometrika 6(1):1-25,
      https://doi.org/10.1093/biomet/6.1.1
      Efron & Tibshirani (1993), An Introduction to the Bootstrap, chapter 13,
      https://doi.org/10.1201/9780429246593
    """
    values = as_float_array(values, "values")
    if values.ndim == 0:
        raise ValueError("`values` must have a seed axis, got a scalar.")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"`axis` must be an int, got {type(axis).__name__}.")
    if not -values.ndim <= axis < values.ndim:
        raise ValueError(f"`axis`={axis} is out of range for `values` of shape {values.shape}.")
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise TypeError(f"`confidence` must be a Python float, got {type(confidence).__name__}.")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"`confidence` must lie strictly between 0 and 1, got {confidence}.")
    if method not in _METHODS:
        raise ValueError(f"`method` must be one of {list(_METHODS)}, got {method!r}.")
    if is_concrete(values) and np.isinf(np.asarray(values)).any():
        raise ValueError("`values` contains inf (NaN marks a missing seed; inf has no mean).")
    values = jnp.moveaxis(values, axis, -1)
    if method == "t":
        return _t_interval(values, confidence=float(confidence))
    key = check_key(key)
    check_positive_int(n_resamples, "n_resamples")
    if n_resamples < 2:
        raise ValueError(f"`n_resamples` must be >= 2, got {n_resamples}.")
    return _bootstrap_interval(
        key, values, confidence=float(confidence), n_resamples=int(n_resamples)
    )
