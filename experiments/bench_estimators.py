"""Speed of the nearest-neighbour estimators (KSG, Kozachenko-Leonenko) against peers.

Run ``python -m experiments.bench_estimators`` (``--quick`` for a small grid,
``--calibrate`` for the table behind ``backend="auto"``). On correlated Gaussians
(rho = 0.5 per coordinate, unit variance), over the grid n in {1e3, 1e4, 1e5}, d per
side in {1, 2, 5, 10}, k in {3, 10}, side by side in one run:

* ``infojax``: the public call as a user makes it (validation included,
  ``backend="auto"``); ``infojax jax`` / ``infojax kdtree``: each backend forced;
* ``scipy``: KSG / KL written directly with ``scipy.spatial.cKDTree``;
* ``sklearn``: ``mutual_info_regression`` (KSG; 1-D only; it rescales and adds noise
  of relative size 1e-10, so it agrees to about 1e-6, not bit for bit);
* ``ennemi`` (KSG, 1-D only) and ``infomeasure`` (KSG and KL) when installed
  (``pip install infojax[bench]``). NPEET is not on the package index and is left out.

Every peer's estimate must agree with infojax's (``--tolerance``, absolute nats)
before its time is compared; a disagreeing peer is reported as ``disagree`` instead
of a time. Each implementation runs once (warm-up, compilation for JAX), then
``--repeats`` times (fast ones until their runs add up to 0.3 s); cells report the
median. An implementation whose warm-up run took
longer than ``--budget`` seconds is not repeated, and an implementation is skipped
(shown as ``skip``) at the next n of the same d and k when its time there, predicted
from the last size as time x (n ratio)^1.5, exceeds ``--budget``. Every row
prints the 1-minute load average: on a shared machine compare implementations within a
row, not across runs.

The batch workload: 256 KSG estimates at n = 1000, d = 1 in one
``jax.jit(jax.vmap(...))`` call against Python loops over the peers.

``--knn``: the exact max-norm k-nearest-neighbour searches at hand, alone (the whole
of the scipy peer's Kozachenko-Leonenko work, and the core of infojax's KD-tree path):
scipy's ``cKDTree`` as the peer calls it, as infojax calls it (queries in the tree's
own order), with other build options, and scikit-learn's ``KDTree`` / ``BallTree``
(single- and dual-tree). Each must return the same k-th distances as the peer's call
before it is timed; the ratio is the peer's time over its time.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import math
import os
import statistics
import time
from collections.abc import Callable

import jax
import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression

from infojax.estimators import kl_entropy
from infojax.estimators import ksg_mutual_information
from infojax.estimators._neighbours_kdtree import _CPUS as usable_cpus
from infojax.estimators._neighbours_kdtree import _kth_distance

RHO = 0.5


def correlated_gaussians(seed: int, n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """x, y with coordinate-wise correlation RHO, each column scaled to sample standard
    deviation 1 (scikit-learn rescales its inputs so; then its rescaling changes
    nothing but rounding, and all implementations see the same points)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = RHO * x + math.sqrt(1 - RHO**2) * rng.normal(size=(n, d))
    return x / x.std(axis=0), y / y.std(axis=0)


def scipy_ksg(x: np.ndarray, y: np.ndarray, k: int) -> float:
    """KSG algorithm 1 with scipy's KD-tree: a k-NN query in the joint space, then
    radius counts (strictly inside the k-th distance) in each marginal space."""
    n = len(x)
    joint = np.hstack([x, y])
    eps = cKDTree(joint).query(joint, k=k + 1, p=np.inf, workers=-1)[0][:, k]
    radius = np.nextafter(eps, 0)
    n_x = cKDTree(x).query_ball_point(x, radius, p=np.inf, return_length=True, workers=-1) - 1
    n_y = cKDTree(y).query_ball_point(y, radius, p=np.inf, return_length=True, workers=-1) - 1
    return float(digamma(k) + digamma(n) - np.mean(digamma(n_x + 1) + digamma(n_y + 1)))


def scipy_kl(x: np.ndarray, k: int) -> float:
    """Kozachenko-Leonenko entropy (max-norm) with scipy's KD-tree."""
    n, d = x.shape
    eps = cKDTree(x).query(x, k=k + 1, p=np.inf, workers=-1)[0][:, k]
    return float(digamma(n) - digamma(k) + d * math.log(2) + d * np.mean(np.log(eps)))


