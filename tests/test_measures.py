"""Exact measures on probability tables: references, hand tables, identities, transforms.

References are independent of infojax: ``scipy.stats.entropy``, ``scipy.special.rel_entr``,
scikit-learn's ``normalized_mutual_info_score``, closed forms for hand-made tables and
the plain-loop NumPy versions in ``tests/reference.py``.
"""

import functools
import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference
import scipy.special
import scipy.stats
import sklearn.metrics
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import infojax
from infojax import measures

# float64 sums of a few hundred terms: rounding is ~1e-15 per term, so 1e-12 is a safe bound.
# The comparisons at this precision are marked float64 (run with x64 enabled): a float32
# tolerance wide enough for rounding would also let small formula errors through. The
# default float32 path is checked on hand tables below, in test_jit_vmap_grad_and_dtype
# and in test_eager_float32_keeps_dtype.
F64 = {"rtol": 1e-10, "atol": 1e-12}
# Default float32: values of a few nats, inputs and each term rounded to 6e-8 relative.
F32 = {"rtol": 1e-6, "atol": 1e-6}
# Few examples and few distinct shapes: every new shape costs JAX a compilation.
PROPERTY = settings(max_examples=30, deadline=None)
SEEDS = st.integers(0, 2**31 - 1)
SIZES = st.sampled_from([1, 2, 4])
LN2 = math.log(2.0)


def binary_entropy_bits(e):
    return 0.0 if e in (0.0, 1.0) else -e * math.log2(e) - (1 - e) * math.log2(1 - e)


# --- scipy ------------------------------------------------------------------------------


@pytest.mark.float64
@pytest.mark.parametrize("base", [None, 2, 10])
def test_entropy_matches_scipy_on_a_batch(base):
    p = np.stack([reference.random_table(seed, (7,)) for seed in range(20)])
    expected = scipy.stats.entropy(p, base=base, axis=-1)
    np.testing.assert_allclose(measures.entropy(p, base=base), expected, **F64)


@pytest.mark.float64
def test_kl_and_cross_entropy_match_scipy_rel_entr():
    p = np.stack([reference.random_table(seed, (6,)) for seed in range(20)])
    q = np.stack([reference.random_table(seed, (6,), zero_fraction=0.0) for seed in range(50, 70)])
    kl = scipy.special.rel_entr(p, q).sum(axis=-1)
    np.testing.assert_allclose(measures.kl_divergence(p, q), kl, **F64)
    np.testing.assert_allclose(
        measures.kl_divergence(p, q), scipy.stats.entropy(p, q, axis=-1), **F64
    )
    np.testing.assert_allclose(
        measures.cross_entropy(p, q), scipy.stats.entropy(p, axis=-1) + kl, **F64
    )
    np.testing.assert_allclose(measures.kl_divergence(p, q, base=2), kl / LN2, **F64)


def test_zero_probability_gives_no_nan():
    p = np.array([0.0, 0.25, 0.75])
    np.testing.assert_allclose(measures.entropy(p), scipy.stats.entropy(p), **F32)
    np.testing.assert_allclose(measures.entropy(np.array([0.0, 1.0])), 0.0, atol=0)
    assert not np.signbit(measures.entropy(np.array([0.0, 1.0])))


# --- hand-computed tables ---------------------------------------------------------------
# In the default float32: values of a few nats whose rounding is a few 1e-7, so F32 or
# an absolute 1e-6.


def xor_table():
    """Two fair independent bits X, Y and Z = X xor Y: p(x, y, z) = 1/4 on the 4 valid triples."""
    pxyz = np.zeros((2, 2, 2))
    for x in range(2):
        for y in range(2):
            pxyz[x, y, x ^ y] = 0.25
    return pxyz


def test_xor_interaction_information_is_minus_one_bit():
    pxyz = xor_table()
    assert float(infojax.interaction_information(pxyz, base=2)) == pytest.approx(-1.0, abs=1e-12)
    # X and Y are independent; given Z, Y determines X: I(X;Y|Z) = H(X|Z) = 1 bit.
    assert float(infojax.mutual_information(pxyz.sum(-1), base=2)) == pytest.approx(0.0, abs=1e-12)
    assert float(infojax.conditional_mutual_information(pxyz, base=2)) == pytest.approx(
        1.0, abs=1e-12
    )


def test_xor_total_correlation_is_one_bit():
    # Three marginals of 1 bit each, joint entropy 2 bits: 3 - 2 = 1.
    pxyz = xor_table()
    assert float(infojax.total_correlation(pxyz, base=2)) == pytest.approx(1.0, abs=1e-12)
    assert float(infojax.joint_entropy(pxyz, num_variables=3, base=2)) == pytest.approx(
        2.0, abs=1e-12
    )


@pytest.mark.parametrize("k", [2, 3, 8])
def test_copy_channel_information_is_the_source_entropy(k):
    px = reference.random_table(k, (k,), zero_fraction=0.0)
    pxy = np.diag(px)  # Y = X
    hx = scipy.stats.entropy(px)
    np.testing.assert_allclose(infojax.mutual_information(pxy), hx, **F32)
    np.testing.assert_allclose(infojax.conditional_entropy(pxy), 0.0, atol=1e-6)
    np.testing.assert_allclose(infojax.variation_of_information(pxy), 0.0, atol=1e-6)
    np.testing.assert_allclose(infojax.normalized_mutual_information(pxy), 1.0, **F32)


