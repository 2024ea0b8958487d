"""Row-blocked pairwise distances and exact k-th neighbour selection in pure JAX.

The nearest-neighbour estimators never build an n x n matrix: rows are processed in
blocks of ``block_size`` query points against all n points, with ``lax.map`` over the
blocks, so memory is ``block_size * n`` per distance matrix.
"""

from __future__ import annotations

import math
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


def power_of_two_exponent(x: jax.Array) -> jax.Array:
    """The exponent e (int32 scalar) with max |x| in [2^(e-1), 2^e); 0 for all-zero x.

    ``jnp.ldexp(x, -e)`` is then ``x`` brought to unit scale exactly (a power of two
    changes only the exponent bits), so squares of it neither overflow nor underflow
    at any scale the dtype holds, and ``jnp.ldexp(d, e)`` takes a distance of the unit
    values back. Held constant under differentiation.
    """
    _, exponent = jnp.frexp(lax.stop_gradient(jnp.max(jnp.abs(x))))
    return exponent


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


def _kth_smallest_by_rounds(distances: jax.Array, k: int) -> jax.Array:
    """k rounds of a masked row minimum find the k smallest distinct values
    v_1 < ... < v_k of each row; one more pass counts c_r = #{d <= v_r} for all r at
    once (the k sums fuse into one loop), and the answer is the first v_r with
    c_r >= k. Exact with ties; cost k + 1 passes over the row."""
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


def group_size(n: int, k: int) -> int:
    """Columns per group of :func:`kth_smallest`: about 2 sqrt(n / k), which balances
    the k rounds over the n / size group minima against the k^2 size candidates."""
    return max(1, round(2 * math.sqrt(n / k)))


def kth_smallest(
    distances: jax.Array, k: int, distances_at: Callable[[jax.Array], jax.Array]
) -> jax.Array:
    """The k-th smallest entry of each row of ``distances`` (b, n), ties counted.

    ``distances_at(columns)`` must return ``distances`` at the (b, m) column indices
    ``columns`` (all < n), bit for bit: it recomputes the few candidate entries.

    On CPU, where ``lax.top_k`` and ``sort`` are slow (``top_k`` of a (52, 10^4) block
    costs 200x a row minimum), one pass over the row takes the minimum of each group
    of ``s`` consecutive columns (:func:`group_size`), and the k groups with the
    smallest minima are found by k rounds of an argmin over the n / s group minima.
    The k-th smallest of the row is the k-th smallest of the k s entries of those
    groups (exact, ties included: the chosen set holds k group minima, so its k-th
    smallest is at most t, the k-th smallest group minimum, and it holds every entry
    below t, since such an entry lies in a group whose minimum is below t, and all of
    those are chosen), which k masked row minima over those few candidates find. The
    cost is one pass over the row whatever k, plus O(k sqrt(k n)) work on candidates.
    On accelerators ``lax.top_k`` is used.
    """
    if jax.default_backend() != "cpu":
        smallest, _ = lax.top_k(-distances, k)
        return -smallest[:, k - 1]
    rows, n = distances.shape
    size = group_size(n, k)
    groups = -(-n // size)
    if groups <= k:
        return _kth_smallest_by_rounds(distances, k)
    infinity = jnp.asarray(jnp.inf, distances.dtype)
    padded = jnp.pad(distances, ((0, 0), (0, groups * size - n)), constant_values=infinity)
    minima = jnp.min(padded.reshape(rows, groups, size), axis=2)
    group_ids = jnp.arange(groups, dtype=jnp.int32)[None, :]
    chosen = []
    for _ in range(k):
        best = jnp.argmin(minima, axis=1).astype(jnp.int32)
        chosen.append(best)
        minima = jnp.where(group_ids == best[:, None], infinity, minima)
    offsets = jnp.arange(size, dtype=jnp.int32)[None, None, :]
    columns = (jnp.stack(chosen, axis=1)[:, :, None] * size + offsets).reshape(rows, k * size)
    # The last group may run past n: those columns read column n - 1 and count as inf.
    candidates = distances_at(jnp.minimum(columns, n - 1))
    candidates = jnp.where(columns < n, candidates, infinity)
    return _kth_smallest_by_rounds(candidates, k)


def chebyshev_distances_at(rows: jax.Array, points: jax.Array, columns: jax.Array) -> jax.Array:
    """:func:`chebyshev_distances` at the (b, m) ``columns`` only, bit for bit."""
    chosen = jnp.take(points, columns, axis=0)
    distances = jnp.abs(rows[:, None, 0] - chosen[:, :, 0])
    for axis in range(1, rows.shape[1]):
        distances = jnp.maximum(distances, jnp.abs(rows[:, None, axis] - chosen[:, :, axis]))
    return distances


def squared_euclidean_distances_at(
    rows: jax.Array, points: jax.Array, columns: jax.Array
) -> jax.Array:
    """:func:`squared_euclidean_distances` at the (b, m) ``columns`` only, bit for bit
    (the same operations in the same order)."""
    chosen = jnp.take(points, columns, axis=0)
    distances = jnp.square(rows[:, None, 0] - chosen[:, :, 0])
    for axis in range(1, rows.shape[1]):
        distances = distances + jnp.square(rows[:, None, axis] - chosen[:, :, axis])
    return distances


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
