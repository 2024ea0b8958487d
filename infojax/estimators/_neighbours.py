r"""Nearest-neighbour estimators: Kozachenko-Leonenko entropy, KSG mutual information,
Frenzel-Pompe conditional mutual information and the mixed KSG estimator of Gao et al.

Metric. ``metric`` sets the norm within each sample argument (each "side": x, y, z):
``"chebyshev"`` (the max-norm, the default, as in Kraskov et al. 2004) or
``"euclidean"``. Distances in a joint space of several sides are always the largest
of the sides' distances, as KSG requires (the marginal balls are then the projections
of the joint ball), so ``"chebyshev"`` is the max-norm over all coordinates and
``"euclidean"`` is :math:`\max(\|x_i - x_j\|_2, \|y_i - y_j\|_2)`, the default of
the benchmark-mi library (reported to be more accurate on high-dimensional sparse
dependence). Euclidean distances within a side are measured after dividing the side
by the power of two nearest its largest absolute value (exact) and multiplied back,
so no squared difference overflows or underflows: every estimate is the same at any
scale the dtype holds (entropies shift by exactly d log c when x is scaled by c).
:func:`mixed_ksg_mutual_information` is max-norm only. On the KD-tree
backend the Euclidean variant finds each joint k-th neighbour and each count among
the candidates of a Euclidean ball :math:`\sqrt{m}` times larger (m sides; it
contains every point within the mixed distance) and measures the candidates with the
formula of the JAX path, so both backends count the same points; it is slower than
the max-norm KD-tree path.

Backends. Two exact implementations give the same per-point statistics (in float32
up to rounding: the KD-tree measures float32 samples in float64 on the host, where a
difference of two samples is exact, so a distance that float32 rounds onto a radius
can be counted on one backend and not the other; float64 samples agree exactly):

* ``"jax"``: pure JAX in row blocks of ``block_size`` query points against all n
  points (memory ``block_size * n`` per distance matrix, never n x n). Works under
  ``jit``, ``vmap`` and on accelerators. On CPU (where ``lax.top_k`` is slow) the
  k-th neighbour comes from one pass of group minima over each row and a few
  candidates (``kth_smallest`` in ``_neighbours_blocks``), so the cost grows little
  with k; elsewhere from ``lax.top_k``.
* ``"kdtree"``: scipy's ``cKDTree`` on the host, called directly on concrete input and
  through ``jax.pure_callback`` under a trace, with max-norm counts within a side of
  one or two dimensions by sorting instead of a tree. Works under ``jit`` and
  ``vmap`` (one callback per batch, which shares the sample sets out over host
  threads); its counts and neighbour indices carry no gradient (KSG's counts have
  a zero derivative anyway), and the Kozachenko-Leonenko distances are measured in JAX
  from the neighbours it finds, so gradients flow through them as on ``"jax"``.

Block size. ``block_size=None`` picks about half a million distances per block
(``max(8, 2**19 // n)`` rows): small blocks stay in cache, which on CPU is faster than
large ones. Under ``vmap`` a block holds ``batch * block_size * n`` distances, so pass
a smaller ``block_size`` there.

``backend="auto"`` picks ``"jax"`` on accelerators and, on CPU, whichever backend a
cost table measured on this library's benchmark says is faster for n samples in the
joint dimension of the search (``KSG_KDTREE_FROM``, ``KL_KDTREE_FROM``: the smallest n
that takes the KD-tree at each joint dimension; above the last dimension listed, the
brute force). This holds for traced inputs too (under ``jit``, ``vmap``, ``grad``).
The Euclidean KSG and CMI keep the brute force under ``"auto"`` (the tree's mixed
Euclidean distances are slow).

Ties and integer data. The estimators of continuous densities (:func:`kl_entropy`,
:func:`ksg_mutual_information`, :func:`ksg_conditional_mutual_information`) assume that
no two samples coincide. On concrete inputs each sample argument is checked, and tied
rows raise a ``ValueError`` that counts them and names the remedies, when they would
change the estimate materially:

* some row occurs more than k times: its k-th neighbour distance is 0, which makes the
  Kozachenko-Leonenko entropy ``-inf`` and the KSG counts degenerate (two independent
  integer variables with values 0..4 gave 5.0 nats instead of 0); or
* more than 1% of the rows (``TIE_FRACTION``) equal another row: each tie shortens a
  neighbour distance to 0. Duplicating 1% of the rows of 2000 Gaussian samples (in
  pairs) moved the entropy by -0.005 and KSG by +0.004 nats, below the sampling error.

Fewer, isolated ties pass: float32 rounding alone produces some (10 of 10^4 standard
normal float32 values from ``jax.random.normal`` repeat another), and they are counted
exactly as described below. Integer or boolean inputs are a ``TypeError``: they are
discrete data. The remedies are a discrete estimator (``discrete_mutual_information``,
``discrete_entropy``), :func:`mixed_ksg_mutual_information`, which is built for ties,
or ``jitter``: noise of standard deviation ``jitter * max(std(x_j), mean|x_j|)`` added
to each column ``x_j`` of each argument, drawn from ``key`` (a separate key for each
argument). That column scale is the rule of scikit-learn's ``mutual_info_regression``
(which uses ``jitter = 1e-10``); NPEET adds uniform noise of absolute size 1e-10. With
``jitter`` integer inputs are promoted to the default float dtype first, and the tie
check runs on the jittered values. Float32 cannot hold noise of 1e-10 (``jitter`` below
64 float epsilons is an error); 1e-3 separates a few hundred copies of a value of the
order of its column scale, so prefer float64 for large discrete samples. ``jitter``
works under ``jit`` and ``vmap``. Under a caller's ``jit`` or ``vmap`` the error
cannot be raised: the same rules (and the constant-column and NaN checks) are
evaluated inside the graph instead, by a sort of each argument's rows and a
comparison of neighbouring ones, and the estimate is NaN where a concrete call would
raise, so a jitted pipeline sees an invalid number rather than a plausible one.

Exact tie handling (what happens when the check does not run or ties are few):
duplicate points are handled exactly, with no hidden jitter: the k-th neighbour
distance counts ties with multiplicity and the point itself is never its own neighbour.
Counts use the strict inequality ``d < eps`` where the paper does (KSG algorithm 1,
Frenzel-Pompe) and ``d <= eps`` where the paper does (KSG algorithm 2).
"""

