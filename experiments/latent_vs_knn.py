"""Latent MI against KSG and InfoNCE, all at their defaults, on high-dimensional tasks.

For each task of :func:`infojax.tasks.high_dimensional_suite` (by default the first,
100 + 100 dimensions with a 2-dimensional Gaussian dependence of 1.02 nats; ``--all``
for the five), draws ``--n`` pairs and prints the true MI and three estimates in nats:
KSG on the raw samples (:func:`infojax.estimators.ksg_mutual_information`, k = 3),
InfoNCE (:func:`infojax.bounds.fit_mutual_information` with its defaults:
``infojax.bounds.DEFAULTS``, the best held-out critic's estimate) and latent MI
(:func:`infojax.bounds.latent_mutual_information` with its defaults), each for
``--seeds`` seeds, with the wall time of each call and the load average before the
run (timings on a shared machine are indicative only).

Usage:
  python -m experiments.latent_vs_knn               # 100 x 100, n = 5000, 1 seed
  python -m experiments.latent_vs_knn --all --seeds 2
  python -m experiments.latent_vs_knn --all --seeds 2 --methods infonce
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import jax

from infojax import bounds
from infojax import estimators
from infojax import tasks


def _timed(fn):
    start = time.perf_counter()
    value = float(fn())
    return value, time.perf_counter() - start


METHODS = ("ksg", "infonce", "latent_mi")


def compare(
    task: tasks.Task, n: int, seed: int, methods: tuple[str, ...] = METHODS
) -> dict[str, tuple[float, float]]:
    """``{method: (estimate in nats, seconds)}`` on ``n`` pairs drawn with ``seed``."""
    data_key, infonce_key, latent_key = jax.random.split(jax.random.key(seed), 3)
    x, y = task.sample(data_key, n)
    calls = {
        "ksg": lambda: estimators.ksg_mutual_information(x, y),
        "infonce": lambda: bounds.fit_mutual_information(infonce_key, x, y).estimate,
        "latent_mi": lambda: bounds.latent_mutual_information(latent_key, x, y),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fits' diagnostics; the numbers are the point
        return {method: _timed(calls[method]) for method in methods}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="pairs per sample set")
    parser.add_argument("--seeds", type=int, default=1, help="sample sets per task")
    parser.add_argument("--all", action="store_true", help="every high-dimensional task")
    parser.add_argument(
        "--methods", default=",".join(METHODS), help=f"comma-separated subset of {METHODS}"
    )
    args = parser.parse_args(argv)
    chosen_methods = tuple(args.methods.split(","))
    if not set(chosen_methods) <= set(METHODS):
        parser.error(f"--methods must name some of {METHODS}, got {args.methods!r}")
    suite = tasks.high_dimensional_suite()
    chosen = suite if args.all else suite[:1]
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    methods = " ".join(f"{name:>13s}" for name in chosen_methods)
    print(f"{'task':58s} {'true':>6s} {'seed':>4s} {methods}")
    for task in chosen:
        for seed in range(args.seeds):
            results = compare(task, args.n, seed, chosen_methods)
            cells = " ".join(f"{value:6.3f} ({time_:4.0f}s)" for value, time_ in results.values())
            print(f"{task.name:58s} {task.mutual_information:6.3f} {seed:4d} {cells}", flush=True)


if __name__ == "__main__":
    main()
