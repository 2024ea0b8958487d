"""JAX's persistent compilation cache for the experiments: reruns skip compiling.

An experiment's programs (the chunk of epochs above all) take minutes to compile on a
loaded laptop; JAX can keep the compiled executables in a folder and load them when
the same program (same code, shapes, devices, JAX version and flags) is compiled
again, in any later process. :func:`enable_compilation_cache` points JAX there; the
command line (:mod:`infojax.cli`) calls it before every run. The environment variable
``INFOJAX_COMPILATION_CACHE`` moves the folder (``=<dir>``) or turns the cache off
(``=off``); by default it is ``$XDG_CACHE_HOME/infojax/jax`` (``~/.cache/infojax/jax``).

JAX caches programs on CPU, GPU and TPU, only from process 0 of a multi-process run,
and only programs that took at least ``jax_persistent_cache_min_compile_time_secs``
(1 s by default) to compile, so the many tiny programs of eager code stay out of it.
The folder is not cleaned up: delete it to reclaim the space.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import jax

ENVIRONMENT_VARIABLE = "INFOJAX_COMPILATION_CACHE"
"""The environment variable that moves the cache (a folder) or turns it off."""

_OFF = frozenset({"off", "0", "false", "no", "none"})


def compilation_cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The folder of the compilation cache that ``environ`` asks for; None when off.

    ``INFOJAX_COMPILATION_CACHE`` set to ``off`` (or ``0``, ``false``, ``no``,
    ``none``, any case) turns the cache off; set to a path (``~`` expanded) it is the
    folder. Unset or empty: ``$XDG_CACHE_HOME/infojax/jax``, with ``XDG_CACHE_HOME``
    defaulting to ``~/.cache`` as the XDG base-directory specification says.

    Args:
      environ: the environment (``os.environ`` by default).

    Returns:
      The cache folder, or None for off.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if value.lower() in _OFF:
        return None
    if value:
        return Path(value).expanduser()
    # The specification ignores a relative XDG_CACHE_HOME.
    base = environ.get("XDG_CACHE_HOME", "")
    base = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return base / "infojax" / "jax"


def enable_compilation_cache(environ: Mapping[str, str] | None = None) -> Path | None:
    """Turns on JAX's persistent compilation cache in :func:`compilation_cache_dir`.

    Sets ``jax_compilation_cache_dir`` (creating the folder) unless the environment
    turns the cache off; call it before the first compilation of the process (JAX
    opens the cache once, at the first program it compiles with a folder set). A
    folder that cannot be created leaves the cache off, with a warning: a run never
    fails for want of its cache.

    Args:
      environ: the environment (``os.environ`` by default).

    Returns:
      The folder in use, or None when the cache is off.
    """
    directory = compilation_cache_dir(environ)
    if directory is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        warnings.warn(
            f"compilation cache off: cannot create {directory} ({error}); set "
            f"{ENVIRONMENT_VARIABLE} to another folder or to 'off'.",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    jax.config.update("jax_compilation_cache_dir", str(directory))
    return directory
