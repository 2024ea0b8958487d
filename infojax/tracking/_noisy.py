r"""The information plane of a noisy network (Goldfeld et al., 2019), and the clustering
of its layers at the noise scale.

In an :class:`infojax.models.MLP` with ``noise_std`` :math:`= \sigma > 0`, hidden
layer :math:`l` is :math:`T_l = S_l + Z_l`, :math:`Z_l \sim \mathcal N(0, \sigma^2 I)`.
Given ``samples`` :math:`= m` draws :math:`s_{i1}, \dots, s_{im}` of :math:`S_l` for
every input :math:`x_i` (:func:`infojax.models.noisy_layer_centres`), :math:`T_l` is
the mixture of the :math:`nm` Gaussians :math:`\mathcal N(s_{ij}, \sigma^2 I)`, and
both coordinates of the information plane are Monte Carlo integrals over it, computed
here from one set of points and one pass over the :math:`(nm)^2` pairwise densities.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from infojax._numerics import xlogx
from infojax._validation import as_float_array
from infojax._validation import check_key
from infojax._validation import check_numeric
from infojax._validation import check_positive_int
from infojax._validation import is_concrete
from infojax.measures._mixture import _padded_blocks
from infojax.models import MLP
from infojax.models import noisy_layer_centres

# About this many (point, centre, unit) terms per block: 32 MiB per float32 intermediate.
_BLOCK_ELEMENTS = 2**23


class NoisyPlane(NamedTuple):
    """The information plane and clustering of a noisy network's hidden layers.

    Every field has shape ``(hidden layers,)``, one entry per hidden layer in order
    (the softmax output has no noise and is not included), in the dtype of the
    network's activity.

    Attributes:
      input_information: :math:`\\hat I(X; T_l)`, bits, in :math:`[0, \\log_2 n]`.
      input_information_se: its Monte Carlo standard error given the centres, bits.
      label_information: :math:`\\hat I(T_l; Y)`, bits, in :math:`[0, H(Y)]`.
      label_information_se: its Monte Carlo standard error given the centres, bits.
      clustering: the mean overlap of the noisy layer's laws for pairs of distinct
        inputs of the same class (dimensionless, in :math:`[0, 1]`; see
        :func:`noisy_information_plane`); NaN when no class has two inputs.
    """

    input_information: jax.Array
    input_information_se: jax.Array
    label_information: jax.Array
    label_information_se: jax.Array
    clustering: jax.Array


def noisy_information_plane(
    key: jax.Array,
    model: MLP,
    x: ArrayLike,
    labels: ArrayLike,
    *,
    n_classes: int,
    samples: int,
    draws: int = 1,
    block_size: int | None = None,
) -> NoisyPlane:
    r"""I(X; T_l), I(T_l; Y) with standard errors, and clustering, of every noisy layer.

    **Information.** With :math:`n` equiprobable inputs :math:`x_i` of labels
    :math:`y_i`, ``samples`` :math:`= m` draws :math:`s_{ij}` of the pre-noise layer
    :math:`S_l` per input (the noise of the earlier layers propagated,
    :func:`infojax.models.noisy_layer_centres`) and ``draws`` :math:`= R` points
    :math:`t_{ijr} \sim \mathcal N(s_{ij}, \sigma^2 I)` per centre, write
    :math:`q_k(t) = \frac1m \sum_j \mathcal N(t; s_{kj}, \sigma^2 I)` for the law of
    :math:`T_l` given :math:`X = x_k` (as the centres represent it). Then

    .. math::

        \hat I(X; T_l) = \frac{1}{nmR} \sum_{i,j,r}
            \log \frac{q_i(t_{ijr})}{\frac1n \sum_k q_k(t_{ijr})}, \qquad
        \hat I(T_l; Y) = \hat H(Y) + \frac{1}{nmR} \sum_{i,j,r}
            \log \frac{\sum_{k: y_k = y_i} q_k(t_{ijr})}{\sum_k q_k(t_{ijr})},

    the sample-propagation estimator of Goldfeld et al. (2019) for I(X; T_l)
    (:func:`infojax.measures.noisy_network_input_information`) and, on the same
    points, the exact label posterior of the same mixture for I(T_l; Y)
    (:func:`infojax.measures.gaussian_mixture_information_estimate` with the labels
    as classes); :math:`\hat H(Y)` is the entropy of the labels' empirical
    distribution. With the same key for the points, each equals what those functions
    give; here one pass over the pairwise densities serves both. Each standard error
    is the standard deviation of the :math:`nmR` terms over :math:`\sqrt{nmR}`: the
    Monte Carlo error for these centres, not the centres' own sampling error (nor the
    bias from :math:`m` draws, which shrinks as :math:`m` grows).

    **Clustering.** With :math:`\mu_i` the noise-free activity of layer :math:`l` for
    input :math:`x_i` (the network run without noise, as :func:`MLP.__call__` without
    ``noise_key``), the clustering of the layer is the mean over ordered pairs
    :math:`i \ne j` of the same class of the overlap of the two noisy laws,

    .. math::

        C_l = \frac{1}{|\{(i, j): i \ne j, y_i = y_j\}|}
            \sum_{i \ne j,\, y_i = y_j}
            \operatorname{erfc}\Big(\frac{\lVert \mu_i - \mu_j \rVert}{2\sqrt2\,\sigma}\Big),

    where :math:`\operatorname{erfc}(\delta / (2\sqrt2\sigma)) =
    1 - \mathrm{TV}(\mathcal N(\mu_i, \sigma^2 I), \mathcal N(\mu_j, \sigma^2 I))`
    is twice the error of the best guess between the two inputs from one draw of
    :math:`T_l = \mu + Z_l`. It is 1 when the two representations coincide, 0.32 at a
    distance of :math:`2\sigma` and below 0.05 beyond :math:`4\sigma`, whatever the
    width: it counts the same-class inputs that the noise makes indistinguishable,
    the "geometric clustering of the representations of samples from the same class"
    that Goldfeld et al. identify as the cause of compression. It is independent of
    the Monte Carlo estimate, so whether it rises when I(X; T_l) falls is a finding,
    not an identity.

    The first layer has no noise before it, so its :math:`m` centres of an input
    coincide: it is computed from one centre per input with :math:`mR` points each
    (the same estimator, :math:`m` times cheaper). The cost per deeper hidden layer of
    width :math:`d` is :math:`O((nm)^2 R d)` for the information and :math:`O(n^2 d)`
    for the clustering, in blocks of ``block_size`` points. Everything has static
    shapes: it runs under ``jit`` and vmaps over a stack of models (seeds). Value
    checks (the label range) run on concrete inputs only; under a caller's ``jit`` an
    out-of-range label gives a wrong value, NaN activity gives NaN.

    Args:
      key: a PRNG key (``jax.random.key``): one part for the centres, then layer
        :math:`l` (0-based) gets ``fold_in(., l)`` for its Monte Carlo points.
      model: the noisy network, an :class:`infojax.models.MLP` with ``noise_std > 0``.
      x: the inputs, shape ``(n, in_features)``, each of weight :math:`1/n`.
      labels: integer labels, shape ``(n,)``, in ``[0, n_classes)``.
      n_classes: number of classes (static).
      samples: draws :math:`m` of each layer's centres per input (static).
      draws: Monte Carlo points :math:`R` per centre (static).
      block_size: points per block (static); None picks about 2^23 terms per block.

    Returns:
      A :class:`NoisyPlane` of arrays of shape ``(hidden layers,)``; informations and
      standard errors in bits, clustering dimensionless.

    Raises:
      TypeError: if ``model`` is not an MLP, or ``labels`` are not integers.
      ValueError: if ``model.noise_std`` is not positive, the model has no hidden
        layer, ``samples``, ``draws``, ``n_classes`` or ``block_size`` is not a
        positive int, or ``x`` or ``labels`` has the wrong shape or labels lie outside
        ``[0, n_classes)`` (concrete labels only).

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from flax import nnx
      >>> from infojax.models import MLP
      >>> from infojax.tracking import noisy_information_plane
      >>> model = MLP(12, (10, 7), 2, noise_std=0.1, rngs=nnx.Rngs(0))
      >>> x = jax.random.bernoulli(jax.random.key(1), shape=(64, 12)).astype(jnp.float32)
      >>> labels = jnp.arange(64) % 2
      >>> plane = noisy_information_plane(
      ...     jax.random.key(2), model, x, labels, n_classes=2, samples=2)
      >>> plane.input_information.shape
      (2,)

    References:
      Z. Goldfeld, E. van den Berg, K. Greenewald, I. Melnyk, N. Nguyen, B. Kingsbury
      and Y. Polyanskiy, "Estimating information flow in deep neural networks",
      ICML 2019, https://arxiv.org/abs/1810.05728.
    """
    key = check_key(key)
    if not isinstance(model, MLP):
        raise TypeError(f"`model` must be an infojax.models.MLP, got {type(model).__name__}.")
    if not model.noise_std > 0:
        raise ValueError(
            f"`model.noise_std` must be > 0 for a noisy network, got {model.noise_std}: "
            "without noise I(X; T) of distinct inputs is log n whatever the weights."
        )
    if not model.widths:
        raise ValueError("`model` has no hidden layer to measure.")
    check_positive_int(samples, "samples")
    check_positive_int(draws, "draws")
    check_positive_int(n_classes, "n_classes")
    if block_size is not None:
        check_positive_int(block_size, "block_size")
    x = as_float_array(x, "x")
    if x.ndim != 2 or x.shape[1] != model.in_features or x.shape[0] < 1:
        raise ValueError(f"`x` must have shape (n, {model.in_features}), got {x.shape}.")
    labels = _check_labels(labels, x.shape[0], n_classes)
    centres_key, points_key = jax.random.split(key)
    centres = noisy_layer_centres(centres_key, model, x, samples=samples)
    _, noise_free = model(x)
    rows = []
    for layer, (layer_centres, means) in enumerate(zip(centres, noise_free, strict=True)):
        sigma = jnp.asarray(model.noise_std, layer_centres.dtype)
        layer_draws = int(draws)
        if layer == 0:
            # No noise before the first layer: its m centres of an input coincide, and
            # one centre with m R points is the same estimator at 1/m of the cost.
            layer_centres, layer_draws = layer_centres[:, :1], layer_draws * samples
        information = _mixture_information(
            jax.random.fold_in(points_key, layer),
            layer_centres,
            sigma,
            labels,
            n_classes=int(n_classes),
            draws=layer_draws,
            block_size=_block_size(block_size, layer_centres.shape, layer_draws),
        )
        clustering = _clustering(
            means.astype(layer_centres.dtype),
            sigma,
            labels,
            block_size=_block_size(block_size, (means.shape[0], 1, means.shape[1]), 1),
        )
        rows.append((*information, clustering))
    return NoisyPlane(*(jnp.stack(column) for column in zip(*rows, strict=True)))


def _check_labels(labels: ArrayLike, n: int, n_classes: int) -> jax.Array:
    check_numeric(labels, "labels")
    labels = jnp.asarray(labels)
    if not jnp.issubdtype(labels.dtype, jnp.integer):
        raise TypeError(f"`labels` must be integers, got dtype {labels.dtype}.")
    if labels.shape != (n,):
        raise ValueError(f"`labels` must have shape (n,) = ({n},), got {labels.shape}.")
    if is_concrete(labels):
        values = np.asarray(labels)
        if values.min() < 0 or values.max() >= n_classes:
            raise ValueError(
                f"`labels` must lie in [0, n_classes={n_classes}), got range "
                f"[{values.min()}, {values.max()}]."
            )
    return labels


def _block_size(block_size: int | None, shape: tuple[int, int, int], draws: int) -> int:
    """Points per block for ``draws`` points of each of the ``n * m`` centres."""
    n, m, width = shape
    count = draws * n * m
    if block_size is None:
        return int(min(count, max(1, _BLOCK_ELEMENTS // (n * m * width))))
    return int(min(block_size, count))


@functools.partial(jax.jit, static_argnames=("n_classes", "draws", "block_size"))
def _mixture_information(key, centres, sigma, labels, *, n_classes, draws, block_size):
    """(I(X;T), its SE, I(T;Y), its SE) in bits of the mixture of ``centres`` (n, m, d)."""
    n, m, width = centres.shape
    flat = centres.reshape(n * m, width)
    # The points of gaussian_mixture_information_estimate for the same key and centres.
    noise = jax.random.normal(key, (draws, n * m, width), centres.dtype)
    points = (flat + sigma * noise).reshape(draws * n * m, width)
    owners = jnp.tile(jnp.arange(n * m) // m, draws)

    def block(rows):
        t, owner = rows
        # Differences, not an expanded quadratic: the largest term (the point's own
        # centre) keeps full precision for small noise. The Gaussians' normalising
        # constants are equal and cancel in every ratio.
        standardised = (t[:, None, :] - flat[None]) / sigma
        log_kernel = -0.5 * jnp.sum(jnp.square(standardised), axis=-1)
        log_inputs = jax.nn.logsumexp(log_kernel.reshape(-1, n, m), axis=-1)
        log_total = jax.nn.logsumexp(log_inputs, axis=-1)
        own = jnp.take_along_axis(log_inputs, owner[:, None], axis=1)[:, 0]
        same = labels[owner][:, None] == labels[None, :]
        log_class = jax.nn.logsumexp(jnp.where(same, log_inputs, -jnp.inf), axis=-1)
        return own - log_total + math.log(n), log_class - log_total

    count = draws * n * m
    blocks = (_padded_blocks(points, block_size), _padded_blocks(owners, block_size))
    input_terms, label_terms = (terms.reshape(-1)[:count] for terms in jax.lax.map(block, blocks))
    counts = jnp.zeros(n_classes, centres.dtype).at[labels].add(1.0)
    label_entropy = -jnp.sum(xlogx(counts / n))
    bits = math.log(2)
    error = math.sqrt(count) * bits
    return (
        jnp.mean(input_terms) / bits,
        jnp.std(input_terms) / error,
        (label_entropy + jnp.mean(label_terms)) / bits,
        jnp.std(label_terms) / error,
    )


@functools.partial(jax.jit, static_argnames=("block_size",))
def _clustering(means, sigma, labels, *, block_size):
    """Mean erfc(|mu_i - mu_j| / (2 sqrt 2 sigma)) over same-class pairs i != j."""
    n = means.shape[0]
    rows = _padded_blocks(jnp.arange(n), block_size)
    # The padding repeats the last row: its copies do not count.
    valid = jnp.arange(rows.size).reshape(rows.shape) < n

    def block(inputs):
        row, valid = inputs
        squared = jnp.sum(jnp.square(means[row][:, None, :] - means[None]), axis=-1)
        # Double where: a finite gradient of the distance at zero.
        positive = squared > 0
        distance = jnp.where(positive, jnp.sqrt(jnp.where(positive, squared, 1.0)), 0.0)
        overlap = jax.scipy.special.erfc(distance / (2.0 * math.sqrt(2.0) * sigma))
        pair = (
            valid[:, None]
            & (labels[row][:, None] == labels[None, :])
            & (row[:, None] != jnp.arange(n)[None, :])
        )
        return jnp.sum(jnp.where(pair, overlap, 0.0)), jnp.sum(pair)

    sums, pairs = jax.lax.map(block, (rows, valid))
    return jnp.sum(sums) / jnp.sum(pairs).astype(means.dtype)
