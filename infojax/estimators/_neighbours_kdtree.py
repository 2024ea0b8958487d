"""Host-side k-th neighbour statistics with scipy's KD-tree: called directly on concrete
input, through ``jax.pure_callback`` under ``jit`` and ``vmap``.

Each function returns the same per-row statistics as the pure-JAX blocked path in
:mod:`infojax.estimators._neighbours`, so both backends share the final formulas.
The host work runs on a worker thread started on the first call (from the caller's
thread), not on XLA's callback thread: that thread flushes denormal floats to zero,
and scipy's KD-tree build can crash (segmentation fault) on data with many duplicate
values under that floating-point mode. On that thread trees are built with scipy's
default median split (``balanced_tree=True``): slower to build than the
sliding-midpoint rule, but its queries are faster from 2 dimensions on, and the
queries are most of the time.

Max-norm counts within a side of one or two dimensions (the common KSG cases) need no
tree: they come from sorts, ``searchsorted`` and, in two dimensions, an offline
rectangle count over the two sorted orders (:mod:`infojax.estimators._neighbours_sorted`),
with the same exact predicates. Strict inequalities ``d < eps`` on the tree are counted as
``d <= nextafter(eps, 0)``; a strict count at ``eps = 0`` is zero.

With ``metric="euclidean"`` a joint distance is the largest of the Euclidean
distances within the sides, which no Minkowski norm of the concatenated coordinates
equals, so the tree only proposes candidates: every pair within that mixed distance r
of m sides is within Euclidean distance sqrt(m) r of the concatenation. The candidates
are measured in NumPy with the formula of the pure-JAX path (square root of the sum of
squared differences, coordinates in order), and the k-th distances and counts are
taken from those measurements, so both backends agree to rounding.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import jax
import jax.numpy as jnp
import numpy as np

from infojax._validation import is_concrete
from infojax.estimators._neighbours_sorted import count_within_1d
from infojax.estimators._neighbours_sorted import count_within_2d
from infojax.estimators._neighbours_sorted import kth_neighbour_1d

# The sample sets of a vmapped batch are shared out over one thread per usable CPU
# (at most 32), each query using its share of the CPUs: one each for a batch at least
# as large as the pool (at n = 1000 a query's own thread pool costs more than it
# saves). scipy's queries and NumPy's sorts release the GIL.
_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
_BATCH_THREADS = max(1, min(32, _CPUS or 1))
_POOLS_LOCK = threading.Lock()
_POOLS: list[ThreadPoolExecutor] = []


def _thread_pools() -> tuple[ThreadPoolExecutor, ThreadPoolExecutor]:
    """The host thread and the batch pool, started on first use (``import infojax``
    starts no thread).

    The first use is always on the caller's Python thread (an eager call, or the trace
    of a jitted one), never on XLA's callback thread: a thread inherits its creator's
    floating-point mode, and all the pool's threads are started at once here (the pool
    would otherwise start them lazily from whichever thread submits)."""
    with _POOLS_LOCK:
        if not _POOLS:
            host = ThreadPoolExecutor(max_workers=1, thread_name_prefix="infojax-kdtree")
            host.submit(lambda: None).result()
            batch = ThreadPoolExecutor(
                max_workers=_BATCH_THREADS, thread_name_prefix="infojax-batch"
            )
            started = threading.Barrier(_BATCH_THREADS)
            for future in [batch.submit(started.wait) for _ in range(_BATCH_THREADS)]:
                future.result()
            _POOLS.extend([host, batch])
        return _POOLS[0], _POOLS[1]


_local = threading.local()


def _workers() -> int:
    """scipy's ``workers`` for this thread's queries: all CPUs but on the batch threads."""
    return getattr(_local, "workers", -1)


def _with_workers(workers: int, host_fn, *sample_sets):
    _local.workers = workers
    return host_fn(*sample_sets)


def _on_host_thread(fn, *args):
    """``fn(*args)`` computed on the module's host thread."""
    host_thread, _ = _thread_pools()
    return host_thread.submit(fn, *args).result()