@pytest.mark.parametrize("crossover", [0.0, 0.01, 0.11, 0.25, 0.5, 0.9, 1.0])
def test_binary_symmetric_channel_capacity(crossover):
    # Uniform input through a BSC: I = 1 - h2(e) bits.
    pxy = 0.5 * np.array([[1 - crossover, crossover], [crossover, 1 - crossover]])
    expected = 1.0 - binary_entropy_bits(crossover)
    assert float(infojax.mutual_information(pxy, base=2)) == pytest.approx(expected, abs=1e-6)


def test_independent_product_has_zero_information():
    px = reference.random_table(1, (5,))
    py = reference.random_table(2, (3,))
    pz = reference.random_table(3, (4,))
    pxy = np.outer(px, py)
    assert float(infojax.mutual_information(pxy)) == pytest.approx(0.0, abs=1e-6)
    pxyz = pxy[:, :, None] * pz
    assert float(infojax.total_correlation(pxyz)) == pytest.approx(0.0, abs=1e-6)
    assert float(infojax.conditional_mutual_information(pxyz)) == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(infojax.conditional_entropy(pxy), scipy.stats.entropy(px), **F32)


def test_js_divergence_of_disjoint_supports_is_log_two():
    p, q = np.array([0.5, 0.5, 0.0, 0.0]), np.array([0.0, 0.0, 0.3, 0.7])
    assert float(infojax.js_divergence(p, q)) == pytest.approx(LN2, abs=1e-6)
    assert float(infojax.js_divergence(p, q, base=2)) == pytest.approx(1.0, abs=1e-6)


def test_renyi_entropy_of_a_uniform_distribution_is_log_k_for_every_order():
    p = np.full(6, 1 / 6)
    for alpha in (0, 0.5, 1, 2, 7.5, math.inf):
        assert float(infojax.renyi_entropy(p, alpha=alpha)) == pytest.approx(math.log(6), abs=1e-6)


# --- plain NumPy reference for every table measure --------------------------------------

SHAPES_2 = [(1, 1), (2, 3), (4, 2), (5, 5)]
SHAPES_3 = [(1, 1, 1), (2, 3, 2), (3, 2, 4)]


@pytest.mark.float64
@pytest.mark.parametrize("shape", SHAPES_2)
@pytest.mark.parametrize(
    ("function", "ref"),
    [
        (measures.conditional_entropy, reference.conditional_entropy_reference),
        (measures.mutual_information, reference.mutual_information_reference),
        (measures.variation_of_information, reference.variation_of_information_reference),
        (measures.joint_entropy, reference.entropy_reference),
        (measures.total_correlation, reference.total_correlation_reference),
    ],
)
def test_pair_measures_match_reference(function, ref, shape):
    for seed in range(3):
        pxy = reference.random_table(seed, shape)
        np.testing.assert_allclose(function(pxy), ref(pxy), **F64)
        np.testing.assert_allclose(function(pxy, base=2), ref(pxy) / LN2, **F64)


@pytest.mark.float64
@pytest.mark.parametrize("normalization", ["arithmetic", "geometric", "min", "max", "joint"])
@pytest.mark.parametrize("shape", SHAPES_2)
def test_normalized_mutual_information_matches_reference(shape, normalization):
    for seed in range(3):
        pxy = reference.random_table(seed, shape)
        expected = reference.normalized_mutual_information_reference(pxy, normalization)
        actual = measures.normalized_mutual_information(pxy, normalization=normalization)
        np.testing.assert_allclose(actual, expected, **F64)


@pytest.mark.float64
@pytest.mark.parametrize("shape", SHAPES_3)
@pytest.mark.parametrize(
    ("function", "ref"),
    [
        (
            measures.conditional_mutual_information,
            reference.conditional_mutual_information_reference,
        ),
        (measures.interaction_information, reference.interaction_information_reference),
        (measures.total_correlation, reference.total_correlation_reference),
        (functools.partial(measures.joint_entropy, num_variables=3), reference.entropy_reference),
    ],
)
def test_triple_measures_match_reference(function, ref, shape):
    for seed in range(3):
        pxyz = reference.random_table(seed, shape)
        np.testing.assert_allclose(function(pxyz), ref(pxyz), **F64)


@pytest.mark.float64
def test_total_correlation_of_four_variables_and_batches():
    p = np.stack([reference.random_table(seed, (2, 3, 2, 2)) for seed in range(3)])
    expected = [reference.total_correlation_reference(table) for table in p]
    np.testing.assert_allclose(measures.total_correlation(p, num_variables=4), expected, **F64)
    np.testing.assert_allclose(measures.total_correlation(p[0]), expected[0], **F64)


@pytest.mark.float64
@pytest.mark.parametrize("size", [1, 2, 9])
def test_divergences_match_reference(size):
    for seed in range(5):
        p = reference.random_table(seed, (size,))
        q = reference.random_table(seed + 100, (size,), zero_fraction=0.0)
        r = reference.random_table(seed + 200, (size,))
        np.testing.assert_allclose(
            measures.kl_divergence(p, q), reference.kl_divergence_reference(p, q), **F64
        )
        np.testing.assert_allclose(
            measures.cross_entropy(p, q), reference.cross_entropy_reference(p, q), **F64
        )
        np.testing.assert_allclose(
            measures.js_divergence(p, r), reference.js_divergence_reference(p, r), **F64
        )


