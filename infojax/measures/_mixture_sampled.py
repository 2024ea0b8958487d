r"""Monte Carlo values of I(X;Z) and I(Z;Y) of a Gaussian-mixture latent, with standard
errors: the point inside the pairwise-distance brackets of
:func:`infojax.measures.gaussian_mixture_information_bounds`."""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._numerics import xlogx
from infojax._validation import check_base
from infojax._validation import check_key
from infojax._validation import check_positive_int
from infojax.measures._mixture import _check_block_size
from infojax.measures._mixture import _labels
from infojax.measures._mixture import _means
from infojax.measures._mixture import _padded_blocks
from infojax.measures._mixture import _stds


class MixtureInformationEstimate(NamedTuple):
    """Monte Carlo estimates of I(X;Z) and I(Z;Y), in nats or ``base``.

    Attributes:
      input_information: the estimate of I(X;Z).
      input_standard_error: its standard error (conservative, see the function).
      label_information: the estimate of I(Z;Y); None without labels.
      label_standard_error: its standard error; None without labels.
    """

    input_information: jax.Array
    input_standard_error: jax.Array
    label_information: jax.Array | None
    label_standard_error: jax.Array | None


def gaussian_mixture_information_estimate(
    key: jax.Array,
    means: ArrayLike,
    stds: ArrayLike,
    labels: ArrayLike | None = None,
    *,
    n_classes: int | None = None,
    draws: int = 1,
    base: float | None = None,
    block_size: int | None = None,
) -> MixtureInformationEstimate:
    r"""Monte Carlo I(X;Z) and I(Z;Y) of a Gaussian-mixture latent, with standard errors.

    As for :func:`gaussian_mixture_information_bounds`, input :math:`x_i` (one of
    :math:`n`, equiprobable, with label :math:`y_i`) is encoded as
    :math:`p_i = \mathcal N(\mu_i, \operatorname{diag} s_i^2)`. With ``draws`` samples
    :math:`z_{ir} \sim p_i` of every component, and the exact densities of the
    mixture,

    .. math::

        \hat I(X;Z) = \frac{1}{nR} \sum_{i,r} \log \frac{p_i(z_{ir})}
            {\frac1n \sum_j p_j(z_{ir})}, \qquad
        \hat I(Z;Y) = \hat H(Y) + \frac{1}{nR} \sum_{i,r} \log
            \frac{\sum_{j: y_j = y_i} p_j(z_{ir})}{\sum_j p_j(z_{ir})},

    where the second sum is :math:`\log p(y_i \mid z_{ir})` (the exact posterior of the
    mixture) and :math:`\hat H(Y)` the entropy of the labels' empirical distribution.
    Both are unbiased for the exact I(X;Z) and I(Z;Y) of the mixture. Each standard
    error is the standard deviation of the :math:`nR` terms over
    :math:`\sqrt{nR}`: conservative, since every component is enumerated rather than
    drawn (the spread between components adds nothing to the error). The cost is that
    of the bounds, :math:`O(n^2 R d)`, in row blocks.

    Args:
      key: PRNG key for the draws.
      means: component means :math:`\mu_i`, shape ``(n, d)``.
      stds: standard deviations, broadcastable to ``(n, d)``; positive.
      labels: integer labels ``(n,)`` in ``[0, n_classes)``, or None.
      n_classes: number of classes (static; needed under jit).
      draws: samples per component :math:`R` (static).
      base: logarithm base; None for nats.
      block_size: draws per block (static); None picks one.

    Returns:
      A :class:`MixtureInformationEstimate` (scalars of the input's dtype).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from infojax.measures import gaussian_mixture_information_estimate
        >>> means = jnp.asarray([[0.0], [100.0]])
        >>> estimate = gaussian_mixture_information_estimate(
        ...     jax.random.key(0), means, 1.0, jnp.asarray([0, 1]), base=2)
        >>> round(float(estimate.input_information), 3), round(float(estimate.label_information), 3)
        (1.0, 1.0)
    """
    key = check_key(key)
    check_base(base)
    check_positive_int(draws, "draws")
    means = _means(means)
    stds = _stds(stds, means)
    n, d = means.shape
    if labels is not None:
        labels, n_classes = _labels(labels, n, n_classes)
    block_size = _check_block_size(block_size, n, d)
    values = _estimate(
        key,
        means,
        stds,
        labels,
        n_classes=n_classes,
        draws=int(draws),
        block_size=block_size,
    )
    values = tuple(to_base(value, base) for value in values)
    if labels is None:
        return MixtureInformationEstimate(*values[:2], None, None)
    return MixtureInformationEstimate(*values)


@functools.partial(jax.jit, static_argnames=("n_classes", "draws", "block_size"))
def _estimate(key, means, stds, labels, *, n_classes, draws, block_size):
    n, d = means.shape
    noise = jax.random.normal(key, (draws, n, d), means.dtype)
    points = (means + stds * noise).reshape(draws * n, d)
    owners = jnp.tile(jnp.arange(n), draws)
    with_labels = labels is not None
    classes = labels if with_labels else jnp.zeros(n, jnp.int32)
    log_norms = -jnp.sum(jnp.log(stds), axis=1) - 0.5 * d * math.log(2 * math.pi)

    def block(rows):
        z, owner = rows
        # Differences, not an expanded quadratic: the owner's own term (the largest)
        # keeps full precision for small standard deviations.
        standardised = (z[:, None, :] - means[None]) / stds[None]
        log_densities = log_norms[None] - 0.5 * jnp.sum(jnp.square(standardised), axis=-1)
        own = jnp.take_along_axis(log_densities, owner[:, None], axis=1)[:, 0]
        log_total = jax.nn.logsumexp(log_densities, axis=1)
        same = classes[owner][:, None] == classes[None, :]
        log_class = jax.nn.logsumexp(jnp.where(same, log_densities, -jnp.inf), axis=1)
        return own - log_total + math.log(n), log_class - log_total

    count = draws * n
    blocks = (_padded_blocks(points, block_size), _padded_blocks(owners, block_size))
    input_terms, label_terms = (terms.reshape(-1)[:count] for terms in jax.lax.map(block, blocks))

    def mean_and_error(terms):
        return jnp.mean(terms), jnp.std(terms) / math.sqrt(count)

    input_information, input_error = mean_and_error(input_terms)
    if not with_labels:
        return input_information, input_error
    counts = jnp.zeros(n_classes, means.dtype).at[labels].add(1.0)
    label_entropy = -jnp.sum(xlogx(counts / n))
    label_information, label_error = mean_and_error(label_terms)
    return input_information, input_error, label_entropy + label_information, label_error
