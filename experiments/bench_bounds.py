"""Benchmark of the neural MI bounds: training throughput and (``--sweep``) accuracy.

Throughput (default): steps per second of one critic trained by a plain Python loop
of jitted steps, of the same critic trained by the compiled ``lax.scan`` loop, and of
``--critics`` critics trained at once by ``jax.vmap`` of that loop, at each dimension
in ``--dims`` per side and batch ``--batch-size``; the median of ``--repeats`` timed
runs after one compile run. All three use the same train step
(:func:`infojax.bounds.make_train_step`) on the same data. Beside them: the step's
floating-point operations (XLA's cost analysis), the arithmetic rate each path
reaches, and a dense matmul's rate on the same device, which bounds what batching
critics can gain once one critic already keeps the device busy.

Accuracy (``--sweep``): the setting of Poole et al. (2019), 20-dimensional correlated
Gaussians with true MI in ``--mi`` nats; every bound fitted with
:func:`infojax.bounds.fit_mutual_information` for ``--seeds`` seeds (vmapped), the
held-out estimate reported as mean and standard deviation over seeds.

Default fit (``--fit``): the wall time of one :func:`infojax.bounds.fit_mutual_information`
call at its defaults on 5-d Gaussians (n = 5000), compile included (the first call)
and excluded (median of ``--repeats`` later calls), and of ``--critics`` seeds in one
vmapped call (per seed), with the arithmetic rate reached (train-step FLOP x steps run
/ time) beside the dense matmul rate.

Usage:
  python -m experiments.bench_bounds                 # throughput table
  python -m experiments.bench_bounds --fit --repeats 3   # default fit timings
  python -m experiments.bench_bounds --steps 50 --repeats 5 --dims 5   # quick check
  python -m experiments.bench_bounds --sweep         # accuracy table (slow)
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from infojax import bounds
from infojax.bounds._fit import build_critic
from infojax.bounds._held_out import epoch_batches


def correlated_gaussians(key: jax.Array, n: int, dim: int, mutual_information: float):
    """``(x, y)`` with ``y = rho x + sqrt(1 - rho^2) noise`` per coordinate.

    The true MI is ``-dim/2 log(1 - rho^2)`` nats, so ``rho`` is set from it.
    """
    rho = math.sqrt(1 - math.exp(-2 * mutual_information / dim))
    key_x, key_noise = jax.random.split(key)
    x = jax.random.normal(key_x, (n, dim), jnp.float32)
    noise = jax.random.normal(key_noise, (n, dim), jnp.float32)
    return x, rho * x + math.sqrt(1 - rho**2) * noise


def _timed(run, repeats: int) -> float:
    """Median wall time of ``repeats`` calls after one untimed (compiling) call."""
    jax.block_until_ready(run())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(run())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def throughput(args: argparse.Namespace, dim: int) -> dict[str, float]:
    """Steps per second (per critic) of the loop, the scan, and the vmapped scan."""
    x, y = correlated_gaussians(jax.random.key(0), args.samples, dim, 2.0)
    settings = bounds.make_settings(
        x,
        y,
        bound=args.bound,
        critic=args.critic,
        optimizer=optax.adam(args.learning_rate),
        steps=args.steps,
        batch_size=args.batch_size,
        eval_every=args.steps,
        critic_options={"hidden_sizes": tuple(args.hidden_sizes)},
    )
    spec = bounds.get_bound(args.bound)
    n_train = settings.n_train
    x_train, y_train = x[:n_train], y[:n_train]

    def init(key):
        critic = build_critic(key, settings, dim, dim, jnp.float32)
        graphdef, params = nnx.split(critic)
        state = (params, settings.optimizer.init(params), spec.init_state(jnp.float32))
        return graphdef, state

    graphdef, _ = init(jax.random.key(0))
    train_step = bounds.make_train_step(settings, graphdef)

    def one_step(state, batch_indices):
        return train_step(state, (x_train[batch_indices], y_train[batch_indices]))

    def scan_steps(state, indices):
        state, values = jax.lax.scan(one_step, state, indices)
        return state, values

    keys = jax.random.split(jax.random.key(1), args.critics)
    states = jax.vmap(lambda k: init(k)[1])(keys)
    indices = jax.vmap(
        lambda k: epoch_batches(k, settings.n_train, settings.batch_size, settings.schedule)
    )(keys)
    indices = indices.reshape(args.critics, -1, settings.batch_size)
    first_state = jax.tree.map(lambda leaf: leaf[0], states)
    first_indices = indices[0]

    jitted_step = jax.jit(one_step)
    step_indices = list(first_indices)

    def python_loop():
        state = first_state
        for batch_indices in step_indices:
            state, _ = jitted_step(state, batch_indices)
        return state

    compiled_one = jax.jit(scan_steps)
    compiled_many = jax.jit(jax.vmap(scan_steps))
    loop_time = _timed(python_loop, args.repeats)
    scan_time = _timed(lambda: compiled_one(first_state, first_indices), args.repeats)
    vmap_time = _timed(lambda: compiled_many(states, indices), args.repeats)
    return {
        "loop": args.steps / loop_time,
        "scan": args.steps / scan_time,
        "vmap_per_critic": args.critics * args.steps / vmap_time,
        "flops_per_step": _flops(jitted_step, first_state, first_indices[0]),
    }


def _flops(jitted, *args) -> float:
    """Floating-point operations of one call, from XLA's cost analysis (nan if absent)."""
    analysis = jitted.lower(*args).compile().cost_analysis()
    if isinstance(analysis, list | tuple):  # older jax: one dict per program
        analysis = analysis[0] if analysis else {}
    return float((analysis or {}).get("flops", math.nan))


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of one float32 (size x size) @ (size x size) product: a roofline for the
    dense arithmetic the critics are made of."""
    a = jax.random.normal(jax.random.key(0), (size, size), jnp.float32)
    product = jax.jit(lambda a: a @ a)
    return 2 * size**3 / _timed(lambda: product(a), repeats) / 1e9


def run_throughput(args: argparse.Namespace) -> None:
    print(
        f"Training throughput, {args.bound} with a {args.critic} critic "
        f"(hidden {tuple(args.hidden_sizes)}), batch {args.batch_size}, {args.steps} steps, "
        f"median of {args.repeats} runs, device {jax.devices()[0].device_kind}"
    )
    peak = matmul_gflops()
    print(f"dense float32 2048^2 matmul on this device: {peak:.0f} GFLOP/s")
    header = (
        f"{'d':>4} | {'MFLOP/step':>10} | {'loop (1 critic)':>16} | {'scan (1 critic)':>16} | "
        f"{f'vmap x{args.critics} per critic':>22} | {'vmap / loop':>11} | "
        f"{'GFLOP/s loop, vmap':>18}"
    )
    print(header)
    print("-" * len(header))
    for dim in args.dims:
        rates = throughput(args, dim)
        ratio = rates["vmap_per_critic"] / rates["loop"]
        flops = rates["flops_per_step"]
        print(
            f"{dim:>4} | {flops / 1e6:>10.1f} | {rates['loop']:>11.1f} st/s | "
            f"{rates['scan']:>11.1f} st/s | {rates['vmap_per_critic']:>17.1f} st/s | "
            f"{ratio:>10.1f}x | {flops * rates['loop'] / 1e9:>8.0f}, "
            f"{flops * rates['vmap_per_critic'] / 1e9:>7.0f}"
        )


def run_sweep(args: argparse.Namespace) -> None:
    print(
        f"Accuracy, 20-d correlated Gaussians, {args.sweep_samples} pairs, "
        f"{args.sweep_steps} steps, batch {args.sweep_batch_size}, "
        f"{args.critic} critic {tuple(args.hidden_sizes)}, "
        f"adam({args.learning_rate}), {args.seeds} seeds; held-out estimate mean ± sd (nats); "
        f"InfoNCE is capped at log({args.sweep_batch_size}) = "
        f"{math.log(args.sweep_batch_size):.2f}"
    )
    names = list(args.bounds or bounds.BOUNDS)
    print(f"{'true MI':>8} | " + " | ".join(f"{name:>13}" for name in names))
    optimizer = optax.adam(args.learning_rate)
    for true_mi in args.mi:
        x, y = correlated_gaussians(
            jax.random.key(int(true_mi * 100)), args.sweep_samples, 20, true_mi
        )
        cells = []
        for name in names:
            critic = None if bounds.BOUNDS[name].model == "conditional" else args.critic
            critic_options = {"hidden_sizes": tuple(args.hidden_sizes)}

            def estimate(key, x=x, y=y, name=name, critic=critic, critic_options=critic_options):
                return bounds.fit_mutual_information(
                    key,
                    x,
                    y,
                    bound=name,
                    critic=critic,
                    optimizer=optimizer,
                    steps=args.sweep_steps,
                    batch_size=args.sweep_batch_size,
                    eval_every=max(1, args.sweep_steps // 10),
                    critic_options=critic_options,
                ).estimate

            values = np.asarray(jax.vmap(estimate)(jax.random.split(jax.random.key(7), args.seeds)))
            cells.append(f"{values.mean():6.2f} ± {values.std():4.2f}")
        print(f"{true_mi:>8.1f} | " + " | ".join(f"{cell:>13}" for cell in cells), flush=True)


def run_fit(args: argparse.Namespace) -> None:
    """Time one default fit (compile included and excluded) and 16 seeds vmapped."""
    import os
    import warnings

    x, y = correlated_gaussians(jax.random.key(0), args.fit_samples, 5, 1.0)
    print(
        f"Default fit_mutual_information (bound {args.bound!r}), 5-d correlated Gaussians, "
        f"true MI 1 nat, n = {args.fit_samples}, device {jax.devices()[0].device_kind}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    peak = matmul_gflops()
    settings = bounds.make_settings(x, y, bound=args.bound)
    spec = bounds.get_bound(args.bound)
    critic = build_critic(jax.random.key(0), settings, 5, 5, jnp.float32)
    graphdef, params = nnx.split(critic)
    train_step = jax.jit(bounds.make_train_step(settings, graphdef))
    state = (params, settings.optimizer.init(params), spec.init_state(jnp.float32))
    batch = (x[: settings.batch_size], y[: settings.batch_size])
    step_flops = _flops(train_step, state, batch)

    def fit(key, seeds=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = bounds.fit_mutual_information(key, x, y, bound=args.bound, seeds=seeds)
            return jax.block_until_ready(result)

    rows = []
    for label, seeds in (("one fit", None), (f"{args.critics} seeds vmapped", args.critics)):
        start = time.perf_counter()
        result = fit(jax.random.key(1), seeds)
        first = time.perf_counter() - start
        times, steps = [], []
        for repeat in range(args.repeats):
            start = time.perf_counter()
            result = fit(jax.random.key(2 + repeat), seeds)
            times.append(time.perf_counter() - start)
            steps.append(float(np.sum(result.steps_run)))
        median = statistics.median(times)
        per = 1 if seeds is None else seeds
        gflops = step_flops * statistics.median(steps) / median / 1e9
        rows.append((label, first / per, median / per, gflops, result.summary()))
    print(
        f"train step: {step_flops / 1e6:.1f} MFLOP (XLA cost analysis); dense float32 "
        f"matmul: {peak:.0f} GFLOP/s; load average {os.getloadavg()[0]:.2f}"
    )
    print("| run | s per fit, compile included | s per fit, compiled | GFLOP/s | estimate |")
    print("|---|---:|---:|---:|---|")
    for label, first, median, gflops, summary in rows:
        print(f"| {label} | {first:.2f} | {median:.2f} | {gflops:.0f} | {summary} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="accuracy sweep instead of speed")
    parser.add_argument("--fit", action="store_true", help="time default fits instead")
    parser.add_argument("--fit-samples", type=int, default=5000)
    parser.add_argument("--bound", default="infonce", help="bound for the throughput test")
    parser.add_argument("--bounds", nargs="*", help="bounds for the sweep (default: all)")
    parser.add_argument("--critic", default="separable")
    parser.add_argument("--hidden-sizes", type=int, nargs="+", default=[128, 128])
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--dims", type=int, nargs="+", default=[5, 25])
    parser.add_argument("--critics", type=int, default=16, help="critics vmapped at once")
    parser.add_argument("--steps", type=int, default=200, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (median)")
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--mi", type=float, nargs="+", default=[2.0, 4.0, 6.0, 8.0, 10.0])
    parser.add_argument("--sweep-steps", type=int, default=5000)
    parser.add_argument("--sweep-batch-size", type=int, default=128)
    parser.add_argument("--sweep-samples", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, default=3, help="seeds per sweep cell (vmapped)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    if args.sweep:
        run_sweep(args)
    elif args.fit:
        run_fit(args)
    else:
        run_throughput(args)


if __name__ == "__main__":
    main()