@pytest.mark.float64
@pytest.mark.parametrize("alpha", [0, 0.3, 1, 2, 5.5, math.inf])
def test_renyi_entropy_matches_reference(alpha):
    for seed in range(5):
        p = reference.random_table(seed, (6,))
        expected = reference.renyi_entropy_reference(p, alpha)
        np.testing.assert_allclose(measures.renyi_entropy(p, alpha=alpha), expected, **F64)


# Both precisions: without x64 the float64 table would be converted to float32.
@pytest.mark.float64
def test_renyi_entropy_of_large_order_does_not_underflow():
    # Regression: sum p^alpha underflows to 0 for alpha = 5000 (0.5^5000 = 1e-1506), which
    # gave +inf; the value is within log(3) / (alpha - 1) of the min-entropy log 2.
    p = np.array([0.5, 0.25, 0.25])
    for dtype in (np.float32, np.float64):
        value = float(measures.renyi_entropy(p.astype(dtype), alpha=5000.0))
        expected = reference.renyi_entropy_reference(p, 5000.0)
        assert value == pytest.approx(expected, rel=1e-6)
        assert math.log(2) <= value + 1e-6 <= math.log(2) + math.log(3) / 4999 + 1e-6


@pytest.mark.float64
def test_kl_broadcasts_batches():
    p = np.stack([reference.random_table(seed, (4,)) for seed in range(3)])
    q = reference.random_table(9, (4,), zero_fraction=0.0)
    expected = [reference.kl_divergence_reference(row, q) for row in p]
    np.testing.assert_allclose(measures.kl_divergence(p, q[None]), expected, **F64)


def test_infinite_kl_on_request():
    p, q = np.array([0.5, 0.5]), np.array([1.0, 0.0])
    assert float(measures.kl_divergence(p, q, allow_infinite=True)) == math.inf
    assert float(measures.cross_entropy(p, q, allow_infinite=True)) == math.inf
    # q = 0 where p = 0 is fine: that term is 0.
    assert float(measures.kl_divergence(q, p)) == pytest.approx(math.log(2.0), abs=1e-6)


# --- identities (hypothesis) ------------------------------------------------------------


@pytest.mark.float64
@PROPERTY
@given(seed=SEEDS, nx=SIZES, ny=SIZES)
def test_entropy_chain_rule_and_information_identities(seed, nx, ny):
    pxy = reference.random_table(seed, (nx, ny))
    px, py = pxy.sum(1), pxy.sum(0)
    h_xy = float(measures.joint_entropy(pxy))
    h_x, h_y = float(measures.entropy(px)), float(measures.entropy(py))
    mi = float(measures.mutual_information(pxy))
    assert h_xy == pytest.approx(h_y + float(measures.conditional_entropy(pxy)), abs=1e-12)
    assert mi == pytest.approx(h_x + h_y - h_xy, abs=1e-12)
    assert mi == pytest.approx(float(measures.mutual_information(pxy.T)), abs=1e-12)
    assert mi >= -1e-12
    assert mi <= min(h_x, h_y) + 1e-12
    vi = float(measures.variation_of_information(pxy))
    assert vi == pytest.approx(2 * h_xy - h_x - h_y, abs=1e-12)
    nmi = float(measures.normalized_mutual_information(pxy))
    assert -1e-12 <= nmi <= 1 + 1e-12


@pytest.mark.float64
@PROPERTY
@given(seed=SEEDS, nx=SIZES, ny=SIZES)
def test_product_tables_have_zero_information(seed, nx, ny):
    pxy = np.outer(reference.random_table(seed, (nx,)), reference.random_table(seed + 1, (ny,)))
    assert float(measures.mutual_information(pxy)) == pytest.approx(0.0, abs=1e-12)
    assert float(measures.normalized_mutual_information(pxy)) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.float64
@PROPERTY
@given(seed=SEEDS, shape=st.sampled_from([(2, 2, 2), (1, 3, 2), (3, 2, 4)]))
def test_data_processing_inequality_on_a_markov_chain(seed, shape):
    nx, ny, nz = shape
    # X -> Y -> Z: p(x, z) = sum_y p(x) p(y | x) p(z | y).
    px = reference.random_table(seed, (nx,))
    channel_xy = np.stack([reference.random_table(seed + 1 + i, (ny,)) for i in range(nx)])
    channel_yz = np.stack([reference.random_table(seed + 100 + j, (nz,)) for j in range(ny)])
    pxy = px[:, None] * channel_xy
    pxz = pxy @ channel_yz
    pxyz = pxy[:, :, None] * channel_yz[None, :, :]
    assert (
        float(measures.mutual_information(pxz)) <= float(measures.mutual_information(pxy)) + 1e-12
    )
    # Markov: I(X; Z | Y) = 0.
    assert float(measures.conditional_mutual_information(np.moveaxis(pxyz, 1, 2))) == pytest.approx(
        0.0, abs=1e-12
    )