def _tree(points: np.ndarray):
    # scipy.spatial loads here, on the first tree, so that `import infojax` stays light.
    from scipy.spatial import cKDTree

    return cKDTree(points, balanced_tree=True)


def _kth_distance(points: np.ndarray, k: int, p: float) -> tuple:
    """k-th neighbour distance of each point and its k nearest other points, from a
    tree of ``points``; self is the 0-th hit of its own query.

    The queries go in the tree's own order (its leaves' points one after another), so
    consecutive queries walk the same nodes and find them in cache; each query's
    result is its own, whatever the order."""
    tree = _tree(points)
    order = tree.indices
    distances, indices = tree.query(points[order], k=k + 1, p=p, workers=_workers())
    kth = np.empty(order.shape[0], distances.dtype)
    kth[order] = distances[:, k]
    nearest = np.empty((order.shape[0], k), indices.dtype)
    nearest[order] = indices[:, 1:]
    return kth, nearest


def _count_within(points: np.ndarray, radius: np.ndarray, *, strict: bool) -> np.ndarray:
    """#{j != i : |p_i - p_j|_max < radius_i} (strict) or ``<= radius_i``."""
    if points.shape[1] == 1:
        return count_within_1d(points[:, 0], radius, strict=strict)
    if points.shape[1] == 2:
        return count_within_2d(points, radius, strict=strict)
    tree = _tree(points)
    if strict:
        positive = radius > 0
        query_radius = np.where(positive, np.nextafter(radius, 0), 0.0)
    else:
        positive = np.ones(radius.shape, bool)
        query_radius = radius
    counts = tree.query_ball_point(
        points, query_radius, p=np.inf, return_length=True, workers=_workers()
    )
    return np.where(positive, np.asarray(counts) - 1, 0).astype(np.int32)


def _side_distances(parts: list[np.ndarray], rows, cols, metric: str) -> np.ndarray:
    """Largest within-side distance of each pair (rows[i], cols[i]) over the sides."""
    largest = None
    for part in parts:
        difference = part[rows] - part[cols]
        if metric == "chebyshev":
            distance = np.abs(difference).max(axis=-1)
        else:
            # Coordinates summed in order, as the pure-JAX path does.
            squared = np.square(difference[..., 0])
            for axis in range(1, part.shape[1]):
                squared = squared + np.square(difference[..., axis])
            distance = np.sqrt(squared)
        largest = distance if largest is None else np.maximum(largest, distance)
    return largest


def _candidate_pairs(parts: list[np.ndarray], radius: np.ndarray):
    """Pairs (i, j), j != i, within Euclidean distance sqrt(m) * radius_i of the joined
    sides: all pairs within mixed Euclidean distance radius_i, and some more."""
    points = np.concatenate(parts, axis=1)
    n = points.shape[0]
    # The margin covers rounding differences between the tree's distances and ours.
    widened = radius * math.sqrt(len(parts)) * (1 + 1e-9)
    lists = _tree(points).query_ball_point(points, widened, p=2.0, workers=_workers())
    lengths = np.fromiter((len(hits) for hits in lists), dtype=np.int64, count=n)
    rows = np.repeat(np.arange(n), lengths)
    cols = np.fromiter((j for hits in lists for j in hits), dtype=np.int64, count=rows.size)
    keep = rows != cols
    return rows[keep], cols[keep]


def _euclidean_kth(parts: list[np.ndarray], k: int):
    """k-th neighbour distance and the k neighbours in the mixed Euclidean distance."""
    points = np.concatenate(parts, axis=1)
    n = points.shape[0]
    # The k-th mixed distance is at most the k-th Euclidean one of the joined sides.
    upper, _ = _kth_distance(points, k, 2.0)
    rows, cols = _candidate_pairs(parts, upper)
    distances = _side_distances(parts, rows, cols, "euclidean")
    order = np.lexsort((distances, rows))
    starts = np.searchsorted(rows[order], np.arange(n))
    positions = starts[:, None] + np.arange(k)[None, :]
    return distances[order][starts + k - 1], cols[order][positions]


