r"""Pairwise-distance bounds on the entropy and information of a Gaussian mixture whose
components have different diagonal covariances (Kolchinsky & Tracey 2017).

A stochastic encoder maps each of n inputs :math:`x_i` to a Gaussian
:math:`p_i = \mathcal N(\mu_i, \operatorname{diag}(s_i^2))`, so the latent Z is the
mixture :math:`\sum_i c_i p_i`. For any mixture,

.. math::

    H(Z) \approx \sum_i c_i H(p_i) - \sum_i c_i \log \sum_j c_j e^{-D(p_i, p_j)}

is a lower bound with D the Bhattacharyya distance BD (a Chernoff alpha-divergence,
alpha = 1/2) and an upper bound with D the KL divergence. For diagonal Gaussians,

.. math::

    \mathrm{KL}(p_i \| p_j) = \tfrac12 \sum_d \left[\log \frac{s_{jd}^2}{s_{id}^2}
        + \frac{s_{id}^2 + (\mu_{id} - \mu_{jd})^2}{s_{jd}^2} - 1\right],
    \qquad
    \mathrm{BD}(p_i, p_j) = \sum_d \left[\frac{(\mu_{id} - \mu_{jd})^2}{8 v_d}
        + \tfrac12 \log \frac{v_d}{s_{id} s_{jd}}\right],

with :math:`v_d = (s_{id}^2 + s_{jd}^2) / 2`.

Cost and accuracy. Rows are processed in blocks (``lax.map``) against all n
components: O(n^2 d) time and O(block_size * n * d) memory, never n x n for a block
smaller than n; under differentiation each block is recomputed in the backward pass
(``jax.checkpoint``), so the memory bound holds for gradients too. The mean terms of
both divergences and the Bhattacharyya variance term are elementwise over
(block, n, d) and computed from differences, so no cancellation error grows with the
scale of the means; so is the KL variance term :math:`\sum_d s_{id}^2 / s_{jd}^2`
(a matrix product would be cheaper, but XLA on CPU computes a wrong product of two
broadcast operands, which equal standard deviations become under a caller's jit).
Each divergence is clipped at 0 (it is non-negative, up to rounding) and each row's
log-sum contains its own j = i term :math:`c_i e^0`, so the logarithms need no
max-shift and :math:`e^{-D}` underflowing to 0 for distant pairs is harmless
(a component of weight 0 contributes 0). The means and standard deviations are first
divided by the power of two that brings the largest standard deviation to [1/2, 1)
(exact, and every divergence is unchanged), so the bounds are the same at every
scale the dtype holds (``means * 1e30, stds * 1e30`` give the values of scale 1).
Values are finite wherever, at that scale, the squared standard deviations and the
squared standardised distances :math:`(\mu_{id} - \mu_{jd})^2 / s_{jd}^2` are finite
normal numbers: standard deviations within a factor of about 1e19 (float32) of the
largest, and :math:`|\mu_{id} - \mu_{jd}| / s_{jd}` below about 1e19 in float32;
gradients also need :math:`s^4` normal, within about 1e9 of the largest.
A regulariser on learnt standard deviations should floor them (e.g. softplus + 1e-6).
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._numerics import xlogx
from infojax._validation import as_float_array
from infojax._validation import check_base
from infojax._validation import check_finite
from infojax._validation import check_numeric
from infojax._validation import check_positive_int
from infojax._validation import check_probabilities
from infojax._validation import is_concrete

# About this many (row, component, dimension) terms per block, 32 MiB per float32
# intermediate. On 2 CPU cores with n=1797, d=256 (18 rows per block) the values took
# 1.15 s and the gradient 6.8 s; blocks of 2^21 terms took 1.64 s and 6.2 s.
_BLOCK_ELEMENTS = 2**23


class MixtureInformationBounds(NamedTuple):
    """Bounds on I(X;Z) and I(Z;Y) of a Gaussian-mixture latent, in nats or ``base``.

    Attributes:
      input_lower: Bhattacharyya lower bound on I(X;Z), in [0, log n].
      input_upper: KL upper bound on I(X;Z), in [0, log n].
      label_lower: lower end of a rigorous bracket on I(Z;Y); None without labels.
      label_upper: upper end of that bracket; None without labels.
    """

    input_lower: jax.Array
    input_upper: jax.Array
    label_lower: jax.Array | None
    label_upper: jax.Array | None


def _check_block_size(block_size: int | None, n: int, d: int) -> int:
    if block_size is None:
        return int(min(n, max(1, _BLOCK_ELEMENTS // (n * d))))
    check_positive_int(block_size, "block_size")
    return int(min(block_size, n))


def _means(means: ArrayLike) -> jax.Array:
    means = as_float_array(means, "means")
    if means.ndim != 2 or 0 in means.shape:
        raise ValueError(f"`means` must have shape (n, d) with n, d >= 1, got {means.shape}.")
    check_finite(means, "means")
    return means


def _stds(stds: ArrayLike, means: jax.Array) -> jax.Array:
    """``stds`` checked and broadcast to the shape (n, d) of ``means``, common dtype."""
    stds = as_float_array(stds, "stds")
    try:
        shape = jnp.broadcast_shapes(stds.shape, means.shape)
    except ValueError:
        shape = None
    if stds.ndim > 2 or shape != means.shape:
        raise ValueError(
            f"`stds` must broadcast to the shape {means.shape} of `means` (a scalar, (n, 1), "
            f"(d,) or (n, d)), got shape {stds.shape}."
        )
    if is_concrete(stds):
        check_finite(stds, "stds")
        if (np.asarray(stds) <= 0).any():
            raise ValueError(f"`stds` must be positive (min {np.asarray(stds).min():.3g}).")
    dtype = jnp.result_type(means, stds)
    return jnp.broadcast_to(stds.astype(dtype), means.shape)


def _labels(labels: ArrayLike, n: int, n_classes: int | None) -> tuple[jax.Array, int]:
    check_numeric(labels, "labels")
    labels = jnp.asarray(labels)
    if not jnp.issubdtype(labels.dtype, jnp.integer):
        raise TypeError(f"`labels` must be integers, got dtype {labels.dtype}.")
    if labels.shape != (n,):
        raise ValueError(f"`labels` must have shape (n,) = ({n},), got {labels.shape}.")
    if n_classes is None:
        if not is_concrete(labels):
            raise ValueError("`n_classes` is required when `labels` are traced (under jit).")
        n_classes = int(np.asarray(labels).max()) + 1
    check_positive_int(n_classes, "n_classes")
    if is_concrete(labels):
        values = np.asarray(labels)
        if values.min() < 0 or values.max() >= n_classes:
            raise ValueError(
                f"`labels` must lie in [0, n_classes={n_classes}), got range "
                f"[{values.min()}, {values.max()}]."
            )
    return labels, int(n_classes)


def _padded_blocks(a: jax.Array, block_size: int) -> jax.Array:
    """``a`` (n, ...) as (n_blocks, block_size, ...), the last block padded with its
    last row (padding results are dropped)."""
    n = a.shape[0]
    n_blocks = -(-n // block_size)
    padding = jnp.repeat(a[-1:], n_blocks * block_size - n, axis=0)
    return jnp.concatenate([a, padding]).reshape(n_blocks, block_size, *a.shape[1:])


def _divergence_terms(row_means, row_variances, means, variances, axis):
    r"""Per (row i, component j), the sums over dimensions of the elementwise terms:
    :math:`\sum_d [(\mu_{id} - \mu_{jd})^2 + s_{id}^2] / s_{jd}^2` (of 2 KL) and
    :math:`\sum_d [(\mu_{id} - \mu_{jd})^2 / (4 u_d) + \frac12 \log u_d]`,
    :math:`u_d = s_{id}^2 + s_{jd}^2` (BD without its per-row and per-column terms).

    The inputs are (b, d) and (n, d) with ``axis=-1``, or transposed to (d, b) and
    (d, n) with ``axis=0``. Each sum is written with its own squared differences, so
    that XLA fuses each into one loop (sharing them ran 1.7 times slower on CPU).
    """
    precisions = 1 / variances
    if axis == -1:
        row_means, row_variances = row_means[:, None, :], row_variances[:, None, :]
        means, variances, precisions = means[None], variances[None], precisions[None]
    else:
        row_means, row_variances = row_means[:, :, None], row_variances[:, :, None]
        means, variances, precisions = (a[:, None, :] for a in (means, variances, precisions))
    # The variance term s_id^2 / s_jd^2 is summed here rather than as a matrix
    # product: XLA on CPU (jax 0.10) returns a wrong product of two broadcasts, which
    # is what equal standard deviations traced under a caller's jit become.
    mean_kl = jnp.sum((jnp.square(row_means - means) + row_variances) * precisions, axis=axis)
    summed = row_variances + variances
    bd = jnp.sum(jnp.square(row_means - means) / (4 * summed) + 0.5 * jnp.log(summed), axis=axis)
    return mean_kl, bd


@jax.custom_vjp
def _pairwise_terms(row_means, row_variances, means, variances):
    """:func:`_divergence_terms` over (b, n, d), dimensions last.

    On CPU the forward pass is fastest with the dimensions last and the backward pass
    with them first (its reductions over rows and over components then run over
    leading axes): for n=900, d=128 the gradient took 5 times less time. The backward
    pass is the derivative of the same sums, so the gradient is exact.
    """
    return _divergence_terms(row_means, row_variances, means, variances, axis=-1)


def _pairwise_terms_forward(row_means, row_variances, means, variances):
    inputs = (row_means, row_variances, means, variances)
    return _pairwise_terms(*inputs), inputs


def _pairwise_terms_backward(inputs, cotangents):
    def dimensions_first(row_means, row_variances, means, variances):
        return _divergence_terms(row_means.T, row_variances.T, means.T, variances.T, axis=0)

    _, pullback = jax.vjp(dimensions_first, *inputs)
    return pullback(cotangents)


_pairwise_terms.defvjp(_pairwise_terms_forward, _pairwise_terms_backward)


def _safe_log(x: jax.Array) -> jax.Array:
    """``log x``, and 0 (with a zero gradient) where ``x == 0``."""
    positive = x > 0
    return jnp.where(positive, jnp.log(jnp.where(positive, x, 1)), 0)


def _log_weighted_sums(means, stds, weights, class_weights, labels, block_size):
    """Per row i, :math:`\\log \\sum_j w_j e^{-D_{ij}}` for D = KL and D = BD, and with
    ``labels`` the same over the j of row i's class with weights ``class_weights``.

    Returns a tuple of (n,) arrays: (kl, bd) or (kl, bd, class_kl, class_bd). A sum
    contains its own term :math:`w_i`, so it is 0 only for a row of weight 0, whose
    result is then 0 rather than -inf (it is multiplied by its weight 0 later).
    """
    n, d = means.shape
    # Every divergence is unchanged when the means and standard deviations are divided
    # by one power of two (exact), chosen so that the largest standard deviation is in
    # [1/2, 1): then no square overflows or underflows at any scale of the mixture.
    _, exponent = jnp.frexp(lax.stop_gradient(jnp.max(stds)))
    means, stds = jnp.ldexp(means, -exponent), jnp.ldexp(stds, -exponent)
    variances = jnp.square(stds)
    log_stds = jnp.log(stds)
    # KL_ij = 1/2 [sum_d s_id^2 / s_jd^2 + sum_d (mu_id - mu_jd)^2 / s_jd^2
    #              + 2 sum_d log s_jd - 2 sum_d log s_id - d]
    column_kl = jnp.sum(log_stds, axis=1)
    # BD_ij = sum_d [(mu_id - mu_jd)^2 / (4 u) + 1/2 log u]
    #         - d/2 log 2 - 1/2 sum_d log s_id - 1/2 sum_d log s_jd,   u = s_id^2 + s_jd^2
    column_bd = -0.5 * jnp.sum(log_stds, axis=1)
    half_log_two = 0.5 * d * math.log(2)

    def block(rows):
        row_means, row_variances, row_log_stds, row_labels = rows
        row_log_sum = jnp.sum(row_log_stds, axis=1)
        mean_kl, bd = _pairwise_terms(row_means, row_variances, means, variances)
        kl = 0.5 * (mean_kl - d)
        kl = kl + column_kl[None, :] - row_log_sum[:, None]
        bd = bd + column_bd[None, :] - (0.5 * row_log_sum + half_log_two)[:, None]
        kernels = (jnp.exp(-jnp.maximum(kl, 0)), jnp.exp(-jnp.maximum(bd, 0)))
        sums = tuple(_safe_log(kernel @ weights) for kernel in kernels)
        if labels is None:
            return sums
        same = (row_labels[:, None] == labels[None, :]) * class_weights[None, :]
        return sums + tuple(jnp.log(jnp.sum(kernel * same, axis=1)) for kernel in kernels)

    row_labels = jnp.zeros(n, jnp.int32) if labels is None else labels
    rows = (means, variances, log_stds, row_labels)
    # Under differentiation each block is recomputed in the backward pass rather than
    # its (block, n, d) intermediates stored: memory stays O(block_size * n * d).
    blocks = tuple(_padded_blocks(a, block_size) for a in rows)
    results = lax.map(jax.checkpoint(block), blocks)
    return tuple(r.reshape(-1)[:n] for r in results)


def _component_entropies(stds: jax.Array) -> jax.Array:
    """Entropy of each diagonal Gaussian in nats: sum_d log s_d + d/2 log(2 pi e)."""
    d = stds.shape[1]
    return jnp.sum(jnp.log(stds), axis=1) + 0.5 * d * math.log(2 * math.pi * math.e)


@functools.partial(jax.jit, static_argnames="block_size")
def _entropy_bounds(means, stds, weights, *, block_size):
    log_kl, log_bd = _log_weighted_sums(means, stds, weights, None, None, block_size)
    mean_entropy = jnp.sum(weights * _component_entropies(stds))
    lower = mean_entropy - jnp.sum(weights * log_bd)
    upper = mean_entropy - jnp.sum(weights * log_kl)
    return lower, upper


@functools.partial(jax.jit, static_argnames=("n_classes", "block_size"))
def _information_bounds(means, stds, labels, *, n_classes, block_size):
    n = means.shape[0]
    dtype = means.dtype
    weights = jnp.full(n, 1 / n, dtype)
    if labels is None:
        log_kl, log_bd = _log_weighted_sums(means, stds, weights, None, None, block_size)
        return MixtureInformationBounds(-jnp.mean(log_bd), -jnp.mean(log_kl), None, None)
    counts = jnp.bincount(labels, length=n_classes).astype(dtype)
    class_weights = 1 / counts[labels]
    log_kl, log_bd, class_kl, class_bd = _log_weighted_sums(
        means, stds, weights, class_weights, labels, block_size
    )
    input_lower = -jnp.mean(log_bd)
    input_upper = -jnp.mean(log_kl)
    # I(Z;Y) = H(Z) - sum_y p_y H(Z|y): the lower end pairs the lower bound on H(Z) with
    # the upper bounds on each H(Z|y), the upper end the other way round; the component
    # entropies cancel.
    label_lower = jnp.mean(class_kl - log_bd)
    label_upper = jnp.mean(class_bd - log_kl)
    label_entropy = -jnp.sum(xlogx(counts / n))
    label_upper = jnp.minimum(label_upper, jnp.minimum(label_entropy, input_upper))
    label_lower = jnp.minimum(jnp.maximum(label_lower, 0), label_upper)
    return MixtureInformationBounds(input_lower, input_upper, label_lower, label_upper)


def gaussian_mixture_entropy_bounds(
    means: ArrayLike,
    stds: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    base: float | None = None,
    block_size: int | None = None,
) -> tuple[jax.Array, jax.Array]:
    r"""Lower and upper bounds on the entropy of a mixture of diagonal Gaussians.

    For :math:`Z \sim \sum_i c_i \mathcal N(\mu_i, \operatorname{diag}(s_i^2))`,

    .. math::

        \sum_i c_i H(p_i) - \sum_i c_i \log \sum_j c_j e^{-\mathrm{BD}(p_i, p_j)}
        \;\le\; H(Z) \;\le\;
        \sum_i c_i H(p_i) - \sum_i c_i \log \sum_j c_j e^{-\mathrm{KL}(p_i \| p_j)},

    with :math:`H(p_i) = \sum_d \log s_{id} + \frac d2 \log(2\pi e)`, BD the
    Bhattacharyya distance and KL the Kullback-Leibler divergence (closed forms in the
    module docstring). Both bounds are exact when all components coincide or when they
    are infinitely far apart.

    Args:
      means: component means, shape (n, d).
      stds: component standard deviations, positive, broadcastable to (n, d): a scalar,
        (n, 1), (d,) or (n, d).
      weights: mixture weights :math:`c_i`, shape (n,), non-negative and summing to 1;
        None gives 1/n each.
      base: logarithm base of the results; None gives nats.
      block_size: rows per block (static); None picks about 2^23 (row, component,
        dimension) terms per block.

    Returns:
      ``(lower, upper)``, two scalars in nats (or ``base`` units), in the floating dtype
      of ``means`` and ``stds``.

    Value checks run on concrete inputs only, not under a caller's ``jit``.

    Example:
      >>> means = jnp.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
      >>> stds = jnp.array([[0.5], [1.0], [0.3]])
      >>> lower, upper = gaussian_mixture_entropy_bounds(means, stds)
      >>> float(lower), float(upper)
      (2.31, 2.57)

    References:
      Kolchinsky & Tracey (2017), "Estimating mixture entropy with pairwise distances",
      Entropy 19(7):361, https://doi.org/10.3390/e19070361
    """
    means = _means(means)
    stds = _stds(stds, means)
    check_base(base)
    n, d = means.shape
    if weights is None:
        weights = jnp.full(n, 1 / n, stds.dtype)
    else:
        weights = as_float_array(weights, "weights")
        if weights.shape != (n,):
            raise ValueError(f"`weights` must have shape (n,) = ({n},), got {weights.shape}.")
        check_probabilities(weights, "weights")
        weights = weights.astype(stds.dtype)
    block_size = _check_block_size(block_size, n, d)
    lower, upper = _entropy_bounds(means.astype(stds.dtype), stds, weights, block_size=block_size)
    return to_base(lower, base), to_base(upper, base)


def gaussian_mixture_information_bounds(
    means: ArrayLike,
    stds: ArrayLike,
    labels: ArrayLike | None = None,
    *,
    n_classes: int | None = None,
    base: float | None = None,
    block_size: int | None = None,
) -> MixtureInformationBounds:
    r"""Bounds on I(X;Z) and I(Z;Y) when n equiprobable inputs map to Gaussians.

    Input i is encoded as :math:`p_i = \mathcal N(\mu_i, \operatorname{diag}(s_i^2))`,
    so Z is the uniform mixture of the :math:`p_i` and
    :math:`I(X;Z) = H(Z) - \frac1n \sum_i H(p_i)`. The entropy bounds of
    :func:`gaussian_mixture_entropy_bounds` give

    .. math::

        I_{\mathrm{BD}} \le I(X;Z) \le I_{\mathrm{KL}}, \qquad
        I_D = -\frac1n \sum_i \log \frac1n \sum_j e^{-D(p_i, p_j)} \in [0, \log n].

    With integer ``labels`` Y (a function of the input), Z given Y = y is the uniform
    mixture of the :math:`n_y` components of class y, and with the same pairwise terms
    :math:`I^y_D` within each class (the inner mean over the :math:`n_y` components of
    class y, the outer over the rows of class y) and :math:`p_y = n_y / n`,

    .. math::

        I_{\mathrm{BD}} - \sum_y p_y I^y_{\mathrm{KL}} \;\le\; I(Z;Y)
        = H(Z) - \sum_y p_y H(Z|Y=y) \;\le\; I_{\mathrm{KL}} - \sum_y p_y I^y_{\mathrm{BD}}.

    This bracket is rigorous but often wide, up to the trivial [0, H(Y)]: its width
    is the gap between the KL and BD bounds on H(Z) plus the mean gap on the H(Z|y).
    For 4096 inputs with means uniform in [-1, 1]^2, standard deviation 0.3 and two
    classes split by the sign of the first coordinate, I(X;Z) lies in [1.16, 2.26]
    nats and a Monte Carlo estimate of I(Z;Y) is 0.43 nats, but the unclipped bracket
    is [-0.54, 1.47], so the result is [0, log 2]. The bracket is tight only where
    every pair of components nearly coincides or is far apart (the example below).
    Its ends are clipped to :math:`0 \le` ``label_lower`` :math:`\le` ``label_upper``
    :math:`\le \min(H(Y), I_{\mathrm{KL}})`, limits that always hold because
    :math:`I(Z;Y) \le \min(H(Y), I(X;Z))`.

    Args:
      means: component means, shape (n, d), one row per input.
      stds: component standard deviations, positive, broadcastable to (n, d): a scalar,
        (n, 1), (d,) or (n, d).
      labels: optional integer class labels, shape (n,). Without them the label fields
        of the result are None.
      n_classes: number of classes (static); required when ``labels`` are traced,
        otherwise ``max(labels) + 1``. Empty classes are allowed.
      base: logarithm base of the results; None gives nats.
      block_size: rows per block (static); None picks about 2^23 (row, component,
        dimension) terms per block.

    Returns:
      :class:`MixtureInformationBounds` ``(input_lower, input_upper, label_lower,
      label_upper)`` of scalars in nats (or ``base`` units), in the floating dtype of
      ``means`` and ``stds``; the label fields are None without ``labels``.

    Value checks run on concrete inputs only, not under a caller's ``jit``. Differentiable
    in ``means`` and ``stds`` (finite gradients), e.g. as a regulariser; batch over mean
    sets with ``jax.vmap``.

    Example:
      >>> means = jnp.array([[0.0, 0.0], [0.5, 0.0], [6.0, 6.0], [6.5, 6.0]])
      >>> stds = jnp.array([[1.0], [1.0], [0.5], [1.5]])
      >>> bounds = gaussian_mixture_information_bounds(means, stds, jnp.array([0, 0, 1, 1]))
      >>> float(bounds.input_lower), float(bounds.input_upper)
      (0.82, 1.01)
      >>> float(bounds.label_lower), float(bounds.label_upper)
      (0.50, 0.69)

    References:
      Kolchinsky & Tracey (2017), "Estimating mixture entropy with pairwise distances",
      Entropy 19(7):361, https://doi.org/10.3390/e19070361, https://arxiv.org/abs/1706.02419
    """
    means = _means(means)
    stds = _stds(stds, means)
    check_base(base)
    n, d = means.shape
    if labels is not None:
        labels, n_classes = _labels(labels, n, n_classes)
    block_size = _check_block_size(block_size, n, d)
    bounds = _information_bounds(
        means.astype(stds.dtype), stds, labels, n_classes=n_classes, block_size=block_size
    )
    return MixtureInformationBounds(*(None if b is None else to_base(b, base) for b in bounds))
