"""Config checks shared by every experiment: structure and types by comparison with the
experiment's default config."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

# Helpers of the run directory's config comparison, not part of infojax.io's API.
from infojax.io._directory import flatten_config
from infojax.io._directory import is_mapping


class ConfigError(ValueError):
    """An invalid experiment config. The message names the field and what is wrong."""


def as_config_dict(config: Any) -> Any:
    """``config`` as an ``ml_collections.ConfigDict`` (nested plain mappings converted)."""
    import ml_collections

    if isinstance(config, ml_collections.ConfigDict):
        return config
    if not isinstance(config, Mapping):
        raise ConfigError(f"Invalid config: expected a ConfigDict or a mapping, got {config!r}.")
    return ml_collections.ConfigDict(config)


def check_config(
    config: Mapping[str, Any], default: Mapping[str, Any], *, open_sections: Sequence[str] = ()
) -> None:
    """Checks that ``config`` has the fields of ``default``, no others, of the same types.

    An experiment's default config is the reference: a field that the default lacks is
    a typo or a field of another experiment, one that it has must be present, and a
    value must have the default's type (an ``int`` may stand for a ``float``, a list
    for a tuple; a default of ``None`` accepts anything). Sections named in
    ``open_sections`` hold entries of the user's choosing (estimators by label, say)
    and are checked by the experiment itself.

    Args:
      config: the config to check (a ``ConfigDict`` or nested mappings).
      default: the experiment's default config.
      open_sections: dotted names of sections whose keys are free.

    Raises:
      ConfigError: naming the first unknown, missing or mistyped field.
    """
    given = flatten_config(config, keep=open_sections)
    expected = flatten_config(default, keep=open_sections)
    for name in given:
        if name not in expected and any(key.startswith(f"{name}.") for key in expected):
            raise ConfigError(
                f"Invalid config: `{name}` must be a section of fields like the default's, "
                f"got {given[name]!r}."
            )
        parent = next((key for key in expected if name.startswith(f"{key}.")), None)
        if parent is not None and parent not in open_sections:
            raise ConfigError(
                f"Invalid config: `{parent}` must be {_kind_name(expected[parent])} (like the "
                f"default {expected[parent]!r}), got a section."
            )
        if name not in expected:
            close = difflib.get_close_matches(name, list(expected), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise ConfigError(f"Invalid config: unknown field `{name}`{hint}.")
    for name, reference in expected.items():
        if name not in given:
            raise ConfigError(f"Invalid config: missing field `{name}`.")
        value = given[name]
        if name in open_sections:
            if not is_mapping(value):
                raise ConfigError(f"Invalid config: `{name}` must be a mapping, got {value!r}.")
        elif not _same_kind(value, reference):
            raise ConfigError(
                f"Invalid config: `{name}` must be {_kind_name(reference)} (like the default "
                f"{reference!r}), got {value!r}."
            )


def _same_kind(value: Any, reference: Any) -> bool:
    if reference is None:
        return True
    if is_mapping(reference):
        return is_mapping(value)
    if isinstance(reference, bool):
        return isinstance(value, bool)
    if isinstance(reference, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(reference, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(reference, str):
        return isinstance(value, str)
    if isinstance(reference, tuple | list):
        return isinstance(value, tuple | list)
    return isinstance(value, type(reference))


def _kind_name(reference: Any) -> str:
    if isinstance(reference, bool):
        return "a bool"
    if isinstance(reference, int):
        return "an integer"
    if isinstance(reference, float):
        return "a number"
    if isinstance(reference, str):
        return "a string"
    if isinstance(reference, tuple | list):
        return "a sequence"
    return f"a {type(reference).__name__}"


def positive_int(config: Any, name: str, *, minimum: int = 1) -> int:
    """The integer field ``name`` (dotted) of ``config``, checked to be ``>= minimum``."""
    value = config
    for part in name.split("."):
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        bound = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ConfigError(f"Invalid config: `{name}` must be {bound}, got {value!r}.")
    return value


def check_training_fields(config: Any) -> None:
    """Checks the fields every training experiment shares (the structure comes first).

    ``seeds``, ``train.epochs``, ``train.batch_size`` and ``train.chunk_epochs`` are
    positive, ``cpu_devices`` >= 0, ``tracking.epochs.count`` >= 2 with ``spacing``
    ``"log"`` or ``"linear"``, and ``data.test_fraction`` in (0, 1).

    Raises:
      ConfigError: naming the first bad field.
    """
    for name in ("seeds", "train.epochs", "train.batch_size", "train.chunk_epochs"):
        positive_int(config, name)
    positive_int(config, "cpu_devices", minimum=0)
    positive_int(config, "tracking.epochs.count", minimum=2)
    if config.tracking.epochs.spacing not in ("log", "linear"):
        raise ConfigError(
            "Invalid config: `tracking.epochs.spacing` must be 'log' or 'linear', "
            f"got {config.tracking.epochs.spacing!r}."
        )
    if not 0 < config.data.test_fraction < 1:
        raise ConfigError(
            f"Invalid config: `data.test_fraction` must be in (0, 1), got "
            f"{config.data.test_fraction!r}."
        )


def frozen_section(config: Any, reference: Any, fields: Sequence[str]) -> Any:
    """The ``fields`` (dotted names) of a checked config, frozen and hashable.

    An ``ml_collections.FrozenConfigDict`` with the same nesting (``"train.batch_size"``
    is ``section.train.batch_size``), lists as tuples, and each number of the kind of
    ``reference``'s field (an int where the default config has a float becomes that
    float), so that configs that compute the same give equal sections: the key of an
    experiment's cache of compiled programs.
    """
    import ml_collections

    section: dict[str, Any] = {}
    for field in fields:
        value, default = config, reference
        for part in field.split("."):
            value = value[part]
            default = default[part] if is_mapping(default) and part in default else None
        *parents, last = field.split(".")
        target = section
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = _normalised(value, default)
    return ml_collections.FrozenConfigDict(section)


def _normalised(value: Any, default: Any) -> Any:
    if is_mapping(value):
        return {
            key: _normalised(item, default[key] if is_mapping(default) and key in default else None)
            for key, item in value.items()
        }
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, list | tuple):
        return tuple(_normalised(item, None) for item in value)
    return value