@pytest.mark.float64
@PROPERTY
@given(seed=SEEDS, shape=st.sampled_from([(2, 2, 2), (1, 3, 2), (3, 2, 4)]))
def test_conditional_mutual_information_chain_rule(seed, shape):
    nx, ny, nz = shape
    # I(X; (Y, Z)) = I(X; Z) + I(X; Y | Z), and interaction information is I(X;Y) - I(X;Y|Z).
    pxyz = reference.random_table(seed, (nx, ny, nz))
    i_x_yz = float(measures.mutual_information(pxyz.reshape(nx, ny * nz)))
    i_x_z = float(measures.mutual_information(pxyz.sum(1)))
    cmi = float(measures.conditional_mutual_information(pxyz))
    assert cmi >= -1e-12
    assert i_x_yz == pytest.approx(i_x_z + cmi, abs=1e-12)
    i_xy = float(measures.mutual_information(pxyz.sum(2)))
    assert float(measures.interaction_information(pxyz)) == pytest.approx(i_xy - cmi, abs=1e-12)
    # Interaction information is symmetric in its three variables.
    swapped = float(measures.interaction_information(np.transpose(pxyz, (2, 0, 1))))
    assert swapped == pytest.approx(i_xy - cmi, abs=1e-12)


@pytest.mark.float64
@PROPERTY
@given(seed=SEEDS, k=st.sampled_from([1, 3, 8]))
def test_renyi_limits_and_monotonicity(seed, k):
    p = reference.random_table(seed, (k,))
    shannon = float(measures.entropy(p))
    hartley = math.log(np.count_nonzero(p))
    min_entropy = -math.log(p.max())
    assert float(measures.renyi_entropy(p, alpha=1)) == pytest.approx(shannon, abs=1e-12)
    assert float(measures.renyi_entropy(p, alpha=0)) == pytest.approx(hartley, abs=1e-12)
    assert float(measures.renyi_entropy(p, alpha=math.inf)) == pytest.approx(min_entropy, abs=1e-12)
    # dH_alpha/dalpha is bounded by the variance of log p (< 20 for these tables), so a
    # step of 1e-7 either side of 1 changes H by < 2e-6.
    for alpha in (1 - 1e-7, 1 + 1e-7):
        assert float(measures.renyi_entropy(p, alpha=alpha)) == pytest.approx(shannon, abs=2e-6)
    # Near 0: sum p^a = support * (1 + a E[log p]) + O(a^2), so H_a -> log support.
    assert float(measures.renyi_entropy(p, alpha=1e-9)) == pytest.approx(hartley, abs=1e-6)
    # Large alpha: H_inf <= H_alpha <= alpha / (alpha - 1) H_inf.
    h_large = float(measures.renyi_entropy(p, alpha=1e4))
    assert min_entropy - 1e-12 <= h_large <= 1e4 / (1e4 - 1) * min_entropy + 1e-12
    values = [float(measures.renyi_entropy(p, alpha=a)) for a in (0, 0.5, 1, 2, math.inf)]
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(values))


@pytest.mark.float64
@PROPERTY
@given(seed=SEEDS, k=st.sampled_from([1, 3, 6]))
def test_divergence_properties(seed, k):
    p = reference.random_table(seed, (k,))
    q = reference.random_table(seed + 1, (k,))
    js = float(measures.js_divergence(p, q))
    assert -1e-12 <= js <= LN2 + 1e-12
    assert js == pytest.approx(float(measures.js_divergence(q, p)), abs=1e-12)
    q_full = reference.random_table(seed + 2, (k,), zero_fraction=0.0)
    kl = float(measures.kl_divergence(p, q_full))
    assert kl >= -1e-12
    assert float(measures.cross_entropy(p, q_full)) == pytest.approx(
        float(measures.entropy(p)) + kl, abs=1e-12
    )
    assert float(measures.kl_divergence(p, p)) == pytest.approx(0.0, abs=1e-12)


def labels_from_counts(counts):
    true = np.repeat(np.arange(counts.shape[0])[:, None], counts.shape[1], 1)
    pred = np.repeat(np.arange(counts.shape[1])[None, :], counts.shape[0], 0)
    return np.repeat(true.ravel(), counts.ravel()), np.repeat(pred.ravel(), counts.ravel())


@pytest.mark.float64
@PROPERTY
@given(seed=SEEDS, nx=st.sampled_from([2, 4]), ny=st.sampled_from([2, 3]))
def test_normalized_mutual_information_matches_scikit_learn(seed, nx, ny):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 5, size=(nx, ny))
    # Two occupied classes on each side: scikit-learn returns 1 (we return 0) for two
    # constant labelings, a convention difference this test does not exercise.
    counts[0, 0] += 1
    counts[1, 1] += 1
    labels_true, labels_pred = labels_from_counts(counts)
    pxy = counts / counts.sum()
    for method in ("arithmetic", "geometric", "min", "max"):
        expected = sklearn.metrics.normalized_mutual_info_score(
            labels_true, labels_pred, average_method=method
        )
        actual = float(measures.normalized_mutual_information(pxy, normalization=method))
        assert actual == pytest.approx(expected, abs=1e-10)


# --- jit, vmap, grad, dtype for every public measure ------------------------------------


def _spd(seed, d):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d))
    return a @ a.T + d * np.eye(d)


def _logits_with_neg_inf(seed, shape):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=shape)
    logits.reshape(-1)[0] = -np.inf
    return logits


def _table_with_zero(seed, shape):
    p = reference.random_table(seed, shape, zero_fraction=0.0)
    p.reshape(-1)[1] = 0.0
    return p / p.sum()


def _softmax_reference(logits):
    return scipy.special.softmax(np.asarray(logits, np.float64).ravel()).reshape(np.shape(logits))


