r"""I(X; T_l) of a network with Gaussian noise in every hidden layer, by sample
propagation (Goldfeld et al., 2019)."""

from __future__ import annotations

from typing import NamedTuple

import jax
import numpy as np
from jax.typing import ArrayLike

from infojax._validation import as_float_array
from infojax._validation import check_finite
from infojax._validation import is_concrete
from infojax.measures._mixture_sampled import gaussian_mixture_information_estimate


class NoisyNetworkInformation(NamedTuple):
    """Result of :func:`noisy_network_input_information`, in nats or ``base``.

    Attributes:
      information: the estimate of I(X; T_l), shape ``()``.
      standard_error: its Monte Carlo standard error given the centres, shape ``()``.
    """

    information: jax.Array
    standard_error: jax.Array


def noisy_network_input_information(
    key: jax.Array,
    centres: ArrayLike,
    *,
    noise_std: ArrayLike,
    draws: int = 1,
    base: float | None = None,
    block_size: int | None = None,
) -> NoisyNetworkInformation:
    r"""I(X; T) of a noisy layer :math:`T = S + Z`, from samples of S for every input.

    In a network whose every hidden layer adds Gaussian noise,
    :math:`T_l = f_l(T_{l-1}) + Z_l` with :math:`Z_l \sim \mathcal N(0, \sigma^2 I)`,
    the law of :math:`T_l` given an input is not Gaussian past the first layer, but
    given :math:`S_l = f_l(T_{l-1})` it is :math:`\mathcal N(S_l, \sigma^2 I)`. With
    :math:`s_{i1}, \dots, s_{im}` samples of :math:`S_l` given :math:`X = x_i` (the
    noise propagated through the earlier layers, e.g. by
    :func:`infojax.models.noisy_layer_centres`) over :math:`n` equiprobable inputs,
    the sample-propagation estimator of Goldfeld et al. (2019) is

    .. math::

        \hat I(X; T_l) = h\Big(\tfrac{1}{nm} \textstyle\sum_{i,j}
            \mathcal N(s_{ij}, \sigma^2 I)\Big)
            - \frac1n \sum_i h\Big(\tfrac1m \textstyle\sum_j
            \mathcal N(s_{ij}, \sigma^2 I)\Big),

    the information between the input index and a draw of the mixture of all
    :math:`nm` Gaussians. That is the mixture's I(Z; Y) with the input as label,
    evaluated here by :func:`gaussian_mixture_information_estimate` (``draws`` Monte
    Carlo points per Gaussian, the exact posterior of the input at each), in
    :math:`[0, \log n]`. The standard error is that of the Monte Carlo integration
    for these centres; the centres' own sampling adds an error (and a bias, which
    shrinks as :math:`m` grows) that it does not include: compare estimates from
    centres drawn with different keys to see it. For the first layer, or a network
    without noise before layer :math:`l`, the :math:`m` samples of an input coincide
    and the estimate is that of the exact Gaussian mixture.

    The cost is :math:`O((nm)^2 \cdot \mathrm{draws} \cdot d)` time, in blocks of
    ``block_size`` points against all :math:`nm` centres.

    Value checks (NaN, inf, a non-positive ``noise_std``) run on concrete inputs only,
    not under a caller's ``jit``; batch over layers of equal width or over seeds with
    ``jax.vmap``.

    Args:
      key: a PRNG key (``jax.random.key``) for the Monte Carlo points.
      centres: samples of the pre-noise layer :math:`S_l`, shape
        ``(n_inputs, m, width)``: ``m`` per input.
      noise_std: the noise's standard deviation :math:`\sigma > 0`, a scalar.
      draws: Monte Carlo points per centre (static).
      base: logarithm base of the result; None for nats.
      block_size: points per block (static); None picks one.

    Returns:
      A :class:`NoisyNetworkInformation` ``(information, standard_error)`` of scalars
      in the dtype of ``centres``, in nats (or ``base`` units).

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from infojax.measures import noisy_network_input_information
      >>> centres = jnp.asarray([[[0.0]], [[100.0]]])  # 2 inputs, 1 sample each, width 1
      >>> result = noisy_network_input_information(
      ...     jax.random.key(0), centres, noise_std=1.0, base=2)
      >>> round(float(result.information), 3)
      1.0

    References:
      Z. Goldfeld, E. van den Berg, K. Greenewald, I. Melnyk, N. Nguyen, B. Kingsbury
      and Y. Polyanskiy, "Estimating information flow in deep neural networks",
      ICML 2019, https://arxiv.org/abs/1810.05728.
    """
    centres = as_float_array(centres, "centres")
    if centres.ndim != 3 or 0 in centres.shape:
        raise ValueError(
            "`centres` must have shape (n_inputs, m, width) with every size >= 1, got "
            f"{centres.shape}."
        )
    check_finite(centres, "centres")
    noise_std = as_float_array(noise_std, "noise_std")
    if noise_std.ndim != 0:
        raise ValueError(f"`noise_std` must be a scalar, got shape {noise_std.shape}.")
    if is_concrete(noise_std) and not 0 < float(noise_std) < np.inf:
        raise ValueError(f"`noise_std` must be positive and finite, got {float(noise_std)}.")
    n, m, width = centres.shape
    # The input index of every centre, built concretely so the label checks can run.
    inputs = np.repeat(np.arange(n, dtype=np.int32), m)
    estimate = gaussian_mixture_information_estimate(
        key,
        centres.reshape(n * m, width),
        noise_std.astype(centres.dtype),
        inputs,
        n_classes=n,
        draws=draws,
        base=base,
        block_size=block_size,
    )
    return NoisyNetworkInformation(estimate.label_information, estimate.label_standard_error)
