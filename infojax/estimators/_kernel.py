r"""Kernel estimators: pairwise-distance bounds on the entropy of a Gaussian mixture
(Kolchinsky & Tracey 2017) and the information-plane quantities built on them (Saxe
et al. 2018), matrix-based Renyi entropy and mutual information (Giraldo, Rao &
Principe 2015), and HSIC (Gretton et al. 2005).

The KDE bounds work in row blocks (memory ``block_size * n``, never n x n for
``block_size < n``), so they stay cheap under ``vmap`` over seeds and layers. The
matrix-based Renyi quantities and HSIC need the full n x n Gram matrix (an
eigen-decomposition or a double centring), so they are meant for n up to a few
thousand.

KDE numerics at any scale. The layer is first divided by a power of two near its
largest absolute value (exact in floating point) and centred, the exponent scale
multiplied by its square to compensate, so no square overflows or underflows. The
pairwise exponents :math:`-c \|t_i - t_j\|^2 / s^2` then come from one matrix
product, which is fast but accurate only to about
:math:`\delta = 4\,\epsilon\, c \max_i \|t_i - \bar t\|^2 / s^2` (:math:`\epsilon`
the float resolution), an error that grows with the activations relative to the
noise. When :math:`\delta` exceeds ``KDE_EXPONENT_TOLERANCE`` (0.1 nats), e.g. tanh
activations scaled by 1e10 with noise variance 0.1, concrete inputs take an exact
path (distances from differences, slower), whose exponents are accurate to a relative
:math:`\epsilon` at any scale; under a caller's ``jit`` or ``vmap`` the path is fixed
when tracing, so such inputs give NaN rather than a wrong number.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._numerics import xlogx
from infojax._registry import register_estimator
from infojax._validation import as_samples
from infojax._validation import check_base
from infojax._validation import check_in_dtype_range
from infojax._validation import check_numeric
from infojax._validation import check_same_length
from infojax._validation import is_concrete
from infojax.estimators._neighbours_blocks import check_block_size
from infojax.estimators._neighbours_blocks import map_row_blocks
from infojax.estimators._neighbours_blocks import power_of_two_exponent
from infojax.estimators._neighbours_blocks import self_mask
from infojax.estimators._neighbours_blocks import take_rows

# The two sides of the Kolchinsky-Tracey pairwise-distance bounds on a mixture entropy.
_MIXTURE_ENTROPY_BOUNDS = ("upper", "lower")
# Exponent scale of the pairwise term: KL divergence between two Gaussians of variance
# s2 at squared distance D is D / (2 s2); the Bhattacharyya distance is D / (8 s2).
_DIVERGENCE_SCALE = {"upper": 0.5, "lower": 0.125}
# KDE rows per block: about a million pairwise terms.
_KDE_BLOCK_ELEMENTS = 2**20
# Largest error bound (nats) of the matrix-product exponents that the fast path accepts.
KDE_EXPONENT_TOLERANCE = 0.1


def _check_noise_variance(noise_variance) -> None:
    if isinstance(noise_variance, jax.core.Tracer):
        return
    value = np.asarray(noise_variance)
    if value.shape != ():
        raise ValueError(f"`noise_variance` must be a scalar, got shape {value.shape}.")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"`noise_variance` must be positive and finite, got {noise_variance!r}.")


def _check_bound(bound: str) -> None:
    if bound not in _MIXTURE_ENTROPY_BOUNDS:
        raise ValueError(f"`bound` must be one of {_MIXTURE_ENTROPY_BOUNDS}, got {bound!r}.")


def _kde_block_size(block_size: int | None, n: int) -> int:
    if block_size is None:
        return int(min(n, max(8, _KDE_BLOCK_ELEMENTS // n)))
    return check_block_size(block_size, n)


def _squared_distances(rows: jax.Array, points: jax.Array) -> jax.Array:
    """Squared Euclidean distances (b, n) from differences, exact for close points."""
    distances = jnp.square(rows[:, None, 0] - points[None, :, 0])
    for axis in range(1, rows.shape[1]):
        distances = distances + jnp.square(rows[:, None, axis] - points[None, :, axis])
    return distances


def _unit_scaled(t: jax.Array, scale: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``t`` divided by the power of two c with max |t| in [c/2, c), then centred, and
    ``scale * c^2``.

    ``scale * |t_i - t_j|^2`` is unchanged (dividing by c is exact, and c is held
    constant under differentiation), but no square of ``t`` overflows or underflows.
    """
    _, exponent = jnp.frexp(lax.stop_gradient(jnp.max(jnp.abs(t))))
    power = jnp.ldexp(jnp.ones((), t.dtype), exponent)
    unit = t / power
    return unit - jnp.mean(unit, axis=0), scale * jnp.square(power)


