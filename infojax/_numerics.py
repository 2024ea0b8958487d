"""Numerics shared across infojax: gradient-safe logarithms and unit conversion."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def xlogy(x: jax.Array, y: jax.Array) -> jax.Array:
    """``x * log(y)`` with ``0 * log(anything) = 0`` and zero gradient where ``x == 0``.

    The double-``where`` keeps ``log`` away from zero in both passes, so neither the
    value nor the gradient is NaN at the boundary of the simplex.
    """
    positive = x > 0
    safe_y = jnp.where(positive, y, jnp.ones_like(y))
    return jnp.where(positive, x * jnp.log(safe_y), jnp.zeros_like(x * safe_y))


def xlogx(x: jax.Array) -> jax.Array:
    """``x * log(x)`` with ``0 log 0 = 0`` and a zero gradient at ``x = 0``."""
    return xlogy(x, x)


def to_base(value: jax.Array, base: float | None) -> jax.Array:
    """Converts nats to the unit of ``base`` (None keeps nats, 2 gives bits)."""
    if base is None:
        return value
    return value / jnp.log(jnp.asarray(base, dtype=jnp.result_type(value)))
