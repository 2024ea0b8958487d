"""1-D and 2-D neighbour counts by sorting: bit-for-bit equal to brute force and the
KD-tree, on data with many ties and radii exactly at pairwise distances."""

import jax
import numpy as np
import pytest
import reference
import scipy.special
from scipy.spatial import cKDTree

from infojax.estimators import _neighbours_kdtree as kdtree
from infojax.estimators import ksg_conditional_mutual_information
from infojax.estimators import ksg_mutual_information
from infojax.estimators import mixed_ksg_mutual_information
from infojax.estimators._neighbours import _ksg
from infojax.estimators._neighbours import _row_multiplicities
from infojax.estimators._neighbours_sorted import _count_in_rectangles
from infojax.estimators._neighbours_sorted import count_within_1d
from infojax.estimators._neighbours_sorted import count_within_2d
from infojax.estimators._neighbours_sorted import kth_neighbour_1d

REFERENCE_RTOL = 1e-10


def brute_counts(x, radius, strict, metric):
    difference = x[:, None] - x[None, :]
    distances = np.abs(difference) if metric == "chebyshev" else np.sqrt(np.square(difference))
    np.fill_diagonal(distances, np.inf)
    inside = distances < radius[:, None] if strict else distances <= radius[:, None]
    return inside.sum(axis=1)


def tied_column(rng, kind, n):
    if kind == "grid":  # 0.1 steps: sums like 0.1 + 0.2 round away from 0.3
        return rng.integers(0, 5, n) * 0.1
    if kind == "offset_grid":
        return rng.integers(0, 4, n) * 0.1 + 0.3
    if kind == "large":  # radii tiny against the values' magnitude
        return np.round(rng.normal(size=n), 1) * 1e7
    return rng.normal(size=n)


@pytest.mark.parametrize("kind", ["grid", "offset_grid", "large", "normal"])
@pytest.mark.parametrize("radii", ["at_distances", "just_above", "zero"])
@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
@pytest.mark.parametrize("strict", [True, False])
def test_counts_equal_brute_force_at_ties_and_boundaries(kind, radii, metric, strict):
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(2, 80))
        x = tied_column(rng, kind, n)
        radius = np.abs(x - x[rng.integers(0, n, n)])  # exactly a pairwise distance
        if radii == "just_above":
            radius = np.nextafter(radius, np.inf)
        elif radii == "zero":
            radius = np.zeros(n)
        got = count_within_1d(x, radius, strict=strict, metric=metric)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, brute_counts(x, radius, strict, metric))


@pytest.mark.parametrize("strict", [True, False])
def test_counts_equal_the_kdtree(strict):
    rng = np.random.default_rng(1)
    x = np.round(rng.normal(size=5000), 2)
    radius = np.abs(x - x[rng.permutation(5000)])
    query = np.where(radius > 0, np.nextafter(radius, 0), 0.0) if strict else radius
    tree = cKDTree(x[:, None]).query_ball_point(x[:, None], query, p=np.inf, return_length=True)
    expected = np.where(radius > 0, tree - 1, 0) if strict else tree - 1
    np.testing.assert_array_equal(count_within_1d(x, radius, strict=strict), expected)


def brute_counts_2d(points, radius, strict):
    distances = np.abs(points[:, None, :] - points[None, :, :]).max(axis=-1)
    np.fill_diagonal(distances, np.inf)
    inside = distances < radius[:, None] if strict else distances <= radius[:, None]
    return inside.sum(axis=1)


@pytest.mark.parametrize("kind", ["grid", "offset_grid", "large", "normal"])
@pytest.mark.parametrize("radii", ["at_distances", "just_above", "zero"])
@pytest.mark.parametrize("strict", [True, False])
def test_2d_counts_equal_brute_force_at_ties_and_boundaries(kind, radii, strict):
    rng = np.random.default_rng(2)
    for _ in range(20):
        n = int(rng.integers(1, 80))
        points = np.stack([tied_column(rng, kind, n), tied_column(rng, kind, n)], axis=1)
        # Exactly a pairwise max-norm distance, so some points lie on the boundary.
        radius = np.abs(points - points[rng.integers(0, n, n)]).max(axis=1)
        if radii == "just_above":
            radius = np.nextafter(radius, np.inf)
        elif radii == "zero":
            radius = np.zeros(n)
        got = count_within_2d(points, radius, strict=strict)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, brute_counts_2d(points, radius, strict))