def _exponent_error_bound(unit: jax.Array, scale: jax.Array) -> jax.Array:
    """Error bound of the matrix-product exponents of centred ``unit`` rows (nats)."""
    largest = jnp.max(jnp.sum(jnp.square(lax.stop_gradient(unit)), axis=1))
    return 4 * jnp.finfo(unit.dtype).eps * lax.stop_gradient(scale) * largest


@jax.jit
def _kde_error_bound(t: jax.Array, noise_variance: jax.Array, divergence_scale: float):
    return _exponent_error_bound(*_unit_scaled(t, divergence_scale / noise_variance))


def _needs_exact_distances(t: jax.Array, noise_variance: jax.Array, bound: str) -> bool:
    """Whether concrete inputs need the exact path (see the module docstring)."""
    if not is_concrete(t, noise_variance):
        return False
    error = float(_kde_error_bound(t, noise_variance, _DIVERGENCE_SCALE[bound]))
    return not error <= KDE_EXPONENT_TOLERANCE


def _log_mean_kernel(t, scale, block_size, labels=None, *, exact=False):
    """Per row i: log (1/n) sum_j exp(-scale |t_i - t_j|^2), and with ``labels`` also
    log (1/n_c) sum_{j: y_j = y_i} exp(-scale |t_i - t_j|^2); and the error bound of
    the exponents (0 on the exact path).

    Rows are centred and brought to unit scale first (:func:`_unit_scaled`). The fast
    path (``exact=False``) takes the exponents from one matrix product,
    -scale |t_i - t_j|^2 = 2 scale t_i . t_j - scale |t_i|^2 - scale |t_j|^2, clipped
    at 0: several times faster than differences and accurate to about
    4 eps scale max |t|^2 (:func:`_exponent_error_bound`), e.g. 1e-5 in the exponent
    for float32 activations of norm 3 and noise variance 0.1. The exact path computes
    squared distances from differences (relative error eps at any scale). Each sum
    contains its own j = i term (about exp(0) = 1) and every term is at most 1, so no
    max-shift is needed for a stable logarithm.
    """
    n = t.shape[0]
    t, scale = _unit_scaled(t, scale)
    log_n = jnp.log(jnp.asarray(n, t.dtype))
    if exact:
        error_bound = jnp.zeros((), t.dtype)

        def exponents_of(rows):
            distances = _squared_distances(take_rows(t, rows), t)
            # Where the unit-scale distance is 0 the exponent is 0, also if scale = inf.
            return jnp.where(distances > 0, -scale * distances, 0)

    else:
        error_bound = _exponent_error_bound(t, scale)
        scaled_norms = scale * jnp.sum(jnp.square(t), axis=1)
        scaled_t = (2 * scale) * t

        def exponents_of(rows):
            products = take_rows(scaled_t, rows) @ t.T
            exponents = products - take_rows(scaled_norms, rows)[:, None] - scaled_norms[None, :]
            # A point's own term is exp(0) = 1 exactly: with the rounding of the product
            # it could fall below 1 and push the upper bound above log n (by 4e-4 bits
            # in float32 at noise variance 1e-4).
            return jnp.where(self_mask(rows, n), 0, jnp.minimum(exponents, 0))

    def block(rows):
        kernel = jnp.exp(exponents_of(rows))
        log_mean = jnp.log(jnp.sum(kernel, axis=1)) - log_n
        if labels is None:
            return (log_mean,)
        same = take_rows(labels, rows)[:, None] == labels[None, :]
        return log_mean, jnp.log(jnp.sum(jnp.where(same, kernel, 0), axis=1))

    if labels is None:
        return *map_row_blocks(block, n, block_size), error_bound
    log_mean, log_class_sum = map_row_blocks(block, n, block_size)
    log_class_mean = log_class_sum - jnp.log(_class_sizes(labels).astype(t.dtype))
    return log_mean, log_class_mean, error_bound