def _gaussian_entropy_reference(cov):
    return scipy.stats.multivariate_normal(cov=cov).entropy()


def _gaussian_kl_reference(mean_p, cov_p, mean_q, cov_q):
    """Closed form in NumPy (checked against Monte Carlo in test_measures_gaussian.py)."""
    inverse_q = np.linalg.inv(cov_q)
    difference = mean_q - mean_p
    return 0.5 * (
        np.trace(inverse_q @ cov_p)
        + difference @ inverse_q @ difference
        - len(mean_p)
        + np.linalg.slogdet(cov_q)[1]
        - np.linalg.slogdet(cov_p)[1]
    )


def _one_table(shape):
    return lambda s: (_table_with_zero(s, shape),)


def _two_tables(s):
    return _table_with_zero(s, (5,)), reference.random_table(s + 1, (5,), zero_fraction=0.0)


def _two_logits(s):
    return _logits_with_neg_inf(s, (5,)), np.random.default_rng(s).normal(size=5)


# name: (function, builder of example arguments from a seed, float64 reference). Every
# table has a zero entry so gradients are checked on the boundary of the simplex, and
# every logit array a -inf entry.
TRANSFORM_CASES = {
    "entropy": (measures.entropy, _one_table((5,)), reference.entropy_reference),
    "joint_entropy": (measures.joint_entropy, _one_table((3, 4)), reference.entropy_reference),
    "conditional_entropy": (
        measures.conditional_entropy,
        _one_table((3, 4)),
        reference.conditional_entropy_reference,
    ),
    "mutual_information": (
        measures.mutual_information,
        _one_table((3, 4)),
        reference.mutual_information_reference,
    ),
    "conditional_mutual_information": (
        measures.conditional_mutual_information,
        _one_table((2, 3, 2)),
        reference.conditional_mutual_information_reference,
    ),
    "interaction_information": (
        measures.interaction_information,
        _one_table((2, 3, 2)),
        reference.interaction_information_reference,
    ),
    "total_correlation": (
        functools.partial(measures.total_correlation, num_variables=3),
        _one_table((2, 3, 2)),
        reference.total_correlation_reference,
    ),
    "dual_total_correlation": (
        functools.partial(measures.dual_total_correlation, num_variables=3),
        _one_table((2, 3, 2)),
        reference.dual_total_correlation_reference,
    ),
    "o_information": (
        functools.partial(measures.o_information, num_variables=3),
        _one_table((2, 3, 2)),
        lambda p: reference.total_correlation_reference(p)
        - reference.dual_total_correlation_reference(p),
    ),
    "s_information": (
        functools.partial(measures.s_information, num_variables=3),
        _one_table((2, 3, 2)),
        lambda p: reference.total_correlation_reference(p)
        + reference.dual_total_correlation_reference(p),
    ),
    "kl_divergence": (measures.kl_divergence, _two_tables, reference.kl_divergence_reference),
    "cross_entropy": (measures.cross_entropy, _two_tables, reference.cross_entropy_reference),
    "js_divergence": (
        measures.js_divergence,
        lambda s: (_table_with_zero(s, (5,)), _table_with_zero(s + 1, (5,))),
        reference.js_divergence_reference,
    ),
    "renyi_entropy_2": (
        functools.partial(measures.renyi_entropy, alpha=2.0),
        _one_table((5,)),
        functools.partial(reference.renyi_entropy_reference, alpha=2.0),
    ),
    "renyi_entropy_half": (
        functools.partial(measures.renyi_entropy, alpha=0.5),
        _one_table((5,)),
        functools.partial(reference.renyi_entropy_reference, alpha=0.5),
    ),
    "renyi_entropy_inf": (
        functools.partial(measures.renyi_entropy, alpha=math.inf),
        _one_table((5,)),
        functools.partial(reference.renyi_entropy_reference, alpha=math.inf),
    ),
    "variation_of_information": (
        measures.variation_of_information,
        _one_table((3, 4)),
        reference.variation_of_information_reference,
    ),
    "normalized_mutual_information": (
        measures.normalized_mutual_information,
        _one_table((3, 4)),
        reference.normalized_mutual_information_reference,
    ),
    "entropy_from_logits": (
        measures.entropy_from_logits,
        lambda s: (_logits_with_neg_inf(s, (5,)),),
        lambda logits: reference.entropy_reference(_softmax_reference(logits)),
    ),
    "kl_divergence_from_logits": (
        measures.kl_divergence_from_logits,
        _two_logits,
        lambda lp, lq: reference.kl_divergence_reference(
            _softmax_reference(lp), _softmax_reference(lq)
        ),
    ),
    "cross_entropy_from_logits": (
        measures.cross_entropy_from_logits,
        _two_logits,
        lambda lp, lq: reference.cross_entropy_reference(
            _softmax_reference(lp), _softmax_reference(lq)
        ),
    ),
    "mutual_information_from_logits": (
        measures.mutual_information_from_logits,
        lambda s: (_logits_with_neg_inf(s, (3, 4)),),
        lambda logits: reference.mutual_information_reference(_softmax_reference(logits)),
    ),
    "gaussian_entropy": (
        measures.gaussian_entropy,
        lambda s: (_spd(s, 3),),
        _gaussian_entropy_reference,
    ),
    "gaussian_mutual_information_from_covariance": (
        functools.partial(measures.gaussian_mutual_information_from_covariance, dim_x=1),
        lambda s: (_spd(s, 3),),
        lambda cov: (
            _gaussian_entropy_reference(cov[:1, :1])
            + _gaussian_entropy_reference(cov[1:, 1:])
            - _gaussian_entropy_reference(cov)
        ),
    ),
    "gaussian_kl_divergence": (
        measures.gaussian_kl_divergence,
        lambda s: (
            np.random.default_rng(s).normal(size=3),
            _spd(s, 3),
            np.random.default_rng(s + 1).normal(size=3),
            _spd(s + 1, 3),
        ),
        _gaussian_kl_reference,
    ),
}