from __future__ import annotations

import functools
import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy.special import digamma
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._registry import register_estimator
from infojax._validation import as_samples
from infojax._validation import check_base
from infojax._validation import check_key
from infojax._validation import check_neighbours
from infojax._validation import check_not_constant
from infojax._validation import check_numeric
from infojax._validation import check_same_length
from infojax._validation import is_concrete
from infojax.estimators import _neighbours_kdtree as kdtree
from infojax.estimators._neighbours_blocks import chebyshev_distances
from infojax.estimators._neighbours_blocks import chebyshev_distances_at
from infojax.estimators._neighbours_blocks import check_block_size
from infojax.estimators._neighbours_blocks import kth_smallest
from infojax.estimators._neighbours_blocks import map_row_blocks
from infojax.estimators._neighbours_blocks import power_of_two_exponent
from infojax.estimators._neighbours_blocks import self_mask
from infojax.estimators._neighbours_blocks import squared_euclidean_distances
from infojax.estimators._neighbours_blocks import squared_euclidean_distances_at
from infojax.estimators._neighbours_blocks import take_rows

BACKENDS = ("auto", "jax", "kdtree")
METRICS = ("chebyshev", "euclidean")

# ``backend="auto"`` on CPU: the KD-tree from this many samples on, by joint dimension
# (the dimension of the space the k-th neighbour is searched in), between the rows
# interpolated geometrically in n and linearly in the dimension; above the last row the
# brute force always. The brute force costs about n^2 (its time grows 100x per 10x n),
# the tree about n^1.0-1.3 at low dimension but its radius counts grow fast with the
# dimension of the marginal spaces, so the crossover n rises with the dimension.
# Calibrated with ``python -m experiments.bench_estimators --calibrate`` on 2 CPU cores
# (the times of both backends at n in {1e3, 3e3, 1e4, 3e4}, d per side in {1, 2, 5,
# 10}, k in {3, 10}, balanced trees; each entry is where the time ratio of the two
# backends crosses 1, interpolated geometrically between the measured sizes, or
# extrapolated along those slopes where the tree was slower at 3e4). k moves the
# crossover by less than 2x, in no consistent direction (KSG at 2 + 2 dimensions,
# since its 2-D counts are rectangle counts: 2,200 at k = 3, 1,300 at k = 10; KL at
# d = 10: 4,300 and 6,500), and near it the two backends are within 20 % of each
# other, so the table does not depend on k.
# KSG, Frenzel-Pompe CMI and mixed KSG (counts in the marginal spaces; 1-D marginal
# counts come from a sort, which makes d = 1 per side cheap on the tree):
KSG_KDTREE_FROM = ((2, 1_000), (4, 2_000), (10, 100_000))
# Kozachenko-Leonenko (one k-NN query, no counts: the tree wins early up to d = 10):
KL_KDTREE_FROM = ((1, 500), (5, 1_500), (10, 6_000))


def _ksg_table(metric: str):
    # The tree's mixed Euclidean distances go through candidate lists, much slower than
    # the max-norm tree: "auto" keeps the brute force for them.
    return KSG_KDTREE_FROM if metric == "chebyshev" else ()


def kdtree_threshold(joint_dim: int, table) -> float:
    """Smallest n at which ``backend="auto"`` takes the KD-tree (inf: never)."""
    if not table:
        return math.inf
    dims = [row[0] for row in table]
    if joint_dim <= dims[0]:
        return float(table[0][1])
    if joint_dim in dims:
        return float(table[dims.index(joint_dim)][1])
    if joint_dim > dims[-1]:
        return math.inf
    for (d0, n0), (d1, n1) in itertools.pairwise(table):
        if joint_dim <= d1:
            fraction = (joint_dim - d0) / (d1 - d0)
            return math.exp((1 - fraction) * math.log(n0) + fraction * math.log(n1))
    raise AssertionError("unreachable")


def _resolve_backend(backend: str, n: int, joint_dim: int, *, table=KSG_KDTREE_FROM) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"`backend` must be one of {BACKENDS}, got {backend!r}.")
    if backend != "auto":
        return backend
    if jax.default_backend() != "cpu":
        return "jax"
    return "kdtree" if n >= kdtree_threshold(joint_dim, table) else "jax"


