r"""Partial information decomposition of the label by a layer's binned units, from samples.

The units of a layer :math:`T = (T_1, \dots, T_w)` are binned as the binning estimator
bins them (:func:`infojax.estimators.binned_information_plane`), and the empirical
distribution of the binned units and the label over the ``n`` inputs is the table of
the shared-exclusion PID :math:`I^{sx}_\cap` (Makkeh, Gutknecht & Wibral 2021), never
built: with :math:`\mathfrak{a}_i = \bigcup_{A \in \alpha} \{T_A = t_{iA}\}` the union
of the antecedent events of sample :math:`i`,

.. math::

    I^{sx}_\cap(\alpha; Y) = \frac1n \sum_{i=1}^n
        \log_2 \frac{P(\mathfrak{a}_i \cap \{Y = y_i\})}{P(\mathfrak{a}_i)\, P(Y = y_i)}.

By inclusion-exclusion the probability of a union is a fixed integer combination of
the probabilities of intersections, and the intersection of :math:`\{T_A = t_A\}` and
:math:`\{T_B = t_B\}` is :math:`\{T_{A \cup B} = t_{A \cup B}\}`: so for every subset
:math:`S` of the units each sample's count of samples that match it on :math:`S` (and
on :math:`S` and the label) is found by one sort of integer codes, and a constant
matrix (antichains x subsets) maps those counts to the union counts of every node of
the lattice. The atoms are the Moebius inversion of the redundancies
(:func:`infojax.measures._pid_lattice.redundancy_lattice`). Everything has static
shapes: it compiles inside a training program and vmaps over seeds.
"""

from __future__ import annotations

import functools
import itertools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.typing import ArrayLike

from infojax._validation import as_float_array
from infojax._validation import check_finite
from infojax._validation import check_positive_int
from infojax._validation import check_same_length
from infojax._validation import is_concrete
from infojax.estimators._binning import _bin_indices
from infojax.estimators._binning import _binning_options
from infojax.estimators._binning import _packed_keys
from infojax.measures._pid_lattice import redundancy_lattice

MAX_LATTICE_SOURCES = 4


class LayerPID(NamedTuple):
    """PID atoms of the label by a layer's binned units (scalars, a pytree).

    Attributes:
      redundancy: bits. Full lattice: the atom of all singletons ``{0}{1}...``;
        wider layers: mean over unit pairs of the pair's redundancy ``{i}{j}``.
      unique: bits. Full lattice: the sum over units ``i`` of the atom ``{i}``; wider
        layers: mean over pairs of ``U_i + U_j``.
      synergy: bits. Full lattice: the atom ``{0...w-1}``; wider layers: mean over
        pairs of the pair's synergy ``{ij}``.
      complexity: the representational complexity of Ehrlich et al. (2023), between 1
        and ``w`` for non-negative atoms (dimensionless); NaN for wider layers and
        where ``I(T; Y) = 0``.
      total: bits. Full lattice: ``I(T; Y)`` of the binned layer (the sum of the
        atoms); wider layers: the mean over pairs of ``I(T_i, T_j; Y)``.
      o_information: bits, the O-information of the binned units (every layer).
    """

    redundancy: jax.Array
    unique: jax.Array
    synergy: jax.Array
    complexity: jax.Array
    total: jax.Array
    o_information: jax.Array


class _Design(NamedTuple):
    """The constant matrices of the sample-based sx PID of ``w`` sources."""

    subsets: tuple[tuple[int, ...], ...]  # subset ``s`` is the bitmask ``s + 1``
    union: np.ndarray  # (nodes, subsets): union counts = union @ subset counts
    moebius: np.ndarray  # (nodes, nodes): atoms = moebius @ redundancies
    min_size: np.ndarray  # (nodes,): the smallest set of each antichain
    redundancy: int  # the node {0}{1}...{w-1}
    unique: tuple[int, ...]  # the nodes {i}
    synergy: int  # the node {0 1 ... w-1}


