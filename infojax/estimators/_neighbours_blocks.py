"""Row-blocked pairwise distances and exact k-th neighbour selection in pure JAX.

The nearest-neighbour estimators never build an n x n matrix: rows are processed in
blocks of ``block_size`` query points against all n points, with ``lax.map`` over the
blocks, so memory is ``block_size * n`` per distance matrix.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import lax

# About this many distances per block (4 MiB in float64): small blocks stay in cache,
# which on CPU is faster than large ones.
_BLOCK_ELEMENTS = 2**19


def default_block_size(n: int) -> int:
    """Rows per block: about half a million distances, at least 8 rows, at most n."""
    return int(min(n, max(8, _BLOCK_ELEMENTS // max(n, 1))))


def check_block_size(block_size: int | None, n: int) -> int:
    """``block_size`` as a positive int (None picks :func:`default_block_size`)."""
    if block_size is None:
        return default_block_size(n)
    if not isinstance(block_size, int) or isinstance(block_size, bool):
        raise TypeError(f"`block_size` must be a Python int or None, got {block_size!r}.")
    if block_size < 1:
        raise ValueError(f"`block_size` must be >= 1, got {block_size}.")
    return min(block_size, n)


def chebyshev_distances(rows: jax.Array, points: jax.Array) -> jax.Array:
    """Max-norm distances, shape (b, n), between ``rows`` (b, d) and ``points`` (n, d).

    A running maximum over the d coordinates (an unrolled loop of elementwise ops)
    fuses into one pass on CPU, where a reduction over a trailing axis of length d
    would not.
    """
    distances = jnp.abs(rows[:, None, 0] - points[None, :, 0])
    for axis in range(1, rows.shape[1]):
        distances = jnp.maximum(distances, jnp.abs(rows[:, None, axis] - points[None, :, axis]))
    return distances


def squared_euclidean_distances(rows: jax.Array, points: jax.Array) -> jax.Array:
    """Squared Euclidean distances, shape (b, n), computed from differences.

    Differences rather than the ``|a|^2 + |b|^2 - 2 a.b`` expansion keep the small
    distances that decide the nearest neighbours exact to rounding.
    """
    distances = jnp.square(rows[:, None, 0] - points[None, :, 0])
    for axis in range(1, rows.shape[1]):
        distances = distances + jnp.square(rows[:, None, axis] - points[None, :, axis])
    return distances


def kth_smallest(distances: jax.Array, k: int) -> jax.Array:
    """The k-th smallest entry of each row of ``distances`` (b, n), ties counted.

    On CPU, ``lax.top_k`` and ``sort`` are slow, so k rounds of a masked row minimum
    find the k smallest distinct values v_1 < ... < v_k of each row; one more pass
    counts c_r = #{d <= v_r} for all r at once (the k sums fuse into one loop), and the
    answer is the first v_r with c_r >= k. This is exact with ties (duplicate points).
    On accelerators ``lax.top_k`` is used.
    """
    if jax.default_backend() != "cpu":
        smallest, _ = lax.top_k(-distances, k)
        return -smallest[:, k - 1]
    infinity = jnp.asarray(jnp.inf, distances.dtype)
    values = [jnp.min(distances, axis=1)]
    for _ in range(k - 1):
        above = distances > values[-1][:, None]
        values.append(jnp.min(jnp.where(above, distances, infinity), axis=1))
    kth = values[-1]
    for value in reversed(values[:-1]):
        count = jnp.sum(distances <= value[:, None], axis=1, dtype=jnp.int32)
        kth = jnp.where(count >= k, value, kth)
    return kth


def map_row_blocks(
    block_fn: Callable[[jax.Array], tuple[jax.Array, ...]], n: int, block_size: int
) -> tuple[jax.Array, ...]:
    """Per-row results of ``block_fn(row_indices)`` over all n rows, block by block.

    ``block_fn`` takes the (block_size,) row indices of one block (the last block is
    padded with indices >= n, whose results are dropped) and returns a tuple of
    (block_size,) arrays.
    """
    n_blocks = -(-n // block_size)
    indices = jnp.arange(n_blocks * block_size, dtype=jnp.int32).reshape(n_blocks, block_size)
    results = lax.map(block_fn, indices)
    return tuple(r.reshape(-1)[:n] for r in results)


def take_rows(points: jax.Array, row_indices: jax.Array) -> jax.Array:
    """Rows of ``points`` at ``row_indices``; padding indices >= n read the last row."""
    return jnp.take(points, row_indices, axis=0, mode="clip")


def self_mask(row_indices: jax.Array, n: int) -> jax.Array:
    """Boolean (b, n) mask that is True where the column is the query row itself."""
    return row_indices[:, None] == jnp.arange(n, dtype=row_indices.dtype)[None, :]