def _prepare(
    named: list[tuple[ArrayLike, str]],
    k: int,
    base,
    *,
    continuous: bool,
    jitter: float | None = None,
    key: ArrayLike | None = None,
):
    """Validated 2-D sample arrays of one common float dtype.

    For the estimators of continuous densities (``continuous``): integer inputs are an
    error unless ``jitter`` is given, ``jitter`` is added, and then concrete inputs are
    checked for ties (see the module docstring).
    """
    raw = []
    for a, name in named:
        check_numeric(a, name)
        raw.append(jnp.asarray(a))
    if continuous and jitter is None:
        for a, (_, name) in zip(raw, named, strict=True):
            if jnp.issubdtype(a.dtype, jnp.integer) or a.dtype == jnp.bool_:
                raise TypeError(
                    f"`{name}` has dtype {a.dtype}: integer or boolean data are discrete, and this "
                    f"estimator assumes samples of a continuous distribution (no ties). "
                    f"Remedies: {_REMEDIES}."
                )
    # The common dtype comes from the floating inputs, before integer labels are promoted,
    # so float32 features with int32 labels stay float32 (as jnp.result_type has it).
    dtype = jnp.result_type(*raw)
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.result_type(float)
    arrays = [as_samples(a, name) for a, (_, name) in zip(raw, named, strict=True)]
    check_same_length(*zip(arrays, [name for _, name in named], strict=True))
    check_neighbours(k, arrays[0].shape[0])
    check_base(base)
    if continuous:
        for array, (_, name) in zip(arrays, named, strict=True):
            check_not_constant(array, name)
    arrays = [a if a.dtype == dtype else a.astype(dtype) for a in arrays]
    if jitter is None:
        if key is not None:
            raise ValueError("`key` is only used with `jitter`; pass `jitter` too, or drop `key`.")
    else:
        _check_jitter(jitter, dtype)
        if key is None:
            raise ValueError("`jitter` draws noise and needs `key`, e.g. key=jax.random.key(0).")
        arrays = _add_jitter(arrays, jitter, check_key(key))
    if continuous:
        for array, (_, name) in zip(arrays, named, strict=True):
            _check_ties(array, name, k, jitter)
    return arrays


# Ties raise when more than this fraction of the rows of an argument equal another row.
TIE_FRACTION = 0.01
# ``jitter`` must be at least this many float epsilons of the samples' dtype: smaller
# noise is lost to rounding on values a few times their column scale.
MIN_JITTER_EPS = 64
_REMEDIES = (
    "pass `jitter=1e-10, key=jax.random.key(0)` to add noise that small, scaled to each "
    "column, as scikit-learn does (float64 samples; float32 needs `jitter` >= 1e-3 and "
    "separates fewer copies); or use a discrete "
    "estimator (discrete_entropy, discrete_mutual_information, "
    "discrete_conditional_mutual_information), or mixed_ksg_mutual_information for "
    "mutual information with discrete or mixed data"
)


def _check_jitter(jitter, dtype) -> None:
    if isinstance(jitter, jax.core.Tracer):
        return
    if not isinstance(jitter, (int, float, np.integer, np.floating)) or isinstance(jitter, bool):
        raise TypeError(f"`jitter` must be a float or None, got {type(jitter).__name__}.")
    if not (math.isfinite(jitter) and jitter > 0):
        raise ValueError(f"`jitter` must be positive and finite, got {jitter!r}.")
    minimum = MIN_JITTER_EPS * float(jnp.finfo(dtype).eps)
    if jitter < minimum:
        raise ValueError(
            f"`jitter`={jitter:g} is lost to rounding in {jnp.dtype(dtype).name} samples; "
            f"use at least {minimum:.2g} ({MIN_JITTER_EPS} float epsilons), e.g. 1e-10 for "
            "float64 and 1e-3 for float32."
        )


def _add_jitter(arrays: list[jax.Array], jitter: float, key: jax.Array) -> list[jax.Array]:
    """Each array plus N(0, (jitter * s_j)^2) noise, s_j = max(std, mean |x|) of column j.

    The column scale is scikit-learn's (``mutual_info_regression``): the mean absolute
    value keeps the noise above rounding for columns far from zero.
    """
    jittered = []
    for array, array_key in zip(arrays, jax.random.split(key, len(arrays)), strict=True):
        scale = jnp.maximum(jnp.std(array, axis=0), jnp.mean(jnp.abs(array), axis=0))
        noise = jax.random.normal(array_key, array.shape, array.dtype)
        jittered.append(array + jnp.asarray(jitter, array.dtype) * scale * noise)
    return jittered


def _row_multiplicities(x: np.ndarray) -> np.ndarray:
    """How often each distinct row of ``x`` (n, d) occurs, as ``np.unique(x, axis=0,
    return_counts=True)[1]`` but 10-20x faster: a flat ``np.unique`` for one column,
    a lexicographic sort and a comparison of neighbouring rows for several (``np.unique``
    with ``axis`` sorts rows as opaque byte strings, 120 ms at n = 1e5)."""
    # Adding 0.0 turns -0.0 into 0.0: the same point, but a different bit pattern.
    x = x + 0.0
    if x.shape[1] == 1:
        return np.unique(x[:, 0], return_counts=True)[1]
    ordered = x[np.lexsort(x.T[::-1])]
    starts = np.flatnonzero(np.any(ordered[1:] != ordered[:-1], axis=1)) + 1
    return np.diff(np.concatenate([[0], starts, [x.shape[0]]]))


def _check_ties(x: jax.Array, name: str, k: int, jitter: float | None) -> None:
    """Raises ValueError if concrete ``x`` has ties that change the estimate materially:
    a row occurring more than k times (its k-th neighbour distance is 0), or, before
    any jitter, more than ``TIE_FRACTION`` of rows tied. After jitter, the few rows that
    rounding makes coincide again (pairs, in float32) bias the estimate by far less
    than its standard error, so only the first rule applies."""
    if not is_concrete(x):
        return
    values = np.asarray(x)
    # Tied rows share their first coordinate. A sort of that column (one key, where
    # the rows' lexicographic sort has d) settles the common case, no two equal,
    # before the full count of each row's copies (-0.0 == 0.0 here too).
    first = np.sort(values[:, 0])
    if not np.any(first[1:] == first[:-1]):
        return
    n = x.shape[0]
    counts = _row_multiplicities(values)
    tied = int(counts[counts > 1].sum())
    most = int(counts.max())
    if most <= k and (jitter is not None or tied <= TIE_FRACTION * n):
        return
    found = (
        f"{tied} of its {n} rows equal another row ({counts.size} distinct rows; "
        f"the most frequent occurs {most} times)"
    )
    if jitter is not None:
        raise ValueError(
            f"`{name}` still has tied samples after `jitter`={jitter:g}: {found}. Noise "
            f"that small is lost to rounding in {x.dtype} at these values; use float64 "
            "samples or a larger `jitter`, or a discrete or mixed estimator."
        )
    raise ValueError(
        f"`{name}` has tied samples: {found}. Nearest-neighbour estimators of "
        f"continuous densities give wrong values on ties (a point with k = {k} or more "
        f"copies has a k-th neighbour distance of 0). Remedies: {_REMEDIES}."
    )