def _count_euclidean(parts: list[np.ndarray], radius: np.ndarray, *, strict: bool):
    """#{j != i : mixed Euclidean distance < radius_i} (strict) or ``<= radius_i``."""
    if len(parts) == 1 and parts[0].shape[1] == 1:
        return count_within_1d(parts[0][:, 0], radius, strict=strict, metric="euclidean")
    rows, cols = _candidate_pairs(parts, radius)
    distances = _side_distances(parts, rows, cols, "euclidean")
    inside = distances < radius[rows] if strict else distances <= radius[rows]
    return np.bincount(rows[inside], minlength=radius.shape[0]).astype(np.int32)


def _unit_scale(*parts: np.ndarray) -> tuple[np.ndarray, ...]:
    """The sides divided by one power of two near their largest absolute value (exact,
    and every distance scales alike, so neighbours and counts are unchanged): the
    tree's and our Euclidean squares then neither overflow nor underflow in float64."""
    largest = max(float(np.max(np.abs(part))) for part in parts)
    _, exponent = np.frexp(largest)
    return tuple(np.ldexp(part, -exponent) for part in parts)


def _host_ksg(x, y, k: int, variant: int, metric: str):
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    if metric == "euclidean":
        x, y = _unit_scale(x, y)
    if metric == "chebyshev":
        joint = np.concatenate([x, y], axis=1)
        eps, neighbours = _kth_distance(joint, k, np.inf)

        def count(part, radius, strict):
            return _count_within(part, radius, strict=strict)

    else:
        eps, neighbours = _euclidean_kth([x, y], k)

        def count(part, radius, strict):
            return _count_euclidean([part], radius, strict=strict)

    if variant == 1:
        return count(x, eps, True), count(y, eps, True)
    rows = np.arange(x.shape[0])[:, None]
    eps_x = np.max(_side_distances([x], rows, neighbours, metric), axis=1)
    eps_y = np.max(_side_distances([y], rows, neighbours, metric), axis=1)
    return count(x, eps_x, False), count(y, eps_y, False)


def _host_kl_neighbour(x, k: int, p: float):
    """Index of the k-th nearest other point of each point."""
    x = np.asarray(x, np.float64)
    if x.shape[1] == 1:  # every p-norm is |x_i - x_j| in one dimension
        return kth_neighbour_1d(x[:, 0], k)
    (x,) = _unit_scale(x)
    _, indices = _kth_distance(x, k, p)
    return indices[:, k - 1].astype(np.int32)


def _host_cmi(x, y, z, k: int, metric: str):
    x, y, z = (np.asarray(a, np.float64) for a in (x, y, z))
    if metric == "euclidean":
        x, y, z = _unit_scale(x, y, z)
        eps, _ = _euclidean_kth([x, y, z], k)
        return (
            _count_euclidean([x, z], eps, strict=True),
            _count_euclidean([y, z], eps, strict=True),
            _count_euclidean([z], eps, strict=True),
        )
    joint = np.concatenate([x, y, z], axis=1)
    eps, _ = _kth_distance(joint, k, np.inf)
    return (
        _count_within(np.concatenate([x, z], axis=1), eps, strict=True),
        _count_within(np.concatenate([y, z], axis=1), eps, strict=True),
        _count_within(z, eps, strict=True),
    )


def _host_mixed(x, y, k: int):
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    joint = np.concatenate([x, y], axis=1)
    rho, _ = _kth_distance(joint, k, np.inf)
    # At rho = 0 the counts are of points at distance exactly 0 (``<= 0``).
    tied = rho == 0
    joint_ties = _count_within(joint, np.zeros_like(rho), strict=False)
    n_x = np.where(tied, _count_within(x, rho, strict=False), _count_within(x, rho, strict=True))
    n_y = np.where(tied, _count_within(y, rho, strict=False), _count_within(y, rho, strict=True))
    return joint_ties, n_x, n_y


