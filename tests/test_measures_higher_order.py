"""Higher-order measures of n variables on tables: DTC, O-, S-information and the
gradients of O-information, against sums of entropies computed here in NumPy."""

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import infojax
from infojax import measures
from tests import reference

LN2 = math.log(2)
F64 = {"rtol": 1e-10, "atol": 1e-12}
F32 = {"rtol": 1e-5, "atol": 2e-6}


# --- plain NumPy reference: every quantity from entropies of marginals ----------------


def entropy_of_subset(p, subset):
    """Entropy (nats) of the marginal of ``p`` (variables on every axis) on ``subset``."""
    if not subset:
        return 0.0
    others = tuple(a for a in range(p.ndim) if a not in subset)
    marginal = np.asarray(p, np.float64).sum(axis=others).ravel()
    positive = marginal[marginal > 0]
    return float(-np.sum(positive * np.log(positive)))


def total_correlation_ref(p, variables=None):
    variables = tuple(range(p.ndim)) if variables is None else variables
    singles = sum(entropy_of_subset(p, (i,)) for i in variables)
    return singles - entropy_of_subset(p, variables)


def dual_total_correlation_ref(p, variables=None):
    # H(X) - sum_i H(X_i | X_{-i}), H(X_i | X_{-i}) = H(X) - H(X_{-i}).
    variables = tuple(range(p.ndim)) if variables is None else variables
    joint = entropy_of_subset(p, variables)
    conditionals = 0.0
    for i in variables:
        rest = tuple(j for j in variables if j != i)
        conditionals += joint - entropy_of_subset(p, rest)
    return joint - conditionals


def o_information_ref(p, variables=None):
    return total_correlation_ref(p, variables) - dual_total_correlation_ref(p, variables)


def o_information_gradients_ref(p):
    variables = tuple(range(p.ndim))
    whole = o_information_ref(p, variables)
    return np.array(
        [whole - o_information_ref(p, tuple(j for j in variables if j != i)) for i in variables]
    )


def xor_table():
    p = np.zeros((2, 2, 2))
    for x, y in itertools.product((0, 1), repeat=2):
        p[x, y, x ^ y] = 0.25
    return p


def copies_table(k=3):
    p = np.zeros((2,) * k)
    p[(0,) * k] = p[(1,) * k] = 0.5
    return p


SHAPES = [(3, 2, 4), (2, 2, 3, 2), (1, 3, 2)]


# --- closed-form examples -----------------------------------------------------------------


def test_xor_of_two_fair_bits_is_one_bit_of_synergy():
    p = xor_table()
    assert float(infojax.o_information(p, base=2)) == pytest.approx(-1.0, abs=1e-6)
    assert float(infojax.dual_total_correlation(p, base=2)) == pytest.approx(2.0, abs=1e-6)
    assert float(infojax.s_information(p, base=2)) == pytest.approx(3.0, abs=1e-6)
    np.testing.assert_allclose(infojax.o_information_gradients(p, base=2), [-1.0] * 3, atol=1e-6)


@pytest.mark.parametrize("k", [3, 5])
def test_copies_of_one_fair_bit_are_redundant(k):
    # TC = k - 1 bits, DTC = 1 bit: Omega = k - 2 bits (+1 bit for three copies).
    p = copies_table(k)
    assert float(infojax.o_information(p, base=2)) == pytest.approx(k - 2, abs=1e-5)
    assert float(infojax.dual_total_correlation(p, base=2)) == pytest.approx(1.0, abs=1e-6)
    assert float(infojax.s_information(p, base=2)) == pytest.approx(k, abs=1e-5)
    np.testing.assert_allclose(infojax.o_information_gradients(p, base=2), [1.0] * k, atol=1e-5)


def test_independent_variables_have_no_higher_order_information():
    tables = [reference.random_table(seed, (size,)) for seed, size in enumerate((3, 2, 4))]
    p = tables[0][:, None, None] * tables[1][None, :, None] * tables[2][None, None, :]
    for function in (
        infojax.o_information,
        infojax.dual_total_correlation,
        infojax.s_information,
        infojax.o_information_gradients,
    ):
        np.testing.assert_allclose(function(p), 0.0, atol=2e-6)


def test_one_and_two_variables():
    pxy = reference.random_table(0, (3, 4))
    mi = reference.mutual_information_reference(pxy)
    # Two variables: DTC = TC = I(X; Y), Omega = 0.
    np.testing.assert_allclose(infojax.dual_total_correlation(pxy), mi, **F32)
    np.testing.assert_allclose(infojax.s_information(pxy), 2 * mi, **F32)
    np.testing.assert_allclose(infojax.o_information(pxy), 0.0, atol=2e-6)
    px = reference.random_table(1, (5,))
    for function in (infojax.o_information, infojax.dual_total_correlation):
        np.testing.assert_allclose(function(px), 0.0, atol=1e-6)
    assert infojax.o_information_gradients(px).shape == (1,)


# --- against the NumPy reference on random tables -----------------------------------------