def sklearn_ksg(x: np.ndarray, y: np.ndarray, k: int) -> float:
    return float(mutual_info_regression(x, y.ravel(), n_neighbors=k, random_state=0)[0])


def ennemi_ksg(x: np.ndarray, y: np.ndarray, k: int) -> float:
    import ennemi

    return float(np.asarray(ennemi.estimate_mi(y.ravel(), x.ravel(), k=k, preprocess=False))[0, 0])


def infomeasure_ksg(x: np.ndarray, y: np.ndarray, k: int) -> float:
    import infomeasure

    return float(
        infomeasure.mutual_information(
            x, y, approach="ksg", k=k, noise_level=0, minkowski_p=np.inf, base="e"
        )
    )


def infomeasure_kl(x: np.ndarray, k: int) -> float:
    import infomeasure

    return float(
        infomeasure.entropy(x, approach="kl", k=k, noise_level=0, minkowski_p=np.inf, base="e")
    )


def installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


# Fast cells repeat until their timed runs add up to this many seconds (at most
# MAX_REPEATS runs): a median of 3 runs of a few milliseconds moves by 20-40 % with the
# machine's noise, more than the differences the auto check below looks for.
MIN_SECONDS = 0.3
MAX_REPEATS = 100


def median_time(fn: Callable[[], object], repeats: int, budget: float):
    """(median seconds, result, warm-up seconds): one warm-up run, then at least
    ``repeats`` timed runs, more while they add up to less than MIN_SECONDS, unless the
    warm-up alone took longer than ``budget`` (then its time)."""
    start = time.perf_counter()
    result = jax.block_until_ready(fn())
    warm = time.perf_counter() - start
    if warm > budget:
        return warm, result, warm
    times = []
    while len(times) < repeats or (sum(times) < MIN_SECONDS and len(times) < MAX_REPEATS):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times), result, warm


def candidates(quantity: str, x, y, k: int, forced: bool) -> dict[str, Callable[[], object]]:
    d = x.shape[1]
    if quantity == "ksg":
        found = {"infojax": lambda: ksg_mutual_information(x, y, k=k)}
        if forced:
            found["infojax jax"] = lambda: ksg_mutual_information(x, y, k=k, backend="jax")
            found["infojax kdtree"] = lambda: ksg_mutual_information(x, y, k=k, backend="kdtree")
        found["scipy"] = lambda: scipy_ksg(x, y, k)
        if d == 1:
            found["sklearn"] = lambda: sklearn_ksg(x, y, k)
            if installed("ennemi"):
                found["ennemi"] = lambda: ennemi_ksg(x, y, k)
        if installed("infomeasure"):
            found["infomeasure"] = lambda: infomeasure_ksg(x, y, k)
        return found
    found = {"infojax": lambda: kl_entropy(x, k=k)}  # the entropy of the d-dimensional x
    if forced:
        found["infojax jax"] = lambda: kl_entropy(x, k=k, backend="jax")
        found["infojax kdtree"] = lambda: kl_entropy(x, k=k, backend="kdtree")
    found["scipy"] = lambda: scipy_kl(x, k)
    if installed("infomeasure"):
        found["infomeasure"] = lambda: infomeasure_kl(x, k)
    return found


def over_budget(last: tuple[int, float] | None, n: int, budget: float) -> bool:
    """Whether an implementation that took ``last = (n', seconds)`` at the previous
    size is predicted to take longer than ``budget`` at n: seconds x (n / n')^1.5."""
    if last is None:
        return False
    last_n, last_seconds = last
    return last_seconds * (n / last_n) ** 1.5 > budget


def grid(args, quantities, sizes, dims, ks, forced: bool) -> list[dict]:
    rows = []
    last_warm: dict[tuple, tuple[int, float]] = {}
    for quantity in quantities:
        for d in dims:
            for k in ks:
                for n in sizes:
                    x, y = correlated_gaussians(0, n, d)
                    row = {"quantity": quantity, "n": n, "d": d, "k": k, "cells": {}}
                    reference = None
                    for name, fn in candidates(quantity, x, y, k, forced).items():
                        key = (quantity, d, k, name)
                        if over_budget(last_warm.get(key), n, args.budget):
                            row["cells"][name] = "skip"
                            continue
                        seconds, value, _ = median_time(fn, args.repeats, args.budget)
                        value = float(value)
                        # The median, not the warm-up (which includes JAX's compilation).
                        last_warm[key] = (n, seconds)
                        if reference is None:
                            reference = value
                        if abs(value - reference) > args.tolerance:
                            row["cells"][name] = f"disagree ({value:.4f} vs {reference:.4f})"
                        else:
                            row["cells"][name] = seconds
                    row["value"] = reference
                    row["load"] = os.getloadavg()[0]
                    rows.append(row)
                    print_row(row)
    return rows


