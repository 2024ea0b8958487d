"""A multilayer perceptron that returns every hidden activation, with optional noise."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from types import MappingProxyType

import jax
import jax.numpy as jnp
from flax import nnx
from jax.typing import ArrayLike


def _linear(x: jax.Array) -> jax.Array:
    return x


def _gelu(x: jax.Array) -> jax.Array:
    return jax.nn.gelu(x, approximate=False)


ACTIVATIONS: Mapping[str, Callable[[jax.Array], jax.Array]] = MappingProxyType(
    {
        "tanh": jnp.tanh,
        "relu": jax.nn.relu,
        "linear": _linear,
        "sigmoid": jax.nn.sigmoid,
        "elu": jax.nn.elu,
        "gelu": _gelu,
        "softplus": jax.nn.softplus,
        "silu": jax.nn.silu,
        "leaky_relu": jax.nn.leaky_relu,
    }
)
"""Hidden-layer nonlinearities by name, for every network and critic in infojax.

``"gelu"`` is the exact ``x Phi(x)`` (pass ``jax.nn.gelu`` itself for its tanh
approximation); ``"leaky_relu"`` has slope 0.01 below zero.
"""


def get_activation(activation: str | Callable[[jax.Array], jax.Array]) -> Callable:
    """The nonlinearity ``activation``: a name in :data:`ACTIVATIONS`, or a callable as is.

    Raises:
        ValueError: if ``activation`` is neither a callable nor a known name.
    """
    if callable(activation):
        return activation
    try:
        return ACTIVATIONS[activation]
    except (KeyError, TypeError):
        raise ValueError(
            f"`activation` must be a callable or one of {sorted(ACTIVATIONS)}, got {activation!r}."
        ) from None


def _check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"`{name}` must be a positive int, got {value!r}.")
    return int(value)


def _fan_in_truncated_normal(fan_in: int) -> nnx.Initializer:
    # tf.truncated_normal(stddev=s): a normal of std s cut at +-2 s, not rescaled.
    return jax.nn.initializers.truncated_normal(stddev=1.0 / math.sqrt(fan_in))


class MLP(nnx.Module):
    r"""Fully connected network that returns its logits and every hidden activation.

    Layer :math:`l = 1, \dots, L` (``L = len(widths)``) computes

    .. math::

        t_l = \sigma(W_l t_{l-1} + b_l) + \epsilon_l, \qquad
        \epsilon_l \sim \mathcal{N}(0, s^2 I), \qquad t_0 = x,

    and the output layer the logits :math:`W_{L+1} t_L + b_{L+1}` (no nonlinearity:
    apply a softmax or a softmax cross-entropy to them). The noise
    :math:`\epsilon_l` (standard deviation ``noise_std`` :math:`= s`) is added only
    when ``noise_std > 0`` and a ``noise_key`` is passed; it makes each layer a
    noisy channel whose mutual information with the input is finite and well defined
    (Goldfeld et al., 2019).

    By default weights are drawn from a normal distribution with standard deviation
    :math:`1/\sqrt{\text{fan\_in}}` truncated at two standard deviations, as
    ``tf.truncated_normal`` in the reference code (the truncation leaves a standard
    deviation of :math:`0.880/\sqrt{\text{fan\_in}}`); ``kernel_init`` replaces
    that (the critics of :mod:`infojax.bounds` use ``nnx.initializers.lecun_normal()``,
    the default of ``nnx.Linear``). Biases start at zero.

    The module holds only parameters, so it works with ``nnx.split`` / ``nnx.merge``,
    under ``jax.jit``, and as a stack of models (one per seed) built with
    ``nnx.vmap`` or ``jax.vmap`` over keys. Computations run in the promoted dtype of
    the input and the parameters (``param_dtype``).

    Args:
        in_features: size of the input.
        widths: sizes of the hidden layers, in order (may be empty).
        out_features: number of logits (classes).
        activation: the hidden nonlinearity: a key of :data:`ACTIVATIONS` or a
            callable.
        noise_std: standard deviation :math:`s \ge 0` of the additive Gaussian noise
            on every hidden activation (0: no noise).
        kernel_init: initializer ``(key, shape, dtype) -> array`` of every weight
            matrix; None: the truncated normal above.
        param_dtype: dtype of the parameters (float32 by default).
        rngs: ``nnx.Rngs`` for the initial parameters (its ``params`` stream).

    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from infojax.models import MLP
        >>> model = MLP(12, (10, 7, 5, 4, 3), 2, activation="tanh", rngs=nnx.Rngs(0))
        >>> logits, hidden = model(jnp.zeros((4096, 12)))
        >>> logits.shape, [t.shape[-1] for t in hidden]
        ((4096, 2), [10, 7, 5, 4, 3])

    References:
        R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep neural networks
        via information", 2017, https://arxiv.org/abs/1703.00810.
        Z. Goldfeld et al., "Estimating information flow in deep neural networks",
        ICML 2019, https://arxiv.org/abs/1810.05728.
    """

    def __init__(
        self,
        in_features: int,
        widths: Sequence[int],
        out_features: int,
        *,
        activation: str | Callable[[jax.Array], jax.Array] = "tanh",
        noise_std: float = 0.0,
        kernel_init: nnx.Initializer | None = None,
        param_dtype=jnp.float32,
        rngs: nnx.Rngs,
    ):
        in_features = _check_positive_int(in_features, "in_features")
        out_features = _check_positive_int(out_features, "out_features")
        if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
            raise TypeError(f"`widths` must be a sequence of ints, got {widths!r}.")
        widths = tuple(_check_positive_int(width, "widths") for width in widths)
        get_activation(activation)
        if not (isinstance(noise_std, numbers.Real) and 0.0 <= noise_std < math.inf):
            raise ValueError(f"`noise_std` must be a finite number >= 0, got {noise_std!r}.")
        if not jnp.issubdtype(param_dtype, jnp.floating):
            raise TypeError(f"`param_dtype` must be a floating dtype, got {param_dtype!r}.")
        self.in_features = in_features
        self.widths = widths
        self.out_features = out_features
        self.activation = activation
        self.noise_std = float(noise_std)
        sizes = (in_features, *widths)

        def dense(fan_in: int, fan_out: int) -> nnx.Linear:
            return nnx.Linear(
                fan_in,
                fan_out,
                kernel_init=kernel_init or _fan_in_truncated_normal(fan_in),
                bias_init=nnx.initializers.zeros,
                param_dtype=param_dtype,
                rngs=rngs,
            )

        self.hidden_layers = nnx.List(
            [dense(fan_in, fan_out) for fan_in, fan_out in itertools.pairwise(sizes)]
        )
        self.output_layer = dense(sizes[-1], out_features)

    def __call__(
        self, x: ArrayLike, *, noise_key: jax.Array | None = None
    ) -> tuple[jax.Array, tuple[jax.Array, ...]]:
        """Logits and hidden activations of ``x``.

        Args:
            x: inputs of shape ``(..., in_features)`` (one example or a batch).
            noise_key: a PRNG key (jax.random.key) for the hidden-layer noise;
                ``None`` gives the noiseless network even when ``noise_std > 0``. Pass a
                fresh key on every call.

        Returns:
            ``(logits, hidden)``: logits of shape ``(..., out_features)``, and a tuple
            with one array of shape ``(..., width)`` per hidden layer, after the
            nonlinearity and the noise.

        Raises:
            ValueError: if the last axis of ``x`` is not ``in_features`` long.
        """
        nonlinearity = get_activation(self.activation)
        noisy = noise_key is not None and self.noise_std > 0 and len(self.widths) > 0
        layer_keys = jax.random.split(noise_key, len(self.widths)) if noisy else None
        activation = jnp.asarray(x)
        if activation.ndim == 0 or activation.shape[-1] != self.in_features:
            raise ValueError(
                f"`x` must have shape (..., {self.in_features}), got {activation.shape}."
            )
        hidden = []
        for index, layer in enumerate(self.hidden_layers):
            activation = nonlinearity(layer(activation))
            if noisy:
                noise = jax.random.normal(layer_keys[index], activation.shape, activation.dtype)
                activation = activation + self.noise_std * noise
            hidden.append(activation)
        return self.output_layer(activation), tuple(hidden)
