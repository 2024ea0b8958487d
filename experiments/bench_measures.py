"""Speed of the exact measures against scipy and plain NumPy on CPU.

Run ``python -m experiments.bench_measures``. Two workloads: the entropy of a
(10000, 1000) batch of distributions and the mutual information of a (1000, 100, 100)
batch of joint tables. Each implementation is run once to warm up (compilation for
JAX), its result checked against NumPy, then timed ``--repeats`` times; the table
reports the median and the speed relative to NumPy (> 1 is faster). JAX timings wait
for the result with ``block_until_ready``.

The jitted path is ``jax.jit`` of the public function: value checks need concrete
arrays and are skipped under ``jit``, so it measures the computation alone. The eager
row includes the validation (one compiled pass for NaN, inf, negative and
unnormalised entries, four scalars back to the host) and the compiled measure.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import scipy.stats

import infojax
from experiments._timing import median_seconds


def numpy_entropy(p: np.ndarray) -> np.ndarray:
    """Entropy over the last axis with 0 log 0 = 0, in plain NumPy."""
    logs = np.log(np.where(p > 0, p, 1.0))
    return -np.sum(p * logs, axis=-1)


def numpy_mutual_information(pxy: np.ndarray) -> np.ndarray:
    """Mutual information of joint tables ``(..., |X|, |Y|)`` in plain NumPy."""
    px = pxy.sum(axis=-1, keepdims=True)
    py = pxy.sum(axis=-2, keepdims=True)
    positive = pxy > 0
    ratio = np.where(positive, pxy, 1.0) / np.where(positive, px * py, 1.0)
    return np.sum(pxy * np.log(ratio), axis=(-2, -1))


def scipy_mutual_information(pxy: np.ndarray) -> np.ndarray:
    """H(X) + H(Y) - H(X, Y) with ``scipy.stats.entropy`` vectorised over the batch."""
    joint = pxy.reshape(pxy.shape[0], -1)
    return (
        scipy.stats.entropy(pxy.sum(axis=-1), axis=-1)
        + scipy.stats.entropy(pxy.sum(axis=-2), axis=-1)
        - scipy.stats.entropy(joint, axis=-1)
    )


def random_tables(rng: np.random.Generator, shape: tuple[int, ...], dtype, num_axes: int):
    """Random distributions over the last ``num_axes`` axes, ~10% exact zeros."""
    weights = rng.random(shape, dtype=np.float64)
    weights[weights < 0.1] = 0.0
    axes = tuple(range(-num_axes, 0))
    tables = weights / weights.sum(axis=axes, keepdims=True)
    return tables.astype(dtype)



def benchmark(
    name: str,
    implementations: dict[str, Callable[[], object]],
    expected: np.ndarray,
    repeats: int,
    rtol: float,
) -> list[tuple[str, str, float]]:
    rows = []
    for label, run in implementations.items():
        result = np.asarray(run())  # warm-up (and compilation)
        np.testing.assert_allclose(result, expected, rtol=rtol, atol=rtol)
        rows.append((name, label, median_seconds(run, repeats)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs (median reported)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the batch sizes (quick runs)"
    )
    args = parser.parse_args()
    if args.dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    dtype = np.dtype(args.dtype)
    # float32 sums of 1000 (or 10000) terms: relative rounding ~1e-5.
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    rng = np.random.default_rng(0)

    num_distributions = max(1, int(10_000 * args.scale))
    num_tables = max(1, int(1_000 * args.scale))
    p = random_tables(rng, (num_distributions, 1000), dtype, 1)
    pxy = random_tables(rng, (num_tables, 100, 100), dtype, 2)
    p_device, pxy_device = jnp.asarray(p), jnp.asarray(pxy)
    entropy_jit = jax.jit(infojax.entropy)
    mutual_information_jit = jax.jit(infojax.mutual_information)

    rows = benchmark(
        f"entropy {p.shape}",
        {
            "infojax (jit)": lambda: entropy_jit(p_device).block_until_ready(),
            "infojax (eager, validated)": lambda: infojax.entropy(p_device).block_until_ready(),
            "scipy.stats.entropy": lambda: scipy.stats.entropy(p, axis=-1),
            "numpy": lambda: numpy_entropy(p),
        },
        numpy_entropy(p.astype(np.float64)),
        args.repeats,
        rtol,
    )
    rows += benchmark(
        f"mutual information {pxy.shape}",
        {
            "infojax (jit)": lambda: mutual_information_jit(pxy_device).block_until_ready(),
            "infojax (eager, validated)": lambda: infojax.mutual_information(
                pxy_device
            ).block_until_ready(),
            "scipy.stats.entropy (H(X)+H(Y)-H(X,Y))": lambda: scipy_mutual_information(pxy),
            "numpy": lambda: numpy_mutual_information(pxy),
        },
        numpy_mutual_information(pxy.astype(np.float64)),
        args.repeats,
        rtol,
    )

    numpy_time = {name: seconds for name, label, seconds in rows if label == "numpy"}
    # The 1-minute load average after the timings: rerun when it is above 2.
    print(
        f"{args.dtype}, median of {args.repeats} runs after a warm-up, "
        f"{jax.devices()[0].platform} ({jax.device_count()} device(s)), "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    header = f"{'workload':<36} {'implementation':<40} {'median ms':>10} {'vs numpy':>9}"
    print(header)
    print("-" * len(header))
    for name, label, seconds in rows:
        speedup = numpy_time[name] / seconds
        print(f"{name:<36} {label:<40} {1e3 * seconds:>10.1f} {speedup:>8.2f}x")


if __name__ == "__main__":
    main()
