"""BROJA partial information decomposition: infojax (vmapped, jitted) against dit.

Run ``python -m experiments.bench_pid``. For each shape, ``--tables`` random tables
(Dirichlet(1), full support, float64) are decomposed in one ``jax.jit(jax.vmap(...))``
call and by a loop of ``dit.pid.PID_BROJA``. Values are checked first: the table
reports the largest disagreement of the unique information in bits, whether
infojax's value is ever above dit's (infojax's is a certified minimum with its
optimality gap; dit's optimiser stops at a feasible point, whose objective can only
be higher), and the largest certified gap. Then each side is timed: the median of
``--repeats`` runs after a warm-up (compilation) for infojax; dit runs on
``--dit-tables`` tables only (it is slow) and its time is scaled per table to
``--tables``, as the output says. ``--shapes`` picks the table shapes. The load
average is printed beside every timing: on a shared machine the timings are noisy.
"""

from __future__ import annotations

import argparse
import functools
import time

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

import dit  # noqa: E402
from dit.pid import PID_BROJA  # noqa: E402

import infojax  # noqa: E402
from experiments._timing import load_average  # noqa: E402
from experiments._timing import median_seconds  # noqa: E402


def random_tables(rng: np.random.Generator, count: int, shape: tuple[int, ...]) -> np.ndarray:
    size = int(np.prod(shape))
    return rng.dirichlet(np.ones(size), size=count).reshape(count, *shape)


def dit_unique(table: np.ndarray) -> np.ndarray:
    outcomes = [idx for idx in np.ndindex(*table.shape) if table[idx] > 0]
    result = PID_BROJA(dit.Distribution(outcomes, [table[idx] for idx in outcomes]))
    return np.array([result[((0,),)], result[((1,),)]])




def bench_shape(shape, args, rng) -> None:
    tables = random_tables(rng, args.tables, shape)
    batched = jax.jit(jax.vmap(functools.partial(infojax.pid, measure="broja", base=2)))

    def run_infojax():
        return jax.block_until_ready(batched(tables))

    start = time.perf_counter()
    result = run_infojax()
    first = time.perf_counter() - start
    ours = np.asarray(result.unique)
    gaps = np.asarray(result.optimality_gap)

    count = min(args.dit_tables, args.tables)
    start = time.perf_counter()
    reference = np.stack([dit_unique(t) for t in tables[:count]])
    dit_seconds = (time.perf_counter() - start) / count * args.tables
    dit_load = load_average()

    difference = ours[:count] - reference
    print(f"shape {shape}: {args.tables} tables, dit on {count} of them")
    print(f"  largest disagreement |U_infojax - U_dit|: {np.abs(difference).max():.3g} bits")
    print(f"  largest U_infojax - U_dit (> 0: infojax above dit): {difference.max():.3g} bits")
    print(f"  largest certified optimality gap: {gaps.max():.3g} bits")

    seconds = median_seconds(run_infojax, args.repeats)
    print(
        f"  infojax vmap+jit: {seconds * 1e3:9.2f} ms median of {args.repeats}  "
        f"(first call with compilation {first:.2f} s)  [{load_average()}]"
    )
    scaled = "" if count == args.tables else f", scaled from {count} tables"
    print(
        f"  dit PID_BROJA loop: {dit_seconds:9.2f} s for {args.tables} tables{scaled}  [{dit_load}]"
    )
    print(f"  ratio dit / infojax: {dit_seconds / seconds:.0f}x")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--dit-tables", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shapes", default="2x2x2,3x3x4", help="comma-separated, e.g. 2x2x2")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print(f"jax {jax.__version__} on {jax.default_backend()}, dit {dit.__version__}, float64")
    for text in args.shapes.split(","):
        bench_shape(tuple(int(size) for size in text.split("x")), args, rng)


if __name__ == "__main__":
    main()