def print_row(row: dict) -> None:
    cells = row["cells"]
    ours = cells["infojax"] if isinstance(cells["infojax"], float) else math.nan
    parts = [f"{row['quantity']:>3} n={row['n']:>6} d={row['d']:>2} k={row['k']:>2}"]
    peers = []
    for name, cell in cells.items():
        parts.append(f"{name} {cell:.4f}" if isinstance(cell, float) else f"{name} {cell}")
        if not name.startswith("infojax") and isinstance(cell, float):
            peers.append((cell, name))
    fastest = f"fastest peer {min(peers)[1]} {min(peers)[0] / ours:.2f}x" if peers else ""
    value = "-" if row["value"] is None else f"{row['value']:.4f}"
    print(
        " | ".join(parts) + f" | {fastest} | estimate {value} | load {row['load']:.1f}", flush=True
    )


def auto_choice(quantity: str, n: int, d: int) -> str:
    """The backend ``backend="auto"`` takes on this machine for the cell."""
    from infojax.estimators._neighbours import KL_KDTREE_FROM
    from infojax.estimators._neighbours import KSG_KDTREE_FROM
    from infojax.estimators._neighbours import _resolve_backend

    if quantity == "ksg":
        return _resolve_backend("auto", n, 2 * d, table=KSG_KDTREE_FROM)
    return _resolve_backend("auto", n, d, table=KL_KDTREE_FROM)


def print_auto_check(rows: list[dict], allowance: float = 1.2) -> None:
    """How ``backend="auto"`` chose, cell by cell: the forced time of the backend it
    takes over the better of the two. (The decision, not a second timing of the same
    call: on a shared machine two timings of one call differ by up to 50 % at a few
    milliseconds, more than the allowance.)"""
    ratios = []
    for row in rows:
        cells = row["cells"]
        times = {name: cells.get(f"infojax {name}") for name in ("jax", "kdtree")}
        if all(isinstance(t, float) for t in times.values()):
            chosen = auto_choice(row["quantity"], row["n"], row["d"])
            ratios.append((times[chosen] / min(times.values()), chosen, row))
    if not ratios:
        return
    slow = [entry for entry in ratios if entry[0] > allowance]
    print(
        f"\nauto's backend / better backend: worst {max(r for r, _, _ in ratios):.2f}, "
        f"{len(slow)} of {len(ratios)} cells above {allowance:.2f}",
        flush=True,
    )
    for ratio, chosen, row in slow:
        print(f"  {row['quantity']} n={row['n']} d={row['d']} k={row['k']}: {chosen} {ratio:.2f}")