def _nan_if_inaccurate(value: jax.Array, error_bound: jax.Array) -> jax.Array:
    """``value``, or NaN where the fast path's exponents are too inaccurate."""
    return jnp.where(error_bound <= KDE_EXPONENT_TOLERANCE, value, jnp.nan)


def _class_sizes(labels: jax.Array) -> jax.Array:
    """Per row i, the number of rows j with labels[j] == labels[i] (one sort)."""
    ordered = jnp.sort(labels)
    return jnp.searchsorted(ordered, labels, side="right") - jnp.searchsorted(
        ordered, labels, side="left"
    )


@functools.partial(jax.jit, static_argnames=("bound", "block_size", "exact"))
def _kde_input_information(t, noise_variance, *, bound, block_size, exact=False):
    scale = _DIVERGENCE_SCALE[bound] / noise_variance
    log_mean, error_bound = _log_mean_kernel(t, scale, block_size, exact=exact)
    return _nan_if_inaccurate(-jnp.mean(log_mean), error_bound)


@functools.partial(jax.jit, static_argnames=("bound", "block_size", "exact"))
def _kde_plane(t, labels, noise_variance, *, bound, block_size, exact=False):
    """(I(X;T), I(T;Y)) from one pass over the pairwise kernel."""
    scale = _DIVERGENCE_SCALE[bound] / noise_variance
    log_mean, log_class_mean, error_bound = _log_mean_kernel(
        t, scale, block_size, labels, exact=exact
    )
    return (
        _nan_if_inaccurate(-jnp.mean(log_mean), error_bound),
        _nan_if_inaccurate(jnp.mean(log_class_mean - log_mean), error_bound),
    )


def _noise_entropy(d: int, noise_variance, dtype) -> jax.Array:
    """Entropy of N(0, s2 I_d) in nats: (d/2) log(2 pi e s2)."""
    variance = jnp.asarray(noise_variance, dtype)
    return 0.5 * d * (jnp.log(2 * jnp.pi * variance) + 1)


def _prepare_layer(t, noise_variance, bound, base):
    t = as_samples(t, "t")
    _check_noise_variance(noise_variance)
    if not isinstance(noise_variance, jax.core.Tracer):
        check_in_dtype_range(np.asarray(noise_variance), "noise_variance", t.dtype)
    _check_bound(bound)
    check_base(base)
    return t, jnp.asarray(noise_variance, t.dtype)


def kde_input_information(
    t: ArrayLike,
    *,
    noise_variance: float | jax.Array,
    bound: str = "upper",
    base: float | None = None,
    block_size: int | None = None,
) -> jax.Array:
    r"""I(X; T) of a noisy layer T = h(X) + N(0, s2 I) over n equiprobable inputs.

    With the rows of ``t`` the layer means :math:`h(x_i)`, T is a mixture of n
    Gaussians, :math:`H(T|X) = \frac{d}{2}\log(2\pi e s^2)`, and the pairwise-distance
    bounds of Kolchinsky & Tracey on :math:`H(T)` give

    .. math::

        I(X;T) = H(T) - H(T|X) \approx -\frac{1}{n} \sum_i \log \frac{1}{n}
            \sum_j \exp\!\left(-c \, \frac{\|t_i - t_j\|^2}{s^2}\right),

    with :math:`c = 1/2` (KL divergence: ``bound="upper"``, an upper bound) or
    :math:`c = 1/8` (Bhattacharyya distance: ``bound="lower"``, a lower bound). The
    result lies in :math:`[0, \log n]`.

    Args:
      t: layer activations (means), shape (n, d) or (n,), one row per input.
      noise_variance: variance s2 > 0 of the added Gaussian noise (may be traced).
      bound: ``"upper"`` or ``"lower"`` (static).
      base: logarithm base of the result; None gives nats.
      block_size: rows per block (static); None picks about a million pairwise terms.

    Returns:
      Scalar mutual information in nats (or ``base`` units), dtype of ``t``.

    Value checks run on concrete inputs only, not under a caller's ``jit``.

    Example:
      >>> t = jnp.tanh(jax.random.normal(jax.random.key(0), (4096, 12)))
      >>> float(kde_input_information(t, noise_variance=0.1))
      8.31

    References:
      Kolchinsky & Tracey (2017), "Estimating mixture entropy with pairwise distances",
      Entropy 19(7):361, https://doi.org/10.3390/e19070361. Saxe et al. (2018), "On the
      information bottleneck theory of deep learning", ICLR,
      https://openreview.net/forum?id=ry_WPG-A-
    """
    t, variance = _prepare_layer(t, noise_variance, bound, base)
    block_size = _kde_block_size(block_size, t.shape[0])
    exact = _needs_exact_distances(t, variance, bound)
    information = _kde_input_information(
        t, variance, bound=bound, block_size=block_size, exact=exact
    )
    return to_base(information, base)


