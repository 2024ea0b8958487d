"""Critics f(x, y) and the variational conditional q(y|x), as Flax NNX modules.

A critic scores one pair: ``critic(x, y)`` with ``x`` of shape ``(..., dim_x)`` and
``y`` of shape ``(..., dim_y)`` returns ``(...)``, broadcasting the leading axes, so
``critic(x[:, None], y[None])`` is the ``(n, n)`` score matrix. :func:`score_matrix`
does that (with a matrix product where the critic offers one).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx
from jax.typing import ArrayLike

from infojax.models import MLP
from infojax.models import get_activation

# nnx.Linear's default: a truncated normal of variance 1 / fan_in.
_KERNEL_INIT = nnx.initializers.lecun_normal()


def _check_sizes(hidden_sizes: Sequence[int], *, allow_empty: bool = True) -> tuple[int, ...]:
    sizes = tuple(hidden_sizes)
    if not allow_empty and not sizes:
        raise ValueError("`hidden_sizes` must name at least one hidden layer.")
    if any(not isinstance(s, int) or isinstance(s, bool) or s < 1 for s in sizes):
        raise ValueError(f"`hidden_sizes` must be positive ints, got {hidden_sizes!r}.")
    return sizes


def _check_dim(value: int, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"`{name}` must be a positive int, got {value!r}.")


def _mlp(
    in_features: int,
    hidden_sizes: Sequence[int],
    out_features: int,
    *,
    activation: str | Callable,
    param_dtype: Any,
    rngs: nnx.Rngs,
) -> MLP:
    """An :class:`infojax.models.MLP` with ``nnx.Linear``'s LeCun-normal initial weights."""
    return MLP(
        in_features,
        _check_sizes(hidden_sizes),
        out_features,
        activation=activation,
        kernel_init=_KERNEL_INIT,
        param_dtype=param_dtype,
        rngs=rngs,
    )