def compare_floor(args, n: int = 10_000, d: int = 5) -> None:
    """The brute-force KSG against the compare-operation floor of this CPU.

    One coordinate of a max-norm distance is a subtraction, an absolute value and a
    max. Their rate is measured on one core (a compiled loop over two float64 arrays
    of 2048 values, in cache, 16 such steps per element per pass; XLA runs it on one
    thread) and multiplied by the usable CPUs; the floor is n^2 x (joint dimension)
    of them at that rate: every row against every other, as a row-wise k-NN pass
    needs. A single fused pass that takes each row's nearest max-norm distance, the
    least any brute force in JAX does, is timed too.
    """
    size, steps, unroll = 2048, 4000, 16
    u = jax.numpy.linspace(0.0, 1.0, size, dtype=np.float64)

    @jax.jit
    def coordinates(u, v):
        def body(_, uv):
            u, v = uv
            for _ in range(unroll):
                u = jax.numpy.maximum(u, jax.numpy.abs(u - v))
                v = jax.numpy.minimum(v, jax.numpy.abs(v - u))
            return u, v

        return jax.lax.fori_loop(0, steps, body, (u, v))

    seconds, _, _ = median_time(lambda: coordinates(u, u[::-1]), args.repeats, math.inf)
    cpus = usable_cpus or 1
    rate = 2 * size * steps * unroll / seconds * cpus
    x, y = correlated_gaussians(0, n, d)
    joint = jax.numpy.asarray(np.hstack([x, y]))
    block = 250

    @jax.jit
    def nearest(points):
        def rows(start):
            chunk = jax.lax.dynamic_slice_in_dim(points, start, block)
            distances = jax.numpy.max(jax.numpy.abs(chunk[:, None, :] - points[None]), -1)
            own = start + jax.numpy.arange(block)
            distances = distances.at[jax.numpy.arange(block), own].set(jax.numpy.inf)
            return jax.numpy.min(distances, axis=1)

        return jax.lax.map(rows, jax.numpy.arange(0, n, block))

    fused, _, _ = median_time(lambda: nearest(joint), args.repeats, math.inf)
    floor = n * n * 2 * d / rate
    print(
        f"\ncompare floor, n = {n}, d = {d} per side: {rate / 1e9:.1f} G distance "
        f"coordinates/s on {cpus} CPUs, so n^2 x {2 * d} take {floor:.4f} s; one fused "
        f"nearest-distance pass {fused:.4f} s ({fused / floor:.1f}x the floor)",
        flush=True,
    )
    for k in (3, 10):
        brute, _, _ = median_time(
            lambda k=k: ksg_mutual_information(x, y, k=k, backend="jax"), args.repeats, math.inf
        )
        print(
            f"KSG brute force k = {k}: {brute:.4f} s ({brute / floor:.1f}x the floor, "
            f"{brute / fused:.1f}x the fused pass) | load {os.getloadavg()[0]:.1f}",
            flush=True,
        )