def kde_entropy(
    t: ArrayLike,
    *,
    noise_variance: float | jax.Array,
    bound: str = "upper",
    base: float | None = None,
    block_size: int | None = None,
) -> jax.Array:
    r"""Upper or lower bound on the entropy of a Gaussian mixture centred on the samples.

    The mixture is :math:`p(t) = \frac{1}{n}\sum_i \mathcal N(t; t_i, s^2 I_d)`.
    Kolchinsky & Tracey's pairwise-distance bounds are

    .. math::

        \hat H = \frac{d}{2}\log(2\pi e s^2) - \frac{1}{n} \sum_i \log \frac{1}{n}
            \sum_j e^{-D(p_i \| p_j)},

    an upper bound with the KL divergence :math:`D = \|t_i - t_j\|^2 / (2 s^2)`
    (``bound="upper"``) and a lower bound with the Bhattacharyya distance
    :math:`D = \|t_i - t_j\|^2 / (8 s^2)` (``bound="lower"``).

    Args:
      t: mixture centres, shape (n, d) or (n,).
      noise_variance: variance s2 > 0 of each component (may be traced).
      bound: ``"upper"`` or ``"lower"`` (static).
      base: logarithm base of the result; None gives nats.
      block_size: rows per block (static); None picks about a million pairwise terms.

    Returns:
      Scalar differential entropy bound in nats (or ``base`` units), dtype of ``t``.

    Any scale of ``t`` relative to ``noise_variance`` gives the right value on concrete
    inputs (1e10-scaled activations included); under a caller's ``jit`` or ``vmap``,
    where the exact path cannot be chosen, activations too large for the fast path's
    accuracy give NaN (see the module docstring). Value checks run on concrete inputs
    only, not under a caller's ``jit``.

    References:
      Kolchinsky & Tracey (2017), "Estimating mixture entropy with pairwise distances",
      Entropy 19(7):361, https://doi.org/10.3390/e19070361
    """
    t, variance = _prepare_layer(t, noise_variance, bound, base)
    block_size = _kde_block_size(block_size, t.shape[0])
    exact = _needs_exact_distances(t, variance, bound)
    information = _kde_input_information(
        t, variance, bound=bound, block_size=block_size, exact=exact
    )
    entropy = _noise_entropy(t.shape[1], variance, t.dtype) + information
    return to_base(entropy, base)


