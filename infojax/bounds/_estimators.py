"""Neural MI estimators in the main registry: ``neural_<bound>`` for every bound.

Each entry is ``fn(key, x, y, **options) -> estimate`` (the held-out value of
:func:`~infojax.bounds.fit_mutual_information`, a scalar array), so configs and the
benchmark runner call them like any other mutual-information estimator. The options
are those of :func:`~infojax.bounds.fit_mutual_information`, read off its signature
(one vocabulary: an option added there is an option here), with three changes a
config needs: ``optimizer`` and ``critic_options`` are spelled flat
(:data:`~infojax.bounds._settings.REGISTRY_ALIASES`: ``learning_rate``,
``hidden_sizes``, ``embedding_dim``, ``activation``), the bound's options are further
keywords (``clip=5.0``), and there is no ``seeds``. Training and held-out batches are
capped at the sizes of their sets, so small ``n`` works (InfoNCE is then capped by the
log of the held-out batch).
"""

from __future__ import annotations

import inspect
from typing import Any

import jax
from jax.typing import ArrayLike

from infojax._registry import register_estimator
from infojax.bounds._bounds import BOUNDS
from infojax.bounds._fit import fit_mutual_information
from infojax.bounds._settings import DEFAULTS
from infojax.bounds._settings import REGISTRY_ALIASES
from infojax.bounds._settings import flat_fit_options
from infojax.bounds._settings import paired_samples

# Options of fit_mutual_information that are not registry options as they are.
_NOT_REGISTRY_OPTIONS = ("key", "x", "y", "bound", "seeds", *set(REGISTRY_ALIASES.values()))


def registry_defaults(bound: str) -> dict[str, Any]:
    """The defaults of ``neural_<bound>``: the keyword defaults of
    :func:`~infojax.bounds.fit_mutual_information`, the flat aliases, the bound's
    options; ``batch_size`` is a number (it is capped at the sets, not checked)."""
    spec = BOUNDS[bound]
    critic = "gaussian_conditional" if spec.model == "conditional" else "separable"
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(fit_mutual_information).parameters.items()
        if name not in _NOT_REGISTRY_OPTIONS
    }
    defaults.update(
        critic=critic,
        batch_size=DEFAULTS["batch_size"],
        learning_rate=DEFAULTS["learning_rate"],
        hidden_sizes=DEFAULTS["hidden_sizes"],
        activation=DEFAULTS["activation"],
    )
    if critic == "separable":
        defaults["embedding_dim"] = DEFAULTS["embedding_dim"]
    return {**defaults, **spec.defaults}


def _make_estimator(bound: str):
    spec = BOUNDS[bound]
    defaults = registry_defaults(bound)

    def estimate(key: jax.Array, x: ArrayLike, y: ArrayLike, **options: Any) -> jax.Array:
        unknown = set(options) - set(defaults)
        if unknown:
            raise TypeError(f"Unknown option(s) {sorted(unknown)} of neural_{bound}.")
        x, y = paired_samples(x, y)  # checked before their row count is read
        options = flat_fit_options(x.shape[0], {**defaults, **options}, bound_options=spec.defaults)
        return fit_mutual_information(key, x, y, bound=bound, **options).estimate

    estimate.__name__ = f"neural_{bound}"
    estimate.__doc__ = (
        f"Held-out {bound!r} estimate of I(X; Y) from fit_mutual_information "
        f"(nats unless `base`). {spec.description}"
    )
    samples = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for name in ("key", "x", "y")
    ]
    keywords = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=value)
        for name, value in defaults.items()
    ]
    estimate.__signature__ = inspect.Signature([*samples, *keywords])
    return estimate


def _register_all() -> None:
    for name, spec in BOUNDS.items():
        register_estimator(
            f"neural_{name}",
            _make_estimator(name),
            quantity="mutual_information",
            inputs="continuous",
            defaults=registry_defaults(name),
            needs_key=True,
            jittable=True,
            description=spec.description,
        )


_register_all()