@pytest.mark.float64
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    ("function", "ref"),
    [
        (measures.dual_total_correlation, dual_total_correlation_ref),
        (measures.o_information, o_information_ref),
        (
            measures.s_information,
            lambda p: total_correlation_ref(p) + dual_total_correlation_ref(p),
        ),
        (measures.o_information_gradients, o_information_gradients_ref),
    ],
    ids=["dtc", "o", "s", "gradients"],
)
def test_matches_numpy_entropies(function, ref, shape):
    for seed in range(3):
        p = reference.random_table(seed, shape)
        value = function(jnp.asarray(p))
        assert value.dtype == jnp.float64
        np.testing.assert_allclose(value, ref(p), **F64)
        np.testing.assert_allclose(function(p, base=2), np.asarray(ref(p)) / LN2, **F64)


@pytest.mark.float64
@pytest.mark.parametrize("shape", SHAPES[:2])
def test_identities(shape):
    p = reference.random_table(7, shape, zero_fraction=0.0)
    tc = infojax.total_correlation(p)
    dtc = infojax.dual_total_correlation(p)
    np.testing.assert_allclose(infojax.o_information(p), tc - dtc, **F64)
    np.testing.assert_allclose(infojax.s_information(p), tc + dtc, **F64)
    # S-information is the sum of I(X_i; X_{-i}) (Rosas et al. 2019, eq. 12).
    k = p.ndim
    pairs = 0.0
    for i in range(k):
        rest = tuple(j for j in range(k) if j != i)
        pairs += (
            entropy_of_subset(p, (i,))
            + entropy_of_subset(p, rest)
            - entropy_of_subset(p, tuple(range(k)))
        )
    np.testing.assert_allclose(infojax.s_information(p), pairs, **F64)


# --- batches, transformations, dtype, gradients ------------------------------------------


def batch_of_tables(shape, count=4):
    return np.stack([reference.random_table(seed, shape) for seed in range(count)])


@pytest.mark.parametrize(
    "function",
    [
        infojax.dual_total_correlation,
        infojax.o_information,
        infojax.s_information,
        infojax.o_information_gradients,
    ],
)
def test_batch_axes_jit_and_vmap_match_a_loop(function):
    tables = batch_of_tables((2, 3, 2))
    looped = np.stack([np.asarray(function(t)) for t in tables])
    batched = function(tables, num_variables=3)
    np.testing.assert_allclose(batched, looped, **F32)
    vmapped = jax.vmap(function)(jnp.asarray(tables))
    np.testing.assert_allclose(vmapped, looped, **F32)
    jitted = jax.jit(function)(jnp.asarray(tables[0]))
    np.testing.assert_allclose(jitted, looped[0], **F32)
    expected_shape = (4, 3) if function is infojax.o_information_gradients else (4,)
    assert batched.shape == vmapped.shape == expected_shape


@pytest.mark.parametrize(
    "function", [infojax.dual_total_correlation, infojax.o_information, infojax.s_information]
)
def test_gradient_is_finite_at_zero_probabilities(function):
    p = jnp.asarray(xor_table(), jnp.float32)  # half of the entries are zero
    gradient = jax.grad(lambda q: function(q))(p)
    assert gradient.dtype == jnp.float32
    assert np.isfinite(np.asarray(gradient)).all()
    jacobian = jax.jacobian(infojax.o_information_gradients)(p)
    assert jacobian.shape == (3, 2, 2, 2)
    assert np.isfinite(np.asarray(jacobian)).all()


@pytest.mark.float64
def test_gradient_matches_central_differences():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.2, 1.0, size=(2, 3, 2))  # away from zero: log p is smooth at the step
    p /= p.sum()
    direction = rng.normal(size=p.shape)
    direction -= direction.mean()  # stays on the simplex
    gradient = jax.grad(infojax.o_information)(jnp.asarray(p))
    step = 1e-6
    numeric = (
        o_information_ref(p + step * direction) - o_information_ref(p - step * direction)
    ) / (2 * step)
    np.testing.assert_allclose(float(jnp.sum(gradient * direction)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.float64
def test_dtype_follows_input():
    p = reference.random_table(0, (2, 2, 3))
    assert infojax.o_information(jnp.asarray(p, jnp.float32)).dtype == jnp.float32
    assert infojax.o_information(jnp.asarray(p, jnp.float64)).dtype == jnp.float64
    assert infojax.o_information_gradients(jnp.asarray(p)).dtype == jnp.float64


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function",
    [
        infojax.dual_total_correlation,
        infojax.o_information,
        infojax.s_information,
        infojax.o_information_gradients,
    ],
)
def test_bad_input_names_the_argument(function):
    p = xor_table()
    with pytest.raises(ValueError, match="`p` is not normalised"):
        function(2 * p)
    negative = p.copy()
    negative[0, 0, 0], negative[0, 0, 1] = -0.25, 0.5  # still sums to one
    with pytest.raises(ValueError, match="`p` has negative"):
        function(negative)
    with pytest.raises(ValueError, match="`p` contains NaN"):
        function(np.where(p == 0, np.nan, p))
    with pytest.raises(ValueError, match="`num_variables`"):
        function(p, num_variables=0)
    with pytest.raises(ValueError, match="`p` must have at least 4 axes"):
        function(p, num_variables=4)
    with pytest.raises(TypeError, match="`num_variables`"):
        function(p, num_variables=2.0)
    with pytest.raises(TypeError, match="`p` must be real"):
        function(p.astype(complex))
    with pytest.raises(ValueError, match="`base`"):
        function(p, base=1)