def kde_label_information(
    t: ArrayLike,
    labels: ArrayLike,
    *,
    noise_variance: float | jax.Array,
    n_classes: int | None = None,
    bound: str = "upper",
    base: float | None = None,
    block_size: int | None = None,
) -> jax.Array:
    r"""I(T; Y) of a noisy layer T = h(X) + N(0, s2 I) and integer labels Y.

    Both :math:`H(T)` and each :math:`H(T|Y=c)` (the mixture of the inputs of class c)
    are replaced by the same pairwise-distance bound of :func:`kde_entropy`, with
    :math:`p(c) = n_c / n`; the noise entropy cancels:

    .. math::

        I(T;Y) = H(T) - \sum_c p(c) H(T|Y=c) \approx \frac{1}{n} \sum_i \left[
            \log \frac{1}{n_{y_i}} \sum_{j: y_j = y_i} e^{-D_{ij}}
            - \log \frac{1}{n} \sum_j e^{-D_{ij}} \right].

    As in Saxe et al. (2018), ``bound`` picks the distance used in both terms; their
    difference is an estimate, not itself a bound on I(T;Y). Classes are matched by
    equality of labels, so no class count is needed to compute it; ``n_classes``, when
    given, only checks that concrete labels lie in ``[0, n_classes)``.

    Args:
      t: layer activations (means), shape (n, d) or (n,).
      labels: integer class labels, shape (n,).
      noise_variance: variance s2 > 0 of the added Gaussian noise (may be traced).
      n_classes: optional number of classes, for the range check.
      bound: ``"upper"`` (KL) or ``"lower"`` (Bhattacharyya) (static).
      base: logarithm base of the result; None gives nats.
      block_size: rows per block (static).

    Returns:
      Scalar mutual information in nats (or ``base`` units), dtype of ``t``.

    Value checks run on concrete inputs only, not under a caller's ``jit``.

    References:
      Kolchinsky & Tracey (2017), https://doi.org/10.3390/e19070361. Saxe et al.
      (2018), "On the information bottleneck theory of deep learning", ICLR.
    """
    t, variance = _prepare_layer(t, noise_variance, bound, base)
    labels = _prepare_labels(labels, t, n_classes)
    block_size = _kde_block_size(block_size, t.shape[0])
    exact = _needs_exact_distances(t, variance, bound)
    _, information = _kde_plane(
        t, labels, variance, bound=bound, block_size=block_size, exact=exact
    )
    return to_base(information, base)


def kde_information_plane(
    t: ArrayLike,
    labels: ArrayLike,
    *,
    noise_variance: float | jax.Array,
    n_classes: int | None = None,
    bound: str = "upper",
    base: float | None = None,
    block_size: int | None = None,
) -> tuple[jax.Array, jax.Array]:
    r"""Both coordinates of the information plane, (I(X;T), I(T;Y)), in one pass.

    Equal to ``(kde_input_information(t, ...), kde_label_information(t, labels, ...))``
    but computes the pairwise kernel once, so it costs half as much; this is the call
    to vmap over seeds and layers during training.

    Args:
      t: layer activations (means), shape (n, d) or (n,), one row per input.
      labels: integer class labels, shape (n,).
      noise_variance: variance s2 > 0 of the added Gaussian noise (may be traced).
      n_classes: optional number of classes, for the range check.
      bound: ``"upper"`` (KL) or ``"lower"`` (Bhattacharyya) (static).
      base: logarithm base of the results; None gives nats.
      block_size: rows per block (static).

    Returns:
      ``(input_information, label_information)``, two scalars in nats (or ``base``).

    Value checks run on concrete inputs only, not under a caller's ``jit``.

    Example:
      >>> t = jnp.tanh(jax.random.normal(jax.random.key(0), (50, 4096, 12)))
      >>> labels = jnp.arange(4096) % 2
      >>> plane = jax.vmap(lambda t: kde_information_plane(t, labels, noise_variance=0.1))
      >>> i_xt, i_ty = plane(t)  # one value per seed

    References:
      Saxe et al. (2018), "On the information bottleneck theory of deep learning",
      ICLR, https://openreview.net/forum?id=ry_WPG-A-
    """
    t, variance = _prepare_layer(t, noise_variance, bound, base)
    labels = _prepare_labels(labels, t, n_classes)
    block_size = _kde_block_size(block_size, t.shape[0])
    exact = _needs_exact_distances(t, variance, bound)
    input_information, label_information = _kde_plane(
        t, labels, variance, bound=bound, block_size=block_size, exact=exact
    )
    return to_base(input_information, base), to_base(label_information, base)


def _prepare_labels(labels, t: jax.Array, n_classes: int | None) -> jax.Array:
    check_numeric(labels, "labels")
    labels = jnp.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"`labels` must have shape (n,), got {labels.shape}.")
    if not jnp.issubdtype(labels.dtype, jnp.integer):
        raise TypeError(f"`labels` must be integers, got dtype {labels.dtype}.")
    check_same_length((t, "t"), (labels, "labels"))
    if n_classes is not None and is_concrete(labels):
        values = np.asarray(labels)
        if values.min() < 0 or values.max() >= n_classes:
            raise ValueError(
                f"`labels` must lie in [0, n_classes={n_classes}), got range "
                f"[{values.min()}, {values.max()}]."
            )
    return labels


def _squared_gram_distances(x: jax.Array) -> jax.Array:
    return _squared_distances(x, x)


