"""One check of what an accelerator gives infojax, in one table (a few minutes on a GPU).

Three measurements, each batched against a loop on the same device:

- neural bounds: ``--critics`` InfoNCE critics trained together by ``jax.vmap`` of
  the compiled ``lax.scan`` loop, against one critic trained by a Python loop of
  jitted steps (steps per second per critic; ``experiments/bench_bounds.py``);
- KSG: ``--ksg-batch`` estimates at ``n = --ksg-n`` in one vmapped call, against a
  Python loop of one jitted estimate each;
- the information plane: a shortened default run (``--epochs`` epochs, ``--seeds``
  seeds in one program), against one seed alone, times the seeds.

It prints the device and one row per measurement: batched and looped seconds, and the
ratio (> 1: batching is faster). On a CPU the sizes shrink (``--small``, the default
there), so it also runs in the tests.

    python -m experiments.accelerator_check            # sizes for the device found
    python -m experiments.accelerator_check --small    # CPU sizes anywhere

(Run it as a module, from the repository root: it imports ``experiments.bench_bounds``.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np

# (accelerator, small): sizes that take a few minutes on one GPU, and seconds on a CPU.
_SIZES = {
    "critics": (64, 4),
    "critic_dim": (25, 5),
    "critic_steps": (200, 20),
    "critic_samples": (20_000, 2_000),
    "ksg_batch": (256, 16),
    "ksg_n": (2_000, 200),
    "epochs": (200, 4),
    "seeds": (20, 2),
    "repeats": (3, 1),
}


def _median_seconds(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls after one untimed (compiling) call."""
    jax.block_until_ready(run())
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        jax.block_until_ready(run())
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def neural_bounds(critics: int, dim: int, steps: int, samples: int, repeats: int) -> dict:
    """Seconds per critic: vmapped critics against a Python loop of jitted steps."""
    from experiments import bench_bounds

    options = argparse.Namespace(
        bound="infonce",
        critic="separable",
        hidden_sizes=[128, 128],
        learning_rate=5e-4,
        batch_size=256,
        critics=critics,
        steps=steps,
        repeats=repeats,
        samples=samples,
    )
    rates = bench_bounds.throughput(options, dim)
    return {
        "check": f"InfoNCE, d = {dim}, {steps} steps, per critic",
        "batched": f"vmap x{critics}",
        "batched_seconds": steps / rates["vmap_per_critic"],
        "looped": "loop, 1 critic",
        "looped_seconds": steps / rates["loop"],
    }


def ksg_estimates(batch: int, n: int, repeats: int) -> dict:
    """``batch`` KSG estimates: one vmapped call against a loop of jitted calls."""
    from infojax.estimators import ksg_mutual_information

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, n, 1)).astype(np.float32)
    y = (0.5 * x + np.sqrt(0.75) * rng.standard_normal((batch, n, 1))).astype(np.float32)
    xs, ys = jax.device_put(x), jax.device_put(y)
    one = jax.jit(lambda a, b: ksg_mutual_information(a, b, backend="jax"))
    batched = jax.jit(jax.vmap(lambda a, b: ksg_mutual_information(a, b, backend="jax")))
    batched_seconds = _median_seconds(lambda: batched(xs, ys), repeats)
    looped_seconds = _median_seconds(
        lambda: [one(xs[index], ys[index]) for index in range(batch)], repeats
    )
    return {
        "check": f"KSG (k = 3), n = {n}",
        "batched": f"vmap x{batch}",
        "batched_seconds": batched_seconds,
        "looped": f"loop x{batch}",
        "looped_seconds": looped_seconds,
    }


def information_plane(epochs: int, seeds: int) -> dict:
    """A shortened default information-plane run: all seeds at once against one seed."""
    from infojax.runs import information_plane as experiment

    def run_seconds(count: int, workdir: Path) -> float:
        config = experiment.get_config()
        config.seeds = count
        config.train.epochs = epochs
        config.train.chunk_epochs = epochs
        config.tracking.epochs.count = max(2, min(10, epochs // 2))
        config.cpu_devices = 0
        config.progress = False
        started = time.perf_counter()
        experiment.run(config, workdir)
        return time.perf_counter() - started

    with tempfile.TemporaryDirectory() as scratch:
        # Both include compilation, as a user's run does.
        batched_seconds = run_seconds(seeds, Path(scratch) / "all")
        looped_seconds = seeds * run_seconds(1, Path(scratch) / "one")
    return {
        "check": f"information plane, {epochs} epochs",
        "batched": f"{seeds} seeds, one program",
        "batched_seconds": batched_seconds,
        "looped": f"1 seed x{seeds}",
        "looped_seconds": looped_seconds,
    }


def format_table(device: str, rows: list[dict]) -> str:
    """The results as one plain-text table."""
    header = (
        f"{'check':<36} | {'batched':<22} | {'seconds':>8} | {'looped':<16} | "
        f"{'seconds':>8} | {'ratio':>6}"
    )
    load = os.getloadavg()[0]
    lines = [f"device: {device}; load average {load:.2f}", header, "-" * len(header)]
    for row in rows:
        ratio = row["looped_seconds"] / row["batched_seconds"]
        lines.append(
            f"{row['check']:<36} | {row['batched']:<22} | {row['batched_seconds']:>8.3f} | "
            f"{row['looped']:<16} | {row['looped_seconds']:>8.3f} | {ratio:>5.1f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small", action="store_true", default=None, help="CPU sizes (default on a CPU)"
    )
    for name, (large, _) in _SIZES.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=None, help=f"{large}")
    options = parser.parse_args(argv)
    device = jax.devices()[0]
    small = options.small if options.small is not None else device.platform == "cpu"
    size = {
        name: getattr(options, name) or sizes[1 if small else 0] for name, sizes in _SIZES.items()
    }
    rows = [
        neural_bounds(
            size["critics"],
            size["critic_dim"],
            size["critic_steps"],
            size["critic_samples"],
            size["repeats"],
        ),
        ksg_estimates(size["ksg_batch"], size["ksg_n"], size["repeats"]),
        information_plane(size["epochs"], size["seeds"]),
    ]
    name = f"{device.device_kind} ({device.platform}, {jax.device_count()} device(s))"
    print(format_table(name, rows), flush=True)
    return rows


if __name__ == "__main__":
    main()
