r"""Partial information decomposition (PID) of probability tables.

The information that ``n`` sources :math:`X_1, \dots, X_n` carry about a target
:math:`Y` splits into atoms on the redundancy lattice of Williams & Beer (2010): a
redundancy measure :math:`I_\cap(\alpha; Y)` is evaluated at every antichain
:math:`\alpha` and the atoms are its Moebius inversion,
:math:`I_\cap(\alpha; Y) = \sum_{\beta \preceq \alpha} \Pi(\beta)`.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._numerics import xlogx
from infojax._numerics import xlogy
from infojax._validation import as_float_array
from infojax._validation import check_base
from infojax._validation import check_probabilities
from infojax.measures._pid_broja import broja_minimum
from infojax.measures._pid_lattice import Node
from infojax.measures._pid_lattice import redundancy_lattice

MEASURES = ("broja", "ccs", "imin", "mmi", "sx")
_MAX_SOURCES = {"broja": 2, "ccs": 3, "imin": 4, "mmi": 4, "sx": 4}


class PartialInformation(NamedTuple):
    """A partial information decomposition (a pytree: passes through jit and vmap).

    Attributes:
      atoms: the partial information atoms, a dict keyed by the antichains of the
        redundancy lattice in dit's notation (``((0,), (1,))`` the redundancy of sources
        0 and 1, ``((0, 1),)`` their synergy, ``((0,),)`` the unique information of
        source 0), in the order dit prints them (dicts that come back from ``jit`` or
        ``vmap`` have their keys sorted); values of the batch shape.
      redundancies: the redundancy measure at every node, keyed and ordered as ``atoms``.
      total: :math:`I(Y; X_1 \\dots X_n)`, the sum of all atoms.
      optimality_gap: for ``"broja"``, a certified bound on the error of the minimum
        over the polytope (same unit), ``None`` for the closed-form measures.
    """

    atoms: dict[Node, jax.Array]
    redundancies: dict[Node, jax.Array]
    total: jax.Array
    optimality_gap: jax.Array | None = None

    @property
    def redundancy(self) -> jax.Array:
        """Two sources: the redundant information ``atoms[((0,), (1,))]``."""
        self._require_two_sources("redundancy")
        return self.atoms[((0,), (1,))]

    @property
    def unique(self) -> jax.Array:
        """Two sources: the unique information of each source, shape ``(..., 2)``."""
        self._require_two_sources("unique")
        return jnp.stack([self.atoms[((0,),)], self.atoms[((1,),)]], axis=-1)

    @property
    def synergy(self) -> jax.Array:
        """Two sources: the synergistic information ``atoms[((0, 1),)]``."""
        self._require_two_sources("synergy")
        return self.atoms[((0, 1),)]

    def _require_two_sources(self, name: str) -> None:
        if len(self.atoms) != 4:
            raise AttributeError(
                f"`{name}` is defined for two sources; index `atoms` by antichain instead."
            )


def _marginal(p: jax.Array, keep: frozenset[int], *, target: bool) -> jax.Array:
    """Sum of ``p`` over the source axes not in ``keep`` (and the target unless kept)."""
    n = p.ndim - 1
    axes = tuple(i for i in range(n) if i not in keep) + (() if target else (n,))
    return jnp.sum(p, axis=axes, keepdims=True)


def _union(node: Node, subset) -> frozenset[int]:
    return frozenset(itertools.chain.from_iterable(node[j] for j in subset))


def _specific_information_sums(p: jax.Array, source: frozenset[int]) -> jax.Array:
    """``sum_{x_A} p(x_A, y) log p(y | x_A) / p(y)`` per target value, shape ``(|Y|,)``."""
    pay = _marginal(p, source, target=True)
    pa = jnp.sum(pay, axis=-1, keepdims=True)
    py = _marginal(p, frozenset(), target=True)
    terms = xlogx(pay) - xlogy(pay, pa * py)
    return jnp.sum(terms, axis=tuple(range(p.ndim - 1))).reshape(-1)


def _imin(p: jax.Array, node: Node) -> jax.Array:
    py = _marginal(p, frozenset(), target=True).reshape(-1)
    positive = py > 0
    safe_py = jnp.where(positive, py, 1)
    specific = jnp.stack([_specific_information_sums(p, frozenset(a)) / safe_py for a in node])
    return jnp.sum(jnp.where(positive, py * jnp.min(specific, axis=0), 0))


def _mmi(p: jax.Array, node: Node) -> jax.Array:
    return jnp.min(jnp.stack([jnp.sum(_specific_information_sums(p, frozenset(a))) for a in node]))


@functools.cache
def _union_masks(shape: tuple[int, ...]) -> np.ndarray:
    """``masks[k, x, x']``: does ``x'`` share the values of ``x`` on some set of node ``k``."""
    nodes = redundancy_lattice(len(shape)).nodes
    outcomes = np.array(list(np.ndindex(*shape)))
    masks = np.zeros((len(nodes), len(outcomes), len(outcomes)), dtype=bool)
    for k, node in enumerate(nodes):
        for sources in node:
            columns = list(sources)
            masks[k] |= np.all(outcomes[:, None, columns] == outcomes[None, :, columns], axis=-1)
    return masks


def _sx_all(p: jax.Array) -> jax.Array:
    sizes = p.shape[:-1]
    joint = p.reshape(math.prod(sizes), p.shape[-1])
    masks = jnp.asarray(_union_masks(sizes), dtype=p.dtype)
    union_sources = jnp.einsum("kxz,z->kx", masks, jnp.sum(joint, axis=-1))
    union_joint = jnp.einsum("kxz,zy->kxy", masks, joint)
    py = jnp.sum(joint, axis=0)
    terms = xlogy(joint, union_joint) - xlogy(joint, py) - xlogy(joint, union_sources[:, :, None])
    return jnp.sum(terms, axis=(-2, -1))


_CCS_ITERATIONS = 2000


def _ccs(p: jax.Array, node: Node) -> jax.Array:
    if len(node) == 1:
        return jnp.sum(_specific_information_sums(p, frozenset(node[0])))
    # The maximum-entropy table over (X_U, Y), U the union of the node's sets, with the
    # marginals p(x_U) and p(x_A, y) for each set A, by iterative proportional fitting.
    union = _union(node, range(len(node)))
    sub = _marginal(p, union, target=True)
    constraints = [_marginal(sub, union, target=False)] + [
        _marginal(sub, frozenset(a), target=True) for a in node
    ]
    kept = [frozenset(union)] + [frozenset(a) for a in node]
    with_target = [False] + [True] * len(node)

    def fit(_, q):
        for marginal, keep, has_target in zip(constraints, kept, with_target, strict=True):
            current = _marginal(q, keep, target=has_target)
            positive = current > 0
            q = q * jnp.where(positive, marginal / jnp.where(positive, current, 1), 0)
        return q

    # Where the maximum-entropy table has induced zeros (cells that no table with these
    # marginals can fill), IPF converges like 1/t. Such a cell has p = 0 and halves when
    # the number of sweeps doubles, while a positive cell settles: those cells are set
    # to zero and IPF runs again on the remaining support, where it converges fast.
    q0 = jnp.full(sub.shape, 1 / sub.size, p.dtype)
    half = jax.lax.fori_loop(0, _CCS_ITERATIONS // 2, fit, q0)
    full = jax.lax.fori_loop(0, _CCS_ITERATIONS // 2, fit, half)
    vanishing = (sub == 0) & (full < 0.75 * half)
    q = jax.lax.fori_loop(0, _CCS_ITERATIONS, fit, jnp.where(vanishing, 0, full))

    def log_marginal(keep: frozenset[int], has_target: bool) -> jax.Array:
        marginal = _marginal(q, keep, target=has_target)
        return jnp.log(jnp.where(marginal > 0, marginal, 1))

    k = len(node)
    coinformation = jnp.zeros_like(q)
    for size in range(1, k + 2):
        for subset in itertools.combinations(range(k + 1), size):
            sets = [j for j in subset if j < k]
            coinformation = coinformation + (-1) ** size * log_marginal(
                _union(node, sets), k in subset
            )
    log_sources = log_marginal(union, False)
    log_target = log_marginal(frozenset(), True)
    joint_pmi = log_marginal(union, True) - log_sources - log_target
    pmis = [
        log_marginal(frozenset(a), True) - log_marginal(frozenset(a), False) - log_target
        for a in node
    ]
    # dit counts values within 1e-8 bits of zero as zero (np.isclose) before taking signs.
    zero = (1e-8 if p.dtype == jnp.float64 else 1e-5) * math.log(2)

    def sign(value, fix=True):
        return jnp.where(jnp.abs(value) <= zero, 0, jnp.sign(value)) if fix else jnp.sign(value)

    agree = sign(coinformation) == sign(joint_pmi, fix=False)
    for pmi in pmis:
        agree = agree & (sign(coinformation) == sign(pmi))
    value = jnp.where(agree & (q > 0), q * jnp.where(q > 0, coinformation, 0), 0)
    return jnp.sum(value)


@functools.partial(jax.jit, static_argnames="measure")
def _pid(p: jax.Array, measure: str) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    n = p.ndim - 1
    lattice = redundancy_lattice(n)
    joint = p.reshape(-1, p.shape[-1])
    total = jnp.sum(
        xlogx(joint) - xlogy(joint, jnp.sum(joint, axis=-1, keepdims=True) * jnp.sum(joint, axis=0))
    )
    gap = jnp.zeros((), p.dtype)
    if measure == "sx":
        redundancies = _sx_all(p)
    elif measure == "broja":
        minimum, gap = broja_minimum(
            p,
            tolerance=1e-11 if p.dtype == jnp.float64 else 1e-6,
            max_iterations=20000,
            warm_start=p.dtype == jnp.float64,
        )
        info = [jnp.sum(_specific_information_sums(p, frozenset({i}))) for i in range(2)]
        # Every atom from the one minimum, so the sum rules hold by construction.
        values = {
            ((0, 1),): total,
            ((0,),): info[0],
            ((1,),): info[1],
            ((0,), (1,)): info[0] + info[1] - minimum,
        }
        redundancies = jnp.stack([values[node] for node in lattice.nodes])
    else:
        single = {"imin": _imin, "mmi": _mmi, "ccs": _ccs}[measure]
        redundancies = jnp.stack([single(p, node) for node in lattice.nodes])
    atoms = jnp.asarray(lattice.moebius, p.dtype) @ redundancies
    return atoms, redundancies, total, gap


def pid(p: ArrayLike, *, measure: str = "sx", base: float | None = None) -> PartialInformation:
    r"""Partial information decomposition of a target by ``n`` sources (2 to 4).

    The redundancy :math:`I_\cap(\alpha; Y)` of every antichain :math:`\alpha` of the
    lattice (4, 18 or 166 nodes for 2, 3 or 4 sources) gives the atoms by Moebius
    inversion, one constant integer matrix per ``n``: :math:`\Pi = M I_\cap`. Measures:

    * ``"imin"`` (Williams & Beer 2010), the expected minimum specific information:

      .. math:: I_{\min}(\alpha; Y) = \sum_y p(y) \min_{A \in \alpha}
                \sum_{x_A} p(x_A \mid y) \log \frac{p(y \mid x_A)}{p(y)}

    * ``"mmi"`` (Barrett 2015): :math:`I_\cap(\alpha; Y) = \min_{A \in \alpha} I(X_A; Y)`.
    * ``"sx"`` (Makkeh, Gutknecht & Wibral 2021), shared exclusion: with
      :math:`\mathfrak{a} = \bigcup_{A \in \alpha} \{X_A = x_A\}` the union of the
      antecedent events,

      .. math:: I^{sx}_\cap(\alpha; Y) = \sum_{x, y} p(x, y)
                \log \frac{P(\mathfrak{a} \cap \{Y = y\})}{P(\mathfrak{a})\, p(y)}

    * ``"ccs"`` (Ince 2017), common change in surprisal, 2 or 3 sources: the pointwise
      co-information of the sets of :math:`\alpha` and :math:`Y` under the maximum-entropy
      distribution :math:`\hat q` with the marginals :math:`p(x_{\cup\alpha})` and every
      :math:`p(x_A, y)` (iterative proportional fitting as dit fits it: 2000 sweeps,
      then the cells that vanish like 1/sweeps are set to zero and 2000 more sweeps
      run on the remaining support), averaged over the outcomes where it agrees in sign
      with every pointwise :math:`i(x_A; y)` and with :math:`i(x_{\cup\alpha}; y)`,
      signs within 1e-8 bits of zero counted as zero (1e-5 in float32), as dit does.
    * ``"broja"`` (Bertschinger, Rauh, Olbrich, Jost & Ay 2014), 2 sources:
      :math:`Q^* = \arg\min_{Q \in \Delta_P} I_Q(Y; X_1 X_2)` over the tables with the
      marginals :math:`p(x_1, y), p(x_2, y)`; :math:`U_1 = I_{Q^*}(Y; X_1 X_2) - I(Y; X_2)`,
      :math:`U_2 = I_{Q^*}(Y; X_1 X_2) - I(Y; X_1)`, :math:`R = I(Y; X_1) - U_1`,
      :math:`S = I(Y; X_1 X_2) - I_{Q^*}(Y; X_1 X_2)`, so the sum rules hold exactly.
      Solved by alternating divergence minimisation with Sinkhorn sweeps (in float64
      warm-started by a log-barrier Newton method on the Lagrange dual) until the
      certified optimality gap (primal value of the iterate rounded onto the
      polytope minus a Lagrange dual bound) is at most 1e-11 nats in float64 (1e-6 in
      float32), or after 20000 sweeps; the gap is returned (``optimality_gap``).

    ``imin``, ``mmi`` and ``broja`` atoms are non-negative (``broja`` up to the gap);
    ``sx`` and ``ccs`` atoms can be negative. Differentiable (``jax.grad`` finite, also
    at zero probabilities): ``mmi``, ``sx`` and ``imin`` (almost everywhere: they are
    piecewise smooth through their minima). ``ccs`` (sign tests) and ``broja`` (an
    iterative solver in a ``while_loop``) are not meant for gradients.

    Args:
      p: joint table of shape ``(|X_1|, ..., |X_n|, |Y|)``, target on the last axis,
        ``2 <= n <= 4``. No batch axes: batch with ``jax.vmap``.
      measure: ``"sx"`` (default), ``"imin"``, ``"mmi"``, ``"ccs"`` or ``"broja"``;
        static under ``jit``.
      base: logarithm base; ``None`` for nats, ``2`` for bits.

    Returns:
      :class:`PartialInformation`: ``atoms`` and ``redundancies`` keyed by antichain,
      ``total`` (:math:`I(Y; X_1 \dots X_n)`), ``optimality_gap`` (``broja``), and for two
      sources ``redundancy``, ``unique`` (shape ``(2,)``) and ``synergy``; scalars in
      nats (or units of ``base``), dtype of ``p``. Value checks of ``p`` run on concrete
      input only (not under a caller's ``jit`` or ``vmap``).

    Raises:
      ValueError: if ``p`` is not a probability table, has fewer than 2 or more than 4
        sources (more than the measure supports), or ``measure`` is unknown.

    Example:
      >>> xor = jnp.zeros((2, 2, 2)).at[0, 0, 0].set(0.25).at[0, 1, 1].set(0.25)
      >>> xor = xor.at[1, 0, 1].set(0.25).at[1, 1, 0].set(0.25)
      >>> result = pid(xor, measure="mmi", base=2)
      >>> round(float(result.synergy), 6), round(float(result.redundancy), 6)
      (1.0, 0.0)
      >>> round(float(pid(xor, measure="broja", base=2).atoms[((0, 1),)]), 5)
      1.0

    References:
      P. L. Williams and R. D. Beer, Nonnegative decomposition of multivariate
      information, 2010, https://arxiv.org/abs/1004.2515.
      A. B. Barrett, Exploration of synergistic and redundant information sharing in
      static and dynamical Gaussian systems, Phys. Rev. E 91, 052802 (2015),
      https://doi.org/10.1103/PhysRevE.91.052802.
      A. Makkeh, A. J. Gutknecht and M. Wibral, Introducing a differentiable measure of
      pointwise shared information, Phys. Rev. E 103, 032149 (2021),
      https://doi.org/10.1103/PhysRevE.103.032149.
      R. A. A. Ince, Measuring multivariate redundant information with pointwise common
      change in surprisal, Entropy 19, 318 (2017), https://doi.org/10.3390/e19070318.
      N. Bertschinger, J. Rauh, E. Olbrich, J. Jost and N. Ay, Quantifying unique
      information, Entropy 16, 2161 (2014), https://doi.org/10.3390/e16042161.
      P. K. Banerjee, J. Rauh and G. Montufar, Computing the unique information, ISIT
      2018, https://arxiv.org/abs/1709.07487.
    """
    check_base(base)
    p = as_float_array(p, "p")
    if p.ndim < 3:
        raise ValueError(
            f"`p` must have at least 3 axes (two or more sources and the target on the "
            f"last axis), got shape {p.shape}."
        )
    num_sources = p.ndim - 1
    if not isinstance(measure, str) or measure not in MEASURES:
        raise ValueError(
            f"`measure` must be one of {', '.join(map(repr, MEASURES))}; got {measure!r}."
        )
    if num_sources > _MAX_SOURCES[measure]:
        raise ValueError(
            f"`p` has {num_sources} sources (shape {p.shape}); `measure` {measure!r} "
            f"supports at most {_MAX_SOURCES[measure]}."
        )
    check_probabilities(p, "p", axes=tuple(range(p.ndim)))
    atoms, redundancies, total, gap = _pid(p, measure)
    nodes = redundancy_lattice(num_sources).nodes
    return PartialInformation(
        atoms={node: to_base(atoms[k], base) for k, node in enumerate(nodes)},
        redundancies={node: to_base(redundancies[k], base) for k, node in enumerate(nodes)},
        total=to_base(total, base),
        optimality_gap=to_base(gap, base) if measure == "broja" else None,
    )
