r"""Samples of every noisy layer's pre-noise activity, for the sample-propagation
estimator of I(X; T_l) (Goldfeld et al., 2019)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from infojax._validation import check_key
from infojax._validation import check_positive_int
from infojax.models._mlp import MLP
from infojax.models._mlp import get_activation


def noisy_layer_centres(
    key: jax.Array, model: MLP, x: ArrayLike, *, samples: int
) -> tuple[jax.Array, ...]:
    r"""``samples`` draws of :math:`S_l = \sigma(W_l T_{l-1} + b_l)` per input, every layer.

    In the noisy :class:`MLP` (``noise_std`` :math:`= s > 0`), layer :math:`l` is
    :math:`T_l = S_l + Z_l` with :math:`Z_l \sim \mathcal N(0, s^2 I)` and
    :math:`S_l = \sigma(W_l T_{l-1} + b_l)`, :math:`T_0 = x`. Each draw runs the
    network once with fresh noise (a key split from ``key``) and records, for every
    layer, the pre-noise activity :math:`S_l` computed from the noisy
    :math:`T_{l-1}` of that run. Given these, :math:`T_l` is a Gaussian mixture, whose
    information with the input :func:`infojax.measures.noisy_network_input_information`
    estimates (pass it ``noise_std=model.noise_std``).

    The first layer's draws all equal :math:`\sigma(W_1 x + b_1)`; with
    ``noise_std = 0`` every layer's do (the noiseless network), and the estimate is
    then that of a network with noise added only to the measured layer.

    Args:
      key: a PRNG key (``jax.random.key``) for the noise.
      model: the network.
      x: the inputs, shape ``(n_inputs, in_features)``.
      samples: draws per input :math:`m` (static).

    Returns:
      A tuple with one array per hidden layer, of shape ``(n_inputs, samples, width)``,
      in the network's compute dtype.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from flax import nnx
      >>> from infojax.models import MLP, noisy_layer_centres
      >>> model = MLP(12, (10, 7, 5), 2, noise_std=0.1, rngs=nnx.Rngs(0))
      >>> centres = noisy_layer_centres(jax.random.key(1), model, jnp.zeros((8, 12)), samples=4)
      >>> [c.shape for c in centres]
      [(8, 4, 10), (8, 4, 7), (8, 4, 5)]

    References:
      Z. Goldfeld et al., "Estimating information flow in deep neural networks",
      ICML 2019, https://arxiv.org/abs/1810.05728.
    """
    key = check_key(key)
    if not isinstance(model, MLP):
        raise TypeError(f"`model` must be an infojax.models.MLP, got {type(model).__name__}.")
    check_positive_int(samples, "samples")
    x = jnp.asarray(x)
    if x.ndim != 2 or x.shape[1] != model.in_features:
        raise ValueError(f"`x` must have shape (n_inputs, {model.in_features}), got {x.shape}.")
    nonlinearity = get_activation(model.activation)

    def one_draw(draw_key):
        _, hidden = model(x, noise_key=draw_key)
        previous = (x, *hidden[:-1])
        return tuple(
            nonlinearity(layer(t)) for layer, t in zip(model.hidden_layers, previous, strict=True)
        )

    draws = jax.vmap(one_draw)(jax.random.split(key, samples))
    return tuple(jnp.swapaxes(layer, 0, 1) for layer in draws)