# Public names that return several values, with their own jit / vmap / grad / dtype
# tests: in tests/test_measures_mixture.py and tests/test_measures_mixture_sampled.py
# (the mixture bounds and estimates), tests/test_measures_pid.py (the partial
# information decomposition), tests/test_measures_higher_order.py (the gradients of
# O-information, one value per variable) and tests/test_measures_noisy_network.py.
TUPLE_VALUED = {
    "MixtureInformationBounds",
    "MixtureInformationEstimate",
    "NoisyNetworkInformation",
    "PartialInformation",
    "gaussian_mixture_entropy_bounds",
    "gaussian_mixture_information_bounds",
    "gaussian_mixture_information_estimate",
    "noisy_network_input_information",
    "o_information_gradients",
    "pid",
}


def test_transform_table_covers_every_public_measure():
    covered = {getattr(f, "func", f).__name__ for f, _, _ in TRANSFORM_CASES.values()}
    assert covered | TUPLE_VALUED == set(measures.__all__)


@pytest.mark.parametrize(
    "dtype", [jnp.float32, pytest.param(jnp.float64, marks=pytest.mark.float64)]
)
@pytest.mark.parametrize("name", sorted(TRANSFORM_CASES))
def test_jit_vmap_grad_and_dtype(name, dtype):
    function, build, ref = TRANSFORM_CASES[name]
    examples = [build(seed) for seed in range(3)]
    expected = np.array([ref(*args) for args in examples])
    inputs = [tuple(jnp.asarray(a, dtype=dtype) for a in args) for args in examples]
    # float32 keeps ~7 digits; these measures of <= 12 outcomes (and 3x3 Cholesky
    # factors of well-conditioned matrices) lose a few ulps per term, so 2e-5 relative
    # plus 1e-5 absolute near 0 separates float32 rounding from a real error.
    tolerance = {"rtol": 2e-5, "atol": 1e-5} if dtype == jnp.float32 else F64
    argnums = tuple(range(len(inputs[0])))

    # One compilation per case: the jitted value, the vmapped batch and the gradient.
    @jax.jit
    def transformed(single, batch):
        return function(*single), jax.vmap(function)(*batch), jax.grad(function, argnums)(*single)

    stacked = tuple(jnp.stack(column) for column in zip(*inputs, strict=True))
    value, batched, gradients = transformed(inputs[0], stacked)
    assert value.dtype == dtype
    assert value.shape == ()
    np.testing.assert_allclose(value, expected[0], **tolerance)
    assert batched.dtype == dtype
    assert batched.shape == (3,)
    np.testing.assert_allclose(batched, expected, **tolerance)
    for gradient, argument in zip(gradients, inputs[0], strict=True):
        assert gradient.dtype == dtype
        assert gradient.shape == argument.shape
        assert np.isfinite(np.asarray(gradient)).all(), (name, gradient)


def test_eager_float32_keeps_dtype():
    # The eager (validated) path in float32, one measure per module.
    p = jnp.asarray(_table_with_zero(0, (3, 4)), dtype=jnp.float32)
    value = measures.mutual_information(p)
    assert value.dtype == jnp.float32
    expected = reference.mutual_information_reference(np.asarray(p, np.float64))
    assert float(value) == pytest.approx(expected, rel=2e-5, abs=1e-6)
    logits = jnp.asarray(_logits_with_neg_inf(0, (5,)), dtype=jnp.float32)
    assert measures.entropy_from_logits(logits).dtype == jnp.float32


@pytest.mark.float64
def test_entropy_gradient_matches_closed_form():
    # dH/dp_i = -(log p_i + 1) for p_i > 0; the zero entry has gradient 0 (documented).
    p = jnp.array([0.0, 0.2, 0.3, 0.5])
    gradient = jax.grad(measures.entropy)(p)
    expected = np.concatenate([[0.0], -(np.log(np.array([0.2, 0.3, 0.5])) + 1)])
    np.testing.assert_allclose(gradient, expected, **F64)


def test_kl_gradient_matches_closed_form():
    # dKL/dq_i = -p_i / q_i; dKL/dp_i = log(p_i / q_i) + 1 for p_i > 0.
    p, q = jnp.array([0.0, 0.4, 0.6]), jnp.array([0.2, 0.3, 0.5])
    grad_p, grad_q = jax.grad(measures.kl_divergence, argnums=(0, 1))(p, q)
    np.testing.assert_allclose(grad_q, -np.asarray(p) / np.asarray(q), **F64)
    np.testing.assert_allclose(grad_p[1:], np.log(p[1:] / q[1:]) + 1, **F64)