def _invalid_in_graph(x: jax.Array, k: int, jitter) -> jax.Array:
    """True (a traced bool) where :func:`_check_ties`, :func:`check_not_constant` or the
    NaN check would raise on concrete ``x``: one lexicographic sort of the rows and a
    comparison of neighbouring rows (a row with more than k copies equals the row k
    places after it in sorted order)."""
    n = x.shape[0]
    # -0.0 and 0.0 are one point but sort apart.
    x = jnp.where(x == 0, jnp.zeros((), x.dtype), x)
    columns = lax.sort(tuple(x.T), num_keys=x.shape[1])
    equal_next = functools.reduce(jnp.logical_and, [c[1:] == c[:-1] for c in columns])
    invalid = jnp.any(jnp.isnan(x))
    if n > k:
        copies = functools.reduce(jnp.logical_and, [c[k:] == c[:-k] for c in columns])
        invalid = invalid | jnp.any(copies)
    if jitter is None:
        false = jnp.zeros((1,), bool)
        tied = jnp.concatenate([false, equal_next]) | jnp.concatenate([equal_next, false])
        invalid = invalid | (jnp.sum(tied) > TIE_FRACTION * n)
        invalid = invalid | jnp.any(jnp.all(x == x[:1], axis=0))
    return invalid


def _nan_where_invalid(value: jax.Array, arrays, k: int, jitter) -> jax.Array:
    """``value``, or NaN (traced arrays only) where a concrete call would have raised."""
    if is_concrete(*arrays):
        return value
    invalid = functools.reduce(jnp.logical_or, [_invalid_in_graph(a, k, jitter) for a in arrays])
    return jnp.where(invalid, jnp.asarray(jnp.nan, value.dtype), value)


def _infinity_off_self(distances: jax.Array, rows: jax.Array, n: int) -> jax.Array:
    return jnp.where(self_mask(rows, n), jnp.asarray(jnp.inf, distances.dtype), distances)


def _count(mask: jax.Array) -> jax.Array:
    return jnp.sum(mask, axis=1, dtype=jnp.int32)


def _unit_sides(sides, metric: str):
    """The sides, and the exponents of the powers of two their Euclidean distances are
    measured at (:func:`power_of_two_exponent`): each side divided by its power
    (exact), so its squared differences neither overflow nor underflow; distances are
    multiplied back, so the comparisons across sides see the true distances. The
    max-norm needs none (exponents None)."""
    if metric == "chebyshev":
        return list(sides), None
    exponents = [power_of_two_exponent(points) for points in sides]
    return [jnp.ldexp(p, -e) for p, e in zip(sides, exponents, strict=True)], exponents


def _side_distances(rows: jax.Array, points: jax.Array, metric: str, exponent=None):
    """Distances (b, n) within one side: max-norm or Euclidean (``points`` at unit
    scale, the distances multiplied by 2^``exponent``)."""
    if metric == "chebyshev":
        return chebyshev_distances(rows, points)
    distances = jnp.sqrt(squared_euclidean_distances(rows, points))
    return distances if exponent is None else jnp.ldexp(distances, exponent)


def _joint_distances_at(sides, rows, metric: str, *, exponents=None, squared: bool = False):
    """A function of (b, m) column indices: the largest of the sides' distances from
    the block's ``rows`` to those columns, inf at the row itself, bit for bit as the
    block's distances. ``exponents``: those of :func:`_unit_sides` (Euclidean);
    ``squared``: one Euclidean side, its squared distance as measured."""
    exponents = [None] * len(sides) if exponents is None else exponents

    def distances_at(cols):
        largest = None
        for points, exponent in zip(sides, exponents, strict=True):
            row_points = take_rows(points, rows)
            if metric == "chebyshev":
                distance = chebyshev_distances_at(row_points, points, cols)
            else:
                distance = squared_euclidean_distances_at(row_points, points, cols)
                if not squared:
                    distance = jnp.sqrt(distance)
                    distance = distance if exponent is None else jnp.ldexp(distance, exponent)
            largest = distance if largest is None else jnp.maximum(largest, distance)
        infinity = jnp.asarray(jnp.inf, largest.dtype)
        return jnp.where(cols == rows[:, None], infinity, largest)

    return distances_at


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"`metric` must be one of {METRICS}, got {metric!r}.")


def _kl_distances_jax(x: jax.Array, k: int, metric: str, block_size: int) -> jax.Array:
    """k-th neighbour distance of each row of ``x``; Euclidean ones at the unit scale
    of ``x`` (``x`` comes divided by its power of two)."""
    n = x.shape[0]

    def block(rows):
        if metric == "chebyshev":
            distances = chebyshev_distances(take_rows(x, rows), x)
        else:
            distances = squared_euclidean_distances(take_rows(x, rows), x)
        distances_at = _joint_distances_at([x], rows, metric, squared=True)
        return (kth_smallest(_infinity_off_self(distances, rows, n), k, distances_at),)

    (kth,) = map_row_blocks(block, n, block_size)
    return kth if metric == "chebyshev" else jnp.sqrt(kth)


