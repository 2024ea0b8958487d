"""The task record: a sampler with its true mutual information and its densities."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from infojax._validation import check_key
from infojax._validation import check_positive_int
from infojax._validation import check_same_length

# ``sampler(key, n, dtype) -> (x, y)`` with x of shape (n, dim_x), y of shape (n, dim_y).
Sampler = Callable[[jax.Array, int, Any], tuple[jax.Array, jax.Array]]
# ``log_density(x, y) -> (log p(x, y), log p(x), log p(y))`` for one pair of rows.
LogDensity = Callable[[jax.Array, jax.Array], tuple[jax.Array, jax.Array, jax.Array]]

TAILS = ("light", "heavy", "bounded")


@dataclasses.dataclass(frozen=True, eq=False)
class Task:
    """A joint distribution of ``(X, Y)`` with known mutual information.

    Attributes:
      name: unique, readable name, e.g. ``"normal-dense-5x5-rho0.5"``.
      family: the distribution before transforms: ``"normal"``, ``"student_t"``,
        ``"gaussian_channel"``, ``"additive_uniform"`` or ``"discrete_continuous"``.
      dim_x: columns of ``x``.
      dim_y: columns of ``y``.
      mutual_information: the true :math:`I(X; Y)` in nats (a Python float).
      sampler: ``sampler(key, n, dtype) -> (x, y)``; use :meth:`sample`.
      log_density: ``(x_row, y_row) -> (log p(x, y), log p(x), log p(y))`` for one
        pair of rows; densities are with respect to Lebesgue measure (counting
        measure for a discrete ``x``; the length element of the curve for a Swiss-roll
        embedding). Use :meth:`log_densities` on batches.
      tails: ``"light"`` (Gaussian-like), ``"heavy"`` (polynomial tails) or
        ``"bounded"`` (compact support).
      x_discrete: ``x`` holds integer symbols.
      transforms: names of the MI-preserving maps applied, as ``("asinh-x", ...)``.
      params: the parameters the task was built from, for tables.
    """

    name: str
    family: str
    dim_x: int
    dim_y: int
    mutual_information: float
    sampler: Sampler = dataclasses.field(repr=False)
    log_density: LogDensity = dataclasses.field(repr=False)
    tails: str = "light"
    x_discrete: bool = False
    transforms: tuple[str, ...] = ()
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if self.tails not in TAILS:
            raise ValueError(f"`tails` must be one of {TAILS}, got {self.tails!r}.")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        # Compiled once per task; inside a caller's jit these inline.
        object.__setattr__(self, "_sample", jax.jit(self.sampler, static_argnums=(1, 2)))
        object.__setattr__(self, "_log_densities", jax.jit(jax.vmap(self.log_density)))

    def sample(self, key: jax.Array, n: int, *, dtype=None) -> tuple[jax.Array, jax.Array]:
        """Draws ``n`` independent pairs.

        Pure: jit it with ``n`` static (``jax.jit(task.sample, static_argnums=1)``) and
        vmap it over keys.

        Args:
          key: a PRNG key (jax.random.key).
          n: number of pairs (static).
          dtype: float dtype of the continuous samples; None: JAX's default float
            (float64 when x64 is enabled). A discrete ``x`` is JAX's default int.

        Returns:
          ``(x, y)`` of shapes ``(n, dim_x)`` and ``(n, dim_y)``.
        """
        key = check_key(key)
        check_positive_int(n, "n")
        dtype = jnp.dtype(float) if dtype is None else jnp.dtype(dtype)
        if not jnp.issubdtype(dtype, jnp.floating):
            raise TypeError(f"`dtype` must be a floating dtype, got {dtype}.")
        return self._sample(key, n, jax.dtypes.canonicalize_dtype(dtype))

    def log_densities(self, x: ArrayLike, y: ArrayLike) -> tuple[jax.Array, jax.Array, jax.Array]:
        """``(log p(x, y), log p(x), log p(y))`` row by row, each of shape ``(n,)``.

        Args:
          x: shape ``(n, dim_x)``.
          y: shape ``(n, dim_y)``.
        """
        x, y = self._rows(x, y)
        return self._log_densities(x, y)

    def pointwise_mutual_information(self, x: ArrayLike, y: ArrayLike) -> jax.Array:
        r"""Pointwise MI :math:`\log p(x, y) - \log p(x) - \log p(y)`, shape ``(n,)``.

        Its mean under the task's distribution is :attr:`mutual_information` (nats).
        """
        log_joint, log_x, log_y = self.log_densities(x, y)
        return log_joint - log_x - log_y

    def _rows(self, x: ArrayLike, y: ArrayLike) -> tuple[jax.Array, jax.Array]:
        x = jnp.asarray(x)
        y = jnp.asarray(y)
        if not self.x_discrete and not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(jnp.result_type(float))
        if not jnp.issubdtype(y.dtype, jnp.floating):
            y = y.astype(jnp.result_type(float))
        for array, name, dim in ((x, "x", self.dim_x), (y, "y", self.dim_y)):
            if array.ndim != 2 or array.shape[1] != dim:
                raise ValueError(
                    f"`{name}` must have shape (n, {dim}) for task {self.name!r}, "
                    f"got {array.shape}."
                )
        check_same_length((x, "x"), (y, "y"))
        return x, y
