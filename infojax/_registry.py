"""One table of every estimator and bound, by name, with its defaults.

Configs, the benchmark runner and the cross-cutting tests look estimators up here
instead of importing them one by one. An entry records what the estimator computes
and on which kind of samples, so a caller can skip the ones that do not apply.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

QUANTITIES = (
    "entropy",
    "mutual_information",
    "conditional_mutual_information",
    "total_correlation",
    "dual_total_correlation",
    "o_information",
)
INPUTS = ("continuous", "discrete", "mixed")
GRADIENTS = ("smooth", "zero")


@dataclasses.dataclass(frozen=True)
class EstimatorSpec:
    """What the registry knows about one estimator.

    Attributes:
      name: registry name, e.g. ``"ksg"``.
      fn: the public function; called as ``fn(x, **kwargs)`` (entropy),
        ``fn(x, y, **kwargs)`` (mutual information) or ``fn(x, y, z, **kwargs)``
        (conditional mutual information), with ``key`` first when ``needs_key``; the
        multivariate quantities (``"total_correlation"``, ``"dual_total_correlation"``,
        ``"o_information"``) take one array ``fn(x, **kwargs)`` whose columns are the
        variables.
      quantity: one of ``QUANTITIES``.
      inputs: ``"continuous"`` (float samples), ``"discrete"`` (integer symbols) or
        ``"mixed"`` (discrete ``x`` or ``y`` against continuous features).
      defaults: keyword arguments applied by :meth:`bind`.
      needs_key: the estimator draws random numbers (neural bounds, noise).
      max_dim: largest total dimension it handles sensibly (None: no limit); the
        benchmark skips tasks above it.
      jittable: whether ``fn`` can be traced by ``jax.jit`` with the defaults.
      gradient: what ``jax.grad`` gives with respect to the continuous samples.
        ``"smooth"``: the estimate is differentiable in them (almost everywhere, for
        nearest-neighbour distances), so it can sit inside a loss; ``"zero"``: it
        depends on them only through bins, ranks or neighbour counts, so it is
        piecewise constant and its gradient is zero; ``None``: not differentiated
        (integer samples only, or a fitted neural critic).
      description: one line for tables and ``--help``.
      reference: the method's source in short ("Kraskov et al. 2004"), where the
        function's docstring covers several methods; "" takes the first reference of
        the docstring (the documentation's table of estimators shows it).
    """

    name: str
    fn: Callable[..., Any]
    quantity: str
    inputs: str = "continuous"
    defaults: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    needs_key: bool = False
    max_dim: int | None = None
    jittable: bool = True
    gradient: str | None = None
    description: str = ""
    reference: str = ""

    def bind(self, **overrides: Any) -> Callable[..., Any]:
        """The estimator with its defaults, updated by ``overrides``, filled in."""
        unknown = set(overrides) - set(self.defaults)
        if unknown:
            raise ValueError(
                f"Unknown option(s) {sorted(unknown)} for estimator {self.name!r}; "
                f"known: {sorted(self.defaults)}."
            )
        return functools.partial(self.fn, **{**self.defaults, **overrides})


_ESTIMATORS: dict[str, EstimatorSpec] = {}
ESTIMATORS: Mapping[str, EstimatorSpec] = MappingProxyType(_ESTIMATORS)


def register_estimator(
    name: str,
    fn: Callable[..., Any],
    *,
    quantity: str,
    inputs: str = "continuous",
    defaults: Mapping[str, Any] | None = None,
    needs_key: bool = False,
    max_dim: int | None = None,
    jittable: bool = True,
    gradient: str | None = None,
    description: str = "",
    reference: str = "",
) -> EstimatorSpec:
    """Adds an estimator to the registry; names are unique."""
    if quantity not in QUANTITIES:
        raise ValueError(f"`quantity` must be one of {QUANTITIES}, got {quantity!r}.")
    if inputs not in INPUTS:
        raise ValueError(f"`inputs` must be one of {INPUTS}, got {inputs!r}.")
    if gradient is not None and gradient not in GRADIENTS:
        raise ValueError(f"`gradient` must be None or one of {GRADIENTS}, got {gradient!r}.")
    if gradient is not None and inputs == "discrete":
        raise ValueError("`gradient` must be None for an estimator of discrete samples.")
    if name in _ESTIMATORS:
        raise ValueError(f"An estimator named {name!r} is already registered.")
    spec = EstimatorSpec(
        name=name,
        fn=fn,
        quantity=quantity,
        inputs=inputs,
        defaults=MappingProxyType(dict(defaults or {})),
        needs_key=needs_key,
        max_dim=max_dim,
        jittable=jittable,
        gradient=gradient,
        description=description,
        reference=reference,
    )
    _ESTIMATORS[name] = spec
    return spec


def get_estimator(name: str) -> EstimatorSpec:
    """The registry entry called ``name``; the error lists the known names."""
    try:
        return _ESTIMATORS[name]
    except KeyError:
        raise ValueError(
            f"Unknown estimator {name!r}; registered: {sorted(_ESTIMATORS)}."
        ) from None


def list_estimators(
    *, quantity: str | None = None, inputs: str | None = None
) -> list[EstimatorSpec]:
    """Registered estimators, optionally filtered by quantity and input kind."""
    return [
        spec
        for spec in _ESTIMATORS.values()
        if (quantity is None or spec.quantity == quantity)
        and (inputs is None or spec.inputs == inputs)
    ]