def _ksg_counts_jax(x, y, k: int, variant: int, metric: str, block_size: int):
    n = x.shape[0]
    (x, y), exponents = _unit_sides([x, y], metric)
    exponent_x, exponent_y = exponents or (None, None)

    def block(rows):
        dx = _side_distances(take_rows(x, rows), x, metric, exponent_x)
        dy = _side_distances(take_rows(y, rows), y, metric, exponent_y)
        dx, dy = _infinity_off_self(dx, rows, n), _infinity_off_self(dy, rows, n)
        distances_at = _joint_distances_at([x, y], rows, metric, exponents=exponents)
        eps = kth_smallest(jnp.maximum(dx, dy), k, distances_at)[:, None]
        if variant == 1:
            return _count(dx < eps), _count(dy < eps)
        neighbours = jnp.maximum(dx, dy) <= eps
        eps_x = jnp.max(jnp.where(neighbours, dx, 0), axis=1)[:, None]
        eps_y = jnp.max(jnp.where(neighbours, dy, 0), axis=1)[:, None]
        return _count(dx <= eps_x), _count(dy <= eps_y)

    return map_row_blocks(block, n, block_size)


def _cmi_counts_jax(x, y, z, k: int, metric: str, block_size: int):
    n = x.shape[0]
    sides, exponents = _unit_sides([x, y, z], metric)

    def block(rows):
        dx, dy, dz = (
            _infinity_off_self(_side_distances(take_rows(side, rows), side, metric, e), rows, n)
            for side, e in zip(sides, exponents or (None,) * 3, strict=True)
        )
        dxz = jnp.maximum(dx, dz)
        dyz = jnp.maximum(dy, dz)
        distances_at = _joint_distances_at(sides, rows, metric, exponents=exponents)
        eps = kth_smallest(jnp.maximum(dxz, dy), k, distances_at)[:, None]
        return _count(dxz < eps), _count(dyz < eps), _count(dz < eps)

    return map_row_blocks(block, n, block_size)


def _mixed_counts_jax(x, y, k: int, block_size: int):
    n = x.shape[0]

    def block(rows):
        dx = _infinity_off_self(chebyshev_distances(take_rows(x, rows), x), rows, n)
        dy = _infinity_off_self(chebyshev_distances(take_rows(y, rows), y), rows, n)
        joint = jnp.maximum(dx, dy)
        rho = kth_smallest(joint, k, _joint_distances_at([x, y], rows, "chebyshev"))[:, None]
        tied = rho == 0
        n_x = _count(jnp.where(tied, dx <= 0, dx < rho))
        n_y = _count(jnp.where(tied, dy <= 0, dy < rho))
        return _count(joint <= 0), n_x, n_y

    return map_row_blocks(block, n, block_size)


def _log_unit_ball_volume(d: int, metric: str) -> float:
    if metric == "chebyshev":
        return d * math.log(2.0)
    return 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d + 1.0)


def kl_entropy(
    x: ArrayLike,
    *,
    k: int = 3,
    metric: str = "chebyshev",
    jitter: float | None = None,
    key: ArrayLike | None = None,
    base: float | None = None,
    backend: str = "auto",
    block_size: int | None = None,
) -> jax.Array:
    r"""Kozachenko-Leonenko k-nearest-neighbour estimate of the differential entropy.

    .. math::

        \hat H(X) = \psi(n) - \psi(k) + \log V_d + \frac{d}{n} \sum_{i=1}^n \log \epsilon_i,

    where :math:`\epsilon_i` is the distance from :math:`x_i` to its k-th nearest other
    sample and :math:`V_d` the volume of the unit ball of the metric: :math:`2^d` for
    the max-norm (``"chebyshev"``, the default, consistent with the KSG estimators) and
    :math:`\pi^{d/2} / \Gamma(d/2 + 1)` for ``"euclidean"``.

    Args:
      x: samples, shape (n, d) or (n,), floating (integers only with ``jitter``).
      k: neighbour order, 1 <= k < n (static under ``jit``).
      metric: ``"chebyshev"`` or ``"euclidean"``.
      jitter: None (default) or the relative size of Gaussian noise added to each
        column before the estimate, ``jitter * max(std, mean |value|)`` of the column
        (scikit-learn's rule; see the module docstring): the remedy for ties and
        integer data, e.g. ``1e-10`` for float64 and ``1e-3`` for float32 samples.
      key: PRNG key of the jitter noise (``jax.random.key(seed)``); required with
        ``jitter``, an error without it.
      base: logarithm base of the result; None gives nats, 2 bits.
      backend: ``"auto"``, ``"jax"`` or ``"kdtree"`` (see the module docstring).
      block_size: rows per block of the pure-JAX path (static); see the module
        docstring.

    Returns:
      Scalar entropy estimate, in nats (or ``base`` units), dtype of ``x``; NaN
      under ``jit`` or ``vmap`` where a concrete call would raise. With ``jitter`` on
      discrete data the estimate is the entropy of the noise-smeared atoms, about
      H(discrete) + log(jitter * scale * sqrt(2 pi e)) (e.g. -19 nats for 5 values at
      1e-10): correct for the jittered data, but use ``discrete_entropy`` for the
      entropy of the discrete values.

    Raises ``TypeError`` for integer or boolean samples and ``ValueError`` for ties
    that change the estimate (a row with more than k copies, or more than 1% of rows
    tied; the message counts them), unless ``jitter`` is given; see the module
    docstring; also for NaN, inf and constant columns. Under a caller's ``jit`` or
    ``vmap`` these checks run inside the graph and give NaN instead of the error.
    Gradients flow through :math:`\epsilon_i` with ``backend="jax"``.

    Example:
      >>> x = jax.random.normal(jax.random.key(0), (2000, 2))
      >>> float(kl_entropy(x))  # true value log(2 pi e) = 2.84 nats
      2.86

    References:
      Kozachenko & Leonenko (1987), "Sample estimate of the entropy of a random
      vector", Problems Inform. Transmission 23:95-101. Kraskov, Stogbauer &
      Grassberger (2004), eq. (20), https://doi.org/10.1103/PhysRevE.69.066138
    """
    _check_metric(metric)
    (x,) = _prepare([(x, "x")], k, base, continuous=True, jitter=jitter, key=key)
    n, d = x.shape
    block_size = check_block_size(block_size, n)
    use_tree = _resolve_backend(backend, n, d, table=KL_KDTREE_FROM) == "kdtree"
    neighbour = (
        kdtree.kl_neighbours(x, k, math.inf if metric == "chebyshev" else 2.0) if use_tree else None
    )
    entropy = _kl_entropy(x, neighbour, k=k, metric=metric, block_size=block_size)
    return to_base(_nan_where_invalid(entropy, [x], k, jitter), base)