@pytest.mark.float64
def test_batched_inputs_keep_batch_shape():
    pxy = np.stack([reference.random_table(seed, (3, 2)) for seed in range(6)]).reshape(2, 3, 3, 2)
    expected = np.array(
        [reference.mutual_information_reference(table) for table in pxy.reshape(6, 3, 2)]
    ).reshape(2, 3)
    np.testing.assert_allclose(measures.mutual_information(pxy), expected, **F64)


# --- bad input --------------------------------------------------------------------------

GOOD = np.array([0.25, 0.25, 0.5])
GOOD_2D = np.full((2, 2), 0.25)
GOOD_3D = np.full((2, 2, 2), 0.125)

BAD_INPUTS = [
    ("entropy-negative", lambda: measures.entropy(np.array([-0.1, 0.6, 0.5])), ValueError, "`p`"),
    ("entropy-nan", lambda: measures.entropy(np.array([np.nan, 0.5, 0.5])), ValueError, "`p`"),
    ("entropy-inf", lambda: measures.entropy(np.array([np.inf, 0.5])), ValueError, "`p`"),
    ("entropy-unnormalised", lambda: measures.entropy(np.array([0.3, 0.3])), ValueError, "`p`"),
    ("entropy-scalar", lambda: measures.entropy(np.float64(1.0)), ValueError, "`p`"),
    ("entropy-empty", lambda: measures.entropy(np.zeros((0,))), ValueError, "`p`"),
    ("entropy-complex", lambda: measures.entropy(GOOD.astype(complex)), TypeError, "`p`"),
    ("entropy-base-one", lambda: measures.entropy(GOOD, base=1), ValueError, "`base`"),
    ("entropy-base-negative", lambda: measures.entropy(GOOD, base=-2), ValueError, "`base`"),
    ("entropy-base-zero", lambda: measures.entropy(GOOD, base=0), ValueError, "`base`"),
    ("entropy-base-inf", lambda: measures.entropy(GOOD, base=math.inf), ValueError, "`base`"),
    ("joint-1d", lambda: measures.joint_entropy(GOOD), ValueError, "`p`"),
    (
        "joint-unnormalised",
        lambda: measures.joint_entropy(GOOD_2D * 2),
        ValueError,
        "`p`",
    ),
    ("conditional-1d", lambda: measures.conditional_entropy(GOOD), ValueError, "`pxy`"),
    ("mi-1d", lambda: measures.mutual_information(GOOD), ValueError, "`pxy`"),
    (
        "mi-negative",
        lambda: measures.mutual_information(np.array([[0.6, -0.1], [0.25, 0.25]])),
        ValueError,
        "`pxy`",
    ),
    (
        "mi-nan",
        lambda: measures.mutual_information(np.array([[np.nan, 0.5], [0.25, 0.25]])),
        ValueError,
        "`pxy`",
    ),
    ("mi-unnormalised", lambda: measures.mutual_information(GOOD_2D * 0.9), ValueError, "`pxy`"),
    (
        "mi-rows-each-normalised",
        lambda: measures.mutual_information(np.full((2, 2), 0.5)),
        ValueError,
        "`pxy`",
    ),
    ("mi-base", lambda: measures.mutual_information(GOOD_2D, base=1.0), ValueError, "`base`"),
    ("cmi-2d", lambda: measures.conditional_mutual_information(GOOD_2D), ValueError, "`pxyz`"),
    ("interaction-2d", lambda: measures.interaction_information(GOOD_2D), ValueError, "`pxyz`"),
    (
        "interaction-nan",
        lambda: measures.interaction_information(GOOD_3D * np.nan),
        ValueError,
        "`pxyz`",
    ),
    ("tc-unnormalised", lambda: measures.total_correlation(GOOD_3D * 2), ValueError, "`p`"),
    (
        "tc-num-variables",
        lambda: measures.total_correlation(GOOD_3D, num_variables=0),
        ValueError,
        "`num_variables`",
    ),
    (
        "joint-num-variables",
        lambda: measures.joint_entropy(GOOD_3D, num_variables=0),
        ValueError,
        "`num_variables` must be >= 1",
    ),
    (
        "joint-num-variables-type",
        lambda: measures.joint_entropy(GOOD_3D, num_variables=2.0),
        TypeError,
        "`num_variables`",
    ),
    ("kl-shape", lambda: measures.kl_divergence(GOOD, np.array([0.5, 0.5])), ValueError, "`q`"),
    (
        "kl-batch-shape",
        lambda: measures.kl_divergence(np.tile(GOOD, (2, 1)), np.tile(GOOD, (3, 1))),
        ValueError,
        "`q`",
    ),
    (
        "kl-support",
        lambda: measures.kl_divergence(GOOD, np.array([0.5, 0.5, 0.0])),
        ValueError,
        "allow_infinite",
    ),
    (
        "kl-negative-q",
        lambda: measures.kl_divergence(GOOD, np.array([-0.5, 1.0, 0.5])),
        ValueError,
        "`q`",
    ),
    ("kl-unnormalised-p", lambda: measures.kl_divergence(GOOD * 2, GOOD), ValueError, "`p`"),
    ("kl-base", lambda: measures.kl_divergence(GOOD, GOOD, base=1), ValueError, "`base`"),
    (
        "ce-support",
        lambda: measures.cross_entropy(GOOD, np.array([0.0, 0.5, 0.5])),
        ValueError,
        "`q`",
    ),
    (
        "ce-nan",
        lambda: measures.cross_entropy(GOOD, np.array([np.nan, 0.5, 0.5])),
        ValueError,
        "`q`",
    ),
    ("js-shape", lambda: measures.js_divergence(GOOD, GOOD_2D), ValueError, "`q`"),
    ("js-unnormalised", lambda: measures.js_divergence(GOOD, GOOD * 0.5), ValueError, "`q`"),
    (
        "renyi-negative-alpha",
        lambda: measures.renyi_entropy(GOOD, alpha=-1.0),
        ValueError,
        "`alpha`",
    ),
    (
        "renyi-nan-alpha",
        lambda: measures.renyi_entropy(GOOD, alpha=math.nan),
        ValueError,
        "`alpha`",
    ),
    (
        "renyi-array-alpha",
        lambda: measures.renyi_entropy(GOOD, alpha=jnp.array(2.0)),
        TypeError,
        "`alpha`",
    ),
    ("renyi-string-alpha", lambda: measures.renyi_entropy(GOOD, alpha="2"), TypeError, "`alpha`"),
    ("renyi-negative-p", lambda: measures.renyi_entropy(-GOOD, alpha=2.0), ValueError, "`p`"),
    ("vi-1d", lambda: measures.variation_of_information(GOOD), ValueError, "`pxy`"),
    (
        "nmi-unnormalised",
        lambda: measures.normalized_mutual_information(GOOD_2D * 3),
        ValueError,
        "`pxy`",
    ),
    (
        "nmi-normalization",
        lambda: measures.normalized_mutual_information(GOOD_2D, normalization="mean"),
        ValueError,
        "`normalization`",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_raises_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# The float64 input must keep float64's 1e-8 normalisation tolerance; without x64 it
# would be converted to float32 (tolerance 1e-4) before the check.
@pytest.mark.float64
def test_float32_normalisation_tolerance_is_looser_than_float64():
    # 1e-4 for float32, 1e-8 for float64 (documented in infojax.measures._tables).
    p = np.array([0.5, 0.5 + 5e-6])
    assert np.isfinite(float(measures.entropy(p.astype(np.float32))))
    with pytest.raises(ValueError, match="`p`"):
        measures.entropy(p)


def test_validation_is_skipped_under_jit_but_shapes_are_checked():
    # Value checks need concrete inputs: under jit an unnormalised table is not an error.
    assert np.isfinite(float(jax.jit(measures.entropy)(jnp.array([0.3, 0.3]))))
    with pytest.raises(ValueError, match="`pxy`"):
        jax.jit(measures.mutual_information)(jnp.array([0.5, 0.5]))
    # An infinite KL under jit returns inf (the support check cannot run).
    kl = jax.jit(measures.kl_divergence)(jnp.array([0.5, 0.5]), jnp.array([1.0, 0.0]))
    assert float(kl) == math.inf


def test_benchmark_runs_end_to_end(monkeypatch, capsys):
    # A shrunk run of experiments/bench_measures.py: it checks every implementation's
    # result against NumPy before timing, and prints one row per implementation.
    from experiments import bench_measures

    monkeypatch.setattr("sys.argv", ["bench_measures", "--scale", "0.001", "--repeats", "1"])
    bench_measures.main()
    printed = capsys.readouterr().out
    assert printed.count("infojax (jit)") == 2
    assert printed.count("numpy") >= 2


def test_normalisation_tolerance_at_its_edges():
    # float32 tolerance 1e-4 on |sum - 1|. Deviations past half of it are decided by a
    # float64 sum on the host; below it by the compiled float32 pass.
    p = np.full((3, 1000), 1e-3, np.float32)
    measures.entropy(p)
    p[1, 0] += 3e-5  # sum 1 + 3e-5: the fast pass accepts it
    measures.entropy(p)
    p[1, 0] += 5e-5  # 1 + 8e-5: past half the tolerance, accepted by the float64 sum
    measures.entropy(p)
    p[2, 0] += 1.5e-4  # 1 + 1.5e-4: rejected
    with pytest.raises(ValueError, match=r"`p` is not normalised: a distribution sums to 1\.00015"):
        measures.entropy(p)
    with pytest.raises(ValueError, match="`p` contains inf"):
        measures.entropy(np.array([np.inf, 0.5]))
    with pytest.raises(ValueError, match=r"`p` has negative probabilities \(min -0\.5\)"):
        measures.entropy(np.array([-0.5, 1.5]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_non_finite_entries_of_a_large_table_are_found(dtype):
    # The compiled check reads NaN and inf from the sum of all distributions' sums
    # (XLA's vectorised min and max on CPU drop a NaN): one bad entry among 10^6,
    # +inf and -inf in one row (their sum is NaN), and an inf next to a negative entry.
    base = np.full((1000, 1000), 1e-3, dtype)
    for value, message in [
        (np.nan, "contains NaN"),
        (np.inf, "contains inf"),
        (-np.inf, "contains inf"),
    ]:
        p = base.copy()
        p[617, 123] = value
        with pytest.raises(ValueError, match=f"`p` {message}"):
            measures.entropy(p)
    p = base.copy()
    p[5, :2] = np.inf, -np.inf
    with pytest.raises(ValueError, match="`p` contains inf"):
        measures.entropy(p)
    p = base.copy()
    p[5, :2] = -1e-3, 3e-3  # row sum stays one
    with pytest.raises(ValueError, match="`p` has negative probabilities"):
        measures.entropy(p)
    measures.entropy(base)  # the valid table passes
