"""Times the information-plane reproduction: all seeds at once against one at a time.

    python experiments/bench_information_plane.py            # the full tanh config
    python experiments/bench_information_plane.py --quick    # a shortened check

The full run trains the 50 seeds x 8000 epochs of configs/information_plane/tanh.py
with binning and KDE tracking at 250 epochs, as one vmapped program per chunk. The
looped baseline trains the same config one seed at a time (``seeds = 1``, compiled
once) for ``--looped_seeds`` seeds and extrapolates to all seeds: the first looped run
pays the compilation, each later one only its own work, so the estimate is
``first + (seeds - 1) * mean(later)``. ``--quick`` shortens both to
``--quick_epochs`` epochs and ``--quick_seeds`` seeds (times are then of the short
run, not of the full config). The config's ``cpu_devices`` (2 in the shipped configs)
splits a CPU into that many JAX devices and the all-seeds run shards its seeds over
them; each looped seed runs on one of those devices (one CPU device shares the
process's thread pool, as an unsplit CPU does). ``--config.cpu_devices=0`` times the
all-seeds run on one CPU device.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from absl import app
from absl import flags
from absl import logging
from ml_collections import config_flags

_CONFIG = config_flags.DEFINE_config_file(
    "config",
    default=str(Path(__file__).resolve().parent.parent / "configs/information_plane/tanh.py"),
)
_QUICK = flags.DEFINE_bool("quick", False, "Time a short run instead of the full config.")
_QUICK_EPOCHS = flags.DEFINE_integer("quick_epochs", 200, "Epochs of the --quick run.")
_QUICK_SEEDS = flags.DEFINE_integer("quick_seeds", 4, "Seeds of the --quick run.")
_LOOPED_SEEDS = flags.DEFINE_integer(
    "looped_seeds", 3, "Seeds timed one at a time for the looped baseline (at least 2)."
)
_OUTPUT = flags.DEFINE_string("output", None, "Also write the results to this JSON file.")
_WORKDIR = flags.DEFINE_string(
    "workdir", None, "Keep the all-seeds run (metrics, figures, summary) in this directory."
)


def _timed_run(config, workdir: Path, **options) -> float:
    from infojax.runs import information_plane

    started = time.perf_counter()
    information_plane.run(config, workdir, **options)
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}.")
    if not flags.FLAGS["verbosity"].present:
        logging.set_verbosity(logging.WARNING)
    import jax

    config = _CONFIG.value
    if _QUICK.value:
        config.train.epochs = _QUICK_EPOCHS.value
        config.seeds = _QUICK_SEEDS.value
        config.tracking.epochs.count = min(config.tracking.epochs.count, _QUICK_EPOCHS.value // 4)
    config.progress = False
    seeds, epochs = config.seeds, config.train.epochs
    if _LOOPED_SEEDS.value < 2:
        raise app.UsageError("--looped_seeds must be at least 2.")
    looped = min(_LOOPED_SEEDS.value, seeds)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        all_seeds_dir = Path(_WORKDIR.value) if _WORKDIR.value else scratch / "all_seeds"
        batched_seconds = _timed_run(config, all_seeds_dir)
        single = config.copy_and_resolve_references()
        single.seeds = 1
        looped_seconds = []
        for seed in range(looped):
            single.seed = config.seed + seed
            looped_seconds.append(
                _timed_run(single, scratch / f"seed_{seed}", devices=jax.devices()[:1])
            )
    later = sum(looped_seconds[1:]) / (len(looped_seconds) - 1)
    looped_estimate = looped_seconds[0] + (seeds - 1) * later
    results = {
        "config": config_flags.get_config_filename(flags.FLAGS["config"]),
        "quick": _QUICK.value,
        "seeds": seeds,
        "epochs": epochs,
        "tracked_epochs": config.tracking.epochs.count,
        "estimators": sorted(config.tracking.estimators),
        "devices": [str(device) for device in jax.devices()],
        "all_seeds_seconds": round(batched_seconds, 2),
        "looped_seeds_timed": looped,
        "looped_seconds_each": [round(s, 2) for s in looped_seconds],
        "looped_estimate_seconds": round(looped_estimate, 2),
        "speedup": round(looped_estimate / batched_seconds, 2),
    }
    print(
        f"{seeds} seeds x {epochs} epochs ({config.tracking.epochs.count} measured, "
        f"estimators {results['estimators']}) on {len(results['devices'])} device(s):\n"
        f"  all seeds in one program: {batched_seconds:8.1f} s\n"
        f"  one seed at a time:       {looped_estimate:8.1f} s (estimated from {looped} seeds: "
        f"{', '.join(f'{s:.1f}' for s in looped_seconds)} s)\n"
        f"  speed-up:                 {results['speedup']:8.1f} x"
    )
    if _OUTPUT.value:
        Path(_OUTPUT.value).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    app.run(main)