@functools.partial(jax.jit, static_argnames=("k", "metric", "block_size"))
def _kl_entropy(x, neighbour, *, k, metric, block_size):
    """``neighbour``: each point's k-th neighbour from the KD-tree backend, or None for
    the pure-JAX path."""
    n, d = x.shape
    dtype = x.dtype
    # Euclidean distances are measured at the unit scale of x (exact: a power of two
    # 2^e), whose log, e log 2, is added back: no squared distance overflows or
    # underflows, and the result is the exact log-scale shift at any scale.
    (x,), exponents = _unit_sides([x], metric)
    log_scale = 0.0 if exponents is None else exponents[0].astype(dtype) * math.log(2)
    if neighbour is not None:
        # The distance is measured here, in JAX, with the formula of the pure-JAX path:
        # the same value, and gradients flow through it.
        if metric == "chebyshev":
            eps = chebyshev_distances_at(x, x, neighbour[:, None])[:, 0]
        else:
            eps = jnp.sqrt(squared_euclidean_distances_at(x, x, neighbour[:, None])[:, 0])
    else:
        eps = _kl_distances_jax(x, k, metric, block_size)
    return (
        digamma(jnp.asarray(n, dtype))
        - digamma(jnp.asarray(k, dtype))
        + jnp.asarray(_log_unit_ball_volume(d, metric), dtype)
        + d * (jnp.mean(jnp.log(eps)) + log_scale)
    )


def ksg_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    *,
    k: int = 3,
    variant: int = 1,
    metric: str = "chebyshev",
    jitter: float | None = None,
    key: ArrayLike | None = None,
    base: float | None = None,
    backend: str = "auto",
    block_size: int | None = None,
) -> jax.Array:
    r"""Kraskov-Stogbauer-Grassberger k-nearest-neighbour mutual information.

    With :math:`\|\cdot\|` the norm of ``metric`` within each side (max-norm
    :math:`\|\cdot\|_\infty` by default, or Euclidean) and :math:`\epsilon_i` the
    distance from :math:`(x_i, y_i)` to its k-th nearest other sample in the joint
    space, :math:`\max(\|x_i - x_j\|, \|y_i - y_j\|)`, algorithm 1 (``variant=1``) is

    .. math::

        \hat I_1 = \psi(k) + \psi(n) - \langle \psi(n_x + 1) + \psi(n_y + 1) \rangle,
        \quad n_x(i) = \#\{j \ne i : \|x_i - x_j\| < \epsilon_i\},

    and algorithm 2 (``variant=2``), with :math:`\epsilon_{x,i}, \epsilon_{y,i}` the
    largest marginal distances among the k neighbours, is

    .. math::

        \hat I_2 = \psi(k) - 1/k + \psi(n) - \langle \psi(n_x) + \psi(n_y) \rangle,
        \quad n_x(i) = \#\{j \ne i : \|x_i - x_j\| \le \epsilon_{x,i}\}.

    If several points tie at the k-th joint
    distance, algorithm 2 with ``backend="jax"`` counts all of them as neighbours, the
    KD-tree takes the k it returns. The estimate is not clipped at zero.

    Args:
      x: samples, shape (n, d_x) or (n,).
      y: samples, shape (n, d_y) or (n,).
      k: neighbour order, 1 <= k < n (static).
      variant: 1 or 2, the algorithm of Kraskov et al. (static).
      metric: norm within x and within y, ``"chebyshev"`` (max-norm) or
        ``"euclidean"``; the joint distance is the larger of the two (static).
      jitter: None (default) or the relative size of Gaussian noise added to each
        column before the estimate, ``jitter * max(std, mean |value|)`` of the column
        (scikit-learn's rule; see the module docstring): the remedy for ties and
        integer data, e.g. ``1e-10`` for float64 and ``1e-3`` for float32 samples.
      key: PRNG key of the jitter noise (``jax.random.key(seed)``); required with
        ``jitter``, an error without it.
      base: logarithm base of the result; None gives nats.
      backend: ``"auto"``, ``"jax"`` or ``"kdtree"`` (see the module docstring).
      block_size: rows per block of the pure-JAX path (static); see the module
        docstring.

    Returns:
      Scalar mutual information estimate in nats (or ``base`` units).

    Raises ``TypeError`` for integer or boolean samples and ``ValueError`` for ties
    that change the estimate (a row with more than k copies, or more than 1% of rows
    tied; the message counts them), unless ``jitter`` is given; see the module
    docstring; also for NaN, inf and constant columns. Under a caller's ``jit`` or
    ``vmap`` these checks run inside the graph and give NaN instead of the error.

    Example:
      >>> x, noise = jax.random.normal(jax.random.key(0), (2, 2000))
      >>> y = 0.6 * x + 0.8 * noise  # I(X;Y) = -log(0.8) = 0.22; sd of the estimate ~0.02
      >>> float(ksg_mutual_information(x, y))
      0.26

    References:
      Kraskov, Stogbauer & Grassberger (2004), "Estimating mutual information",
      Phys. Rev. E 69, 066138, https://doi.org/10.1103/PhysRevE.69.066138
    """
    if variant not in (1, 2):
        raise ValueError(f"`variant` must be 1 or 2, got {variant!r}.")
    _check_metric(metric)
    x, y = _prepare([(x, "x"), (y, "y")], k, base, continuous=True, jitter=jitter, key=key)
    n = x.shape[0]
    block_size = check_block_size(block_size, n)
    joint_dim = x.shape[1] + y.shape[1]
    use_tree = _resolve_backend(backend, n, joint_dim, table=_ksg_table(metric)) == "kdtree"
    counts = kdtree.ksg_counts(x, y, k, variant, metric) if use_tree else None
    information = _ksg(x, y, counts, k=k, variant=variant, metric=metric, block_size=block_size)
    return to_base(_nan_where_invalid(information, [x, y], k, jitter), base)