@jax.jit
def _scott_bandwidth(x: jax.Array) -> jax.Array:
    """sigma = 1.06 * sqrt(mean per-coordinate variance) * n^(-1/(4 + d)), held
    constant under differentiation; the variance is taken of ``x`` at unit scale
    (:func:`power_of_two_exponent`), so it neither overflows nor underflows."""
    n, d = x.shape
    exponent = power_of_two_exponent(x)
    unit = jnp.ldexp(lax.stop_gradient(x), -exponent)
    spread = jnp.sqrt(jnp.mean(jnp.var(unit, axis=0)))
    return jnp.ldexp(1.06 * spread * n ** (-1.0 / (4 + d)), exponent)


@jax.jit
def _median_bandwidth(x: jax.Array) -> jax.Array:
    """Median of the pairwise Euclidean distances over pairs i < j, held constant
    under differentiation; measured at unit scale, as :func:`_scott_bandwidth`."""
    n = x.shape[0]
    upper = jnp.triu_indices(n, 1)
    exponent = power_of_two_exponent(x)
    squared = _squared_gram_distances(jnp.ldexp(lax.stop_gradient(x), -exponent))
    return jnp.ldexp(jnp.median(jnp.sqrt(squared[upper])), exponent)


def _check_bandwidth(sigma, name: str, dtype) -> None:
    if sigma is None or isinstance(sigma, jax.core.Tracer):
        return
    value = np.asarray(sigma)
    if value.shape != () or not (np.isfinite(value) and value > 0):
        raise ValueError(f"`{name}` must be a positive finite scalar, got {sigma!r}.")
    check_in_dtype_range(value, name, dtype)


def _check_resolved_bandwidth(sigma: jax.Array, name: str, data_name: str) -> None:
    if is_concrete(sigma) and not float(sigma) > 0:
        raise ValueError(
            f"The automatic bandwidth for `{data_name}` is 0 (constant or mostly "
            f"duplicated samples); pass `{name}` explicitly."
        )


def _gaussian_gram(x: jax.Array, sigma: jax.Array) -> jax.Array:
    """exp(-|x_i - x_j|^2 / (2 sigma^2)), with x and sigma first brought to the unit
    scale of x by one power of two (exact), so the kernel is the same at every scale."""
    exponent = power_of_two_exponent(x)
    unit = jnp.ldexp(x, -exponent)
    unit_sigma = jnp.ldexp(sigma, -exponent)
    return jnp.exp(-_squared_gram_distances(unit) / (2 * jnp.square(unit_sigma)))


def _normalised_gram(x: jax.Array, sigma: jax.Array) -> jax.Array:
    """Gaussian Gram matrix divided by n, so that its trace is 1."""
    return _gaussian_gram(x, sigma) / x.shape[0]


def _renyi_of_gram(gram: jax.Array, alpha: float) -> jax.Array:
    eigenvalues = jnp.linalg.eigvalsh(gram)
    positive = eigenvalues > 0
    eigenvalues = jnp.where(positive, eigenvalues, 0)
    if alpha == 1:
        return -jnp.sum(xlogx(eigenvalues))
    safe = jnp.where(positive, eigenvalues, 1)
    powers = jnp.where(positive, safe**alpha, 0)
    return jnp.log(jnp.sum(powers)) / (1 - alpha)


def _check_alpha(alpha) -> None:
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool):
        raise TypeError(f"`alpha` must be a Python float, got {type(alpha).__name__}.")
    if not (alpha > 0 and math.isfinite(alpha)):
        raise ValueError(f"`alpha` must be positive and finite, got {alpha!r}.")


def _resolve_renyi_bandwidth(x, sigma, name, data_name):
    _check_bandwidth(sigma, name, x.dtype)
    if sigma is None:
        sigma = _scott_bandwidth(x)
        _check_resolved_bandwidth(sigma, name, data_name)
    return jnp.asarray(sigma, x.dtype)


