"""Optax optimizers by name, as configs name them."""

from __future__ import annotations

import inspect
from typing import Any

import optax


def make_optimizer(
    name: str, *, learning_rate: float, **options: Any
) -> optax.GradientTransformation:
    """The Optax optimizer ``optax.<name>(learning_rate, **options)``.

    Any Optax alias whose first parameter is ``learning_rate`` works (``"adam"``,
    ``"sgd"``, ``"adamw"``, ``"rmsprop"``, ...), so a config names its optimizer with a
    string and this function is the only place that turns it into a transformation.

    Args:
      name: name of an Optax optimizer alias, e.g. ``"adam"``.
      learning_rate: step size, a positive float.
      **options: further keyword arguments of the alias (``b1``, ``momentum``, ...).

    Returns:
      The ``optax.GradientTransformation``.

    Raises:
      ValueError: if ``name`` is not an Optax optimizer or ``learning_rate`` is not
        positive.
    """
    factory = getattr(optax, name, None) if isinstance(name, str) else None
    parameters = _parameters(factory)
    if not parameters or parameters[0] != "learning_rate":
        raise ValueError(
            f"`optimizer.name` must name an Optax optimizer such as 'adam' or 'sgd', got {name!r}."
        )
    if not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ValueError(f"`optimizer.learning_rate` must be positive, got {learning_rate!r}.")
    unknown = sorted(set(options) - set(parameters))
    if unknown:
        raise ValueError(f"Unknown option(s) {unknown} for optax.{name}; known: {parameters[1:]}.")
    return factory(learning_rate, **options)


def _parameters(factory: Any) -> list[str]:
    if not callable(factory):
        return []
    try:
        return list(inspect.signature(factory).parameters)
    except (TypeError, ValueError):
        return []