@functools.partial(jax.jit, static_argnames=("k", "variant", "metric", "block_size"))
def _ksg(x, y, counts, *, k, variant, metric, block_size):
    """``counts``: (n_x, n_y) from the KD-tree backend, or None for the pure-JAX path."""
    if counts is None:
        counts = _ksg_counts_jax(x, y, k, variant, metric, block_size)
    n_x, n_y = counts
    dtype = x.dtype
    n_x, n_y = n_x.astype(dtype), n_y.astype(dtype)
    common = digamma(jnp.asarray(k, dtype)) + digamma(jnp.asarray(x.shape[0], dtype))
    if variant == 1:
        return common - jnp.mean(digamma(n_x + 1) + digamma(n_y + 1))
    return common - 1.0 / k - jnp.mean(digamma(n_x) + digamma(n_y))


def ksg_conditional_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    z: ArrayLike,
    *,
    k: int = 3,
    metric: str = "chebyshev",
    jitter: float | None = None,
    key: ArrayLike | None = None,
    base: float | None = None,
    backend: str = "auto",
    block_size: int | None = None,
) -> jax.Array:
    r"""Frenzel-Pompe k-nearest-neighbour conditional mutual information I(X; Y | Z).

    With :math:`\epsilon_i` the distance from :math:`(x_i, y_i, z_i)` to its k-th
    nearest other sample in the joint space, the largest of the distances within x, y
    and z in the norm of ``metric`` (max-norm by default),

    .. math::

        \hat I(X;Y|Z) = \psi(k) - \langle \psi(n_{xz} + 1) + \psi(n_{yz} + 1)
            - \psi(n_z + 1) \rangle,

    where :math:`n_{xz}(i)` counts the other samples strictly closer than
    :math:`\epsilon_i` in the (x, z) space (the larger of the x and z distances), and
    likewise for (y, z) and z.

    Args:
      x: samples, shape (n, d_x) or (n,).
      y: samples, shape (n, d_y) or (n,).
      z: conditioning samples, shape (n, d_z) or (n,).
      k: neighbour order, 1 <= k < n (static).
      metric: norm within each of x, y and z, ``"chebyshev"`` (max-norm) or
        ``"euclidean"``; distances in joint spaces are the largest of the sides'
        (static).
      jitter: None (default) or the relative size of Gaussian noise added to each
        column before the estimate, ``jitter * max(std, mean |value|)`` of the column
        (scikit-learn's rule; see the module docstring): the remedy for ties and
        integer data, e.g. ``1e-10`` for float64 and ``1e-3`` for float32 samples.
      key: PRNG key of the jitter noise (``jax.random.key(seed)``); required with
        ``jitter``, an error without it.
      base: logarithm base of the result; None gives nats.
      backend: ``"auto"``, ``"jax"`` or ``"kdtree"`` (see the module docstring).
      block_size: rows per block of the pure-JAX path (static); see the module
        docstring.

    Returns:
      Scalar conditional mutual information estimate in nats (or ``base`` units).

    Raises ``TypeError`` for integer or boolean samples and ``ValueError`` for ties
    that change the estimate (a row with more than k copies, or more than 1% of rows
    tied; the message counts them), unless ``jitter`` is given; see the module
    docstring; also for NaN, inf and constant columns. Under a caller's ``jit`` or
    ``vmap`` these checks run inside the graph and give NaN instead of the error.

    References:
      Frenzel & Pompe (2007), "Partial mutual information for coupling analysis of
      multivariate time series", Phys. Rev. Lett. 99, 204101,
      https://doi.org/10.1103/PhysRevLett.99.204101
    """
    _check_metric(metric)
    named = [(x, "x"), (y, "y"), (z, "z")]
    x, y, z = _prepare(named, k, base, continuous=True, jitter=jitter, key=key)
    n = x.shape[0]
    block_size = check_block_size(block_size, n)
    joint_dim = x.shape[1] + y.shape[1] + z.shape[1]
    use_tree = _resolve_backend(backend, n, joint_dim, table=_ksg_table(metric)) == "kdtree"
    counts = kdtree.cmi_counts(x, y, z, k, metric) if use_tree else None
    information = _ksg_cmi(x, y, z, counts, k=k, metric=metric, block_size=block_size)
    return to_base(_nan_where_invalid(information, [x, y, z], k, jitter), base)


