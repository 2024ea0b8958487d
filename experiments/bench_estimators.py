"""Speed of the KSG mutual-information estimator against scikit-learn, scipy and NumPy.

Run ``python -m experiments.bench_estimators`` (add ``--quick`` for small sizes). Two
workloads on correlated Gaussians (rho = 0.5 per coordinate, k = 3, KSG algorithm 1):

* one estimate at n in {1e3, 1e4, 1e5} with d in {1, 5} per side, by
  - ``infojax auto``: the public function as a user calls it (validation included;
    ``backend="auto"`` picks the KD-tree for n >= 2048 in joint dimension <= 4 on CPU),
  - ``infojax jax``: ``jax.jit`` of the pure-JAX row-block path,
  - ``scipy KD-tree``: KSG written directly with ``scipy.spatial.cKDTree``,
  - ``NumPy brute``: full pairwise distances and ``argsort`` in row blocks (skipped
    above n = 1e4 unless ``--brute-max-n`` says otherwise: about ten minutes a run),
  - ``scikit-learn``: ``mutual_info_regression`` (1-D only; it also rescales and adds
    noise to its inputs, which is part of its cost);
* 256 independent estimates at n = 1000, d = 1: one ``jax.jit(jax.vmap(...))`` call
  against Python loops over scikit-learn and over the scipy KD-tree.

Each implementation runs once to warm up (compilation for JAX), then ``--repeats``
times; the table reports the median in seconds and ratios (> 1: infojax is faster).
All estimates are printed so that agreement can be checked (scikit-learn differs in
the last digits because of its added noise). Timings on a shared machine are
distorted by other load; report the machine and its load with the numbers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import jax
import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression

from infojax.estimators import ksg_mutual_information

K = 3
RHO = 0.5


def correlated_gaussians(seed: int, n: int, d: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = RHO * x + np.sqrt(1 - RHO**2) * rng.normal(size=(n, d))
    return x.astype(dtype), y.astype(dtype)


def scipy_kdtree_ksg(x: np.ndarray, y: np.ndarray, k: int = K) -> float:
    """KSG algorithm 1 with scipy's KD-tree: a k-NN query in the joint space, then
    radius counts (strictly inside the k-th distance) in each marginal space."""
    n = len(x)
    x = np.asarray(x, np.float64).reshape(n, -1)
    y = np.asarray(y, np.float64).reshape(n, -1)
    joint = np.hstack([x, y])
    eps = cKDTree(joint).query(joint, k=k + 1, p=np.inf)[0][:, k]
    radius = np.nextafter(eps, 0)
    n_x = cKDTree(x).query_ball_point(x, radius, p=np.inf, return_length=True) - 1
    n_y = cKDTree(y).query_ball_point(y, radius, p=np.inf, return_length=True) - 1
    return float(digamma(k) + digamma(n) - np.mean(digamma(n_x + 1) + digamma(n_y + 1)))


def numpy_brute_ksg(x: np.ndarray, y: np.ndarray, k: int = K, block: int = 500) -> float:
    """KSG algorithm 1 by brute force: pairwise max-norm distances and a full argsort
    per row, in blocks of rows so memory stays at block x n."""
    n = len(x)
    x = np.asarray(x, np.float64).reshape(n, -1)
    y = np.asarray(y, np.float64).reshape(n, -1)
    total = 0.0
    for start in range(0, n, block):
        rows = np.arange(start, min(start + block, n))
        dx = np.abs(x[rows, None, :] - x[None, :, :]).max(-1)
        dy = np.abs(y[rows, None, :] - y[None, :, :]).max(-1)
        dx[np.arange(len(rows)), rows] = np.inf
        dy[np.arange(len(rows)), rows] = np.inf
        joint = np.maximum(dx, dy)
        order = np.argsort(joint, axis=1)
        eps = np.take_along_axis(joint, order[:, k - 1 : k], axis=1)
        n_x = (dx < eps).sum(1)
        n_y = (dy < eps).sum(1)
        total += np.sum(digamma(n_x + 1) + digamma(n_y + 1))
    return float(digamma(k) + digamma(n) - total / n)


def sklearn_ksg(x: np.ndarray, y: np.ndarray, k: int = K) -> float:
    return float(mutual_info_regression(x, y.ravel(), n_neighbors=k, random_state=0)[0])


def median_time(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median wall time of ``fn()`` over ``repeats`` runs after one warm-up run."""
    result = jax.block_until_ready(fn())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def ratio(baseline: float | None, ours: float) -> str:
    return "-" if baseline is None else f"{baseline / ours:.1f}x"


