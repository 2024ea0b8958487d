"""Times a run from a cold and from a warm persistent compilation cache.

    python -m experiments.bench_compilation_cache            # the default config, shrunk
    python -m experiments.bench_compilation_cache --epochs=40 --seeds=2
    python -m experiments.bench_compilation_cache --config=configs/ib_curve/default.py --measured=0

Runs ``python -m experiments.main`` twice, each in a fresh process and a fresh workdir,
with ``INFOJAX_COMPILATION_CACHE`` naming the same new cache folder: the first run
compiles every program and writes it to the folder (cold), the second loads them
(warm). For each it reports the time from starting the process to the first finished
chunk (its first checkpoint on disk) and to the end of the process, the load average
beside each (rerun when it is above 2: the machine is shared), and the ratios cold /
warm. The config is shrunk by ``--epochs``, ``--chunk_epochs``, ``--measured`` and
``--seeds`` (``train.epochs``, ``train.chunk_epochs``, ``tracking.epochs.count``,
``seeds``; an ib_curve config has no ``tracking.epochs``: pass ``--measured=0``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from absl import app
from absl import flags

from experiments._timing import load_average

ROOT = Path(__file__).resolve().parent.parent

_CONFIG = flags.DEFINE_string(
    "config", "configs/information_plane/default.py", "The experiment config file."
)
_EPOCHS = flags.DEFINE_integer("epochs", 100, "train.epochs of the shrunk config.")
_CHUNK_EPOCHS = flags.DEFINE_integer("chunk_epochs", 50, "train.chunk_epochs.")
_MEASURED = flags.DEFINE_integer(
    "measured", 10, "tracking.epochs.count (0: leave the config's tracking alone)."
)
_SEEDS = flags.DEFINE_integer("seeds", 10, "seeds (networks trained together).")


def _timed_run(workdir: Path, cache: Path) -> tuple[float, float]:
    """Seconds from the process start to its first checkpoint and to its end."""
    overrides = [
        f"--config.train.epochs={_EPOCHS.value}",
        f"--config.train.chunk_epochs={_CHUNK_EPOCHS.value}",
        f"--config.seeds={_SEEDS.value}",
        "--config.progress=False",
    ]
    if _MEASURED.value:
        overrides.append(f"--config.tracking.epochs.count={_MEASURED.value}")
    command = [
        sys.executable,
        "-m",
        "experiments.main",
        f"--config={_CONFIG.value}",
        *overrides,
        f"--workdir={workdir}",
    ]
    env = {**os.environ, "INFOJAX_COMPILATION_CACHE": str(cache)}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    first_chunk = None
    while process.poll() is None:
        if first_chunk is None and list((workdir / "checkpoints").glob("[0-9]*")):
            first_chunk = time.perf_counter() - started
        time.sleep(0.02)
    whole = time.perf_counter() - started
    stderr = process.stderr.read()
    if process.returncode != 0:
        raise RuntimeError(f"the run failed ({process.returncode}):\n{stderr[-3000:]}")
    if first_chunk is None:  # the process ended between two polls
        first_chunk = whole
    return first_chunk, whole


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}.")
    print(
        f"{_CONFIG.value}: {_SEEDS.value} seeds, {_EPOCHS.value} epochs in chunks of "
        f"{_CHUNK_EPOCHS.value}, {_MEASURED.value or 'default'} measured; one process each"
    )
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        cache = folder / "cache"
        results = {}
        for name in ("cold", "warm"):
            first_chunk, whole = _timed_run(folder / name, cache)
            results[name] = (first_chunk, whole)
            entries = len(list(cache.iterdir())) if cache.is_dir() else 0
            print(
                f"{name} cache: first chunk after {first_chunk:6.1f} s, whole run "
                f"{whole:6.1f} s ({entries} cache entries; {load_average()})"
            )
    (cold_first, cold_whole), (warm_first, warm_whole) = results["cold"], results["warm"]
    print(
        f"cold / warm: first chunk {cold_first / warm_first:.2f}x, whole run "
        f"{cold_whole / warm_whole:.2f}x ({load_average()})"
    )


if __name__ == "__main__":
    app.run(main)
