"""The redundancy lattice of the partial information decomposition (Williams & Beer 2010).

Its nodes are the antichains of non-empty subsets of the sources, written as in dit: a
tuple of tuples of source indices, each inner tuple sorted, the outer tuple sorted by
(length, tuple). ``alpha <= beta`` iff every set in ``beta`` contains a set of
``alpha``. The redundancy of a node is the sum of the partial information atoms of the
nodes below it (``zeta``); the atoms are the Moebius inversion of the redundancies, one
integer matrix per number of sources, built once and cached.
"""

from __future__ import annotations

import functools
import itertools
from typing import NamedTuple

import numpy as np

Node = tuple[tuple[int, ...], ...]


class Lattice(NamedTuple):
    """The redundancy lattice of ``num_sources`` sources.

    Attributes:
      nodes: the antichains, ordered as dit prints them: by distance from the top
        (the synergy node), then by decreasing width, then by the node itself; the
        redundancy of all sources (the bottom) comes last.
      zeta: ``(K, K)`` int matrix, ``zeta[a, b] = 1`` iff ``nodes[b] <= nodes[a]``.
      moebius: ``(K, K)`` int matrix, the inverse of ``zeta``: atoms = moebius @ redundancies.
    """

    nodes: tuple[Node, ...]
    zeta: np.ndarray
    moebius: np.ndarray


def _canonical(sets) -> Node:
    return tuple(sorted((tuple(sorted(s)) for s in sets), key=lambda t: (len(t), t)))


def precedes(alpha: Node, beta: Node) -> bool:
    """``alpha <= beta``: every set of ``beta`` contains some set of ``alpha``."""
    return all(any(set(a) <= set(b) for a in alpha) for b in beta)


def _antichains(num_sources: int) -> list[Node]:
    subsets = [
        frozenset(c)
        for size in range(1, num_sources + 1)
        for c in itertools.combinations(range(num_sources), size)
    ]
    found = []
    for mask in range(1, 2 ** len(subsets)):
        chosen = [s for i, s in enumerate(subsets) if mask >> i & 1]
        if all(not (a < b or b < a) for a, b in itertools.combinations(chosen, 2)):
            found.append(_canonical(chosen))
    return found


@functools.cache
def redundancy_lattice(num_sources: int) -> Lattice:
    """The redundancy lattice of ``num_sources`` sources (4, 18, 166 nodes for 2, 3, 4)."""
    if num_sources < 1:
        raise ValueError(f"`num_sources` must be at least 1, got {num_sources}.")
    nodes = _antichains(num_sources)
    size = len(nodes)
    below = np.array([[precedes(b, a) for b in nodes] for a in nodes], dtype=bool)
    # Distance from the top along covering relations (the Hasse diagram), as dit orders.
    strictly = below & ~np.eye(size, dtype=bool)
    covers = strictly & ~((strictly.astype(np.int64) @ strictly.astype(np.int64)) > 0)
    top = nodes.index((tuple(range(num_sources)),))
    depth = {top: 0}
    frontier = [top]
    while frontier:
        nxt = []
        for a in frontier:
            for b in np.flatnonzero(covers[a]):
                if b not in depth:
                    depth[int(b)] = depth[a] + 1
                    nxt.append(int(b))
        frontier = nxt
    order = sorted(range(size), key=lambda i: (depth[i], -len(nodes[i]), nodes[i]))
    nodes = [nodes[i] for i in order]
    zeta = below[np.ix_(order, order)].astype(np.int64)
    # Moebius inversion, from the bottom up: atom(a) = red(a) - sum of atoms strictly below.
    moebius = np.zeros((size, size), dtype=np.int64)
    by_height = sorted(range(size), key=lambda i: zeta[i].sum())
    for a in by_height:
        moebius[a, a] = 1
        for b in np.flatnonzero(zeta[a]):
            if b != a:
                moebius[a] -= moebius[b]
    return Lattice(tuple(nodes), zeta, moebius)
