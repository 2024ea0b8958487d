"""Stochastic encoders and the learned densities of information-bottleneck objectives.

Each encoder maps an input to a diagonal Gaussian over a latent ``Z``: ``__call__``
returns its mean and standard deviation, :meth:`sample` draws ``Z`` by
reparameterisation. :class:`ClassConditionalGaussian` is the backward encoder
``b(z|y)`` of CEB, :class:`GaussianMixturePrior` the learned marginal ``r(z)`` of VIB.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from collections.abc import Sequence

import jax
import jax.numpy as jnp
from flax import nnx
from jax.typing import ArrayLike

from infojax.models._mlp import MLP


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"`{name}` must be a positive int, got {value!r}.")
    return int(value)


def _positive_float(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < math.inf:
        raise ValueError(f"`{name}` must be a finite number > 0, got {value!r}.")
    return float(value)


def _reparameterised(key: jax.Array, mean: jax.Array, std: jax.Array) -> jax.Array:
    return mean + std * jax.random.normal(key, mean.shape, mean.dtype)


class GaussianEncoder(nnx.Module):
    r"""The stochastic encoder of VIB: an MLP that outputs a diagonal Gaussian over Z.

    .. math::

        e(z \mid x) = \mathcal{N}\big(z;\ \mu(x),\ \mathrm{diag}\,\sigma(x)^2\big),
        \qquad \sigma(x) = \mathrm{softplus}(a(x) - c),

    where :math:`(\mu, a)` are the ``2 K`` outputs of an MLP and the offset
    :math:`c` = ``std_offset`` (5 in Alemi et al.) starts the encoder with small
    variances. Weights start as ``nnx.Linear``'s (LeCun normal).

    Args:
        in_features: size of the input.
        widths: hidden layer sizes of the MLP (may be empty).
        latent_features: size ``K`` of the latent Z.
        activation: hidden nonlinearity (a name of :data:`infojax.models.ACTIVATIONS`
            or a callable).
        std_offset: the offset :math:`c` above.
        rngs: ``nnx.Rngs`` for the initial parameters.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from flax import nnx
        >>> from infojax.models import GaussianEncoder
        >>> encoder = GaussianEncoder(12, (32,), 4, rngs=nnx.Rngs(0))
        >>> mean, std = encoder(jnp.zeros((5, 12)))
        >>> mean.shape, bool((std > 0).all())
        ((5, 4), True)
        >>> encoder.sample(jax.random.key(1), jnp.zeros((5, 12))).shape
        (5, 4)

    References:
        A. A. Alemi, I. Fischer, J. V. Dillon and K. Murphy, "Deep variational
        information bottleneck", ICLR 2017, https://arxiv.org/abs/1612.00410.
    """

    def __init__(
        self,
        in_features: int,
        widths: Sequence[int],
        latent_features: int,
        *,
        activation: str | Callable[[jax.Array], jax.Array] = "relu",
        std_offset: float = 5.0,
        rngs: nnx.Rngs,
    ):
        latent_features = _positive_int(latent_features, "latent_features")
        if isinstance(std_offset, bool) or not isinstance(std_offset, numbers.Real):
            raise ValueError(f"`std_offset` must be a number, got {std_offset!r}.")
        self.latent_features = latent_features
        self.std_offset = float(std_offset)
        self.network = MLP(
            in_features,
            widths,
            2 * latent_features,
            activation=activation,
            kernel_init=nnx.initializers.lecun_normal(),
            rngs=rngs,
        )

    def __call__(self, x: ArrayLike) -> tuple[jax.Array, jax.Array]:
        """Mean and standard deviation of ``e(z|x)``, each of shape ``(..., K)``."""
        outputs, _ = self.network(x)
        mean, raw_std = jnp.split(outputs, 2, axis=-1)
        return mean, jax.nn.softplus(raw_std - self.std_offset)

    def sample(self, key: jax.Array, x: ArrayLike) -> jax.Array:
        """A reparameterised draw of Z given ``x``: ``mu(x) + sigma(x) * eps``."""
        return _reparameterised(key, *self(x))


class NoisyEncoder(nnx.Module):
    r"""The encoder of nonlinear IB: a deterministic MLP plus isotropic Gaussian noise.

    .. math::

        Z = f(X) + \varepsilon, \qquad \varepsilon \sim \mathcal{N}(0, s^2 I),

    with :math:`f` an MLP (output layer linear) and :math:`\log s` a trained
    parameter starting at ``log(noise_std)`` (Kolchinsky et al. train the noise
    variance with the network); ``learn_noise=False`` keeps :math:`s` fixed. The
    noise makes I(X;Z) finite; its pairwise-distance bound is the nonlinear-IB
    regulariser (:func:`infojax.objectives.kde_rate`).

    Args:
        in_features: size of the input.
        widths: hidden layer sizes of :math:`f`.
        latent_features: size ``K`` of Z.
        activation: hidden nonlinearity.
        noise_std: initial (or fixed) noise standard deviation :math:`s > 0`.
        learn_noise: train :math:`\log s` with the network.
        rngs: ``nnx.Rngs`` for the initial parameters.

    References:
        A. Kolchinsky, B. D. Tracey and D. H. Wolpert, "Nonlinear information
        bottleneck", Entropy 21(12), 1181, 2019, https://arxiv.org/abs/1705.02436.
    """

    def __init__(
        self,
        in_features: int,
        widths: Sequence[int],
        latent_features: int,
        *,
        activation: str | Callable[[jax.Array], jax.Array] = "relu",
        noise_std: float = 1.0,
        learn_noise: bool = True,
        rngs: nnx.Rngs,
    ):
        latent_features = _positive_int(latent_features, "latent_features")
        noise_std = _positive_float(noise_std, "noise_std")
        self.latent_features = latent_features
        self.network = MLP(
            in_features,
            widths,
            latent_features,
            activation=activation,
            kernel_init=nnx.initializers.lecun_normal(),
            rngs=rngs,
        )
        variable = nnx.Param if learn_noise else nnx.Variable
        self.log_noise_std = variable(jnp.asarray(math.log(noise_std), jnp.float32))

    def __call__(self, x: ArrayLike) -> tuple[jax.Array, jax.Array]:
        """Mean ``f(x)`` of shape ``(..., K)`` and the noise std (same shape)."""
        mean, _ = self.network(x)
        std = jnp.exp(self.log_noise_std[...]).astype(mean.dtype)
        return mean, jnp.broadcast_to(std, mean.shape)

    def sample(self, key: jax.Array, x: ArrayLike) -> jax.Array:
        """A draw of Z given ``x``: ``f(x) + s * eps``."""
        return _reparameterised(key, *self(x))


class ClassConditionalGaussian(nnx.Module):
    r"""A learned diagonal Gaussian per class: the backward encoder ``b(z|y)`` of CEB.

    .. math::

        b(z \mid y) = \mathcal{N}\big(z;\ m_y,\ \mathrm{diag}\, e^{2 \ell_y}\big),

    means :math:`m_y` drawn from a standard normal and log standard deviations
    :math:`\ell_y` starting at 0 (``learn_std=False`` keeps unit variances, as in
    Fischer's deterministic-backward-encoder CEB).

    Args:
        n_classes: number of classes.
        latent_features: size ``K`` of Z.
        learn_std: train the log standard deviations.
        rngs: ``nnx.Rngs`` for the initial means.

    References:
        I. Fischer, "The conditional entropy bottleneck", Entropy 22(9), 999, 2020,
        https://arxiv.org/abs/2002.05379.
    """

    def __init__(
        self, n_classes: int, latent_features: int, *, learn_std: bool = True, rngs: nnx.Rngs
    ):
        n_classes = _positive_int(n_classes, "n_classes")
        latent_features = _positive_int(latent_features, "latent_features")
        self.means = nnx.Param(jax.random.normal(rngs.params(), (n_classes, latent_features)))
        variable = nnx.Param if learn_std else nnx.Variable
        self.log_stds = variable(jnp.zeros((n_classes, latent_features)))

    def __call__(self, y: ArrayLike) -> tuple[jax.Array, jax.Array]:
        """Mean and standard deviation of ``b(z|y)`` for integer labels ``y``: ``(..., K)``."""
        y = jnp.asarray(y)
        return self.means[...][y], jnp.exp(self.log_stds[...][y])


class GaussianMixturePrior(nnx.Module):
    r"""A learned mixture of diagonal Gaussians: the marginal ``r(z)`` of VIB's rate.

    .. math::

        r(z) = \sum_{m=1}^{M} \pi_m\, \mathcal{N}\big(z;\ \mu_m,\ \mathrm{diag}\,
        e^{2 \ell_m}\big), \qquad \pi = \mathrm{softmax}(w),

    with weights :math:`w` starting equal, means from a standard normal and unit
    standard deviations. Alemi et al. (2018, "Fixing a broken ELBO") show that a
    learned marginal tightens the rate :math:`E[\log e(z|x) - \log r(z)] \ge I(X;Z)`.

    Args:
        components: number of components ``M``.
        latent_features: size ``K`` of Z.
        rngs: ``nnx.Rngs`` for the initial means.
    """

    def __init__(self, components: int, latent_features: int, *, rngs: nnx.Rngs):
        components = _positive_int(components, "components")
        latent_features = _positive_int(latent_features, "latent_features")
        self.logits = nnx.Param(jnp.zeros((components,)))
        self.means = nnx.Param(jax.random.normal(rngs.params(), (components, latent_features)))
        self.log_stds = nnx.Param(jnp.zeros((components, latent_features)))

    def log_prob(self, z: ArrayLike) -> jax.Array:
        """``log r(z)`` (nats) for ``z`` of shape ``(..., K)``; shape ``(...)``."""
        z = jnp.asarray(z)
        log_weights = jax.nn.log_softmax(self.logits[...])
        stds = jnp.exp(self.log_stds[...])
        standardised = (z[..., None, :] - self.means[...]) / stds
        log_components = jnp.sum(
            -0.5 * standardised**2 - self.log_stds[...] - 0.5 * math.log(2 * math.pi), axis=-1
        )
        return jax.nn.logsumexp(log_weights + log_components, axis=-1)