@functools.cache
def _design(num_sources: int) -> _Design:
    """Inclusion-exclusion of every antichain's union event over the subset events."""
    lattice = redundancy_lattice(num_sources)
    subsets = tuple(
        tuple(i for i in range(num_sources) if mask >> i & 1) for mask in range(1, 2**num_sources)
    )
    union = np.zeros((len(lattice.nodes), len(subsets)), dtype=np.int32)
    for k, node in enumerate(lattice.nodes):
        masks = [sum(1 << i for i in sources) for sources in node]
        for size in range(1, len(masks) + 1):
            for chosen in itertools.combinations(masks, size):
                mask = functools.reduce(lambda a, b: a | b, chosen)
                union[k, mask - 1] += (-1) ** (size + 1)
    nodes = lattice.nodes
    return _Design(
        subsets=subsets,
        union=union,
        moebius=lattice.moebius,
        min_size=np.array([min(len(a) for a in node) for node in nodes]),
        redundancy=nodes.index(tuple((i,) for i in range(num_sources))),
        unique=tuple(nodes.index(((i,),)) for i in range(num_sources)),
        synergy=nodes.index((tuple(range(num_sources)),)),
    )


def _run_lengths(sorted_keys: tuple[jax.Array, ...], order: jax.Array) -> jax.Array:
    """Per sample (original order), the size of its run of equal keys in sorted order."""
    n = order.shape[0]
    first = jnp.ones((1,), dtype=bool)
    is_start = functools.reduce(
        jnp.logical_or, [jnp.concatenate([first, k[1:] != k[:-1]]) for k in sorted_keys]
    )
    index = jnp.arange(n, dtype=jnp.int32)
    run_start = lax.cummax(jnp.where(is_start, index, 0))
    is_end = jnp.concatenate([is_start[1:], first])
    run_end = lax.cummin(jnp.where(is_end, index, n - 1), reverse=True)
    return jnp.zeros(n, jnp.int32).at[order].set(run_end - run_start + 1)


def _match_counts(
    bins: jax.Array, labels: jax.Array | None, max_bins: int | None
) -> tuple[jax.Array, jax.Array | None]:
    """Per sample, how many samples share its bins on every column of ``bins``.

    One lexicographic sort by (bins, label) gives both counts: the samples that match
    on the bins, and (with ``labels``) on the bins and the label; int32, shape ``(n,)``.
    """
    keys = _packed_keys(bins, max_bins)
    label_keys = () if labels is None else (labels,)
    order = jnp.arange(bins.shape[0], dtype=jnp.int32)
    *sorted_keys, order = lax.sort(
        (*keys, *label_keys, order), num_keys=len(keys) + len(label_keys)
    )
    counts = _run_lengths(tuple(sorted_keys[: len(keys)]), order)
    if labels is None:
        return counts, None
    return counts, _run_lengths(tuple(sorted_keys), order)


def _sx_atoms(
    counts: jax.Array, joint_counts: jax.Array, label_counts: jax.Array, design: _Design, dtype
) -> jax.Array:
    """sx atoms (bits) of every lattice node from per-sample subset counts ``(S, n)``."""
    n = counts.shape[-1]
    union = jnp.asarray(design.union)
    # Integer combinations of integer counts: exact, and each sample lies in its own union.
    union_counts = (union @ counts).astype(dtype)
    union_joint = (union @ joint_counts).astype(dtype)
    ratio = (union_joint / union_counts) * (n / label_counts.astype(dtype))
    redundancies = jnp.mean(jnp.log2(ratio), axis=-1)
    return jnp.asarray(design.moebius, dtype) @ redundancies


def _entropy_bits(counts: jax.Array, dtype) -> jax.Array:
    """Plug-in entropy (bits) of the symbols whose per-sample counts are ``counts``."""
    n = counts.shape[-1]
    return jnp.log2(jnp.asarray(n, dtype)) - jnp.mean(jnp.log2(counts.astype(dtype)), axis=-1)


def _o_information(full: jax.Array, singles: jax.Array, rests: jax.Array, dtype) -> jax.Array:
    """``(w - 2) H(T) + sum_i [H(T_i) - H(T_{-i})]`` from per-sample counts."""
    w = singles.shape[0]
    h_full = _entropy_bits(full, dtype)
    return (w - 2) * h_full + jnp.sum(_entropy_bits(singles, dtype) - _entropy_bits(rests, dtype))