def matrix_renyi_entropy(
    x: ArrayLike,
    *,
    alpha: float = 1.01,
    sigma: float | jax.Array | None = None,
    base: float | None = None,
) -> jax.Array:
    r"""Matrix-based Renyi alpha-entropy of samples with a Gaussian kernel.

    With the Gram matrix :math:`K_{ij} = \exp(-\|x_i - x_j\|^2 / (2\sigma^2))` and
    :math:`A = K / n` (trace one), and :math:`\lambda_i` the eigenvalues of A,

    .. math::

        S_\alpha(A) = \frac{1}{1 - \alpha} \log \sum_i \lambda_i^\alpha,

    and :math:`-\sum_i \lambda_i \log \lambda_i` at :math:`\alpha = 1`. It lies in
    :math:`[0, \log n]`; it is a functional of the Gram matrix, not an estimate of a
    differential entropy, and depends on ``sigma``.

    Args:
      x: samples, shape (n, d) or (n,). Cost O(n^3) (an eigen-decomposition).
      alpha: order alpha > 0 (static).
      sigma: kernel width; None uses Scott's rule as Giraldo et al. do,
        :math:`1.06\,\hat s\, n^{-1/(4+d)}` with :math:`\hat s^2` the mean variance of
        the coordinates (held constant under differentiation).
      base: logarithm base of the result; None gives nats (Giraldo et al. use bits).

    Returns:
      Scalar entropy in nats (or ``base`` units).

    Value checks run on concrete inputs only, not under a caller's ``jit``.

    References:
      Giraldo, Rao & Principe (2015), "Measures of entropy from data using infinitely
      divisible kernels", IEEE Trans. Inf. Theory 61(1):535-548,
      https://doi.org/10.1109/TIT.2014.2370058
    """
    x = as_samples(x, "x")
    _check_alpha(alpha)
    check_base(base)
    sigma = _resolve_renyi_bandwidth(x, sigma, "sigma", "x")
    return to_base(_matrix_renyi_entropy(x, sigma, alpha=alpha), base)


@functools.partial(jax.jit, static_argnames="alpha")
def _matrix_renyi_entropy(x, sigma, *, alpha):
    return _renyi_of_gram(_normalised_gram(x, sigma), alpha)


@functools.partial(jax.jit, static_argnames="alpha")
def _matrix_renyi_mutual_information(x, y, sigma_x, sigma_y, *, alpha):
    gram_x = _normalised_gram(x, sigma_x)
    gram_y = _normalised_gram(y, sigma_y)
    joint = gram_x * gram_y
    joint = joint / jnp.trace(joint)
    return (
        _renyi_of_gram(gram_x, alpha) + _renyi_of_gram(gram_y, alpha) - _renyi_of_gram(joint, alpha)
    )


def matrix_renyi_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    *,
    alpha: float = 1.01,
    sigma: float | jax.Array | None = None,
    base: float | None = None,
) -> jax.Array:
    r"""Matrix-based Renyi alpha mutual information with Gaussian kernels.

    .. math::

        I_\alpha(X;Y) = S_\alpha(A) + S_\alpha(B)
            - S_\alpha\!\left(\frac{A \circ B}{\operatorname{tr}(A \circ B)}\right),

    with A and B the normalised Gram matrices of x and y (see
    :func:`matrix_renyi_entropy`) and :math:`\circ` the elementwise product. Like the
    entropy, this is a kernel functional in :math:`[0, \log n]`, not an estimate of
    Shannon mutual information in nats of the underlying distribution.

    Args:
      x: samples, shape (n, d_x) or (n,).
      y: samples, shape (n, d_y) or (n,).
      alpha: order alpha > 0 (static).
      sigma: kernel width used for both x and y; None applies Scott's rule to each.
      base: logarithm base of the result; None gives nats.

    Returns:
      Scalar in nats (or ``base`` units).

    Value checks run on concrete inputs only, not under a caller's ``jit``.

    References:
      Giraldo, Rao & Principe (2015), https://doi.org/10.1109/TIT.2014.2370058. Yu et al.
      (2019), "Multivariate extension of matrix-based Renyi's alpha-order entropy
      functional", IEEE TPAMI, https://arxiv.org/abs/1808.07912
    """
    x = as_samples(x, "x")
    y = as_samples(y, "y")
    check_same_length((x, "x"), (y, "y"))
    _check_alpha(alpha)
    check_base(base)
    dtype = jnp.result_type(x, y)
    x, y = x.astype(dtype), y.astype(dtype)
    sigma_x = _resolve_renyi_bandwidth(x, sigma, "sigma", "x")
    sigma_y = _resolve_renyi_bandwidth(y, sigma, "sigma", "y")
    information = _matrix_renyi_mutual_information(x, y, sigma_x, sigma_y, alpha=alpha)
    return to_base(information, base)


