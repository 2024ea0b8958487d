"""The one-pass k-th smallest of the brute-force kernel: exact against NumPy's sort,
ties included, and bit for bit the counts of the k-round selection it replaces."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from infojax.estimators import _neighbours
from infojax.estimators import _neighbours_blocks
from infojax.estimators._neighbours_blocks import _kth_smallest_by_rounds
from infojax.estimators._neighbours_blocks import default_block_size
from infojax.estimators._neighbours_blocks import group_size
from infojax.estimators._neighbours_blocks import kth_smallest


@pytest.mark.parametrize("n", [5, 40, 333, 2000])
@pytest.mark.parametrize("k", [1, 3, 10])
@pytest.mark.parametrize("values", ["distinct", "few", "with_inf"])
def test_kth_smallest_equals_sort(n, k, values):
    if k >= n:
        pytest.skip("k < n")
    rng = np.random.default_rng(n + k)
    if values == "distinct":
        distances = rng.random((7, n))
    else:  # many ties: a handful of distinct values
        distances = rng.integers(0, 4, (7, n)).astype(float)
    if values == "with_inf":
        distances[:, : n // 2] = np.inf
        distances[0, :] = np.inf
    distances = distances.astype(np.float32)
    matrix = jnp.asarray(distances)

    def distances_at(columns):
        return jnp.take_along_axis(matrix, columns, axis=1)

    expected = np.sort(distances, axis=1)[:, k - 1]
    np.testing.assert_array_equal(kth_smallest(matrix, k, distances_at), expected)


def test_candidates_hold_the_kth_smallest_when_it_sits_in_the_last_padded_group():
    # The smallest values in the last (partly padded) group, and ties at the k-th.
    n, k = 1001, 4
    assert n % group_size(n, k) != 0
    distances = np.full((2, n), 5.0, np.float32)
    distances[0, -3:] = [1.0, 2.0, 2.0]
    distances[1, [0, 500, -1]] = [3.0, 3.0, 1.0]
    matrix = jnp.asarray(distances)
    got = kth_smallest(matrix, k, lambda c: jnp.take_along_axis(matrix, c, axis=1))
    np.testing.assert_array_equal(got, np.sort(distances, axis=1)[:, k - 1])


@pytest.mark.float64
@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("variant", [1, 2])
def test_counts_bit_for_bit_as_the_k_round_selection(monkeypatch, metric, dtype, variant):
    rng = np.random.default_rng(7)
    for n, d, k, rounded in [(900, 2, 10, True), (1200, 3, 3, False), (500, 1, 7, True)]:
        x = rng.normal(size=(n, d))
        y = x + rng.normal(size=(n, d))
        if rounded:
            x, y = np.round(x, 1), np.round(y, 1)
        x, y = jnp.asarray(x, dtype), jnp.asarray(y, dtype)
        block = default_block_size(n)

        def run(x, y, k, block):
            counts = _neighbours._ksg_counts_jax(x, y, k, variant, metric, block)
            if variant == 2:
                return [np.asarray(a) for a in counts]
            cmi = _neighbours._cmi_counts_jax(x, y, x + y, k, metric, block)
            distances = _neighbours._kl_distances_jax(x, k, metric, block)
            return [np.asarray(a) for a in (*counts, *cmi, distances)]

        new = run(x, y, k, block)
        monkeypatch.setattr(
            _neighbours, "kth_smallest", lambda dist, k, at: _kth_smallest_by_rounds(dist, k)
        )
        old = run(x, y, k, block)
        monkeypatch.setattr(_neighbours, "kth_smallest", _neighbours_blocks.kth_smallest)
        for a, b in zip(new, old, strict=True):
            np.testing.assert_array_equal(a, b)


def test_on_cpu():
    assert jax.default_backend() == "cpu"
