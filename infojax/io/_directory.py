"""A run directory held by one process: an exclusive lock and the config snapshot."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CONFIG_FILE = "config.json"
LOCK_FILE = ".lock"


class RunDirectoryError(RuntimeError):
    """A run directory that cannot serve the run asked for.

    The message names the directory or file and says what to do: it cannot be created
    or written, another process holds it, it holds a run of another config, or one of
    its files is unreadable.
    """


class WorkdirInUse(RunDirectoryError):
    """Another process holds the run directory's lock."""


class RunDirectory:
    """An experiment's run directory, held exclusively while a run uses it.

    Opening it (``with RunDirectory(path, config) as directory:``) creates the directory
    when absent, takes an exclusive lock on its ``.lock`` file (so a second process on
    the same directory stops at once instead of writing every row twice), and then
    writes the config snapshot ``config.json``, or, when one is there, compares it with
    ``config`` and refuses a run of another config. The lock is an ``flock`` on an open
    file: the operating system releases it when the process ends, however it ends.

    Args:
      path: the run directory.
      config: the run's config as nested plain mappings (``ConfigDict.to_dict()``),
        JSON-serialisable; tuples and lists compare equal.
      runtime_fields: dotted names of fields that change how a run is shown or
        launched but not what it computes (``"progress"``); a resumed run may change
        them, and the snapshot is updated to the new values.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        config: Mapping[str, Any],
        *,
        runtime_fields: Sequence[str] = (),
    ):
        self.path = Path(path).absolute()
        self.config = _as_json(config)
        self.runtime_fields = tuple(runtime_fields)
        self._lock_descriptor: int | None = None

    def __enter__(self) -> RunDirectory:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open(self) -> None:
        """Creates the directory, takes its lock and writes or checks the snapshot.

        Raises:
          WorkdirInUse: another process holds the directory.
          RunDirectoryError: the directory cannot be created or written, its
            ``config.json`` is unreadable or holds another config, or it holds run
            files without a ``config.json``.
        """
        if self.path.exists() and not self.path.is_dir():
            raise RunDirectoryError(f"workdir {self.path} exists and is not a directory.")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunDirectoryError(
                f"cannot create workdir {self.path}: {error.strerror or error}."
            ) from None
        self._lock()
        try:
            self._write_or_check_config()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Releases the lock (the lock file stays; it holds no state)."""
        if self._lock_descriptor is not None:
            os.close(self._lock_descriptor)
            self._lock_descriptor = None

    def file(self, name: str) -> Path:
        """The path of ``name`` inside the run directory."""
        return self.path / name

    def _lock(self) -> None:
        lock_path = self.path / LOCK_FILE
        try:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise RunDirectoryError(
                f"workdir {self.path} is not writable: {error.strerror or error}."
            ) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 64, 0).decode(errors="replace").strip()
            os.close(descriptor)
            raise WorkdirInUse(
                f"workdir {self.path} is in use by process {holder or '(unknown)'}; "
                "wait for it to finish or use another --workdir."
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        self._lock_descriptor = descriptor

    def _write_or_check_config(self) -> None:
        path = self.path / CONFIG_FILE
        if path.exists():
            try:
                saved = json.loads(path.read_text())
            except (OSError, UnicodeDecodeError, ValueError) as error:
                raise RunDirectoryError(
                    f"{path} cannot be read as a config snapshot ({error}); restore it, or "
                    "start the run again in another --workdir."
                ) from None
            if not isinstance(saved, dict):
                raise RunDirectoryError(
                    f"{path} holds a JSON {type(saved).__name__}, not a config object; "
                    "restore it, or start the run again in another --workdir."
                )
            changed = config_differences(saved, self.config, ignore=self.runtime_fields)
            if changed:
                raise RunDirectoryError(
                    f"{self.path} holds a run of another config ({'; '.join(changed)}); "
                    "run the same config to resume, or use another --workdir."
                )
        else:
            leftovers = sorted(
                entry.name for entry in self.path.iterdir() if not entry.name.startswith(".")
            )
            if leftovers:
                raise RunDirectoryError(
                    f"{self.path} holds {', '.join(leftovers[:3])} but no {CONFIG_FILE}, "
                    "so its run cannot be checked; use another --workdir."
                )
        _write_atomically(path, json.dumps(self.config, indent=2) + "\n")


def config_differences(
    saved: Mapping[str, Any], current: Mapping[str, Any], *, ignore: Sequence[str] = ()
) -> list[str]:
    """The fields in which two configs differ, as ``"`a.b`: 1 -> 2"`` descriptions.

    Args:
      saved: the config a run directory holds, as nested mappings.
      current: the config of the new run.
      ignore: dotted field names (and everything below them) to leave out.

    Returns:
      One description per differing field, sorted by field name (empty when equal).
    """
    old, new = flatten_config(_as_json(saved)), flatten_config(_as_json(current))
    missing = object()
    changed = []
    for key in sorted(set(old) | set(new)):
        if any(key == field or key.startswith(f"{field}.") for field in ignore):
            continue
        before, after = old.get(key, missing), new.get(key, missing)
        if before != after:
            show = lambda value: "(absent)" if value is missing else json.dumps(value)
            changed.append(f"`{key}`: {show(before)} -> {show(after)}")
    return changed


def flatten_config(
    config: Mapping[str, Any], *, keep: Sequence[str] = (), prefix: str = ""
) -> dict[str, Any]:
    """``{"a.b": value}`` for every leaf of nested mappings (``ConfigDict`` included).

    Empty mappings are leaves.

    Args:
      config: nested mappings.
      keep: dotted names of sections kept whole (not descended into).
      prefix: prepended to every name.
    """
    flat = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if is_mapping(value) and value and name not in keep:
            flat.update(flatten_config(value, keep=keep, prefix=f"{name}."))
        else:
            flat[name] = value
    return flat


def is_mapping(value: Any) -> bool:
    """Whether ``value`` is a mapping (ml_collections' ``ConfigDict`` is not a registered
    ``Mapping``, but has ``items``)."""
    return isinstance(value, Mapping) or hasattr(value, "items")


def _as_json(config: Mapping[str, Any]) -> Any:
    """``config`` as JSON would read it back (tuples become lists, keys strings)."""
    try:
        return json.loads(json.dumps(config))
    except TypeError as error:
        raise TypeError(f"The config must be JSON-serialisable: {error}") from None


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise RunDirectoryError(f"cannot write {path}: {error.strerror or error}.") from None
