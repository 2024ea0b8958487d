"""Neural MI estimators in the main registry: ``neural_<bound>`` for every bound.

Each entry is ``fn(key, x, y, **options) -> estimate`` (the held-out value of
:func:`~infojax.bounds.fit_mutual_information`, a scalar array), so configs and the
benchmark runner call them like any other mutual-information estimator. Training and
held-out batches are capped at the sizes of the two sets, so small ``n`` works (InfoNCE
is then capped by the log of the held-out batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from infojax._registry import register_estimator
from infojax.bounds._bounds import BOUNDS
from infojax.bounds._fit import DEFAULTS
from infojax.bounds._fit import critic_options_for
from infojax.bounds._fit import default_optimizer
from infojax.bounds._fit import fit_mutual_information

_COMMON_DEFAULTS = {
    name: DEFAULTS[name]
    for name in (
        "steps",
        "batch_size",
        "learning_rate",
        "hidden_sizes",
        "activation",
        "held_out_fraction",
        "eval_every",
        "patience",
        "preprocess",
    )
} | {"base": None}


def _make_estimator(bound: str):
    spec = BOUNDS[bound]

    def estimate(
        key: jax.Array,
        x: ArrayLike,
        y: ArrayLike,
        *,
        critic: str,
        steps: int,
        batch_size: int,
        learning_rate: float,
        hidden_sizes: Sequence[int],
        activation: str,
        held_out_fraction: float,
        eval_every: int,
        patience: int | None,
        preprocess: str,
        base: float | None,
        embedding_dim: int = DEFAULTS["embedding_dim"],
        **bound_options: Any,
    ) -> jax.Array:
        # Small sample sets (a benchmark sweep over n) get batches that fit both sets.
        n = jnp.shape(x)[0]
        n_held_out = round(held_out_fraction * n)
        fit = fit_mutual_information(
            key,
            x,
            y,
            bound=bound,
            critic=critic,
            optimizer=default_optimizer(learning_rate),
            steps=steps,
            batch_size=max(2, min(batch_size, n - n_held_out)),
            eval_batch_size=max(2, min(batch_size, n_held_out)),
            eval_every=eval_every,
            patience=patience,
            preprocess=preprocess,
            held_out_fraction=held_out_fraction,
            bound_options=bound_options,
            critic_options=critic_options_for(critic, hidden_sizes, embedding_dim, activation),
            base=base,
        )
        return fit.estimate

    estimate.__name__ = f"neural_{bound}"
    estimate.__doc__ = (
        f"Held-out {bound!r} estimate of I(X; Y) from fit_mutual_information "
        f"(nats unless `base`). {spec.description}"
    )
    return estimate


def _register_all() -> None:
    for name, spec in BOUNDS.items():
        critic = "gaussian_conditional" if spec.model == "conditional" else "separable"
        defaults = {**_COMMON_DEFAULTS, "critic": critic, **spec.defaults}
        if critic == "separable":
            defaults["embedding_dim"] = DEFAULTS["embedding_dim"]
        register_estimator(
            f"neural_{name}",
            _make_estimator(name),
            quantity="mutual_information",
            inputs="continuous",
            defaults=defaults,
            needs_key=True,
            jittable=True,
            description=spec.description,
        )


_register_all()