def knn_searches(args, sizes, dims, ks) -> None:
    """Each exact max-norm k-th neighbour search on the KL workload's points; see the
    module docstring."""
    from sklearn.neighbors import BallTree
    from sklearn.neighbors import KDTree

    def ckdtree(x, k, **options):
        return cKDTree(x, **options).query(x, k=k + 1, p=np.inf, workers=-1)[0][:, k]

    def sklearn(tree_class, x, k, dualtree=False):
        tree = tree_class(x, metric="chebyshev")
        return tree.query(x, k=k + 1, dualtree=dualtree)[0][:, k]

    searches = {
        "cKDTree (peer)": ckdtree,
        "cKDTree, tree order (infojax)": lambda x, k: _kth_distance(x, k, np.inf)[0],
        "cKDTree sliding midpoint": lambda x, k: ckdtree(x, k, balanced_tree=False),
        "cKDTree leafsize 8": lambda x, k: ckdtree(x, k, leafsize=8),
        "cKDTree leafsize 32": lambda x, k: ckdtree(x, k, leafsize=32),
        "sklearn KDTree": lambda x, k: sklearn(KDTree, x, k),
        "sklearn BallTree": lambda x, k: sklearn(BallTree, x, k),
        "sklearn KDTree dual-tree": lambda x, k: sklearn(KDTree, x, k, dualtree=True),
    }
    print()
    for d in dims:
        for k in ks:
            last: dict[str, tuple[int, float]] = {}  # each search's (n, seconds) so far
            for n in sizes:
                x, _ = correlated_gaussians(0, n, d)
                timed: dict[str, float | str] = {}
                expected = None  # the peer's k-th distances, which the others must equal
                for name, search in searches.items():
                    if expected is None and name != "cKDTree (peer)":
                        timed[name] = "skip"  # nothing to check it against
                        continue
                    if over_budget(last.get(name), n, args.budget):
                        timed[name] = "skip"
                        continue
                    seconds, got, _ = median_time(
                        functools.partial(search, x, k), args.repeats, args.budget
                    )
                    last[name] = n, seconds
                    if expected is None:
                        expected = got
                    timed[name] = seconds if np.array_equal(got, expected) else "disagree"
                peer = timed["cKDTree (peer)"]
                parts = [
                    f"{name} {seconds:.4f} ({peer / seconds:.2f}x)"
                    if isinstance(seconds, float)
                    else f"{name} {seconds}"
                    for name, seconds in timed.items()
                ]
                print(
                    f"knn n={n:>6} d={d:>2} k={k:>2} | "
                    + " | ".join(parts)
                    + f" | load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )


def batched(args, batch: int, n: int, k: int = 3) -> None:
    samples = [correlated_gaussians(seed, n, 1) for seed in range(batch)]
    xs = np.stack([s[0] for s in samples])
    ys = np.stack([s[1] for s in samples])
    vmapped = jax.jit(jax.vmap(lambda a, b: ksg_mutual_information(a, b, k=k)))
    brute = jax.jit(
        jax.vmap(lambda a, b: ksg_mutual_information(a, b, k=k, backend="jax", block_size=8))
    )
    loops = {
        "scipy loop": lambda: [scipy_ksg(x, y, k) for x, y in zip(xs, ys, strict=True)],
        "sklearn loop": lambda: [sklearn_ksg(x, y, k) for x, y in zip(xs, ys, strict=True)],
    }
    if installed("ennemi"):
        loops["ennemi loop"] = lambda: [ennemi_ksg(x, y, k) for x, y in zip(xs, ys, strict=True)]
    if installed("infomeasure"):
        loops["infomeasure loop"] = lambda: [
            infomeasure_ksg(x, y, k) for x, y in zip(xs, ys, strict=True)
        ]
    ours, values, _ = median_time(lambda: vmapped(xs, ys), args.repeats, math.inf)
    brute_seconds, brute_values, _ = median_time(lambda: brute(xs, ys), args.repeats, math.inf)
    assert np.allclose(values, brute_values, rtol=1e-9, atol=1e-12)
    parts = [f"infojax jit(vmap) {ours:.3f}s", f"infojax brute vmap {brute_seconds:.3f}s"]
    for name, fn in loops.items():
        seconds, peer_values, _ = median_time(fn, args.repeats, math.inf)
        worst = float(np.max(np.abs(np.asarray(peer_values) - np.asarray(values))))
        status = f"{seconds:.3f}s ({seconds / ours:.2f}x)"
        if worst > args.tolerance:
            status = f"disagree (max diff {worst:.2e})"
        parts.append(f"{name} {status}")
    print(
        f"\nbatch of {batch} KSG, n = {n}, d = 1, k = {k}: "
        + " | ".join(parts)
        + f" | load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small grid, for a smoke test")
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="both infojax backends at n in {1e3, 3e3, 1e4, 3e4}: the data behind the "
        "KSG_KDTREE_FROM / KL_KDTREE_FROM tables of backend='auto'",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed runs after warm-up")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per cell, see above")
    parser.add_argument("--tolerance", type=float, default=1e-3, help="agreement, nats")
    parser.add_argument("--sizes", type=int, nargs="*", help="override the grid's n")
    parser.add_argument("--dims", type=int, nargs="*", help="override the grid's d per side")
    parser.add_argument("--ks", type=int, nargs="*", help="override the grid's k")
    parser.add_argument("--no-batch", action="store_true", help="skip the batch workload")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="only the brute force at n = 1e4, d = 5 against the compare-operation floor",
    )
    parser.add_argument(
        "--knn",
        action="store_true",
        help="only the exact max-norm k-NN searches (KL's core), d per side >= 2",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1.")
    jax.config.update("jax_enable_x64", True)
    if args.quick:
        sizes, dims, ks, batch = (500, 2000), (1, 5), (3,), 16
    elif args.calibrate:
        sizes, dims, ks, batch = (1_000, 3_000, 10_000, 30_000), (1, 2, 5, 10), (3, 10), 0
    else:
        sizes, dims, ks, batch = (1_000, 10_000, 100_000), (1, 2, 5, 10), (3, 10), 256
    sizes, dims, ks = args.sizes or sizes, args.dims or dims, args.ks or ks
    print(
        f"jax {jax.__version__} on {jax.default_backend()}, {os.cpu_count()} CPUs, float64, "
        f"load average {os.getloadavg()[0]:.1f}; ennemi {installed('ennemi')}, "
        f"infomeasure {installed('infomeasure')}; median seconds of {args.repeats} after "
        f"warm-up; ratios = fastest peer / infojax (> 1: infojax faster)",
        flush=True,
    )
    if args.floor:
        compare_floor(args)
        return
    if args.knn:
        knn_searches(args, sizes, args.dims or (2, 5, 10), ks)
        return
    rows = grid(args, ("ksg", "kl"), sizes, dims, ks, forced=args.calibrate or args.quick)
    if args.calibrate or args.quick:
        print_auto_check(rows)
    if batch and not args.no_batch:
        batched(args, batch, 1000)


if __name__ == "__main__":
    main()