@pytest.mark.parametrize("strict", [True, False])
def test_2d_counts_equal_the_kdtree(strict):
    rng = np.random.default_rng(6)
    points = np.round(rng.normal(size=(5000, 2)), 2)
    radius = np.abs(points - points[rng.permutation(5000)]).max(axis=1)
    query = np.where(radius > 0, np.nextafter(radius, 0), 0.0) if strict else radius
    tree = cKDTree(points).query_ball_point(points, query, p=np.inf, return_length=True)
    expected = np.where(radius > 0, tree - 1, 0) if strict else tree - 1
    np.testing.assert_array_equal(count_within_2d(points, radius, strict=strict), expected)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 64, 100])
def test_rectangle_counts_equal_brute_force(n):
    # Sizes at and next to powers of two (the number of bit levels changes there),
    # empty and full ranges included.
    rng = np.random.default_rng(n)
    values = rng.permutation(n)
    start, stop = np.sort(rng.integers(0, n + 1, (2, 200)), axis=0)
    low, high = np.sort(rng.integers(0, n + 1, (2, 200)), axis=0)
    start[:3], stop[:3], low[:3], high[:3] = 0, n, 0, n
    expected = [
        np.count_nonzero((values[a:b] >= lo) & (values[a:b] < hi))
        for a, b, lo, hi in zip(start, stop, low, high, strict=True)
    ]
    got = _count_in_rectangles(values, start, stop, low, high)
    np.testing.assert_array_equal(got, expected)
    assert got[0] == n


def tree_ksg2_reference(x, y, k):
    """KSG algorithm 2 with the k neighbours the KD-tree returns (its documented rule
    at ties) and brute-force marginal counts."""
    joint = np.hstack([x, y])
    _, neighbours = cKDTree(joint, balanced_tree=True).query(joint, k=k + 1, p=np.inf)
    neighbours = neighbours[:, 1:]
    rows = np.arange(len(x))[:, None]
    eps_x = np.abs(x[:, 0][rows] - x[:, 0][neighbours]).max(1)
    eps_y = np.abs(y[:, 0][rows] - y[:, 0][neighbours]).max(1)
    n_x = brute_counts(x[:, 0], eps_x, False, "chebyshev")
    n_y = brute_counts(y[:, 0], eps_y, False, "chebyshev")
    digamma = scipy.special.digamma
    n = len(x)
    return digamma(k) - 1 / k + digamma(n) - np.mean(digamma(n_x) + digamma(n_y))


def unchecked_ksg(x, y, *, k, variant=1, metric="chebyshev", backend):
    """KSG's compiled core below the tie check, on either backend's counts: the public
    function rejects these tied grids eagerly and gives NaN under jit (documented)."""
    x, y = np.asarray(x), np.asarray(y)
    counts = kdtree.ksg_counts(x, y, k, variant, metric) if backend == "kdtree" else None
    return _ksg(x, y, counts, k=k, variant=variant, metric=metric, block_size=64)


@pytest.mark.float64
@pytest.mark.parametrize("backend", ["jax", "kdtree"])
@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
def test_ksg_with_1d_sides_on_tied_grid_matches_reference_under_jit(backend, metric):
    # Many equal marginal distances and duplicate points: the counts of both backends
    # are exact on them (the public function refuses ties; see unchecked_ksg).
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=(300, 1)), 1)
    y = np.round(x + rng.normal(size=(300, 1)), 1)
    expected = reference.ksg_reference(x, y, 4, metric=metric)
    got = unchecked_ksg(x, y, k=4, metric=metric, backend=backend)
    np.testing.assert_allclose(got, expected, rtol=REFERENCE_RTOL)
    tied = jax.jit(lambda a, b: ksg_mutual_information(a, b, k=4, metric=metric, backend=backend))
    assert np.isnan(tied(x, y))