@functools.partial(jax.jit, static_argnames=("k", "metric", "block_size"))
def _ksg_cmi(x, y, z, counts, *, k, metric, block_size):
    """``counts``: (n_xz, n_yz, n_z) from the KD-tree backend, or None for pure JAX."""
    if counts is None:
        counts = _cmi_counts_jax(x, y, z, k, metric, block_size)
    n_xz, n_yz, n_z = (c.astype(x.dtype) for c in counts)
    return digamma(jnp.asarray(k, x.dtype)) - jnp.mean(
        digamma(n_xz + 1) + digamma(n_yz + 1) - digamma(n_z + 1)
    )


def mixed_ksg_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    *,
    k: int = 3,
    base: float | None = None,
    backend: str = "auto",
    block_size: int | None = None,
) -> jax.Array:
    r"""Mutual information of mixed discrete-continuous pairs (Gao et al. 2017).

    Either variable (or any column) may be discrete, continuous or a mixture: discrete
    values are passed as numbers (integer labels are promoted to floats). With
    :math:`\rho_i` the max-norm distance from :math:`(x_i, y_i)` to its k-th nearest
    other sample,

    .. math::

        \hat I = \frac{1}{n} \sum_i \left[ \psi(\tilde k_i) + \log n
            - \psi(n_{x,i}) - \psi(n_{y,i}) \right],

    where, if :math:`\rho_i > 0`, :math:`\tilde k_i = k` and :math:`n_{x,i}` counts the
    samples (itself included) with :math:`\|x_i - x_j\|_\infty < \rho_i`; if
    :math:`\rho_i = 0` (a discrete atom), :math:`\tilde k_i, n_{x,i}, n_{y,i}` count the
    samples (itself included) at distance exactly 0 in the joint, x and y spaces. These
    are the conventions of the authors' reference code. On purely continuous data the
    result equals KSG algorithm 1 plus :math:`\log n - \psi(n)`. Ties are what this
    estimator is built for, so it neither checks for them nor takes ``jitter``.

    Args:
      x: samples, shape (n, d_x) or (n,); integer labels allowed.
      y: samples, shape (n, d_y) or (n,); integer labels allowed.
      k: neighbour order, 1 <= k < n (static).
      base: logarithm base of the result; None gives nats.
      backend: ``"auto"``, ``"jax"`` or ``"kdtree"`` (see the module docstring).
      block_size: rows per block of the pure-JAX path (static); see the module
        docstring.

    Returns:
      Scalar mutual information estimate in nats (or ``base`` units).

    Value checks run on concrete inputs only, not under a caller's ``jit``.

    Example:
      >>> labels = jax.random.randint(jax.random.key(0), (2000,), 0, 4)
      >>> float(mixed_ksg_mutual_information(labels, labels))  # log 4 = 1.39
      1.39

    References:
      Gao, Kannan, Oh & Viswanath (2017), "Estimating mutual information for
      discrete-continuous mixtures", NeurIPS, https://arxiv.org/abs/1709.06212
    """
    x, y = _prepare([(x, "x"), (y, "y")], k, base, continuous=False)
    n = x.shape[0]
    block_size = check_block_size(block_size, n)
    use_tree = _resolve_backend(backend, n, x.shape[1] + y.shape[1]) == "kdtree"
    counts = kdtree.mixed_counts(x, y, k) if use_tree else None
    information = _mixed_ksg(x, y, counts, k=k, block_size=block_size)
    return to_base(information, base)


@functools.partial(jax.jit, static_argnames=("k", "block_size"))
def _mixed_ksg(x, y, counts, *, k, block_size):
    """``counts``: (joint ties, n_x, n_y) from the KD-tree backend, or None for pure JAX."""
    if counts is None:
        counts = _mixed_counts_jax(x, y, k, block_size)
    dtype = x.dtype
    joint_ties, n_x, n_y = (c.astype(dtype) for c in counts)
    # rho_i = 0 exactly when at least k other samples coincide with sample i.
    k_tilde = jnp.where(joint_ties >= k, joint_ties + 1, k)
    return jnp.log(jnp.asarray(x.shape[0], dtype)) + jnp.mean(
        digamma(k_tilde) - digamma(n_x + 1) - digamma(n_y + 1)
    )


# The options of the estimators of continuous samples (and their defaults).
_CONTINUOUS_DEFAULTS = {
    "k": 3,
    "metric": "chebyshev",
    "jitter": None,
    "key": None,
    "backend": "auto",
    "block_size": None,
}

register_estimator(
    "kl_entropy",
    kl_entropy,
    quantity="entropy",
    defaults=_CONTINUOUS_DEFAULTS,
    gradient="smooth",
    description="Kozachenko-Leonenko k-NN entropy (max-norm)",
)
register_estimator(
    "ksg",
    ksg_mutual_information,
    quantity="mutual_information",
    defaults={**_CONTINUOUS_DEFAULTS, "variant": 1},
    gradient="zero",
    description="Kraskov-Stogbauer-Grassberger k-NN MI, algorithm 1",
)
register_estimator(
    "ksg2",
    ksg_mutual_information,
    quantity="mutual_information",
    defaults={**_CONTINUOUS_DEFAULTS, "variant": 2},
    gradient="zero",
    description="Kraskov-Stogbauer-Grassberger k-NN MI, algorithm 2",
)
register_estimator(
    "ksg_cmi",
    ksg_conditional_mutual_information,
    quantity="conditional_mutual_information",
    defaults=_CONTINUOUS_DEFAULTS,
    gradient="zero",
    description="Frenzel-Pompe k-NN conditional MI",
)
register_estimator(
    "mixed_ksg",
    mixed_ksg_mutual_information,
    quantity="mutual_information",
    inputs="mixed",
    defaults={"k": 3, "backend": "auto", "block_size": None},
    gradient="zero",
    description="Gao et al. (2017) k-NN MI for discrete-continuous mixtures",
)
