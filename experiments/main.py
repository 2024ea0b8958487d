"""Runs an experiment from a config file.

    python -m experiments.main --config=configs/information_plane/tanh.py --workdir=runs/tanh
    python -m experiments.main --config.train.epochs=100     # the default config, shorter

Flags only: everything else is ``infojax.io.run(config, workdir)``. Running the same
command again on the same ``--workdir`` resumes from the last checkpoint.
"""

from __future__ import annotations

import sys
from pathlib import Path

from absl import app
from absl import flags
from absl import logging
from ml_collections import config_flags

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Config variants import their default (``from configs.information_plane import
# default``), so the project root must be importable wherever the command runs.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

_CONFIG = config_flags.DEFINE_config_file(
    "config",
    default=str(PROJECT_ROOT / "configs" / "information_plane" / "default.py"),
    help_string="Experiment config file; override fields as --config.train.epochs=100.",
    lock_config=True,
)
_WORKDIR = flags.DEFINE_string(
    "workdir", None, "Run directory (default: runs/<config file name>); reused to resume."
)


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}.")
    if not flags.FLAGS["verbosity"].present:
        # Orbax logs every checkpoint step at INFO; the progress bar says enough.
        logging.set_verbosity(logging.WARNING)
    from infojax.io import run

    workdir = _WORKDIR.value
    if workdir is None:
        config_path = config_flags.get_config_filename(flags.FLAGS["config"])
        workdir = str(Path("runs") / Path(config_path.split(":")[0]).stem)
    run(_CONFIG.value, workdir)


def cli() -> None:
    """Entry point of the ``infojax-experiment`` console script."""
    app.run(main)


if __name__ == "__main__":
    cli()
