"""O-information of every multiplet: infojax against HOI's Oinfo, Gaussian copula, on CPU.

Run ``python -m experiments.bench_higher_order`` (HOI is in the optional ``bench``
extra). The workload: O-information of every multiplet of size 3 to 5 among 20
columns, n = 10,000 samples (21,489 multiplets). The columns are a Gaussian with a
random correlation matrix pushed through monotone transforms (exp, cube, arctan,
identity in turn), so only their copula is Gaussian.

infojax: ``gaussian_copula_o_information_multiplets(x, sizes=(3, 4, 5), base=2)``, the
public eager call (its validation included). HOI: ``Oinfo(x).fit(minsize=3,
maxsize=5, method="gc")`` (bits, bias-corrected Gaussian-copula entropies, the
conventions infojax's defaults follow). The multiplets and values are checked equal
first, in float64 (``jax.enable_x64``; HOI stores its results in float32, so the two
agree to about 3e-8 bits) to ``--tolerance`` (1e-5 bits); the float32 difference is
printed too (each library is within about 2e-5 bits of the float64 values there).
Then each is run once more to warm up and timed ``--repeats`` times in JAX's default
float32 (``--float64``: in float64); the median is reported with the load average
beside it. Timings on a shared
machine are noisy: compare them only with a baseline taken in the same run.
"""

from __future__ import annotations

import argparse
import os
import warnings

import jax
import numpy as np

from experiments._timing import load_average
from experiments._timing import median_seconds
from infojax.estimators import gaussian_copula_o_information_multiplets


def copula_columns(seed: int, n: int, p: int) -> np.ndarray:
    """``n`` samples of ``p`` columns with a Gaussian copula and non-Gaussian margins."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(p, p // 2 + 1))
    cov = factors @ factors.T + np.diag(rng.uniform(0.5, 1.5, size=p))
    scale = np.sqrt(np.diag(cov))
    z = rng.multivariate_normal(np.zeros(p), cov / np.outer(scale, scale), size=n)
    transforms = (np.exp, lambda v: v**3, np.arctan, lambda v: v)
    return np.stack([transforms[j % 4](z[:, j]) for j in range(p)], axis=1)




def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--min-size", type=int, default=3)
    parser.add_argument("--max-size", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tolerance", type=float, default=1e-5, help="bits, in float64")
    parser.add_argument("--float64", action="store_true", help="time both in float64")
    args = parser.parse_args(argv)
    from hoi.metrics import Oinfo

    x = copula_columns(args.seed, args.samples, args.columns)
    sizes = tuple(range(args.min_size, args.max_size + 1))

    def ours():
        result = gaussian_copula_o_information_multiplets(x, sizes=sizes, base=2)
        return jax.block_until_ready(result)

    def theirs():
        model = Oinfo(x, verbose=False)
        return model, model.fit(minsize=args.min_size, maxsize=args.max_size, method="gc")

    with jax.enable_x64(True), warnings.catch_warnings():
        # HOI writes its float64 values into a float32 array, which JAX warns about.
        warnings.simplefilter("ignore", FutureWarning)
        result = ours()
        model, reference = theirs()
    assert np.array_equal(np.asarray(result.multiplets), model.multiplets), "multiplets differ"
    exact = np.asarray(result.o_information)
    difference = float(np.max(np.abs(exact - reference[:, 0])))
    print(
        f"{len(reference)} multiplets of sizes {sizes} among {args.columns} columns, "
        f"n = {args.samples}, {jax.device_count()} {jax.default_backend()} device(s), "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"float64: largest |infojax - HOI| = {difference:.2e} bits (values span "
        f"{reference.min():.3f} to {reference.max():.3f} bits)"
    )
    if not difference <= args.tolerance:
        raise SystemExit(f"infojax and HOI differ by {difference:.2e} > {args.tolerance} bits")
    ours32 = np.asarray(ours().o_information)
    hoi32 = theirs()[1][:, 0]
    print(
        f"float32: largest |infojax - HOI| = {np.max(np.abs(ours32 - hoi32)):.2e} bits; "
        f"from the float64 values: infojax {np.max(np.abs(ours32 - exact)):.2e}, "
        f"HOI {np.max(np.abs(hoi32 - exact)):.2e}"
    )
    if args.float64:
        jax.config.update("jax_enable_x64", True)
    ours()  # warm-up in the timed precision (float32 has run once already)
    theirs()
    print(f"timings in {'float64' if args.float64 else 'float32'}")
    time_ours = median_seconds(ours, args.repeats)
    print(f"infojax  median {time_ours:8.3f} s of {args.repeats} ({load_average()})")
    time_theirs = median_seconds(theirs, args.repeats)
    print(f"HOI      median {time_theirs:8.3f} s of {args.repeats} ({load_average()})")
    ratio = time_theirs / time_ours
    print(f"infojax is {ratio:.1f}x faster than HOI ({load_average()})")
    return {
        "max_difference_bits": difference,
        "seconds_infojax": time_ours,
        "seconds_hoi": time_theirs,
        "ratio": ratio,
    }


if __name__ == "__main__":
    main()
