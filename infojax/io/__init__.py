"""Run directories: config snapshot, metrics file, orbax checkpoints, plots, summary;
and ``run(config, workdir)``, the library side of ``python -m experiments.main``."""

from infojax.io._checkpoints import CheckpointStore
from infojax.io._experiments import RunResult
from infojax.io._experiments import check_information_plane_config
from infojax.io._experiments import data_information
from infojax.io._experiments import register_experiment
from infojax.io._experiments import run
from infojax.io._experiments import run_information_plane
from infojax.io._metrics import INFORMATION_PLANE_COLUMNS
from infojax.io._metrics import MetricsFile
from infojax.io._metrics import read_metrics
from infojax.io._report import plot_information_plane
from infojax.io._report import plot_training_curves
from infojax.io._report import seed_means
from infojax.io._report import training_curves
from infojax.io._report import write_summary

__all__ = [
    "INFORMATION_PLANE_COLUMNS",
    "CheckpointStore",
    "MetricsFile",
    "RunResult",
    "check_information_plane_config",
    "data_information",
    "plot_information_plane",
    "plot_training_curves",
    "read_metrics",
    "register_experiment",
    "run",
    "run_information_plane",
    "seed_means",
    "training_curves",
    "write_summary",
]
