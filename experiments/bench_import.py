"""Times ``import infojax`` against ``import jax, flax, optax`` in fresh processes.

    python -m experiments.bench_import --repeats 7

Each import runs in its own Python process (so nothing is cached in memory between
runs), after one warm-up of each; the table gives the median and the range of the
wall time of the whole process, with the load average beside it (rerun when it is
above 2: the machines are shared). It also lists the modules that ``import infojax``
loads beyond jax, flax and optax, which must hold no plotting, checkpointing or flag
library (``infojax.runs`` loads those when a run starts).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

STATEMENTS = {
    "jax + flax + optax": "import jax, flax, optax",
    "infojax": "import infojax",
    "infojax.runs (a run starting)": "import infojax.runs",
}

_NEW_MODULES = """
import sys, json
import jax, flax, optax
before = set(sys.modules)
import infojax
print(json.dumps(sorted({name.split('.')[0] for name in set(sys.modules) - before})))
"""


def _seconds(statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    print(f"load average {os.getloadavg()[0]:.2f}; {repeats} runs each after a warm-up")
    print("| import | median s | min s | max s |\n|---|---:|---:|---:|")
    for name, statement in STATEMENTS.items():
        _seconds(statement)
        times = [_seconds(statement) for _ in range(repeats)]
        print(
            f"| `{statement}` ({name}) | {statistics.median(times):.2f} | "
            f"{min(times):.2f} | {max(times):.2f} |"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")
    added = subprocess.run(
        [sys.executable, "-c", _NEW_MODULES], check=True, capture_output=True, text=True
    ).stdout
    print("top-level packages import infojax adds to jax + flax + optax:", json.loads(added))


if __name__ == "__main__":
    main()