def _rows(n: int, dtype, count: int = 1):
    return tuple(jax.ShapeDtypeStruct((n,), dtype) for _ in range(count))


def _host_batch(host_fn, *arrays):
    """``host_fn`` on each sample set of a batch: the arrays are (..., n, d), with the
    same leading batch axes (none outside ``vmap``); the results are (..., n)."""
    batch_shape = arrays[0].shape[:-2]
    flat = [np.reshape(a, (-1, *a.shape[-2:])) for a in arrays]
    if flat[0].shape[0] == 1:
        results = [host_fn(*(a[0] for a in flat))]
    else:
        workers = max(1, _BATCH_THREADS // flat[0].shape[0])
        _, batch_pool = _thread_pools()
        results = list(batch_pool.map(functools.partial(_with_workers, workers, host_fn), *flat))
    if not isinstance(results[0], tuple):
        return np.stack(results).reshape(*batch_shape, -1)
    return tuple(np.stack(parts).reshape(*batch_shape, -1) for parts in zip(*results, strict=True))


def _host_statistics(host_fn, result_shapes, *arrays):
    """``host_fn(*arrays)`` on the host thread.

    Concrete arrays (an eager call) go straight there and the results come back as
    NumPy arrays, to be passed into the estimator's compiled read-out. Inside a jit or
    ``vmap`` trace it is a ``jax.pure_callback``, which costs more than that round
    trip: a KD-tree query run from inside a compiled call shares the CPUs with XLA's
    threads, which matters for the millisecond calls at n ~ 1000. Under ``vmap`` one
    callback receives the whole batch (``vmap_method="broadcast_all"``) and shares its
    sample sets out over the batch threads: one host round trip per batch instead of
    one per sample set.
    The inputs are cut from autodiff: the results are integer counts or indices, whose
    derivative is zero, and a callback has no derivative rule."""
    _thread_pools()  # started here, on the caller's thread, before any callback runs
    if is_concrete(*arrays):
        return _on_host_thread(_host_batch, host_fn, *(np.asarray(a) for a in arrays))
    arrays = [jax.lax.stop_gradient(a) for a in arrays]
    return jax.pure_callback(
        lambda *values: _on_host_thread(_host_batch, host_fn, *values),
        result_shapes,
        *arrays,
        vmap_method="broadcast_all",
    )


def ksg_counts(x: jax.Array, y: jax.Array, k: int, variant: int, metric: str):
    """Marginal neighbour counts (n_x, n_y) of KSG algorithm ``variant``."""
    host = functools.partial(_host_ksg, k=k, variant=variant, metric=metric)
    return _host_statistics(host, _rows(x.shape[0], jnp.int32, 2), x, y)


def kl_neighbours(x: jax.Array, k: int, p: float) -> jax.Array:
    """Index (int32) of each point's k-th nearest other point in the ``p``-norm."""
    host = functools.partial(_host_kl_neighbour, k=k, p=p)
    return _host_statistics(host, jax.ShapeDtypeStruct((x.shape[0],), jnp.int32), x)


def cmi_counts(x: jax.Array, y: jax.Array, z: jax.Array, k: int, metric: str):
    """Counts (n_xz, n_yz, n_z) of the Frenzel-Pompe estimator."""
    host = functools.partial(_host_cmi, k=k, metric=metric)
    return _host_statistics(host, _rows(x.shape[0], jnp.int32, 3), x, y, z)


def mixed_counts(x: jax.Array, y: jax.Array, k: int):
    """Counts (ties at zero joint distance, n_x, n_y) of the mixed KSG estimator."""
    host = functools.partial(_host_mixed, k=k)
    return _host_statistics(host, _rows(x.shape[0], jnp.int32, 3), x, y)