def hsic(
    x: ArrayLike,
    y: ArrayLike,
    *,
    sigma_x: float | jax.Array | None = None,
    sigma_y: float | jax.Array | None = None,
) -> jax.Array:
    r"""Hilbert-Schmidt independence criterion, biased estimate with Gaussian kernels.

    .. math::

        \mathrm{HSIC}_b = \frac{1}{(n-1)^2} \operatorname{tr}(K H L H),
        \quad H = I - \tfrac{1}{n} \mathbf 1 \mathbf 1^\top,

    with :math:`K_{ij} = \exp(-\|x_i - x_j\|^2 / (2\sigma_x^2))` and likewise L for y.
    HSIC is zero if and only if x and y are independent (for characteristic kernels,
    in the population limit); it is a dependence measure, not mutual information, has
    no unit, and is not in the estimator registry for that reason.

    Args:
      x: samples, shape (n, d_x) or (n,).
      y: samples, shape (n, d_y) or (n,).
      sigma_x: kernel width for x; None uses the median heuristic (the median of the
        pairwise Euclidean distances :math:`\|x_i - x_j\|`, i < j), held constant
        under differentiation.
      sigma_y: kernel width for y; None uses the median heuristic.

    Returns:
      Scalar HSIC (dimensionless), dtype of the inputs.

    Value checks run on concrete inputs only, not under a caller's ``jit``.

    References:
      Gretton, Bousquet, Smola & Scholkopf (2005), "Measuring statistical dependence
      with Hilbert-Schmidt norms", ALT, https://doi.org/10.1007/11564089_7
    """
    x = as_samples(x, "x")
    y = as_samples(y, "y")
    check_same_length((x, "x"), (y, "y"))
    if x.shape[0] < 2:
        raise ValueError(f"`x` and `y` need at least 2 samples, got {x.shape[0]}.")
    dtype = jnp.result_type(x, y)
    _check_bandwidth(sigma_x, "sigma_x", dtype)
    _check_bandwidth(sigma_y, "sigma_y", dtype)
    x, y = x.astype(dtype), y.astype(dtype)
    if sigma_x is None:
        sigma_x = _median_bandwidth(x)
        _check_resolved_bandwidth(sigma_x, "sigma_x", "x")
    if sigma_y is None:
        sigma_y = _median_bandwidth(y)
        _check_resolved_bandwidth(sigma_y, "sigma_y", "y")
    return _hsic(x, y, jnp.asarray(sigma_x, dtype), jnp.asarray(sigma_y, dtype))


@jax.jit
def _hsic(x, y, sigma_x, sigma_y):
    n = x.shape[0]
    kernel_x = _gaussian_gram(x, sigma_x)
    kernel_y = _gaussian_gram(y, sigma_y)
    centred_x = (
        kernel_x
        - jnp.mean(kernel_x, axis=0, keepdims=True)
        - jnp.mean(kernel_x, axis=1, keepdims=True)
        + jnp.mean(kernel_x)
    )
    return jnp.sum(centred_x * kernel_y) / (n - 1) ** 2


register_estimator(
    "kde_upper",
    kde_entropy,
    quantity="entropy",
    defaults={"noise_variance": 0.1, "bound": "upper", "block_size": None},
    gradient="smooth",
    description="Kolchinsky-Tracey KL upper bound on Gaussian-mixture entropy",
)
register_estimator(
    "kde_lower",
    kde_entropy,
    quantity="entropy",
    defaults={"noise_variance": 0.1, "bound": "lower", "block_size": None},
    gradient="smooth",
    description="Kolchinsky-Tracey Bhattacharyya lower bound on Gaussian-mixture entropy",
)
register_estimator(
    "matrix_renyi",
    matrix_renyi_mutual_information,
    quantity="mutual_information",
    defaults={"alpha": 1.01, "sigma": None},
    max_dim=None,
    gradient="smooth",
    description="Matrix-based Renyi alpha MI (Giraldo et al. 2015), a kernel functional",
)