@pytest.mark.float64
@pytest.mark.parametrize("variant", [1, 2])
def test_ksg_with_2d_sides_on_tied_grid_matches_reference_under_jit(variant):
    # Variant 1 counts strictly inside the joint k-th distance, variant 2 within each
    # side's own distance (<=); on a 0.5-grid many points sit exactly on both.
    rng = np.random.default_rng(7)
    x = np.round(2 * rng.normal(size=(300, 2))) / 2
    y = np.round(2 * (x + rng.normal(size=(300, 2)))) / 2
    if variant == 1:
        expected = reference.ksg_reference(x, y, 4)
    else:  # the tie rule of the tree's k neighbours, as for 1-D sides
        expected = tree_ksg2_reference_2d(x, y, 4)
    got = unchecked_ksg(x, y, k=4, variant=variant, backend="kdtree")
    np.testing.assert_allclose(got, expected, rtol=REFERENCE_RTOL)


def tree_ksg2_reference_2d(x, y, k):
    joint = np.hstack([x, y])
    _, neighbours = cKDTree(joint, balanced_tree=True).query(joint, k=k + 1, p=np.inf)
    neighbours = neighbours[:, 1:]
    eps_x = np.abs(x[:, None, :] - x[neighbours]).max(axis=(1, 2))
    eps_y = np.abs(y[:, None, :] - y[neighbours]).max(axis=(1, 2))
    n_x = brute_counts_2d(x, eps_x, False)
    n_y = brute_counts_2d(y, eps_y, False)
    digamma = scipy.special.digamma
    n = len(x)
    return digamma(k) - 1 / k + digamma(n) - np.mean(digamma(n_x) + digamma(n_y))


@pytest.mark.float64
def test_ksg2_kdtree_with_1d_sides_on_tied_grid():
    rng = np.random.default_rng(4)
    x = np.round(rng.normal(size=(300, 1)), 1)
    y = np.round(x + rng.normal(size=(300, 1)), 1)
    got = unchecked_ksg(x, y, k=4, variant=2, backend="kdtree")
    np.testing.assert_allclose(got, tree_ksg2_reference(x, y, 4), rtol=REFERENCE_RTOL)


@pytest.mark.float64
def test_cmi_and_mixed_with_1d_sides_match_reference():
    # Also the 2-D counts: (x, z) and (y, z) for CMI, the joint ties of the mixed KSG.
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 3, 400)
    x = labels.astype(float)
    y = np.round(labels + rng.normal(size=400))
    got = mixed_ksg_mutual_information(x, y, k=3, backend="kdtree")
    np.testing.assert_allclose(got, reference.mixed_ksg_reference(x, y, 3), rtol=REFERENCE_RTOL)
    x, y, z = rng.normal(size=(3, 400))
    got = ksg_conditional_mutual_information(x, y, z, k=3, backend="kdtree")
    np.testing.assert_allclose(got, reference.ksg_cmi_reference(x, y, z, 3), rtol=REFERENCE_RTOL)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_row_multiplicities_equal_numpy_unique(d):
    rng = np.random.default_rng(d)
    x = rng.integers(-2, 3, (500, d)).astype(float)
    x[:7] = -0.0  # -0.0 and 0.0 are one point
    expected = np.unique(x + 0.0, axis=0, return_counts=True)[1]
    # The order of the distinct rows may differ (np.unique sorts their bytes).
    np.testing.assert_array_equal(np.sort(_row_multiplicities(x)), np.sort(expected))


@pytest.mark.parametrize("kind", ["grid", "offset_grid", "large", "normal"])
@pytest.mark.parametrize("k", [1, 3, 10])
def test_kth_neighbour_distance_equals_brute_force(kind, k):
    rng = np.random.default_rng(k)
    for _ in range(10):
        n = int(rng.integers(k + 1, 200))
        x = tied_column(rng, kind, n)
        distances = np.abs(x[:, None] - x[None, :])
        np.fill_diagonal(distances, np.inf)
        expected = np.sort(distances, axis=1)[:, k - 1]
        neighbours = kth_neighbour_1d(x, k)
        assert np.all(neighbours != np.arange(n))
        np.testing.assert_array_equal(np.abs(x - x[neighbours]), expected)