class SeparableCritic(nnx.Module):
    r"""Separable critic ``f(x, y) = g(x)^T h(y)`` with MLP embeddings ``g`` and ``h``.

    Cheap: the ``(n, n)`` score matrix is one matrix product of ``n`` embeddings each.

    Args:
      dim_x, dim_y: dimensions of ``x`` and ``y``.
      hidden_sizes: hidden widths of both embedding MLPs.
      embedding_dim: size of ``g(x)`` and ``h(y)``.
      activation: name in :data:`infojax.models.ACTIVATIONS` or a callable.
      param_dtype: dtype of the weights.
      rngs: random streams (keyword-only).

    References:
      Poole et al. (2019), https://arxiv.org/abs/1905.06922 (separable critic).
    """

    def __init__(
        self,
        dim_x: int,
        dim_y: int,
        *,
        hidden_sizes: Sequence[int] = (128, 128),
        embedding_dim: int = 32,
        activation: str | Callable = "relu",
        param_dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        _check_dim(dim_x, "dim_x")
        _check_dim(dim_y, "dim_y")
        _check_dim(embedding_dim, "embedding_dim")
        options = dict(activation=activation, param_dtype=param_dtype, rngs=rngs)
        self.embed_x = _mlp(dim_x, hidden_sizes, embedding_dim, **options)
        self.embed_y = _mlp(dim_y, hidden_sizes, embedding_dim, **options)

    def _embeddings(self, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
        (g, _), (h, _) = self.embed_x(x), self.embed_y(y)
        return g, h

    def __call__(self, x: jax.Array, y: jax.Array) -> jax.Array:
        g, h = self._embeddings(x, y)
        return jnp.sum(g * h, axis=-1)

    def score_matrix(self, x: jax.Array, y: jax.Array) -> jax.Array:
        g, h = self._embeddings(x, y)
        return g @ h.T


class ConcatenatedCritic(nnx.Module):
    r"""Joint critic ``f(x, y) = MLP([x, y])`` on the concatenated pair.

    The first layer ``W [x; y] + b`` is computed as ``W_x x + (W_y y + b)``, the same
    map, so a score matrix costs ``n (dim_x + dim_y)`` first-layer products, not ``n^2``.

    Args:
      dim_x, dim_y: dimensions of ``x`` and ``y``.
      hidden_sizes: hidden widths (at least one layer).
      activation: name in :data:`infojax.models.ACTIVATIONS` or a callable.
      param_dtype: dtype of the weights.
      rngs: random streams (keyword-only).

    References:
      Belghazi et al. (2018), https://arxiv.org/abs/1801.04062 ; Poole et al. (2019).
    """

    def __init__(
        self,
        dim_x: int,
        dim_y: int,
        *,
        hidden_sizes: Sequence[int] = (128, 128),
        activation: str | Callable = "relu",
        param_dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        _check_dim(dim_x, "dim_x")
        _check_dim(dim_y, "dim_y")
        first, *rest = _check_sizes(hidden_sizes, allow_empty=False)
        self.first_layer = nnx.Linear(dim_x + dim_y, first, param_dtype=param_dtype, rngs=rngs)
        self.dim_x = dim_x
        self.head = _mlp(first, rest, 1, activation=activation, param_dtype=param_dtype, rngs=rngs)
        self.activation = get_activation(activation)

    def __call__(self, x: jax.Array, y: jax.Array) -> jax.Array:
        kernel = self.first_layer.kernel[...]
        bias = self.first_layer.bias[...]
        pre_activation = x @ kernel[: self.dim_x] + (y @ kernel[self.dim_x :] + bias)
        output, _ = self.head(self.activation(pre_activation))
        return output[..., 0]


class BilinearCritic(nnx.Module):
    r"""Bilinear critic ``f(x, y) = x^T W y``.

    Args:
      dim_x, dim_y: dimensions of ``x`` and ``y``.
      param_dtype: dtype of ``W``.
      rngs: random streams (keyword-only).
    """

    def __init__(self, dim_x: int, dim_y: int, *, param_dtype: Any = jnp.float32, rngs: nnx.Rngs):
        _check_dim(dim_x, "dim_x")
        _check_dim(dim_y, "dim_y")
        initializer = nnx.initializers.lecun_normal()
        self.weight = nnx.Param(initializer(rngs.params(), (dim_x, dim_y), param_dtype))

    def __call__(self, x: jax.Array, y: jax.Array) -> jax.Array:
        return jnp.sum((x @ self.weight[...]) * y, axis=-1)

    def score_matrix(self, x: jax.Array, y: jax.Array) -> jax.Array:
        return x @ self.weight[...] @ y.T


class GaussianConditional(nnx.Module):
    r"""Variational conditional ``q(y|x) = N(y; μ(x), diag σ²(x))`` for CLUB.

    ``μ`` and ``log σ²`` are MLPs of ``x`` (the CLUB code squashes ``log σ²`` by ``tanh``;
    here it is free, so conditionals narrower than ``σ² = 1/e`` can be fitted). Calling
    it on a pair returns

    .. math::
        \log q(y|x) = -\frac{1}{2} \sum_k \Big( \frac{(y_k - μ_k(x))^2}{σ_k^2(x)}
                      + \log σ_k^2(x) + \log 2π \Big)

    Args:
      dim_x, dim_y: dimensions of ``x`` and ``y``.
      hidden_sizes: hidden widths of both MLPs.
      activation: name in :data:`infojax.models.ACTIVATIONS` or a callable.
      param_dtype: dtype of the weights.
      rngs: random streams (keyword-only).

    References:
      Cheng et al. (2020), https://arxiv.org/abs/2006.12013
    """

    def __init__(
        self,
        dim_x: int,
        dim_y: int,
        *,
        hidden_sizes: Sequence[int] = (128,),
        activation: str | Callable = "relu",
        param_dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        _check_dim(dim_x, "dim_x")
        _check_dim(dim_y, "dim_y")
        options = dict(activation=activation, param_dtype=param_dtype, rngs=rngs)
        self.mean = _mlp(dim_x, hidden_sizes, dim_y, **options)
        self.log_variance = _mlp(dim_x, hidden_sizes, dim_y, **options)

    def __call__(self, x: jax.Array, y: jax.Array) -> jax.Array:
        mean, _ = self.mean(x)
        log_variance, _ = self.log_variance(x)
        squared = (y - mean) ** 2 * jnp.exp(-log_variance)
        log_two_pi = jnp.log(2 * jnp.asarray(math.pi, squared.dtype))
        return -0.5 * jnp.sum(squared + log_variance + log_two_pi, axis=-1)


def score_matrix(critic: Callable[[jax.Array, jax.Array], jax.Array], x: ArrayLike, y: ArrayLike):
    """The ``(n, m)`` matrix ``scores[i, j] = critic(x[i], y[j])``.

    Uses the critic's own ``score_matrix`` method where it has one (a matrix product
    for separable and bilinear critics), otherwise broadcasts ``critic(x[:, None],
    y[None])``; both equal the per-pair scores.

    Args:
      critic: a critic module or any function scoring one pair with broadcasting.
      x: ``(n, dim_x)`` samples.
      y: ``(m, dim_y)`` samples.

    Returns:
      ``(n, m)`` scores.
    """
    x = jnp.asarray(x)
    y = jnp.asarray(y)
    if x.ndim != 2 or y.ndim != 2:
        raise ValueError(f"`x` and `y` must have shape (n, d), got {x.shape} and {y.shape}.")
    pairwise = getattr(critic, "score_matrix", None)
    if pairwise is not None:
        return pairwise(x, y)
    return critic(x[:, None, :], y[None, :, :])


CRITICS: Mapping[str, type[nnx.Module]] = MappingProxyType(
    {
        "separable": SeparableCritic,
        "concatenated": ConcatenatedCritic,
        "bilinear": BilinearCritic,
        "gaussian_conditional": GaussianConditional,
    }
)
"""Critic classes by name; each is built as ``cls(dim_x, dim_y, **options, rngs=rngs)``."""

CONDITIONAL_MODELS = frozenset({"gaussian_conditional"})
"""Names in :data:`CRITICS` that return ``log q(y|x)`` (for CLUB) rather than a score."""