def _lattice_atoms(bins, labels, label_counts, max_bins, dtype):
    """Every sx atom of the full lattice, and the per-sample counts of every subset."""
    design = _design(bins.shape[1])
    counted = [_match_counts(bins[:, list(s)], labels, max_bins) for s in design.subsets]
    counts = jnp.stack([c for c, _ in counted])
    joint_counts = jnp.stack([c for _, c in counted])
    return _sx_atoms(counts, joint_counts, label_counts, design, dtype), counts, joint_counts


def _full_lattice(bins, labels, label_counts, max_bins, dtype) -> LayerPID:
    w = bins.shape[1]
    design = _design(w)
    atoms, counts, joint_counts = _lattice_atoms(bins, labels, label_counts, max_bins, dtype)
    total = jnp.sum(atoms)
    # I(T; Y) = 0 exactly when every sample's joint count factorises; tested on the
    # integer counts, as a rounded total is never exactly zero.
    n = bins.shape[0]
    product_dtype = jnp.int32 if n * n < 2**31 else dtype
    independent = jnp.all(
        joint_counts[-1].astype(product_dtype) * n
        == counts[-1].astype(product_dtype) * label_counts.astype(product_dtype)
    )
    weighted = jnp.sum(jnp.asarray(design.min_size, dtype) * atoms)
    complexity = jnp.where(independent, jnp.nan, weighted / jnp.where(independent, 1, total))
    if w <= 2:
        o_information = jnp.zeros((), dtype)
    else:
        singles = counts[np.array([(1 << i) - 1 for i in range(w)])]
        rests = counts[np.array([(2**w - 1) ^ (1 << i) for i in range(w)]) - 1]
        o_information = _o_information(counts[-1], singles, rests, dtype)
    return LayerPID(
        redundancy=atoms[design.redundancy],
        unique=jnp.sum(atoms[np.array(design.unique)]),
        synergy=atoms[design.synergy],
        complexity=complexity,
        total=total,
        o_information=o_information,
    )


def _pair_means(bins, labels, label_counts, max_bins, dtype) -> LayerPID:
    w = bins.shape[1]
    design = _design(2)
    by_unit = jnp.moveaxis(bins, 1, 0)[:, :, None]  # (w, n, 1)
    single, single_joint = jax.vmap(lambda b: _match_counts(b, labels, max_bins))(by_unit)
    pairs = np.array(list(itertools.combinations(range(w), 2)))
    first, second = pairs[:, 0], pairs[:, 1]
    pair_bins = jnp.stack([bins[:, first], bins[:, second]], axis=-1)  # (n, P, 2)
    pair, pair_joint = jax.vmap(lambda b: _match_counts(b, labels, max_bins), in_axes=1)(pair_bins)
    # Subsets of a pair in bitmask order: {i}, {j}, {i, j}.
    counts = jnp.stack([single[first], single[second], pair], axis=1)
    joint_counts = jnp.stack([single_joint[first], single_joint[second], pair_joint], axis=1)
    atoms = jax.vmap(lambda c, cy: _sx_atoms(c, cy, label_counts, design, dtype))(
        counts, joint_counts
    )
    full, _ = _match_counts(bins, None, max_bins)
    rest_columns = np.array([[j for j in range(w) if j != i] for i in range(w)])
    rests, _ = jax.vmap(lambda b: _match_counts(b, None, max_bins), in_axes=1)(
        bins[:, rest_columns]
    )
    unique = atoms[:, design.unique[0]] + atoms[:, design.unique[1]]
    return LayerPID(
        redundancy=jnp.mean(atoms[:, design.redundancy]),
        unique=jnp.mean(unique),
        synergy=jnp.mean(atoms[:, design.synergy]),
        complexity=jnp.full((), jnp.nan, dtype),
        total=jnp.mean(jnp.sum(atoms, axis=-1)),
        o_information=_o_information(full, single, rests, dtype),
    )


