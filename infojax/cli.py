"""The command line: parse a config and its overrides, call ``infojax.runs.run``.

    infojax-experiment --config=configs/information_plane/tanh.py --workdir=runs/tanh
    infojax-experiment --config.train.epochs=100      # the default config, shorter
    python -m experiments.main ...                    # the same, from the repository

Errors a person can act on (a config file that is missing or does not load, an
unknown or invalid field, a workdir that is in use, unwritable or of another config)
are one line on stderr and exit status 2; ``--debug`` shows the traceback instead.
Ctrl-C stops at the next chunk boundary (exit status 130) and running the same
command resumes.

Compiled programs are kept in JAX's persistent compilation cache, so a rerun (or a
run of the same program in another workdir) skips compiling them: by default in
``$XDG_CACHE_HOME/infojax/jax`` (``~/.cache/infojax/jax``); the environment variable
``INFOJAX_COMPILATION_CACHE=<dir>`` moves it, ``INFOJAX_COMPILATION_CACHE=off`` turns
it off (:mod:`infojax.runs._compilation_cache`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from absl import app
from absl import flags
from absl import logging
from ml_collections import config_flags

from infojax.io import RunDirectoryError
from infojax.io._metrics import MetricsFileError
from infojax.runs import ConfigError
from infojax.runs import run
from infojax.runs._compilation_cache import enable_compilation_cache
from infojax.runs.information_plane import config as _default_config

USAGE_ERROR = 2
INTERRUPTED = 130


def _define_flags() -> None:
    # config_flags applies the --config.* overrides of sys.argv as it defines the flag,
    # so a bad override fails here: cli() defines the flags inside its error handling.
    if "config" in flags.FLAGS:
        return
    config_flags.DEFINE_config_file(
        "config",
        default=_default_config.__file__,
        help_string=(
            "Experiment config file, e.g. configs/information_plane/tanh.py (default: "
            "the information-plane default); override fields as --config.train.epochs=100."
        ),
        lock_config=True,
    )
    flags.DEFINE_string(
        "workdir",
        None,
        "Run directory (default: runs/<config file name>, runs/default without "
        "--config); run the same command on it again to resume.",
    )
    flags.DEFINE_bool("debug", False, "Show the traceback of errors, for developers.")


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr, flush=True)
    return USAGE_ERROR


def _config_file() -> Path:
    return Path(config_flags.get_config_filename(flags.FLAGS["config"]).split(":")[0])


def _parse_flags(argv: Sequence[str]) -> list[str]:
    try:
        return flags.FLAGS(argv)
    except Exception as error:  # flags.Error, and what config_flags raises for overrides
        sys.exit(_fail(f"bad command line: {_message(error, argv)}"))


def _message(error: BaseException, argv: Sequence[str]) -> str:
    """One readable line for an error of flag parsing or of a --config override."""
    cause = error.args[0] if isinstance(error, AttributeError) and error.args else error
    if not isinstance(cause, KeyError):
        return str(error)
    # ConfigDict's KeyError: the missing field, quoted, maybe with "Did you mean ...".
    text = str(cause.args[0]) if cause.args else ""
    field, _, hint = text.partition("\n")
    field = field.strip("'\"")
    overrides = [
        argument.split("=", 1)[0]
        for argument in argv
        if argument.startswith("--config.") and field in argument.split("=", 1)[0].split(".")
    ]
    where = f" in {overrides[0]}" if overrides else ""
    return (
        f"unknown config field {field!r}{where}. {hint} (The command line can change "
        "fields, not add them: add new ones in a config file.)"
    )


def _argv_config_file(argv: Sequence[str]) -> Path | None:
    """The config file named by ``--config=FILE`` (or ``--config FILE``) in ``argv``."""
    for index, argument in enumerate(argv):
        if argument.startswith("--config="):
            return Path(argument.split("=", 1)[1].split(":")[0])
        if argument == "--config" and index + 1 < len(argv):
            return Path(argv[index + 1].split(":")[0])
    return None


def main(argv: Sequence[str]) -> int:
    """Runs the experiment of ``--config`` in ``--workdir``; returns the exit status."""
    if len(argv) > 1:
        return _fail(f"unexpected arguments {list(argv[1:])}; fields are set as --config.a.b=v.")
    if not flags.FLAGS["verbosity"].present:
        # Orbax logs every checkpoint at INFO; the progress bar says enough.
        logging.set_verbosity(logging.WARNING)
    debug = flags.FLAGS.debug
    config_file = _config_file()
    try:
        config = flags.FLAGS.config
        config.get("experiment")
    except Exception as error:
        if debug:
            raise
        return _fail(f"config file {config_file} does not load: {type(error).__name__}: {error}")
    enable_compilation_cache()
    workdir = flags.FLAGS.workdir
    if workdir is None:
        name = config_file.stem if flags.FLAGS["config"].present else "default"
        workdir = str(Path("runs") / name)
    try:
        result = run(config, workdir)
    except (ConfigError, RunDirectoryError, MetricsFileError) as error:
        if debug:
            raise
        return _fail(str(error))
    except KeyboardInterrupt:
        print(
            f"interrupted; run the same command to resume from the last checkpoint in {workdir}.",
            file=sys.stderr,
        )
        return INTERRUPTED
    if result.interrupted:
        print(
            f"interrupted at {result.position}; run the same command to resume.",
            file=sys.stderr,
        )
        return INTERRUPTED
    state = "finished" if result.finished else f"stopped at {result.position}"
    print(f"{state} in {result.seconds:.1f} s; results in {result.workdir}", file=sys.stderr)
    return 0


def cli() -> None:
    """Entry point of the ``infojax-experiment`` console script."""
    config_file = _argv_config_file(sys.argv)
    if config_file is not None and not config_file.is_file():
        sys.exit(_fail(f"config file {config_file} does not exist."))
    try:
        _define_flags()
    except Exception as error:
        if "--debug" in sys.argv:
            raise
        sys.exit(_fail(f"bad command line: {_message(error, sys.argv)}"))
    app.run(main, flags_parser=_parse_flags)


if __name__ == "__main__":
    cli()