def single_estimates(sizes, dims, repeats: int, brute_max_n: int, dtype) -> list[dict]:
    rows = []
    for d in dims:
        for n in sizes:
            x, y = correlated_gaussians(0, n, d, dtype)
            jitted = jax.jit(lambda a, b: ksg_mutual_information(a, b, backend="jax"))
            timings, values = {}, {}
            candidates = {
                "infojax auto": lambda x=x, y=y: ksg_mutual_information(x, y),
                "infojax jax": lambda x=x, y=y, f=jitted: f(x, y),
                "scipy KD-tree": lambda x=x, y=y: scipy_kdtree_ksg(x, y),
            }
            if n <= brute_max_n:
                candidates["NumPy brute"] = lambda x=x, y=y: numpy_brute_ksg(x, y)
            if d == 1:
                candidates["scikit-learn"] = lambda x=x, y=y: sklearn_ksg(x, y)
            for name, fn in candidates.items():
                timings[name], value = median_time(fn, repeats)
                values[name] = float(value)
            rows.append({"n": n, "d": d, "timings": timings, "values": values})
            print_row(rows[-1])
    return rows


def print_row(row: dict) -> None:
    parts = [f"n={row['n']:>6} d={row['d']}"]
    for name, seconds in row["timings"].items():
        parts.append(f"{name}: {seconds:.4f}s ({row['values'][name]:.4f})")
    print("  ".join(parts), flush=True)


def batched_estimates(batch: int, n: int, repeats: int, dtype) -> dict:
    samples = [correlated_gaussians(seed, n, 1, dtype) for seed in range(batch)]
    xs = np.stack([s[0] for s in samples])
    ys = np.stack([s[1] for s in samples])
    # Under vmap each block holds batch x block_size x n distances: small blocks keep
    # them in cache (8 rows was fastest for 256 x 1000 on 2 CPU cores).
    vmapped = jax.jit(
        jax.vmap(lambda a, b: ksg_mutual_information(a, b, backend="jax", block_size=8))
    )
    timings = {}
    timings["infojax vmap"], values = median_time(lambda: vmapped(xs, ys), repeats)
    timings["scikit-learn loop"], _ = median_time(
        lambda: [sklearn_ksg(x, y) for x, y in zip(xs, ys, strict=True)], repeats
    )
    timings["scipy KD-tree loop"], reference = median_time(
        lambda: [scipy_kdtree_ksg(x, y) for x, y in zip(xs, ys, strict=True)], repeats
    )
    worst = float(np.max(np.abs(np.asarray(values) - np.asarray(reference))))
    return {"batch": batch, "n": n, "timings": timings, "max_difference": worst}


def print_tables(rows: list[dict], batched: dict) -> None:
    print("\nKSG (k = 3), median seconds; ratios = other / infojax auto (> 1: infojax faster)")
    header = (
        f"{'n':>7} {'d':>2} {'infojax auto':>13} {'infojax jax':>12} {'KD-tree':>9} "
        f"{'NumPy':>9} {'sklearn':>9} {'vs NumPy':>9} {'vs sklearn':>10} {'vs KD-tree':>10}"
    )
    print(header)
    for row in rows:
        t = row["timings"]
        ours = t["infojax auto"]
        print(
            f"{row['n']:>7} {row['d']:>2} {ours:>13.4f} {t['infojax jax']:>12.4f} "
            f"{t['scipy KD-tree']:>9.4f} {t.get('NumPy brute', float('nan')):>9.4f} "
            f"{t.get('scikit-learn', float('nan')):>9.4f} "
            f"{ratio(t.get('NumPy brute'), ours):>9} {ratio(t.get('scikit-learn'), ours):>10} "
            f"{ratio(t['scipy KD-tree'], ours):>10}"
        )
    t = batched["timings"]
    print(
        f"\n{batched['batch']} estimates at n = {batched['n']}, d = 1: infojax vmap "
        f"{t['infojax vmap']:.3f}s, scikit-learn loop {t['scikit-learn loop']:.3f}s "
        f"({ratio(t['scikit-learn loop'], t['infojax vmap'])}), scipy KD-tree loop "
        f"{t['scipy KD-tree loop']:.3f}s ({ratio(t['scipy KD-tree loop'], t['infojax vmap'])}); "
        f"largest difference from the KD-tree values {batched['max_difference']:.2e}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after warm-up")
    parser.add_argument(
        "--brute-max-n", type=int, default=10_000, help="largest n for the NumPy brute force"
    )
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    args = parser.parse_args(argv)
    if args.repeats < 5:
        parser.error("--repeats must be at least 5 (the table reports a median).")
    if args.dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    dtype = np.dtype(args.dtype)
    sizes = (500, 2000) if args.quick else (1_000, 10_000, 100_000)
    batch = 16 if args.quick else 256
    print(
        f"jax {jax.__version__} on {jax.default_backend()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}, dtype {args.dtype}",
        flush=True,
    )
    rows = single_estimates(sizes, (1, 5), args.repeats, args.brute_max_n, dtype)
    batched = batched_estimates(batch, 1000, args.repeats, dtype)
    print_tables(rows, batched)


if __name__ == "__main__":
    main()
