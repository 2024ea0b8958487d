"""Runs an experiment from a config file: the repository's entry point.

    python -m experiments.main --config=configs/information_plane/tanh.py --workdir=runs/tanh
    python -m experiments.main --config.train.epochs=100     # the default config, shorter

The same as the installed ``infojax-experiment`` command (:mod:`infojax.cli`).
Running the same command again on the same ``--workdir`` resumes.
"""

from infojax.cli import cli

if __name__ == "__main__":
    cli()
