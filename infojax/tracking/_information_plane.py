"""The information plane of a network: I(X;T) and I(T;Y) for every layer T."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import jax
import jax.numpy as jnp

from infojax import estimators as _estimators
from infojax._numerics import to_base

# The estimators that give (I(X;T), I(T;Y)) from a layer and the labels in one pass. In
# the information plane these two names mean these functions, not the registry entries
# of the same name (the binned and the kernel MI of one pair of sample sets): each
# gives both coordinates at once, binning by the counting of Shwartz-Ziv & Tishby, KDE
# by the pairwise bounds of Kolchinsky & Tracey.
PLANE_ESTIMATORS = MappingProxyType(
    {
        "binning": _estimators.binned_information_plane,
        "kde": _estimators.kde_information_plane,
    }
)


@dataclasses.dataclass(frozen=True)
class InformationPlaneEstimator:
    """One way to place a layer in the information plane.

    Call it as ``estimator(key, t, x, labels)`` with a PRNG key (used only by
    estimators that draw), one layer's activity ``t`` of shape ``(n, width)``, the
    inputs ``x`` of shape ``(n, d)`` and integer ``labels`` of shape ``(n,)``; it
    returns ``(I(X;T), I(T;Y))`` in bits.

    Attributes:
      name: the estimator's name (``"binning"``, ``"kde"`` or a registry name).
      options: the keyword options it was built with, as sorted ``(key, value)`` pairs.
      n_classes: the number of label classes it was built for.
      estimate: ``(key, t, x, labels) -> (I(X;T), I(T;Y))``; two estimators with the
        same name, options and classes compare equal whatever their ``estimate``.
    """

    name: str
    options: tuple[tuple[str, Any], ...]
    n_classes: int
    estimate: Callable[..., tuple[jax.Array, jax.Array]] = dataclasses.field(compare=False)

    def __call__(self, key, t, x, labels):
        return self.estimate(key, t, x, labels)


def information_plane_estimator(
    name: str, *, n_classes: int, **options: Any
) -> InformationPlaneEstimator:
    """Builds the estimator of ``(I(X;T), I(T;Y))`` called ``name`` with ``options``.

    * ``"binning"``: discretise each unit of ``T`` (``n_bins`` over ``value_range``,
      or bins of ``bin_width``; ``value_range=None`` takes the layer's observed range)
      and count: ``I(X;T) = H(bin(T))`` for a deterministic network on distinct,
      equiprobable inputs, and ``I(T;Y) = H(bin(T)) - H(bin(T) | Y)``
      (Shwartz-Ziv & Tishby 2017).
    * ``"kde"``: the pairwise-distance bounds of Kolchinsky & Tracey (2017) on
      ``T + Z`` with Gaussian ``Z`` of variance ``noise_variance`` (Saxe et al. 2018).
    * any mutual-information estimator of the registry
      (:func:`infojax.estimators.get_estimator`): ``I(X;T)`` from ``(x, t)`` and
      ``I(T;Y)`` from ``(t, labels)`` (labels as a float column for estimators of
      continuous samples), converted to bits. The nearest-neighbour estimators of
      continuous samples (KSG) are refused: labels are tied, and their tie check cannot
      run inside the compiled program.

    ``"binning"`` and ``"kde"`` here are the one-pass plane estimators of
    :data:`PLANE_ESTIMATORS`, not the registry entries of the same names.

    Args:
      name: ``"binning"``, ``"kde"`` or a registered mutual-information estimator.
      n_classes: number of label classes (static; the KDE label bound needs it).
      **options: the estimator's keyword options.

    Returns:
      An :class:`InformationPlaneEstimator`.

    Raises:
      ValueError: for an unknown name, an estimator that cannot give mutual
        information of continuous activations, a nearest-neighbour estimator of
        continuous samples (ties: see above), or an unknown option.

    References:
      R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep neural networks via
      information", 2017, https://arxiv.org/abs/1703.00810.
      A. M. Saxe et al., "On the information bottleneck theory of deep learning",
      ICLR 2018, https://openreview.net/forum?id=ry_WPG-A-.
      A. Kolchinsky and B. D. Tracey, "Estimating mixture entropy with pairwise
      distances", Entropy 19(7), 2017, https://doi.org/10.3390/e19070361.
    """
    if "base" in options:
        raise ValueError("The information plane is in bits; `base` is not an option here.")
    options = {key: _hashable(value) for key, value in options.items()}
    frozen_options = tuple(sorted(options.items()))
    if name in PLANE_ESTIMATORS:
        plane_fn = PLANE_ESTIMATORS[name]
        _check_options(name, options, plane_fn)
        plane_options = dict(options)
        if "n_classes" in inspect.signature(plane_fn).parameters:
            plane_options["n_classes"] = n_classes

        def estimate(key, t, x, labels):
            del key, x
            return plane_fn(t, labels, **plane_options, base=2)

        return InformationPlaneEstimator(name, frozen_options, n_classes, estimate)

    spec = _estimators.get_estimator(name)
    if spec.quantity != "mutual_information" or spec.inputs == "discrete":
        raise ValueError(
            f"Estimator {name!r} estimates {spec.quantity} of {spec.inputs} samples; the "
            f"information plane needs mutual information of continuous activations "
            f"('binning', 'kde', or a continuous or mixed mutual-information estimator)."
        )
    labels_as_floats = spec.inputs == "continuous"
    # The estimators that take `jitter` are the nearest-neighbour ones, which ties make
    # wrong: labels are tied by nature, saturated and ReLU units often, and inside the
    # compiled training program their tie check cannot run.
    if labels_as_floats and "jitter" in spec.defaults:
        raise ValueError(
            f"Estimator {name!r} assumes continuous samples without ties, but I(T;Y) pairs "
            "each layer with discrete labels (and saturated or ReLU units tie too), which "
            "it would get wrong without a word inside the compiled training program; use "
            "'binning', 'kde', 'mixed_ksg' (continuous features against discrete labels) or "
            "'gaussian'."
        )
    bound = spec.bind(**options)

    def estimate(key, t, x, labels):
        y = labels.astype(t.dtype)[:, None] if labels_as_floats else labels
        if spec.needs_key:
            input_key, label_key = jax.random.split(key)
            pair = bound(input_key, x, t), bound(label_key, t, y)
        else:
            pair = bound(x, t), bound(t, y)
        return tuple(to_base(jnp.asarray(value), 2) for value in pair)

    return InformationPlaneEstimator(name, frozen_options, n_classes, estimate)


def information_plane(
    key: jax.Array,
    layers: Sequence[jax.Array],
    x: jax.Array,
    labels: jax.Array,
    estimators: Sequence[InformationPlaneEstimator],
) -> jax.Array:
    """``(I(X;T), I(T;Y))`` in bits for every layer and estimator, for one network.

    Args:
      key: PRNG key (``jax.random.key``) for the estimators that draw; layer ``l``
        and estimator ``e`` get ``fold_in(fold_in(key, l), e)``.
      layers: each layer's activity on ``x``, shapes ``(n, width_l)``.
      x: the inputs, shape ``(n, d)``.
      labels: integer labels, shape ``(n,)``.
      estimators: the estimators, built by :func:`information_plane_estimator`.

    Returns:
      Array of shape ``(len(layers), len(estimators), 2)``: ``[..., 0]`` is
      ``I(X;T)`` and ``[..., 1]`` is ``I(T;Y)``, in bits.
    """
    rows = []
    for layer_index, t in enumerate(layers):
        layer_key = jax.random.fold_in(key, layer_index)
        row = []
        for estimator_index, estimator in enumerate(estimators):
            pair = estimator(jax.random.fold_in(layer_key, estimator_index), t, x, labels)
            row.append(jnp.stack([jnp.asarray(value, t.dtype) for value in pair]))
        rows.append(jnp.stack(row))
    return jnp.stack(rows)


def _check_options(name: str, options: Mapping[str, Any], fn: Callable[..., Any]) -> None:
    parameters = inspect.signature(fn).parameters
    known = {
        key
        for key, parameter in parameters.items()
        if parameter.kind == inspect.Parameter.KEYWORD_ONLY
    } - {"base", "n_classes"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(
            f"Unknown option(s) {unknown} for information-plane estimator {name!r}; "
            f"known: {sorted(known)}."
        )


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    return value
