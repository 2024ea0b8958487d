"""Experiments: one folder each, with its ``run(config, workdir)``, its default config
and its report, and the resumable loop they share.

``EXPERIMENTS`` maps a config's ``experiment`` field to its package. A new experiment
is a new folder here (``run``, ``get_config``) plus its entry below, and a folder of
configs under ``configs/``.
"""

import os
from typing import Any

from infojax.runs import ib_curve
from infojax.runs import information_plane
from infojax.runs import mi_benchmark
from infojax.runs._config import ConfigError
from infojax.runs._config import check_config
from infojax.runs._distributed import distributed_config
from infojax.runs._loop import RunResult
from infojax.runs._loop import StopRequests
from infojax.runs._loop import Training
from infojax.runs._loop import run_units
from infojax.runs._loop import split_cpu
from infojax.runs._loop import train_in_chunks
from infojax.runs._schema import RowSchema

EXPERIMENTS = {
    "ib_curve": ib_curve,
    "information_plane": information_plane,
    "mi_benchmark": mi_benchmark,
}


def run(config: Any, workdir: str | os.PathLike, **options: Any) -> RunResult:
    """Runs the experiment that ``config.experiment`` names, writing into ``workdir``.

    This is what ``python -m experiments.main`` calls. Re-running it on the same
    ``workdir`` resumes.

    Args:
      config: the experiment's config (``configs/<experiment>/<variant>.py``).
      workdir: the run directory.
      **options: passed on to the experiment's ``run``.

    Returns:
      The experiment's :class:`RunResult`.

    Raises:
      ConfigError: for an unknown experiment or an invalid config, before any work.
    """
    name = config.get("experiment") if hasattr(config, "get") else None
    if name not in EXPERIMENTS:
        raise ConfigError(
            f"Invalid config: `experiment` must be one of {sorted(EXPERIMENTS)}, got {name!r}."
        )
    return EXPERIMENTS[name].run(config, workdir, **options)


__all__ = [
    "EXPERIMENTS",
    "ConfigError",
    "RowSchema",
    "RunResult",
    "StopRequests",
    "Training",
    "check_config",
    "distributed_config",
    "run",
    "run_units",
    "split_cpu",
    "train_in_chunks",
]
