"""Runs an experiment from a config file: the repository's entry point.

    python -m experiments.main --config=configs/information_plane/tanh.py --workdir=runs/tanh
    python -m experiments.main --config.train.epochs=100     # the default config, shorter

The same as the installed ``infojax-experiment`` command (:mod:`infojax.cli`).
Running the same command again on the same ``--workdir`` resumes. Compiled programs
are kept in ``~/.cache/infojax/jax`` (``$XDG_CACHE_HOME``), so a rerun starts sooner;
``INFOJAX_COMPILATION_CACHE=<dir>`` moves the cache, ``INFOJAX_COMPILATION_CACHE=off``
turns it off.
"""

from infojax.cli import cli

if __name__ == "__main__":
    cli()
