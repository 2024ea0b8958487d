"""Logit variants: equal to the table measures on softmax(logits), exact for extreme logits.

References: ``scipy.special.softmax`` / ``log_softmax`` and ``scipy.stats.entropy`` in
float64, the NumPy loops in ``tests/reference.py``, and closed forms for point masses.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference
import scipy.special
import scipy.stats
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from infojax import measures

# float64 sums of <= 20 terms computed from log-probabilities: rounding well under 1e-12.
F64 = {"rtol": 1e-10, "atol": 1e-12}
# The comparisons at this precision are marked float64 (run with x64 enabled): a float32
# tolerance wide enough for rounding would also let small formula errors through. The
# default float32 path of these measures is checked by test_jit_vmap_grad_and_dtype in
# test_measures.py.
PROPERTY = settings(max_examples=30, deadline=None)
SEEDS = st.integers(0, 2**31 - 1)


def random_logits(seed, shape, scale=4.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


@pytest.mark.float64
@PROPERTY
@given(seed=SEEDS, k=st.sampled_from([1, 2, 7]))
def test_logit_measures_equal_table_measures_on_softmax(seed, k):
    logits_p, logits_q = random_logits(seed, (k,)), random_logits(seed + 1, (k,))
    p, q = scipy.special.softmax(logits_p), scipy.special.softmax(logits_q)
    np.testing.assert_allclose(
        measures.entropy_from_logits(logits_p), scipy.stats.entropy(p), **F64
    )
    np.testing.assert_allclose(
        measures.kl_divergence_from_logits(logits_p, logits_q),
        reference.kl_divergence_reference(p, q),
        **F64,
    )
    np.testing.assert_allclose(
        measures.cross_entropy_from_logits(logits_p, logits_q),
        reference.cross_entropy_reference(p, q),
        **F64,
    )
    # Shift invariance: softmax ignores a constant added to every logit.
    np.testing.assert_allclose(
        measures.entropy_from_logits(logits_p + 123.0), scipy.stats.entropy(p), **F64
    )


@pytest.mark.float64
@PROPERTY
@given(seed=SEEDS, shape=st.sampled_from([(1, 3), (2, 2), (3, 4)]))
def test_mutual_information_from_logits_equals_table_version(seed, shape):
    joint_logits = random_logits(seed, shape)
    pxy = scipy.special.softmax(joint_logits.ravel()).reshape(shape)
    np.testing.assert_allclose(
        measures.mutual_information_from_logits(joint_logits),
        reference.mutual_information_reference(pxy),
        **F64,
    )


@pytest.mark.float64
def test_extreme_logits_are_point_masses():
    extreme = np.array([1000.0, -1000.0])
    assert float(measures.entropy_from_logits(extreme)) == 0.0
    # KL(point mass at 0 || uniform) = log 2; cross-entropy of the same pair is log 2 too.
    uniform = np.zeros(2)
    assert float(measures.kl_divergence_from_logits(extreme, uniform)) == pytest.approx(
        math.log(2.0), abs=1e-12
    )
    assert float(measures.cross_entropy_from_logits(extreme, uniform)) == pytest.approx(
        math.log(2.0), abs=1e-12
    )
    # KL(uniform || extreme): q(1) = exp(-2000) underflows as a probability but not as a
    # log-probability: 0.5 (log 0.5 - 0) + 0.5 (log 0.5 - (-2000)) = 1000 - log 2.
    assert float(measures.kl_divergence_from_logits(uniform, extreme)) == pytest.approx(
        1000.0 - math.log(2.0), rel=1e-12
    )
    assert float(measures.cross_entropy_from_logits(uniform, extreme)) == pytest.approx(
        1000.0, rel=1e-12
    )


@pytest.mark.float64
def test_extreme_joint_logits():
    # All mass on (0, 0): I = 0. All mass split on the diagonal: I = log 2.
    point = np.array([[1000.0, -1000.0], [-1000.0, -1000.0]])
    assert float(measures.mutual_information_from_logits(point)) == pytest.approx(0.0, abs=1e-12)
    diagonal = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    assert float(measures.mutual_information_from_logits(diagonal)) == pytest.approx(
        math.log(2.0), abs=1e-12
    )


@pytest.mark.float64
def test_negative_infinite_logits_are_zero_probabilities():
    logits = np.array([-np.inf, 0.0, math.log(3.0)])  # p = [0, 1/4, 3/4]
    p = np.array([0.0, 0.25, 0.75])
    np.testing.assert_allclose(measures.entropy_from_logits(logits), scipy.stats.entropy(p), **F64)
    q_logits = np.log(np.array([0.5, 0.25, 0.25]))
    q = np.array([0.5, 0.25, 0.25])
    np.testing.assert_allclose(
        measures.kl_divergence_from_logits(logits, q_logits),
        reference.kl_divergence_reference(p, q),
        **F64,
    )
    np.testing.assert_allclose(
        measures.cross_entropy_from_logits(logits, q_logits),
        reference.cross_entropy_reference(p, q),
        **F64,
    )
    joint = np.array([[0.0, -np.inf], [-np.inf, 0.0]])  # a copy channel: p = 1/2 on the diagonal
    assert float(measures.mutual_information_from_logits(joint)) == pytest.approx(
        math.log(2.0), abs=1e-12
    )


@pytest.mark.float64
def test_gradients_are_finite_and_correct_for_extreme_logits():
    # dH/dl_i = -p_i (log p_i + H); at a point mass every term is 0.
    gradient = jax.grad(measures.entropy_from_logits)(jnp.array([1000.0, -1000.0, -jnp.inf]))
    np.testing.assert_array_equal(gradient, np.zeros(3))
    logits = jnp.array([0.3, -1.2, 2.0])
    p = scipy.special.softmax(np.asarray(logits))
    h = scipy.stats.entropy(p)
    expected = -p * (np.log(p) + h)
    np.testing.assert_allclose(jax.grad(measures.entropy_from_logits)(logits), expected, **F64)
    # d KL(p || q) / d l_q = q - p (the softmax cross-entropy gradient).
    logits_p, logits_q = jnp.array([-jnp.inf, 0.0, 1.0]), jnp.array([0.5, -0.5, 800.0])
    q = scipy.special.softmax(np.asarray(logits_q))
    p = scipy.special.softmax(np.asarray(logits_p))
    gradient_q = jax.grad(measures.kl_divergence_from_logits, argnums=1)(logits_p, logits_q)
    np.testing.assert_allclose(gradient_q, q - p, **F64)
    gradient_p = jax.grad(measures.kl_divergence_from_logits)(logits_p, logits_q)
    assert np.isfinite(np.asarray(gradient_p)).all()


def test_float32_extreme_logits_stay_exact():
    extreme = jnp.array([1000.0, -1000.0], dtype=jnp.float32)
    value = measures.entropy_from_logits(extreme)
    assert value.dtype == jnp.float32
    assert float(value) == 0.0
    uniform = jnp.zeros(2, dtype=jnp.float32)
    kl = measures.kl_divergence_from_logits(uniform, extreme)
    assert kl.dtype == jnp.float32
    # float32 spacing at 1000 is 6e-5.
    assert float(kl) == pytest.approx(1000.0 - math.log(2.0), abs=1e-4)


@pytest.mark.float64
def test_logit_batches_broadcast():
    logits_p = random_logits(0, (4, 5))
    logits_q = random_logits(1, (5,))
    q = scipy.special.softmax(logits_q)
    expected = [
        reference.kl_divergence_reference(scipy.special.softmax(row), q) for row in logits_p
    ]
    np.testing.assert_allclose(
        measures.kl_divergence_from_logits(logits_p, logits_q[None]), expected, **F64
    )


def test_infinite_divergence_on_request():
    logits_p, logits_q = np.zeros(2), np.array([0.0, -np.inf])
    with pytest.raises(ValueError, match="allow_infinite"):
        measures.kl_divergence_from_logits(logits_p, logits_q)
    with pytest.raises(ValueError, match="`logits_q`"):
        measures.cross_entropy_from_logits(logits_p, logits_q)
    assert float(measures.kl_divergence_from_logits(logits_p, logits_q, allow_infinite=True)) == (
        math.inf
    )
    assert float(measures.cross_entropy_from_logits(logits_p, logits_q, allow_infinite=True)) == (
        math.inf
    )


BAD_INPUTS = [
    ("entropy-nan", lambda: measures.entropy_from_logits(np.array([np.nan, 0.0])), "`logits`"),
    ("entropy-posinf", lambda: measures.entropy_from_logits(np.array([np.inf, 0.0])), "`logits`"),
    (
        "entropy-all-neginf",
        lambda: measures.entropy_from_logits(np.array([[0.0, 1.0], [-np.inf, -np.inf]])),
        "`logits`",
    ),
    ("entropy-scalar", lambda: measures.entropy_from_logits(np.float64(0.0)), "`logits`"),
    ("entropy-base", lambda: measures.entropy_from_logits(np.zeros(2), base=1), "`base`"),
    (
        "kl-shape",
        lambda: measures.kl_divergence_from_logits(np.zeros(2), np.zeros(3)),
        "`logits_q`",
    ),
    (
        "kl-nan-p",
        lambda: measures.kl_divergence_from_logits(np.array([np.nan, 0.0]), np.zeros(2)),
        "`logits_p`",
    ),
    (
        "ce-posinf-q",
        lambda: measures.cross_entropy_from_logits(np.zeros(2), np.array([np.inf, 0.0])),
        "`logits_q`",
    ),
    (
        "mi-1d",
        lambda: measures.mutual_information_from_logits(np.zeros(3)),
        "`joint_logits`",
    ),
    (
        "mi-nan",
        lambda: measures.mutual_information_from_logits(np.array([[np.nan, 0.0], [0.0, 0.0]])),
        "`joint_logits`",
    ),
    (
        "mi-all-neginf",
        lambda: measures.mutual_information_from_logits(np.full((2, 2), -np.inf)),
        "`joint_logits`",
    ),
]


@pytest.mark.parametrize(
    ("call", "match"), [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS]
)
def test_bad_input_raises_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
