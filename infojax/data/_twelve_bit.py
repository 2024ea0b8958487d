"""The 12-bit task of Shwartz-Ziv & Tishby (2017), generated from its recipe."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from infojax.data._dataset import Dataset

NUM_BITS = 12

_GOLDEN_RATIO = (1.0 + math.sqrt(5.0)) / 2.0

# The vertices of the regular icosahedron, the only arrangement of 12 points spread
# uniformly over the 2-sphere, as (0, +-1, +-phi) and its cyclic permutations. Input bit
# j sits on vertex j. This numbering makes the generated task coincide, pattern by
# pattern, with var_u.mat of the reference code (checked by tests/test_data.py when the
# file is present); any other numbering gives the same task up to a permutation of bits.
_ICOSAHEDRON = np.array(
    [
        (0.0, 1.0, _GOLDEN_RATIO),
        (0.0, -1.0, _GOLDEN_RATIO),
        (1.0, -_GOLDEN_RATIO, 0.0),
        (_GOLDEN_RATIO, 0.0, 1.0),
        (-1.0, -_GOLDEN_RATIO, 0.0),
        (-1.0, _GOLDEN_RATIO, 0.0),
        (-_GOLDEN_RATIO, 0.0, -1.0),
        (0.0, 1.0, -_GOLDEN_RATIO),
        (_GOLDEN_RATIO, 0.0, -1.0),
        (0.0, -1.0, -_GOLDEN_RATIO),
        (1.0, _GOLDEN_RATIO, 0.0),
        (-_GOLDEN_RATIO, 0.0, 1.0),
    ]
)
SPHERE_POINTS = _ICOSAHEDRON / np.linalg.norm(_ICOSAHEDRON, axis=1, keepdims=True)


def all_binary_patterns(num_bits: int = NUM_BITS) -> np.ndarray:
    """Every pattern of ``num_bits`` bits, as a uint8 array of shape ``(2**num_bits, num_bits)``.

    Row ``i`` is the binary expansion of ``i`` with the most significant bit in column 0
    (the order of ``F`` in var_u.mat).
    """
    rows = np.arange(2**num_bits)[:, None]
    shifts = np.arange(num_bits - 1, -1, -1)[None, :]
    return ((rows >> shifts) & 1).astype(np.uint8)


def sphere_score(patterns: np.ndarray, points: np.ndarray = SPHERE_POINTS) -> np.ndarray:
    """The O(3)-invariant score of binary patterns on points of the unit sphere.

    A pattern ``x`` is the function ``sum_i x_i delta(v_i)`` on the sphere. With
    Schmidt semi-normalised spherical harmonics its power in band ``l`` is
    ``S_l(x) = sum_ij x_i x_j P_l(v_i . v_j)`` (addition theorem). The score is the sum
    of the amplitudes of the two lowest bands,
    ``sqrt(S_0) + sqrt(S_1) = sum_i x_i + ||sum_i x_i v_i||``: the number of active
    points plus the length of their resultant. Rotations and reflections of the points
    leave it unchanged.
    """
    patterns = np.asarray(patterns, dtype=np.float64)
    resultant = patterns @ np.asarray(points, dtype=np.float64)
    return patterns.sum(axis=-1) + np.linalg.norm(resultant, axis=-1)


def balanced_threshold(scores: np.ndarray) -> float:
    """The threshold that puts the fraction of scores above it closest to one half.

    Candidates are the midpoints between consecutive distinct scores (scores equal to
    1e-9 are one value), so no pattern sits on the threshold.
    """
    values = np.unique(np.round(scores, 9))
    midpoints = (values[:-1] + values[1:]) / 2.0
    fraction_above = (scores[None, :] > midpoints[:, None]).mean(axis=1)
    return float(midpoints[np.argmin(np.abs(fraction_above - 0.5))])


def twelve_bit_task(*, seed: int = 0, gain: float | None = None) -> Dataset:
    r"""The 12-bit classification task of Shwartz-Ziv & Tishby (2017), generated.

    The inputs are all :math:`2^{12} = 4096` binary patterns :math:`x` of 12 bits; bit
    :math:`i` marks a point :math:`v_i` of 12 points spread uniformly on the 2-sphere
    (the vertices of the regular icosahedron). Following the published recipe, a
    spherically symmetric (O(3)-invariant) real function of the pattern, evaluated
    through its spherical-harmonic power spectrum, is compared with a threshold
    :math:`\theta` through a sigmoid of gain :math:`\gamma`:

    .. math::

        f(x) = \sqrt{S_0(x)} + \sqrt{S_1(x)}
             = \sum_i x_i + \Big\lVert \sum_i x_i v_i \Big\rVert, \qquad
        S_l(x) = \sum_{i,j} x_i x_j P_l(v_i \cdot v_j),

    .. math::

        p(y = 1 \mid x) = \psi\big(\gamma (f(x) - \theta)\big), \qquad
        \psi(u) = \frac{1}{1 + e^{-u}},

    with :math:`\theta` between two consecutive values of :math:`f` so that
    :math:`p(y = 1)` over uniform :math:`x` is as close to 1/2 as the 64 distinct
    values of :math:`f` allow (:math:`\theta \approx 7.632`, :math:`p(y=1) = 2118/4096`).

    The paper names neither :math:`f` nor :math:`\gamma`; this choice (the amplitudes
    of the two lowest bands with Schmidt semi-normalised harmonics) reproduces the
    original data file ``var_u.mat`` of the reference code exactly with the default
    ``gain=None`` (the limit :math:`\gamma \to \infty`, deterministic labels): labels 0
    for every pattern with at most 4 ones, 1 for at least 8, positive rates 60/792
    (7.6%) at 5 ones, 532/924 (57.6%) at 6 and 732/792 (92.4%) at 7, 2118 positives,
    and :math:`I(X;Y) = H(Y) = 0.99916` bits; the bits are numbered so that even the
    individual labels coincide with the file. The labels take one value on each of
    the 64 classes of patterns that the power spectrum distinguishes (the paper's
    "64 disjoint orbits").

    A finite ``gain`` draws each label from :math:`p(y = 1 \mid x)` with ``seed``
    (the "sigmoid noise"); patterns nearest the threshold are then sometimes flipped
    and :math:`I(X;Y)` of the channel :math:`p(y \mid x)` falls below :math:`H(Y)`
    (0.90 bits at ``gain=10``, 0.987 bits at ``gain=50``, 0.9985 bits at ``gain=100``).

    Args:
        seed: seed of the label draws (``numpy.random.default_rng``); the same seed
            gives the same dataset. Unused with ``gain=None``.
        gain: sigmoid gain :math:`\gamma` (positive, per unit of :math:`f`), or
            ``None`` for deterministic labels :math:`y = [f(x) > \theta]`.

    Returns:
        A :class:`Dataset` with ``x`` float32 of shape ``(4096, 12)`` in {0, 1} (row
        ``i`` is the binary expansion of ``i``, most significant bit first, as in
        var_u.mat) and ``y`` int32 of shape ``(4096,)``.

    Example:
        >>> from infojax.data import twelve_bit_task
        >>> task = twelve_bit_task()
        >>> task.x.shape, int(task.y.sum())
        ((4096, 12), 2118)

    References:
        R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep neural networks
        via information", 2017, https://arxiv.org/abs/1703.00810 (section 3.1).
        M. Kazhdan, T. Funkhouser and S. Rusinkiewicz, "Rotation invariant spherical
        harmonic representation of 3D shape descriptors", SGP 2003.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"`seed` must be an int, got {type(seed).__name__}.")
    if gain is not None and not (
        isinstance(gain, (int, float, np.floating)) and math.isfinite(gain) and gain > 0
    ):
        raise ValueError(f"`gain` must be None or a positive finite number, got {gain!r}.")
    patterns = all_binary_patterns()
    scores = sphere_score(patterns)
    threshold = balanced_threshold(scores)
    if gain is None:
        labels = scores > threshold
    else:
        probabilities = expit(gain * (scores - threshold))
        labels = np.random.default_rng(seed).random(probabilities.shape) < probabilities
    return Dataset(patterns.astype(np.float32), labels.astype(np.int32))