@functools.partial(
    jax.jit, static_argnames=("n_classes", "n_bins", "bin_width", "max_bins", "max_sources")
)
def _layer_pid(t, labels, value_range, *, n_classes, n_bins, bin_width, max_bins, max_sources):
    dtype = t.dtype
    bins = _bin_indices(t, value_range, n_bins=n_bins, bin_width=bin_width, equal_mass=False)
    labels = labels.astype(jnp.int32)
    label_counts = jnp.zeros(n_classes, jnp.int32).at[labels].add(1)[labels]
    w = t.shape[1]
    if w == 1:
        counts, joint = _match_counts(bins, labels, max_bins)
        ratio = (joint.astype(dtype) / counts.astype(dtype)) * (
            t.shape[0] / label_counts.astype(dtype)
        )
        nan = jnp.full((), jnp.nan, dtype)
        return LayerPID(nan, nan, nan, nan, jnp.mean(jnp.log2(ratio)), jnp.zeros((), dtype))
    if w <= max_sources:
        return _full_lattice(bins, labels, label_counts, max_bins, dtype)
    return _pair_means(bins, labels, label_counts, max_bins, dtype)


def layer_pid(
    t: ArrayLike,
    labels: ArrayLike,
    *,
    n_classes: int,
    n_bins: int | None = None,
    value_range: tuple[ArrayLike, ArrayLike] | None = (-1.0, 1.0),
    bin_width: float | None = None,
    max_sources: int = MAX_LATTICE_SOURCES,
) -> LayerPID:
    r"""Shared-exclusion PID of the label by a layer's binned units, and their O-information.

    Each unit is binned as :func:`infojax.estimators.binned_information_plane` bins it,
    and the empirical distribution of the binned units and the label is the table of
    the sx PID (Makkeh, Gutknecht & Wibral 2021, :func:`infojax.measures.pid` with
    ``measure="sx"``), computed from the samples without building the table (see the
    module docstring): for :math:`w \le` ``max_sources`` units the full lattice (4, 18
    or 166 nodes), for wider layers the two-source PID of every pair of units,
    averaged over the :math:`w(w-1)/2` pairs. Where the lattice is full, the
    representational complexity of Ehrlich et al. (2023),

    .. math::

        C = \frac{1}{I(T; Y)} \sum_\alpha m(\alpha)\, \Pi(\alpha), \qquad
        m(\alpha) = \min_{A \in \alpha} |A|,

    is the average number of units that must be observed together to get a bit of the
    label information (1 for purely redundant, :math:`w` for purely synergistic
    layers). The O-information of the binned units (Rosas et al. 2019),

    .. math::

        \Omega(T) = (w - 2) H(T) + \sum_{i=1}^w \left[H(T_i) - H(T_{-i})\right],

    with plug-in entropies, is positive for redundancy-dominated and negative for
    synergy-dominated layers; it is exactly 0 for :math:`w \le 2`.

    Cost: one sort of the ``n`` samples per subset of units (15 for ``w = 4``;
    :math:`w + w(w-1)/2 + w + 1` for wider layers). Works under ``jit`` and ``vmap``
    (e.g. over seeds); the value checks (NaN/inf in ``t``, labels outside
    ``[0, n_classes)``, ``value_range``) run on concrete inputs only, and under a
    caller's ``jit`` an out-of-range label gives wrong counts. The result is piecewise
    constant in ``t``: its gradient is zero.

    Args:
      t: float array of shape ``(n, w)``: one layer's activity on ``n`` inputs.
      labels: integer array of shape ``(n,)``, values in ``[0, n_classes)``.
      n_classes: the number of label classes (static).
      n_bins: equal-width bins per unit on ``value_range`` (static); with neither
        ``n_bins`` nor ``bin_width``, 30 bins (as the binning estimator).
      value_range: ``(low, high)``, scalars or arrays of shape ``(w,)``; values outside
        fall into the first or last bin. ``None``: the observed range of ``t``.
      bin_width: width of each bin from the low end of ``value_range``, instead of
        ``n_bins`` (static).
      max_sources: the widest layer that gets the full lattice, 2 to 4 (static).

    Returns:
      :class:`LayerPID` of scalars of the dtype of ``t``: ``redundancy``, ``unique``,
      ``synergy``, ``total`` and ``o_information`` in bits, ``complexity``
      dimensionless. NaN conventions: a layer of one unit has NaN ``redundancy``,
      ``unique``, ``synergy`` and ``complexity`` (its ``total`` is ``I(T; Y)``, its
      ``o_information`` 0); ``complexity`` is NaN for layers wider than
      ``max_sources`` and where the binned layer and the label are exactly
      independent on the sample.

    Raises:
      ValueError: if ``t`` is not 2-D, ``labels`` not 1-D of the same length, a
        label lies outside ``[0, n_classes)``, ``max_sources`` is not 2 to 4, or the
        binning options are invalid (as :func:`infojax.estimators.binned_entropy`).
      TypeError: if ``labels`` are not integers or ``n_classes`` / ``max_sources``
        not Python ints.

    Example:
      >>> x = jnp.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 1024)  # 4096 inputs
      >>> t = jnp.where(x == 1, 0.5, -0.5)
      >>> result = layer_pid(t, x[:, 0] ^ x[:, 1], n_classes=2)
      >>> round(float(result.total), 2), round(float(result.synergy), 2)  # XOR
      (1.0, 0.42)

      sx splits XOR's bit into a misinformative redundancy
      :math:`\log_2(2/3)`, unique :math:`\log_2(3/2)` per unit and synergy
      :math:`\log_2(4/3)` (Makkeh et al. 2021), not into one bit of synergy.

    References:
      A. Makkeh, A. J. Gutknecht and M. Wibral, Introducing a differentiable measure of
      pointwise shared information, Phys. Rev. E 103, 032149 (2021),
      https://doi.org/10.1103/PhysRevE.103.032149.
      D. A. Ehrlich, A. C. Schneider, V. Priesemann, M. Wibral and A. Makkeh, A measure
      of the complexity of neural representations based on partial information
      decomposition, TMLR (2023), https://openreview.net/forum?id=R8TU3pfzFr.
      F. E. Rosas, P. A. M. Mediano, M. Gastpar and H. J. Jensen, Quantifying
      high-order interdependencies via multivariate extensions of the mutual
      information, Phys. Rev. E 100, 032305 (2019),
      https://doi.org/10.1103/PhysRevE.100.032305.
      R. Shwartz-Ziv and N. Tishby, Opening the black box of deep neural networks via
      information, 2017, https://arxiv.org/abs/1703.00810.
    """
    check_positive_int(n_classes, "n_classes")
    if not isinstance(max_sources, (int, np.integer)) or isinstance(max_sources, bool):
        raise TypeError(f"`max_sources` must be a Python int, got {type(max_sources).__name__}.")
    if not 2 <= max_sources <= MAX_LATTICE_SOURCES:
        raise ValueError(
            f"`max_sources` must be 2 to {MAX_LATTICE_SOURCES} (the full lattice of 5 units "
            f"has 7579 nodes), got {max_sources}."
        )
    t = as_float_array(t, "t")
    if t.ndim != 2 or t.shape[0] == 0 or t.shape[1] == 0:
        raise ValueError(f"`t` must have shape (n, width) with n, width >= 1, got {t.shape}.")
    check_finite(t, "t")
    labels = jnp.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"`labels` must have shape (n,), got {labels.shape}.")
    if not jnp.issubdtype(labels.dtype, jnp.integer):
        raise TypeError(f"`labels` must hold integer classes, got dtype {labels.dtype}.")
    check_same_length((t, "t"), (labels, "labels"))
    if is_concrete(labels):
        values = np.asarray(labels)
        if values.min() < 0 or values.max() >= n_classes:
            raise ValueError(
                f"`labels` must lie in [0, n_classes) = [0, {n_classes}), got values "
                f"from {values.min()} to {values.max()}."
            )
    options = _binning_options(t, n_bins, bin_width, value_range, False)
    del options["equal_mass"]
    return _layer_pid(t, labels, n_classes=int(n_classes), max_sources=int(max_sources), **options)
